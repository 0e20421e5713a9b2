// Syntax of the regex front-end: located errors for what sluice rejects,
// budgets, and the IR shape of what it accepts. Language tables are in
// regex_lower_test.cc, the RE2 differential in regex_oracle_test.cc.
#include <catch2/catch.hpp>
#include <string>

#include "sluice/frontend.h"

namespace sluice {
namespace {

struct ErrorCase {
  const char* pattern;
  ErrorCode code;
  uint64_t offset;
  const char* message_part;
};

TEST_CASE("regex errors name the construct and its byte offset", "[regex]") {
  const ErrorCase cases[] = {
      {"a(?=b)", ErrorCode::kUnsupported, 1, "lookahead"},
      {"a(?!b)", ErrorCode::kUnsupported, 1, "negative lookahead"},
      {"ab(?<=b)", ErrorCode::kUnsupported, 2, "lookbehind"},
      {"(?<!x)y", ErrorCode::kUnsupported, 0, "negative lookbehind"},
      {"(a)\\1", ErrorCode::kUnsupported, 3, "backreference \\1"},
      {"(?<n>a)\\k<n>", ErrorCode::kUnsupported, 7, "backreference \\k"},
      {"a\\bc", ErrorCode::kUnsupported, 1, "word boundary"},
      {"a\\B", ErrorCode::kUnsupported, 1, "non-word boundary"},
      {"\\p{L}", ErrorCode::kUnsupported, 0, "property escape"},
      {"x\\z", ErrorCode::kUnsupported, 1, "unknown escape \\z"},
      {"[\\01]", ErrorCode::kUnsupported, 1, "octal"},
      {"é\\A", ErrorCode::kUnsupported, 2, "unknown escape \\A"},
      {"(ab", ErrorCode::kParseError, 0, "unclosed group"},
      {"ab)", ErrorCode::kParseError, 2, "unmatched ')'"},
      {"a[bc", ErrorCode::kParseError, 1, "unterminated character class"},
      {"[z-a]", ErrorCode::kParseError, 1, "out of order"},
      {"a{3,2}", ErrorCode::kParseError, 1, "out of order"},
      {"*a", ErrorCode::kParseError, 0, "nothing to repeat"},
      {"a|+", ErrorCode::kParseError, 2, "nothing to repeat"},
      {"a**", ErrorCode::kParseError, 2, "nothing to repeat"},
      {"^*", ErrorCode::kParseError, 1, "nothing to repeat"},
      {"{2}", ErrorCode::kParseError, 0, "nothing to repeat"},
      {"ab\\", ErrorCode::kParseError, 2, "lone backslash"},
      {"\\x4", ErrorCode::kParseError, 0, "two hex digits"},
      {"a\\u12G4", ErrorCode::kParseError, 1, "four hex digits"},
      {"\\u{110000}", ErrorCode::kParseError, 0, "10FFFF"},
      {"\\c1", ErrorCode::kParseError, 0, "ASCII letter"},
      {"(?i)a", ErrorCode::kParseError, 0, "invalid group"},
      {"(?<1x>a)", ErrorCode::kParseError, 0, "group name"},
      {"a{1000000000}", ErrorCode::kBudgetExceeded, 1, "max_repeat_bound"},
      {"a{2,99999999999999999999}", ErrorCode::kBudgetExceeded, 1, "max_repeat_bound"},
      {"ab\xff", ErrorCode::kParseError, 2, "UTF-8"},
  };
  for (const ErrorCase& c : cases) {
    INFO("pattern " << c.pattern);
    Result<Grammar> result = compile_regex(c.pattern);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == c.code);
    CHECK(result.error().location.offset == c.offset);
    CHECK_THAT(result.error().message, Catch::Matchers::Contains(c.message_part));
  }
}

TEST_CASE("unsatisfiable patterns are kUnsatisfiable for compile_regex", "[regex]") {
  for (const char* pattern : {"a^b", "x^", "$a", "[]", "a[]", "\\uD800"}) {
    INFO("pattern " << pattern);
    for (RegexMatchMode mode : {RegexMatchMode::kFullMatch, RegexMatchMode::kSearch}) {
      RegexOptions options;
      options.mode = mode;
      Result<Grammar> result = compile_regex(pattern, options);
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().code == ErrorCode::kUnsatisfiable);
    }
  }
}

TEST_CASE("10,000 nested groups are a budget error, not a stack overflow", "[regex]") {
  std::string deep = std::string(10000, '(') + "a" + std::string(10000, ')');
  Result<Grammar> result = compile_regex(deep);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kBudgetExceeded);
  CHECK(result.error().location.offset == 1000);

  std::string classes;
  for (int i = 0; i < 10000; ++i) classes += "(?:[(]";
  classes += std::string(10000, ')');
  result = compile_regex(classes);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kBudgetExceeded);
}

TEST_CASE("nesting up to max_nesting compiles", "[regex]") {
  std::string deep = std::string(1000, '(') + "a" + std::string(1000, ')') + "*";
  Result<Grammar> result = compile_regex(deep);
  REQUIRE(result.ok());
}

TEST_CASE("huge patterns compile in linear work or hit a named budget", "[regex]") {
  std::string literal(1 << 20, 'a');
  Result<Grammar> result = compile_regex(literal);
  REQUIRE(result.ok());
  CHECK(result->expr_count() < 5);

  std::string optionals;
  while (optionals.size() < (1 << 18)) optionals += "a?";
  CHECK(compile_regex(optionals).ok());

  std::string branches;
  for (int i = 0; branches.size() < (1 << 18); ++i) branches += (i ? "|w" : "w") + std::to_string(i);
  CHECK(compile_regex(branches).ok());

  std::string anchored_branches;
  while (anchored_branches.size() < (1 << 18)) anchored_branches += "^a$|";
  CHECK(compile_regex(anchored_branches).ok());

  // Each (^|a) re-joins everything before it: quadratic, so budgeted.
  std::string anchored_groups;
  while (anchored_groups.size() < (1 << 18)) anchored_groups += "(^|a)";
  result = compile_regex(anchored_groups);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kBudgetExceeded);
}

TEST_CASE("regression: quantifying a group that matches nothing read past the IR arena", "[regex]") {
  for (const char* pattern : {"(x^)*a", "[]*b", "(a$b){0,2}c", "([]|x^)+|d"}) {
    INFO("pattern " << pattern);
    Result<Grammar> result = compile_regex(pattern);
    REQUIRE(result.ok());
    CHECK(result->validate().ok());
  }
}

TEST_CASE("x{0,1000} stays one Repeat node", "[regex]") {
  Result<Grammar> result = compile_regex("x{0,1000}");
  REQUIRE(result.ok());
  const Grammar& g = *result;
  const Expr& body = g.expr(g.rule(g.root()).body);
  REQUIRE(body.kind == ExprKind::kRepeat);
  CHECK(body.min == 0);
  CHECK(body.max == 1000);
  CHECK(g.expr(body.children[0]).kind == ExprKind::kLiteral);
  CHECK(g.expr_count() < 10);

  RegexOptions search;
  search.mode = RegexMatchMode::kSearch;
  result = compile_regex("^(ab|c){2,1000}$", search);
  REQUIRE(result.ok());
  CHECK(result->expr_count() < 20);
}

TEST_CASE("the IR prints readably", "[regex]") {
  Result<Grammar> result = compile_regex("ab[0-9]+|\\d{2,3}?x*");
  REQUIRE(result.ok());
  CHECK(result->to_string() == "root ::= \"ab\" [0-9]+ | [0-9]{2,3} \"x\"*\n");

  RegexOptions search;
  search.mode = RegexMatchMode::kSearch;
  result = compile_regex("^a|b$", search);
  REQUIRE(result.ok());
  CHECK(result->to_string() ==
        "root ::= \"a\" [\\x00-\\uD7FF\\uE000-\\U0010FFFF]* | [\\x00-\\uD7FF\\uE000-\\U0010FFFF]* \"b\"\n");
}

TEST_CASE("lower_regex adds to an existing grammar without disturbing it", "[regex]") {
  Grammar g;
  RuleId root = g.declare_rule("root");
  ExprId before = g.literal("key");
  RegexOptions search;
  search.mode = RegexMatchMode::kSearch;
  Result<ExprId> first = lower_regex(g, "^[a-z]+$", search);
  Result<ExprId> second = lower_regex(g, "\\d", search);
  Result<ExprId> bad = lower_regex(g, "(?=x)", search);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE_FALSE(bad.ok());
  g.set_body(root, g.sequence({before, *first, *second}));
  REQUIRE(g.validate().ok());
  CHECK(g.rules().size() == 1);
  CHECK(g.to_string() ==
        "root ::= \"key\" [a-z]+ [\\x00-\\uD7FF\\uE000-\\U0010FFFF]* [0-9] [\\x00-\\uD7FF\\uE000-\\U0010FFFF]*\n");
}

TEST_CASE("a budget on copies bounds anchors nested inside groups", "[regex]") {
  // Each level copies the inner group's plain part (it follows both "^"
  // and "a"), so the copies grow quadratically with the depth.
  std::string pattern = "b";
  for (int i = 0; i < 100; ++i) pattern = "(^|a)(" + pattern + ")";
  RegexOptions options;
  options.max_anchor_work = 1000;
  Result<Grammar> result = compile_regex(pattern, options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kBudgetExceeded);
  CHECK_THAT(result.error().message, Catch::Matchers::Contains("max_anchor_work"));
}

}  // namespace
}  // namespace sluice
