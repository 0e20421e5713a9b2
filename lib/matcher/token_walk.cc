// Implements matcher/token_walk.h.
#include "matcher/token_walk.h"

#include <algorithm>

#include "vocab/token_trie.h"

namespace sluice::matcher {

bool TokenWalker::classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                               std::vector<uint32_t>& uncertain) {
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  // Sized once, so references into levels_ stay valid below.
  level(vocabulary_.max_token_bytes() + 1);
  Level& root = level(0);
  root.config = start;
  root.uncertain = start.popped;
  uint32_t i = 1;
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  while (i < n) {
    const vocab::TrieNode& node = nodes[i];
    const size_t d = node.depth;
    Level& parent = level(d - 1);
    stepper.step_raw(parent.config, node.byte, raw_);
    const bool parent_uncertain = parent.uncertain;
    if (!raw_.empty()) {
      for (uint32_t t = node.token_begin; t < node.token_end; ++t) accepted.push_back(ids[t]);
    } else if (parent_uncertain && node.token_begin != node.token_end) {
      uncertain.push_back(i);
    }
    if (node.subtree_end == i + 1) {
      ++i;
      continue;
    }
    Level& here = level(d);
    bool alive = false;
    bool here_uncertain = parent_uncertain;
    if (!raw_.empty()) {
      if (!stepper.expand(raw_, here.config)) return false;
      here_uncertain = here_uncertain || here.config.popped;
      alive = !here.config.empty();
    }
    if (!alive) {
      // The whole subtree below is decided here.
      if (here_uncertain) {
        for (uint32_t j = i + 1; j < node.subtree_end; ++j) {
          if (nodes[j].token_begin != nodes[j].token_end) uncertain.push_back(j);
        }
      }
      i = node.subtree_end;
      continue;
    }
    here.uncertain = here_uncertain;
    ++i;
  }
  return true;
}

bool TokenWalker::classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& list,
                                std::vector<TokenClass>& out) {
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  out.assign(list.size(), TokenClass::kRejected);
  level(vocabulary_.max_token_bytes() + 1);
  Level& root = level(0);
  root.config = start;
  root.uncertain = start.popped;
  // levels_[0..valid] hold the expansions along `previous`.
  std::string_view previous;
  size_t valid = 0;
  for (size_t k = 0; k < list.size(); ++k) {
    const vocab::TrieNode& node = nodes[list[k]];
    std::string_view bytes = vocabulary_.token_bytes(ids[node.token_begin]);
    size_t common = 0;
    const size_t limit = std::min({previous.size(), bytes.size() - 1, valid});
    while (common < limit && previous[common] == bytes[common]) ++common;
    valid = common;
    previous = bytes;
    bool dead = false;
    for (size_t d = common; d + 1 < bytes.size(); ++d) {
      Level& from = level(d);
      stepper.step_raw(from.config, static_cast<uint8_t>(bytes[d]), raw_);
      Level& to = level(d + 1);
      if (!stepper.expand(raw_, to.config)) return false;
      to.uncertain = from.uncertain || to.config.popped;
      valid = d + 1;
      if (to.config.empty()) {
        dead = true;
        break;
      }
    }
    if (dead) {
      out[k] = levels_[valid].uncertain ? TokenClass::kUncertain : TokenClass::kRejected;
      continue;
    }
    Level& last = level(bytes.size() - 1);
    stepper.step_raw(last.config, static_cast<uint8_t>(bytes.back()), raw_);
    if (!raw_.empty()) {
      out[k] = TokenClass::kAccepted;
    } else if (last.uncertain) {
      out[k] = TokenClass::kUncertain;
    }
  }
  return true;
}

}  // namespace sluice::matcher
