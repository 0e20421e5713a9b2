// The byte-level automaton a Grammar compiles to: one epsilon-free automaton
// per rule, all states in one array.
//
// A state has byte-range edges (consume one byte, move to a state of the
// same rule), call edges (push a frame for another rule; when it returns,
// continue at `ret`), and a final flag (the rule may return here). Code
// point classes are compiled to UTF-8 byte-range paths, so every byte path
// is a prefix of valid UTF-8 text.
//
// A counter loop is a rule with a single state that runs x{min,max} without
// unrolling: its frame carries `need` (iterations still required) and `rem`
// (iterations still allowed, kUnbounded for none); it may call its body while
// rem > 0 and return once need == 0. A call edge into a loop sets both.
//
// A permutation is a rule with a single state too (`set`): its frame's need
// and rem hold one 64-bit word, the members written (one low bit each) and
// how many (the bits above; see set_progress()). Its call edges come in pairs per member i, both with
// need = i: rem = 0 writes the member as the first one, rem = 1 as a later
// one (separator first). The matcher calls a member only while the frame can
// still complete afterwards (ir::permutation_completable), and returns once
// the required members are written and the count is at least min.
//
// Every state kept is productive (some path from it reaches a final state),
// so a live parser stack always has a completion.
//
// Tested in tests/automaton/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/analysis.h"
#include "sluice/compiler.h"
#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice::automaton {

struct ByteEdge {
  uint8_t lo = 0;
  uint8_t hi = 0;
  uint32_t target = 0;
};

struct CallEdge {
  uint32_t rule = 0;
  uint32_t ret = 0;
  uint32_t need = 0;  // for calls into counter loops
  uint32_t rem = 0;
};

struct State {
  uint32_t byte_begin = 0, byte_end = 0;  // into Automaton::byte_edges
  uint32_t call_begin = 0, call_end = 0;  // into Automaton::call_edges
  uint32_t rule = 0;
  bool final = false;
  bool loop = false;  // the single state of a counter loop
  bool set = false;   // the single state of a permutation
  // Final with no edges: a call that returns here is a tail call, which
  // the matcher runs in the caller's frame.
  bool returns_only = false;
  // Any byte at all can be consumed here (byte_begin < byte_end).
  bool consumes() const { return byte_begin != byte_end; }
};

struct RuleInfo {
  std::string name;
  uint32_t entry = 0;
  bool nullable = false;
  // Counter loops: the body rule they call and whether it can match empty
  // (then an iteration that consumed nothing does not count).
  bool loop = false;
  uint32_t loop_body = 0;
  bool loop_body_nullable = false;
  // Permutations: the grammar's kPermutation node (its masks and bounds) and
  // which members, and whether the separator, can match anything.
  bool set = false;
  ir::PermutationLimits set_limits;
  uint64_t set_usable = 0;
  bool set_separator_usable = false;
};

// A permutation frame's progress (ir::PermutationProgress) from its need
// (the low half of the word) and rem (the high half).
inline ir::PermutationProgress set_progress(const ir::PermutationLimits& limits, uint32_t need, uint32_t rem) {
  return limits.progress(need | uint64_t{rem} << 32);
}

struct Automaton {
  std::vector<State> states;
  std::vector<ByteEdge> byte_edges;
  std::vector<CallEdge> call_edges;
  std::vector<RuleInfo> rules;
  uint32_t root = 0;  // a rule
  size_t counter_loops = 0;

  size_t memory_bytes() const {
    size_t total = states.size() * sizeof(State) + byte_edges.size() * sizeof(ByteEdge) +
                   call_edges.size() * sizeof(CallEdge);
    for (const RuleInfo& r : rules) total += sizeof(RuleInfo) + r.name.size();
    return total;
  }
};

// Requires grammar.validate() to pass. Fails with kUnsupported for left
// recursion, kUnsatisfiable when the root matches nothing, kBudgetExceeded
// past options.max_states or options.max_nesting.
Result<Automaton> build_automaton(const Grammar& grammar, const CompileOptions& options);

// The UTF-8 encodings of the code points lo..hi (no surrogates) as sequences
// of byte ranges: a byte string encodes a code point in the range exactly
// when it matches one sequence. Exposed for tests.
std::vector<std::vector<std::pair<uint8_t, uint8_t>>> utf8_sequences(uint32_t lo, uint32_t hi);

}  // namespace sluice::automaton
