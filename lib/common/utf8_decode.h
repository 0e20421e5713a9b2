// One code point of UTF-8 text that is already known to be valid (schema
// property names, IR literals): the IR matches code points, so code that
// builds code-point automata from such text walks it one code point at a
// time. Validating text is the front-ends' job (frontend/utf8_text.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// The code point that starts at text[i]; i moves past it.
inline uint32_t next_codepoint(std::string_view text, size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  uint32_t cp = len == 1 ? lead : len == 2 ? lead & 0x1F : len == 3 ? lead & 0x0F : lead & 0x07;
  for (size_t j = 1; j < len && i + j < text.size(); ++j) cp = (cp << 6) | (text[i + j] & 0x3F);
  i += len;
  return cp;
}

}  // namespace sluice
