// Views of a parsed document for the evaluator (evaluate.h), one per parser:
// SimdAdapter over simdjson's DOM tape (the fast path), JsonAdapter over
// nlohmann/json (the reference path and the fallback for numbers simdjson
// rejects), and KeyAdapter, which presents an object key as a string
// instance for `propertyNames`. Each exposes the same static functions.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "validator/schema.h"

namespace sluice::validator {

enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// simdjson 3's DOM is a tape of 64-bit words (doc/tape.md in simdjson). The
// adapter reads it through simdjson::internal::tape_ref rather than through
// dom::element: element's accessors check the type again on every call and
// step from member to member with an out-of-line after_element(), which
// together cost more than the parse itself on typical model output.
static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3,
              "SimdAdapter reads simdjson 3's tape layout; check it before upgrading");

struct SimdAdapter {
  using Value = simdjson::internal::tape_ref;
  using Tape = simdjson::internal::tape_type;

  // The root of the document `parser` parsed last.
  static Value root(const simdjson::dom::parser& parser) { return Value(&parser.doc, 1); }
  [[gnu::always_inline]] static Kind kind(Value v) {
    switch (v.tape_ref_type()) {
      case Tape::NULL_VALUE: return Kind::kNull;
      case Tape::TRUE_VALUE:
      case Tape::FALSE_VALUE: return Kind::kBool;
      case Tape::STRING: return Kind::kString;
      case Tape::START_ARRAY: return Kind::kArray;
      case Tape::START_OBJECT: return Kind::kObject;
      default: return Kind::kNumber;
    }
  }
  [[gnu::always_inline]] static bool is_container(Value v) {
    Tape t = v.tape_ref_type();
    return t == Tape::START_ARRAY || t == Tape::START_OBJECT;
  }
  static bool boolean(Value v) { return v.is_true(); }
  static Number number(Value v) {
    switch (v.tape_ref_type()) {
      case Tape::INT64: return Number::of_int(v.next_tape_value<int64_t>());
      case Tape::UINT64: return Number::of_uint(v.next_tape_value<uint64_t>());
      default: return Number::of_double(v.next_tape_value<double>());
    }
  }
  [[gnu::always_inline]] static std::string_view string(Value v) {
    return std::string_view(v.get_c_str(), v.get_string_length());
  }
  // The tape index just past v (numbers take two words, containers jump to
  // their closing word).
  [[gnu::always_inline]] static size_t after(Value v) {
    switch (v.tape_ref_type()) {
      case Tape::START_ARRAY:
      case Tape::START_OBJECT: return v.matching_brace_index();
      case Tape::INT64:
      case Tape::UINT64:
      case Tape::DOUBLE: return v.json_index + 2;
      default: return v.json_index + 1;
    }
  }
  // The tape counts members and items in 24 bits and saturates beyond that.
  static size_t array_size(Value v) {
    size_t n = v.scope_count();
    if (n < simdjson::internal::JSON_COUNT_MASK) return n;
    n = 0;
    items(v, [&](size_t, Value) { return ++n, true; });
    return n;
  }
  static size_t object_size(Value v) {
    size_t n = v.scope_count();
    if (n < simdjson::internal::JSON_COUNT_MASK) return n;
    n = 0;
    members(v, [&](size_t, std::string_view, Value) { return ++n, true; });
    return n;
  }
  // fn(index, item) returns false to stop.
  template <typename Fn>
  static void items(Value v, Fn&& fn) {
    const size_t end = v.matching_brace_index() - 1;
    Value e(v.doc, v.json_index + 1);
    for (size_t i = 0; e.json_index < end; ++i) {
      if (!fn(i, e)) return;
      e.json_index = after(e);
    }
  }
  // fn(index, key, value) returns false to stop.
  template <typename Fn>
  static void members(Value v, Fn&& fn) {
    const size_t end = v.matching_brace_index() - 1;
    Value key(v.doc, v.json_index + 1);
    for (size_t i = 0; key.json_index < end; ++i) {
      Value value(v.doc, key.json_index + 1);
      if (!fn(i, string(key), value)) return;
      key.json_index = after(value);
    }
  }
};

struct JsonAdapter {
  using Value = const Json*;
  static Kind kind(Value v) {
    switch (v->type()) {
      case Json::value_t::null: return Kind::kNull;
      case Json::value_t::boolean: return Kind::kBool;
      case Json::value_t::string: return Kind::kString;
      case Json::value_t::array: return Kind::kArray;
      case Json::value_t::object: return Kind::kObject;
      default: return Kind::kNumber;
    }
  }
  static bool boolean(Value v) { return v->get<bool>(); }
  static Number number(Value v) {
    if (v->is_number_unsigned()) return Number::of_uint(v->get<uint64_t>());
    if (v->is_number_integer()) return Number::of_int(v->get<int64_t>());
    return Number::of_double(v->get<double>());
  }
  static std::string_view string(Value v) { return v->get_ref<const std::string&>(); }
  static size_t array_size(Value v) { return v->size(); }
  static size_t object_size(Value v) { return v->size(); }
  template <typename Fn>
  static void items(Value v, Fn&& fn) {
    size_t i = 0;
    for (const Json& e : *v) {
      if (!fn(i++, &e)) return;
    }
  }
  template <typename Fn>
  static void members(Value v, Fn&& fn) {
    size_t i = 0;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!fn(i++, std::string_view(it.key()), &*it)) return;
    }
  }
};

struct KeyAdapter {
  using Value = std::string_view;
  static Kind kind(Value) { return Kind::kString; }
  static bool boolean(Value) { return false; }
  static Number number(Value) { return {}; }
  static std::string_view string(Value v) { return v; }
  static size_t array_size(Value) { return 0; }
  static size_t object_size(Value) { return 0; }
  template <typename Fn>
  static void items(Value, Fn&&) {}
  template <typename Fn>
  static void members(Value, Fn&&) {}
};

}  // namespace sluice::validator
