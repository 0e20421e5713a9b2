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
// with the same next state, and as a 256-bit set.
struct SliceRuns {
  struct Run {
    uint8_t lo, hi, next;
  };
  std::array<std::vector<Run>, TextSlice::kStates> runs;
  std::array<std::array<uint64_t, 4>, TextSlice::kStates> allowed{};

  SliceRuns() {
    for (uint8_t state = 0; state < TextSlice::kStates; ++state) {
      for (unsigned b = 0; b < 256; ++b) {
        const uint8_t next = TextSlice::next(state, static_cast<uint8_t>(b));
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

void cover(std::array<uint64_t, 4>& bits, unsigned lo, unsigned hi) {
  for (unsigned word = lo >> 6; word <= hi >> 6; ++word) {
    const unsigned from = std::max(lo, word * 64) - word * 64;
    const unsigned to = std::min(hi, word * 64 + 63) - word * 64;
    const uint64_t upper = to == 63 ? ~uint64_t{0} : (uint64_t{1} << (to + 1)) - 1;
    bits[word] |= upper & ~((uint64_t{1} << from) - 1);
  }
}

}  // namespace

bool SliceAbsorption::add_successors(uint32_t pair) {
  const uint32_t states = static_cast<uint32_t>(automaton_.states.size());
  const uint32_t state_and_mode = pair / TextSlice::kStates;
  const bool looped = state_and_mode >= states;
  const automaton::State& st = automaton_.states[state_and_mode - (looped ? states : 0)];
  const uint32_t mode_base = looped ? states : 0;
  const auto slice_state = static_cast<uint8_t>(pair % TextSlice::kStates);
  const SliceRuns& table = slice_runs();
  std::array<uint64_t, 4> covered{};
  const size_t begin = successors_.size();
  for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
    const automaton::ByteEdge& e = automaton_.byte_edges[k];
    uint32_t target = e.target;
    const automaton::State& t = automaton_.states[target];
    if (looped && t.returns_only) target = automaton_.rules[t.rule].entry;
    for (const SliceRuns::Run& run : table.runs[slice_state]) {
      const unsigned lo = std::max<unsigned>(e.lo, run.lo);
      const unsigned hi = std::min<unsigned>(e.hi, run.hi);
      if (lo > hi) continue;
      cover(covered, lo, hi);
      successors_.push_back((mode_base + target) * TextSlice::kStates + run.next);
    }
  }
  for (size_t w = 0; w < 4; ++w) {
    if (table.allowed[slice_state][w] & ~covered[w]) return false;
  }
  std::sort(successors_.begin() + static_cast<std::ptrdiff_t>(begin), successors_.end());
  successors_.erase(std::unique(successors_.begin() + static_cast<std::ptrdiff_t>(begin), successors_.end()),
                    successors_.end());
  return true;
}

bool SliceAbsorption::absorbs(uint32_t state, uint8_t slice_state, bool looped) {
  const size_t states = automaton_.states.size();
  if (verdicts_.empty()) {
    // Sized on first use: most grammars' masks never ask.
    verdicts_.assign(2 * states * TextSlice::kStates, kUnknown);
    index_of_.assign(verdicts_.size(), 0);
  }
  const uint32_t root = static_cast<uint32_t>(((looped ? states : 0) + state) * TextSlice::kStates + slice_state);
  if (verdicts_[root] != kUnknown) return verdicts_[root] == kAbsorbs;
  path_.clear();
  components_.clear();
  successors_.clear();
  auto finish_search = [&](bool absorbed) {
    // A refusal reaches every pair on the path (each needs all of its
    // successors); pairs of unfinished components stay undecided.
    if (!absorbed) {
      for (const Visit& v : path_) verdicts_[v.pair] = kRefuses;
    }
    for (uint32_t pair : seen_) index_of_[pair] = 0;
    seen_.clear();
    return absorbed;
  };
  auto enter = [&](uint32_t pair) {
    const uint32_t index = static_cast<uint32_t>(seen_.size());
    seen_.push_back(pair);
    index_of_[pair] = index + 1;
    const uint32_t begin = static_cast<uint32_t>(successors_.size());
    if (!add_successors(pair)) return false;
    path_.push_back({pair, index, index, begin, begin, static_cast<uint32_t>(successors_.size())});
    components_.push_back(pair);
    return true;
  };
  if (!enter(root)) {
    verdicts_[root] = kRefuses;
    return finish_search(false);
  }
  while (!path_.empty()) {
    Visit& top = path_.back();
    bool descended = false;
    while (top.next_successor < top.successors_end) {
      const uint32_t next = successors_[top.next_successor++];
      if (verdicts_[next] == kAbsorbs) continue;
      if (verdicts_[next] == kRefuses) return finish_search(false);
      if (index_of_[next] != 0) {
        // Seen in this search and not finished: on the component stack.
        top.low = std::min(top.low, index_of_[next] - 1);
        continue;
      }
      if (!enter(next)) {
        verdicts_[next] = kRefuses;
        return finish_search(false);
      }
      descended = true;
      break;
    }
    if (descended) continue;
    const Visit done = path_.back();
    path_.pop_back();
    successors_.resize(done.successors_begin);
    if (done.low == done.index) {
      while (true) {
        const uint32_t member = components_.back();
        components_.pop_back();
        verdicts_[member] = kAbsorbs;
        if (member == done.pair) break;
      }
    }
    if (!path_.empty()) path_.back().low = std::min(path_.back().low, done.low);
  }
  return finish_search(true);
}

}  // namespace sluice::matcher
