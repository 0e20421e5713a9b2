// Pass/fail tables for every shipped grammar in grammars/: each file is
// parsed with parse_gbnf and each string classified by the reference
// recogniser as accept, incomplete (a valid prefix) or reject.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

using sluice::ir::Verdict;

namespace {

constexpr Verdict A = Verdict::kAccept;
constexpr Verdict I = Verdict::kIncomplete;
constexpr Verdict R = Verdict::kReject;

struct Row {
  std::string input;
  Verdict verdict;
};

sluice::Grammar load(const std::string& name) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/grammars/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto grammar = sluice::parse_gbnf(text.str());
  INFO(name << ": " << (grammar.ok() ? "" : grammar.error().to_string()));
  REQUIRE(grammar.ok());
  return std::move(grammar).value();
}

void check_table(const std::string& name, const std::vector<Row>& rows) {
  sluice::Grammar grammar = load(name);
  auto recognizer = sluice::ir::ReferenceRecognizer::create(grammar);
  REQUIRE(recognizer.ok());
  int accepted = 0;
  int not_accepted = 0;
  for (const Row& row : rows) {
    INFO(name << " input: " << row.input);
    auto result = recognizer->classify(row.input);
    REQUIRE(result.ok());
    CHECK(result->verdict == row.verdict);
    (row.verdict == A ? accepted : not_accepted)++;
  }
  CHECK(accepted >= 15);
  CHECK(not_accepted >= 15);
}

}  // namespace

TEST_CASE("grammars/json.gbnf follows RFC 8259 exactly") {
  check_table("json.gbnf", {
                               {"0", A},
                               {"-0", A},
                               {"1e10", A},
                               {"1E+2", A},
                               {"-12.5e-3", A},
                               {"0.5", A},
                               {"true", A},
                               {"null", A},
                               {" \t\n\r{} ", A},
                               {"[]", A},
                               {"[1, 2, [3, {}]]", A},
                               {R"({"a": {"b": [true, false, null]}})", A},
                               {R"("\" \\ \/ \b \f \n \r \t")", A},
                               {R"("\u00e9\uD83D\uDE00\uFFFF")", A},
                               {"\"caf\xC3\xA9 \xF0\x9F\x98\x80\x7F\"", A},
                               {R"({"k":1,"k2":"v"})", A},
                               {"[\n  1,\n  2\n]", A},
                               {"123456789012345678901234567890", A},
                               {"", I},
                               {"{", I},
                               {R"({"a")", I},
                               {R"({"a":)", I},
                               {"[1,", I},
                               {"1e", I},
                               {"-", I},
                               {R"("\u12)", I},
                               {"tru", I},
                               {"01", R},
                               {"+1", R},
                               {".5", R},
                               {"1.", I},
                               {"1.e5", R},
                               {"[1,]", R},
                               {R"({"a":1,})", R},
                               {R"("\x41")", R},
                               {R"("\u12G4")", R},
                               {"\"a\nb\"", R},
                               {"\"\t\"", R},
                               {"{a: 1}", R},
                               {"'str'", R},
                               {"True", R},
                               {"NaN", R},
                               {"[1 2]", R},
                               {"1 2", R},
                               {"\"\xC3", I},
                               {"\"\xC3\"", R},
                               {"\"\xFF\"", R},
                               {"\v1", R},
                           });
}

TEST_CASE("grammars/json_arr.gbnf is a top-level JSON array") {
  check_table("json_arr.gbnf", {
                                   {"[]", A},
                                   {" [ ] ", A},
                                   {"[1]", A},
                                   {"[1,2,3]", A},
                                   {"[\"a\", \"b\"]", A},
                                   {"[{}]", A},
                                   {R"([{"name": "x", "tags": ["a", "b"]}])", A},
                                   {"[[], [[]]]", A},
                                   {"[true, false, null]", A},
                                   {"[-1.5e3, 0, 2E-2]", A},
                                   {"[\"\\u0041\"]", A},
                                   {"[\n]", A},
                                   {"[\n  {\"a\": 1},\n  {\"b\": 2}\n]", A},
                                   {"[\"\xE2\x82\xAC\"]", A},
                                   {"[0.0]", A},
                                   {"", I},
                                   {"[", I},
                                   {"[1", I},
                                   {"[1,", I},
                                   {"[{\"a\"", I},
                                   {"  ", I},
                                   {"{}", R},
                                   {"1", R},
                                   {"\"a\"", R},
                                   {"[1,]", R},
                                   {"[,1]", R},
                                   {"[01]", R},
                                   {"[] []", R},
                                   {"[}", R},
                                   {"null", R},
                                   {"[1]]", R},
                               });
}

TEST_CASE("grammars/list.gbnf is a bullet list") {
  check_table("list.gbnf", {
                               {"- a\n", A},
                               {"- apples\n- pears\n", A},
                               {"- item one\n- item two\n- item three\n", A},
                               {"- \xC3\xA9t\xC3\xA9\n", A},
                               {"- with - dash\n", A},
                               {"- tab\there\n", A},
                               {"- 1\n- 2\n- 3\n- 4\n", A},
                               {"- emoji \xF0\x9F\x98\x80\n", A},
                               {"- -\n", A},
                               {"-  leading space\n", A},
                               {"- trailing space \n", A},
                               {"- \"quoted\"\n", A},
                               {"- [brackets]\n", A},
                               {"- x\n- y\n", A},
                               {"- a long item with many words in it\n", A},
                               {"", I},
                               {"-", I},
                               {"- ", I},
                               {"- a", I},
                               {"- a\n-", I},
                               {"- a\n- b", I},
                               {"a\n", R},
                               {"-a\n", R},
                               {"- \n", R},
                               {"- a\r\n", R},
                               {"* a\n", R},
                               {"- a\n\n", R},
                               {"- a\x0B\n", R},
                               {"- a\xE2\x80\xA8\n", R},
                               {" - a\n", R},
                               {"- a\nb\n", R},
                           });
}

TEST_CASE("grammars/arithmetic.gbnf has numbers, operators and parentheses") {
  check_table("arithmetic.gbnf", {
                                     {"1", A},
                                     {"1+2", A},
                                     {"1 + 2 * 3", A},
                                     {"(1 + 2) * 3", A},
                                     {"-4", A},
                                     {"- - 4", A},
                                     {"3.25 / 0.5", A},
                                     {"((((7))))", A},
                                     {"1 - -2", A},
                                     {" 2*(3-1) ", A},
                                     {"10/5/2", A},
                                     {"0", A},
                                     {"( 1 )", A},
                                     {"-(2+3)*4", A},
                                     {"12345.6789", A},
                                     {"", I},
                                     {"1 +", I},
                                     {"(1", I},
                                     {"((2 * 3)", I},
                                     {"1.", I},
                                     {"-", I},
                                     {"1 + + 2", R},
                                     {"+1", R},
                                     {"1 2", R},
                                     {")", R},
                                     {"(1))", R},
                                     {"1.2.3", R},
                                     {"a + 1", R},
                                     {"1 ^ 2", R},
                                     {".5", R},
                                     {"()", R},
                                 });
}

TEST_CASE("grammars/chess.gbnf accepts SAN games") {
  check_table("chess.gbnf", {
                                {"1. e4", A},
                                {"1. e4 e5", A},
                                {"1. e4 e5 2. Nf3 Nc6 3. Bb5 a6", A},
                                {"1. d4 d5 2. c4 dxc4", A},
                                {"1. e4 d5 2. exd5 Qxd5", A},
                                {"1. O-O O-O-O", A},
                                {"1. Nbd7 R1e2", A},
                                {"1. Qh4xe1+ Kxe1", A},
                                {"1. e8=Q#", A},
                                {"1. bxa1=N+", A},
                                {"1. f3 e5 2. g4 Qh4# 0-1", A},
                                {"1. e4 e5 1-0", A},
                                {"1. e4 e5 1/2-1/2", A},
                                {"12. Rfe1 h6", A},
                                {"1. a3 h6 2. Ra2 Rh7", A},
                                {"", I},
                                {"1", I},
                                {"1.", I},
                                {"1. e", I},
                                {"1. e4 e5 2. N", I},
                                {"1. e8=", I},
                                {"1. e9", R},
                                {"1. i4", R},
                                {"1. e8", I},
                                {"1. e1", I},
                                {"1. axc5", R},
                                {"1. Pe4", R},
                                {"1. O-O-O-O", R},
                                {"0. e4", R},
                                {"1. e4 e5 e6", R},
                                {"1. Nf3!!", R},
                                {"1.e4", R},
                                {"1. e7=K", R},
                            });
}

TEST_CASE("grammars/c_expr.gbnf accepts C-like expressions") {
  check_table("c_expr.gbnf", {
                                 {"x", A},
                                 {"a + b * c", A},
                                 {"x = y = 3", A},
                                 {"a ? b : c ? d : e", A},
                                 {"f(x, y + 1)[i]->next.value++", A},
                                 {"*p++ = ~mask & 0xFF", A},
                                 {"n << 2 | m >> 1 ^ 07", A},
                                 {"a && !b || c != d", A},
                                 {"i += 1, j -= 2", A},
                                 {"x <= 1.5e-3f", A},
                                 {"'\\n' == c", A},
                                 {"puts(\"hello, \\\"world\\\"\\n\")", A},
                                 {"-(a - -b)", A},
                                 {"f()", A},
                                 {"arr[0][1] %= 10UL", A},
                                 {".5 + 3.", A},
                                 {"\tcount\n>= 2", A},
                                 {"", I},
                                 {"a +", I},
                                 {"f(", I},
                                 {"a ? b", I},
                                 {"\"open", I},
                                 {"x[1", I},
                                 {"a + + ", I},
                                 {"1 2", R},
                                 {"a b", R},
                                 {"a ? b ; c", R},
                                 {"f(,)", R},
                                 {"x[]", R},
                                 {"3 = = 4", R},
                                 {"0x", I},
                                 {"0xG", R},
                                 {"09", I},
                                 {"'ab'", R},
                                 {"a->", I},
                                 {"a->1", R},
                                 {"#define", R},
                                 {"x = ;", R},
                             });
}

TEST_CASE("grammars/english.gbnf accepts simple sentences") {
  check_table("english.gbnf", {
                                  {"The cat sleeps.", A},
                                  {"She likes apples.", R},
                                  {"She likes the apples.", A},
                                  {"They see us.", A},
                                  {"Alice reads my book quickly.", A},
                                  {"The big red dog eats an apple.", R},
                                  {"The big red dog eats a apple.", A},
                                  {"These happy teachers like Bob.", A},
                                  {"I saw him today.", A},
                                  {"Does Carol like cats?", R},
                                  {"Does Carol like the cats?", A},
                                  {"Do they read?", A},
                                  {"Did the old teacher find it?", A},
                                  {"Eat the apple!", A},
                                  {"Sleep again!", A},
                                  {"He slept. She read a book.", A},
                                  {"We find those books.", A},
                                  {"My dog ate my book again.", A},
                                  {"", I},
                                  {"The", I},
                                  {"The cat", I},
                                  {"The cat sleeps", I},
                                  {"Does", I},
                                  {"The cat sleep.", R},
                                  {"The cats sleeps.", R},
                                  {"the cat sleeps.", R},
                                  {"The cat sleeps", I},
                                  {"The cat  sleeps.", R},
                                  {"Cat sleeps.", R},
                                  {"The cat sleeps!", R},
                                  {"Does they read?", R},
                                  {"Do she read?", R},
                                  {"The cat sleeps.The dog sleeps.", R},
                                  {"Bob read", I},
                              });
}
