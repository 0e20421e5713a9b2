// Loader fuzzing: random byte-level and structural mutations of the
// synthetic tokenizer.json files (fixed seed). Each must load or fail with
// an error that has a message; a loaded one must encode and decode random
// text without crashing.
#include <catch2/catch.hpp>

#include <random>

#include "sluice/tokenizer.h"
#include "synthetic.h"

namespace {

std::string mutate_bytes(std::string text, std::mt19937_64& rng) {
  static const char kBytes[] = "{}[]\":,0123456789-eE.ntrfu\\ \xC4\xA0\xFF";
  for (int n = 1 + static_cast<int>(rng() % 4); n > 0 && !text.empty(); --n) {
    size_t at = rng() % text.size();
    switch (rng() % 4) {
      case 0: text[at] = kBytes[rng() % (sizeof kBytes - 1)]; break;
      case 1: text.erase(at, 1 + rng() % 8); break;
      case 2: text.insert(at, 1, kBytes[rng() % (sizeof kBytes - 1)]); break;
      default: text.resize(at); break;
    }
  }
  return text;
}

// Replaces a random value in the document with a value of another type.
void mutate_structure(nlohmann::json& j, std::mt19937_64& rng) {
  nlohmann::json* node = &j;
  for (int depth = 0; depth < 6; ++depth) {
    if (node->is_object() && !node->empty()) {
      auto it = node->begin();
      std::advance(it, static_cast<long>(rng() % node->size()));
      node = &it.value();
    } else if (node->is_array() && !node->empty()) {
      node = &(*node)[rng() % node->size()];
    } else {
      break;
    }
    if (rng() % 3 == 0) break;
  }
  static const nlohmann::json kValues[] = {nullptr, true, 0, -1, 1 << 30, 3.5, "", "x", "Isolated",
                                           nlohmann::json::array(), nlohmann::json::object(),
                                           {{"type", "Split"}}, {"a", "b"}, {{"Regex", "("}}};
  *node = kValues[rng() % std::size(kValues)];
}

void exercise(const std::string& text, std::mt19937_64& rng, int* loaded) {
  auto tok = sluice::Tokenizer::from_json(text, "fuzz.json");
  if (!tok.ok()) {
    CHECK_FALSE(tok.error().message.empty());
    return;
  }
  ++*loaded;
  std::string input;
  for (int i = 0; i < 24; ++i) input += static_cast<char>(rng() % 256);
  input += " the thing <tool> hi ab";
  std::vector<sluice::TokenId> ids = tok->encode(input);
  for (sluice::TokenId id : ids) {
    REQUIRE(id >= 0);
    REQUIRE(static_cast<uint32_t>(id) < tok->vocab_size());
  }
  (void)tok->decode(ids);
}

}  // namespace

TEST_CASE("fuzz: mutated tokenizer.json files load or fail cleanly") {
  std::mt19937_64 rng(2026);
  const nlohmann::json seeds[] = {sluice_test::byte_level_tokenizer(), sluice_test::sentencepiece_tokenizer()};
  int loaded = 0, tried = 0;
  for (const nlohmann::json& seed : seeds) {
    const std::string text = seed.dump();
    for (int i = 0; i < 300; ++i, ++tried) exercise(mutate_bytes(text, rng), rng, &loaded);
    for (int i = 0; i < 300; ++i, ++tried) {
      nlohmann::json j = seed;
      for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) mutate_structure(j, rng);
      exercise(j.dump(), rng, &loaded);
    }
  }
  // Both outcomes must occur, or the mutations test nothing.
  CHECK(loaded > 0);
  CHECK(loaded < tried);
}
