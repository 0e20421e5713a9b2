// Implements vocab/token_trie.h. Tested in tests/vocab/token_trie_test.cc.
#include "vocab/token_trie.h"

#include <algorithm>
#include <array>
#include <bit>

namespace sluice::vocab {

TokenTrie::TokenTrie(const std::vector<std::string_view>& tokens, const std::vector<bool>& include) {
  // Sorted by bytes, then id. Each key carries the token's first eight
  // bytes as a big-endian integer (zero-padded), whose order is the bytes'
  // order except between tokens that share it; those are sorted by their
  // whole bytes. Keys also carry the bytes' view, so the walk below reads
  // them in order instead of looking each id up at random.
  struct Key {
    uint64_t prefix;
    std::string_view bytes;
    TokenId id;
  };
  std::vector<Key> keys;
  keys.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!include[i] || tokens[i].empty() || tokens[i].size() > 0xFFFF) continue;
    uint64_t prefix = 0;
    for (size_t k = 0; k < 8; ++k) {
      prefix = prefix << 8 | (k < tokens[i].size() ? static_cast<uint8_t>(tokens[i][k]) : 0);
    }
    keys.push_back({prefix, tokens[i], static_cast<TokenId>(i)});
  }
  // A stable LSD radix sort on the prefix (keys start in id order), then
  // each run of equal prefixes by its whole bytes: comparison sorting the
  // keys was a third of building the trie.
  {
    std::vector<Key> sorted(keys.size());
    for (unsigned shift = 0; shift < 64; shift += 8) {
      std::array<size_t, 257> start{};
      for (const Key& k : keys) ++start[(k.prefix >> shift & 0xFF) + 1];
      if (std::find(start.begin(), start.end(), keys.size()) != start.end()) continue;  // one bucket
      for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
      for (const Key& k : keys) sorted[start[k.prefix >> shift & 0xFF]++] = k;
      keys.swap(sorted);
    }
  }
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && keys[j].prefix == keys[i].prefix) ++j;
    if (j - i > 1) {
      std::sort(keys.begin() + static_cast<std::ptrdiff_t>(i), keys.begin() + static_cast<std::ptrdiff_t>(j),
                [](const Key& a, const Key& b) {
                  int c = a.bytes.compare(b.bytes);
                  return c != 0 ? c < 0 : a.id < b.id;
                });
    }
    i = j;
  }

  // The byte at d of key k: from the prefix for the first eight, which
  // spares most tokens a read of their bytes (a cache miss each, as sorted
  // order visits them at random).
  auto byte_at = [](const Key& k, size_t d) {
    return d < 8 ? static_cast<uint8_t>(k.prefix >> (56 - 8 * d)) : static_cast<uint8_t>(k.bytes[d]);
  };
  // One node per byte of each token past what it shares with the token
  // before it in sorted order.
  std::vector<uint16_t> common(keys.size(), 0);
  size_t node_count = 1;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string_view bytes = keys[i].bytes;
    if (i > 0) {
      const Key& previous = keys[i - 1];
      const uint64_t diff = previous.prefix ^ keys[i].prefix;
      size_t c = diff == 0 ? 8 : static_cast<size_t>(std::countl_zero(diff)) / 8;
      c = std::min({c, bytes.size(), previous.bytes.size()});
      if (c == 8) {
        while (c < previous.bytes.size() && c < bytes.size() && previous.bytes[c] == bytes[c]) ++c;
      }
      common[i] = static_cast<uint16_t>(c);
    }
    node_count += bytes.size() - common[i];
  }

  node_of_token_.assign(tokens.size(), 0);
  nodes_.clear();
  nodes_.reserve(node_count);
  token_ids_.reserve(keys.size());
  nodes_.push_back(TrieNode{});
  // path[d] is the node for the first d+1 bytes of the previous token.
  std::vector<uint32_t> path;
  for (size_t i = 0; i < keys.size(); ++i) {
    const TokenId id = keys[i].id;
    std::string_view bytes = keys[i].bytes;
    const size_t shared = common[i];
    if (i > 0 && shared == bytes.size() && shared == keys[i - 1].bytes.size()) {
      // Same bytes as the previous token: it joins that node.
      TrieNode& node = nodes_[path.back()];
      token_ids_.push_back(id);
      node.token_end = static_cast<uint32_t>(token_ids_.size());
      node_of_token_[id] = path.back();
      continue;
    }
    for (size_t d = path.size(); d > shared; --d) nodes_[path[d - 1]].subtree_end = static_cast<uint32_t>(nodes_.size());
    path.resize(shared);
    for (size_t d = shared; d < bytes.size(); ++d) {
      TrieNode node;
      node.depth = static_cast<uint16_t>(d + 1);
      node.byte = byte_at(keys[i], d);
      node.token_begin = node.token_end = static_cast<uint32_t>(token_ids_.size());
      path.push_back(static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(node);
    }
    TrieNode& last = nodes_[path.back()];
    token_ids_.push_back(id);
    last.token_begin = static_cast<uint32_t>(token_ids_.size() - 1);
    last.token_end = static_cast<uint32_t>(token_ids_.size());
    node_of_token_[id] = path.back();
  }
  for (uint32_t node : path) nodes_[node].subtree_end = static_cast<uint32_t>(nodes_.size());
  nodes_[0].subtree_end = static_cast<uint32_t>(nodes_.size());
  // Bottom-up: children follow their parent, siblings chain by subtree_end.
  subtree_depth_.assign(nodes_.size(), 0);
  for (size_t i = nodes_.size(); i-- > 0;) {
    uint16_t deepest = nodes_[i].depth;
    for (uint32_t c = static_cast<uint32_t>(i) + 1; c < nodes_[i].subtree_end; c = nodes_[c].subtree_end) {
      deepest = std::max(deepest, subtree_depth_[c]);
    }
    subtree_depth_[i] = deepest;
  }
  // Token nodes by depth, longest first (a counting sort), each depth's
  // nodes in trie order.
  size_t max_depth = 0;
  for (const TrieNode& n : nodes_) max_depth = std::max<size_t>(max_depth, n.depth);
  longer_than_.assign(max_depth + 2, 0);
  for (const TrieNode& n : nodes_) {
    if (n.token_begin != n.token_end) ++longer_than_[n.depth];
  }
  // longer_than_[d] becomes the number of token nodes deeper than d.
  size_t deeper = 0;
  for (size_t d = max_depth + 1; d-- > 0;) {
    const size_t here = longer_than_[d];
    longer_than_[d] = static_cast<uint32_t>(deeper);
    deeper += here;
  }
  by_length_.assign(deeper, 0);
  std::vector<uint32_t> fill(max_depth + 2, 0);
  for (size_t d = 0; d <= max_depth; ++d) fill[d] = longer_than_[d];
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].token_begin != nodes_[i].token_end) by_length_[fill[nodes_[i].depth]++] = i;
  }
}

std::span<const uint32_t> TokenTrie::nodes_longer_than(size_t bytes) const {
  if (bytes + 1 >= longer_than_.size()) return {};
  return std::span<const uint32_t>(by_length_).first(longer_than_[bytes]);
}

}  // namespace sluice::vocab
