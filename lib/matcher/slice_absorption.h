// Which automaton states take every string of the text slice
// (vocab/text_slice.h) by their own byte edges and those of the rules they
// call: from such a state, every token of the slice is consumed byte by
// byte without returning below the frame, so a mask walk accepts all of
// them at once and walks only the rest.
//
// Calls are followed (a string body that ends in a shared rule, "[^a]
// tail", goes on in the tail's frame; a DFA spelled one rule per state, as
// a pattern's complement is, goes from rule to rule); returns never are: a
// path that would have to return is not counted, which can only make the
// answer no where yes was right, never the reverse. Counter loops and
// permutations are not entered: what they take depends on their counts.
// A question that reaches more than kMaxPairs pairs decides the pairs it
// met as if those it did not explore refused (see decide()).
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
// Where a state refuses the slice because some bytes have no edge (the
// body of "[^/]+" has none for '/'), absorbs_except gives a set of bytes E
// such that every slice string with no byte of E is taken. A mask walk then
// accepts whole every trie subtree whose slice tokens hold no byte of E
// (vocab::TextSlice::bytes_below) and walks only the others.
//
// One question finds a set for every pair of the region it reaches, and
// remembers them all. Each pair's set starts as its missing bytes; then,
// until nothing changes, each piece not yet inside the set adds either the
// set of one of its successors (the one that adds fewest bytes) or, when
// that would add more than the piece has and more than kCheapExcept, the
// piece's own bytes (a space that leads into a whitespace run that takes
// nothing else is better left out than followed). Afterwards every allowed
// byte outside a pair's set has a successor whose set lies inside it, so
// from the pair a string avoiding the set always has a way on: it never
// meets a missing byte, a return or a call not followed. A set too wide to
// leave subtrees whole (kMaxExceptBits) counts as none.
//
// Not thread-safe: CompiledGrammar keeps one under its compute lock.
// Tested through tests/matcher/ (masks with and without slicing against the
// reference recogniser).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "automaton/automaton.h"

namespace sluice::matcher {

class SliceAbsorption {
 public:
  explicit SliceAbsorption(const automaton::Automaton& automaton);
  bool absorbs(uint32_t state, uint8_t slice_state, bool looped = false);
  using ByteSet = std::array<uint64_t, 4>;  // bit b of word b / 64
  struct Except {
    ByteSet bytes;
    uint64_t bits;  // vocab::TextSlice::byte_bits(bytes)
  };
  // E as above (empty where absorbs() is true), or null when none was
  // found. Valid until the next call.
  const Except* absorbs_except(uint32_t state, uint8_t slice_state, bool looped = false);

 private:
  static constexpr uint8_t kUnknown = 0, kAbsorbs = 1, kRefuses = 2;
  // Pairs one question may explore.
  static constexpr size_t kMaxPairs = size_t{1} << 13;
  // Bytes a pair may take on from a successor rather than leave out the
  // few bytes that lead there.
  static constexpr int kCheapExcept = 8;
  // Sets that fill more bits of TextSlice::bytes_below than this leave
  // almost no subtree whole: they count as none, and a root whose own
  // missing bytes fill more is given up before its region is explored.
  static constexpr int kMaxExceptBits = 40;
  // Widening gives up on a region of more pairs, or after more passes
  // over it: the sets that pay off belong to string bodies and patterns,
  // regions of tens of pairs, while a document's structure reaches
  // thousands and leaves out nearly every byte anyway.
  static constexpr size_t kMaxWidenPairs = 256;
  static constexpr int kMaxWidenPasses = 64;
  struct Piece {
    uint32_t begin, end;  // successor pairs in successors_
    uint16_t lo, hi;      // its bytes, hi inclusive
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
  // their successor pairs); false when some such byte has no edge. With
  // collect_missing, those bytes go to missing_ and the pair's other
  // pieces are still added.
  bool add_pieces(uint32_t pair, bool collect_missing);
  // Enters `root` and the pairs it reaches that are not decided yet, up to
  // `limit` (false past it). With collect_missing, the pairs past a
  // missing byte too, each with its missing bytes in missing_by_pair_, so
  // that the region's every missing byte is seen.
  bool explore(uint32_t root, bool collect_missing, size_t limit);
  // Ends a question: the explored pairs are forgotten.
  void forget();
  // Decides `root` and the pairs it reaches, for good.
  bool decide(uint32_t root);
  // Finds and remembers the sets of the region `root` reaches.
  void widen(uint32_t root);
  uint32_t pair_of(uint32_t state, uint8_t slice_state, bool looped) const;
  void size_tables();
  // callees_ = the entries, with byte edges, of the rules `state` calls
  // (but counter loops and permutations).
  void callee_states(uint32_t state);

  // A value for every pair, zero until set, stored a page at a time as
  // pairs are set: a grammar of 10^5 states has millions of pairs, and
  // the questions of a mask walk reach a few hundred of them (allocating
  // and zeroing them all took milliseconds on the first question).
  template <typename T>
  class PairTable {
   public:
    void reset(size_t pairs) {
      pages_.clear();
      pages_.resize((pairs >> kPageBits) + 1);
    }
    T get(uint32_t pair) const {
      const auto& page = pages_[pair >> kPageBits];
      return page ? page[pair & kPageMask] : T{};
    }
    void set(uint32_t pair, T value) {
      auto& page = pages_[pair >> kPageBits];
      if (!page) page = std::make_unique<T[]>(size_t{1} << kPageBits);
      page[pair & kPageMask] = value;
    }

   private:
    static constexpr unsigned kPageBits = 12;
    static constexpr uint32_t kPageMask = (uint32_t{1} << kPageBits) - 1;
    std::vector<std::unique_ptr<T[]>> pages_;
  };

  const automaton::Automaton& automaton_;
  // Pairs: (looped x states + state) x TextSlice::kStates + slice state.
  PairTable<uint8_t> verdicts_;
  PairTable<uint32_t> index_of_;  // position in seen_ + 1, 0 if not seen in this question
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
  bool sized_ = false;  // size_tables() runs on the first question: most grammars' masks never ask
  ByteSet missing_{};                     // add_pieces's, for one pair
  std::vector<ByteSet> missing_by_pair_;  // by position in seen_, see explore()
  // absorbs_except's answers by pair: whether one is known and whether a
  // set was found (a walk asks for every stack of every configuration it
  // meets, so the common answer, none, is one load), and the sets found.
  static constexpr uint8_t kExceptUnknown = 0, kExceptNone = 1, kExceptFound = 2;
  PairTable<uint8_t> except_known_;
  std::unordered_map<uint32_t, Except> except_sets_;
  void set_except(uint32_t pair, const Except* found);
};

}  // namespace sluice::matcher
