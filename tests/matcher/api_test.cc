// The Matcher's contract: EOS and special tokens, all-or-nothing accepts,
// rollback, clone, validate_tokens, forced bytes and tokens, UTF-8 at byte
// level, sticky errors and byte-level acceptance without a vocabulary.
#include <catch2/catch.hpp>

#include "matcher/harness.h"
#include "sluice/frontend.h"

namespace sluice::testing {

namespace {

std::shared_ptr<const CompiledGrammar> compile_or_die(const Grammar& g, const Vocabulary& v,
                                                      const CompileOptions& options = {}) {
  auto c = CompiledGrammar::compile(g, v, options);
  REQUIRE(c.ok());
  return c.value();
}

Grammar gbnf(const char* text) {
  auto g = parse_gbnf(text);
  REQUIRE(g.ok());
  return g.value();
}

// Vocabulary: 0 EOS, 1 other special, 2 unused (empty), then the pieces.
Vocabulary word_vocabulary(std::vector<std::string> pieces) {
  std::vector<std::string> tokens = {"", "", ""};
  std::vector<TokenKind> kinds = {TokenKind::kSpecial, TokenKind::kSpecial, TokenKind::kNormal};
  for (auto& p : pieces) {
    tokens.push_back(p);
    kinds.push_back(TokenKind::kNormal);
  }
  auto v = Vocabulary::from_tokens(tokens, kinds, {0});
  REQUIRE(v.ok());
  return v.value();
}

TokenId id_of(const Vocabulary& v, std::string_view bytes) {
  for (uint32_t i = 0; i < v.size(); ++i) {
    if (v.token_kind(static_cast<TokenId>(i)) != TokenKind::kSpecial && v.token_bytes(static_cast<TokenId>(i)) == bytes) {
      return static_cast<TokenId>(i);
    }
  }
  FAIL("no token " << bytes);
  return -1;
}

std::vector<int32_t> mask_of(Matcher& m) {
  std::vector<int32_t> mask(m.mask_words());
  REQUIRE(m.fill_next_token_bitmask(mask.data()).ok());
  return mask;
}

}  // namespace

TEST_CASE("EOS exactly when complete; other specials and empty tokens never", "[matcher][api]") {
  Vocabulary v = word_vocabulary({"a", "b", "ab"});
  Matcher m(compile_or_die(gbnf("root ::= \"a\" \"b\"?"), v));
  auto mask = mask_of(m);
  REQUIRE(!bit(mask, 0));
  REQUIRE(!bit(mask, 1));
  REQUIRE(!bit(mask, 2));
  REQUIRE(!m.accept_token(0));
  REQUIRE(!m.accept_token(1));
  REQUIRE(!m.accept_token(2));
  REQUIRE(!m.accept_token(99));
  REQUIRE(!m.accept_token(-1));
  REQUIRE(m.accept_token(id_of(v, "a")));
  REQUIRE(m.is_accepting());
  mask = mask_of(m);
  REQUIRE(bit(mask, 0));
  REQUIRE(!bit(mask, 1));
  REQUIRE(bit(mask, id_of(v, "b")));
  REQUIRE(!bit(mask, id_of(v, "ab")));
  REQUIRE(m.accept_token(0));
  REQUIRE(m.is_terminated());
  REQUIRE(!m.is_accepting());
  mask = mask_of(m);
  for (int32_t w : mask) REQUIRE(w == 0);
  REQUIRE(!m.accept_token(id_of(v, "b")));
}

TEST_CASE("a rejected token leaves the state unchanged", "[matcher][api]") {
  Vocabulary v = small_vocabulary(2);
  Matcher m(compile_or_die(json_grammar(), v));
  REQUIRE(m.accept_string("{\"k\": [1, "));
  auto before = mask_of(m);
  REQUIRE(!m.accept_token(id_of(v, "}")));
  REQUIRE(mask_of(m) == before);
  size_t prefix = 99;
  REQUIRE(!m.accept_string("2]]", &prefix));
  REQUIRE(prefix == 2);
  REQUIRE(mask_of(m) == before);
}

TEST_CASE("rollback, clone, reset and validate_tokens", "[matcher][api]") {
  Vocabulary v = small_vocabulary(2);
  CompileOptions options;
  options.rollback_depth = 4;
  auto g = compile_or_die(json_grammar(), v, options);
  Matcher m(g);
  std::vector<std::string> pieces = {"[", "1", ",", " ", "\"", "a", "\"", "]"};
  std::vector<TokenId> ids;
  for (auto& p : pieces) ids.push_back(id_of(v, p));
  std::vector<std::vector<int32_t>> masks{mask_of(m)};
  for (size_t i = 0; i < 3; ++i) {
    REQUIRE(m.accept_token(ids[i]));
    masks.push_back(mask_of(m));
  }
  SECTION("rollback restores earlier masks") {
    REQUIRE(m.rollback(2).ok());
    REQUIRE(mask_of(m) == masks[1]);
    REQUIRE(m.accept_token(ids[1]));
    REQUIRE(mask_of(m) == masks[2]);
    REQUIRE(m.rollback(0).ok());
  }
  SECTION("rollback is bounded by rollback_depth") {
    for (size_t i = 3; i < 7; ++i) REQUIRE(m.accept_token(ids[i]));
    Status s = m.rollback(5);
    REQUIRE(!s.ok());
    REQUIRE(s.error().code == ErrorCode::kInvalidArgument);
    REQUIRE(m.rollback(4).ok());
    REQUIRE(mask_of(m) == masks[3]);
  }
  SECTION("clones are independent") {
    Matcher c = m.clone();
    REQUIRE(c.accept_token(ids[3]));
    REQUIRE(c.accept_token(ids[4]));
    REQUIRE(mask_of(m) == masks[3]);
    REQUIRE(mask_of(c) != masks[3]);
    REQUIRE(m.accept_token(ids[3]));
    REQUIRE(m.accept_token(ids[4]));
    REQUIRE(mask_of(m) == mask_of(c));
  }
  SECTION("validate_tokens consumes nothing") {
    std::vector<TokenId> rest(ids.begin() + 3, ids.end());
    REQUIRE(m.validate_tokens(rest) == rest.size());
    rest.push_back(0);  // EOS after the document: fine
    REQUIRE(m.validate_tokens(rest) == rest.size());
    rest.push_back(ids[0]);  // nothing after EOS
    REQUIRE(m.validate_tokens(rest) == rest.size() - 1);
    std::vector<TokenId> bad = {ids[3], ids[7], ids[7]};  // "[1, ]" has a trailing comma
    REQUIRE(m.validate_tokens(bad) == 1);
    REQUIRE(mask_of(m) == masks[3]);
  }
  SECTION("reset returns to the start") {
    m.reset();
    REQUIRE(mask_of(m) == masks[0]);
  }
}

TEST_CASE("forced bytes and jump-forward tokens", "[matcher][api]") {
  Vocabulary v = word_vocabulary({"{", "\"", "{\"", "{\"na", "me", "name", "\":", "x", "y"});
  Matcher m(compile_or_die(gbnf("root ::= \"{\\\"name\\\": \" [xy]+ \"}\""), v));
  REQUIRE(m.forced_bytes() == "{\"name\": ");
  std::vector<TokenId> forced = m.forced_tokens();
  REQUIRE(forced == std::vector<TokenId>{id_of(v, "{\"na"), id_of(v, "me"), id_of(v, "\":")});
  for (TokenId id : forced) REQUIRE(m.accept_token(id));
  REQUIRE(m.forced_bytes() == " ");
  REQUIRE(m.accept_string(" x"));
  REQUIRE(m.forced_bytes().empty());
  REQUIRE(m.accept_string("}"));
  REQUIRE(m.is_accepting());
  REQUIRE(m.forced_bytes().empty());
}

TEST_CASE("UTF-8 at byte level", "[matcher][api][utf8]") {
  Vocabulary v = word_vocabulary({"\"", "\xC3", "\xA9", "\xC3\xA9", "\xE2\x82", "\xAC", "\xFF", "\xC0", "\xED\xA0"});
  Matcher m(compile_or_die(json_grammar(), v));
  REQUIRE(m.accept_string("\""));
  auto mask = mask_of(m);
  REQUIRE(bit(mask, id_of(v, "\xC3")));  // ends inside a code point
  REQUIRE(bit(mask, id_of(v, "\xC3\xA9")));
  REQUIRE(bit(mask, id_of(v, "\xE2\x82")));
  REQUIRE(!bit(mask, id_of(v, "\xA9")));  // a stray continuation byte
  REQUIRE(!bit(mask, id_of(v, "\xFF")));
  REQUIRE(!bit(mask, id_of(v, "\xC0")));  // overlong lead byte
  REQUIRE(!bit(mask, id_of(v, "\xED\xA0")));  // a surrogate
  REQUIRE(m.accept_token(id_of(v, "\xE2\x82")));
  mask = mask_of(m);
  REQUIRE(bit(mask, id_of(v, "\xAC")));
  REQUIRE(!bit(mask, id_of(v, "\"")));  // the code point must finish first
  REQUIRE(!bit(mask, id_of(v, "\xC3")));
}

TEST_CASE("byte-level acceptance with the empty vocabulary", "[matcher][api]") {
  Matcher m(compile_or_die(json_grammar(), Vocabulary()));
  REQUIRE(m.mask_words() == 0);
  REQUIRE(m.accept_string("{\"a\": [1.5e3, true, null, \"\\u00e9\xC3\xA9\"]}"));
  REQUIRE(m.is_accepting());
  Matcher bad(compile_or_die(json_grammar(), Vocabulary()));
  size_t prefix = 0;
  REQUIRE(!bad.accept_string("[01]", &prefix));
  REQUIRE(prefix == 2);
}

TEST_CASE("budget errors are sticky values", "[matcher][api][budget]") {
  Vocabulary v = small_vocabulary(2);
  // Forty optional x's then y: after k x's, up to 40-k+1 live positions.
  std::string text = "root ::= ";
  for (int i = 0; i < 40; ++i) text += "\"x\"? ";
  text += "\"y\"";
  CompileOptions options;
  options.max_stacks_per_step = 8;
  auto c = CompiledGrammar::compile(gbnf(text.c_str()), v, options);
  REQUIRE(c.ok());
  Matcher m(c.value());
  REQUIRE(m.status().ok());
  REQUIRE(!m.accept_string("x"));  // 40 positions could follow one x
  REQUIRE(!m.status().ok());
  REQUIRE(m.status().error().code == ErrorCode::kBudgetExceeded);
  REQUIRE(!m.accept_string("y"));
  REQUIRE(m.status().error().code == ErrorCode::kBudgetExceeded);
  std::vector<int32_t> mask(m.mask_words(), -1);
  REQUIRE(!m.fill_next_token_bitmask(mask.data()).ok());
  for (int32_t w : mask) REQUIRE(w == 0);
  std::vector<int32_t> short_buffer(1);
  REQUIRE(!m.fill_next_token_bitmask(std::span<int32_t>(short_buffer)).ok());
}

}  // namespace sluice::testing
