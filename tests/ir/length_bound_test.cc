// intersect_length (ir/length_bound.h) against the obvious answer: a string
// is in the bounded language exactly when RE2 matches the pattern and its
// length in code points is in range. Random strings over a small alphabet,
// fixed seeds.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <re2/re2.h>

#include "ir/length_bound.h"
#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

namespace sluice::ir {

namespace {

uint64_t code_points(const std::string& s) {
  uint64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// nullopt when intersect_length declines the pattern.
std::optional<ReferenceRecognizer> bounded(const std::string& pattern, uint64_t lo, uint64_t hi) {
  Grammar g;
  RuleId root = g.declare_rule("root");
  g.set_root(root);
  Result<ExprId> e = lower_regex(g, pattern);
  REQUIRE(e.ok());
  std::optional<ExprId> b = intersect_length(g, *e, lo, hi);
  if (!b) return std::nullopt;
  g.set_body(root, *b);
  REQUIRE(g.validate().ok());
  auto r = ReferenceRecognizer::create(g);
  REQUIRE(r.ok());
  return std::move(r.value());
}

}  // namespace

TEST_CASE("intersect_length equals pattern and length checked apart", "[ir][length]") {
  const std::vector<std::string> patterns = {
      "^[a-z]+$",        "^[a-z0-9_-]*$",     "^ab[0-9]{2,5}x$", "^(ab|c)+$",       "^é?[a-b]{1,3}$",
      "^(abc|de)$",      "^a(b|cd)[0-9]*$",   "^[0-9]{4}-[0-9]{2}$", "^(a|bb|ccc)$", "^x*$",
      "^(ab)*c$",        "^(é|a)(b|c){0,4}$",
  };
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {0, 3}, {2, 2}, {1, 6}, {4, kNoLengthLimit}, {0, 0}, {5, 9}, {7, 7},
  };
  const std::vector<std::string> alphabet = {"a", "b", "c", "x", "0", "1", "-", "_", "é", "d", "e"};
  std::mt19937 rng(77);
  int checked = 0;
  std::set<std::string> declined;
  for (const std::string& pattern : patterns) {
    RE2 re(pattern, RE2::Quiet);
    REQUIRE(re.ok());
    for (auto [lo, hi] : ranges) {
      std::optional<ReferenceRecognizer> r = bounded(pattern, lo, hi);
      if (!r) {
        declined.insert(pattern);
        continue;
      }
      for (int k = 0; k < 400; ++k) {
        std::string s;
        const size_t n = rng() % 11;
        for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
        // Half the strings come from the pattern's own alphabet: the ones
        // whose characters are all in a few classes.
        if (k % 2 == 0 && pattern.find("[a-z]") != std::string::npos) {
          for (char& c : s) {
            if (static_cast<unsigned char>(c) >= 0x80 || c == '-' || c == '_' || (c >= '0' && c <= '9')) c = 'a';
          }
        }
        const uint64_t len = code_points(s);
        const bool expect = RE2::FullMatch(s, re) && len >= lo && len <= hi;
        auto c = r->classify(s);
        REQUIRE(c.ok());
        INFO("pattern " << pattern << " range " << lo << ".." << hi << " text '" << s << "'");
        REQUIRE((c->verdict == Verdict::kAccept) == expect);
        ++checked;
      }
    }
  }
  CHECK(checked > 20000);
  // Those with a repeat of a variable item or two variable parts.
  CHECK(declined == std::set<std::string>{"^(ab|c)+$", "^a(b|cd)[0-9]*$", "^é?[a-b]{1,3}$"});
}

TEST_CASE("intersect_length declines what it cannot do exactly", "[ir][length]") {
  // Two parts of variable length: which one gives way is not expressible
  // structurally.
  CHECK_FALSE(bounded("^[a-z]+-[0-9]+$", 0, 5));
  CHECK_FALSE(bounded("^(ab|c)*d+$", 0, 5));
  // But the same patterns with a range they satisfy anyway are kept.
  CHECK(bounded("^[a-z]{1,2}-[0-9]{1,2}$", 3, 5));
}

TEST_CASE("intersect_length: an empty intersection is nothing", "[ir][length]") {
  std::optional<ReferenceRecognizer> r = bounded("^[0-9]{4}$", 5, 9);
  REQUIRE(r);
  auto c = r->classify("1234");
  REQUIRE(c.ok());
  CHECK(c->verdict == Verdict::kReject);
}

}  // namespace sluice::ir
