// The reference document parser: nlohmann/json through a SAX handler that
// enforces the same rules as the simdjson path (nesting limit, duplicate
// keys, finite numbers, UTF-8) and reports where the problem is.
// Tested in tests/validator/bad_input_test.cc.
#pragma once

#include <string_view>

#include "validator/schema.h"

namespace sluice::validator {

Result<Json> parse_document_reference(std::string_view text, uint32_t max_depth, bool reject_duplicate_keys);

}  // namespace sluice::validator
