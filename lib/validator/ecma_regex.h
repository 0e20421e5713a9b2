// Translates an ECMA-262 regular expression (the dialect JSON Schema's
// `pattern` is written in) into RE2 syntax, so that it matches the same
// strings on UTF-8 text:
//   \d \D \w \W   ASCII classes in both dialects, passed through;
//   \s \S         ECMA's whitespace set (Unicode spaces, BOM, line ends);
//   .             anything but the ECMA line terminators \n \r U+2028 U+2029;
//   \uHHHH        \x{HHHH}, surrogate pairs joined into one code point;
//   \cX \v \0 [\b] and identity escapes of letters, as ECMA defines them;
//   (?<name>      (?P<name>.
// Lookaround and backreferences have no RE2 equivalent: they are reported as
// unsupported (with the byte offset) rather than dropped.
// Tested in tests/validator/parts_test.cc.
#pragma once

#include <string>
#include <string_view>

#include "sluice/error.h"

namespace sluice::validator {

Result<std::string> ecma_to_re2(std::string_view pattern);

}  // namespace sluice::validator
