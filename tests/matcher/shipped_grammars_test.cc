// Every grammar in grammars/ through the differential walk: a synthetic
// vocabulary on every token, then the real tokenizers on samples.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "matcher/harness.h"
#include "sluice/frontend.h"

namespace sluice::testing {

namespace {

std::vector<std::pair<std::string, Grammar>> shipped_grammars() {
  std::vector<std::pair<std::string, Grammar>> out;
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/grammars")) {
    if (e.path().extension() == ".gbnf") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    auto g = parse_gbnf(text.str());
    INFO(p.string());
    REQUIRE(g.ok());
    out.push_back({p.filename().string(), g.value()});
  }
  return out;
}

}  // namespace

TEST_CASE("shipped grammars: fast masks equal the reference (synthetic vocabulary)", "[matcher][shipped]") {
  auto grammars = shipped_grammars();
  REQUIRE(grammars.size() >= 7);
  Vocabulary v = small_vocabulary(31, 400);
  uint32_t seed = 1;
  for (const auto& [name, g] : grammars) {
    INFO(name);
    WalkOptions options;
    options.steps = 40;
    options.walks = 3;
    differential_walk(g, v, seed++, options);
  }
}

TEST_CASE("shipped grammars: fast masks equal the reference (real tokenizers)", "[matcher][shipped][tokenizer]") {
  auto grammars = shipped_grammars();
  for (const char* tokenizer : {"llama3", "qwen3", "llama2"}) {
    auto v = cached_vocabulary(tokenizer);
    if (!v) continue;
    uint32_t seed = 100;
    for (const auto& [name, g] : grammars) {
      INFO(tokenizer << " " << name);
      WalkOptions options;
      options.steps = 25;
      options.walks = 1;
      options.sample = 300;
      options.full_steps = 0;
      differential_walk(g, *v, seed++, options);
    }
  }
}

}  // namespace sluice::testing
