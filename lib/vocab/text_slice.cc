// Implements vocab/text_slice.h. Tested in tests/vocab/text_slice_test.cc.
#include "vocab/text_slice.h"

#include "vocab/token_trie.h"

namespace sluice::vocab {

namespace {
// The states of TextSlice::next (plain constants: they meet kReject in
// conditional expressions).
constexpr uint8_t kBoundary = 0;
constexpr uint8_t kOneMore = 1;    // one continuation byte 80-BF to go
constexpr uint8_t kTwoMore = 2;    // two
constexpr uint8_t kThreeMore = 3;  // three
constexpr uint8_t kAfterE0 = 4;    // A0-BF (no overlong form), then one more
constexpr uint8_t kAfterED = 5;    // 80-9F (no surrogate), then one more
constexpr uint8_t kAfterF0 = 6;    // 90-BF (no overlong form), then two more
constexpr uint8_t kAfterF4 = 7;    // 80-8F (nothing past U+10FFFF), then two more
}  // namespace

uint8_t TextSlice::next(uint8_t state, uint8_t byte) {
  const bool continuation = byte >= 0x80 && byte <= 0xBF;
  switch (state) {
    case kBoundary:
      if (byte < 0x20 || byte == '"' || byte == '\\') return kReject;
      if (byte < 0x80) return kBoundary;
      if (byte >= 0xC2 && byte <= 0xDF) return kOneMore;
      if (byte == 0xE0) return kAfterE0;
      if (byte == 0xED) return kAfterED;
      if (byte >= 0xE1 && byte <= 0xEF) return kTwoMore;
      if (byte == 0xF0) return kAfterF0;
      if (byte >= 0xF1 && byte <= 0xF3) return kThreeMore;
      if (byte == 0xF4) return kAfterF4;
      return kReject;
    case kOneMore:
      return continuation ? kBoundary : kReject;
    case kTwoMore:
      return continuation ? kOneMore : kReject;
    case kThreeMore:
      return continuation ? kTwoMore : kReject;
    case kAfterE0:
      return byte >= 0xA0 && byte <= 0xBF ? kOneMore : kReject;
    case kAfterED:
      return byte >= 0x80 && byte <= 0x9F ? kOneMore : kReject;
    case kAfterF0:
      return byte >= 0x90 && byte <= 0xBF ? kTwoMore : kReject;
    case kAfterF4:
      return byte >= 0x80 && byte <= 0x8F ? kTwoMore : kReject;
    default:
      return kReject;
  }
}

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
  for (uint32_t i = 1; i < n; ++i) {
    const TrieNode& node = nodes[i];
    path.resize(node.depth + 1);
    path[node.depth] = i;
    const uint8_t parent = state_[path[node.depth - 1]];
    state_[i] = parent == kReject ? kReject : next(parent, node.byte);
    if (state_[i] != kReject) {
      for (uint32_t t = node.token_begin; t < node.token_end; ++t) {
        words_[ids[t] >> 5] |= uint32_t{1} << (ids[t] & 31);
        tokens_.push_back(ids[t]);
      }
    }
    tokens_before_[i + 1] = static_cast<uint32_t>(tokens_.size());
    outside_before[i + 1] = outside_before[i] + (state_[i] == kReject ? 1 : 0);
  }
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
