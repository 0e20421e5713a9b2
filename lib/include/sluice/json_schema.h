// sluice/json_schema.h: JSON Schema lowered to the grammar IR.
//
// Contract:
// - compile_json_schema() turns schema text into a Grammar whose root matches
//   exactly the JSON texts (in the configured whitespace style) that are
//   valid against the schema. Every keyword it accepts is enforced; a keyword
//   it cannot enforce exactly is an Error naming the keyword and its JSON
//   pointer (kUnsupported), or, with `lenient`, a warning in the result.
// - Drafts 2020-12 (default), 2019-09, 7, 6 and 4, chosen by `$schema` or by
//   JsonSchemaOptions::draft.
// - Strings are generated in one canonical JSON encoding, the one
//   serde_json's to_string and most serializers write: code points are raw
//   UTF-8 except `"` and `\` (written \" and \\), and control characters
//   U+0000-U+001F, written \b \f \n \r \t or \u00xx (lower-case hex). So
//   every string value has exactly one accepted spelling; \/ and \uXXXX for
//   other characters are not accepted.
// - Numbers are JSON numbers. A number with bounds or multipleOf is written
//   without an exponent (1.5, not 15e-1), and an integer may carry a zero
//   fraction (3.0), which JSON Schema counts as an integer. An unconstrained
//   number also accepts exponents.
// - Object keys are never repeated, every required property is written, and
//   each value is checked against its own schema, whatever the order.
//   PropertyOrder::kAny accepts any order. PropertyOrder::kSchema (the
//   default) accepts:
//   - any order, for an object with at most max_any_order_properties kinds
//     of key (each property named in the schema is one; other keys allowed
//     by additionalProperties or patternProperties are one more). The
//     matcher tracks the keys written at run time (a permutation in the
//     grammar IR), so this costs no grammar size;
//   - otherwise schema order: the order of `properties`, or that of
//     `required` followed by the other properties. Properties not named in
//     the schema (where allowed) may appear anywhere, and so may up to three
//     named only by merged schemas (allOf, a branch of anyOf/oneOf,
//     dependencies) or only by `required`, since the schema gives them no
//     place in its order. Where max_displacement_states allows (0, off, by
//     default), up to max_displaced_properties properties may also be out of
//     that order at one time: written before their place, or (required
//     ones) after it.
//   Over a whole schema, at most max_widened_order_states such states are
//   spent; objects compiled after that keep schema order.
// - Nothing throws; all failures are values. Budgets bound the grammar size
//   and the compile time.
//
// Tested in tests/json_schema/ (keyword tables in pairs `name` /
// `name_failures`, the example schemas in schemas/, bad input, budgets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice {

enum class JsonWhitespace : uint8_t {
  kFlexible,  // any JSON whitespace between tokens, at most max_whitespace chars at each place
  kCompact,   // no whitespace; separators exactly item_separator / key_separator
  kPretty,    // newline + `indent` spaces per level; key separator ": "
};

enum class PropertyOrder : uint8_t {
  kSchema,  // schema order (as OpenAI and llguidance), widened within budgets: see the rule at the top
  kAny,     // any order; an object with more kinds of key than kMaxPermutationMembers is a budget error
};

enum class JsonSchemaDraft : uint8_t { kDraft4, kDraft6, kDraft7, kDraft2019_09, kDraft2020_12 };

struct JsonSchemaOptions {
  JsonWhitespace whitespace = JsonWhitespace::kFlexible;
  // kFlexible: the most whitespace characters allowed at one place, so that
  // generation cannot loop on whitespace.
  uint32_t max_whitespace = 16;
  // kPretty: spaces per nesting level.
  uint32_t indent = 2;
  // kPretty: arrays and objects nested deeper than this are not generated
  // (exact indentation at every depth is not context-free, so each level
  // is its own copy of the grammar).
  uint32_t max_pretty_depth = 12;
  // kCompact only: the exact separators (e.g. ", " and ": " for Python's
  // json.dumps). kFlexible and kPretty use "," and ":" with their whitespace.
  std::string item_separator = ",";
  std::string key_separator = ":";
  PropertyOrder property_order = PropertyOrder::kSchema;
  // Treats an absent additionalProperties as false (OpenAI strict mode).
  bool strict = false;
  // Drops keywords sluice cannot enforce, listing each as a warning, instead
  // of failing. Off by default: then nothing is ever dropped.
  bool lenient = false;
  // Optional caps that make output shorter than the schema allows (0: none).
  // They narrow, never widen, what the schema accepts.
  uint32_t max_string_length = 0;
  uint32_t max_number_digits = 0;
  // Overrides `$schema` when set.
  std::optional<JsonSchemaDraft> draft;

  // --- budgets (exceeding one is kBudgetExceeded) ---
  // Expressions in the finished grammar.
  size_t max_grammar_exprs = 2000000;
  // Wall-clock time for one compile, in milliseconds.
  uint32_t max_compile_ms = 1000;
  // Nesting of subschemas followed while compiling one value.
  uint32_t max_depth = 200;
  // Branches produced by distributing allOf over anyOf/oneOf.
  uint32_t max_branches = 256;
  // DFA states of "a key that no pattern of patternProperties matches",
  // which the other keys of an object whose patternProperties stay open
  // need. Over it, the patternProperties are unsupported (a warning in
  // lenient mode).
  uint32_t max_complement_states = 4096;
  // States of the digit machine for number bounds with multipleOf, and of
  // one object's key machine in schema order.
  uint32_t max_states = 20000;
  // PropertyOrder::kSchema widens schema order within these budgets (the
  // rule is at the top of this file). Over one, an object keeps schema
  // order; that is no error. 0 turns each widening off.
  // Kinds of key (see the rule at the top) up to which an object takes any
  // order; at most kMaxPermutationMembers. 0 keeps every object in schema order.
  uint32_t max_any_order_properties = kMaxPermutationMembers;
  // States of one object's key machine with properties out of order (about
  // p^2 for p properties and one out of order). Off by default: 2048 rescues
  // a few more MaskBench documents but costs about half again the average
  // compile time.
  uint32_t max_displacement_states = 0;
  // The most properties out of schema order at one time.
  uint32_t max_displaced_properties = 2;
  // Displacement states over the whole schema.
  uint32_t max_widened_order_states = 16384;
  // Key orders tried for an object inside `enum`/`const`.
  uint32_t max_enum_permutations = 720;
};

struct JsonSchemaWarning {
  std::string keyword;
  std::string json_pointer;
  std::string message;
};

struct CompiledJsonSchema {
  Grammar grammar;
  // Only with `lenient`: the keywords dropped.
  std::vector<JsonSchemaWarning> warnings;
};

Result<CompiledJsonSchema> compile_json_schema(std::string_view schema_json, const JsonSchemaOptions& options = {});

// Serializes JSON text compactly the way serde_json's to_string does (keys in
// document order, UTF-8 unescaped, controls escaped, floats in shortest
// round-trip form such as 1.0 or 1e20). MaskBench feeds instances in this
// form; the CLI uses it to normalise documents.
Result<std::string> json_to_compact(std::string_view json_text);

}  // namespace sluice
