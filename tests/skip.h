// Skipping a test case whose data is absent (../shared): skip() says why on
// stderr and the caller returns. Test cases that may skip carry the tag
// [shared]; tests/CMakeLists.txt runs them as their own CTest test,
// `<stage>_shared`, which CTest then reports as skipped rather than passed.
// Implemented in catch_main.cc.
#pragma once

#include <string>

namespace sluice::testing {

void skip(const std::string& reason);
bool any_skipped();

}  // namespace sluice::testing
