// Property tests: the reference recogniser against an independent brute-force
// enumeration of each random grammar's language (tests/ir/random_grammar.h),
// and its byte-level UTF-8 handling against an enumeration of every code
// point. Seeds are fixed.
#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <set>
#include <string>

#include "ir/random_grammar.h"
#include "ir/reference_recognizer.h"

using sluice::Grammar;
using sluice::ir::ReferenceRecognizer;
using sluice::testing::BruteForceLanguage;
using sluice::testing::encode_utf8;
using sluice::testing::test_alphabet;

namespace {

constexpr size_t kProbeLength = 4;  // code points in the probed inputs

struct Tally {
  int grammars = 0;
  int left_recursive = 0;
  int exact_prefix_checks = 0;
};

// Walks every string of up to kProbeLength alphabet letters, feeding the
// recogniser one byte at a time, and compares with the oracle.
void probe(const Grammar& g, const ReferenceRecognizer& start, const BruteForceLanguage& oracle, bool finite,
           Tally& tally) {
  static_assert(kProbeLength < 5);
  std::function<void(const std::u32string&, const ReferenceRecognizer&)> walk =
      [&](const std::u32string& w, const ReferenceRecognizer& state) {
        INFO("grammar:\n" << g.to_string() << "input: " << encode_utf8(w));
        CHECK(state.accepting() == oracle.contains(w));
        if (oracle.is_prefix(w)) CHECK_FALSE(state.dead());
        if (finite) {
          CHECK(state.dead() == !oracle.is_prefix(w));
          ++tally.exact_prefix_checks;
        }
        if (w.size() == kProbeLength || state.dead()) return;
        for (uint32_t cp : test_alphabet()) {
          std::u32string next = w + static_cast<char32_t>(cp);
          std::string bytes = encode_utf8(cp);
          ReferenceRecognizer advanced = state;
          for (size_t i = 0; i + 1 < bytes.size(); ++i) {
            auto alive = advanced.feed(bytes.substr(i, 1));
            REQUIRE(alive.ok());
            // Mid-code-point: alive when a sentence continues with this letter
            // (other code points sharing the prefix may keep it alive too).
            if (oracle.is_prefix(next)) CHECK(*alive);
            CHECK_FALSE(advanced.accepting());
          }
          REQUIRE(advanced.feed(bytes.substr(bytes.size() - 1)).ok());
          walk(next, advanced);
        }
      };
  walk(U"", start);
}

// max_length: code points the oracle enumerates up to.
void run_random(uint32_t seed, int count, size_t max_length, sluice::testing::RandomGrammarOptions options,
                Tally& tally) {
  sluice::testing::RandomGrammarGenerator generator(seed, options);
  for (int i = 0; i < count; ++i) {
    Grammar g = generator.next();
    REQUIRE(g.validate().ok());
    auto recognizer = ReferenceRecognizer::create(g);
    if (!recognizer.ok()) {
      INFO(g.to_string() << recognizer.error().to_string());
      REQUIRE(recognizer.error().code == sluice::ErrorCode::kUnsupported);
      ++tally.left_recursive;
      continue;
    }
    ++tally.grammars;
    BruteForceLanguage oracle(g, max_length);
    bool finite = !options.recursion && !options.unbounded && options.alphabet_classes &&
                  sluice::testing::max_sentence_length(g, g.rule(g.root()).body) <= max_length;
    probe(g, *recognizer, oracle, finite, tally);
    // Every enumerated sentence, fed whole, is accepted; classify agrees.
    for (const std::u32string& s : oracle.sentences()) {
      auto verdict = recognizer->classify(encode_utf8(s));
      REQUIRE(verdict.ok());
      INFO(g.to_string() << "sentence: " << encode_utf8(s));
      CHECK(verdict->verdict == sluice::ir::Verdict::kAccept);
    }
  }
}

}  // namespace

TEST_CASE("reference vs brute force: finite random grammars, exact prefix sets") {
  Tally tally;
  run_random(12345, 300, 6, {3, 3, false, false, true}, tally);
  CHECK(tally.grammars == 300);
  CHECK(tally.exact_prefix_checks > 3000);
}

TEST_CASE("reference vs brute force: recursive random grammars with unbounded repetition") {
  Tally tally;
  run_random(777, 250, 5, {3, 3, true, true, false}, tally);
  WARN("recursive grammars checked: " << tally.grammars << ", left-recursive skipped: " << tally.left_recursive);
  CHECK(tally.grammars > 120);
  CHECK(tally.left_recursive > 0);
}

TEST_CASE("reference vs brute force: permutations, finite and recursive") {
  sluice::testing::RandomGrammarOptions finite{3, 3, false, false, true};
  finite.permutations = true;
  Tally tally;
  run_random(2468, 300, 6, finite, tally);
  CHECK(tally.grammars == 300);
  CHECK(tally.exact_prefix_checks > 2000);
  sluice::testing::RandomGrammarOptions recursive{3, 3, true, true, false};
  recursive.permutations = true;
  Tally recursive_tally;
  run_random(1357, 250, 5, recursive, recursive_tally);
  CHECK(recursive_tally.grammars > 100);
}

TEST_CASE("reference vs every code point: byte-level UTF-8 of random classes") {
  // Bytes at the edges of every UTF-8 lead and continuation range.
  const std::vector<unsigned char> bytes = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                            0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEE, 0xEF, 0xF0,
                                            0xF1, 0xF4, 0xF5, 0xFF};
  std::mt19937 rng(99);
  // Range ends near the interesting boundaries, so that classes cut UTF-8
  // lengths and lead bytes in the middle.
  const std::vector<uint32_t> ends = {0,      0x41,    0x7F,    0x80,    0xBF,     0xC0,    0x7FF,
                                      0x800,  0xFFF,   0x1000,  0xD7FF,  0xE000,   0xFFFF,  0x10000,
                                      0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
  for (int round = 0; round < 25; ++round) {
    std::vector<sluice::CodepointRange> ranges;
    int count = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < count; ++i) {
      uint32_t a = ends[rng() % ends.size()] + (rng() % 3);
      uint32_t b = ends[rng() % ends.size()];
      ranges.push_back({std::min(a, b), std::max(a, b)});
    }
    bool negated = rng() % 3 == 0;
    Grammar g;
    sluice::RuleId root = g.declare_rule("root");
    g.set_root(root);
    g.set_body(root, g.char_class(ranges, negated));
    const sluice::Expr& cls = g.expr(g.rule(root).body);

    // Oracle: encode every member code point; mark the encodings and all
    // their proper prefixes (as big-endian integers of 1-3 bytes).
    std::vector<bool> members(sluice::kMaxCodepoint + 1, false);
    std::vector<std::vector<bool>> prefixes = {std::vector<bool>(1), std::vector<bool>(1u << 8),
                                               std::vector<bool>(1u << 16), std::vector<bool>(1u << 24)};
    if (cls.kind == sluice::ExprKind::kCharClass) {
      for (const sluice::CodepointRange& r : cls.ranges) {
        for (uint32_t cp = r.lo; cp <= r.hi; ++cp) {
          members[cp] = true;
          std::string enc = encode_utf8(cp);
          uint32_t key = 0;
          for (size_t i = 0; i < enc.size(); ++i) {
            prefixes[i][key] = true;
            key = (key << 8) | static_cast<unsigned char>(enc[i]);
          }
        }
      }
    }
    // A member's bytes are the one encoding of some member code point: take
    // the payload bits naively, then demand that re-encoding gives the input.
    auto is_member = [&](const std::string& input) {
      if (input.empty() || input.size() > 4) return false;
      static const unsigned char lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
      uint32_t cp = static_cast<unsigned char>(input[0]) & lead_mask[input.size()];
      for (size_t i = 1; i < input.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(input[i]) & 0x3F);
      return cp <= sluice::kMaxCodepoint && members[cp] && encode_utf8(cp) == input;
    };
    auto is_prefix = [&](const std::string& input) {
      if (input.size() > 3) return false;
      uint32_t key = 0;
      for (char c : input) key = (key << 8) | static_cast<unsigned char>(c);
      return static_cast<bool>(prefixes[input.size()][key]);
    };
    auto recognizer = ReferenceRecognizer::create(g);
    REQUIRE(recognizer.ok());
    std::function<void(const std::string&)> walk = [&](const std::string& input) {
      auto verdict = recognizer->classify(input);
      REQUIRE(verdict.ok());
      sluice::ir::Verdict expected = is_member(input)    ? sluice::ir::Verdict::kAccept
                                     : is_prefix(input) ? sluice::ir::Verdict::kIncomplete
                                                        : sluice::ir::Verdict::kReject;
      INFO("class " << g.to_string() << "input bytes " << input.size());
      CHECK(verdict->verdict == expected);
      if (input.size() == 4 || expected == sluice::ir::Verdict::kReject) return;
      for (unsigned char b : bytes) walk(input + static_cast<char>(b));
      // Also every continuation byte value, where one is expected.
      if (!input.empty()) {
        for (int b = 0x80; b <= 0xBF; b += 7) walk(input + static_cast<char>(b));
      }
    };
    walk("");
  }
}
