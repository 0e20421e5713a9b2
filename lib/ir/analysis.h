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

#include <algorithm>
#include <cstdint>
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
// How far a permutation has got: the members written and how many writes in
// all. Both the matcher and the reference recogniser keep it as one 64-bit
// word in their frames (PermutationLimits::progress and ::word): `written`
// in one low bit per member, `count` above.
struct PermutationProgress {
  uint64_t written = 0;
  uint32_t count = 0;
};

struct PermutationLimits {
  uint64_t required = 0;
  uint64_t repeatable = 0;
  uint32_t min = 0;
  uint32_t max = kUnbounded;
  std::vector<PermutationDependency> dependencies;
  uint32_t members = 0;
  static PermutationLimits of(const Expr& e) {
    return {e.required, e.repeatable, e.min, e.max, e.dependencies, static_cast<uint32_t>(e.children.size() - 1)};
  }
  // The frame word and the progress it holds (sluice/grammar.h:
  // permutation_fits).
  PermutationProgress progress(uint64_t word) const {
    return {word & ((uint64_t{1} << members) - 1), static_cast<uint32_t>(word >> members)};
  }
  uint64_t word(const PermutationProgress& p) const { return p.written | uint64_t{p.count} << members; }
  // Whether every dependency whose trigger is in `written` has one of its
  // needs in it too.
  bool dependencies_met(uint64_t written) const {
    for (const PermutationDependency& d : dependencies) {
      if (!(written & d.trigger)) continue;
      if (std::none_of(d.needs.begin(), d.needs.end(), [&](uint64_t need) { return (need & ~written) == 0; })) {
        return false;
      }
    }
    return true;
  }
  // Whether the permutation may end here.
  bool complete(const PermutationProgress& p) const {
    return (required & ~p.written) == 0 && p.count >= min && dependencies_met(p.written);
  }
  // Whether `member` may be written next (its completability aside).
  bool may_write(const PermutationProgress& p, uint32_t member) const {
    const uint64_t bit = uint64_t{1} << member;
    return p.count < max && (!(p.written & bit) || (repeatable & bit));
  }
  // The progress after writing `member`. Past max(min, 1) (max unbounded)
  // counts no longer differ, so the count saturates there and frames that
  // differ only beyond it are one.
  PermutationProgress after(const PermutationProgress& p, uint32_t member) const {
    const uint32_t count = max == kUnbounded ? std::min(p.count + 1, std::max(min, 1u)) : p.count + 1;
    return {p.written | uint64_t{1} << member, count};
  }
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
