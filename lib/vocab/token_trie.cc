// Implements vocab/token_trie.h. Tested in tests/vocab/token_trie_test.cc.
#include "vocab/token_trie.h"

#include <algorithm>
#include <numeric>

namespace sluice::vocab {

TokenTrie::TokenTrie(const std::vector<std::string_view>& tokens, const std::vector<bool>& include) {
  std::vector<TokenId> order;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (include[i] && !tokens[i].empty() && tokens[i].size() <= 0xFFFF) order.push_back(static_cast<TokenId>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](TokenId a, TokenId b) { return tokens[a] < tokens[b]; });

  node_of_token_.assign(tokens.size(), 0);
  nodes_.clear();
  nodes_.push_back(TrieNode{});
  // path[d] is the node for the first d+1 bytes of the previous token.
  std::vector<uint32_t> path;
  std::string_view previous;
  for (TokenId id : order) {
    std::string_view bytes = tokens[id];
    size_t common = 0;
    while (common < previous.size() && common < bytes.size() && previous[common] == bytes[common]) ++common;
    if (common == bytes.size() && common == previous.size()) {
      // Same bytes as the previous token: it joins that node.
      TrieNode& node = nodes_[path.back()];
      token_ids_.push_back(id);
      node.token_end = static_cast<uint32_t>(token_ids_.size());
      node_of_token_[id] = path.back();
      continue;
    }
    for (size_t d = path.size(); d > common; --d) nodes_[path[d - 1]].subtree_end = static_cast<uint32_t>(nodes_.size());
    path.resize(common);
    for (size_t d = common; d < bytes.size(); ++d) {
      TrieNode node;
      node.depth = static_cast<uint16_t>(d + 1);
      node.byte = static_cast<uint8_t>(bytes[d]);
      node.token_begin = node.token_end = static_cast<uint32_t>(token_ids_.size());
      path.push_back(static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(node);
    }
    TrieNode& last = nodes_[path.back()];
    token_ids_.push_back(id);
    last.token_begin = static_cast<uint32_t>(token_ids_.size() - 1);
    last.token_end = static_cast<uint32_t>(token_ids_.size());
    node_of_token_[id] = path.back();
    previous = bytes;
  }
  for (uint32_t node : path) nodes_[node].subtree_end = static_cast<uint32_t>(nodes_.size());
  nodes_[0].subtree_end = static_cast<uint32_t>(nodes_.size());
}

}  // namespace sluice::vocab
