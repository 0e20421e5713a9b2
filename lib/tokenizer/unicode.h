// Unicode services for the tokenizer: UTF-8 decoding that never fails,
// general categories (as node's RegExp \p{..} sees them) and NFC.
//
// Invalid UTF-8 is not an error anywhere in the tokenizer: each byte that is
// not part of a well-formed sequence becomes its own pseudo code point,
// kInvalidByteBase + byte, so that encode keeps every input byte and
// decode(encode(s)) == s holds for any bytes. Pseudo code points have the
// category of U+FFFD (So), the character a lenient decoder would put there.
//
// Tested in tests/tokenizer/unicode_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tok {

inline constexpr uint32_t kInvalidByteBase = 0x110000;

// General categories in the order of kCategoryNames; a bit per category
// makes a set of them (CategoryMask).
enum Category : uint8_t {
  kLu, kLl, kLt, kLm, kLo, kMn, kMc, kMe, kNd, kNl, kNo, kPc, kPd, kPs, kPe,
  kPi, kPf, kPo, kSm, kSc, kSk, kSo, kZs, kZl, kZp, kCc, kCf, kCs, kCo, kCn,
  kCategoryCount,
};
using CategoryMask = uint32_t;
extern const char* const kCategoryNames[kCategoryCount];

Category general_category(uint32_t cp);

// Decodes the code point at s[i]; sets *len to its byte length (1 for an
// invalid byte, whose pseudo code point is returned).
uint32_t decode_utf8(std::string_view s, size_t i, size_t* len);
// Appends cp's UTF-8 (a pseudo code point appends its original byte).
void append_utf8(uint32_t cp, std::string* out);
// Decodes all of s: code points and the byte offset each starts at, plus a
// final offset equal to s.size().
void decode_all(std::string_view s, std::vector<uint32_t>* cps, std::vector<uint32_t>* offsets);

// Unicode NFC of s. Pseudo code points pass through unchanged.
std::string nfc(std::string_view s);
// True when nfc(s) == s is certain without running it: every code point is
// ASCII or a starter that neither decomposes nor combines with a neighbour.
bool nfc_is_trivially_identity(std::string_view s);

}  // namespace sluice::tok
