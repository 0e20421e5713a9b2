// Strict UTF-8 helpers shared by the GBNF and choices front-ends: grammar
// text and choice strings must be valid UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF), because the IR matches code points.
//
// Tested in tests/frontend/gbnf_test.cc and tests/frontend/choices_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::utf8 {

// The offset of the first byte that does not start a valid, complete UTF-8
// sequence, or nullopt when the whole text is valid.
std::optional<size_t> find_invalid(std::string_view text);

// Appends the encoding of a Unicode scalar value (not a surrogate, at most
// U+10FFFF; callers check).
void append(std::string& out, uint32_t codepoint);

}  // namespace sluice::utf8
