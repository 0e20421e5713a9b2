// The complement of a regular IR expression: every string of code points
// that the expression does not match.
//
// JSON Schema needs it where keys outside a set of patterns take another
// schema (patternProperties with additionalProperties absent or a schema):
// the grammar must spell "a key no pattern matches". The expression is
// turned into an NFA over code-point ranges, determinised by subset
// construction over the intervals its edges cut the code-point space into,
// and its accepting states swapped; each DFA state becomes one rule
// ("q ::= class_a q_a | class_b q_b | ..."). Only expressions made of
// literals, character classes, sequences, choices and repeats are regular
// here; rule references and permutations are kUnsupported. Past max_states
// DFA states the result is kBudgetExceeded.
//
// Tested in tests/ir/complement_test.cc against the reference recogniser.
#pragma once

#include <cstddef>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice::ir {

Result<ExprId> complement(Grammar& grammar, ExprId expr, size_t max_states);

}  // namespace sluice::ir
