// Implements fast_split.h. Tested in tests/tokenizer/fast_split_test.cc.
#include "tokenizer/fast_split.h"

#include <array>

#include "tokenizer/unicode.h"

namespace sluice::tok {

namespace {

constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwenPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The pattern's classes partition the code points: \p{L}, \p{N}, \s (as
// JS defines it) and everything else.
enum Class : uint8_t { kOther, kLetter, kNumber, kSpace };

constexpr std::array<Class, 128> ascii_classes() {
  std::array<Class, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      t[c] = kLetter;
    } else if (c >= '0' && c <= '9') {
      t[c] = kNumber;
    } else if ((c >= '\t' && c <= '\r') || c == ' ') {
      t[c] = kSpace;
    } else {
      t[c] = kOther;
    }
  }
  return t;
}
constexpr std::array<Class, 128> kAscii = ascii_classes();

Class classify_non_ascii(uint32_t cp) {
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
      cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF) {
    return kSpace;
  }
  switch (general_category(cp)) {
    case kLu: case kLl: case kLt: case kLm: case kLo:
      return kLetter;
    case kNd: case kNl: case kNo:
      return kNumber;
    default:
      return kOther;
  }
}

struct CodePoint {
  uint32_t cp;
  uint32_t len;
  Class cls;
};

inline CodePoint at(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1, kAscii[c]};
  size_t len;
  uint32_t cp = decode_utf8(s, i, &len);
  return {cp, static_cast<uint32_t>(len), classify_non_ascii(cp)};
}

// End of the run of `cls` code points starting at i, at most `max` of them.
inline size_t run_end(std::string_view s, size_t i, Class cls, size_t max = SIZE_MAX) {
  for (size_t count = 0; i < s.size() && count < max; ++count) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (kAscii[c] != cls) break;
      ++i;
      continue;
    }
    CodePoint p = at(s, i);
    if (p.cls != cls) break;
    i += p.len;
  }
  return i;
}

inline bool is_crlf(unsigned char c) { return c == '\r' || c == '\n'; }

inline size_t crlf_run_end(std::string_view s, size_t i) {
  while (i < s.size() && is_crlf(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

FastSplit FastSplit::recognize(std::string_view pattern) {
  FastSplit f;
  if (pattern == kLlama3Pattern) f.max_digits = 3;
  if (pattern == kQwenPattern) f.max_digits = 1;
  return f;
}

size_t FastSplit::match_end(std::string_view s, size_t pos) const {
  const size_t n = s.size();
  const CodePoint c0 = at(s, pos);
  const size_t p1 = pos + c0.len;
  // (?i:'s|'t|'re|'ve|'m|'ll|'d), with ASCII case folding.
  if (c0.cp == '\'' && p1 < n) {
    char a = static_cast<char>(s[p1] | 0x20);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return p1 + 1;
    if (p1 + 1 < n) {
      char b = static_cast<char>(s[p1 + 1] | 0x20);
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return p1 + 2;
    }
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+: the optional code point is taken when a
  // letter follows it.
  if (c0.cls == kLetter) return run_end(s, p1, kLetter);
  if (c0.cls != kNumber && !(c0.cp == '\r' || c0.cp == '\n') && p1 < n && at(s, p1).cls == kLetter) {
    return run_end(s, p1, kLetter);
  }
  // \p{N}{1,max_digits}
  if (c0.cls == kNumber) return run_end(s, p1, kNumber, max_digits - 1);
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  if (c0.cls == kOther) return crlf_run_end(s, run_end(s, p1, kOther));
  if (c0.cp == ' ' && p1 < n && at(s, p1).cls == kOther) return crlf_run_end(s, run_end(s, p1, kOther));
  // c0 is a space. \s*[\r\n]+ matches when the run of spaces holds a line
  // break, up to the last one; \s+(?!\S) takes the run, less its last code
  // point unless the text ends there; \s+ takes the run.
  size_t last_crlf = SIZE_MAX;
  size_t last_start = pos;
  size_t end = pos;
  while (end < n) {
    CodePoint c = end == pos ? c0 : at(s, end);
    if (c.cls != kSpace) break;
    if (c.cp == '\r' || c.cp == '\n') last_crlf = end;
    last_start = end;
    end += c.len;
  }
  if (last_crlf != SIZE_MAX) return last_crlf + 1;
  if (end == n || last_start == pos) return end;
  return last_start;
}

}  // namespace sluice::tok
