// decode(encode(s)) == s on random strings for each real tokenizer (fixed
// seed): random bytes (invalid UTF-8 included), random code points from
// every plane, and mixes of JSON, whitespace and scripts.
#include "fixtures.h"

#include <random>

#include "tokenizer/unicode.h"

namespace {

std::string random_string(std::mt19937_64& rng) {
  static const char* kPieces[] = {" ", "  ", "\n", "\r\n", "\t", "{\"a\": ", "}", "[1,2]", "'s", "'LL", "123456",
                                  "\xC3\xA9", "e\xCC\x81", "\xE4\xB8\xAD\xE6\x96\x87", "\xF0\x9F\x98\x80",
                                  "\xE2\x80\x8D", "\xD7\xA9\xD7\x9C", "<|eot_id|>", "<tool_call>", "abc", "XYZ"};
  std::string s;
  switch (rng() % 3) {
    case 0:
      for (size_t n = rng() % 40; n > 0; --n) s += static_cast<char>(rng() % 256);
      break;
    case 1:
      for (size_t n = rng() % 20; n > 0; --n) {
        uint32_t cp = static_cast<uint32_t>(rng() % 0x110000);
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
        sluice::tok::append_utf8(cp, &s);
      }
      break;
    default:
      for (size_t n = rng() % 12; n > 0; --n) s += kPieces[rng() % std::size(kPieces)];
  }
  return s;
}

}  // namespace

TEST_CASE("round trip: decode(encode(s)) == s on random strings") {
  for (const char* name : sluice_test::kTokenizerNames) {
    const sluice::Tokenizer* tok = sluice_test::cached_tokenizer(name);
    if (tok == nullptr) continue;
    std::mt19937_64 rng(42);
    for (int i = 0; i < 400; ++i) {
      std::string s = random_string(rng);
      std::string expect = sluice_test::expected_round_trip(name, s);
      std::vector<sluice::TokenId> ids = tok->encode(s);
      INFO(name << " case " << i);
      REQUIRE(tok->decode(ids) == expect);
      for (sluice::TokenId id : ids) REQUIRE(tok->token_kind(id) != sluice::TokenKind::kSpecial);
    }
  }
}
