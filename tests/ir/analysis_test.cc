#include <catch2/catch.hpp>

#include "ir/analysis.h"

using sluice::Grammar;
using sluice::RuleId;

TEST_CASE("analysis: nullable and productive facts through rules") {
  // root ::= a b ; a ::= "x"* ; b ::= "y" b | c ; c ::= [] ; d ::= "z"
  Grammar g;
  RuleId root = g.declare_rule("root");
  RuleId a = g.declare_rule("a");
  RuleId b = g.declare_rule("b");
  RuleId c = g.declare_rule("c");
  RuleId d = g.declare_rule("d");
  g.set_root(root);
  g.set_body(root, g.sequence({g.ref(a), g.ref(b)}));
  g.set_body(a, g.star(g.literal("x")));
  g.set_body(b, g.choice({g.sequence({g.literal("y"), g.ref(b)}), g.ref(c)}));
  g.set_body(c, g.char_class({}));
  g.set_body(d, g.literal("z"));
  REQUIRE(g.validate().ok());
  sluice::ir::GrammarFacts facts = sluice::ir::analyze(g);
  CHECK(facts.rule_nullable[a]);
  CHECK_FALSE(facts.rule_nullable[b]);
  CHECK(facts.rule_productive[a]);
  CHECK_FALSE(facts.rule_productive[b]);
  CHECK_FALSE(facts.rule_productive[c]);
  CHECK_FALSE(facts.rule_productive[root]);
  CHECK(facts.rule_productive[d]);
  CHECK(sluice::ir::find_left_recursion(g, facts).ok());

  std::vector<bool> reachable = sluice::ir::reachable_rules(g);
  CHECK(reachable == std::vector<bool>{true, true, true, true, false});
}

TEST_CASE("analysis: left recursion through nullable prefixes, repeats and choices") {
  auto check = [](const char* label, auto build, bool left_recursive) {
    INFO(label);
    Grammar g;
    RuleId root = g.declare_rule("root");
    RuleId other = g.declare_rule("other");
    g.set_root(root);
    build(g, root, other);
    REQUIRE(g.validate().ok());
    sluice::Status status = sluice::ir::find_left_recursion(g, sluice::ir::analyze(g));
    CHECK(status.ok() == !left_recursive);
    if (!status.ok()) CHECK(status.error().code == sluice::ErrorCode::kUnsupported);
  };
  check("root ::= other* root | x",
        [](Grammar& g, RuleId root, RuleId other) {
          g.set_body(root, g.choice({g.sequence({g.star(g.ref(other)), g.ref(root)}), g.literal("x")}));
          g.set_body(other, g.literal("o"));
        },
        true);
  check("root ::= (root \"x\")* \"y\"",
        [](Grammar& g, RuleId root, RuleId other) {
          g.set_body(root, g.sequence({g.star(g.sequence({g.ref(root), g.literal("x")})), g.literal("y")}));
          g.set_body(other, g.literal("o"));
        },
        true);
  check("root ::= \"(\" root \")\" | other ; other ::= \"\"",
        [](Grammar& g, RuleId root, RuleId other) {
          g.set_body(root, g.choice({g.sequence({g.literal("("), g.ref(root), g.literal(")")}), g.ref(other)}));
          g.set_body(other, g.empty());
        },
        false);
  check("root ::= other root ; other ::= \"o\"",
        [](Grammar& g, RuleId root, RuleId other) {
          g.set_body(root, g.sequence({g.ref(other), g.ref(root)}));
          g.set_body(other, g.literal("o"));
        },
        false);
  check("unreachable: other ::= other \"o\"",
        [](Grammar& g, RuleId root, RuleId other) {
          g.set_body(root, g.literal("r"));
          g.set_body(other, g.sequence({g.ref(other), g.literal("o")}));
        },
        true);
}

TEST_CASE("analysis: a chain of 100,000 rules needs no deep recursion") {
  Grammar g;
  const int n = 100000;
  std::vector<RuleId> ids;
  for (int i = 0; i < n; ++i) ids.push_back(g.declare_rule("r" + std::to_string(i)));
  g.set_root(ids[0]);
  for (int i = 0; i + 1 < n; ++i) g.set_body(ids[i], g.sequence({g.optional(g.literal("a")), g.ref(ids[i + 1])}));
  g.set_body(ids[n - 1], g.ref(ids[0]));
  sluice::Status status = sluice::ir::find_left_recursion(g, sluice::ir::analyze(g));
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("r0 -> r1 -> r2") != std::string::npos);
}

TEST_CASE("analysis: when a permutation can still complete") {
  using sluice::ir::PermutationLimits;
  using sluice::ir::permutation_completable;
  // Members 0..3; 0 and 1 required; 3 repeatable.
  const PermutationLimits limits{0b0011, 0b1000, 0, sluice::kUnbounded};
  CHECK(permutation_completable(limits, 0, 0, 0b1111, true));
  CHECK_FALSE(permutation_completable(limits, 0, 0, 0b1110, true));  // required member 0 unusable
  CHECK_FALSE(permutation_completable(limits, 0, 0, 0b1111, false));  // two members need a separator
  CHECK(permutation_completable(limits, 0b0011, 2, 0b0011, false));   // done already
  CHECK_FALSE(permutation_completable(limits, 0b0001, 1, 0b1111, false));
  // max 2: once an optional member is written, both required ones no longer fit.
  const PermutationLimits capped{0b0011, 0, 0, 2};
  CHECK(permutation_completable(capped, 0b0001, 1, 0b1111, true));
  CHECK_FALSE(permutation_completable(capped, 0b0100, 1, 0b1111, true));
  // min 3 with two optional members left, or with a repeatable one.
  const PermutationLimits at_least_three{0, 0, 3, sluice::kUnbounded};
  CHECK(permutation_completable(at_least_three, 0b0001, 1, 0b0111, true));
  CHECK_FALSE(permutation_completable(at_least_three, 0b0001, 1, 0b0011, true));
  const PermutationLimits repeat_to_three{0, 0b0010, 3, sluice::kUnbounded};
  CHECK(permutation_completable(repeat_to_three, 0b0011, 2, 0b0011, true));
  // Nullable view: no members at all is fine only without required members or min.
  CHECK(permutation_completable(PermutationLimits{}, 0, 0, 0, false));
  CHECK_FALSE(permutation_completable(PermutationLimits{0, 0, 1, sluice::kUnbounded}, 0, 0, 0, true));
}
