// UTF-8 decoding of invalid input, general categories and NFC.
#include <catch2/catch.hpp>

#include "tokenizer/unicode.h"

namespace tok = sluice::tok;

TEST_CASE("unicode: every byte of an ill-formed sequence is its own pseudo code point") {
  auto decode = [](std::string_view s) {
    std::vector<uint32_t> cps, offs;
    tok::decode_all(s, &cps, &offs);
    return cps;
  };
  const uint32_t B = tok::kInvalidByteBase;
  CHECK(decode("\xC3\xA9") == std::vector<uint32_t>{0xE9});
  CHECK(decode("\xF0\x9F\x98\x80") == std::vector<uint32_t>{0x1F600});
  CHECK(decode("\xC0\x80") == std::vector<uint32_t>{B + 0xC0, B + 0x80});          // overlong
  CHECK(decode("\xED\xA0\x80") == std::vector<uint32_t>{B + 0xED, B + 0xA0, B + 0x80});  // surrogate
  CHECK(decode("\xF4\x90\x80\x80")[0] == B + 0xF4);                                  // above U+10FFFF
  CHECK(decode("\xE2\x82") == std::vector<uint32_t>{B + 0xE2, B + 0x82});            // truncated
  CHECK(decode("a\xFF" "b") == std::vector<uint32_t>{'a', B + 0xFF, 'b'});
  std::string back;
  for (uint32_t cp : decode("x\xE2\x82\xFF\xC3\xA9")) tok::append_utf8(cp, &back);
  CHECK(back == "x\xE2\x82\xFF\xC3\xA9");
}

TEST_CASE("unicode: general categories") {
  CHECK(tok::general_category('A') == tok::kLu);
  CHECK(tok::general_category(0x4E2D) == tok::kLo);   // 中
  CHECK(tok::general_category(0x0301) == tok::kMn);
  CHECK(tok::general_category(0x0663) == tok::kNd);   // Arabic-Indic three
  CHECK(tok::general_category(0x1F600) == tok::kSo);  // 😀
  CHECK(tok::general_category(0x00A0) == tok::kZs);
  CHECK(tok::general_category(0x200D) == tok::kCf);   // ZWJ
  CHECK(tok::general_category(0xE000) == tok::kCo);
  CHECK(tok::general_category(0x0378) == tok::kCn);
  CHECK(tok::general_category(tok::kInvalidByteBase + 0xFF) == tok::kSo);
}

TEST_CASE("unicode: NFC") {
  CHECK(tok::nfc("e\xCC\x81") == "\xC3\xA9");                        // e + acute -> é
  CHECK(tok::nfc("\xE2\x84\xAB") == "\xC3\x85");                     // Angstrom sign -> Å
  CHECK(tok::nfc("\xE1\xB8\x8B\xCC\xA3") == "\xE1\xB8\x8D\xCC\x87");  // ḋ + dot below -> ḍ + dot above
  CHECK(tok::nfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8") == "\xEA\xB0\x81");  // Hangul L V T -> 각
  CHECK(tok::nfc("\xEA\xB0\x80\xE1\x86\xA8") == "\xEA\xB0\x81");     // LV + T
  CHECK(tok::nfc("a\xCC\x88\xCC\x81") == "\xC3\xA4\xCC\x81");        // ä + acute stays apart
  CHECK(tok::nfc("\xCD\x84") == "\xCC\x88\xCC\x81");                 // U+0344 decomposes
  CHECK(tok::nfc("plain ASCII") == "plain ASCII");
  CHECK(tok::nfc("\xFF\xC3") == "\xFF\xC3");                          // invalid bytes pass through
  CHECK(tok::nfc_is_trivially_identity("plain ASCII \xE4\xB8\xAD"));
  CHECK_FALSE(tok::nfc_is_trivially_identity("e\xCC\x81"));
}
