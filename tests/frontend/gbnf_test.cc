// parse_gbnf: syntax, escapes, error locations and excerpts, pathological
// inputs, and a print/parse round trip over random grammars.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "frontend/gbnf.h"
#include "ir/random_grammar.h"
#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

using sluice::ErrorCode;
using sluice::parse_gbnf;
using sluice::ir::ReferenceRecognizer;
using sluice::ir::Verdict;

namespace {

// These tests look at the rules as written, not as the IR passes leave them.
const sluice::GbnfOptions kAsWritten{.optimize = false};

Verdict classify(const sluice::Grammar& g, std::string_view input) {
  auto recognizer = ReferenceRecognizer::create(g);
  REQUIRE(recognizer.ok());
  auto result = recognizer->classify(input);
  REQUIRE(result.ok());
  return result->verdict;
}

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace

TEST_CASE("gbnf: rules, groups, classes and repetition print back as written") {
  auto g = parse_gbnf(
      "root ::= \"a\" [b-c]* (\"d\" | e)? e+ [^x] .\n"
      "e ::= \"x\"{2,3} \"y\"{2} \"z\"{1,} \"w\"{3,}\n", kAsWritten);
  REQUIRE(g.ok());
  CHECK(g->to_string() ==
        "root ::= \"a\" [b-c]* (\"d\" | e)? e+ [\\x00-wy-\\uD7FF\\uE000-\\U0010FFFF] [\\x00-\\uD7FF\\uE000-\\U0010FFFF]\n"
        "e ::= \"x\"{2,3} \"y\"{2} \"z\"+ \"w\"{3,}\n");
}

TEST_CASE("gbnf: a rule runs over several lines until the next 'name ::='") {
  auto g = parse_gbnf(
      "# a comment before anything\n"
      "root ::=\n"
      "    item   # trailing comment\n"
      "  | \"(\" root \")\"\n"
      "\n"
      "item ::= [0-9]\n"
      "   [0-9]?\n", kAsWritten);
  REQUIRE(g.ok());
  CHECK(g->to_string() == "root ::= item | \"(\" root \")\"\nitem ::= [0-9] [0-9]?\n");
  CHECK(classify(*g, "((42))") == Verdict::kAccept);
  CHECK(classify(*g, "((4") == Verdict::kIncomplete);
}

TEST_CASE("gbnf: repetition braces allow spaces; {0} and {0,0} match nothing but the empty string") {
  auto g = parse_gbnf("root ::= \"a\"{ 2 , 3 } \"b\"{0} \"c\"{0,0} \"d\"{ 1 , }\n", kAsWritten);
  REQUIRE(g.ok());
  CHECK(g->to_string() == "root ::= \"a\"{2,3} \"d\"+\n");
  CHECK(classify(*g, "aad") == Verdict::kAccept);
  CHECK(classify(*g, "aab") == Verdict::kReject);
}

TEST_CASE("gbnf: CRLF line ends, tabs and comments anywhere") {
  auto g = parse_gbnf("root ::=\t\"a\" # a \"quote\" and [bracket in a comment\r\n\t| b\r\nb ::= \"b\" # no newline at the end", kAsWritten);
  REQUIRE(g.ok());
  CHECK(g->to_string() == "root ::= \"a\" | b\nb ::= \"b\"\n");
}

TEST_CASE("gbnf: llama.cpp's json.gbnf layout parses") {
  auto g = parse_gbnf(R"(root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

# Optional space: by convention, applied in this grammar after literal chars when allowed
ws ::= | " " | "\n" [ \t]{0,20}
)", kAsWritten);
  REQUIRE(g.ok());
  CHECK(classify(*g, R"({"a": [1, 2.5, "x\u00e9"], "b": null})") == Verdict::kAccept);
  CHECK(classify(*g, R"({"a": )") == Verdict::kIncomplete);
}

TEST_CASE("gbnf: escapes in literals and classes") {
  auto g = parse_gbnf(R"(root ::= "\n\t\r\\\"\[\]\x41\u00e9\U0001F600" [\[\]\-\^\\a] [-a] [a-] [\x00-\x1F])", kAsWritten);
  REQUIRE(g.ok());
  const sluice::Expr& body = g->expr(g->rule(g->root()).body);
  REQUIRE(body.kind == sluice::ExprKind::kSequence);
  CHECK(g->expr(body.children[0]).literal == "\n\t\r\\\"[]A\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(g->expr(body.children[1]).ranges ==
        std::vector<sluice::CodepointRange>{{'-', '-'}, {'[', '^'}, {'a', 'a'}});
  CHECK(g->expr(body.children[2]).ranges == std::vector<sluice::CodepointRange>{{'-', '-'}, {'a', 'a'}});
  CHECK(g->expr(body.children[3]).ranges == std::vector<sluice::CodepointRange>{{'-', '-'}, {'a', 'a'}});
  CHECK(g->expr(body.children[4]).ranges == std::vector<sluice::CodepointRange>{{0, 0x1F}});
}

TEST_CASE("gbnf: raw UTF-8 in literals and classes is read as code points") {
  auto g = parse_gbnf("root ::= \"caf\xC3\xA9\" [\xC3\xA0-\xC3\xBF]", kAsWritten);
  REQUIRE(g.ok());
  CHECK(classify(*g, "caf\xC3\xA9\xC3\xA8") == Verdict::kAccept);
  CHECK(classify(*g, "caf\xC3\xA9x") == Verdict::kReject);
}

TEST_CASE("gbnf: empty alternatives, empty groups and [^] are allowed") {
  auto g = parse_gbnf("root ::= \"a\" ( ) (| \"b\") [^]\n", kAsWritten);
  REQUIRE(g.ok());
  CHECK(classify(*g, "a\xE2\x82\xAC") == Verdict::kAccept);
  CHECK(classify(*g, "ab\xE2\x82\xAC") == Verdict::kAccept);
}

TEST_CASE("gbnf: errors name the problem, its line:column and show a caret") {
  struct Bad {
    std::string text;
    ErrorCode code;
    uint32_t line;
    uint32_t column;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {"root ::= foo\n", ErrorCode::kUnresolvedRef, 1, 10, "undefined rule 'foo'"},
      {"root ::= a\na ::= b c\nb ::= \"x\"\n", ErrorCode::kUnresolvedRef, 2, 9, "undefined rule 'c'"},
      {"rot ::= \"a\"\n", ErrorCode::kUnresolvedRef, 1, 1, "no rule named 'root'"},
      {"", ErrorCode::kParseError, 1, 1, "empty grammar"},
      {"# only a comment\n\n", ErrorCode::kParseError, 1, 1, "empty grammar"},
      {"root ::= [a-\n", ErrorCode::kParseError, 1, 10, "unterminated character class"},
      {"root ::= [z-a]", ErrorCode::kParseError, 1, 11, "range 'z-a' is reversed"},
      {"root ::= []", ErrorCode::kParseError, 1, 10, "'[]' matches nothing"},
      {"root ::= \"a\\qb\"", ErrorCode::kParseError, 1, 12, "bad escape sequence"},
      {"root ::= [\\q]", ErrorCode::kParseError, 1, 11, "bad escape sequence"},
      {"root ::= \"\\x4\"", ErrorCode::kParseError, 1, 13, "two hex digits after \\x"},
      {"root ::= \"\\u12G4\"", ErrorCode::kParseError, 1, 13, "four hex digits after \\u"},
      {"root ::= \"\\uD800\"", ErrorCode::kParseError, 1, 11, "surrogate"},
      {"root ::= [a-\\U00110000]", ErrorCode::kParseError, 1, 13, "above U+10FFFF"},
      {"root ::= \"abc", ErrorCode::kParseError, 1, 10, "unterminated string literal"},
      {"root ::= \"abc\nx ::= \"y\"", ErrorCode::kParseError, 1, 10, "unterminated string literal"},
      {"root ::= \"a\"{5,0}", ErrorCode::kParseError, 1, 13, "{5,0} are reversed"},
      {"root ::= \"a\"{1000000000}", ErrorCode::kBudgetExceeded, 1, 13, "max_repeat_bound"},
      {"root ::= \"a\"{1,99999999999999999999999}", ErrorCode::kBudgetExceeded, 1, 13, "max_repeat_bound"},
      {"root ::= \"a\"{2", ErrorCode::kParseError, 1, 15, "malformed repetition; expected '}'"},
      {"root ::= \"a\"{x}", ErrorCode::kParseError, 1, 14, "a repetition count"},
      {"root ::= \"a\"\nroot ::= \"b\"", ErrorCode::kParseError, 2, 1, "defined twice (first at 1:1)"},
      {"root ::= (\"a\"", ErrorCode::kParseError, 1, 10, "'(' is never closed"},
      {"root ::= x\nx ::= (\"a\"\ny ::= \"b\"", ErrorCode::kParseError, 2, 7, "'(' is never closed"},
      {"root ::= \"a\")", ErrorCode::kParseError, 1, 13, "')' without a matching '('"},
      {"root ::= * \"a\"", ErrorCode::kParseError, 1, 10, "nothing before it to repeat"},
      {"root ::= \"a\" @", ErrorCode::kParseError, 1, 14, "unexpected character '@'"},
      {"  ::= \"a\"", ErrorCode::kParseError, 1, 3, "expected a rule definition"},
      {"root ::= \"\xFF\"", ErrorCode::kParseError, 1, 11, "invalid UTF-8"},
      {"root ::= expr\nexpr ::= expr \"+\" term | term\nterm ::= [0-9]", ErrorCode::kUnsupported, 2, 1,
       "rule 'expr' is left-recursive"},
      {"root ::= a\na ::= b? \"x\"\nb ::= \"y\"? a", ErrorCode::kUnsupported, 2, 1, "a -> b -> a"},
  };
  for (const Bad& bad : cases) {
    INFO("grammar: " << bad.text);
    auto g = parse_gbnf(bad.text, kAsWritten);
    REQUIRE_FALSE(g.ok());
    INFO("error: " << g.error().to_string());
    CHECK(g.error().code == bad.code);
    CHECK(g.error().location.line == bad.line);
    CHECK(g.error().location.column == bad.column);
    CHECK(g.error().message.find(bad.message) != std::string::npos);
    CHECK(g.error().excerpt.find('^') != std::string::npos);
  }
}

TEST_CASE("gbnf: the error text is a located message with an excerpt") {
  auto g = parse_gbnf("root ::= item\nitem ::= \"a\" | valu\n", kAsWritten);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().to_string() ==
        "unresolved reference at 2:16: undefined rule 'valu'\n"
        "item ::= \"a\" | valu\n"
        "               ^");
}

TEST_CASE("gbnf: excerpts of long lines are cut around the caret") {
  std::string text = "root ::= \"" + std::string(5000, 'a') + "\\q" + std::string(5000, 'b') + "\"";
  auto g = parse_gbnf(text, kAsWritten);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().location.column == 5011);
  CHECK(g.error().excerpt.size() < 200);
  CHECK(g.error().excerpt.find("...aaaa") == 0);
  CHECK(g.error().excerpt.find("\\qbbbb") != std::string::npos);
}

TEST_CASE("gbnf: pathological inputs end quickly with a result or an error") {
  SECTION("nesting 10,000 deep is a budget error, not a stack overflow") {
    std::string text = "root ::= " + std::string(10000, '(') + "\"x\"" + std::string(10000, ')');
    auto g = parse_gbnf(text, kAsWritten);
    REQUIRE_FALSE(g.ok());
    CHECK(g.error().code == ErrorCode::kBudgetExceeded);
    CHECK(g.error().message.find("max_nesting") != std::string::npos);
  }
  SECTION("nesting 10,000 deep parses when the budget allows it") {
    std::string text = "root ::= ";
    for (int i = 0; i < 10000; ++i) text += "(\"a\" | \"b\" ";
    text += "\"x\"" + std::string(10000, ')');
    sluice::GbnfOptions options = kAsWritten;
    options.max_nesting = 20000;
    auto g = parse_gbnf(text, options);
    REQUIRE(g.ok());
    CHECK(classify(*g, "bbb") == Verdict::kIncomplete);
    CHECK(classify(*g, "bba") == Verdict::kAccept);
    CHECK(classify(*g, "bbbx") == Verdict::kReject);
    CHECK(classify(*g, std::string(10000, 'b') + "x") == Verdict::kAccept);
  }
  SECTION("a 1 MB literal") {
    std::string text = "root ::= \"" + std::string(1 << 20, 'z') + "\"";
    auto g = parse_gbnf(text, kAsWritten);
    REQUIRE(g.ok());
    CHECK(g->expr(g->rule(g->root()).body).literal.size() == (1u << 20));
  }
  SECTION("( [x]* )* and forty x? in a row") {
    auto star = parse_gbnf("root ::= ( [x]* )*", kAsWritten);
    REQUIRE(star.ok());
    CHECK(classify(*star, std::string(200, 'x')) == Verdict::kAccept);
    std::string forty = "root ::=";
    for (int i = 0; i < 40; ++i) forty += " \"x\"?";
    auto opt = parse_gbnf(forty, kAsWritten);
    REQUIRE(opt.ok());
    CHECK(classify(*opt, std::string(40, 'x')) == Verdict::kAccept);
    CHECK(classify(*opt, std::string(41, 'x')) == Verdict::kReject);
  }
  SECTION("x{0,1000} stays one node") {
    auto g = parse_gbnf("root ::= \"x\"{0,1000}", kAsWritten);
    REQUIRE(g.ok());
    CHECK(g->expr_count() <= 3);
    CHECK(classify(*g, std::string(1000, 'x')) == Verdict::kAccept);
    CHECK(classify(*g, std::string(1001, 'x')) == Verdict::kReject);
  }
}

TEST_CASE("gbnf: printing then parsing random grammars gives the same grammar") {
  sluice::testing::RandomGrammarGenerator generator(2024, {4, 4, true, true, false});
  for (int i = 0; i < 500; ++i) {
    sluice::Grammar g = generator.next();
    std::string printed = g.to_string();
    INFO(printed);
    auto parsed = parse_gbnf(printed, kAsWritten);
    if (!parsed.ok()) {
      // Only left recursion may be refused, and the recogniser agrees.
      INFO(parsed.error().to_string());
      REQUIRE(parsed.error().code == ErrorCode::kUnsupported);
      CHECK_FALSE(ReferenceRecognizer::create(g).ok());
      continue;
    }
    // Rules are numbered in order of first mention, so compare line sets.
    CHECK(sorted_lines(parsed->to_string()) == sorted_lines(printed));
  }
}
