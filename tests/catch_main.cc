// The Catch2 runner of every test executable, plus skipping (skip.h):
// Catch2 v2 has no skip, so a test that lacks its data calls skip(), and a
// run in which that happened and nothing failed exits 77, which CTest
// reports as "skipped" for the tests registered with SKIP_RETURN_CODE 77.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>

#include "skip.h"

namespace sluice::testing {

namespace {
std::atomic<int> skips{0};
}  // namespace

void skip(const std::string& reason) {
  skips.fetch_add(1);
  std::fprintf(stderr, "SKIPPED: %s\n", reason.c_str());
}

bool any_skipped() { return skips.load() > 0; }

}  // namespace sluice::testing

int main(int argc, char* argv[]) {
  const int failed = Catch::Session().run(argc, argv);
  if (failed == 0 && sluice::testing::any_skipped()) return 77;
  return failed;
}
