// Bad documents and bad schemas: each is a clear Error value (code, message,
// location), never a crash, a hang or a silently dropped constraint.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "sluice/validator.h"

namespace {

sluice::Validator compile_ok(const std::string& schema, const sluice::ValidatorOptions& options = {}) {
  auto v = sluice::Validator::compile(schema, options);
  INFO(schema);
  REQUIRE(v.ok());
  return std::move(v.value());
}

}  // namespace

TEST_CASE("malformed documents are parse errors with a byte offset", "[validator][bad-input]") {
  sluice::Validator v = compile_ok(R"({"type":"object"})");
  const char* kBad[] = {"{", "{\"a\":}", "[1,]", "{} x", "nul", "\"abc", "01", "{\"a\" 1}", ""};
  for (const char* doc : kBad) {
    INFO("document: " << doc);
    auto fast = v.validate(doc);
    REQUIRE_FALSE(fast.ok());
    CHECK(fast.error().code == sluice::ErrorCode::kParseError);
    auto reference = v.validate_reference(doc);
    REQUIRE_FALSE(reference.ok());
    CHECK(reference.error().code == sluice::ErrorCode::kParseError);
  }
  auto r = v.validate("{\"a\": tru}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().location.offset == 9);  // the "}" that ends "tru"
}

TEST_CASE("invalid UTF-8 in a document is a parse error", "[validator][bad-input]") {
  sluice::Validator v = compile_ok("{}");
  for (std::string doc : {std::string("\"\xff\""), std::string("\"\xc3\""), std::string("\"\xed\xa0\x80\""),
                          std::string("{\"\xe0\x80\x80\":1}")}) {
    auto r = v.validate(doc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == sluice::ErrorCode::kParseError);
    CHECK_FALSE(v.validate_reference(doc).ok());
  }
}

TEST_CASE("nesting 100,000 deep is an error, not a stack overflow", "[validator][bad-input]") {
  sluice::Validator v = compile_ok(R"({"items":{"$ref":"#"}})");
  const std::string arrays = std::string(100000, '[') + std::string(100000, ']');
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100000, '}');
  for (const std::string& doc : {arrays, objects}) {
    auto fast = v.validate(doc);
    REQUIRE_FALSE(fast.ok());
    CHECK(fast.error().code == sluice::ErrorCode::kParseError);
    auto reference = v.validate_reference(doc);
    REQUIRE_FALSE(reference.ok());
    CHECK(reference.error().message.find("max_document_depth") != std::string::npos);
  }
  // Within the limit, deep documents validate on the same schema.
  const std::string ok_depth = std::string(500, '[') + std::string(500, ']');
  auto r = v.validate(ok_depth);
  REQUIRE(r.ok());
  CHECK(r->valid);
}

TEST_CASE("huge numbers: big integers compare, out-of-range doubles are errors", "[validator][bad-input]") {
  sluice::Validator max = compile_ok(R"({"type":"integer","maximum":100})");
  auto big = max.validate("123456789012345678901234567890");
  REQUIRE(big.ok());
  CHECK_FALSE(big->valid);
  sluice::Validator min = compile_ok(R"({"type":"integer","minimum":100})");
  auto big_ok = min.validate("123456789012345678901234567890");
  REQUIRE(big_ok.ok());
  CHECK(big_ok->valid);
  auto negative = min.validate("-123456789012345678901234567890");
  REQUIRE(negative.ok());
  CHECK_FALSE(negative->valid);
  auto overflow = min.validate("1e400");
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.error().code == sluice::ErrorCode::kParseError);
}

TEST_CASE("duplicate keys are reported with their object's pointer", "[validator][bad-input]") {
  sluice::Validator v = compile_ok("{}");
  auto r = v.validate(R"({"a":{"b":[{"k":1,"k":2}]}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == sluice::ErrorCode::kParseError);
  CHECK(r.error().location.json_pointer == "/a/b/0");
  CHECK(r.error().message.find("duplicate key \"k\"") != std::string::npos);
  auto reference = v.validate_reference(R"({"a":{"b":[{"k":1,"k":2}]}})");
  REQUIRE_FALSE(reference.ok());
  CHECK(reference.error().location.json_pointer == "/a/b/0");
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\":1,";
  wide += "\"k7\":2}";
  CHECK_FALSE(v.validate(wide).ok());
  sluice::ValidatorOptions lenient;
  lenient.reject_duplicate_keys = false;
  sluice::Validator allow = compile_ok("{}", lenient);
  CHECK(allow.validate(R"({"k":1,"k":2})").ok());
}

TEST_CASE("a $ref cycle that consumes no input is a budget error", "[validator][bad-input]") {
  sluice::Validator v = compile_ok(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})");
  auto r = v.validate("1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == sluice::ErrorCode::kBudgetExceeded);
}

TEST_CASE("schemas sluice cannot enforce exactly are compile errors with a pointer", "[validator][bad-input]") {
  auto lookahead = sluice::Validator::compile(R"json({"properties":{"p":{"pattern":"^(?!x)"}}})json");
  REQUIRE_FALSE(lookahead.ok());
  CHECK(lookahead.error().code == sluice::ErrorCode::kUnsupported);
  CHECK(lookahead.error().location.json_pointer.find("#/properties/p/pattern") != std::string::npos);
  auto backref = sluice::Validator::compile(R"json({"pattern":"(a)\\1"})json");
  REQUIRE_FALSE(backref.ok());
  CHECK(backref.error().code == sluice::ErrorCode::kUnsupported);
  auto missing = sluice::Validator::compile(R"({"$ref":"#/$defs/nope"})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == sluice::ErrorCode::kUnresolvedRef);
  auto remote = sluice::Validator::compile(R"({"$ref":"http://example.com/x.json"})");
  REQUIRE_FALSE(remote.ok());
  CHECK(remote.error().code == sluice::ErrorCode::kUnresolvedRef);
  auto type = sluice::Validator::compile(R"({"type":"strin"})");
  REQUIRE_FALSE(type.ok());
  CHECK(type.error().code == sluice::ErrorCode::kParseError);
  CHECK_FALSE(sluice::Validator::compile("{").ok());
  CHECK_FALSE(sluice::Validator::compile("[1]").ok());
}

TEST_CASE("remote $ref resolves through the URI-prefix to directory mapping", "[validator][bad-input]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "sluice_validator_remote_test";
  fs::create_directories(dir / "nested");
  std::ofstream(dir / "nested" / "name.json") << R"({"$defs":{"n":{"type":"string","minLength":2}}})";
  sluice::ValidatorOptions options;
  options.remote_dirs = {{"http://schemas.example/", dir.string()}};
  sluice::Validator v = compile_ok(
      R"({"$id":"http://schemas.example/root.json","properties":{"name":{"$ref":"nested/name.json#/$defs/n"}}})",
      options);
  auto good = v.validate(R"({"name":"Al"})");
  REQUIRE(good.ok());
  CHECK(good->valid);
  auto bad = v.validate(R"({"name":"A"})");
  REQUIRE(bad.ok());
  REQUIRE_FALSE(bad->valid);
  CHECK(bad->errors[0].absolute_keyword_location == "http://schemas.example/nested/name.json#/$defs/n/minLength");
  fs::remove_all(dir);
}

TEST_CASE("one validator serves several threads", "[validator][threads]") {
  sluice::Validator v = compile_ok(R"({"type":"object","properties":{"n":{"type":"integer","maximum":50}}})");
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        int n = (i * 7 + t) % 100;
        auto r = v.validate("{\"n\":" + std::to_string(n) + "}");
        if (!r.ok() || r->valid != (n <= 50)) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) CHECK(m == 0);
}

TEST_CASE("regression: a NUL byte ended the document for both parsers (found by validator_fuzz)",
          "[validator][bad-input]") {
  sluice::Validator v = compile_ok("{}");
  for (std::string doc : {std::string("22\0}\n[\"ab\"", 10), std::string("22\0", 3), std::string("{\"a\":\0}", 7)}) {
    INFO("document of " << doc.size() << " bytes");
    auto fast = v.validate(doc);
    REQUIRE_FALSE(fast.ok());
    CHECK(fast.error().code == sluice::ErrorCode::kParseError);
    CHECK(fast.error().location.offset == doc.find('\0'));
    auto reference = v.validate_reference(doc);
    REQUIRE_FALSE(reference.ok());
    CHECK(reference.error().code == sluice::ErrorCode::kParseError);
  }
}

TEST_CASE("regression: a count past 2^64 such as maxLength 3e45 was converted with undefined behaviour (found by "
          "validator_fuzz)",
          "[validator][bad-input]") {
  sluice::Validator no_limit = compile_ok(R"({"maxLength": 3e45, "maxItems": 1e300})");
  auto short_string = no_limit.validate("\"x\"");
  REQUIRE(short_string.ok());
  CHECK(short_string->valid);
  sluice::Validator impossible = compile_ok(R"({"minLength": 3e45})");
  auto any_string = impossible.validate("\"abc\"");
  REQUIRE(any_string.ok());
  CHECK_FALSE(any_string->valid);
}
