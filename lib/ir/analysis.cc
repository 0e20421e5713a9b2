// Implements ir/analysis.h. Tested in tests/ir/analysis_test.cc.
#include "ir/analysis.h"

#include <algorithm>
#include <string>
#include <utility>

namespace sluice::ir {

namespace {

// One round of a monotone fixpoint: `fact` only ever turns from false to
// true, so repeating rounds until nothing changes terminates after at most
// (expressions + rules) rounds, whatever order the arena is in.
template <typename Eval>
void fixpoint(const Grammar& grammar, std::vector<bool>& expr_fact, std::vector<bool>& rule_fact, Eval eval) {
  expr_fact.assign(grammar.expr_count(), false);
  rule_fact.assign(grammar.rules().size(), false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (ExprId id = 0; id < grammar.expr_count(); ++id) {
      if (!expr_fact[id] && eval(grammar.expr(id))) {
        expr_fact[id] = true;
        changed = true;
      }
    }
    for (RuleId r = 0; r < grammar.rules().size(); ++r) {
      if (!rule_fact[r] && expr_fact[grammar.rule(r).body]) {
        rule_fact[r] = true;
        changed = true;
      }
    }
  }
}

// permutation_completable with dependencies: a search over which of each
// triggered dependency's needs to add. The JSON Schema compiler keeps its
// size small (few dependencies, few needs each, at most one member beyond
// the required ones needed for `min`); see sluice/grammar.h.
bool completable_with_dependencies(const PermutationLimits& e, uint64_t written, uint64_t count, uint64_t start_count,
                                   uint64_t usable, bool separator_usable, uint64_t triggers) {
  const uint64_t missing = e.required & ~written;
  if (missing & ~usable) return false;
  written |= missing;
  count += static_cast<uint64_t>(__builtin_popcountll(missing));
  if (e.max != kUnbounded && count > e.max) return false;
  for (const PermutationDependency& d : e.dependencies) {
    if (!(written & d.trigger)) continue;
    if (std::any_of(d.needs.begin(), d.needs.end(), [&](uint64_t need) { return (need & ~written) == 0; })) continue;
    for (uint64_t need : d.needs) {
      const uint64_t add = need & ~written;
      if ((add & ~usable) == 0 &&
          completable_with_dependencies(e, written | add, count + static_cast<uint64_t>(__builtin_popcountll(add)),
                                        start_count, usable, separator_usable, triggers)) {
        return true;
      }
    }
    return false;
  }
  // Every triggered dependency is met: what is left is the count.
  const uint64_t total = std::max<uint64_t>(count, e.min);
  if (e.max != kUnbounded && total > e.max) return false;
  // Writing more than one member, or one after others, takes a separator.
  if (!separator_usable && total > start_count && (start_count > 0 || total > 1)) return false;
  if (count >= e.min) return true;
  // Members that trigger nothing new (a repeatable one written already has
  // its dependency met by now), or a trigger whose dependency can be met.
  if (usable & e.repeatable & (~triggers | written)) return true;
  const uint64_t quiet = usable & ~written & ~triggers;
  if (e.min - count <= static_cast<uint64_t>(__builtin_popcountll(quiet))) return true;
  for (uint64_t left = usable & triggers & ~written; left; left &= left - 1) {
    const uint64_t bit = left & (~left + 1);
    if (completable_with_dependencies(e, written | bit, count + 1, start_count, usable, separator_usable, triggers)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool permutation_completable(const PermutationLimits& e, uint64_t written, uint32_t count, uint64_t usable, bool separator_usable) {
  if (!e.dependencies.empty()) {
    uint64_t triggers = 0;
    for (const PermutationDependency& d : e.dependencies) triggers |= d.trigger;
    return completable_with_dependencies(e, written, count, count, usable, separator_usable, triggers);
  }
  const uint64_t missing = e.required & ~written;
  if (missing & ~usable) return false;
  const uint64_t after_required = uint64_t{count} + static_cast<uint64_t>(__builtin_popcountll(missing));
  const uint64_t total = std::max<uint64_t>(after_required, e.min);
  if (e.max != kUnbounded && total > e.max) return false;
  const uint64_t to_write = total - count;
  if (to_write == 0) return true;
  if (!separator_usable && (count > 0 || to_write > 1)) return false;
  if (usable & e.repeatable) return true;
  const uint64_t optional_left = usable & ~e.required & ~written;
  return total - after_required <= static_cast<uint64_t>(__builtin_popcountll(optional_left));
}

namespace {

// Which members of a permutation satisfy `fact`.
uint64_t member_mask(const Expr& e, const std::vector<bool>& fact) {
  uint64_t mask = 0;
  for (size_t i = 1; i < e.children.size(); ++i) {
    if (fact[e.children[i]]) mask |= uint64_t{1} << (i - 1);
  }
  return mask;
}

}  // namespace

GrammarFacts analyze(const Grammar& grammar) {
  GrammarFacts facts;
  fixpoint(grammar, facts.expr_nullable, facts.rule_nullable, [&](const Expr& e) {
    switch (e.kind) {
      case ExprKind::kEmpty: return true;
      case ExprKind::kNothing:
      case ExprKind::kLiteral:
      case ExprKind::kCharClass: return false;
      case ExprKind::kSequence:
        for (ExprId c : e.children) {
          if (!facts.expr_nullable[c]) return false;
        }
        return true;
      case ExprKind::kChoice:
        for (ExprId c : e.children) {
          if (facts.expr_nullable[c]) return true;
        }
        return false;
      case ExprKind::kRepeat: return e.min == 0 || facts.expr_nullable[e.children[0]];
      case ExprKind::kRuleRef: return static_cast<bool>(facts.rule_nullable[e.rule]);
      case ExprKind::kPermutation:
        return permutation_completable(PermutationLimits::of(e), 0, 0, member_mask(e, facts.expr_nullable),
                                       facts.expr_nullable[e.children[0]]);
    }
    return false;
  });
  fixpoint(grammar, facts.expr_productive, facts.rule_productive, [&](const Expr& e) {
    switch (e.kind) {
      case ExprKind::kEmpty:
      case ExprKind::kLiteral:
      case ExprKind::kCharClass: return true;
      case ExprKind::kNothing: return false;
      case ExprKind::kSequence:
        for (ExprId c : e.children) {
          if (!facts.expr_productive[c]) return false;
        }
        return true;
      case ExprKind::kChoice:
        for (ExprId c : e.children) {
          if (facts.expr_productive[c]) return true;
        }
        return false;
      case ExprKind::kRepeat: return e.min == 0 || facts.expr_productive[e.children[0]];
      case ExprKind::kRuleRef: return static_cast<bool>(facts.rule_productive[e.rule]);
      case ExprKind::kPermutation:
        return permutation_completable(PermutationLimits::of(e), 0, 0, member_mask(e, facts.expr_productive),
                                       facts.expr_productive[e.children[0]]);
    }
    return false;
  });
  return facts;
}

std::vector<bool> reachable_rules(const Grammar& grammar) {
  std::vector<bool> rule_seen(grammar.rules().size(), false);
  std::vector<bool> expr_seen(grammar.expr_count(), false);
  std::vector<ExprId> work;
  if (grammar.root() >= grammar.rules().size()) return rule_seen;
  rule_seen[grammar.root()] = true;
  work.push_back(grammar.rule(grammar.root()).body);
  while (!work.empty()) {
    ExprId id = work.back();
    work.pop_back();
    if (expr_seen[id]) continue;
    expr_seen[id] = true;
    const Expr& e = grammar.expr(id);
    if (e.kind == ExprKind::kRuleRef && !rule_seen[e.rule]) {
      rule_seen[e.rule] = true;
      work.push_back(grammar.rule(e.rule).body);
    }
    for (ExprId c : e.children) work.push_back(c);
  }
  return rule_seen;
}

std::vector<std::vector<RuleId>> rule_references(const Grammar& grammar) {
  const size_t rule_count = grammar.rules().size();
  std::vector<std::vector<RuleId>> refs(rule_count);
  // Stamps instead of clearing a visited set per rule.
  std::vector<uint32_t> expr_stamp(grammar.expr_count(), 0);
  std::vector<uint32_t> rule_stamp(rule_count, 0);
  std::vector<ExprId> work;
  for (RuleId r = 0; r < rule_count; ++r) {
    const uint32_t stamp = r + 1;
    work.assign(1, grammar.rule(r).body);
    while (!work.empty()) {
      ExprId id = work.back();
      work.pop_back();
      if (expr_stamp[id] == stamp) continue;
      expr_stamp[id] = stamp;
      const Expr& e = grammar.expr(id);
      if (e.kind == ExprKind::kRuleRef && rule_stamp[e.rule] != stamp) {
        rule_stamp[e.rule] = stamp;
        refs[r].push_back(e.rule);
      }
      for (ExprId c : e.children) work.push_back(c);
    }
  }
  return refs;
}

std::vector<bool> recursive_rules(const Grammar& grammar) {
  // Tarjan's strongly connected components, with an explicit call stack.
  const std::vector<std::vector<RuleId>> refs = rule_references(grammar);
  const size_t n = refs.size();
  constexpr uint32_t kUnvisited = ~uint32_t{0};
  std::vector<uint32_t> index(n, kUnvisited), low(n, 0);
  std::vector<bool> on_stack(n, false), recursive(n, false);
  std::vector<RuleId> component_stack;
  struct Call {
    RuleId rule;
    size_t next;
  };
  std::vector<Call> calls;
  uint32_t counter = 0;
  for (RuleId start = 0; start < n; ++start) {
    if (index[start] != kUnvisited) continue;
    calls.push_back({start, 0});
    index[start] = low[start] = counter++;
    component_stack.push_back(start);
    on_stack[start] = true;
    while (!calls.empty()) {
      Call& call = calls.back();
      RuleId v = call.rule;
      if (call.next < refs[v].size()) {
        RuleId w = refs[v][call.next++];
        if (w == v) recursive[v] = true;
        if (index[w] == kUnvisited) {
          index[w] = low[w] = counter++;
          component_stack.push_back(w);
          on_stack[w] = true;
          calls.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().rule] = std::min(low[calls.back().rule], low[v]);
      if (low[v] == index[v]) {
        std::vector<RuleId> component;
        RuleId w;
        do {
          w = component_stack.back();
          component_stack.pop_back();
          on_stack[w] = false;
          component.push_back(w);
        } while (w != v);
        if (component.size() > 1) {
          for (RuleId c : component) recursive[c] = true;
        }
      }
    }
  }
  return recursive;
}

Status find_left_recursion(const Grammar& grammar, const GrammarFacts& facts) {
  // Nodes 0..E-1 are expressions, E..E+R-1 rules. An edge u -> v means "v
  // can start at the same input position as u": a rule starts with its body,
  // a reference with its rule, a choice with any alternative, a repeat with
  // its item, a sequence with each item up to and including the first that
  // cannot be empty. Left recursion is a cycle in this graph.
  const size_t expr_count = grammar.expr_count();
  const size_t node_count = expr_count + grammar.rules().size();
  auto successors = [&](size_t node) {
    std::vector<size_t> out;
    if (node >= expr_count) {
      out.push_back(grammar.rule(static_cast<RuleId>(node - expr_count)).body);
      return out;
    }
    const Expr& e = grammar.expr(static_cast<ExprId>(node));
    switch (e.kind) {
      case ExprKind::kRuleRef: out.push_back(expr_count + e.rule); break;
      case ExprKind::kChoice:
      case ExprKind::kRepeat:
      // Any member may come first, and the separator follows members that
      // may be empty.
      case ExprKind::kPermutation: out.assign(e.children.begin(), e.children.end()); break;
      case ExprKind::kSequence:
        for (ExprId c : e.children) {
          out.push_back(c);
          if (!facts.expr_nullable[c]) break;
        }
        break;
      default: break;
    }
    return out;
  };

  enum Color : uint8_t { kWhite, kGray, kBlack };
  std::vector<Color> color(node_count, kWhite);
  struct Frame {
    size_t node;
    std::vector<size_t> next;
    size_t index;
  };
  for (size_t start = expr_count; start < node_count; ++start) {
    if (color[start] != kWhite) continue;
    std::vector<Frame> path;
    color[start] = kGray;
    path.push_back({start, successors(start), 0});
    while (!path.empty()) {
      Frame& top = path.back();
      if (top.index == top.next.size()) {
        color[top.node] = kBlack;
        path.pop_back();
        continue;
      }
      size_t v = top.next[top.index++];
      if (color[v] == kBlack) continue;
      if (color[v] == kWhite) {
        color[v] = kGray;
        path.push_back({v, successors(v), 0});
        continue;
      }
      // v is on the current path: the path from v back to v is a cycle. Name
      // the rules on it in order.
      std::vector<RuleId> cycle;
      bool on_cycle = false;
      for (const Frame& f : path) {
        if (f.node == v) on_cycle = true;
        if (on_cycle && f.node >= expr_count) cycle.push_back(static_cast<RuleId>(f.node - expr_count));
      }
      if (cycle.empty()) {
        return make_error(ErrorCode::kInternal, "the grammar's expressions form a cycle without a rule");
      }
      const Rule& first = grammar.rule(cycle.front());
      // A long cycle is cut short: the first few rules locate it well enough.
      constexpr size_t kShown = 8;
      std::string chain;
      for (size_t i = 0; i < cycle.size() && i < kShown; ++i) chain += grammar.rule(cycle[i]).name + " -> ";
      chain += cycle.size() > kShown ? "... -> " + first.name : first.name;
      return make_error(ErrorCode::kUnsupported,
                        "rule '" + first.name + "' is left-recursive (" + chain +
                            " without consuming input); rewrite it with repetition, e.g. a ::= b (\"op\" b)*",
                        first.line ? Location::at(first.line, first.column) : Location{});
    }
  }
  return {};
}

}  // namespace sluice::ir
