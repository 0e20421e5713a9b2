// Whole-grammar facts every later stage needs: which expressions can match
// the empty string, which can match anything at all, which rules the root
// reaches, and whether some rule is left-recursive.
//
// Left recursion means a rule can reach itself without consuming input: in
// `a ::= b "x"`, `b ::= "y"? a`, rule a derives a again through the nullable
// prefix "y"?. A top-down interpreter (the reference recogniser, an Earley-
// free stack machine) would expand such a rule forever, so callers reject it
// with the error find_left_recursion returns.
//
// Everything here is iterative (fixpoints and an explicit-stack DFS), so
// deep expression trees cannot overflow the C stack.
//
// Tested in tests/ir/analysis_test.cc.
#pragma once

#include <vector>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice::ir {

struct GrammarFacts {
  // Indexed by ExprId: the expression matches the empty string.
  std::vector<bool> expr_nullable;
  // Indexed by ExprId: the expression matches at least one string (its
  // language is not empty). An unproductive branch can never complete.
  std::vector<bool> expr_productive;
  // Indexed by RuleId: the same facts for each rule's body.
  std::vector<bool> rule_nullable;
  std::vector<bool> rule_productive;
};

// Requires a grammar that passes Grammar::validate().
GrammarFacts analyze(const Grammar& grammar);

// What a permutation (ExprKind::kPermutation) requires of its members.
struct PermutationLimits {
  uint64_t required = 0;
  uint64_t repeatable = 0;
  uint32_t min = 0;
  uint32_t max = kUnbounded;
  static PermutationLimits of(const Expr& e) { return {e.required, e.repeatable, e.min, e.max}; }
};

// Whether a permutation that has written the members
// in `written`, `count` members in all, can still reach an end, when only the
// members in `usable` can be written and the separator only if
// `separator_usable`. With usable = the members that match something, this
// is whether the rest can match anything; with usable = the nullable members,
// whether it can end without consuming input. `count` is compared with min
// and max, so a count saturated at max(min, 1) (max unbounded) or exact
// (max bounded) gives the exact answer.
bool permutation_completable(const PermutationLimits& limits, uint64_t written, uint32_t count, uint64_t usable,
                             bool separator_usable);

// Indexed by RuleId: the rule is reachable from the root through references.
std::vector<bool> reachable_rules(const Grammar& grammar);

// Indexed by RuleId: the rules each rule's body references (each once).
std::vector<std::vector<RuleId>> rule_references(const Grammar& grammar);

// Indexed by RuleId: the rule can reach itself through references (it lies
// on a cycle of the reference graph, consuming input or not).
std::vector<bool> recursive_rules(const Grammar& grammar);

// Ok, or kUnsupported naming a left-recursive rule, located at its
// definition, with the cycle in the message ("expr -> term -> expr").
// Every rule is checked, reachable or not.
Status find_left_recursion(const Grammar& grammar, const GrammarFacts& facts);

}  // namespace sluice::ir
