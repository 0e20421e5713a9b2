// The IR optimisation passes. Each is a function from a grammar to a grammar
// with the same language (the same sentences), in a file of its own:
//
//   pass_remove_unreachable.cc  drop rules the root cannot reach
//   pass_inline_rules.cc        inline non-recursive rules that are used once
//                               or whose body is a single node
//   pass_merge_literals.cc      adjacent literals in a sequence become one
//   pass_merge_classes.cc       one-code-point alternatives of a choice
//                               become one character class
//   pass_dedupe.cc              structurally equal expressions become one
//
// optimize() runs them in that order and then removes unreachable rules
// again: inlining first exposes literals and classes from small rules to
// the merges, and deduplication last shares what the merges produced.
// Bounded repetition is never unrolled by any pass.
//
// Every pass requires a grammar that passes Grammar::validate() and returns
// one that does. They never fail on such input, so they return plain values.
//
// Tested in tests/ir/passes_test.cc: each pass against the reference
// recogniser on random grammars and strings, plus its structural effect.
#pragma once

#include "sluice/grammar.h"

namespace sluice::ir {

Grammar remove_unreachable_rules(const Grammar& grammar);
Grammar inline_rules(const Grammar& grammar);
Grammar merge_literals(const Grammar& grammar);
Grammar merge_classes(const Grammar& grammar);
Grammar dedupe_expressions(const Grammar& grammar);

Grammar optimize(const Grammar& grammar);

}  // namespace sluice::ir
