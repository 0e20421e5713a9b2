#include <catch2/catch.hpp>

#include "sluice/error.h"

using sluice::ErrorCode;

TEST_CASE("Error::to_string names the code, the place and the problem") {
  sluice::Error at_line = sluice::make_error(ErrorCode::kParseError, "undefined rule 'valu'", sluice::Location::at(3, 7));
  CHECK(at_line.to_string() == "parse error at 3:7: undefined rule 'valu'");

  sluice::Error at_pointer = sluice::make_error(ErrorCode::kUnsupported, "keyword 'not'",
                                                sluice::Location::at_pointer("/properties/age"));
  CHECK(at_pointer.to_string() == "unsupported at /properties/age: keyword 'not'");

  CHECK(sluice::make_error(ErrorCode::kParseError, "lookahead", sluice::Location::at_offset(12)).to_string() ==
        "parse error at byte 12: lookahead");
}

TEST_CASE("Result holds either a value or an error") {
  sluice::Result<int> good = 5;
  REQUIRE(good.ok());
  CHECK(*good == 5);
  sluice::Result<int> bad = sluice::make_error(ErrorCode::kBudgetExceeded, "too many states");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kBudgetExceeded);
  CHECK_FALSE(bad.status().ok());
}
