// URI references for $id/$ref resolution (RFC 3986 section 5.2), written for
// the validator's needs: split off fragments, resolve a reference against a
// base, percent-decode fragments. Tested in tests/validator/parts_test.cc.
#pragma once

#include <string>
#include <string_view>

namespace sluice::validator {

// Resolves `ref` against the absolute URI `base` per RFC 3986 5.2.2,
// including dot-segment removal. A base that is not hierarchical (urn:...)
// still resolves fragment-only and absolute references correctly.
std::string resolve_uri(std::string_view base, std::string_view ref);

// Splits "uri#frag" into its parts; `fragment` excludes the '#'.
void split_fragment(std::string_view uri, std::string* without, std::string* fragment);

// Decodes %XX escapes; returns false on a malformed escape.
bool percent_decode(std::string_view in, std::string* out);

// True when the reference has a scheme (is absolute).
bool has_scheme(std::string_view uri);

}  // namespace sluice::validator
