// `format` assertions, each written from its RFC: date-time, date, time
// (RFC 3339 section 5.6, leap seconds only at 23:59:60 UTC), duration (RFC
// 3339 appendix A), email (RFC 5321 mailbox), hostname (RFC 1123),
// ipv4 (dotted quad, no leading zeros), ipv6 (RFC 4291 section 2.2),
// uuid (RFC 4122), uri and uri-reference (RFC 3986), and beyond the issue's
// list: iri and iri-reference (RFC 3987: a URI that may hold non-ASCII),
// json-pointer (RFC 6901), relative-json-pointer and regex (ECMA-262, as
// far as RE2 can tell; lookaround counts as well-formed).
// Tested in tests/validator/parts_test.cc and the suite's optional/format.
#pragma once

#include <string_view>

#include "validator/schema.h"

namespace sluice::validator {

// The checker for a format name, or null when sluice treats it as an
// annotation only.
FormatFn find_format(std::string_view name);

bool is_date_time(std::string_view s);
bool is_date(std::string_view s);
bool is_time(std::string_view s);
bool is_duration(std::string_view s);
bool is_email(std::string_view s);
bool is_hostname(std::string_view s);
bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);
bool is_uuid(std::string_view s);
bool is_uri(std::string_view s);
bool is_uri_reference(std::string_view s);
bool is_iri(std::string_view s);
bool is_iri_reference(std::string_view s);
bool is_json_pointer(std::string_view s);
bool is_relative_json_pointer(std::string_view s);
bool is_regex(std::string_view s);

}  // namespace sluice::validator
