#include <catch2/catch.hpp>

#include <random>

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
  const PermutationLimits limits{0b0011, 0b1000, 0, sluice::kUnbounded, {}};
  CHECK(permutation_completable(limits, 0, 0, 0b1111, true));
  CHECK_FALSE(permutation_completable(limits, 0, 0, 0b1110, true));  // required member 0 unusable
  CHECK_FALSE(permutation_completable(limits, 0, 0, 0b1111, false));  // two members need a separator
  CHECK(permutation_completable(limits, 0b0011, 2, 0b0011, false));   // done already
  CHECK_FALSE(permutation_completable(limits, 0b0001, 1, 0b1111, false));
  // max 2: once an optional member is written, both required ones no longer fit.
  const PermutationLimits capped{0b0011, 0, 0, 2, {}};
  CHECK(permutation_completable(capped, 0b0001, 1, 0b1111, true));
  CHECK_FALSE(permutation_completable(capped, 0b0100, 1, 0b1111, true));
  // min 3 with two optional members left, or with a repeatable one.
  const PermutationLimits at_least_three{0, 0, 3, sluice::kUnbounded, {}};
  CHECK(permutation_completable(at_least_three, 0b0001, 1, 0b0111, true));
  CHECK_FALSE(permutation_completable(at_least_three, 0b0001, 1, 0b0011, true));
  const PermutationLimits repeat_to_three{0, 0b0010, 3, sluice::kUnbounded, {}};
  CHECK(permutation_completable(repeat_to_three, 0b0011, 2, 0b0011, true));
  // Nullable view: no members at all is fine only without required members or min.
  CHECK(permutation_completable(PermutationLimits{}, 0, 0, 0, false));
  CHECK_FALSE(permutation_completable(PermutationLimits{0, 0, 1, sluice::kUnbounded, {}}, 0, 0, 0, true));
}

namespace {

// The definition: some set of members written from here on (each at most
// once unless repeatable, only usable ones) ends the permutation.
bool completable_by_enumeration(const sluice::ir::PermutationLimits& limits, uint64_t written, uint32_t count,
                                uint64_t usable, bool separator_usable, uint32_t members) {
  const uint64_t all = (uint64_t{1} << members) - 1;
  for (uint64_t added = 0; added <= all; ++added) {
    if ((added & ~usable) || (added & written & ~limits.repeatable)) continue;
    const uint64_t set = written | added;
    if ((limits.required & ~set) || !limits.dependencies_met(set)) continue;
    // Repeatable members written again add to the count only.
    const bool can_repeat = (set & limits.repeatable & usable) != 0;
    for (uint32_t again = 0; again <= (can_repeat ? 8u : 0u); ++again) {
      const uint64_t final_count = count + static_cast<uint64_t>(__builtin_popcountll(added)) + again;
      if (final_count < limits.min || (limits.max != sluice::kUnbounded && final_count > limits.max)) continue;
      if (!separator_usable && final_count > count && (count > 0 || final_count > 1)) continue;
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("analysis: completion with dependencies agrees with enumerating what is left (random, fixed seed)") {
  std::mt19937_64 rng(7);
  const uint32_t members = 5;
  size_t completable = 0, not_completable = 0;
  for (int round = 0; round < 20000; ++round) {
    sluice::ir::PermutationLimits limits;
    limits.required = rng() & (rng() & 0x1F);
    limits.repeatable = (rng() % 2 == 0) ? uint64_t{1} << (rng() % members) : 0;
    limits.min = static_cast<uint32_t>(rng() % 4);
    limits.max = rng() % 3 == 0 ? static_cast<uint32_t>(limits.min + rng() % 4) : sluice::kUnbounded;
    for (size_t k = 0, n = 1 + rng() % 3; k < n; ++k) {
      sluice::PermutationDependency d{uint64_t{1} << (rng() % members), {}};
      for (size_t a = 0, alternatives = 1 + rng() % 2; a < alternatives; ++a) d.needs.push_back(rng() & 0x1F);
      limits.dependencies.push_back(d);
    }
    const uint64_t written = rng() & (rng() & 0x1F);
    const uint64_t usable = rng() & 0x1F | (rng() & 0x1F);
    const auto count = static_cast<uint32_t>(__builtin_popcountll(written) + (rng() % 4 == 0 ? 1 : 0));
    const bool separator_usable = rng() % 5 != 0;
    const bool expected = completable_by_enumeration(limits, written, count, usable, separator_usable, members);
    INFO("round " << round);
    CHECK(sluice::ir::permutation_completable(limits, written, count, usable, separator_usable) == expected);
    ++(expected ? completable : not_completable);
  }
  CHECK(completable > 500);
  CHECK(not_completable > 500);
}
