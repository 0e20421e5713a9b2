// Grammars for the string formats sluice enforces, each written from its
// RFC, over decoded code points (the compiler encodes them as JSON):
//   date, time, date-time  RFC 3339 section 5.6 (T and Z in either case;
//                          February 29 only in leap years; second 60 only
//                          as 23:59:60 with a zero offset, a sound subset
//                          of "leap second at 23:59:60 UTC")
//   duration               RFC 3339 appendix A
//   email                  RFC 5321 Mailbox (dot-string or quoted local
//                          part; domain or address literal)
//   hostname               RFC 1123 labels; the 253-character total is kept
//                          by allowing at most 4 labels, the last at most 61
//                          characters long (a sound subset)
//   ipv4, ipv6             RFC 3986 section 3.2.2 (dotted quad without
//                          leading zeros; all "::" forms, trailing IPv4)
//   uuid                   RFC 4122 8-4-4-4-12 hex digits, either case
//   uri, uri-reference     RFC 3986 URI and URI-reference
//   json-pointer           RFC 6901
// Tested in tests/json_schema/formats_test.cc, against the validator's
// checkers (lib/validator/formats.h).
#pragma once

#include <optional>
#include <string_view>

#include "sluice/grammar.h"

namespace sluice::json_schema {

// The expression for a known format, or nullopt for formats sluice treats as
// annotations.
std::optional<ExprId> format_grammar(Grammar& grammar, std::string_view format);

}  // namespace sluice::json_schema
