// The text slice against its definition, checked token by token with a
// plain UTF-8 decoder, and the rest trie's layout against the full trie.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "sluice/vocab.h"
#include "vocab/text_slice.h"
#include "vocab/token_trie.h"

namespace sluice {

namespace {

// The definition: a prefix of UTF-8 text whose code points are U+0020 and
// above, not '"', not '\', not surrogates and not U+2028 or U+2029; only the
// last code point may be cut short.
bool in_slice_by_definition(const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto b0 = static_cast<uint8_t>(bytes[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    } else {
      return false;
    }
    size_t k = 1;
    for (; k < len && i + k < bytes.size(); ++k) {
      const auto b = static_cast<uint8_t>(bytes[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b & 0x3F);
    }
    if (k < len) {
      // Cut short: the bytes so far must start some allowed code point.
      const uint32_t shift = 6 * static_cast<uint32_t>(len - k);
      const uint32_t lo = cp << shift, hi = lo | ((uint32_t{1} << shift) - 1);
      const uint32_t min_for_len = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      const uint32_t max_for_len = len == 2 ? 0x7FF : len == 3 ? 0xFFFF : 0x10FFFF;
      const uint32_t a = std::max(lo, min_for_len), z = std::min(hi, max_for_len);
      if (a > z) return false;
      // Some code point in a..z that is neither a surrogate nor a line
      // separator.
      return !(a >= 0xD800 && z <= 0xDFFF) && !(a >= 0x2028 && z <= 0x2029);
    }
    const uint32_t min_for_len = len == 1 ? 0 : len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_for_len || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp == 0x2028 || cp == 0x2029) return false;
    if (cp < 0x20 || cp == '"' || cp == '\\') return false;
    i += len;
  }
  return true;
}

Vocabulary random_vocabulary(uint32_t seed) {
  // Bytes chosen to hit every branch of UTF-8: ASCII, quote, backslash,
  // controls, lead bytes of each length (overlong and out-of-range ones
  // too), and continuation bytes from each sub-range.
  // E2, 80, A8 and A9 spell the line separators U+2028 and U+2029.
  const std::vector<uint8_t> bytes = {'a',  'Z',  ' ',  '"',  '\\', 0x00, 0x1F, 0x7F, 0xC0, 0xC2,
                                      0xDF, 0xE0, 0xE1, 0xE2, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5,
                                      0xFF, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xA8, 0xA9, 0xBF};
  std::mt19937 rng(seed);
  std::vector<std::string> tokens;
  for (int i = 0; i < 6000; ++i) {
    std::string t;
    const size_t n = 1 + rng() % 5;
    for (size_t k = 0; k < n; ++k) t += static_cast<char>(bytes[rng() % bytes.size()]);
    tokens.push_back(t);
  }
  // The line separators and their neighbours, which random bytes rarely
  // spell.
  for (const char* t : {"\xE2\x80\xA8", "a\xE2\x80\xA9", "\xE2\x80\xA8" "b", "\xE2\x80\xA7", "\xE2\x80\xAA", "\xE2\x80",
                        "\xE2\x81\xA8"}) {
    tokens.push_back(t);
  }
  auto v = Vocabulary::from_tokens(tokens);
  REQUIRE(v.ok());
  return v.value();
}

}  // namespace

TEST_CASE("the text slice holds exactly the tokens its definition names", "[vocab][slice]") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    Vocabulary v = random_vocabulary(seed);
    const vocab::TextSlice& slice = v.text_slice();
    const auto& words = slice.words();
    size_t expected = 0;
    for (uint32_t id = 0; id < v.size(); ++id) {
      const std::string bytes(v.token_bytes(static_cast<TokenId>(id)));
      const bool want = in_slice_by_definition(bytes);
      INFO("token " << id << " bytes of length " << bytes.size());
      REQUIRE(((words[id >> 5] >> (id & 31)) & 1) == (want ? 1u : 0u));
      expected += want ? 1 : 0;
    }
    REQUIRE(slice.tokens() == expected);
    REQUIRE(expected > 100);
    REQUIRE(expected < v.size());
  }
}

TEST_CASE("slice tokens by the code points they begin", "[vocab][slice]") {
  // A code point begins at every byte that is not a continuation byte
  // (80-BF); a cut-short last one counts.
  auto begun = [](std::string_view bytes) {
    size_t n = 0;
    for (char c : bytes) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
  };
  for (uint32_t seed : {5u, 6u}) {
    Vocabulary v = random_vocabulary(seed);
    const vocab::TextSlice& slice = v.text_slice();
    const auto& words = slice.words();
    size_t previous = 0;
    for (size_t chars = 0; chars <= 7; ++chars) {
      INFO("at most " << chars << " code points");
      std::set<TokenId> want;
      for (uint32_t id = 0; id < v.size(); ++id) {
        const bool in_slice = (words[id >> 5] >> (id & 31)) & 1;
        if (in_slice && begun(v.token_bytes(static_cast<TokenId>(id))) <= chars) want.insert(static_cast<TokenId>(id));
      }
      auto got = slice.tokens_up_to_chars(chars);
      REQUIRE(std::set<TokenId>(got.begin(), got.end()) == want);
      REQUIRE(got.size() == want.size());
      REQUIRE(got.size() >= previous);
      previous = got.size();
    }
    REQUIRE(previous == slice.tokens());
    REQUIRE(slice.tokens_up_to_chars(~size_t{0}).size() == slice.tokens());
  }
}

TEST_CASE("the rest trie keeps the nodes outside the slice and their ancestors", "[vocab][slice]") {
  Vocabulary v = random_vocabulary(4);
  const vocab::TextSlice& slice = v.text_slice();
  const auto& nodes = v.trie().nodes();
  const auto& rest = slice.rest_nodes();
  const auto& rest_end = slice.rest_end();
  REQUIRE(rest.size() == rest_end.size());
  REQUIRE(rest[0] == 0);
  // Kept by definition: outside the slice, or above a node outside it.
  std::vector<bool> kept(nodes.size(), false);
  kept[0] = true;
  std::vector<uint32_t> path(1, 0);
  for (uint32_t i = 1; i < nodes.size(); ++i) {
    path.resize(nodes[i].depth);
    path.push_back(i);
    if ((slice.state(i) != vocab::TextSlice::kReject)) continue;
    for (uint32_t a : path) kept[a] = true;
  }
  std::vector<uint32_t> expected;
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    if (kept[i]) expected.push_back(i);
  }
  REQUIRE(rest == expected);
  for (size_t p = 0; p < rest.size(); ++p) {
    REQUIRE(slice.rest_position(rest[p]) == p);
    // The subtree end here is the first kept node past the full subtree.
    size_t q = p + 1;
    while (q < rest.size() && rest[q] < nodes[rest[p]].subtree_end) ++q;
    REQUIRE(rest_end[p] == q);
  }
  // The slice's tokens under a node are the slice tokens of its subtree.
  for (uint32_t i = 0; i < nodes.size(); i += 97) {
    std::vector<TokenId> want;
    for (uint32_t j = i; j < nodes[i].subtree_end; ++j) {
      if (slice.state(j) == vocab::TextSlice::kReject) continue;
      for (uint32_t t = nodes[j].token_begin; t < nodes[j].token_end; ++t) want.push_back(v.trie().token_ids()[t]);
    }
    auto got = slice.tokens_between(i, nodes[i].subtree_end);
    REQUIRE(std::vector<TokenId>(got.begin(), got.end()) == want);
  }
}

TEST_CASE("bytes below a node: the bits of the bytes its slice tokens go on with", "[vocab][slice]") {
  // By definition, from the tokens themselves: for every slice token in a
  // node's subtree, the bytes after the node's own.
  for (uint32_t seed : {7u, 8u}) {
    Vocabulary v = random_vocabulary(seed);
    const vocab::TextSlice& slice = v.text_slice();
    const auto& nodes = v.trie().nodes();
    const auto& ids = v.trie().token_ids();
    for (uint32_t i = 0; i < nodes.size(); ++i) {
      if (slice.state(i) == vocab::TextSlice::kReject) continue;
      uint64_t want = 0;
      for (uint32_t j = i + 1; j < nodes[i].subtree_end; ++j) {
        if (slice.state(j) == vocab::TextSlice::kReject) continue;
        for (uint32_t t = nodes[j].token_begin; t < nodes[j].token_end; ++t) {
          const std::string_view bytes = v.token_bytes(ids[t]);
          for (size_t k = nodes[i].depth; k < bytes.size(); ++k) {
            want |= vocab::TextSlice::byte_bit(static_cast<uint8_t>(bytes[k]));
          }
        }
      }
      INFO("node " << i << " at depth " << nodes[i].depth);
      REQUIRE(slice.bytes_below(i) == want);
    }
  }
  // Bits are shared only within a run of letters and outside ASCII, and
  // the punctuation patterns leave out one at a time has bits of its own.
  using vocab::TextSlice;
  CHECK(TextSlice::byte_bit('a') == TextSlice::byte_bit('f'));
  CHECK(TextSlice::byte_bit('f') != TextSlice::byte_bit('g'));
  CHECK(TextSlice::byte_bit('A') != TextSlice::byte_bit('a'));
  CHECK(TextSlice::byte_bit(0x80) == TextSlice::byte_bit(0xF4));
  std::set<uint64_t> punctuation;
  for (char c : std::string(" !#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~")) {
    punctuation.insert(TextSlice::byte_bit(static_cast<uint8_t>(c)));
  }
  CHECK(punctuation.size() == 41);
}

}  // namespace sluice
