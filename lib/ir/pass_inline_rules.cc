// inline_rules (ir/passes.h): a reference to a rule is replaced by the
// rule's body when the rule is not recursive (so inlining terminates) and
// either is referenced from one place only (the grammar does not grow) or
// has a body of a single node (a literal, a class, a reference: it grows by
// nothing that matters). Rules that end up unreferenced are dropped.
#include "ir/analysis.h"
#include "ir/passes.h"
#include "ir/rewrite.h"

namespace sluice::ir {

Grammar inline_rules(const Grammar& grammar) {
  const size_t rule_count = grammar.rules().size();
  // References are counted per expression node that names the rule, over
  // the nodes reachable from some rule body (shared nodes count once).
  std::vector<uint32_t> uses(rule_count, 0);
  std::vector<bool> seen(grammar.expr_count(), false);
  std::vector<ExprId> work;
  for (const Rule& rule : grammar.rules()) work.push_back(rule.body);
  while (!work.empty()) {
    ExprId id = work.back();
    work.pop_back();
    if (seen[id]) continue;
    seen[id] = true;
    const Expr& e = grammar.expr(id);
    if (e.kind == ExprKind::kRuleRef) ++uses[e.rule];
    for (ExprId c : e.children) work.push_back(c);
  }
  RebuildPlan plan = keep_all(grammar);
  plan.keep = reachable_rules(grammar);
  for (RuleId r = 0; r < rule_count; ++r) {
    const ExprKind body = grammar.expr(grammar.rule(r).body).kind;
    const bool single_node = body == ExprKind::kLiteral || body == ExprKind::kCharClass ||
                             body == ExprKind::kEmpty || body == ExprKind::kNothing || body == ExprKind::kRuleRef;
    plan.inline_refs[r] = uses[r] == 1 || single_node;
  }
  // rebuild() refuses to inline the root or a recursive rule.
  return rebuild(grammar, plan);
}

}  // namespace sluice::ir
