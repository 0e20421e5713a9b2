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

TEST_CASE("permutation builder drops impossible members and simplifies") {
  Grammar g;
  const sluice::ExprId comma = g.literal(",");
  const sluice::ExprId a = g.literal("a"), b = g.literal("b"), none = g.nothing();
  // The member that matches nothing goes; masks follow the members left.
  const sluice::ExprId p = g.permutation(comma, {a, none, b}, 0b100, 0b001, 0, 5);
  const sluice::Expr& e = g.expr(p);
  REQUIRE(e.kind == sluice::ExprKind::kPermutation);
  CHECK(e.children == std::vector<sluice::ExprId>{comma, a, b});
  CHECK(e.required == 0b10);
  CHECK(e.repeatable == 0b01);
  CHECK(e.min == 0);
  CHECK(e.max == 5);
  // A required member that matches nothing, or more required than max.
  CHECK(g.expr(g.permutation(comma, {a, none}, 0b10, 0)).kind == sluice::ExprKind::kNothing);
  CHECK(g.expr(g.permutation(comma, {a, b}, 0b11, 0, 0, 1)).kind == sluice::ExprKind::kNothing);
  CHECK(g.expr(g.permutation(comma, {a, b}, 0, 0, 3, 2)).kind == sluice::ExprKind::kNothing);
  // No separator: one member at most.
  CHECK(g.permutation(none, {a, b}, 0b10, 0) == b);
  CHECK(g.expr(g.permutation(none, {a, b}, 0, 0)).kind == sluice::ExprKind::kRepeat);
  CHECK(g.expr(g.permutation(none, {a, b}, 0, 0, 2)).kind == sluice::ExprKind::kNothing);
  CHECK(g.expr(g.permutation(comma, {none}, 0, 0)).kind == sluice::ExprKind::kEmpty);
}

TEST_CASE("permutation dependencies follow the members left, and go where they cannot matter") {
  Grammar g;
  const sluice::ExprId comma = g.literal(",");
  const sluice::ExprId a = g.literal("a"), b = g.literal("b"), c = g.literal("c"), d = g.literal("d");
  const sluice::ExprId none = g.nothing();
  // Members none, a, b, c, d (bits 0-4), d required. a needs b or the
  // missing member; c needs only the missing member, so c itself goes; b
  // needs d, which is always written, so that dependency goes.
  const sluice::ExprId p = g.permutation(comma, {none, a, b, c, d}, 0b10000, 0, 0, sluice::kUnbounded,
                                         {{0b00010, {0b00100, 0b00001}}, {0b01000, {0b00001}}, {0b00100, {0b10000}}});
  const sluice::Expr& e = g.expr(p);
  REQUIRE(e.kind == ExprKind::kPermutation);
  CHECK(e.children == std::vector<sluice::ExprId>{comma, a, b, d});
  CHECK(e.required == 0b100);
  REQUIRE(e.dependencies.size() == 1);
  CHECK(e.dependencies[0].trigger == 0b001);
  CHECK(e.dependencies[0].needs == std::vector<uint64_t>{0b010});
  const sluice::RuleId root = g.declare_rule("root");
  g.set_root(root);
  g.set_body(root, p);
  CHECK(g.to_string().find("; 0 -> 1>") != std::string::npos);
  // No separator: a trigger cannot be written alone.
  CHECK(g.permutation(none, {a, b}, 0, 0, 1, sluice::kUnbounded, {{0b01, {0b10}}}) == b);
}

TEST_CASE("validate bounds permutations to the members a frame can track") {
  auto validate = [](uint32_t members, uint64_t repeatable, uint32_t max) {
    Grammar g;
    const sluice::RuleId root = g.declare_rule("root");
    g.set_root(root);
    std::vector<sluice::ExprId> keys;
    for (uint32_t i = 0; i < members; ++i) keys.push_back(g.literal("k" + std::to_string(i)));
    g.set_body(root, g.permutation(g.literal(","), keys, 0, repeatable, 0, max));
    return g.validate();
  };
  const sluice::Status too_many = validate(sluice::kMaxPermutationMembers + 1, 0, sluice::kUnbounded);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().code == sluice::ErrorCode::kBudgetExceeded);
  CHECK(validate(sluice::kMaxPermutationMembers, 0, sluice::kUnbounded).ok());
  CHECK_FALSE(validate(3, 1, sluice::kMaxPermutationCount + 1).ok());
  CHECK(validate(3, 1, sluice::kMaxPermutationCount).ok());
}
