// The byte automaton: UTF-8 range compilation checked against a direct
// encoder over every code point, and the compile-time errors and budgets.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

#include "frontend/utf8_text.h"
#include "automaton/automaton.h"
#include "ir/reference_recognizer.h"
#include "sluice/compiler.h"
#include "sluice/matcher.h"

namespace sluice {

namespace {

std::string encoded(uint32_t cp) {
  std::string out;
  utf8::append(out, cp);
  return out;
}

bool matches(const std::vector<std::vector<std::pair<uint8_t, uint8_t>>>& seqs, const std::string& bytes) {
  for (const auto& seq : seqs) {
    if (seq.size() != bytes.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < seq.size() && ok; ++i) {
      uint8_t b = static_cast<uint8_t>(bytes[i]);
      ok = b >= seq[i].first && b <= seq[i].second;
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("utf8_sequences encode exactly the code points of a range", "[automaton][utf8]") {
  std::mt19937 rng(17);
  std::vector<std::pair<uint32_t, uint32_t>> ranges = {{0, 0x10FFFF}, {0x7F, 0x80}, {0x7FF, 0x800}, {0xFFFF, 0x10000},
                                                       {0xD000, 0xE100}, {'a', 'z'}, {0x80, 0x10FFFF}};
  for (int i = 0; i < 20; ++i) {
    uint32_t a = rng() % 0x110000, b = rng() % 0x110000;
    ranges.push_back({std::min(a, b), std::max(a, b)});
  }
  for (auto [lo, hi] : ranges) {
    auto seqs = automaton::utf8_sequences(lo, hi);
    INFO("range " << lo << ".." << hi);
    // Every code point near the edges and a sample elsewhere.
    std::vector<uint32_t> probes;
    for (uint32_t edge : {lo, hi, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0xD7FFu, 0xE000u, 0x10FFFFu}) {
      for (int d = -2; d <= 2; ++d) {
        int64_t cp = int64_t{edge} + d;
        if (cp >= 0 && cp <= 0x10FFFF) probes.push_back(static_cast<uint32_t>(cp));
      }
    }
    for (int k = 0; k < 3000; ++k) probes.push_back(rng() % 0x110000);
    for (uint32_t cp : probes) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      REQUIRE(matches(seqs, encoded(cp)) == (cp >= lo && cp <= hi));
    }
    // Nothing outside UTF-8: surrogate encodings, overlong forms, and
    // stray bytes never match.
    REQUIRE(!matches(seqs, "\xED\xA0\x80"));
    REQUIRE(!matches(seqs, "\xC0\x80"));
    REQUIRE(!matches(seqs, "\xE0\x80\x80"));
    REQUIRE(!matches(seqs, "\xF4\x90\x80\x80"));
    REQUIRE(!matches(seqs, "\xFF"));
  }
}

TEST_CASE("automaton compile errors and budgets", "[automaton]") {
  CompileOptions options;
  SECTION("left recursion is reported, naming the rule") {
    Grammar g;
    RuleId a = g.declare_rule("expr");
    g.set_root(a);
    g.set_body(a, g.choice({g.sequence({g.ref(a), g.literal("+x")}), g.literal("x")}));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(!r.ok());
    REQUIRE(r.error().code == ErrorCode::kUnsupported);
    REQUIRE(r.error().message.find("expr") != std::string::npos);
  }
  SECTION("a grammar that matches nothing") {
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    g.set_body(a, g.sequence({g.literal("x"), g.ref(a)}));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(!r.ok());
    REQUIRE(r.error().code == ErrorCode::kUnsatisfiable);
  }
  SECTION("the state budget") {
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    g.set_body(a, g.literal(std::string(5000, 'x')));
    options.max_states = 1000;
    auto r = automaton::build_automaton(g, options);
    REQUIRE(!r.ok());
    REQUIRE(r.error().code == ErrorCode::kBudgetExceeded);
  }
  SECTION("the compile time budget") {
    // Half a million states take far longer than a microsecond to build,
    // however fast the machine.
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    std::vector<ExprId> words;
    for (int i = 0; i < 50000; ++i) words.push_back(g.literal("w" + std::to_string(i) + "xxxxxx"));
    g.set_body(a, g.choice(words));
    options.max_compile_ms = 0.001;
    auto r = automaton::build_automaton(g, options);
    REQUIRE(!r.ok());
    REQUIRE(r.error().code == ErrorCode::kBudgetExceeded);
    REQUIRE(r.error().message.find("max_compile_ms") != std::string::npos);
    options.max_compile_ms = 0;
    REQUIRE(automaton::build_automaton(g, options).ok());
  }
  SECTION("large bounded repeats become one counter loop") {
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    g.set_body(a, g.repeat(g.char_class({{'a', 'z'}}), 0, 100000));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(r.ok());
    REQUIRE(r->counter_loops == 1);
    REQUIRE(r->states.size() < 10);
  }
  SECTION("alternatives that start with literals share their common prefixes") {
    // A thousand enum strings: one path through "\"005-", then a trie of
    // digits, not a thousand parallel paths (and stacks) from the start.
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    std::vector<ExprId> values;
    for (int i = 0; i < 1000; ++i) {
      char digits[8];
      std::snprintf(digits, sizeof digits, "%03d", i);
      values.push_back(g.literal("\"005-" + std::string(digits) + "\""));
    }
    values.push_back(g.sequence({g.literal("\"005-x"), g.char_class({{'a', 'z'}}), g.literal("\"")}));
    g.set_body(a, g.choice(values));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(r.ok());
    CHECK(r->states.size() < 2300);
    auto compiled = CompiledGrammar::compile(g, Vocabulary());
    REQUIRE(compiled.ok());
    for (const auto& [text, accepted] : std::vector<std::pair<std::string, bool>>{{"\"005-123\"", true},
                                                                                 {"\"005-999\"", true},
                                                                                 {"\"005-xq\"", true},
                                                                                 {"\"005-12\"", false},
                                                                                 {"\"005-1234\"", false},
                                                                                 {"\"005-x\"", false}}) {
      INFO(text);
      Matcher m(compiled.value());
      CHECK((m.accept_string(text) && m.is_accepting()) == accepted);
    }
  }
  SECTION("an expression repeated in a rule, ending at one place, is built once") {
    // A trie of names whose branches all end in one "any other text"
    // expression, as the JSON Schema compiler writes for additional keys.
    Grammar g;
    RuleId a = g.declare_rule("root");
    g.set_root(a);
    ExprId tail = g.star(g.choice({g.char_class({{'a', 'z'}, {0x80, 0x10FFFF}}),
                                   g.sequence({g.literal("\\"), g.char_class({{'n', 'n'}, {'t', 't'}})})}));
    std::vector<ExprId> branches;
    for (int i = 0; i < 200; ++i) branches.push_back(g.sequence({g.literal("k" + std::to_string(i)), tail}));
    g.set_body(a, g.sequence({g.choice(branches), g.literal(";")}));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(r.ok());
    // 200 names of up to four bytes, plus one copy of the tail.
    REQUIRE(r->states.size() < 200 * 4 + 40);
    auto compiled = CompiledGrammar::compile(g, Vocabulary(), options);
    REQUIRE(compiled.ok());
    auto reference = ir::ReferenceRecognizer::create(g);
    REQUIRE(reference.ok());
    std::mt19937 rng(3);
    const std::vector<std::string> pieces = {"k", "1", "7", "19", "x", "\\n", "\\q", "\xC3\xA9", ";", "0"};
    for (int i = 0; i < 3000; ++i) {
      std::string text;
      const size_t n = 1 + rng() % 6;
      for (size_t k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
      Matcher m(compiled.value());
      const bool fast = m.accept_string(text);
      ir::ReferenceRecognizer ref = reference.value();
      auto fed = ref.feed(text);
      REQUIRE(fed.ok());
      INFO(text);
      REQUIRE(fast == (fed.value() && !ref.dead()));
      if (fast) REQUIRE(m.is_accepting() == ref.accepting());
    }
  }
  SECTION("every state kept can complete") {
    Grammar g;
    RuleId a = g.declare_rule("root");
    RuleId dead = g.declare_rule("dead");
    g.set_root(a);
    g.set_body(dead, g.sequence({g.literal("d"), g.ref(dead)}));
    g.set_body(a, g.choice({g.literal("ok"), g.sequence({g.literal("o"), g.ref(dead)})}));
    auto r = automaton::build_automaton(g, options);
    REQUIRE(r.ok());
    for (const automaton::CallEdge& c : r->call_edges) REQUIRE(r->rules[c.rule].name != "dead");
  }
}

}  // namespace sluice
