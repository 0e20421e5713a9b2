// Shared helpers of the matcher tests: grammars built in code, small
// vocabularies, tokenizer loading with a clear skip, and the differential
// random walk that checks fast masks against the reference recogniser.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/random_grammar.h"
#include "ir/reference_recognizer.h"
#include "sluice/compiler.h"
#include "sluice/grammar.h"
#include "sluice/matcher.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace sluice::testing {

// RFC 8259 JSON, written the way json.gbnf is: value, object, array, string
// with every escape, number with fraction and exponent, bounded whitespace.
inline Grammar json_grammar() {
  Grammar g;
  RuleId root = g.declare_rule("root");
  RuleId value = g.declare_rule("value");
  RuleId object = g.declare_rule("object");
  RuleId array = g.declare_rule("array");
  RuleId string = g.declare_rule("string");
  RuleId number = g.declare_rule("number");
  RuleId ws = g.declare_rule("ws");
  g.set_root(root);
  g.set_body(root, g.sequence({g.ref(ws), g.ref(value), g.ref(ws)}));
  g.set_body(value, g.choice({g.ref(object), g.ref(array), g.ref(string), g.ref(number), g.literal("true"),
                              g.literal("false"), g.literal("null")}));
  ExprId member = g.sequence({g.ref(ws), g.ref(string), g.ref(ws), g.literal(":"), g.ref(ws), g.ref(value), g.ref(ws)});
  g.set_body(object, g.sequence({g.literal("{"),
                                 g.choice({g.sequence({member, g.star(g.sequence({g.literal(","), member}))}),
                                           g.ref(ws)}),
                                 g.literal("}")}));
  ExprId element = g.sequence({g.ref(ws), g.ref(value), g.ref(ws)});
  g.set_body(array, g.sequence({g.literal("["),
                                g.choice({g.sequence({element, g.star(g.sequence({g.literal(","), element}))}),
                                          g.ref(ws)}),
                                g.literal("]")}));
  ExprId hex = g.char_class({{'0', '9'}, {'a', 'f'}, {'A', 'F'}});
  ExprId escape = g.sequence({g.literal("\\"), g.choice({g.char_class({{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'b', 'b'},
                                                                      {'f', 'f'}, {'n', 'n'}, {'r', 'r'}, {'t', 't'}}),
                                                        g.sequence({g.literal("u"), g.repeat(hex, 4, 4)})})});
  ExprId plain = g.char_class({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}}, true);
  g.set_body(string, g.sequence({g.literal("\""), g.star(g.choice({plain, escape})), g.literal("\"")}));
  ExprId digit = g.char_class({{'0', '9'}});
  ExprId integer = g.choice({g.literal("0"), g.sequence({g.char_class({{'1', '9'}}), g.star(digit)})});
  ExprId fraction = g.optional(g.sequence({g.literal("."), g.plus(digit)}));
  ExprId exponent =
      g.optional(g.sequence({g.char_class({{'e', 'e'}, {'E', 'E'}}), g.optional(g.char_class({{'+', '+'}, {'-', '-'}})),
                             g.plus(digit)}));
  g.set_body(number, g.sequence({g.optional(g.literal("-")), integer, fraction, exponent}));
  g.set_body(ws, g.repeat(g.char_class({{' ', ' '}, {'\t', '\t'}, {'\n', '\n'}, {'\r', '\r'}}), 0, 20));
  REQUIRE(g.validate().ok());
  return g;
}

// Every single byte, pieces of JSON and of multi-byte UTF-8 (including ones
// that stop inside a code point), one special EOS and one other special.
inline Vocabulary small_vocabulary(uint32_t seed, size_t extra = 300) {
  std::vector<std::string> tokens;
  std::vector<TokenKind> kinds;
  tokens.push_back("");
  kinds.push_back(TokenKind::kSpecial);  // id 0: EOS
  tokens.push_back("");
  kinds.push_back(TokenKind::kSpecial);  // id 1: another control token
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(std::string(1, static_cast<char>(b)));
    kinds.push_back(TokenKind::kNormal);
  }
  const std::vector<std::string> pieces = {"{", "}", "[", "]", "\"", ":", ",", " ", "\n", "\\", "u", "0", "1", "9", "e",
                                           "-", ".", "true", "false", "null", "a", "b", "\xC3\xA9", "\xE2\x82\xAC",
                                           "\xF0\x9F\x98\x80", "\xC3", "\xE2\x82", "\x82\xAC", "\xA9"};
  std::mt19937 rng(seed);
  for (size_t i = 0; i < extra; ++i) {
    std::string t;
    size_t n = 1 + rng() % 4;
    for (size_t k = 0; k < n; ++k) t += pieces[rng() % pieces.size()];
    tokens.push_back(t);
    kinds.push_back(TokenKind::kNormal);
  }
  auto v = Vocabulary::from_tokens(tokens, kinds, {0});
  REQUIRE(v.ok());
  return v.value();
}

// Loads a cached tokenizer, or WARNs and returns nothing.
inline std::optional<Vocabulary> cached_vocabulary(const std::string& name) {
  auto t = Tokenizer::load(name);
  if (!t.ok()) {
    WARN("SKIPPED tokenizer " << name << ": " << t.error().to_string());
    return std::nullopt;
  }
  return Vocabulary::from_tokenizer(t.value());
}

inline bool bit(const std::vector<int32_t>& mask, TokenId id) {
  return (static_cast<uint32_t>(mask[id >> 5]) >> (id & 31)) & 1;
}

// The slow answer for one token: feed its bytes to a copy of the reference.
inline bool reference_allows(const ir::ReferenceRecognizer& ref, const Vocabulary& v, TokenId id) {
  if (v.is_eos(id)) return ref.accepting();
  if (v.token_kind(id) == TokenKind::kSpecial || v.token_bytes(id).empty()) return false;
  ir::ReferenceRecognizer copy = ref;
  auto fed = copy.feed(v.token_bytes(id));
  REQUIRE(fed.ok());
  return fed.value() && !copy.dead();
}

struct WalkOptions {
  size_t steps = 40;
  size_t walks = 3;
  // Tokens compared at each step; the whole vocabulary when it is smaller.
  size_t sample = 1500;
  // Steps (from the first) compared on every token regardless of size.
  size_t full_steps = 1;
  CompileOptions compile;
};

// Random walks through the grammar: at every step the fast mask must agree
// with the reference on the sampled tokens (and on every token of the first
// full_steps steps); the next token is drawn from the allowed ones.
inline void differential_walk(const Grammar& grammar, const Vocabulary& vocabulary, uint32_t seed,
                              const WalkOptions& options = {}) {
  auto compiled = CompiledGrammar::compile(grammar, vocabulary, options.compile);
  REQUIRE(compiled.ok());
  auto reference = ir::ReferenceRecognizer::create(grammar);
  REQUIRE(reference.ok());
  std::mt19937 rng(seed);
  const uint32_t V = vocabulary.size();
  for (size_t walk = 0; walk < options.walks; ++walk) {
    Matcher matcher(compiled.value());
    ir::ReferenceRecognizer ref = reference.value();
    std::vector<int32_t> mask(matcher.mask_words());
    for (size_t step = 0; step < options.steps; ++step) {
      REQUIRE(matcher.fill_next_token_bitmask(mask.data()).ok());
      std::vector<TokenId> ids;
      if (V <= options.sample || step < options.full_steps) {
        for (uint32_t i = 0; i < V; ++i) ids.push_back(static_cast<TokenId>(i));
      } else {
        for (size_t k = 0; k < options.sample; ++k) ids.push_back(static_cast<TokenId>(rng() % V));
        for (TokenId eos : vocabulary.eos_tokens()) ids.push_back(eos);
      }
      std::vector<TokenId> allowed;
      for (TokenId id : ids) {
        bool expect = reference_allows(ref, vocabulary, id);
        INFO("walk " << walk << " step " << step << " token " << id << " '" << vocabulary.token_bytes(id) << "'");
        REQUIRE(bit(mask, id) == expect);
        REQUIRE(matcher.is_token_allowed(id) == expect);
      }
      REQUIRE(matcher.is_accepting() == ref.accepting());
      for (uint32_t i = 0; i < V; ++i) {
        if (bit(mask, static_cast<TokenId>(i))) allowed.push_back(static_cast<TokenId>(i));
      }
      if (allowed.empty()) break;
      TokenId next = allowed[rng() % allowed.size()];
      if (vocabulary.is_eos(next)) {
        REQUIRE(matcher.accept_token(next));
        REQUIRE(matcher.is_terminated());
        break;
      }
      REQUIRE(matcher.accept_token(next));
      auto fed = ref.feed(vocabulary.token_bytes(next));
      REQUIRE(fed.ok());
      REQUIRE(fed.value());
    }
  }
}

}  // namespace sluice::testing
