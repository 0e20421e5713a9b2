// Fast masks against the reference recogniser, token by token, along random
// walks: hand-built JSON, random grammars (with and without counter loops),
// small synthetic vocabularies and the cached real tokenizers.
#include <catch2/catch.hpp>

#include <optional>
#include <utility>
#include <vector>

#include "automaton/automaton.h"
#include "matcher/harness.h"
#include "matcher/slice_absorption.h"
#include "sluice/json_schema.h"

namespace sluice::testing {

TEST_CASE("json masks equal the reference on a synthetic vocabulary", "[matcher][differential]") {
  Vocabulary v = small_vocabulary(7);
  WalkOptions options;
  options.steps = 60;
  options.walks = 4;
  differential_walk(json_grammar(), v, 11, options);
}

namespace {

// Differential walks over `count` random grammars from `gen_options`;
// returns how many were walked (left-recursive and unsatisfiable ones are
// skipped). Half of them run every bounded repetition as a counter loop.
int walk_random_grammars(const Vocabulary& v, RandomGrammarOptions gen_options, uint32_t gen_seed, int count,
                         uint32_t walk_seed, size_t steps, size_t walks) {
  gen_options.rules = 3;
  gen_options.max_depth = 3;
  RandomGrammarGenerator gen(gen_seed, gen_options);
  int checked = 0;
  for (int i = 0; i < count; ++i) {
    Grammar g = gen.next();
    if (!ir::ReferenceRecognizer::create(g).ok()) continue;  // left recursion
    CompileOptions compile;
    compile.unroll_state_limit = (i % 2 == 0) ? 0 : 64;
    auto compiled = CompiledGrammar::compile(g, v, compile);
    if (!compiled.ok()) {
      REQUIRE(compiled.error().code == ErrorCode::kUnsatisfiable);
      continue;
    }
    INFO("grammar " << i << ":\n" << g.to_string());
    WalkOptions options;
    options.steps = steps;
    options.walks = walks;
    options.compile = compile;
    differential_walk(g, v, walk_seed + static_cast<uint32_t>(i), options);
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_CASE("random grammars: fast masks equal the reference", "[matcher][differential]") {
  RandomGrammarOptions gen_options;
  gen_options.recursion = false;
  REQUIRE(walk_random_grammars(small_vocabulary(3, 120), gen_options, 1234, 150, 100, 12, 2) > 50);
}

TEST_CASE("recursive random grammars: fast masks equal the reference", "[matcher][differential]") {
  RandomGrammarOptions gen_options;
  gen_options.recursion = true;
  REQUIRE(walk_random_grammars(small_vocabulary(5, 120), gen_options, 99, 150, 500, 12, 2) > 30);
}

TEST_CASE("random grammars with permutations: fast masks equal the reference", "[matcher][differential]") {
  Vocabulary v = small_vocabulary(9, 120);
  int checked = 0;
  for (bool recursion : {false, true}) {
    RandomGrammarOptions gen_options;
    gen_options.recursion = recursion;
    gen_options.permutations = true;
    checked += walk_random_grammars(v, gen_options, recursion ? 4242 : 2424, 150, 900, 14, 3);
  }
  REQUIRE(checked > 120);
}

TEST_CASE("json masks equal the reference with real tokenizers", "[matcher][differential][tokenizer]") {
  for (const char* name : {"llama3", "qwen3", "llama2"}) {
    auto v = cached_vocabulary(name);
    if (!v) continue;
    INFO("tokenizer " << name);
    WalkOptions options;
    options.steps = 40;
    options.walks = 2;
    options.sample = 400;
    options.full_steps = 1;
    differential_walk(json_grammar(), *v, 21, options);
  }
}

TEST_CASE("length-bounded strings: masks equal the reference as the counter runs down",
          "[matcher][differential][tokenizer]") {
  // Counters below the cap are refined from the capped key (only tokens
  // longer than the runs left are walked again); the walks run them out.
  JsonSchemaOptions schema_options;
  schema_options.whitespace = JsonWhitespace::kCompact;
  auto lowered = compile_json_schema(
      R"({"type": "object", "properties": {"a": {"type": "string", "maxLength": 40},
          "b": {"type": "string", "minLength": 2, "maxLength": 9}}, "required": ["a", "b"],
          "additionalProperties": false})",
      schema_options);
  REQUIRE(lowered.ok());
  WalkOptions options;
  options.steps = 70;
  options.walks = 3;
  options.compile.unroll_state_limit = 0;
  differential_walk(lowered->grammar, small_vocabulary(13, 400), 31, options);
  for (const char* name : {"llama3", "llama2"}) {
    auto v = cached_vocabulary(name);
    if (!v) continue;
    INFO("tokenizer " << name);
    options.sample = 400;
    options.full_steps = 2;
    differential_walk(lowered->grammar, *v, 41, options);
  }
}

namespace {

// Strings whose bodies do or do not take every raw-text token (the text
// slice, vocab/text_slice.h): the slice shortcut must never change a mask.
std::vector<Grammar> string_body_grammars() {
  std::vector<Grammar> out;
  auto make = [&](auto&& body_of) {
    Grammar g;
    RuleId root = g.declare_rule("root");
    g.set_root(root);
    ExprId hex = g.char_class({{'0', '9'}, {'a', 'f'}});
    ExprId escape = g.sequence({g.literal("\\"), g.choice({g.char_class({{'"', '"'}, {'\\', '\\'}, {'n', 'n'}}),
                                                          g.sequence({g.literal("u"), g.repeat(hex, 4, 4)})})});
    ExprId plain = g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0x10FFFF}});
    ExprId body = body_of(g, g.choice({plain, escape}));
    g.set_body(root, g.sequence({g.literal("\""), body, g.literal("\""), g.literal(":"), g.char_class({{'0', '9'}})}));
    REQUIRE(g.validate().ok());
    out.push_back(std::move(g));
  };
  // Any string: absorbs.
  make([](Grammar& g, ExprId ch) { return g.star(ch); });
  // Any string but "ab" and "b", built as a trie whose branches end in the
  // same "any other string" expression (shared in the automaton).
  make([](Grammar& g, ExprId ch) {
    ExprId rest = g.star(ch);
    ExprId other_than_a_b = g.sequence({g.char_class({{'a', 'b'}, {'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true), rest});
    ExprId after_ab = g.sequence({ch, rest});
    ExprId after_a = g.choice({g.empty(), g.sequence({g.literal("b"), after_ab}),
                               g.sequence({g.char_class({{'b', 'b'}, {'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true), rest})});
    return g.choice({g.empty(), g.sequence({g.literal("a"), after_a}), g.sequence({g.literal("b"), after_ab}),
                     other_than_a_b});
  });
  // One letter missing: refuses.
  make([](Grammar& g, ExprId) {
    return g.star(g.char_class({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}, {'z', 'z'}}, true));
  });
  // No code point past U+FFFF: refuses on four-byte text.
  make([](Grammar& g, ExprId) {
    return g.star(g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0xFFFF}}));
  });
  // Bounded length (a counter loop or unrolled): refuses once near the end.
  make([](Grammar& g, ExprId ch) { return g.repeat(ch, 0, 6); });
  make([](Grammar& g, ExprId ch) { return g.repeat(ch, 2, 40); });
  // Longer than any token: under its counter the body takes all raw text.
  make([](Grammar& g, ExprId ch) { return g.repeat(ch, 0, 1000); });
  // Any string with "ab" in it, as an unanchored pattern compiles: on "a"
  // the first state both searches on and tries the match; searching on
  // takes all raw text.
  make([](Grammar& g, ExprId ch) { return g.sequence({g.star(ch), g.literal("ab"), g.star(ch)}); });
  // The trie of "ab" and "b" again, its branches ending in a call to one
  // shared rule (as JSON Schema keys outside a set of names compile): the
  // walk follows the call into the rule, which takes all raw text...
  auto trie_with_shared_tail = [](Grammar& g, ExprId ch, ExprId tail_char) {
    const RuleId tail = g.declare_rule("tail");
    g.set_body(tail, g.star(tail_char));
    ExprId rest = g.ref(tail);
    ExprId other_than_a_b = g.sequence({g.char_class({{'a', 'b'}, {'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true), rest});
    ExprId after_a = g.choice({g.empty(), g.sequence({g.literal("b"), ch, rest}),
                               g.sequence({g.char_class({{'b', 'b'}, {'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true), rest})});
    return g.choice({g.empty(), g.sequence({g.literal("a"), after_a}), g.sequence({g.literal("b"), ch, rest}),
                     other_than_a_b});
  };
  make([&](Grammar& g, ExprId ch) { return trie_with_shared_tail(g, ch, ch); });
  // A pattern's ".*" (no line separators), then a line separator: the
  // slice leaves U+2028 and U+2029 out, so the loop takes it.
  make([](Grammar& g, ExprId) {
    ExprId dot = g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x2027}, {0x202A, 0xD7FF}, {0xE000, 0x10FFFF}});
    return g.sequence({g.star(dot), g.char_class({{0x2028, 0x2029}}), g.star(dot)});
  });
  // ... unless the rule misses a letter.
  make([&](Grammar& g, ExprId ch) {
    return trie_with_shared_tail(g, ch, g.char_class({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}, {'z', 'z'}}, true));
  });
  // Raw text without some characters (slice_absorption.h's sets; the
  // synthetic vocabulary has tokens with each of them). Each entry below
  // is a shape from real schemas' patterns:
  auto text_without = [](Grammar& g, std::vector<CodepointRange> left_out) {
    left_out.insert(left_out.end(), {{0, 0x1F}, {'"', '"'}, {'\\', '\\'}});
    return g.char_class(std::move(left_out), true);
  };
  // "^[^a]+$";
  make([&](Grammar& g, ExprId) { return g.plus(text_without(g, {{'a', 'a'}})); });
  // "^[^:]+:[0-9a-f]+$";
  make([&](Grammar& g, ExprId) {
    return g.sequence(
        {g.plus(text_without(g, {{':', ':'}})), g.literal(":"), g.plus(g.char_class({{'0', '9'}, {'a', 'f'}}))});
  });
  // "^[^,]{1,255}$", longer than any token;
  make([&](Grammar& g, ExprId) { return g.repeat(text_without(g, {{',', ','}}), 1, 255); });
  // "^ *([^ ,:]+ *:[^,]*)?$", where a space may lead into a run that takes
  // only spaces and ':', so the space is better left out;
  make([&](Grammar& g, ExprId) {
    ExprId spaces = g.star(g.literal(" "));
    ExprId key = g.plus(text_without(g, {{' ', ' '}, {',', ','}, {':', ':'}}));
    ExprId value = g.star(text_without(g, {{',', ','}}));
    return g.sequence({spaces, g.optional(g.sequence({key, spaces, g.literal(":"), value}))});
  });
  // "^[^\u00E9]*$": what is left out is a continuation byte.
  make([&](Grammar& g, ExprId) { return g.star(text_without(g, {{0xE9, 0xE9}})); });
  // Automata spelled one rule per state, each calling the next, as a
  // pattern's complement compiles: any text (the states after "a" and
  // after anything else)...
  auto two_state_chain = [&](Grammar& g, ExprId after_a_takes) {
    const RuleId start = g.declare_rule("start"), after_a = g.declare_rule("after_a");
    g.set_body(start, g.choice({g.empty(), g.sequence({text_without(g, {{'a', 'a'}}), g.ref(start)}),
                                g.sequence({g.literal("a"), g.ref(after_a)})}));
    g.set_body(after_a, g.choice({g.empty(), g.sequence({after_a_takes, g.ref(start)}),
                                  g.sequence({g.literal("a"), g.ref(after_a)})}));
    return g.ref(start);
  };
  make([&](Grammar& g, ExprId) { return two_state_chain(g, text_without(g, {{'a', 'a'}})); });
  // ... and text without "ab".
  make([&](Grammar& g, ExprId) { return two_state_chain(g, text_without(g, {{'a', 'b'}})); });
  return out;
}

}  // namespace

TEST_CASE("string bodies: masks with the text slice equal the reference", "[matcher][differential][slice]") {
  std::vector<Grammar> grammars = string_body_grammars();
  Vocabulary synthetic = small_vocabulary(13, 400);
  for (size_t i = 0; i < grammars.size(); ++i) {
    INFO("grammar " << i << ":\n" << grammars[i].to_string());
    for (size_t unroll : {size_t{0}, size_t{64}}) {
      WalkOptions options;
      options.steps = 14;
      options.walks = 4;
      options.compile.unroll_state_limit = unroll;
      differential_walk(grammars[i], synthetic, 700 + static_cast<uint32_t>(i), options);
    }
  }
  if (auto llama3 = cached_vocabulary("llama3")) {
    for (size_t i = 0; i < grammars.size(); ++i) {
      INFO("grammar " << i << " with llama3:\n" << grammars[i].to_string());
      WalkOptions options;
      options.steps = 6;
      options.walks = 2;
      options.sample = 2000;
      options.full_steps = 1;
      differential_walk(grammars[i], *llama3, 800 + static_cast<uint32_t>(i), options);
    }
  }
}

namespace {

// The automaton of a string_body_grammars() entry and its state after the
// opening quote.
std::pair<automaton::Automaton, uint32_t> string_body_automaton(const Grammar& grammar) {
  CompileOptions options;
  options.unroll_state_limit = 64;
  auto a = automaton::build_automaton(grammar, options);
  REQUIRE(a.ok());
  const automaton::State& entry = a->states[a->rules[a->root].entry];
  REQUIRE(entry.byte_end - entry.byte_begin == 1);
  const uint32_t body = a->byte_edges[entry.byte_begin].target;
  return {std::move(a.value()), body};
}

}  // namespace

TEST_CASE("slice absorption: which string bodies take all raw text", "[matcher][slice]") {
  std::vector<Grammar> grammars = string_body_grammars();
  const std::vector<bool> expected = {true, true, false, false, false, false, false, true, true,
                                      true, false, false, false, false, false, false, true, false};
  REQUIRE(grammars.size() == expected.size());
  for (size_t i = 0; i < grammars.size(); ++i) {
    INFO("grammar " << i << ":\n" << grammars[i].to_string());
    const auto [a, body] = string_body_automaton(grammars[i]);
    matcher::SliceAbsorption absorption(a);
    REQUIRE(absorption.absorbs(body, 0) == expected[i]);
    // Asked again, from the memo: the same answer.
    REQUIRE(absorption.absorbs(body, 0) == expected[i]);
    // Mid code point the slice continues with a continuation byte, which
    // no state at a code point boundary takes.
    REQUIRE_FALSE(absorption.absorbs(body, 1));
  }
}

TEST_CASE("slice absorption: the bytes a string body needs left out", "[matcher][slice]") {
  // absorbs_except at the state after the opening quote: the bytes of its
  // set, or null for none.
  using Bytes = std::optional<std::vector<unsigned>>;
  const std::vector<Bytes> expected = {
      Bytes{std::vector<unsigned>{}},  // any string
      Bytes{std::vector<unsigned>{}},  // the trie of "ab" and "b"
      Bytes{{'z'}},
      Bytes{{0xF0, 0xF1, 0xF2, 0xF3, 0xF4}},  // four-byte text
      std::nullopt,                           // counter loops: the loop state calls
      std::nullopt,
      std::nullopt,
      Bytes{std::vector<unsigned>{}},  // ".*ab.*"
      Bytes{std::vector<unsigned>{}},  // the trie with a shared tail
      Bytes{std::vector<unsigned>{}},  // ".*" and a line separator
      Bytes{{'z'}},
      Bytes{{'a'}},
      Bytes{{':'}},
      std::nullopt,  // a counter loop again
      Bytes{{' ', ',', ':'}},
      Bytes{{0xA9}},
      Bytes{std::vector<unsigned>{}},  // any text, rule by rule
      Bytes{{'b'}},                    // text without "ab", rule by rule
  };
  std::vector<Grammar> grammars = string_body_grammars();
  REQUIRE(grammars.size() == expected.size());
  for (size_t i = 0; i < grammars.size(); ++i) {
    INFO("grammar " << i << ":\n" << grammars[i].to_string());
    const auto [a, body] = string_body_automaton(grammars[i]);
    matcher::SliceAbsorption absorption(a);
    const matcher::SliceAbsorption::Except* found = absorption.absorbs_except(body, 0);
    Bytes got;
    if (found) {
      got.emplace();
      for (unsigned b = 0; b < 256; ++b) {
        if (found->bytes[b >> 6] >> (b & 63) & 1) got->push_back(b);
      }
    }
    CHECK(got == expected[i]);
    // Asked again, from the memo: the same answer.
    const matcher::SliceAbsorption::Except* again = absorption.absorbs_except(body, 0);
    CHECK((again != nullptr) == (found != nullptr));
  }
}

TEST_CASE("slice absorption: a string body under a counter loop", "[matcher][slice]") {
  // As the body of a loop, a state whose byte edges end the body goes on at
  // the body's entry: a body of any one character absorbs the slice, one
  // that misses a letter does not, and neither absorbs outside a loop.
  auto body_entry_absorbs = [](bool whole_class, bool looped) {
    Grammar g;
    RuleId root = g.declare_rule("root");
    g.set_root(root);
    ExprId plain = whole_class ? g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0x10FFFF}})
                               : g.char_class({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}, {'q', 'q'}}, true);
    g.set_body(root, g.sequence({g.literal("\""), g.repeat(plain, 0, 500), g.literal("\"")}));
    REQUIRE(g.validate().ok());
    CompileOptions options;
    options.unroll_state_limit = 0;
    auto a = automaton::build_automaton(g, options);
    REQUIRE(a.ok());
    for (const automaton::RuleInfo& rule : a->rules) {
      if (!rule.loop) continue;
      matcher::SliceAbsorption absorption(a.value());
      return absorption.absorbs(a->rules[rule.loop_body].entry, 0, looped);
    }
    FAIL("no counter loop");
    return false;
  };
  CHECK(body_entry_absorbs(true, true));
  CHECK_FALSE(body_entry_absorbs(true, false));
  CHECK_FALSE(body_entry_absorbs(false, true));
  CHECK_FALSE(body_entry_absorbs(false, false));
}

}  // namespace sluice::testing

namespace sluice::testing {

namespace {

// After each prefix, the fast mask equals the naive one (every token stepped
// byte by byte), on a synthetic vocabulary and the cached real ones.
void check_masks_after(const Grammar& grammar, const std::vector<std::string>& prefixes,
                       const CompileOptions& options = CompileOptions()) {
  std::vector<Vocabulary> vocabularies;
  vocabularies.push_back(small_vocabulary(17, 600));
  for (const char* name : {"llama3", "llama2"}) {
    if (auto v = cached_vocabulary(name)) vocabularies.push_back(std::move(*v));
  }
  for (const Vocabulary& v : vocabularies) {
    auto compiled = CompiledGrammar::compile(grammar, v, options);
    REQUIRE(compiled.ok());
    for (const std::string& prefix : prefixes) {
      INFO("vocabulary of " << v.size() << " tokens, after " << prefix);
      Matcher m(compiled.value());
      REQUIRE(m.accept_string(prefix));
      std::vector<int32_t> fast(m.mask_words()), naive(m.mask_words());
      REQUIRE(m.fill_next_token_bitmask(fast.data()).ok());
      REQUIRE(m.fill_next_token_bitmask_naive(naive.data()).ok());
      CHECK(fast == naive);
    }
  }
}

}  // namespace

TEST_CASE("keys of a key trie: masks equal the naive masks", "[matcher][differential][tokenizer]") {
  // Inside a key that may be a named property or any other key, the key
  // trie's states are refined from the "any other key" body they share most
  // bytes with; the named keys, their prefixes and escapes must come out as
  // a naive walk of every token says.
  JsonSchemaOptions schema_options;
  schema_options.whitespace = JsonWhitespace::kCompact;
  auto lowered = compile_json_schema(
      R"({"type": "object", "properties": {"alpha": {"type": "integer"}, "alpine": {"type": "boolean"},
          "beta": {"type": "string", "maxLength": 300}, "\u00e9t\u00e9": {"type": "integer"}},
          "additionalProperties": {"type": "integer"}})",
      schema_options);
  REQUIRE(lowered.ok());
  const std::vector<std::string> prefixes = {"{",          "{\"",         "{\"a",          "{\"al",
                                             "{\"alp",     "{\"alph",     "{\"alpha",      "{\"alpin",
                                             "{\"alpine",  "{\"alphab",   "{\"b",          "{\"x",
                                             "{\"\xc3\xa9", "{\"\xc3\xa9t", "{\"al\\", "{\"al\\\\", "{\"alpha\":1,\"al",
                                             "{\"beta\":\"a", "{\"beta\":\"\xc3\xa9t"};
  check_masks_after(lowered->grammar, prefixes);
  // The trie alone ("any string but ab and b"), where nothing else can
  // accept what it rejects.
  check_masks_after(string_body_grammars()[1],
                    {"\"", "\"a", "\"ab", "\"abc", "\"b", "\"ba", "\"x", "\"x\\", "\"\xc3\xa9"});
}

TEST_CASE("strings of bounded length: slice tokens by code points left", "[matcher][differential][tokenizer]") {
  // Where a string's counter has fewer runs left than the longest token,
  // its slice tokens are taken by how many code points they begin, without
  // a walk: only while each run is one code point and what follows the
  // loop refuses raw text. Each grammar is run down to its last run, with
  // two-, three- and four-byte code points on the way.
  auto quoted = [](auto&& body_of) {
    Grammar g;
    RuleId root = g.declare_rule("root");
    g.set_root(root);
    ExprId plain = g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0x10FFFF}});
    g.set_body(root, g.sequence({g.literal("\""), body_of(g, plain), g.literal("\""), g.char_class({{'0', '9'}})}));
    REQUIRE(g.validate().ok());
    return g;
  };
  CompileOptions counters;
  counters.unroll_state_limit = 0;
  const std::vector<std::string> runs_down = {
      "\"", "\"a", "\"ab", "\"ab\xc3\xa9", "\"ab\xc3\xa9\xe4\xb8\xad", "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80",
      "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80x", "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xy",
      "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xyz", "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xyz\xc3",
      "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xyz\xc3\xa9", "\"ab\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xyz\xc3\xa9w"};
  SECTION("at most ten code points") {
    check_masks_after(quoted([](Grammar& g, ExprId ch) { return g.repeat(ch, 0, 10); }), runs_down, counters);
  }
  SECTION("three to ten code points") {
    check_masks_after(quoted([](Grammar& g, ExprId ch) { return g.repeat(ch, 3, 10); }), runs_down, counters);
  }
  SECTION("raw text may follow the loop") {
    check_masks_after(quoted([](Grammar& g, ExprId ch) {
                        return g.sequence({g.repeat(ch, 0, 6), g.star(g.char_class({{'a', 'z'}}))});
                      }),
                      std::vector<std::string>(runs_down.begin(), runs_down.begin() + 9), counters);
  }
  SECTION("two code points a run") {
    check_masks_after(
        quoted([](Grammar& g, ExprId ch) { return g.repeat(g.sequence({ch, ch}), 0, 6); }), runs_down, counters);
  }
  SECTION("the whole document: the end follows the loop") {
    Grammar g;
    RuleId root = g.declare_rule("root");
    g.set_root(root);
    g.set_body(root, g.repeat(g.char_class({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x10FFFF}}), 0, 9));
    REQUIRE(g.validate().ok());
    check_masks_after(g,
                      {"", "a", "ab", "ab\xc3\xa9", "ab\xc3\xa9\xe4\xb8\xad", "ab\xc3\xa9\xe4\xb8\xadxyz",
                       "ab\xc3\xa9\xe4\xb8\xadxyzw"},
                      counters);
  }
}

}  // namespace sluice::testing
