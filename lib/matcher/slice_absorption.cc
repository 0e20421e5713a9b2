// Implements matcher/slice_absorption.h.
#include "matcher/slice_absorption.h"

#include <algorithm>
#include <array>
#include <vector>

#include "vocab/text_slice.h"

namespace sluice::matcher {

using vocab::TextSlice;

SliceAbsorption::SliceAbsorption(const automaton::Automaton& automaton) : automaton_(automaton) {}

namespace {

// The bytes the slice allows from each of its states, as runs of bytes
// with the same next state.
struct SliceRuns {
  struct Run {
    uint8_t lo, hi, next;
  };
  std::array<std::vector<Run>, TextSlice::kStates> runs;
  std::array<std::array<uint8_t, 256>, TextSlice::kStates> next;

  SliceRuns() {
    for (uint8_t state = 0; state < TextSlice::kStates; ++state) {
      for (unsigned b = 0; b < 256; ++b) {
        const uint8_t next = TextSlice::next(state, static_cast<uint8_t>(b));
        this->next[state][b] = next;
        if (next == TextSlice::kReject) continue;
        auto& list = runs[state];
        if (!list.empty() && list.back().hi + 1u == b && list.back().next == next) {
          list.back().hi = static_cast<uint8_t>(b);
        } else {
          list.push_back({static_cast<uint8_t>(b), static_cast<uint8_t>(b), next});
        }
      }
    }
  }
};

const SliceRuns& slice_runs() {
  static const SliceRuns table;
  return table;
}

}  // namespace

void SliceAbsorption::callee_states(uint32_t state) {
  callees_.clear();
  const automaton::State& st = automaton_.states[state];
  // A permutation's calls depend on what it has written: not followed.
  if (st.set) return;
  for (uint32_t k = st.call_begin; k < st.call_end; ++k) {
    const uint32_t rule = automaton_.call_edges[k].rule;
    const automaton::RuleInfo& info = automaton_.rules[rule];
    if (info.loop || info.set || calls_out_[rule]) continue;
    if (!automaton_.states[info.entry].consumes()) continue;
    if (std::find(callees_.begin(), callees_.end(), info.entry) == callees_.end()) callees_.push_back(info.entry);
  }
}

bool SliceAbsorption::add_pieces(uint32_t pair) {
  const uint32_t states = static_cast<uint32_t>(automaton_.states.size());
  const uint32_t state_and_mode = pair / TextSlice::kStates;
  const bool looped = state_and_mode >= states;
  const uint32_t state = state_and_mode - (looped ? states : 0);
  const auto slice_state = static_cast<uint8_t>(pair % TextSlice::kStates);
  const SliceRuns& table = slice_runs();
  // The state's own byte edges, then those of the rules it calls: a frame
  // pushed above this one that takes the rest of the text never returns
  // below it either. Edges in callees run in the callee's frame, where the
  // loop rule (`looped`) does not apply.
  edges_.clear();
  const automaton::State& st = automaton_.states[state];
  for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) edges_.push_back({k, looped});
  callee_states(state);
  for (uint32_t callee : callees_) {
    const automaton::State& c = automaton_.states[callee];
    for (uint32_t k = c.byte_begin; k < c.byte_end; ++k) edges_.push_back({k, false});
  }
  // A sweep over the bytes: the allowed bytes cut where an edge or a
  // slice run starts or ends, and within a piece every byte has the same
  // successor pairs (the edges active there).
  cuts_.clear();
  for (const SliceRuns::Run& run : table.runs[slice_state]) {
    cuts_.push_back({run.lo, kNoEdge});
    cuts_.push_back({run.hi + 1u, kNoEdge});
  }
  for (uint32_t i = 0; i < edges_.size(); ++i) {
    const automaton::ByteEdge& e = automaton_.byte_edges[edges_[i].index];
    cuts_.push_back({e.lo, i});
    cuts_.push_back({e.hi + 1u, i | kEdgeEnds});
  }
  std::sort(cuts_.begin(), cuts_.end(), [](const Cut& x, const Cut& y) { return x.at < y.at; });
  active_.clear();
  for (size_t c = 0; c < cuts_.size();) {
    const unsigned lo = cuts_[c].at;
    for (; c < cuts_.size() && cuts_[c].at == lo; ++c) {
      const uint32_t edge = cuts_[c].edge;
      if (edge == kNoEdge) continue;
      if (edge & kEdgeEnds) {
        active_.erase(std::find(active_.begin(), active_.end(), edge & ~kEdgeEnds));
      } else {
        active_.push_back(edge);
      }
    }
    if (lo > 0xFF) break;
    const uint8_t next = table.next[slice_state][lo];
    if (next == TextSlice::kReject) continue;
    const uint32_t begin = static_cast<uint32_t>(successors_.size());
    for (uint32_t i : active_) {
      const Edge& edge = edges_[i];
      uint32_t target = automaton_.byte_edges[edge.index].target;
      const automaton::State& t = automaton_.states[target];
      if (edge.looped && t.returns_only) target = automaton_.rules[t.rule].entry;
      const uint32_t mode_base = edge.looped ? states : 0;
      if (automaton_.states[target].consumes()) {
        successors_.push_back((mode_base + target) * TextSlice::kStates + next);
        continue;
      }
      // A state that only calls (the character before a shared string
      // tail, say) goes on in its callees: their pairs, not one of its own,
      // so that many such states share the callees' verdicts.
      callee_states(target);
      for (uint32_t callee : callees_) successors_.push_back(callee * TextSlice::kStates + next);
    }
    // A byte the slice allows and no edge takes: the pair refuses.
    if (successors_.size() == begin) return false;
    pieces_.push_back({begin, static_cast<uint32_t>(successors_.size())});
  }
  return true;
}

bool SliceAbsorption::absorbs(uint32_t state, uint8_t slice_state, bool looped) {
  const size_t states = automaton_.states.size();
  if (verdicts_.empty()) {
    // Sized on first use: most grammars' masks never ask.
    verdicts_.assign(2 * states * TextSlice::kStates, kUnknown);
    index_of_.assign(verdicts_.size(), 0);
    calls_out_.assign(automaton_.rules.size(), 0);
    for (const automaton::State& st : automaton_.states) {
      if (st.call_begin != st.call_end) calls_out_[st.rule] = 1;
    }
  }
  const uint32_t root = static_cast<uint32_t>(((looped ? states : 0) + state) * TextSlice::kStates + slice_state);
  if (verdicts_[root] != kUnknown) return verdicts_[root] == kAbsorbs;
  // Every undecided pair the root reaches, with its pieces.
  seen_.clear();
  pieces_.clear();
  successors_.clear();
  pairs_.clear();
  auto enter = [&](uint32_t pair) {
    index_of_[pair] = static_cast<uint32_t>(seen_.size()) + 1;
    seen_.push_back(pair);
    const uint32_t begin = static_cast<uint32_t>(pieces_.size());
    const bool complete = add_pieces(pair);
    pairs_.push_back({begin, static_cast<uint32_t>(pieces_.size()), !complete});
  };
  enter(root);
  for (size_t i = 0; i < seen_.size() && seen_.size() <= kMaxPairs; ++i) {
    if (pairs_[i].refuses) continue;
    for (uint32_t p = pairs_[i].pieces_begin; p < pairs_[i].pieces_end; ++p) {
      for (uint32_t k = pieces_[p].begin; k < pieces_[p].end; ++k) {
        const uint32_t next = successors_[k];
        if (verdicts_[next] == kUnknown && index_of_[next] == 0) enter(next);
      }
    }
  }
  const bool too_many = seen_.size() > kMaxPairs;
  // The greatest set closed under the rule: drop pairs with a piece whose
  // successors are all dropped (or refuse) until none is left to drop.
  auto refused = [&](uint32_t next) {
    if (verdicts_[next] != kUnknown) return verdicts_[next] == kRefuses;
    return pairs_[index_of_[next] - 1].refuses;
  };
  for (bool changed = !too_many; changed;) {
    changed = false;
    for (Pair& pair : pairs_) {
      if (pair.refuses) continue;
      for (uint32_t p = pair.pieces_begin; p < pair.pieces_end && !pair.refuses; ++p) {
        bool any = false;
        for (uint32_t k = pieces_[p].begin; k < pieces_[p].end && !any; ++k) any = !refused(successors_[k]);
        if (!any) pair.refuses = changed = true;
      }
    }
  }
  // Past the bound the answer is no, for the root only (the others stay
  // undecided): a walk that does not take the slice as a block is slower,
  // never wrong.
  for (size_t i = 0; i < seen_.size(); ++i) {
    if (!too_many) verdicts_[seen_[i]] = pairs_[i].refuses ? kRefuses : kAbsorbs;
    index_of_[seen_[i]] = 0;
  }
  if (too_many) verdicts_[root] = kRefuses;
  seen_.clear();
  return verdicts_[root] == kAbsorbs;
}

}  // namespace sluice::matcher
