// Which automaton states take every string of the text slice
// (vocab/text_slice.h) by their own byte edges: from such a state, every
// token of the slice is consumed byte by byte without leaving the frame,
// so a mask walk accepts all of them at once and walks only the rest.
//
// A pair (state, slice state) absorbs when every byte the slice allows
// next has an edge, and every edge target absorbs at the slice state after
// that byte: the greatest set closed under that rule. Requiring all targets
// (not some) keeps the rule a plain AND over pairs; the automata of string
// bodies and of key tries are deterministic on text, so it loses nothing
// there. Pairs are decided on demand and remembered, by a depth-first
// search with Tarjan's strongly connected components.
//
// A state may also be asked about as the body of a counter loop with runs
// to spare (`looped`): a byte edge into a final state with no edges of its
// own then returns to the loop, which calls the body again, so the pair
// continues at the body rule's entry. That is how a string of bounded
// length (a one-character body under a loop) absorbs the slice.
//
// Not thread-safe: CompiledGrammar keeps one under its compute lock.
// Tested through tests/matcher/ (masks with and without slicing against the
// reference recogniser).
#pragma once

#include <cstdint>
#include <vector>

#include "automaton/automaton.h"

namespace sluice::matcher {

class SliceAbsorption {
 public:
  explicit SliceAbsorption(const automaton::Automaton& automaton);
  bool absorbs(uint32_t state, uint8_t slice_state, bool looped = false);

 private:
  static constexpr uint8_t kUnknown = 0, kAbsorbs = 1, kRefuses = 2;
  struct Visit {
    uint32_t pair;
    uint32_t index, low;
    uint32_t successors_begin;  // this pair's successors in successors_
    uint32_t next_successor;
    uint32_t successors_end;
  };
  // Appends the successor pairs of `pair` to successors_; false when some
  // byte the slice allows has no edge.
  bool add_successors(uint32_t pair);

  const automaton::Automaton& automaton_;
  // Pairs: (looped x states + state) x TextSlice::kStates + slice state.
  std::vector<uint8_t> verdicts_;
  std::vector<uint32_t> index_of_;  // search index + 1 per pair, 0 if unseen this search
  std::vector<Visit> path_;
  std::vector<uint32_t> components_;
  std::vector<uint32_t> successors_;
  std::vector<uint32_t> seen_;  // pairs given a search index in this search
};

}  // namespace sluice::matcher
