#include <catch2/catch.hpp>

#include "sluice/grammar.h"

using sluice::CodepointRange;
using sluice::ExprKind;
using sluice::Grammar;

TEST_CASE("char_class normalises ranges and cuts out surrogates") {
  Grammar g;
  const sluice::Expr& e = g.expr(g.char_class({{'z', 'z'}, {'a', 'c'}, {'b', 'f'}, {'g', 'h'}}));
  REQUIRE(e.kind == ExprKind::kCharClass);
  CHECK(e.ranges == std::vector<CodepointRange>{{'a', 'h'}, {'z', 'z'}});

  const sluice::Expr& all = g.expr(g.char_class({{0, 0x10FFFF}}));
  CHECK(all.ranges == std::vector<CodepointRange>{{0, 0xD7FF}, {0xE000, 0x10FFFF}});

  const sluice::Expr& negated = g.expr(g.char_class({{'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true));
  CHECK(negated.ranges ==
        std::vector<CodepointRange>{{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0x10FFFF}});

  CHECK(g.expr(g.char_class({}, false)).kind == ExprKind::kNothing);
  CHECK(g.expr(g.char_class({{0, 0x10FFFF}}, true)).kind == ExprKind::kNothing);
}

TEST_CASE("builders flatten and simplify") {
  Grammar g;
  sluice::ExprId a = g.literal("a");
  sluice::ExprId b = g.literal("b");
  sluice::ExprId seq = g.sequence({a, g.sequence({b, g.empty()}), g.literal("")});
  CHECK(g.expr(seq).children.size() == 2);
  CHECK(g.expr(g.sequence({a, g.nothing()})).kind == ExprKind::kNothing);
  CHECK(g.expr(g.choice({a, g.nothing()})).kind == ExprKind::kLiteral);
  CHECK(g.expr(g.choice({})).kind == ExprKind::kNothing);
  CHECK(g.expr(g.repeat(a, 1, 1)).kind == ExprKind::kLiteral);
  CHECK(g.expr(g.repeat(a, 0, 0)).kind == ExprKind::kEmpty);
  CHECK(g.expr(g.repeat(g.nothing(), 0, 3)).kind == ExprKind::kEmpty);
}

TEST_CASE("to_string prints readable GBNF with root first") {
  Grammar g;
  sluice::RuleId root = g.declare_rule("root");
  sluice::RuleId digit = g.declare_rule("digit");
  g.set_body(digit, g.char_class({{'0', '9'}}));
  g.set_body(root, g.sequence({g.literal("n=\"\n"), g.repeat(g.ref(digit), 1, 1000),
                               g.optional(g.choice({g.literal("x"), g.literal("y")}))}));
  g.set_root(root);
  REQUIRE(g.validate().ok());
  CHECK(g.to_string() == "root ::= \"n=\\\"\\n\" digit{1,1000} (\"x\" | \"y\")?\ndigit ::= [0-9]\n");
}

TEST_CASE("validate reports a rule used but never defined") {
  Grammar g;
  sluice::RuleId root = g.declare_rule("root");
  g.set_body(root, g.ref(g.declare_rule("value")));
  sluice::Status status = g.validate();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == sluice::ErrorCode::kUnresolvedRef);
  CHECK(status.error().message.find("value") != std::string::npos);
}
