// Implements matcher/token_walk.h.
#include "matcher/token_walk.h"

#include <algorithm>

#include "vocab/text_slice.h"
#include "vocab/token_trie.h"

namespace sluice::matcher {

size_t TokenWalker::Hash::operator()(const Config& c) const {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (c.accepting ? 1 : 0) ^ (c.popped ? 2 : 0);
  for (NodeId n : c.nodes) {
    h ^= n;
    h *= 0x100000001b3ULL;
    h ^= h >> 31;
  }
  return static_cast<size_t>(h);
}

void TokenWalker::clear_memo() {
  ++generation_;
  configs_.clear();
  index_.clear();
  transitions_.clear();
  slice_verdicts_.clear();
}

uint32_t TokenWalker::intern(const Config& config) {
  if (configs_.empty()) {
    configs_.push_back(Config{});
    index_.emplace(Config{}, kDead);
    transitions_.assign(256, -1);
    slice_verdicts_.assign(vocab::TextSlice::kStates, kUnknownVerdict);
  }
  auto it = index_.find(config);
  if (it != index_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(configs_.size());
  configs_.push_back(config);
  index_.emplace(config, id);
  transitions_.resize(transitions_.size() + 256, -1);
  slice_verdicts_.resize(slice_verdicts_.size() + vocab::TextSlice::kStates, kUnknownVerdict);
  return id;
}

bool TokenWalker::compute_transition(Stepper& stepper, uint32_t from, uint8_t byte, uint32_t* packed) {
  stepper.step_raw(configs_[from], byte, raw_);
  uint32_t next = kDead;
  bool consumed = !raw_.empty();
  if (consumed) {
    if (!stepper.expand(raw_, scratch_)) return false;
    std::sort(scratch_.nodes.begin(), scratch_.nodes.end());
    next = intern(scratch_);
  }
  *packed = next << 1 | (consumed ? 1 : 0);
  transitions_[size_t{from} * 256 + byte] = static_cast<int32_t>(*packed);
  return true;
}

void TokenWalker::level(size_t depth) {
  if (level_config_.size() <= depth) {
    level_config_.resize(depth + 1, kDead);
    level_uncertain_.resize(depth + 1, 0);
  }
}

bool TokenWalker::absorbs_text_slice(Stepper& stepper, uint32_t config, uint8_t slice_state, bool* ok) {
  using vocab::TextSlice;
  *ok = true;
  auto verdict = [&](uint64_t pair) -> uint8_t& {
    return slice_verdicts_[(pair >> 8) * TextSlice::kStates + (pair & 0xFF)];
  };
  const uint64_t root = uint64_t{config} << 8 | slice_state;
  if (verdict(root) != kUnknownVerdict) return verdict(root) == kAbsorbs;
  // The pairs (configuration, slice state) that absorb form the greatest
  // set closed under the slice's bytes in which every byte is consumed. A
  // depth-first search with Tarjan's strongly connected components decides
  // each pair once: a component absorbs when all its pairs' successors do.
  // Any refusal ends the search and every pair on the search path refuses
  // (it reaches the refusal); finished components all absorb.
  std::vector<SliceVisit>& path = slice_path_;
  std::vector<uint64_t>& components = slice_components_;
  auto& index_of = slice_index_;
  path.clear();
  components.clear();
  index_of.clear();
  auto refuse = [&]() {
    for (const SliceVisit& v : path) verdict(v.pair) = kRefuses;
    return false;
  };
  auto enter = [&](uint64_t pair) {
    const uint32_t index = static_cast<uint32_t>(index_of.size());
    index_of.emplace(pair, index);
    path.push_back({pair, index, index, 0});
    components.push_back(pair);
  };
  enter(root);
  while (!path.empty()) {
    const uint64_t pair = path.back().pair;
    const uint8_t state = static_cast<uint8_t>(pair & 0xFF);
    bool descended = false;
    while (path.back().byte < 256 && !descended) {
      const unsigned byte = path.back().byte++;
      const uint8_t next_state = TextSlice::next(state, static_cast<uint8_t>(byte));
      if (next_state == TextSlice::kReject) continue;
      uint32_t packed = 0;
      if (!transition(stepper, static_cast<uint32_t>(pair >> 8), static_cast<uint8_t>(byte), &packed)) {
        *ok = false;
        return false;
      }
      if (!(packed & 1)) return refuse();
      const uint64_t next = uint64_t{packed >> 1} << 8 | next_state;
      // transition() may have grown the verdicts: look them up afresh.
      const uint8_t known = verdict(next);
      if (known == kRefuses) return refuse();
      if (known == kAbsorbs) continue;
      auto found = index_of.find(next);
      if (found == index_of.end()) {
        if (index_of.size() == kMaxSlicePairs) return refuse();
        enter(next);
        descended = true;
      } else {
        // Seen in this search and not finished: on the component stack.
        path.back().low = std::min(path.back().low, found->second);
      }
    }
    if (descended) continue;
    const SliceVisit done = path.back();
    path.pop_back();
    if (done.low == done.index) {
      while (true) {
        const uint64_t member = components.back();
        components.pop_back();
        verdict(member) = kAbsorbs;
        if (member == done.pair) break;
      }
    }
    if (!path.empty()) path.back().low = std::min(path.back().low, done.low);
  }
  return true;
}

bool TokenWalker::classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                               std::vector<uint32_t>& uncertain, bool* slice_accepted) {
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const vocab::TextSlice& slice = vocabulary_.text_slice();
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  const auto& rest = slice.rest_nodes();
  const auto& rest_end = slice.rest_end();
  if (memo_full()) clear_memo();
  level(vocabulary_.max_token_bytes() + 1);
  Config sorted = start;
  std::sort(sorted.nodes.begin(), sorted.nodes.end());
  level_config_[0] = intern(sorted);
  level_uncertain_[0] = start.popped;
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  // Below a node whose configuration absorbs the text slice, every slice
  // token is accepted at once and the walk goes on over the rest trie only,
  // up to rest_until (that node's subtree end).
  uint32_t rest_until = 0;
  // The next node to visit after i: its first child, or (skip) the node
  // after its subtree.
  auto next_node = [&](uint32_t i, bool skip) -> uint32_t {
    if (i >= rest_until) return skip ? nodes[i].subtree_end : i + 1;
    const uint32_t p = slice.rest_position(i);
    const uint32_t q = skip ? rest_end[p] : p + 1;
    return std::min(q < rest.size() ? rest[q] : n, rest_until);
  };
  bool ok = true;
  *slice_accepted = absorbs_text_slice(stepper, level_config_[0], 0, &ok);
  if (!ok) return false;
  if (*slice_accepted) rest_until = n;
  uint32_t i = next_node(0, false);
  while (i < n) {
    const vocab::TrieNode& node = nodes[i];
    const size_t d = node.depth;
    uint32_t packed = 0;
    if (!transition(stepper, level_config_[d - 1], node.byte, &packed)) return false;
    const bool consumed = packed & 1;
    const uint32_t next = packed >> 1;
    const bool parent_uncertain = level_uncertain_[d - 1];
    const bool in_rest = i < rest_until;
    const uint8_t slice_state = slice.state(i);
    if (!in_rest || slice_state == vocab::TextSlice::kReject) {
      if (consumed) {
        for (uint32_t t = node.token_begin; t < node.token_end; ++t) accepted.push_back(ids[t]);
      } else if (parent_uncertain && node.token_begin != node.token_end) {
        uncertain.push_back(i);
      }
    }
    if (node.subtree_end == i + 1) {
      i = next_node(i, true);
      continue;
    }
    const Config& here = configs_[next];
    const bool here_uncertain = parent_uncertain || here.popped;
    if (here.empty()) {
      // The whole subtree below is decided here (its slice tokens too,
      // unless they were accepted already).
      if (here_uncertain) {
        for (uint32_t j = i + 1; j < node.subtree_end; ++j) {
          if (nodes[j].token_begin == nodes[j].token_end) continue;
          if (in_rest && slice.state(j) != vocab::TextSlice::kReject) continue;
          uncertain.push_back(j);
        }
      }
      i = next_node(i, true);
      continue;
    }
    level_config_[d] = next;
    level_uncertain_[d] = here_uncertain;
    if (!in_rest && slice_state != vocab::TextSlice::kReject) {
      if (!absorbs_text_slice(stepper, next, slice_state, &ok)) {
        if (!ok) return false;
      } else {
        for (TokenId id : slice.tokens_between(i + 1, node.subtree_end)) accepted.push_back(id);
        rest_until = node.subtree_end;
        if (slice.rest_position(i) == vocab::TextSlice::kNotInRest) {
          i = node.subtree_end;
          continue;
        }
      }
    }
    i = next_node(i, false);
  }
  return true;
}

bool TokenWalker::classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& list,
                                std::vector<uint32_t>& accepted, std::vector<uint32_t>& uncertain) {
  // The same walk as classify_all, but only down the paths to listed nodes:
  // a subtree holding none is skipped whole, and so is every listed node
  // under a prefix that dies (they share its verdict). Rejected nodes are
  // never touched one by one: lists run to tens of thousands of nodes (all
  // the tokens that start with a space, say) and most die together.
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  if (list.empty()) return true;
  if (memo_full()) clear_memo();
  level(vocabulary_.max_token_bytes() + 1);
  Config sorted = start;
  std::sort(sorted.nodes.begin(), sorted.nodes.end());
  level_config_[0] = intern(sorted);
  level_uncertain_[0] = start.popped;
  auto k = list.begin();
  uint32_t i = 1;
  while (k != list.end()) {
    const vocab::TrieNode& node = nodes[i];
    if (*k >= node.subtree_end) {
      i = node.subtree_end;
      continue;
    }
    const size_t d = node.depth;
    uint32_t packed = 0;
    if (!transition(stepper, level_config_[d - 1], node.byte, &packed)) return false;
    const bool parent_uncertain = level_uncertain_[d - 1];
    if (*k == i) {
      if (packed & 1) {
        accepted.push_back(i);
      } else if (parent_uncertain) {
        uncertain.push_back(i);
      }
      ++k;
    }
    const Config& here = configs_[packed >> 1];
    const bool here_uncertain = parent_uncertain || here.popped;
    if (here.empty()) {
      auto past = std::lower_bound(k, list.end(), node.subtree_end);
      if (here_uncertain) uncertain.insert(uncertain.end(), k, past);
      k = past;
      i = node.subtree_end;
      continue;
    }
    level_config_[d] = packed >> 1;
    level_uncertain_[d] = here_uncertain;
    ++i;
  }
  return true;
}

}  // namespace sluice::matcher
