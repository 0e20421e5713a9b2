// Which automaton states take every string of the text slice
// (vocab/text_slice.h) by their own byte edges and those of the rules they
// call: from such a state, every token of the slice is consumed byte by
// byte without returning below the frame, so a mask walk accepts all of
// them at once and walks only the rest.
//
// Calls into rules that call nothing themselves are followed (a string body
// that ends in a shared rule, "[^a] tail", goes on in the tail's frame);
// returns never are: a path that would have to return is not counted,
// which can only make the answer no where yes was right, never the
// reverse. Rules that call others are not entered, so that a question
// explores one small region: a chain of rules (a DFA spelled one rule per
// state) would otherwise have every question explore all of it.
//
// A pair (state, slice state) absorbs when every byte the slice allows
// next has an edge, and for each such byte some edge target absorbs at the
// slice state after that byte: the greatest set closed under that rule.
// "Some", not "every": the automaton of an unanchored pattern (".*ab.*")
// has two edges on "a" from its first state, one that goes on searching
// and one that tries the match; the first alone takes every slice string,
// and one stack that does is all a mask walk needs. Pairs are decided on
// demand and remembered: the pairs a question reaches are explored, then
// dropped while some byte of theirs leads only to dropped pairs.
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
  // Pairs one question may explore; past it the answer is no.
  static constexpr size_t kMaxPairs = size_t{1} << 13;
  struct Piece {
    uint32_t begin, end;  // successor pairs in successors_
  };
  struct Pair {
    uint32_t pieces_begin, pieces_end;  // in pieces_
    bool refuses;
  };
  struct Edge {
    uint32_t index;  // in Automaton::byte_edges
    bool looped;
  };
  // Appends the pieces of `pair` (the bytes the slice allows, grouped by
  // their successor pairs); false when some such byte has no edge.
  bool add_pieces(uint32_t pair);
  // callees_ = the entries, with byte edges, of the rules `state` calls
  // that call nothing themselves (and are not counter loops or
  // permutations).
  void callee_states(uint32_t state);

  const automaton::Automaton& automaton_;
  // Pairs: (looped x states + state) x TextSlice::kStates + slice state.
  std::vector<uint8_t> verdicts_;
  std::vector<uint32_t> index_of_;  // position in seen_ + 1, 0 if not seen in this question
  std::vector<uint32_t> seen_;
  std::vector<Pair> pairs_;  // by position in seen_
  std::vector<Piece> pieces_;
  std::vector<uint32_t> successors_;
  // Where an edge (index in edges_, | kEdgeEnds at its end) or a slice run
  // (kNoEdge) starts or ends.
  struct Cut {
    unsigned at;
    uint32_t edge;
  };
  static constexpr uint32_t kNoEdge = ~uint32_t{0};
  static constexpr uint32_t kEdgeEnds = uint32_t{1} << 31;
  std::vector<Cut> cuts_;
  std::vector<uint32_t> active_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> callees_;
  std::vector<uint8_t> calls_out_;  // by rule: some state of it has a call edge
};

}  // namespace sluice::matcher
