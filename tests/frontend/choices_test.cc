// compile_choices: exactly one of a list of strings.
#include <catch2/catch.hpp>

#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

using sluice::ir::ReferenceRecognizer;
using sluice::ir::Verdict;

namespace {

Verdict classify(const sluice::Grammar& g, std::string_view input) {
  auto recognizer = ReferenceRecognizer::create(g);
  REQUIRE(recognizer.ok());
  auto result = recognizer->classify(input);
  REQUIRE(result.ok());
  return result->verdict;
}

}  // namespace

TEST_CASE("choices: exactly one of the strings, prefixes incomplete") {
  auto g = sluice::compile_choices({"positive", "negative", "neutral", "neg", "caf\xC3\xA9", "positive"});
  REQUIRE(g.ok());
  CHECK(classify(*g, "positive") == Verdict::kAccept);
  CHECK(classify(*g, "neg") == Verdict::kAccept);
  CHECK(classify(*g, "negative") == Verdict::kAccept);
  CHECK(classify(*g, "ne") == Verdict::kIncomplete);
  CHECK(classify(*g, "negat") == Verdict::kIncomplete);
  CHECK(classify(*g, "caf\xC3") == Verdict::kIncomplete);
  CHECK(classify(*g, "caf\xC3\xA9") == Verdict::kAccept);
  CHECK(classify(*g, "positives") == Verdict::kReject);
  CHECK(classify(*g, "x") == Verdict::kReject);
  CHECK(classify(*g, "") == Verdict::kIncomplete);
}

TEST_CASE("choices: special characters are matched literally") {
  auto g = sluice::compile_choices({"a|b", "(x)*", "\"q\"", "[^]", "line\nbreak", std::string("nul\0", 4)});
  REQUIRE(g.ok());
  CHECK(classify(*g, "a|b") == Verdict::kAccept);
  CHECK(classify(*g, "a") == Verdict::kIncomplete);
  CHECK(classify(*g, "b") == Verdict::kReject);
  CHECK(classify(*g, "(x)*") == Verdict::kAccept);
  CHECK(classify(*g, "(x)") == Verdict::kIncomplete);
  CHECK(classify(*g, "\"q\"") == Verdict::kAccept);
  CHECK(classify(*g, "[^]") == Verdict::kAccept);
  CHECK(classify(*g, "line\nbreak") == Verdict::kAccept);
  CHECK(classify(*g, std::string("nul\0", 4)) == Verdict::kAccept);
}

TEST_CASE("choices: the empty string is a choice like any other") {
  auto g = sluice::compile_choices({"", "yes"});
  REQUIRE(g.ok());
  CHECK(classify(*g, "") == Verdict::kAccept);
  CHECK(classify(*g, "y") == Verdict::kIncomplete);
  CHECK(classify(*g, "yes") == Verdict::kAccept);
}

TEST_CASE("choices: an empty list and invalid UTF-8 are errors") {
  auto empty = sluice::compile_choices({});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == sluice::ErrorCode::kInvalidArgument);

  for (const std::string& bad : {std::string("ab\xFF"), std::string("\xC3"), std::string("\xED\xA0\x80"),
                                 std::string("\xC0\xAF"), std::string("\xF4\x90\x80\x80")}) {
    auto g = sluice::compile_choices({"fine", bad});
    REQUIRE_FALSE(g.ok());
    CHECK(g.error().code == sluice::ErrorCode::kInvalidArgument);
    CHECK(g.error().message.find("choice 1") != std::string::npos);
  }
  auto located = sluice::compile_choices({"ab\xFF"});
  REQUIRE_FALSE(located.ok());
  CHECK(located.error().location.offset == 2);
}
