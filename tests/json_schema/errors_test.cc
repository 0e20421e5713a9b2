// Errors are values with JSON pointers: malformed input, wrong keyword
// types, unresolvable references, contradictions, unsupported keywords,
// lenient mode, budgets, and deep or recursive schemas that must neither
// crash nor hang.
#include <catch2/catch.hpp>

#include <string>

#include "ir/reference_recognizer.h"
#include "sluice/json_schema.h"

namespace {

sluice::Error compile_error(const std::string& schema, const sluice::JsonSchemaOptions& options = {}) {
  auto r = sluice::compile_json_schema(schema, options);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("schema text that is not JSON is a parse error", "[json_schema][errors]") {
  CHECK(compile_error("{\"type\": ").code == sluice::ErrorCode::kParseError);
  CHECK(compile_error("42").code == sluice::ErrorCode::kParseError);
}

TEST_CASE("a keyword of the wrong type names its pointer", "[json_schema][errors]") {
  sluice::Error e = compile_error(R"({"properties": {"a": {"minLength": "3", "type": "string"}}})");
  CHECK(e.code == sluice::ErrorCode::kParseError);
  CHECK(e.location.json_pointer == "/properties/a/minLength");
  CHECK(compile_error(R"({"type": "strin"})").location.json_pointer == "/type");
}

TEST_CASE("an unresolvable $ref is kUnresolvedRef at its pointer", "[json_schema][errors]") {
  sluice::Error e = compile_error(R"({"properties": {"a": {"$ref": "#/$defs/missing"}}})");
  CHECK(e.code == sluice::ErrorCode::kUnresolvedRef);
  CHECK(e.location.json_pointer == "/properties/a");
  CHECK(compile_error(R"({"$ref": "https://example.com/remote.json"})").code == sluice::ErrorCode::kUnresolvedRef);
}

TEST_CASE("contradictions are kUnsatisfiable", "[json_schema][errors]") {
  CHECK(compile_error(R"({"type": "integer", "minimum": 5, "maximum": 4})").code == sluice::ErrorCode::kUnsatisfiable);
  CHECK(compile_error(R"({"allOf": [{"enum": [1, 2]}, {"enum": [3]}]})").code == sluice::ErrorCode::kUnsatisfiable);
  CHECK(compile_error(R"({"type": "string", "enum": [1, 2]})").code == sluice::ErrorCode::kUnsatisfiable);
  CHECK(compile_error("false").code == sluice::ErrorCode::kUnsatisfiable);
}

TEST_CASE("unsupported keywords name the keyword and pointer; lenient turns them into warnings", "[json_schema][errors]") {
  const std::string schema = R"({"type": "array", "items": {"type": "string"}, "uniqueItems": true})";
  sluice::Error e = compile_error(schema);
  CHECK(e.code == sluice::ErrorCode::kUnsupported);
  CHECK(e.excerpt == "uniqueItems");
  CHECK(e.location.json_pointer == "/uniqueItems");
  sluice::JsonSchemaOptions lenient;
  lenient.lenient = true;
  auto r = sluice::compile_json_schema(schema, lenient);
  REQUIRE(r.ok());
  REQUIRE(r->warnings.size() == 1);
  CHECK(r->warnings[0].keyword == "uniqueItems");
  CHECK(r->warnings[0].json_pointer == "/uniqueItems");
}

TEST_CASE("oneOf with overlapping branches is an error naming oneOf", "[json_schema][errors]") {
  sluice::Error e = compile_error(R"({"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 3}]})");
  CHECK(e.code == sluice::ErrorCode::kUnsupported);
  CHECK(e.excerpt == "oneOf");
  CHECK(e.location.json_pointer == "/oneOf");
}

TEST_CASE("standard formats without a grammar are errors; custom formats are annotations", "[json_schema][errors]") {
  CHECK(compile_error(R"({"type": "string", "format": "iri"})").excerpt == "format");
  CHECK(sluice::compile_json_schema(R"({"type": "string", "format": "int32"})").ok());
}

TEST_CASE("deep nesting is a budget error, never a stack overflow", "[json_schema][errors][budget]") {
  std::string schema;
  for (int i = 0; i < 5000; ++i) schema += R"({"type": "array", "items": )";
  schema += "{}";
  for (int i = 0; i < 5000; ++i) schema += "}";
  CHECK(compile_error(schema).code == sluice::ErrorCode::kBudgetExceeded);
}

TEST_CASE("recursive refs terminate", "[json_schema][errors]") {
  CHECK(sluice::compile_json_schema(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})").ok());
  CHECK(sluice::compile_json_schema(R"({"type": "array", "items": {"$ref": "#"}})").ok());
}

TEST_CASE("grammar size and branch budgets are enforced", "[json_schema][errors][budget]") {
  sluice::JsonSchemaOptions small;
  small.max_grammar_exprs = 50;
  CHECK(compile_error(R"({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}})", small).code ==
        sluice::ErrorCode::kBudgetExceeded);
  std::string branches = R"({"allOf": [)";
  for (int i = 0; i < 6; ++i) {
    branches += std::string(i ? "," : "") + R"({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]})";
  }
  branches += "]}";
  sluice::JsonSchemaOptions few;
  few.max_branches = 16;
  CHECK(compile_error(branches, few).code == sluice::ErrorCode::kBudgetExceeded);
  sluice::JsonSchemaOptions big_modulus;
  CHECK(compile_error(R"({"type": "integer", "multipleOf": 1000003})", big_modulus).code ==
        sluice::ErrorCode::kBudgetExceeded);
}

TEST_CASE("a not pushed into anyOf branches reports the branch it cannot negate", "[json_schema][errors]") {
  sluice::Error e = compile_error(R"({"not": {"anyOf": [{"type": "string"}, {"minLength": 2}]}})");
  CHECK(e.code == sluice::ErrorCode::kUnsupported);
  CHECK(e.excerpt == "not");
  CHECK(e.location.json_pointer == "/not/anyOf/1");
}

TEST_CASE("not {} admits nothing", "[json_schema][errors]") {
  sluice::Error e = compile_error(R"({"not": {}})");
  CHECK(e.code == sluice::ErrorCode::kUnsatisfiable);
}

TEST_CASE("open patternProperties past max_complement_states: an error naming the keyword; lenient drops the patterns",
          "[json_schema][errors][budget]") {
  const std::string schema = R"({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}})";
  sluice::JsonSchemaOptions small;
  small.max_complement_states = 2;
  sluice::Error e = compile_error(schema, small);
  CHECK(e.code == sluice::ErrorCode::kUnsupported);
  CHECK(e.excerpt == "patternProperties");
  CHECK(e.message.find("state budget") != std::string::npos);
  small.lenient = true;
  auto r = sluice::compile_json_schema(schema, small);
  REQUIRE(r.ok());
  REQUIRE(r->warnings.size() == 1);
  CHECK(r->warnings[0].keyword == "patternProperties");
  auto recognizer = sluice::ir::ReferenceRecognizer::create(r->grammar);
  REQUIRE(recognizer.ok());
  auto verdict = [&](const char* text) { return recognizer->classify(text).value().verdict; };
  // Every key now takes additionalProperties, "x-a" too.
  CHECK(verdict(R"({"x-a":1,"y":2})") == sluice::ir::Verdict::kAccept);
  CHECK(verdict(R"({"y":"s"})") != sluice::ir::Verdict::kAccept);
  CHECK(sluice::compile_json_schema(schema).ok());
}
