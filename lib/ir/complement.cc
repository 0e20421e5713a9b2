// complement (ir/complement.h): NFA, subset construction, swapped accepting
// states, one rule per DFA state.
#include "ir/complement.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/utf8_decode.h"

namespace sluice::ir {
namespace {

struct RangeEdge {
  uint32_t lo, hi, to;
};

class NfaBuilder {
 public:
  NfaBuilder(const Grammar& grammar, size_t max_nodes) : grammar_(grammar), max_nodes_(max_nodes) {}

  // Adds `expr` between two fresh nodes; false when it is not regular here
  // or the NFA would pass max_nodes.
  Status build(ExprId expr, uint32_t& start, uint32_t& end) {
    const Expr& e = grammar_.expr(expr);
    start = node();
    switch (e.kind) {
      case ExprKind::kEmpty:
        end = start;
        break;
      case ExprKind::kNothing:
        end = node();
        break;
      case ExprKind::kLiteral: {
        end = start;
        for (size_t i = 0; i < e.literal.size();) {
          const uint32_t cp = next_codepoint(e.literal, i);
          const uint32_t next = node();
          edges_[end].push_back({cp, cp, next});
          end = next;
        }
        break;
      }
      case ExprKind::kCharClass:
        end = node();
        for (const CodepointRange& r : e.ranges) edges_[start].push_back({r.lo, r.hi, end});
        break;
      case ExprKind::kSequence: {
        end = start;
        for (ExprId child : e.children) {
          uint32_t s = 0, t = 0;
          if (Status st = build(child, s, t); !st.ok()) return st;
          epsilon_[end].push_back(s);
          end = t;
        }
        break;
      }
      case ExprKind::kChoice: {
        end = node();
        for (ExprId child : e.children) {
          uint32_t s = 0, t = 0;
          if (Status st = build(child, s, t); !st.ok()) return st;
          epsilon_[start].push_back(s);
          epsilon_[t].push_back(end);
        }
        break;
      }
      case ExprKind::kRepeat: {
        end = start;
        for (uint32_t i = 0; i < e.min; ++i) {
          uint32_t s = 0, t = 0;
          if (Status st = build(e.children[0], s, t); !st.ok()) return st;
          epsilon_[end].push_back(s);
          end = t;
        }
        if (e.max == kUnbounded) {
          uint32_t s = 0, t = 0;
          if (Status st = build(e.children[0], s, t); !st.ok()) return st;
          epsilon_[end].push_back(s);
          epsilon_[t].push_back(end);
        } else {
          // Each optional run may be skipped to the end.
          const uint32_t last = node();
          for (uint32_t i = e.min; i < e.max; ++i) {
            uint32_t s = 0, t = 0;
            if (Status st = build(e.children[0], s, t); !st.ok()) return st;
            epsilon_[end].push_back(s);
            epsilon_[end].push_back(last);
            end = t;
          }
          epsilon_[end].push_back(last);
          end = last;
        }
        break;
      }
      case ExprKind::kRuleRef:
      case ExprKind::kPermutation:
        return make_error(ErrorCode::kUnsupported, "the complement of a rule reference or permutation");
    }
    if (edges_.size() > max_nodes_) {
      return make_error(ErrorCode::kBudgetExceeded, "the complement's automaton passes its state budget");
    }
    return {};
  }

  // The nodes reachable from `set` without input, sorted.
  std::vector<uint32_t> closure(std::vector<uint32_t> set) const {
    std::vector<bool> seen(edges_.size(), false);
    for (uint32_t n : set) seen[n] = true;
    for (size_t i = 0; i < set.size(); ++i) {
      for (uint32_t next : epsilon_[set[i]]) {
        if (!seen[next]) {
          seen[next] = true;
          set.push_back(next);
        }
      }
    }
    std::sort(set.begin(), set.end());
    return set;
  }

  const std::vector<RangeEdge>& edges(uint32_t n) const { return edges_[n]; }

 private:
  uint32_t node() {
    edges_.emplace_back();
    epsilon_.emplace_back();
    return static_cast<uint32_t>(edges_.size() - 1);
  }

  const Grammar& grammar_;
  size_t max_nodes_;
  std::vector<std::vector<RangeEdge>> edges_;
  std::vector<std::vector<uint32_t>> epsilon_;
};

}  // namespace

Result<ExprId> complement(Grammar& grammar, ExprId expr, size_t max_states) {
  // The NFA of a bounded repeat grows with its bound; the DFA budget bounds
  // the NFA too, at a fixed ratio.
  NfaBuilder nfa(grammar, max_states * 16);
  uint32_t start = 0, end = 0;
  if (Status st = nfa.build(expr, start, end); !st.ok()) return st.error();

  // DFA states are closed NFA node sets; the empty set is the dead state.
  std::map<std::vector<uint32_t>, uint32_t> ids;
  std::vector<std::vector<uint32_t>> sets;
  struct Transition {
    uint32_t lo, hi, to;
  };
  std::vector<std::vector<Transition>> moves;
  auto intern = [&](std::vector<uint32_t> set) -> std::optional<uint32_t> {
    auto [it, added] = ids.emplace(set, static_cast<uint32_t>(sets.size()));
    if (added) {
      if (sets.size() >= max_states) return std::nullopt;
      sets.push_back(std::move(set));
      moves.emplace_back();
    }
    return it->second;
  };
  if (!intern(nfa.closure({start}))) {
    return make_error(ErrorCode::kBudgetExceeded, "the complement's automaton passes its state budget");
  }
  for (size_t q = 0; q < sets.size(); ++q) {
    // The code-point intervals the state's edges cut the space into.
    std::vector<uint32_t> cuts = {0, kMaxCodepoint + 1};
    for (uint32_t n : sets[q]) {
      for (const RangeEdge& e : nfa.edges(n)) {
        cuts.push_back(e.lo);
        cuts.push_back(e.hi + 1);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      const uint32_t lo = cuts[k], hi = cuts[k + 1] - 1;
      std::vector<uint32_t> targets;
      for (uint32_t n : sets[q]) {
        for (const RangeEdge& e : nfa.edges(n)) {
          if (e.lo <= lo && hi <= e.hi) targets.push_back(e.to);
        }
      }
      std::optional<uint32_t> to = intern(nfa.closure(std::move(targets)));
      if (!to) return make_error(ErrorCode::kBudgetExceeded, "the complement's automaton passes its state budget");
      std::vector<Transition>& out = moves[q];
      if (!out.empty() && out.back().to == *to && out.back().hi + 1 == lo) {
        out.back().hi = hi;
      } else {
        out.push_back({lo, hi, *to});
      }
    }
  }

  // Swapped: a state accepts when no NFA path has ended. The dead state
  // (and any state that cannot reach the NFA's end) accepts every rest.
  std::vector<RuleId> rules;
  const size_t first_rule = grammar.rules().size();
  for (size_t q = 0; q < sets.size(); ++q) {
    rules.push_back(grammar.declare_rule("notmatch" + std::to_string(first_rule + q)));
  }
  for (size_t q = 0; q < sets.size(); ++q) {
    std::vector<ExprId> alternatives;
    if (!std::binary_search(sets[q].begin(), sets[q].end(), end)) alternatives.push_back(grammar.empty());
    std::map<uint32_t, std::vector<CodepointRange>> by_target;
    for (const Transition& t : moves[q]) by_target[t.to].push_back({t.lo, t.hi});
    std::optional<ExprId> self_loop;
    for (auto& [to, ranges] : by_target) {
      const ExprId cls = grammar.char_class(std::move(ranges));
      if (grammar.expr(cls).kind == ExprKind::kNothing) continue;
      if (to == q) {
        self_loop = cls;
        continue;
      }
      alternatives.push_back(grammar.sequence({cls, grammar.ref(rules[to])}));
    }
    // A state's edges back to itself as a loop inside its rule, not a call
    // per character: the matcher then sees a string body it can take the
    // vocabulary's plain-text tokens through at once (matcher/
    // slice_absorption.h), which a chain of calls hides from it. The DFA's
    // other edges leave on characters the loop does not take, so this
    // matches the same strings.
    ExprId rest = grammar.choice(std::move(alternatives));
    if (self_loop) rest = grammar.sequence({grammar.star(*self_loop), rest});
    grammar.set_body(rules[q], rest);
  }
  return grammar.ref(rules[0]);
}

}  // namespace sluice::ir
