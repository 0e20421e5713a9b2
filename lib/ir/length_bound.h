// Intersecting a regular expression with a length range, exactly and
// without an automaton: "matches E and is lo..hi code points long" rebuilt
// as an expression of the same shape. It is how a JSON Schema string with
// both `pattern` (or `format`) and `minLength`/`maxLength` compiles.
//
// Structural rules, each exact:
//   - when every string of E already has a length in range, E itself;
//     when none does, nothing();
//   - a choice bounds each branch;
//   - a repeat of a fixed-length item (length L) keeps the counts k with
//     k*L in range;
//   - a sequence with at most one part of variable length bounds that part
//     by the range less the fixed parts.
// Anything else (two variable parts in a sequence, a repeat of a variable
// item, a rule reference) gives nullopt, and the caller reports the
// combination as unsupported rather than dropping a constraint.
//
// Tested in tests/ir/length_bound_test.cc.
#pragma once

#include <cstdint>
#include <optional>

#include "sluice/grammar.h"

namespace sluice::ir {

inline constexpr uint64_t kNoLengthLimit = UINT64_MAX;

// Lengths are counted in code points (a literal's UTF-8 is decoded);
// hi == kNoLengthLimit means no upper bound.
std::optional<ExprId> intersect_length(Grammar& grammar, ExprId e, uint64_t lo, uint64_t hi);

}  // namespace sluice::ir
