// Implements matcher/slice_absorption.h.
#include "matcher/slice_absorption.h"

#include <algorithm>
#include <array>
#include <bit>
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
  std::array<SliceAbsorption::ByteSet, TextSlice::kStates> allowed{};

  SliceRuns() {
    for (uint8_t state = 0; state < TextSlice::kStates; ++state) {
      for (unsigned b = 0; b < 256; ++b) {
        const uint8_t next = TextSlice::next(state, static_cast<uint8_t>(b));
        this->next[state][b] = next;
        if (next == TextSlice::kReject) continue;
        allowed[state][b >> 6] |= uint64_t{1} << (b & 63);
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
    if (info.loop || info.set) continue;
    if (!automaton_.states[info.entry].consumes()) continue;
    if (std::find(callees_.begin(), callees_.end(), info.entry) == callees_.end()) callees_.push_back(info.entry);
  }
}

bool SliceAbsorption::add_pieces(uint32_t pair, bool collect_missing) {
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
  bool complete = true;
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
    const unsigned end = c < cuts_.size() ? std::min(cuts_[c].at, 256u) : 256u;
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
    if (successors_.size() == begin) {
      // A byte the slice allows and no edge takes: the pair refuses.
      if (!collect_missing) return false;
      for (unsigned b = lo; b < end; ++b) missing_[b >> 6] |= uint64_t{1} << (b & 63);
      complete = false;
      continue;
    }
    pieces_.push_back(
        {begin, static_cast<uint32_t>(successors_.size()), static_cast<uint16_t>(lo), static_cast<uint16_t>(end - 1)});
  }
  return complete;
}

void SliceAbsorption::size_tables() {
  const size_t pairs = 2 * automaton_.states.size() * TextSlice::kStates;
  verdicts_.reset(pairs);
  index_of_.reset(pairs);
  except_known_.reset(pairs);
  sized_ = true;
}

uint32_t SliceAbsorption::pair_of(uint32_t state, uint8_t slice_state, bool looped) const {
  const size_t states = automaton_.states.size();
  return static_cast<uint32_t>(((looped ? states : 0) + state) * TextSlice::kStates + slice_state);
}

bool SliceAbsorption::absorbs(uint32_t state, uint8_t slice_state, bool looped) {
  if (!sized_) size_tables();
  const uint32_t root = pair_of(state, slice_state, looped);
  if (verdicts_.get(root) != kUnknown) return verdicts_.get(root) == kAbsorbs;
  return decide(root);
}

namespace {

const SliceAbsorption::ByteSet kEmpty{};
// Stands for the set of a pair no set was found for: every byte.
const SliceAbsorption::ByteSet kFull{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};

// |a \ b|
int count_outside(const SliceAbsorption::ByteSet& a, const SliceAbsorption::ByteSet& b) {
  int n = 0;
  for (size_t w = 0; w < a.size(); ++w) n += std::popcount(a[w] & ~b[w]);
  return n;
}

}  // namespace

const SliceAbsorption::Except* SliceAbsorption::absorbs_except(uint32_t state, uint8_t slice_state, bool looped) {
  static const Except kNothingLeftOut{};
  if (absorbs(state, slice_state, looped)) return &kNothingLeftOut;
  const uint32_t root = pair_of(state, slice_state, looped);
  if (except_known_.get(root) == kExceptUnknown) {
    // The root's own missing bytes are in its set: when they are too many
    // already, the region is not worth exploring.
    missing_ = {};
    const size_t pieces = pieces_.size(), successors = successors_.size();
    add_pieces(root, true);
    pieces_.resize(pieces);
    successors_.resize(successors);
    if (std::popcount(TextSlice::byte_bits(missing_)) > kMaxExceptBits) {
      set_except(root, nullptr);
    } else {
      widen(root);
    }
  }
  return except_known_.get(root) == kExceptFound ? &except_sets_.at(root) : nullptr;
}

void SliceAbsorption::set_except(uint32_t pair, const Except* found) {
  except_known_.set(pair, found ? kExceptFound : kExceptNone);
  if (found) except_sets_[pair] = *found;
}

void SliceAbsorption::widen(uint32_t root) {
  if (!explore(root, true, kMaxWidenPairs)) {
    // Every pair met gives up too: asked in turn, each would explore most
    // of the same region again.
    for (uint32_t pair : seen_) set_except(pair, nullptr);
    forget();
    return;
  }
  std::vector<ByteSet>& sets = missing_by_pair_;
  auto set_of = [&](uint32_t pair) -> const ByteSet& {
    if (const uint32_t index = index_of_.get(pair); index != 0) return sets[index - 1];
    if (verdicts_.get(pair) == kAbsorbs) return kEmpty;
    return except_known_.get(pair) == kExceptFound ? except_sets_.at(pair).bytes : kFull;
  };
  std::vector<ByteSet> piece_bytes(pieces_.size());
  for (size_t p = 0; p < pieces_.size(); ++p) {
    for (unsigned b = pieces_[p].lo; b <= pieces_[p].hi; ++b) piece_bytes[p][b >> 6] |= uint64_t{1} << (b & 63);
  }
  // Sets flow from successors to the pairs before them, which were mostly
  // entered earlier: going backwards, a chain settles in one pass.
  bool settled = false;
  for (int pass = 0; pass < kMaxWidenPasses && !settled; ++pass) {
    settled = true;
    for (size_t i = pairs_.size(); i-- > 0;) {
      for (uint32_t p = pairs_[i].pieces_begin; p < pairs_[i].pieces_end; ++p) {
        const Piece& piece = pieces_[p];
        const ByteSet& own = piece_bytes[p];
        const int own_left = count_outside(own, sets[i]);
        if (own_left == 0) continue;
        const ByteSet* best = nullptr;
        int best_adds = 0;
        for (uint32_t k = piece.begin; k < piece.end; ++k) {
          const ByteSet& candidate = set_of(successors_[k]);
          const int adds = count_outside(candidate, sets[i]);
          if (!best || adds < best_adds) {
            best = &candidate;
            best_adds = adds;
          }
        }
        if (best_adds == 0) continue;
        const ByteSet& added = best_adds > std::max(own_left, kCheapExcept) ? own : *best;
        for (size_t w = 0; w < added.size(); ++w) sets[i][w] |= added[w];
        settled = false;
      }
    }
  }
  for (size_t i = 0; i < seen_.size(); ++i) {
    const uint64_t bits = TextSlice::byte_bits(sets[i]);
    const Except found{sets[i], bits};
    set_except(seen_[i], settled && std::popcount(bits) <= kMaxExceptBits ? &found : nullptr);
  }
  forget();
}

bool SliceAbsorption::explore(uint32_t root, bool collect_missing, size_t limit) {
  seen_.clear();
  pieces_.clear();
  successors_.clear();
  pairs_.clear();
  missing_by_pair_.clear();
  auto enter = [&](uint32_t pair) {
    index_of_.set(pair, static_cast<uint32_t>(seen_.size()) + 1);
    seen_.push_back(pair);
    const uint32_t begin = static_cast<uint32_t>(pieces_.size());
    missing_ = {};
    const bool complete = add_pieces(pair, collect_missing);
    pairs_.push_back({begin, static_cast<uint32_t>(pieces_.size()), !complete});
    if (collect_missing) missing_by_pair_.push_back(missing_);
  };
  // Pairs with a set already keep it; only those that absorb outright
  // are settled for a set (with none left out).
  auto decided = [&](uint32_t pair) {
    if (!collect_missing) return verdicts_.get(pair) != kUnknown;
    return verdicts_.get(pair) == kAbsorbs || except_known_.get(pair) != kExceptUnknown;
  };
  enter(root);
  for (size_t i = 0; i < seen_.size() && seen_.size() <= limit; ++i) {
    if (pairs_[i].refuses && !collect_missing) continue;
    for (uint32_t p = pairs_[i].pieces_begin; p < pairs_[i].pieces_end; ++p) {
      for (uint32_t k = pieces_[p].begin; k < pieces_[p].end; ++k) {
        const uint32_t next = successors_[k];
        if (index_of_.get(next) == 0 && !decided(next)) enter(next);
      }
    }
  }
  return seen_.size() <= limit;
}

void SliceAbsorption::forget() {
  for (uint32_t pair : seen_) index_of_.set(pair, 0);
  seen_.clear();
}

bool SliceAbsorption::decide(uint32_t root) {
  // Past the bound, the pairs met but not explored count as refusing:
  // the set found is then smaller than the true one, never larger, so
  // its verdicts hold (a slice a walk could have taken as a block is only
  // walked), and every pair met is decided at once, so that a large
  // region (a complement's DFA, thousands of pairs through its calls) is
  // explored once, not once per state asked about, while the states in it
  // that take the slice on their own (its "any other text" state) still
  // do.
  explore(root, false, kMaxPairs);
  // The greatest set closed under the rule: drop pairs with a piece whose
  // successors are all dropped (or refuse) until none is left to drop.
  auto refused = [&](uint32_t next) {
    const uint32_t index = index_of_.get(next);
    return index == 0 ? verdicts_.get(next) != kAbsorbs : pairs_[index - 1].refuses;
  };
  for (bool changed = true; changed;) {
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
  const bool root_absorbs = !pairs_[0].refuses;
  for (size_t i = 0; i < seen_.size(); ++i) verdicts_.set(seen_[i], pairs_[i].refuses ? kRefuses : kAbsorbs);
  forget();
  return root_absorbs;
}

}  // namespace sluice::matcher
