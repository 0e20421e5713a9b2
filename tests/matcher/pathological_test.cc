// Grammars that break other engines must end quickly here, with a result or
// a budget error: nested stars, long optional chains, deep nesting, a 1 MB
// literal, huge bounded repetitions, ambiguity, left recursion.
#include <catch2/catch.hpp>

#include "matcher/harness.h"
#include "sluice/frontend.h"

namespace sluice::testing {

namespace {

Grammar gbnf(const std::string& text) {
  auto g = parse_gbnf(text);
  REQUIRE(g.ok());
  return g.value();
}

std::shared_ptr<const CompiledGrammar> compile_or_die(const Grammar& g, const Vocabulary& v) {
  auto c = CompiledGrammar::compile(g, v);
  REQUIRE(c.ok());
  return c.value();
}

std::vector<int32_t> mask_of(Matcher& m) {
  std::vector<int32_t> mask(m.mask_words());
  REQUIRE(m.fill_next_token_bitmask(mask.data()).ok());
  return mask;
}

}  // namespace

TEST_CASE("nested stars ( [x]* )*", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  Grammar g = gbnf("root ::= ( [x]* )* \"y\"");
  Matcher m(compile_or_die(g, v));
  REQUIRE(m.accept_string(std::string(20000, 'x')));
  REQUIRE(m.status().ok());
  auto mask = mask_of(m);
  REQUIRE(bit(mask, 2 + 'x'));
  REQUIRE(bit(mask, 2 + 'y'));
  REQUIRE(!bit(mask, 0));
  differential_walk(g, v, 3);
}

TEST_CASE("forty optionals x? x? ...", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  std::string text = "root ::= ";
  for (int i = 0; i < 40; ++i) text += "\"x\"? ";
  Grammar g = gbnf(text);
  Matcher m(compile_or_die(g, v));
  for (int i = 0; i < 40; ++i) {
    REQUIRE(m.is_accepting());
    REQUIRE(m.accept_string("x"));
  }
  REQUIRE(!m.accept_string("x"));
  REQUIRE(m.is_accepting());
  differential_walk(g, v, 4);
}

TEST_CASE("nesting 10,000 deep", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  SECTION("expressions") {
    Grammar g;
    RuleId root = g.declare_rule("root");
    g.set_root(root);
    ExprId e = g.literal("x");
    for (int i = 0; i < 10000; ++i) e = g.sequence({g.literal("("), g.choice({e, g.literal("y")}), g.literal(")")});
    g.set_body(root, e);
    auto c = CompiledGrammar::compile(g, v);
    REQUIRE(c.ok());
    Matcher m(c.value());
    REQUIRE(m.accept_string(std::string(10000, '(') + "x" + std::string(10000, ')')));
    REQUIRE(m.is_accepting());
  }
  SECTION("rules") {
    std::string text;
    for (int i = 0; i < 10000; ++i) {
      text += (i == 0 ? std::string("root") : "r" + std::to_string(i)) + " ::= \"(\" r" + std::to_string(i + 1) +
              " \")\" | \"x\"\n";
    }
    text += "r10000 ::= \"x\"\n";
    Matcher m(compile_or_die(gbnf(text), v));
    REQUIRE(m.accept_string(std::string(10000, '(') + "x"));
    auto mask = mask_of(m);
    REQUIRE(bit(mask, 2 + ')'));
    REQUIRE(!bit(mask, 0));
    REQUIRE(m.accept_string(std::string(10000, ')')));
    REQUIRE(m.is_accepting());
  }
  SECTION("recursion in the input") {
    Matcher m(compile_or_die(json_grammar(), v));
    REQUIRE(m.accept_string(std::string(10000, '[')));
    REQUIRE(m.accept_string(std::string(10000, ']')));
    REQUIRE(m.is_accepting());
  }
}

TEST_CASE("a 1 MB literal", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  std::string big(1 << 20, 'a');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = 'b';
  Grammar g;
  RuleId root = g.declare_rule("root");
  g.set_root(root);
  g.set_body(root, g.literal(big));
  auto c = CompiledGrammar::compile(g, v);
  REQUIRE(c.ok());
  Matcher m(c.value());
  REQUIRE(m.forced_bytes(16) == big.substr(0, 16));
  REQUIRE(m.accept_string(big.substr(0, big.size() - 1)));
  auto mask = mask_of(m);
  REQUIRE(bit(mask, 2 + static_cast<uint8_t>(big.back())));
  REQUIRE(m.accept_string(big.substr(big.size() - 1)));
  REQUIRE(m.is_accepting());
}

TEST_CASE("x{0,1000} and x{1000} stay cheap", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  auto c = CompiledGrammar::compile(gbnf("root ::= \"x\"{0,1000} \"y\"{1000}"), v);
  REQUIRE(c.ok());
  REQUIRE(c.value()->stats().counter_loops == 2);
  REQUIRE(c.value()->stats().states < 20);
  Matcher m(c.value());
  REQUIRE(m.accept_string(std::string(1000, 'x')));
  auto mask = mask_of(m);
  REQUIRE(!bit(mask, 2 + 'x'));
  REQUIRE(bit(mask, 2 + 'y'));
  REQUIRE(m.accept_string(std::string(999, 'y')));
  REQUIRE(!m.is_accepting());
  REQUIRE(m.accept_string("y"));
  REQUIRE(m.is_accepting());
  REQUIRE(!m.accept_string("y"));
  // Small bounds checked against the reference, counters forced on.
  WalkOptions options;
  options.compile.unroll_state_limit = 0;
  options.steps = 30;
  differential_walk(gbnf("root ::= ([ab] \"c\"?){2,7} (\"d\"{0,3} | [a-c]{3,}) \"e\"?"), v, 8, options);
}

TEST_CASE("a nullable body under a counter counts only real iterations", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  WalkOptions options;
  options.compile.unroll_state_limit = 0;
  options.steps = 30;
  differential_walk(gbnf("root ::= (\"a\"? \"b\"?){3,5} \"c\""), v, 9, options);
  auto c = CompiledGrammar::compile(gbnf("root ::= (\"a\"? \"b\"?){0,1000}"), v, options.compile);
  REQUIRE(c.ok());
  Matcher m(c.value());
  REQUIRE(m.accept_string(std::string(1000, 'a')));
  REQUIRE(!m.accept_string("a"));
  REQUIRE(m.is_accepting());
}

TEST_CASE("ambiguous grammars", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  Grammar g = gbnf("root ::= (\"x\" | \"xx\" | \"x\" \"x\" | a)* \"y\"\na ::= \"x\" | \"x\"*");
  Matcher m(compile_or_die(g, v));
  REQUIRE(m.accept_string(std::string(5000, 'x')));
  REQUIRE(m.accept_string("y"));
  REQUIRE(m.is_accepting());
  differential_walk(g, v, 10);
}

TEST_CASE("left recursion is an error, not a hang", "[matcher][pathological]") {
  Vocabulary v = small_vocabulary(1);
  auto g = parse_gbnf("root ::= root \"x\" | \"y\"");
  if (!g.ok()) {
    REQUIRE(g.error().code == ErrorCode::kUnsupported);
    return;
  }
  auto c = CompiledGrammar::compile(g.value(), v);
  REQUIRE(!c.ok());
  REQUIRE(c.error().code == ErrorCode::kUnsupported);
}

}  // namespace sluice::testing
