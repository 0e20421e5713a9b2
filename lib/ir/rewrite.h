// The one rebuilding loop every IR pass shares: copies a Grammar into a fresh
// one, bottom-up, letting the pass decide how each node is rebuilt, which
// rules survive and which references are replaced by the referenced rule's
// body. The walk keeps its own stack, so deep expressions cannot overflow
// the C stack, and only expressions reachable from surviving rules are
// copied, so a rebuilt grammar carries no garbage.
//
// Tested through the passes in tests/ir/passes_test.cc.
#pragma once

#include <functional>
#include <vector>

#include "sluice/grammar.h"

namespace sluice::ir {

struct RebuildPlan {
  // Indexed by RuleId of the input: the rule exists in the output even when
  // nothing references it (the root always does; a rule still referenced
  // and not inlined is kept regardless).
  std::vector<bool> keep;
  // Indexed by RuleId of the input: references to the rule are replaced by
  // its rebuilt body. Must not hold for a rule that can reach itself, nor
  // for the root.
  std::vector<bool> inline_refs;
};

// Builds one output node from an input node whose children (or, for a
// reference, whose rule) are already mapped to the output grammar.
using NodeBuilder =
    std::function<ExprId(Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId mapped_rule)>;

// Rebuilds a node with the plain builder calls of Grammar (which flatten and
// simplify as they always do).
ExprId build_node(Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId mapped_rule);

// Requires a grammar that passes Grammar::validate(). Rule ids are
// renumbered densely: kept rules in input order, then rules kept only
// because they are referenced. Names, locations and the root carry over.
// The plan's contract is enforced: a recursive rule or the root is never
// inlined, whatever inline_refs says.
Grammar rebuild(const Grammar& grammar, const RebuildPlan& plan, const NodeBuilder& build = build_node);

// A plan that keeps every rule and inlines none.
RebuildPlan keep_all(const Grammar& grammar);

}  // namespace sluice::ir
