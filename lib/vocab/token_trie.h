// The token trie: every token with a non-empty byte string, as flat nodes in
// depth-first (lexicographic) order. Node 0 is the root (the empty prefix).
// Each node knows where its subtree ends, so a walk that finds a prefix
// dead skips the whole subtree with one assignment and never recurses.
// Tokens with identical bytes (a byte-fallback token and a text token, say)
// share one node.
//
// The trie knows nothing about grammars: lib/matcher walks it.
//
// Tested in tests/vocab/token_trie_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sluice/tokenizer.h"

namespace sluice::vocab {

struct TrieNode {
  uint32_t subtree_end = 0;  // first node index after this node's subtree
  uint32_t token_begin = 0;  // range into TokenTrie::token_ids()
  uint32_t token_end = 0;
  uint16_t depth = 0;        // bytes from the root; the node's byte is the last
  uint8_t byte = 0;
  uint8_t unused = 0;
};

class TokenTrie {
 public:
  TokenTrie() : nodes_(1, TrieNode{1, 0, 0, 0, 0, 0}), subtree_depth_(1, 0) {}
  // tokens[i] are the bytes of id i; ids with include[i] false or empty
  // bytes are left out. Tokens longer than 65535 bytes are left out too
  // (callers reject them first).
  TokenTrie(const std::vector<std::string_view>& tokens, const std::vector<bool>& include);

  const std::vector<TrieNode>& nodes() const { return nodes_; }
  const std::vector<TokenId>& token_ids() const { return token_ids_; }
  // For each token id, its node (0 when the token is not in the trie).
  const std::vector<uint32_t>& node_of_token() const { return node_of_token_; }
  // The nodes of tokens longer than `bytes`, longest first (not in trie
  // order): for a counter that can run `bytes` more times, only these
  // tokens can run it out.
  std::span<const uint32_t> nodes_longer_than(size_t bytes) const;
  // The depth of the deepest node in a node's subtree (a token's length).
  uint16_t subtree_depth(uint32_t node) const { return subtree_depth_[node]; }
  size_t memory_bytes() const {
    return nodes_.size() * sizeof(TrieNode) + token_ids_.size() * sizeof(TokenId) +
           node_of_token_.size() * sizeof(uint32_t) + (by_length_.size() + longer_than_.size()) * sizeof(uint32_t) +
           subtree_depth_.size() * sizeof(uint16_t);
  }

 private:
  std::vector<TrieNode> nodes_;
  std::vector<TokenId> token_ids_;
  std::vector<uint32_t> node_of_token_;
  std::vector<uint32_t> by_length_;    // token nodes, deepest first
  std::vector<uint32_t> longer_than_;  // by depth d: how many token nodes are deeper than d
  std::vector<uint16_t> subtree_depth_;
};

}  // namespace sluice::vocab
