// Languages of regex patterns, by hand: each row is checked through the
// reference recogniser (lib/ir/reference_recognizer.h) on the lowered IR.
// Anchors in the middle of patterns get their own table; the RE2
// differential in regex_oracle_test.cc covers them again at random.
#include <catch2/catch.hpp>
#include <string>

#include "regex_test_util.h"

namespace sluice {
namespace {

using regex_test::matches;
constexpr RegexMatchMode kFull = RegexMatchMode::kFullMatch;
constexpr RegexMatchMode kSearch = RegexMatchMode::kSearch;

struct Row {
  const char* pattern;
  RegexMatchMode mode;
  const char* text;
  bool match;
};

void check_rows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    INFO("pattern /" << row.pattern << "/ " << (row.mode == kFull ? "full" : "search") << " on \"" << row.text
                     << "\"");
    CHECK(matches(row.pattern, row.mode, row.text) == row.match);
  }
}

TEST_CASE("regex literals, escapes and classes", "[regex]") {
  check_rows({
      {"abc", kFull, "abc", true},
      {"abc", kFull, "abcd", false},
      {"a\\.b", kFull, "a.b", true},
      {"a\\.b", kFull, "axb", false},
      {"a.b", kFull, "axb", true},
      {"a.b", kFull, "a\nb", false},
      {"a.b", kFull, "a\rb", false},
      {"a.b", kFull, "a\u2028b", false},
      {"a.b", kFull, "a\u2029b", false},
      {"a.b", kFull, "a\u00e9b", true},
      {"a.b", kFull, "a\U0001F600b", true},
      {"\\n\\r\\t\\f\\v\\0", kFull, std::string("\n\r\t\f\v\0", 6).c_str(), false},
      {"\\/\\\\", kFull, "/\\", true},
      {"\\x41\\u00e9\\u{1F600}", kFull, "A\u00e9\U0001F600", true},
      {"\\uD83D\\uDE00", kFull, "\U0001F600", true},
      {"\\cJ", kFull, "\n", true},
      {"\\d+", kFull, "0123456789", true},
      {"\\d", kFull, "\u0660", false},
      {"\\w+", kFull, "az_AZ09", true},
      {"\\w", kFull, "\u00e9", false},
      {"\\s", kFull, "\u00a0", true},
      {"\\s", kFull, "\ufeff", true},
      {"\\s", kFull, "\u1680", true},
      {"\\s", kFull, "\u2005", true},
      {"\\s", kFull, "\u202f", true},
      {"\\s", kFull, "\u205f", true},
      {"\\s", kFull, "\u3000", true},
      {"\\s", kFull, "\u2028", true},
      {"\\s", kFull, "\u200b", false},
      {"\\s", kFull, "\u0085", false},
      {"\\S", kFull, "\u0085", true},
      {"\\D\\W\\S", kFull, "a-b", true},
      {"\\D", kFull, "5", false},
      {"[a-c]+", kFull, "abcab", true},
      {"[a-c]", kFull, "d", false},
      {"[^a-c]", kFull, "d", true},
      {"[^a-c]", kFull, "\u00e9", true},
      {"[^a-c]", kFull, "b", false},
      {"[\\d.-]+", kFull, "1.5-2", true},
      {"[\\w-.]+", kFull, "a-b.c", true},
      {"[-a]", kFull, "-", true},
      {"[a-]", kFull, "-", true},
      {"[\\]]", kFull, "]", true},
      {"[\\b]", kFull, "\b", true},
      {"[^\\s]", kFull, " ", false},
      {"[^\\S]", kFull, " ", true},
      {"[\\D]", kFull, "x", true},
      {"[\\x80-\\xFFFF]", kFull, "F", true},
      {"[\\x80-\\xFFFF]", kFull, "\u00ff", true},
      {"[\\x80-\\xFFFF]", kFull, "\u0100", false},
      {"[]", kSearch, "", false},
      {"[^]", kFull, "\n", true},
      {"a{", kFull, "a{", true},
      {"a{,3}", kFull, "a{,3}", true},
      {"}]", kFull, "}]", true},
      {"\\-\\ \\\"", kFull, "- \"", true},
      {"\u00e9+", kFull, "\u00e9\u00e9", true},
  });
}

TEST_CASE("regex groups, alternation and quantifiers", "[regex]") {
  check_rows({
      {"(ab)+", kFull, "abab", true},
      {"(ab)+", kFull, "", false},
      {"(?:ab)*", kFull, "", true},
      {"(?<year>\\d{4})-(?<m>\\d\\d)", kFull, "2024-05", true},
      {"a|b|", kFull, "", true},
      {"a|bc", kFull, "bc", true},
      {"a|bc", kFull, "ac", false},
      {"x{3}", kFull, "xxx", true},
      {"x{3}", kFull, "xx", false},
      {"x{2,}", kFull, "xxxxx", true},
      {"x{2,}", kFull, "x", false},
      {"x{2,3}", kFull, "xxxx", false},
      {"x{0}", kFull, "", true},
      {"x{0}y", kFull, "xy", false},
      {"x*?y+?z??", kFull, "xxyy", true},
      {"x{2,3}?", kFull, "xxx", true},
      {"(a|b)?c", kFull, "c", true},
      {"()", kFull, "", true},
      {"(|a)+", kFull, "aa", true},
  });
}

TEST_CASE("regex search mode matches anywhere; anchors pin the ends", "[regex]") {
  check_rows({
      {"abc", kSearch, "xxabcxx", true},
      {"abc", kSearch, "ab\nc", false},
      {"abc", kSearch, "\nabc\n", true},
      {"^abc", kSearch, "abcxx", true},
      {"^abc", kSearch, "xabc", false},
      {"abc$", kSearch, "xxabc", true},
      {"abc$", kSearch, "abc\n", false},
      {"^abc$", kSearch, "abc", true},
      {"^abc$", kSearch, "abcabc", false},
      {"", kSearch, "anything", true},
      {"a*", kSearch, "bbb", true},
      {"^$", kSearch, "", true},
      {"^$", kSearch, "x", false},
      {"^", kSearch, "x", true},
      {"$", kSearch, "x", true},
      {"^\\d+$", kSearch, "12a", false},
      {"[0-9]", kSearch, "ab7", true},
  });
}

TEST_CASE("regex anchors in the middle of patterns", "[regex]") {
  check_rows({
      {"a|^b", kSearch, "xxa", true},
      {"a|^b", kSearch, "xb", false},
      {"a|^b", kSearch, "bx", true},
      {"(^a)", kSearch, "ab", true},
      {"(^a)", kSearch, "ba", false},
      {"a$|b", kSearch, "xa", true},
      {"a$|b", kSearch, "ax", false},
      {"a$|b", kSearch, "xbx", true},
      {"x^", kSearch, "x", false},
      {"x^", kFull, "x", false},
      {"a^b", kFull, "ab", false},
      {"$a", kSearch, "a", false},
      {"^^a$$", kFull, "a", true},
      {"(^|x)a", kSearch, "a", true},
      {"(^|x)a", kSearch, "ya", false},
      {"(^|x)a", kSearch, "yxa", true},
      {"a(x|$)", kSearch, "ba", true},
      {"a(x|$)", kSearch, "ab", false},
      {"a(x|$)", kSearch, "axb", true},
      {"(^a)*b", kSearch, "ab", true},
      {"(^a)*b", kSearch, "aab", true},
      {"(^a)*b", kFull, "aab", false},
      {"(^a)*b", kFull, "ab", true},
      {"(^a)*b", kFull, "b", true},
      {"(^a|b)+", kFull, "abb", true},
      {"(^a|b)+", kFull, "bab", false},
      {"(a$|b){2}", kFull, "ba", true},
      {"(a$|b){2}", kFull, "ab", false},
      {"(a$|b){2}", kSearch, "xxba", true},
      {"(a$|b){2}", kSearch, "bax", false},
      {"(^|a){3}b", kFull, "b", true},
      {"(^|a){3}b", kFull, "aaab", true},
      {"(^|a){3}b", kFull, "aaaab", false},
      {"(^|a){3}b", kFull, "aab", true},
      {"(^|a){3}b", kSearch, "xab", false},
      {"(^|a){3}b", kSearch, "xaaab", true},
      {"(^a$){2}", kFull, "a", false},
      {"(^a$)?", kFull, "a", true},
      {"(^$)+", kSearch, "", true},
      {"(^$)+", kSearch, "x", false},
      {"(^)*a", kSearch, "ba", true},
      {"(b|^)(a|$)", kSearch, "", true},
      {"(b|^)(a|$)", kSearch, "c", false},
      {"(b|^)(a|$)", kSearch, "cbc", false},
      {"(b|^)(a|$)", kSearch, "cb", true},
      {"(x^)*a", kFull, "a", true},
      {"(x^)+a", kSearch, "a", false},
      {"[]*b", kFull, "b", true},
      {"[]{0,3}b|c", kSearch, "xc", true},
      {"(x^|y)*", kFull, "yy", true},
  });
}

}  // namespace
}  // namespace sluice
