// The pre-tokenizer regex engine: differential against std::regex
// (ECMAScript grammar, which has JS's backtracking semantics) on random
// ASCII patterns and inputs, then Unicode classes and errors by hand.
#include <catch2/catch.hpp>

#include <random>
#include <regex>
#include <string>

#include "tokenizer/regex.h"

using sluice::ErrorCode;
using sluice::tok::Regex;

namespace {

std::vector<uint32_t> cps_of(std::string_view s) {
  std::vector<uint32_t> cps, offs;
  sluice::tok::decode_all(s, &cps, &offs);
  return cps;
}

// Every match of `re` in s, as JS's matchAll would list them, as
// "begin:end" code point offsets.
std::string all_matches(const Regex& re, std::string_view s) {
  std::vector<uint32_t> cps = cps_of(s);
  std::string out;
  size_t pos = 0;
  Regex::Match m;
  while (pos <= cps.size() && re.search(cps.data(), cps.size(), pos, &m)) {
    out += std::to_string(m.begin) + ":" + std::to_string(m.end) + " ";
    pos = m.end > m.begin ? m.end : m.begin + 1;
  }
  return out;
}

std::string all_matches_std(const std::regex& re, const std::string& s) {
  std::string out;
  size_t pos = 0;
  std::smatch m;
  while (pos <= s.size()) {
    auto flags = pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(s.cbegin() + static_cast<std::ptrdiff_t>(pos), s.cend(), m, re, flags)) break;
    size_t b = pos + static_cast<size_t>(m.position(0));
    size_t e = b + static_cast<size_t>(m.length(0));
    out += std::to_string(b) + ":" + std::to_string(e) + " ";
    pos = e > b ? e : b + 1;
  }
  return out;
}

class PatternGen {
 public:
  explicit PatternGen(uint64_t seed) : rng_(seed) {}
  std::string pattern(int depth = 0) {
    std::string out = concat(depth);
    while (pick(4) == 0) out += "|" + concat(depth);
    return out;
  }
  std::string input() {
    static const char* kAlphabet[] = {"a", "b", "A", " ", "\n", "1", "2", "'", "-", "_"};
    std::string s;
    for (size_t n = pick(14); n > 0; --n) s += kAlphabet[pick(10)];
    return s;
  }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  std::string concat(int depth) {
    std::string out;
    for (size_t n = 1 + pick(3); n > 0; --n) out += quantified(depth);
    return out;
  }
  std::string quantified(int depth) {
    std::string atom = this->atom(depth);
    // A lookahead cannot be quantified in JS's `u` mode.
    if (atom.rfind("(?=", 0) == 0 || atom.rfind("(?!", 0) == 0) return atom;
    static const char* kQuant[] = {"", "", "", "*", "+", "?", "{1,3}", "{2}", "*?", "+?", "??", "{0,2}?"};
    return atom + kQuant[pick(12)];
  }
  std::string atom(int depth) {
    static const char* kAtoms[] = {"a", "b", "A", " ", "1", "'", "\\s", "\\S", "\\d", "\\w", "\\W",
                                   "[ab]", "[^a ]", "[a-z1]", "[\\s1]", "[^\\sa]", ".", "\\n", "-", "[-_]"};
    size_t r = pick(depth < 2 ? 26 : 20);
    if (r < 20) return kAtoms[r];
    switch (r) {
      case 20: case 21: return "(" + pattern(depth + 1) + ")";
      case 22: return "(?:" + pattern(depth + 1) + ")";
      case 23: return "(?=" + pattern(depth + 1) + ")";
      case 24: return "(?!" + pattern(depth + 1) + ")";
      default: return "(?:" + pattern(depth + 1) + ")";
    }
  }
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("regex agrees with std::regex ECMAScript on random ASCII patterns") {
  PatternGen gen(7);
  int compared = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string pattern = gen.pattern();
    auto re = Regex::compile(pattern);
    if (!re.ok()) {
      // The one construct refused on purpose: a loop whose body can match
      // empty (JS and std::regex end such loops differently).
      INFO(pattern << ": " << re.error().to_string());
      REQUIRE(re.error().code == ErrorCode::kUnsupported);
      continue;
    }
    std::regex ref(pattern, std::regex::ECMAScript);
    for (int j = 0; j < 8; ++j) {
      std::string input = gen.input();
      INFO("pattern " << pattern << " input \"" << input << "\"");
      REQUIRE(all_matches(*re, input) == all_matches_std(ref, input));
      ++compared;
    }
  }
  CHECK(compared > 5000);
}

TEST_CASE("regex: the Llama-3 pattern splits as the reference does") {
  auto re = Regex::compile(
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)");
  REQUIRE(re.ok());
  auto pieces = [&](std::string_view s) {
    std::vector<uint32_t> cps, offs;
    sluice::tok::decode_all(s, &cps, &offs);
    std::vector<std::string> out;
    size_t pos = 0;
    Regex::Match m;
    while (re->search(cps.data(), cps.size(), pos, &m)) {
      out.emplace_back(s.substr(offs[m.begin], offs[m.end] - offs[m.begin]));
      pos = m.end;
    }
    return out;
  };
  CHECK(pieces("I'M here") == std::vector<std::string>{"I", "'M", " here"});
  CHECK(pieces("1234567") == std::vector<std::string>{"123", "456", "7"});
  CHECK(pieces("a   b") == std::vector<std::string>{"a", "  ", " b"});
  CHECK(pieces("x  \n\n y") == std::vector<std::string>{"x", "  \n\n", " y"});
  CHECK(pieces("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87!!") ==
        std::vector<std::string>{"caf\xC3\xA9", " \xE4\xB8\xAD\xE6\x96\x87", "!!"});
  CHECK(pieces("{\"a\": 1}") == std::vector<std::string>{"{\"", "a", "\":", " ", "1", "}"});
}

TEST_CASE("regex: Unicode general categories") {
  auto matches_all = [](const char* pattern, std::string_view s) {
    auto re = Regex::compile(pattern);
    REQUIRE(re.ok());
    std::vector<uint32_t> cps = cps_of(s);
    Regex::Match m;
    return re->search(cps.data(), cps.size(), 0, &m) && m.begin == 0 && m.end == cps.size();
  };
  CHECK(matches_all("\\p{L}+", "\xC3\xA9\xD0\xB6\xE4\xB8\xAD"));         // é ж 中
  CHECK(matches_all("\\p{N}+", "\xD9\xA3\xE2\x85\xA0"));                 // ٣ Ⅰ
  CHECK(matches_all("\\p{M}", "\xCC\x81"));                              // U+0301
  CHECK(matches_all("[\\p{P}\\p{S}]+", "!\xE2\x82\xAC\xC2\xBF"));       // ! € ¿
  CHECK(matches_all("\\s+", "\xC2\xA0\xE3\x80\x80\xEF\xBB\xBF"));       // NBSP, ideographic space, BOM
  CHECK_FALSE(matches_all("\\s", "\xE2\x80\x8B"));                       // ZWSP is not \s in JS
  CHECK(matches_all("\\P{L}", "1"));
  CHECK(matches_all("\\p{Letter}\\p{gc=Nd}", "x7"));
  CHECK(matches_all("(?i:'s|'ll)", "'LL"));
  // An invalid byte reads as U+FFFD would: a symbol.
  CHECK(matches_all("\\p{So}", "\xFF"));
}

TEST_CASE("regex: unsupported and malformed patterns are errors with an offset") {
  struct Case {
    const char* pattern;
    ErrorCode code;
  };
  const Case cases[] = {
      {"(?<=a)b", ErrorCode::kUnsupported}, {"(a)\\1", ErrorCode::kUnsupported},
      {"\\p{Han}", ErrorCode::kUnsupported}, {"(a*)*", ErrorCode::kUnsupported},
      {"(?s:a)", ErrorCode::kUnsupported},   {"(ab", ErrorCode::kParseError},
      {"ab)", ErrorCode::kParseError},       {"[ab", ErrorCode::kParseError},
      {"a{3,1}", ErrorCode::kParseError},    {"*a", ErrorCode::kParseError},
      {"a**", ErrorCode::kParseError},       {"[z-a]", ErrorCode::kParseError},
      {"\\", ErrorCode::kParseError},        {"a{2000}", ErrorCode::kBudgetExceeded},
      {"(?:(?:a{1000}){1000}){1000}", ErrorCode::kBudgetExceeded},
  };
  for (const Case& c : cases) {
    INFO(c.pattern);
    auto re = Regex::compile(c.pattern);
    REQUIRE_FALSE(re.ok());
    CHECK(re.error().code == c.code);
    CHECK(re.error().location.offset != sluice::Location::kNoOffset);
    CHECK_FALSE(re.error().message.empty());
  }
}
