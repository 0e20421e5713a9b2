// Implements ir/rewrite.h. Tested through tests/ir/passes_test.cc.
#include "ir/rewrite.h"

#include <utility>

#include "ir/analysis.h"

namespace sluice::ir {

namespace {
constexpr uint32_t kUnmapped = ~uint32_t{0};
}  // namespace

ExprId build_node(Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId mapped_rule) {
  switch (node.kind) {
    case ExprKind::kEmpty: return out.empty();
    case ExprKind::kNothing: return out.nothing();
    case ExprKind::kLiteral: return out.literal(node.literal);
    case ExprKind::kCharClass: return out.char_class(node.ranges);
    case ExprKind::kSequence: return out.sequence(std::move(children));
    case ExprKind::kChoice: return out.choice(std::move(children));
    case ExprKind::kRepeat: return out.repeat(children[0], node.min, node.max);
    case ExprKind::kRuleRef: return out.ref(mapped_rule);
    case ExprKind::kPermutation: {
      const ExprId separator = children[0];
      children.erase(children.begin());
      return out.permutation(separator, std::move(children), node.required, node.repeatable, node.min, node.max,
                             node.dependencies);
    }
  }
  return out.nothing();
}

RebuildPlan keep_all(const Grammar& grammar) {
  RebuildPlan plan;
  plan.keep.assign(grammar.rules().size(), true);
  plan.inline_refs.assign(grammar.rules().size(), false);
  return plan;
}

Grammar rebuild(const Grammar& grammar, const RebuildPlan& requested, const NodeBuilder& build) {
  const size_t rule_count = grammar.rules().size();
  // Enforce the plan's contract rather than trust it: a recursive rule or
  // the root is never inlined, and a rule not inlined is kept when used.
  RebuildPlan plan = requested;
  plan.keep.resize(rule_count, true);
  plan.inline_refs.resize(rule_count, false);
  std::vector<bool> recursive = recursive_rules(grammar);
  for (RuleId r = 0; r < rule_count; ++r) {
    if (recursive[r] || r == grammar.root()) plan.inline_refs[r] = false;
  }
  plan.keep[grammar.root()] = true;

  Grammar out;
  std::vector<RuleId> rule_map(rule_count, kUnmapped);
  std::vector<ExprId> expr_map(grammar.expr_count(), kUnmapped);
  std::vector<bool> expanded(grammar.expr_count(), false);

  auto declare = [&](RuleId r) {
    if (rule_map[r] != kUnmapped) return;
    const Rule& rule = grammar.rule(r);
    rule_map[r] = out.declare_rule(rule.name);
    out.set_rule_location(rule_map[r], rule.line, rule.column);
  };
  for (RuleId r = 0; r < rule_count; ++r) {
    if (plan.keep[r] && !plan.inline_refs[r]) declare(r);
  }

  // Post-order walk: a node is built once its children (and, for an inlined
  // reference, the referenced body) are. References to rules that were
  // dropped by the plan but are still used keep their rule.
  std::vector<ExprId> work;
  auto map_expr = [&](ExprId root) {
    work.assign(1, root);
    while (!work.empty()) {
      ExprId id = work.back();
      if (expr_map[id] != kUnmapped) {
        work.pop_back();
        continue;
      }
      const Expr& e = grammar.expr(id);
      const bool inlined = e.kind == ExprKind::kRuleRef && plan.inline_refs[e.rule];
      if (!expanded[id]) {
        expanded[id] = true;
        if (inlined) {
          work.push_back(grammar.rule(e.rule).body);
        } else {
          for (ExprId c : e.children) work.push_back(c);
        }
        continue;
      }
      work.pop_back();
      if (inlined) {
        expr_map[id] = expr_map[grammar.rule(e.rule).body];
        continue;
      }
      std::vector<ExprId> children;
      children.reserve(e.children.size());
      for (ExprId c : e.children) children.push_back(expr_map[c]);
      RuleId mapped_rule = 0;
      if (e.kind == ExprKind::kRuleRef) {
        declare(e.rule);
        mapped_rule = rule_map[e.rule];
      }
      expr_map[id] = build(out, e, std::move(children), mapped_rule);
    }
    return expr_map[root];
  };

  // Rules first mentioned only by reference are declared during the walk,
  // so keep going until every declared rule has a body.
  std::vector<bool> done(rule_count, false);
  bool progress = true;
  while (progress) {
    progress = false;
    for (RuleId r = 0; r < rule_count; ++r) {
      if (done[r] || rule_map[r] == kUnmapped) continue;
      done[r] = true;
      progress = true;
      out.set_body(rule_map[r], map_expr(grammar.rule(r).body));
    }
  }
  out.set_root(rule_map[grammar.root()]);
  return out;
}

}  // namespace sluice::ir
