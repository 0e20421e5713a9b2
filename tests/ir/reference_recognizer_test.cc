// Hand-written tables for the reference recogniser: each grammar is built
// with the IR builder and each input is classified as accept, incomplete or
// reject at a given byte.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ir/reference_recognizer.h"

using sluice::ExprId;
using sluice::Grammar;
using sluice::kUnbounded;
using sluice::ir::ReferenceRecognizer;
using sluice::ir::Verdict;

namespace {

struct Case {
  std::string input;
  Verdict verdict;
  size_t reject_offset = 0;
};

constexpr Verdict A = Verdict::kAccept;
constexpr Verdict I = Verdict::kIncomplete;
constexpr Verdict R = Verdict::kReject;

// A grammar whose root is `body`, built by `build` on a fresh Grammar.
template <typename Build>
Grammar make(Build build) {
  Grammar g;
  sluice::RuleId root = g.declare_rule("root");
  g.set_root(root);
  g.set_body(root, build(g));
  return g;
}

void check_cases(const Grammar& g, const std::vector<Case>& cases) {
  auto recognizer = ReferenceRecognizer::create(g);
  REQUIRE(recognizer.ok());
  for (const Case& c : cases) {
    INFO("input: \"" << c.input << "\" grammar:\n" << g.to_string());
    auto result = recognizer->classify(c.input);
    REQUIRE(result.ok());
    CHECK(result->verdict == c.verdict);
    if (c.verdict == R) CHECK(result->reject_offset == c.reject_offset);
  }
}

}  // namespace

TEST_CASE("reference: literals") {
  Grammar g = make([](Grammar& g) { return g.literal("abc"); });
  check_cases(g, {{"", I}, {"a", I}, {"ab", I}, {"abc", A}, {"abcd", R, 3}, {"x", R, 0}, {"abx", R, 2}});
}

TEST_CASE("reference: the empty language rejects even the empty input") {
  Grammar g = make([](Grammar& g) { return g.nothing(); });
  check_cases(g, {{"", R, 0}, {"a", R, 0}});
  Grammar dead_branch = make([](Grammar& g) { return g.sequence({g.literal("a"), g.char_class({}, false)}); });
  check_cases(dead_branch, {{"", R, 0}, {"a", R, 0}});
}

TEST_CASE("reference: empty grammar body accepts only the empty string") {
  Grammar g = make([](Grammar& g) { return g.empty(); });
  check_cases(g, {{"", A}, {"a", R, 0}});
}

TEST_CASE("reference: ASCII classes, negation and dot") {
  Grammar g = make([](Grammar& g) {
    return g.sequence({g.char_class({{'a', 'z'}, {'0', '9'}, {'_', '_'}}), g.char_class({{'a', 'z'}}, true)});
  });
  check_cases(g, {{"", I}, {"a", I}, {"_", I}, {"5", I}, {"A", R, 0}, {"aA", A}, {"a0", A}, {"ab", R, 1},
                  {"a\xC3\xA9", A}, {"a\xC3", I}, {"a\x80", R, 1}, {"aAA", R, 2}});
}

TEST_CASE("reference: multi-byte code points and partial sequences") {
  // [é-€]: U+00E9 (C3 A9) .. U+20AC (E2 82 AC).
  Grammar g = make([](Grammar& g) { return g.char_class({{0xE9, 0x20AC}}); });
  check_cases(g, {
                     {"\xC3\xA9", A},       // é, the lower end
                     {"\xC3\xA8", R, 1},    // è, just below
                     {"\xC3", I},           // C3 80..BF covers é..ÿ
                     {"\xC2", R, 0},        // C2 xx is U+0080..U+00BF, all below
                     {"\xE2\x82\xAC", A},   // €, the upper end
                     {"\xE2\x82\xAD", R, 2},
                     {"\xE2\x82", I},
                     {"\xE2\x83", R, 1},    // E2 83 xx starts at U+20C0
                     {"\xE2", I},
                     {"\xE3", R, 0},
                     {"\xE0\xA0\x80", A},   // U+0800
                     {"\xE0\x9F\xBF", R, 1},  // overlong U+07FF
                     {"\xC3\xA9\xC3", R, 2},
                     {"e", R, 0},
                 });
}

TEST_CASE("reference: only valid UTF-8 gets through even the widest class") {
  Grammar g = make([](Grammar& g) { return g.star(g.char_class({{0, sluice::kMaxCodepoint}})); });
  check_cases(g, {
                     {"", A},
                     {"hello", A},
                     {"\xF0\x9F\x98\x80", A},  // U+1F600
                     {"\xF0\x9F\x98", I},
                     {"\xF4\x8F\xBF\xBF", A},  // U+10FFFF
                     {"\xF4\x90", R, 1},       // beyond U+10FFFF
                     {"\xF5", R, 0},
                     {"\xF8", R, 0},
                     {"\xFF", R, 0},
                     {"\xC0\xAF", R, 0},       // overlong '/': C0 itself is never valid
                     {"\xC1", R, 0},
                     {"\xE0\x80", R, 1},       // overlong three-byte form
                     {"\xF0\x8F", R, 1},       // overlong four-byte form
                     {"\xED\x9F\xBF", A},      // U+D7FF
                     {"\xED\xA0\x80", R, 1},   // U+D800, a surrogate
                     {"\xEE\x80\x80", A},      // U+E000
                     {"\x80", R, 0},
                     {"a\xBF", R, 1},
                     {"\xC3\xA9\xC3\xA9", A},
                     {"\xC3\x28", R, 1},
                 });
}

TEST_CASE("reference: a class of only astral code points") {
  Grammar g = make([](Grammar& g) { return g.char_class({{0x1F600, 0x1F64F}}); });
  check_cases(g, {{"\xF0\x9F\x98\x80", A}, {"\xF0\x9F\x99\x8F", A}, {"\xF0\x9F\x99\x90", R, 3},
                  {"\xF0\x9F\x97", R, 2}, {"\xF0\x9F", I}, {"\xF0", I}, {"\xF1", R, 0}, {"a", R, 0}});
}

TEST_CASE("reference: bounded and unbounded repetition") {
  Grammar g = make([](Grammar& g) { return g.repeat(g.literal("ab"), 2, 3); });
  check_cases(g, {{"", I}, {"ab", I}, {"aba", I}, {"abab", A}, {"ababa", I}, {"ababab", A},
                  {"abababa", R, 6}, {"abb", R, 2}});
  Grammar star = make([](Grammar& g) { return g.sequence({g.star(g.literal("a")), g.literal("b")}); });
  check_cases(star, {{"", I}, {"b", A}, {"aaaab", A}, {"aaaa", I}, {"ba", R, 1}});
  Grammar plus = make([](Grammar& g) { return g.plus(g.char_class({{'0', '9'}})); });
  check_cases(plus, {{"", I}, {"0", A}, {"0123456789", A}, {"12a", R, 2}});
  Grammar at_least = make([](Grammar& g) { return g.repeat(g.literal("x"), 3, kUnbounded); });
  check_cases(at_least, {{"xx", I}, {"xxx", A}, {std::string(50, 'x'), A}});
}

TEST_CASE("reference: x{0,1000} is not unrolled and counts exactly") {
  Grammar g = make([](Grammar& g) { return g.repeat(g.literal("x"), 0, 1000); });
  check_cases(g, {{"", A}, {std::string(999, 'x'), A}, {std::string(1000, 'x'), A},
                  {std::string(1001, 'x'), R, 1000}});
  Grammar exact = make([](Grammar& g) { return g.repeat(g.char_class({{'a', 'b'}}), 700, 700); });
  check_cases(exact, {{std::string(699, 'a'), I}, {std::string(700, 'b'), A}, {std::string(701, 'a'), R, 700}});
}

TEST_CASE("reference: nested rules, nullable rules and recursion") {
  // root ::= "(" inner ")" ; inner ::= root* ("x" | "") -- balanced parens.
  Grammar g;
  sluice::RuleId root = g.declare_rule("root");
  sluice::RuleId inner = g.declare_rule("inner");
  g.set_root(root);
  g.set_body(root, g.sequence({g.literal("("), g.ref(inner), g.literal(")")}));
  g.set_body(inner, g.sequence({g.star(g.ref(root)), g.choice({g.literal("x"), g.empty()})}));
  check_cases(g, {{"()", A}, {"(x)", A}, {"(()x)", A}, {"((()())(x))", A}, {"((", I}, {"(()", I},
                  {"())", R, 2}, {"(xx", R, 2}, {"(x(", R, 2}, {")", R, 0}});

  // A nullable rule between two literals.
  Grammar n;
  sluice::RuleId nroot = n.declare_rule("root");
  sluice::RuleId ws = n.declare_rule("ws");
  n.set_root(nroot);
  n.set_body(ws, n.star(n.char_class({{' ', ' '}, {'\n', '\n'}})));
  n.set_body(nroot, n.sequence({n.ref(ws), n.literal("a"), n.ref(ws), n.ref(ws), n.literal("b"), n.ref(ws)}));
  check_cases(n, {{"ab", A}, {" a \n b ", A}, {"  ", I}, {"a  ", I}, {"a b c", R, 4}});
}

TEST_CASE("reference: ambiguity does not multiply states or answers") {
  // ("a" | "a" | "aa")* "b" : many parses of the same prefix.
  Grammar g = make([](Grammar& g) {
    return g.sequence({g.star(g.choice({g.literal("a"), g.literal("a"), g.literal("aa")})), g.literal("b")});
  });
  check_cases(g, {{std::string(200, 'a') + "b", A}, {std::string(200, 'a'), I}, {"aaba", R, 3}});
  auto recognizer = ReferenceRecognizer::create(g);
  REQUIRE(recognizer.ok());
  REQUIRE(recognizer->feed(std::string(200, 'a')).value());
  CHECK_FALSE(recognizer->accepting());
}

TEST_CASE("reference: repetition of a nullable item terminates") {
  Grammar g = make([](Grammar& g) { return g.star(g.star(g.char_class({{'x', 'x'}}))); });
  check_cases(g, {{"", A}, {"xxxx", A}, {"xy", R, 1}});
  Grammar bounded = make([](Grammar& g) { return g.repeat(g.optional(g.literal("ab")), 2, 40); });
  check_cases(bounded, {{"", A}, {std::string("ab") + "ab" + "a", I}, {"abx", R, 2}});
}

TEST_CASE("reference: branches that can never finish count as dead") {
  // root ::= "a" loop | "b" ; loop ::= "c" loop  (loop matches nothing).
  Grammar g;
  sluice::RuleId root = g.declare_rule("root");
  sluice::RuleId loop = g.declare_rule("loop");
  g.set_root(root);
  g.set_body(root, g.choice({g.sequence({g.literal("a"), g.ref(loop)}), g.literal("b")}));
  g.set_body(loop, g.sequence({g.literal("c"), g.ref(loop)}));
  check_cases(g, {{"", I}, {"b", A}, {"a", R, 0}, {"ac", R, 0}});
}

TEST_CASE("reference: left recursion is refused at create() naming the rule") {
  // expr ::= term | expr "+" term : direct.
  Grammar g;
  sluice::RuleId expr = g.declare_rule("expr");
  sluice::RuleId term = g.declare_rule("term");
  g.set_root(expr);
  g.set_body(expr, g.choice({g.ref(term), g.sequence({g.ref(expr), g.literal("+"), g.ref(term)})}));
  g.set_body(term, g.char_class({{'0', '9'}}));
  auto direct = ReferenceRecognizer::create(g);
  REQUIRE_FALSE(direct.ok());
  CHECK(direct.error().code == sluice::ErrorCode::kUnsupported);
  CHECK(direct.error().message.find("'expr'") != std::string::npos);

  // a ::= b "x" ; b ::= "y"? a : indirect, through a nullable prefix.
  Grammar h;
  sluice::RuleId a = h.declare_rule("a");
  sluice::RuleId b = h.declare_rule("b");
  h.set_root(a);
  h.set_body(a, h.sequence({h.ref(b), h.literal("x")}));
  h.set_body(b, h.sequence({h.optional(h.literal("y")), h.ref(a)}));
  auto indirect = ReferenceRecognizer::create(h);
  REQUIRE_FALSE(indirect.ok());
  CHECK(indirect.error().message.find("a -> b -> a") != std::string::npos);
}

TEST_CASE("reference: running out of stacks is a budget error, sticky afterwards") {
  // (a | a a | a a a ...)* style explosion: "a"{0,5000} with a nullable item
  // makes thousands of distinct counts reachable at once.
  Grammar g = make([](Grammar& g) { return g.repeat(g.optional(g.literal("a")), 0, 5000); });
  sluice::ir::ReferenceOptions tight;
  tight.max_stacks = 100;
  auto at_create = ReferenceRecognizer::create(g, tight);
  REQUIRE_FALSE(at_create.ok());
  CHECK(at_create.error().code == sluice::ErrorCode::kBudgetExceeded);

  Grammar h = make([](Grammar& g) {
    return g.sequence({g.literal("a"), g.repeat(g.optional(g.literal("a")), 0, 5000)});
  });
  auto recognizer = ReferenceRecognizer::create(h, tight);
  REQUIRE(recognizer.ok());
  auto fed = recognizer->feed("a");
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().code == sluice::ErrorCode::kBudgetExceeded);
  auto again = recognizer->feed("a");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == sluice::ErrorCode::kBudgetExceeded);
}

TEST_CASE("reference: incremental feeding, copies and reset") {
  Grammar g = make([](Grammar& g) { return g.choice({g.literal("cat"), g.literal("car"), g.literal("ca")}); });
  auto made = ReferenceRecognizer::create(g);
  REQUIRE(made.ok());
  ReferenceRecognizer r = *made;
  REQUIRE(r.feed("ca").value());
  CHECK(r.accepting());
  ReferenceRecognizer fork = r;
  REQUIRE(fork.feed("t").value());
  CHECK(fork.accepting());
  CHECK_FALSE(r.feed("x").value());
  CHECK(r.dead());
  CHECK_FALSE(r.feed("t").value());
  r.reset();
  CHECK_FALSE(r.dead());
  CHECK_FALSE(r.accepting());
  REQUIRE(r.feed("car").value());
  CHECK(r.accepting());
  CHECK(fork.accepting());
}
