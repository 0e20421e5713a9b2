// ir::complement against the reference recogniser: on random regular
// expressions and random strings, the complement accepts exactly the
// strings the expression rejects.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <random>
#include <string>

#include "ir/complement.h"
#include "ir/reference_recognizer.h"
#include "sluice/grammar.h"

namespace {

using sluice::ExprId;
using sluice::Grammar;

// Expressions over a, b, c (and "any code point"), so that random strings
// over a-d (and é) often match.
ExprId random_regular(Grammar& g, std::mt19937_64& rng, int depth) {
  if (depth == 0 || rng() % 4 == 0) {
    switch (rng() % 5) {
      case 0: return g.literal(rng() % 2 ? "a" : "bc");
      case 1: return g.char_class({{'a', 'b'}});
      case 2: return g.char_class({{'c', 'c'}}, true);
      case 3: return g.empty();
      default: return g.char_class({{0, sluice::kMaxCodepoint}});
    }
  }
  auto children = [&](size_t n) {
    std::vector<ExprId> list;
    for (size_t i = 0; i < n; ++i) list.push_back(random_regular(g, rng, depth - 1));
    return list;
  };
  switch (rng() % 4) {
    case 0: return g.sequence(children(2 + rng() % 2));
    case 1: return g.choice(children(2 + rng() % 2));
    case 2: {
      const uint32_t min = static_cast<uint32_t>(rng() % 3);
      const uint32_t max = rng() % 3 == 0 ? sluice::kUnbounded : min + static_cast<uint32_t>(rng() % 3);
      return g.repeat(random_regular(g, rng, depth - 1), min, max);
    }
    default: return g.nothing();
  }
}

std::string random_text(std::mt19937_64& rng) {
  static const char* kPieces[] = {"a", "b", "c", "d", "\xC3\xA9"};
  std::string text;
  for (size_t i = 0, n = rng() % 7; i < n; ++i) text += kPieces[rng() % 5];
  return text;
}

bool accepts(const Grammar& g, sluice::RuleId root, const std::string& text) {
  Grammar copy = g;
  copy.set_root(root);
  auto recognizer = sluice::ir::ReferenceRecognizer::create(copy);
  REQUIRE(recognizer.ok());
  auto c = recognizer->classify(text);
  REQUIRE(c.ok());
  return c->verdict == sluice::ir::Verdict::kAccept;
}

}  // namespace

TEST_CASE("complement accepts exactly what the expression rejects (random, fixed seed)", "[ir][complement]") {
  std::mt19937_64 rng(11);
  size_t in = 0, out = 0;
  for (int round = 0; round < 300; ++round) {
    Grammar g;
    const ExprId expr = random_regular(g, rng, 3);
    auto complemented = sluice::ir::complement(g, expr, 1000);
    REQUIRE(complemented.ok());
    const sluice::RuleId original = g.declare_rule("original");
    g.set_body(original, expr);
    const sluice::RuleId other = g.declare_rule("other");
    g.set_body(other, *complemented);
    INFO(g.to_string());
    for (int i = 0; i < 12; ++i) {
      const std::string text = random_text(rng);
      INFO("text '" << text << "'");
      const bool matched = accepts(g, original, text);
      CHECK(accepts(g, other, text) != matched);
      ++(matched ? in : out);
    }
  }
  CHECK(in > 400);
  CHECK(out > 400);
}

TEST_CASE("complement: budgets and what is not regular", "[ir][complement]") {
  Grammar g;
  // (a|b)* a (a|b){12}: the DFA remembers the last 13 letters.
  const ExprId ab = g.char_class({{'a', 'b'}});
  const ExprId wide = g.sequence({g.star(ab), g.literal("a"), g.repeat(ab, 12, 12)});
  auto over = sluice::ir::complement(g, wide, 100);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == sluice::ErrorCode::kBudgetExceeded);
  CHECK(sluice::ir::complement(g, wide, 20000).ok());
  const sluice::RuleId r = g.declare_rule("r");
  g.set_body(r, g.literal("x"));
  auto ref = sluice::ir::complement(g, g.ref(r), 100);
  REQUIRE_FALSE(ref.ok());
  CHECK(ref.error().code == sluice::ErrorCode::kUnsupported);
}

TEST_CASE("regression: a state's edges back to itself were a call per character, hiding string bodies from the "
          "matcher's slice absorption",
          "[ir][complement]") {
  Grammar g;
  const size_t rules_before = g.rules().size();
  // Not "ab": after a character other than a, or after "ab" and more, any
  // rest; those states loop on every character.
  auto complemented = sluice::ir::complement(g, g.literal("ab"), 100);
  REQUIRE(complemented.ok());
  INFO(g.to_string());
  std::function<bool(ExprId, sluice::RuleId)> calls = [&](ExprId e, sluice::RuleId rule) {
    const sluice::Expr& expr = g.expr(e);
    if (expr.kind == sluice::ExprKind::kRuleRef) return expr.rule == rule;
    return std::any_of(expr.children.begin(), expr.children.end(), [&](ExprId c) { return calls(c, rule); });
  };
  size_t loops = 0;
  for (size_t r = rules_before; r < g.rules().size(); ++r) {
    const auto rule = static_cast<sluice::RuleId>(r);
    CHECK_FALSE(calls(g.rule(rule).body, rule));
    const sluice::Expr& body = g.expr(g.rule(rule).body);
    const sluice::Expr& head = body.kind == sluice::ExprKind::kSequence ? g.expr(body.children[0]) : body;
    loops += head.kind == sluice::ExprKind::kRepeat && head.max == sluice::kUnbounded;
  }
  CHECK(loops >= 1);
}
