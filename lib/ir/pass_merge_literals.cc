// merge_literals (ir/passes.h): "a" "b" in a sequence is the literal "ab".
// Fewer, longer literals mean fewer states for the automaton to step.
#include "ir/passes.h"
#include "ir/rewrite.h"

namespace sluice::ir {

Grammar merge_literals(const Grammar& grammar) {
  return rebuild(grammar, keep_all(grammar),
                 [](Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId rule) -> ExprId {
                   if (node.kind != ExprKind::kSequence) return build_node(out, node, std::move(children), rule);
                   std::vector<ExprId> merged;
                   std::string run;
                   auto flush = [&] {
                     if (!run.empty()) merged.push_back(out.literal(run));
                     run.clear();
                   };
                   for (ExprId c : children) {
                     const Expr& child = out.expr(c);
                     if (child.kind == ExprKind::kLiteral) {
                       run += child.literal;
                     } else if (child.kind != ExprKind::kEmpty) {
                       flush();
                       merged.push_back(c);
                     }
                   }
                   flush();
                   return out.sequence(std::move(merged));
                 });
}

}  // namespace sluice::ir
