// dedupe_expressions (ir/passes.h): structurally equal expressions share one
// node (hash-consing), so a later stage that caches per node, such as an
// automaton built per expression, does the work once.
#include <map>
#include <tuple>

#include "ir/passes.h"
#include "ir/rewrite.h"

namespace sluice::ir {

Grammar dedupe_expressions(const Grammar& grammar) {
  // Children are already deduplicated when a node is built (the rebuild is
  // bottom-up), so comparing child ids compares whole subtrees.
  using Key = std::tuple<ExprKind, uint32_t, uint32_t, RuleId, std::string, std::vector<uint32_t>,
                         std::vector<ExprId>, std::vector<uint64_t>>;
  std::map<Key, ExprId> interned;
  return rebuild(grammar, keep_all(grammar),
                 [&interned](Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId rule) -> ExprId {
                   ExprId built = build_node(out, node, std::move(children), rule);
                   const Expr& e = out.expr(built);
                   std::vector<uint32_t> ranges;
                   for (const CodepointRange& r : e.ranges) {
                     ranges.push_back(r.lo);
                     ranges.push_back(r.hi);
                   }
                   // Permutations with the same members differ by their masks
                   // and dependencies.
                   std::vector<uint64_t> sets;
                   if (e.kind == ExprKind::kPermutation) {
                     sets = {e.required, e.repeatable};
                     for (const PermutationDependency& d : e.dependencies) {
                       sets.push_back(d.trigger);
                       sets.push_back(d.needs.size());
                       sets.insert(sets.end(), d.needs.begin(), d.needs.end());
                     }
                   }
                   Key key{e.kind,           e.min,       e.max, e.kind == ExprKind::kRuleRef ? e.rule : 0,
                           e.literal,        std::move(ranges), e.children, std::move(sets)};
                   return interned.emplace(std::move(key), built).first->second;
                 });
}

}  // namespace sluice::ir
