// The process-wide token-class cache (matcher/shared_classes.h): frames of
// the same structure in different grammars share a signature, frames of a
// different structure never do, and masks taken from shared entries equal
// the reference recogniser's.
#include <catch2/catch.hpp>

#include "matcher/compiled_grammar.h"
#include "matcher/harness.h"
#include "matcher/shared_classes.h"
#include "sluice/frontend.h"

namespace sluice::testing {

namespace {

Grammar gbnf(const std::string& text) {
  auto g = parse_gbnf(text, {.optimize = false});
  REQUIRE(g.ok());
  return std::move(g.value());
}

// The signature of the entry state of the rule called `name`.
std::optional<std::vector<uint32_t>> rule_signature(const CompiledGrammar& compiled, const std::string& name) {
  const automaton::Automaton& a = compiled.impl().automaton;
  for (const automaton::RuleInfo& rule : a.rules) {
    if (rule.name != name) continue;
    const uint32_t frame[4] = {rule.entry, 0, 0, 0};
    return matcher::frame_signature(a, false, frame);
  }
  FAIL("no rule " << name);
  return std::nullopt;
}

}  // namespace

TEST_CASE("the same rule in two grammars has one signature", "[matcher][shared_cache]") {
  Vocabulary v = small_vocabulary(5);
  const std::string str = "str ::= \"\\\"\" [^\"\\\\]* \"\\\"\"\n";
  auto a = CompiledGrammar::compile(gbnf("root ::= \"{\" str \":\" [0-9]+ \"}\"\n" + str), v);
  auto b = CompiledGrammar::compile(gbnf("root ::= \"[\" (str (\",\" str)*)? \"]\"\n" + str), v);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto sa = rule_signature(*a.value(), "str");
  auto sb = rule_signature(*b.value(), "str");
  REQUIRE(sa);
  REQUIRE(sb);
  CHECK(*sa == *sb);

  SECTION("a different body gives a different signature") {
    auto c = CompiledGrammar::compile(gbnf("root ::= \"[\" str \"]\"\nstr ::= \"\\\"\" [^\"]* \"\\\"\"\n"), v);
    REQUIRE(c.ok());
    auto sc = rule_signature(*c.value(), "str");
    REQUIRE(sc);
    CHECK(*sc != *sa);
  }
  SECTION("so does a different callee, however deep") {
    const std::string deep = "item ::= \"<\" inner \">\"\ninner ::= [a-c]+\n";
    const std::string other = "item ::= \"<\" inner \">\"\ninner ::= [a-d]+\n";
    auto d = CompiledGrammar::compile(gbnf("root ::= item+\n" + deep), v);
    auto e = CompiledGrammar::compile(gbnf("root ::= item+\n" + other), v);
    REQUIRE(d.ok());
    REQUIRE(e.ok());
    auto sd = rule_signature(*d.value(), "item");
    auto se = rule_signature(*e.value(), "item");
    REQUIRE(sd);
    REQUIRE(se);
    CHECK(*sd != *se);
  }
  SECTION("frames that reach too many states are not shared") {
    const automaton::Automaton& automaton = a.value()->impl().automaton;
    const uint32_t frame[4] = {automaton.rules[automaton.root].entry, 0, 0, 0};
    CHECK_FALSE(matcher::frame_signature(automaton, false, frame, 2));
    // Reaching a state already found to reach too many is enough.
    REQUIRE(matcher::frame_signature(automaton, false, frame));
    std::vector<bool> too_large(automaton.states.size(), true);
    too_large[frame[0]] = false;
    CHECK_FALSE(matcher::frame_signature(automaton, false, frame, matcher::kMaxSignatureStates, &too_large));
  }
}

TEST_CASE("masks from shared entries equal the reference", "[matcher][shared_cache][differential]") {
  // Grammars that share string and number rules but differ around them, so
  // later ones take classes that earlier ones computed.
  Vocabulary v = small_vocabulary(9, 400);
  const std::string common =
      "str ::= \"\\\"\" ([^\"\\\\\\x00-\\x1f] | \"\\\\\" [\"\\\\/bfnrt])* \"\\\"\"\n"
      "num ::= \"-\"? ([0-9] | [1-9] [0-9]+) (\".\" [0-9]+)?\n"
      "short ::= \"\\\"\" [a-z]{0,5} \"\\\"\"\n";
  const std::vector<std::string> roots = {
      "root ::= \"{\\\"a\\\":\" str \",\\\"b\\\":\" num \"}\"\n",
      "root ::= \"[\" (num (\",\" num)*)? \"]\"\n",
      "root ::= \"{\\\"k\\\":\" (str | num | short) \"}\"\n",
      "root ::= (str \":\" short \";\")+\n",
      "root ::= \"{\\\"a\\\":\" str \",\\\"b\\\":\" num \"}\"\n",
  };
  CompileOptions shared;
  CompileOptions alone;
  alone.max_shared_mask_cache_bytes = 0;
  matcher::SharedClassCache::instance().clear();
  uint32_t seed = 21;
  for (const std::string& root : roots) {
    Grammar g = gbnf(root + common);
    INFO(root);
    WalkOptions options;
    options.steps = 30;
    options.walks = 3;
    options.compile = shared;
    differential_walk(g, v, seed, options);
    options.compile = alone;
    differential_walk(g, v, seed, options);
    ++seed;
  }
  CHECK(matcher::SharedClassCache::instance().entries() > 0);
}

TEST_CASE("an identical grammar compiled again adds no shared entries", "[matcher][shared_cache]") {
  Vocabulary v = small_vocabulary(4);
  Grammar g = gbnf("root ::= \"[\" (s (\",\" s)*)? \"]\"\ns ::= \"\\\"\" [^\"]* \"\\\"\"\n");
  auto walk = [&] {
    auto compiled = CompiledGrammar::compile(g, v);
    REQUIRE(compiled.ok());
    Matcher m(compiled.value());
    std::vector<int32_t> mask(m.mask_words());
    for (const char* piece : {"[", "\"ab", "c\"", ",", "\"x\"", "]"}) {
      REQUIRE(m.fill_next_token_bitmask(mask.data()).ok());
      REQUIRE(m.accept_string(piece));
    }
    REQUIRE(m.is_accepting());
  };
  walk();
  const size_t entries = matcher::SharedClassCache::instance().entries();
  REQUIRE(entries > 0);
  walk();
  CHECK(matcher::SharedClassCache::instance().entries() == entries);
}

TEST_CASE("the shared cache drops its oldest entries to stay within its bound", "[matcher][shared_cache]") {
  // Regression: past the bound the whole cache was dropped at once, which
  // in a MaskBench run stalled one mask for 50 ms (57,175 entries freed).
  matcher::SharedClassCache& cache = matcher::SharedClassCache::instance();
  cache.clear();
  auto classes_of = [](size_t ids) {
    auto c = std::make_shared<matcher::TokenClasses>();
    c->accepted_ids.assign(ids, 0);
    return std::shared_ptr<const matcher::TokenClasses>(std::move(c));
  };
  const uint64_t vocabulary = 0xF00D;
  const size_t max_bytes = 64 * 1024;
  std::vector<std::shared_ptr<const matcher::TokenClasses>> inserted;
  for (uint32_t i = 0; i < 200; ++i) {
    inserted.push_back(classes_of(256));
    cache.insert(vocabulary, {i}, inserted.back(), max_bytes);
    REQUIRE(cache.bytes() <= max_bytes);
  }
  // About 1 KiB an entry: the newest few dozen are kept, the oldest gone.
  const size_t kept = cache.entries();
  CHECK(kept > 40);
  CHECK(kept < 64);
  for (uint32_t i = 0; i < 200; ++i) {
    INFO("entry " << i);
    auto found = cache.find(vocabulary, {i});
    if (i + kept >= 200) {
      CHECK(found == inserted[i]);
    } else {
      CHECK(found == nullptr);
    }
  }
  // Entries in use stay alive when dropped.
  CHECK(inserted[0]->accepted_ids.size() == 256);
  // An entry larger than the bound is not kept, and drops nothing.
  cache.insert(vocabulary, {1000}, classes_of(size_t{1} << 20), max_bytes);
  CHECK(cache.find(vocabulary, {1000}) == nullptr);
  CHECK(cache.entries() == kept);
  cache.clear();
  CHECK(cache.entries() == 0);
  CHECK(cache.bytes() == 0);
}

}  // namespace sluice::testing
