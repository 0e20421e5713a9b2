// Implements matcher/token_walk.h.
#include "matcher/token_walk.h"

#include <algorithm>
#include <bit>

#include "vocab/text_slice.h"
#include "vocab/token_trie.h"

namespace sluice::matcher {

uint64_t TokenWalker::hash(const Config& c) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (c.accepting ? 1 : 0) ^ (c.popped ? 2 : 0);
  for (NodeId n : c.nodes) {
    h ^= n;
    h *= 0x100000001b3ULL;
    h ^= h >> 31;
  }
  return h;
}

void TokenWalker::clear_memo() {
  ++generation_;
  config_count_ = 0;
  std::fill(slots_.begin(), slots_.end(), 0);
}

size_t TokenWalker::find_slot(const Config& config, uint64_t h) const {
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const uint32_t entry = slots_[s];
    if (entry == 0) return s;
    if (hashes_[entry - 1] == h && same(configs_[entry - 1], config)) return s;
  }
}

void TokenWalker::grow_slots() {
  // Kept at most half full, so probes stay short.
  slots_.assign(std::max<size_t>(64, slots_.size() * 2), 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t id = 0; id < config_count_; ++id) {
    size_t s = hashes_[id] & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = id + 1;
  }
}

uint32_t TokenWalker::intern(const Config& config) {
  // The empty configuration is always kDead.
  if (config_count_ == 0 && !same(config, Config{})) intern(Config{});
  if (2 * (size_t{config_count_} + 1) > slots_.size()) grow_slots();
  const uint64_t h = hash(config);
  const size_t slot = find_slot(config, h);
  if (slots_[slot] != 0) return slots_[slot] - 1;
  const uint32_t id = config_count_++;
  if (id < configs_.size()) {
    // Reuses the dropped configuration's node buffer.
    configs_[id].nodes.assign(config.nodes.begin(), config.nodes.end());
    configs_[id].accepting = config.accepting;
    configs_[id].popped = config.popped;
    hashes_[id] = h;
  } else {
    configs_.push_back(config);
    hashes_.push_back(h);
  }
  slots_[slot] = id + 1;
  if (id / kBlockConfigs >= blocks_.size()) {
    // Left uninitialised (each row is set when its configuration comes):
    // zeroing a block would touch all its pages on a matcher's first step.
    blocks_.emplace_back(new int32_t[size_t{kBlockConfigs} * 256]);
  }
  std::fill(row(id), row(id) + 256, -1);
  // Only the known bits are reset: a configuration's entries are written
  // before they are read. A walker that never asks (the matcher's accept
  // path) never sizes them.
  if (id < absorption_known_.size()) absorption_known_[id] = 0;
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
  row(from)[byte] = static_cast<int32_t>(*packed);
  if (!consumed) mark_dead_bytes(stepper, from);
  return true;
}

void TokenWalker::mark_dead_bytes(Stepper& stepper, uint32_t config) {
  // A trie walk that met one dead byte here is branching here, and will
  // ask for many more: every byte no top state has an edge for is dead,
  // which a scan of the edges settles at once.
  std::array<bool, 256> live{};
  const automaton::Automaton& automaton = stepper.automaton();
  for (NodeId id : configs_[config].nodes) {
    const automaton::State& st = automaton.states[stepper.arena()[id].state];
    for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
      const automaton::ByteEdge& e = automaton.byte_edges[k];
      std::fill(live.begin() + e.lo, live.begin() + e.hi + 1, true);
    }
  }
  int32_t* transitions = row(config);
  for (unsigned b = 0; b < 256; ++b) {
    if (!live[b]) transitions[b] = 0;
  }
}

void TokenWalker::level(size_t depth) {
  if (level_config_.size() <= depth) {
    level_config_.resize(depth + 1, kDead);
    level_uncertain_.resize(depth + 1, 0);
    level_pops_.resize(depth + 1, kNoPop);
  }
}

const TokenWalker::Absorption& TokenWalker::absorption(Stepper& stepper, uint32_t config, uint8_t slice_state,
                                                        bool with_except) {
  // Asked at every trie node a walk enters: the memo makes it two loads.
  if (config >= absorption_known_.size()) {
    // Zeroed on growth, in steps that keep the growth rare.
    absorption_known_.resize(std::max<size_t>(64, std::max<size_t>(config + 1, 2 * absorption_known_.size())));
    absorption_.resize(absorption_known_.size() * vocab::TextSlice::kStates);
  }
  Absorption& entry = absorption_[size_t{config} * vocab::TextSlice::kStates + slice_state];
  uint32_t& known = absorption_known_[config];
  const uint32_t bytes_bit = uint32_t{1} << slice_state;
  const uint32_t except_bit = bytes_bit << vocab::TextSlice::kStates;
  if (!(known & bytes_bit) || (with_except && !(known & except_bit))) {
    compute_absorption(stepper, config, slice_state, with_except, entry);
    known |= bytes_bit | (with_except ? except_bit : 0);
  }
  return entry;
}

void TokenWalker::compute_absorption(Stepper& stepper, uint32_t config, uint8_t slice_state, bool with_except,
                                     Absorption& result) {
  // One stack whose top takes every slice string is enough: the
  // configuration goes on holding it, whatever the other stacks do. So is
  // one that takes every slice string without some bytes, for the tokens
  // without them; of several such stacks the one leaving out fewest bytes
  // is kept (two of them do not add up: a token may hold a byte each
  // leaves out).
  result = {kNoneExcepted, 0, 0};
  if (!slice_absorption_) return;
  const Arena& arena = stepper.arena();
  const automaton::Automaton& automaton = stepper.automaton();
  const size_t max_bytes = vocabulary_.max_token_bytes();
  const Absorption whole{0, kAbsorbedAll, kAbsorbedAll};
  auto keep_fewest = [&](const SliceAbsorption::Except* except, uint32_t bytes) {
    if (!except) return;
    const int fewer = std::popcount(result.except_bits) - std::popcount(except->bits);
    if (result.except_bits == kNoneExcepted || fewer > 0 || (fewer == 0 && bytes > result.except_bytes)) {
      result.except_bits = except->bits;
      result.except_bytes = bytes;
    }
  };
  for (NodeId id : configs_[config].nodes) {
    const Node& node = arena[id];
    if (slice_absorption_->absorbs(node.state, slice_state)) {
      result = whole;
      return;
    }
    if (with_except) keep_fewest(slice_absorption_->absorbs_except(node.state, slice_state), kAbsorbedAll);
    // The body of a counter loop goes on for as many bytes as the loop has
    // runs left (each run takes one byte at least).
    if (node.parent == kRoot || node.parent == kUnknown) continue;
    const Node& loop = arena[node.parent];
    const automaton::State& loop_state = automaton.states[loop.state];
    if (!loop_state.loop || automaton.rules[loop_state.rule].loop_body != automaton.states[node.state].rule) continue;
    const size_t runs = loop.rem == kUnbounded ? kAllBytes : loop.rem;
    const uint32_t run_bytes = runs >= kAbsorbedAll ? kAbsorbedAll : static_cast<uint32_t>(runs);
    if (run_bytes > result.bytes && slice_absorption_->absorbs(node.state, slice_state, true)) result.bytes = run_bytes;
    if (with_except && runs >= kMinBoundedBytes) {
      keep_fewest(slice_absorption_->absorbs_except(node.state, slice_state, true), run_bytes);
    }
  }
  if (result.bytes >= max_bytes) result = whole;
}

size_t TokenWalker::absorbed_bytes(Stepper& stepper, uint32_t config, uint8_t slice_state) {
  const uint32_t bytes = absorption(stepper, config, slice_state, false).bytes;
  return bytes == kAbsorbedAll ? kAllBytes : bytes;
}

uint32_t TokenWalker::intern_start(const Config& start) {
  if (memo_full()) clear_memo();
  Config sorted = start;
  std::sort(sorted.nodes.begin(), sorted.nodes.end());
  return intern(sorted);
}

size_t TokenWalker::absorbed_bytes(Stepper& stepper, const Config& start) {
  return absorbed_bytes(stepper, intern_start(start), 0);
}

bool TokenWalker::absorbs_except(Stepper& stepper, const Config& start) {
  return absorption(stepper, intern_start(start), 0, true).except_bits != kNoneExcepted;
}

bool TokenWalker::classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                               std::vector<uint32_t>& uncertain, bool* slice_accepted,
                               const std::array<bool, 256>* first_bytes, std::vector<uint8_t>* uncertain_pops) {
  return classify(stepper, start, accepted, uncertain, slice_accepted, first_bytes, false, uncertain_pops);
}

bool TokenWalker::classify_rest(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                                std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops) {
  bool slice_accepted = false;
  return classify(stepper, start, accepted, uncertain, &slice_accepted, nullptr, true, uncertain_pops);
}

bool TokenWalker::classify(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                           std::vector<uint32_t>& uncertain, bool* slice_accepted,
                           const std::array<bool, 256>* first_bytes, bool rest_only,
                           std::vector<uint8_t>* uncertain_pops) {
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const vocab::TextSlice& slice = vocabulary_.text_slice();
  const auto& nodes = trie.nodes();
  const auto& ids = trie.token_ids();
  const auto& rest = slice.rest_nodes();
  const auto& rest_end = slice.rest_end();
  level(vocabulary_.max_token_bytes() + 1);
  level_config_[0] = intern_start(start);
  level_uncertain_[0] = start.popped;
  level_pops_[0] = start.popped ? kManyPops : kNoPop;
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
  const size_t max_bytes = vocabulary_.max_token_bytes();
  // Below a node whose configuration absorbs the slice for only so many
  // bytes (a string of bounded length), up to bounded_until: slice
  // subtrees whose tokens all end by bounded_depth are accepted whole.
  uint32_t bounded_until = 0;
  size_t bounded_depth = 0;
  const size_t root_bytes = rest_only ? kAllBytes : absorbed_bytes(stepper, level_config_[0], 0);
  *slice_accepted = root_bytes >= max_bytes;
  if (*slice_accepted) {
    rest_until = n;
  } else if (root_bytes >= kMinBoundedBytes) {
    bounded_until = n;
    bounded_depth = root_bytes;
  }
  uint32_t i = next_node(0, false);
  while (i < n) {
    const vocab::TrieNode& node = nodes[i];
    const size_t d = node.depth;
    if (d == 1 && first_bytes && !(*first_bytes)[node.byte]) {
      i = next_node(i, true);
      continue;
    }
    if (i >= bounded_until) {
      bounded_until = 0;
    } else if (i >= rest_until && slice.state(i) != vocab::TextSlice::kReject &&
               slice.rest_position(i) == vocab::TextSlice::kNotInRest && trie.subtree_depth(i) <= bounded_depth) {
      for (TokenId id : slice.tokens_between(i, node.subtree_end)) accepted.push_back(id);
      i = next_node(i, true);
      continue;
    }
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
        if (uncertain_pops) uncertain_pops->push_back(level_pops_[d - 1]);
      }
    }
    if (node.subtree_end == i + 1) {
      i = next_node(i, true);
      continue;
    }
    const Config& here = configs_[next];
    const bool here_uncertain = parent_uncertain || here.popped;
    const uint8_t here_pops = add_pop(level_pops_[d - 1], here.popped, d);
    if (here.empty()) {
      // The whole subtree below is decided here (its slice tokens too,
      // unless they were accepted already).
      if (here_uncertain) {
        for (uint32_t j = i + 1; j < node.subtree_end; ++j) {
          if (nodes[j].token_begin == nodes[j].token_end) continue;
          if (in_rest && slice.state(j) != vocab::TextSlice::kReject) continue;
          uncertain.push_back(j);
          if (uncertain_pops) uncertain_pops->push_back(here_pops);
        }
      }
      i = next_node(i, true);
      continue;
    }
    level_config_[d] = next;
    level_uncertain_[d] = here_uncertain;
    level_pops_[d] = here_pops;
    if (!in_rest && slice_state != vocab::TextSlice::kReject) {
      // Sets of bytes left out are looked for only where they could take
      // a large subtree whole: finding one explores the automaton, and a
      // walk meets most of its configurations deep down, in small
      // subtrees.
      const bool large = node.subtree_end - i >= kMinExceptSubtree;
      const Absorption& absorbed = absorption(stepper, next, slice_state, large);
      const size_t bytes = absorbed.bytes == kAbsorbedAll ? kAllBytes : absorbed.bytes;
      const bool without_excepted = large && (absorbed.except_bits & slice.bytes_below(i)) == 0 &&
                                    (absorbed.except_bytes == kAbsorbedAll ||
                                     trie.subtree_depth(i) <= d + absorbed.except_bytes);
      if (bytes >= max_bytes - d || without_excepted) {
        for (TokenId id : slice.tokens_between(i + 1, node.subtree_end)) accepted.push_back(id);
        rest_until = node.subtree_end;
        if (slice.rest_position(i) == vocab::TextSlice::kNotInRest) {
          i = node.subtree_end;
          continue;
        }
      } else if (bytes >= kMinBoundedBytes && bounded_until == 0) {
        bounded_until = node.subtree_end;
        bounded_depth = d + bytes;
      }
    }
    i = next_node(i, false);
  }
  return true;
}

bool TokenWalker::classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& list,
                                std::vector<uint32_t>& accepted, std::vector<uint32_t>& uncertain,
                                std::vector<uint8_t>* uncertain_pops) {
  return walk_list(stepper, start, list, nullptr, accepted, uncertain, uncertain_pops);
}

bool TokenWalker::classify_popped(Stepper& stepper, const Config& resumed, const std::vector<uint32_t>& list,
                                  const std::vector<uint8_t>& pops, std::vector<uint32_t>& accepted,
                                  std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops) {
  return walk_list(stepper, resumed, list, &pops, accepted, uncertain, uncertain_pops);
}

bool TokenWalker::walk_list(Stepper& stepper, const Config& from, const std::vector<uint32_t>& list,
                            const std::vector<uint8_t>* returned, std::vector<uint32_t>& accepted,
                            std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops) {
  // The same walk as classify_all, but only down the paths to listed nodes:
  // a subtree holding none is skipped whole, and so is every listed node
  // under a prefix that dies (they share its verdict). Rejected nodes are
  // never touched one by one: lists run to tens of thousands of nodes (all
  // the tokens that start with a space, say) and most die together.
  //
  // With return depths, a path's configuration at its depth is `from` and
  // nothing is stepped above it. Paths that share a prefix share its
  // returns, so listed nodes below one node agree on any return depth up
  // to that node's.
  const vocab::TokenTrie& trie = vocabulary_.trie();
  const auto& nodes = trie.nodes();
  if (list.empty()) return true;
  level(vocabulary_.max_token_bytes() + 1);
  const uint32_t from_id = intern_start(from);
  level_config_[0] = from_id;
  level_uncertain_[0] = from.popped;
  level_pops_[0] = from.popped ? kManyPops : kNoPop;
  size_t k = 0;
  uint32_t i = 1;
  while (k < list.size()) {
    const vocab::TrieNode& node = nodes[i];
    if (list[k] >= node.subtree_end) {
      i = node.subtree_end;
      continue;
    }
    const size_t d = node.depth;
    const size_t returned_at = returned ? (*returned)[k] : 0;
    if (d <= returned_at) {
      // A listed node lies deeper than its return depth, so none is here.
      if (d == returned_at) {
        level_config_[d] = from_id;
        level_uncertain_[d] = from.popped;
        level_pops_[d] = add_pop(kNoPop, from.popped, d);
      }
      ++i;
      continue;
    }
    uint32_t packed = 0;
    if (!transition(stepper, level_config_[d - 1], node.byte, &packed)) return false;
    const bool parent_uncertain = level_uncertain_[d - 1];
    if (list[k] == i) {
      if (packed & 1) {
        accepted.push_back(i);
      } else if (parent_uncertain) {
        uncertain.push_back(i);
        if (uncertain_pops) uncertain_pops->push_back(level_pops_[d - 1]);
      }
      ++k;
    }
    const Config& here = configs_[packed >> 1];
    const bool here_uncertain = parent_uncertain || here.popped;
    const uint8_t here_pops = add_pop(level_pops_[d - 1], here.popped, d);
    if (here.empty()) {
      const auto first = list.begin() + static_cast<std::ptrdiff_t>(k);
      const auto past = std::lower_bound(first, list.end(), node.subtree_end);
      if (here_uncertain) {
        if (uncertain_pops) uncertain_pops->insert(uncertain_pops->end(), past - first, here_pops);
        uncertain.insert(uncertain.end(), first, past);
      }
      k = static_cast<size_t>(past - list.begin());
      i = node.subtree_end;
      continue;
    }
    level_config_[d] = packed >> 1;
    level_uncertain_[d] = here_uncertain;
    level_pops_[d] = here_pops;
    ++i;
  }
  return true;
}

}  // namespace sluice::matcher
