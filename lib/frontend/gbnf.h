// Internal helpers of the GBNF front-end (parse_gbnf in sluice/frontend.h),
// exposed for tests and for other front-ends that report errors in text.
//
// The dialect is llama.cpp's GBNF, read a little more liberally where that
// cannot change the meaning of a grammar llama.cpp accepts:
//   - a rule runs until the next `name ::=` (llama.cpp ends a rule at a
//     newline outside parentheses, so every llama.cpp grammar reads the same);
//   - rule names may also contain `_`;
//   - inside classes `\-` and `\^` escape those characters (our printer writes
//     them), besides llama.cpp's `\[ \] \\ \" \n \r \t \xHH \uHHHH \UHHHHHHHH`.
// And stricter where llama.cpp silently does something surprising:
//   - defining a rule twice is an error (llama.cpp keeps the last definition
//     and drops the first without a word);
//   - `[]` (a class of nothing) is an error; `[^]` is any code point;
//   - escapes naming a surrogate or a value above U+10FFFF are errors;
//   - left recursion is reported as kUnsupported naming the rule (llama.cpp
//     accepts such grammars and then loops or crashes when sampling).
//
// The parser reads tokens with Boost.Spirit X3 and builds nesting with an
// explicit stack, so no input can overflow the C stack; GbnfOptions bounds
// nesting depth and repetition counts.
//
// Tested in tests/frontend/gbnf_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/error.h"

namespace sluice::gbnf {

struct LineColumn {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in bytes
};

LineColumn line_column(std::string_view text, size_t offset);

// The line holding `offset`, then a caret under it. Long lines are cut to a
// window around the offset, marked with "...".
std::string excerpt(std::string_view text, size_t offset);

// An error at `offset` in `text`, with line:column and an excerpt.
Error located_error(ErrorCode code, std::string message, std::string_view text, size_t offset);

}  // namespace sluice::gbnf
