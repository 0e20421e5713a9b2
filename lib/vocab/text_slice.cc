// Implements vocab/text_slice.h. Tested in tests/vocab/text_slice_test.cc.
#include "vocab/text_slice.h"

#include "vocab/token_trie.h"

namespace sluice::vocab {

namespace {
constexpr uint8_t kBoundary = 0;
}  // namespace

TextSlice::TextSlice(const TokenTrie& trie) {
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  words_.assign((trie.node_of_token().size() + 31) / 32, 0);
  state_.assign(n, kReject);
  state_[0] = kBoundary;
  tokens_before_.assign(n + 1, 0);
  // outside_before[i]: nodes outside the slice among the first i.
  std::vector<uint32_t> outside_before(n + 1, 0);
  // path[d]: the node at depth d on the current path (depth-first order
  // visits each node after its parent).
  std::vector<uint32_t> path(1, 0);
  // Code points begun on the path to each node (slice nodes only), and the
  // slice tokens by that count.
  std::vector<uint32_t> chars(n, 0);
  std::vector<uint32_t> parent_of(n, 0);
  std::vector<std::vector<TokenId>> tokens_of_chars(1);
  for (uint32_t i = 1; i < n; ++i) {
    const TrieNode& node = nodes[i];
    path.resize(node.depth + 1);
    path[node.depth] = i;
    const uint32_t parent_node = path[node.depth - 1];
    parent_of[i] = parent_node;
    const uint8_t parent = state_[parent_node];
    state_[i] = parent == kReject ? kReject : next(parent, node.byte);
    if (state_[i] != kReject) {
      chars[i] = chars[parent_node] + (parent == kBoundary ? 1 : 0);
      if (tokens_of_chars.size() <= chars[i]) tokens_of_chars.resize(chars[i] + 1);
      for (uint32_t t = node.token_begin; t < node.token_end; ++t) {
        words_[ids[t] >> 5] |= uint32_t{1} << (ids[t] & 31);
        tokens_.push_back(ids[t]);
        tokens_of_chars[chars[i]].push_back(ids[t]);
      }
    }
    tokens_before_[i + 1] = static_cast<uint32_t>(tokens_.size());
    outside_before[i + 1] = outside_before[i] + (state_[i] == kReject ? 1 : 0);
  }
  // Children come after their parents, so a backward pass has each
  // node's summary complete before it is added to its parent's.
  bytes_below_.assign(n, 0);
  for (uint32_t i = n; i-- > 1;) {
    const bool slice_tokens_here = tokens_before_[nodes[i].subtree_end] > tokens_before_[i];
    if (state_[i] == kReject || !slice_tokens_here) continue;
    bytes_below_[parent_of[i]] |= byte_bit(nodes[i].byte) | bytes_below_[i];
  }
  chars_end_.push_back(0);
  for (const std::vector<TokenId>& group : tokens_of_chars) {
    by_chars_.insert(by_chars_.end(), group.begin(), group.end());
    chars_end_.push_back(static_cast<uint32_t>(by_chars_.size()));
  }
  chars_end_.erase(chars_end_.begin());
  // A node is in the rest trie when it is outside the slice or has a
  // descendant outside it (the root always is).
  auto kept = [&](uint32_t i) {
    return i == 0 || state_[i] == kReject || outside_before[nodes[i].subtree_end] - outside_before[i + 1] > 0;
  };
  std::vector<uint32_t> kept_before(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) kept_before[i + 1] = kept_before[i] + (kept(i) ? 1 : 0);
  rest_position_.assign(n, kNotInRest);
  for (uint32_t i = 0; i < n; ++i) {
    if (!kept(i)) continue;
    rest_position_[i] = static_cast<uint32_t>(rest_nodes_.size());
    rest_nodes_.push_back(i);
    rest_end_.push_back(kept_before[nodes[i].subtree_end]);
  }
}

}  // namespace sluice::vocab
