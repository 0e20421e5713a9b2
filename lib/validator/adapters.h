// Views of a parsed document for the evaluator (evaluate.h), one per parser:
// SimdAdapter over simdjson's DOM (the fast path), JsonAdapter over
// nlohmann/json (the reference path and the fallback for numbers simdjson
// rejects), and KeyAdapter, which presents an object key as a string
// instance for `propertyNames`. Each exposes the same static functions.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "validator/schema.h"

namespace sluice::validator {

enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

struct SimdAdapter {
  using Value = simdjson::dom::element;
  static Kind kind(Value v) {
    switch (v.type()) {
      case simdjson::dom::element_type::NULL_VALUE: return Kind::kNull;
      case simdjson::dom::element_type::BOOL: return Kind::kBool;
      case simdjson::dom::element_type::STRING: return Kind::kString;
      case simdjson::dom::element_type::ARRAY: return Kind::kArray;
      case simdjson::dom::element_type::OBJECT: return Kind::kObject;
      default: return Kind::kNumber;
    }
  }
  // The callers have checked the type, so get() cannot fail here.
  template <typename T>
  static T as(Value v) {
    T out{};
    if (v.get(out) != simdjson::SUCCESS) return T{};
    return out;
  }
  static bool boolean(Value v) { return as<bool>(v); }
  static Number number(Value v) {
    switch (v.type()) {
      case simdjson::dom::element_type::INT64: return Number::of_int(as<int64_t>(v));
      case simdjson::dom::element_type::UINT64: return Number::of_uint(as<uint64_t>(v));
      default: return Number::of_double(as<double>(v));
    }
  }
  static std::string_view string(Value v) { return as<std::string_view>(v); }
  static size_t array_size(Value v) { return as<simdjson::dom::array>(v).size(); }
  static size_t object_size(Value v) { return as<simdjson::dom::object>(v).size(); }
  // fn(index, item) returns false to stop.
  template <typename Fn>
  static void items(Value v, Fn&& fn) {
    size_t i = 0;
    for (simdjson::dom::element e : as<simdjson::dom::array>(v)) {
      if (!fn(i++, e)) return;
    }
  }
  // fn(index, key, value) returns false to stop.
  template <typename Fn>
  static void members(Value v, Fn&& fn) {
    size_t i = 0;
    for (simdjson::dom::key_value_pair kv : as<simdjson::dom::object>(v)) {
      if (!fn(i++, kv.key, kv.value)) return;
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
