// The token trie's layout (depth-first order, subtree ends, shared nodes for
// equal byte strings) and the Vocabulary's validation of explicit lists.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "sluice/vocab.h"
#include "vocab/token_trie.h"

namespace sluice {

namespace {

// Rebuilds every token's bytes from the flat layout alone.
std::map<TokenId, std::string> spell(const vocab::TokenTrie& trie) {
  std::map<TokenId, std::string> out;
  std::vector<std::string> prefix(1);
  const auto& nodes = trie.nodes();
  for (uint32_t i = 1; i < nodes.size(); ++i) {
    prefix.resize(nodes[i].depth);
    prefix[nodes[i].depth - 1] = prefix[nodes[i].depth - 1 > 0 ? nodes[i].depth - 2 : 0];
    std::string s = nodes[i].depth >= 2 ? prefix[nodes[i].depth - 2] : std::string();
    s += static_cast<char>(nodes[i].byte);
    prefix[nodes[i].depth - 1] = s;
    for (uint32_t t = nodes[i].token_begin; t < nodes[i].token_end; ++t) out[trie.token_ids()[t]] = s;
  }
  return out;
}

}  // namespace

TEST_CASE("the trie spells every token and nothing else", "[vocab]") {
  std::mt19937 rng(5);
  std::vector<std::string> tokens;
  for (int i = 0; i < 2000; ++i) {
    std::string t;
    int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) t += static_cast<char>("ab\xC3\xA9\x00"[rng() % 5]);
    tokens.push_back(t);
  }
  tokens.push_back("");  // unused slot
  std::vector<TokenKind> kinds(tokens.size(), TokenKind::kNormal);
  kinds[7] = TokenKind::kSpecial;
  auto v = Vocabulary::from_tokens(tokens, kinds, {7});
  REQUIRE(v.ok());
  const vocab::TokenTrie& trie = v->trie();
  auto spelled = spell(trie);
  for (size_t i = 0; i < tokens.size(); ++i) {
    TokenId id = static_cast<TokenId>(i);
    if (i == 7 || tokens[i].empty()) {
      REQUIRE(spelled.count(id) == 0);
      REQUIRE(trie.node_of_token()[id] == 0);
    } else {
      REQUIRE(spelled.at(id) == tokens[i]);
      REQUIRE(trie.node_of_token()[id] != 0);
    }
  }
  // Depth-first order: each subtree is a contiguous range of deeper nodes.
  const auto& nodes = trie.nodes();
  REQUIRE(nodes[0].subtree_end == nodes.size());
  for (uint32_t i = 1; i < nodes.size(); ++i) {
    REQUIRE(nodes[i].subtree_end > i);
    for (uint32_t j = i + 1; j < nodes[i].subtree_end; ++j) REQUIRE(nodes[j].depth > nodes[i].depth);
    if (nodes[i].subtree_end < nodes.size()) REQUIRE(nodes[nodes[i].subtree_end].depth <= nodes[i].depth);
  }
  size_t longest = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i != 7) longest = std::max(longest, tokens[i].size());
  }
  REQUIRE(v->max_token_bytes() == longest);
  REQUIRE(v->is_eos(7));
  REQUIRE(v->token_bytes(7).empty());
  // nodes_longer_than: exactly the token nodes deeper than the bound.
  for (size_t bound = 0; bound <= longest + 1; ++bound) {
    std::set<uint32_t> expected;
    for (uint32_t i = 1; i < nodes.size(); ++i) {
      if (nodes[i].depth > bound && nodes[i].token_begin != nodes[i].token_end) expected.insert(i);
    }
    const auto listed = trie.nodes_longer_than(bound);
    REQUIRE(std::set<uint32_t>(listed.begin(), listed.end()) == expected);
    REQUIRE(listed.size() == expected.size());
  }
  // subtree_depth: the deepest node at or below each node.
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    uint16_t deepest = 0;
    for (uint32_t j = i; j < nodes[i].subtree_end; ++j) deepest = std::max(deepest, nodes[j].depth);
    REQUIRE(trie.subtree_depth(i) == deepest);
  }
}

TEST_CASE("tokens with equal bytes share one trie node", "[vocab]") {
  auto v = Vocabulary::from_tokens({"A", "AB", "A", "B"}, {TokenKind::kNormal, TokenKind::kNormal, TokenKind::kByte,
                                                         TokenKind::kNormal});
  REQUIRE(v.ok());
  const auto& trie = v->trie();
  REQUIRE(trie.node_of_token()[0] == trie.node_of_token()[2]);
  REQUIRE(trie.nodes().size() == 4);  // root, A, AB, B
}

TEST_CASE("trie nodes are in byte order and shared nodes list ids in order", "[vocab]") {
  // Long tokens over a small alphabet share prefixes longer than the eight
  // bytes the build sorts by first; NUL bytes tie with the zero padding of
  // shorter tokens' keys; repeats share nodes.
  std::mt19937 rng(11);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3000; ++i) {
    std::string t = i % 3 == 0 ? "abcdefgh" : "";
    for (int k = 0, n = 1 + static_cast<int>(rng() % 14); k < n; ++k) t += "ab\x00\xFF"[rng() % 4];
    tokens.push_back(t);
  }
  for (int i = 0; i < 200; ++i) tokens.push_back(tokens[rng() % tokens.size()]);
  auto v = Vocabulary::from_tokens(tokens);
  REQUIRE(v.ok());
  const vocab::TokenTrie& trie = v->trie();
  auto spelled = spell(trie);
  for (size_t i = 0; i < tokens.size(); ++i) REQUIRE(spelled.at(static_cast<TokenId>(i)) == tokens[i]);
  // Depth-first order is byte order: the spelling of each node with tokens
  // is greater than that of the node with tokens before it.
  std::string previous;
  bool first = true;
  for (const vocab::TrieNode& node : trie.nodes()) {
    if (node.token_begin == node.token_end) continue;
    const std::string& bytes = tokens[trie.token_ids()[node.token_begin]];
    if (!first) REQUIRE(previous < bytes);
    previous = bytes;
    first = false;
    for (uint32_t t = node.token_begin + 1; t < node.token_end; ++t) {
      REQUIRE(trie.token_ids()[t - 1] < trie.token_ids()[t]);
    }
  }
}

TEST_CASE("explicit vocabularies are validated", "[vocab]") {
  SECTION("kinds must match tokens") {
    auto v = Vocabulary::from_tokens({"a", "b"}, {TokenKind::kNormal});
    REQUIRE(!v.ok());
    REQUIRE(v.error().code == ErrorCode::kInvalidArgument);
  }
  SECTION("EOS must be in range and special") {
    REQUIRE(!Vocabulary::from_tokens({"a"}, {}, {3}).ok());
    REQUIRE(!Vocabulary::from_tokens({"a"}, {}, {0}).ok());
  }
  SECTION("byte tokens are one byte") {
    REQUIRE(!Vocabulary::from_tokens({"ab"}, {TokenKind::kByte}).ok());
  }
  SECTION("the empty vocabulary") {
    Vocabulary empty;
    REQUIRE(empty.size() == 0);
    REQUIRE(empty.trie().nodes().size() == 1);
  }
}

TEST_CASE("a real tokenizer's vocabulary", "[vocab][tokenizer]") {
  auto t = Tokenizer::load("llama3");
  if (!t.ok()) {
    WARN("SKIPPED: llama3 tokenizer not cached: " << t.error().to_string());
    return;
  }
  Vocabulary v = Vocabulary::from_tokenizer(t.value());
  REQUIRE(v.size() == t->vocab_size());
  auto spelled = spell(v.trie());
  size_t normal = 0;
  for (uint32_t i = 0; i < v.size(); ++i) {
    TokenId id = static_cast<TokenId>(i);
    if (v.token_kind(id) == TokenKind::kSpecial) {
      REQUIRE(spelled.count(id) == 0);
      continue;
    }
    ++normal;
    REQUIRE(spelled.at(id) == t->token_bytes(id));
  }
  REQUIRE(normal >= 128000);
  for (TokenId eos : v.eos_tokens()) REQUIRE(v.token_kind(eos) == TokenKind::kSpecial);
}

}  // namespace sluice
