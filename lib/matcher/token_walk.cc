// Implements matcher/token_walk.h.
#include "matcher/token_walk.h"

#include <algorithm>

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
}

uint32_t TokenWalker::intern(const Config& config) {
  if (configs_.empty()) {
    configs_.push_back(Config{});
    index_.emplace(Config{}, kDead);
    transitions_.assign(256, -1);
  }
  auto it = index_.find(config);
  if (it != index_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(configs_.size());
  configs_.push_back(config);
  index_.emplace(config, id);
  transitions_.resize(transitions_.size() + 256, -1);
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

bool TokenWalker::classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                               std::vector<uint32_t>& uncertain) {
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  if (memo_full()) clear_memo();
  level(vocabulary_.max_token_bytes() + 1);
  Config sorted = start;
  std::sort(sorted.nodes.begin(), sorted.nodes.end());
  level_config_[0] = intern(sorted);
  level_uncertain_[0] = start.popped;
  uint32_t i = 1;
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  while (i < n) {
    const vocab::TrieNode& node = nodes[i];
    const size_t d = node.depth;
    uint32_t packed = 0;
    if (!transition(stepper, level_config_[d - 1], node.byte, &packed)) return false;
    const bool consumed = packed & 1;
    const uint32_t next = packed >> 1;
    const bool parent_uncertain = level_uncertain_[d - 1];
    if (consumed) {
      for (uint32_t t = node.token_begin; t < node.token_end; ++t) accepted.push_back(ids[t]);
    } else if (parent_uncertain && node.token_begin != node.token_end) {
      uncertain.push_back(i);
    }
    if (node.subtree_end == i + 1) {
      ++i;
      continue;
    }
    const Config& here = configs_[next];
    const bool here_uncertain = parent_uncertain || here.popped;
    if (here.empty()) {
      // The whole subtree below is decided here.
      if (here_uncertain) {
        for (uint32_t j = i + 1; j < node.subtree_end; ++j) {
          if (nodes[j].token_begin != nodes[j].token_end) uncertain.push_back(j);
        }
      }
      i = node.subtree_end;
      continue;
    }
    level_config_[d] = next;
    level_uncertain_[d] = here_uncertain;
    ++i;
  }
  return true;
}

bool TokenWalker::classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& list,
                                std::vector<TokenClass>& out) {
  // The same walk as classify_all, but only down the paths to listed nodes:
  // a subtree holding none is skipped whole, and so is every listed node
  // under a prefix that dies (they share its verdict).
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  out.assign(list.size(), TokenClass::kRejected);
  if (list.empty()) return true;
  if (memo_full()) clear_memo();
  level(vocabulary_.max_token_bytes() + 1);
  Config sorted = start;
  std::sort(sorted.nodes.begin(), sorted.nodes.end());
  level_config_[0] = intern(sorted);
  level_uncertain_[0] = start.popped;
  size_t k = 0;
  uint32_t i = 1;
  const size_t count = list.size();
  while (k < count) {
    const vocab::TrieNode& node = nodes[i];
    if (list[k] >= node.subtree_end) {
      i = node.subtree_end;
      continue;
    }
    const size_t d = node.depth;
    uint32_t packed = 0;
    if (!transition(stepper, level_config_[d - 1], node.byte, &packed)) return false;
    const bool parent_uncertain = level_uncertain_[d - 1];
    if (list[k] == i) {
      if (packed & 1) {
        out[k] = TokenClass::kAccepted;
      } else if (parent_uncertain) {
        out[k] = TokenClass::kUncertain;
      }
      ++k;
    }
    const Config& here = configs_[packed >> 1];
    const bool here_uncertain = parent_uncertain || here.popped;
    if (here.empty()) {
      const TokenClass verdict = here_uncertain ? TokenClass::kUncertain : TokenClass::kRejected;
      while (k < count && list[k] < node.subtree_end) out[k++] = verdict;
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
