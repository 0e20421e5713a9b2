// The evaluator: runs a compiled Node graph (schema.h) over a document seen
// through an adapter (adapters.h). Instantiated twice per adapter:
// kCollect = false answers valid/invalid with no bookkeeping and stops at the
// first failure (the fast path, which also runs MemberPlans, schema.h);
// kCollect = true tracks instance and keyword locations and records "basic"
// output errors (run only for invalid documents). Recursion is bounded by
// max_eval_depth, and documents by the parser's depth limit, so no input can
// overflow the stack.
// Tested through tests/validator/.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "validator/adapters.h"
#include "validator/schema.h"

namespace sluice::validator {

// What the in-place subschemas of a node evaluated, for unevaluated*.
struct Annotations {
  std::vector<uint8_t> props;  // by member index
  std::vector<uint8_t> items;  // by item index
  size_t prefix = 0;           // items [0, prefix) evaluated
  bool all_props = false;
  bool all_items = false;
  void mark_prop(size_t i) {
    if (props.size() <= i) props.resize(i + 1);
    props[i] = 1;
  }
  void mark_item(size_t i) {
    if (items.size() <= i) items.resize(i + 1);
    items[i] = 1;
  }
  bool prop(size_t i) const { return all_props || (i < props.size() && props[i]); }
  bool item(size_t i) const { return all_items || i < prefix || (i < items.size() && items[i]); }
  void merge(const Annotations& o) {
    if (o.props.size() > props.size()) props.resize(o.props.size());
    for (size_t i = 0; i < o.props.size(); ++i) props[i] |= o.props[i];
    if (o.items.size() > items.size()) items.resize(o.items.size());
    for (size_t i = 0; i < o.items.size(); ++i) items[i] |= o.items[i];
    prefix = std::max(prefix, o.prefix);
    all_props |= o.all_props;
    all_items |= o.all_items;
  }
};

struct EvalContext {
  const CompiledSchema* schema = nullptr;
  uint32_t depth = 0;
  bool overflow = false;  // max_eval_depth was hit: the answer is an error
  // The yes/no pass runs MemberPlans (schema.h); false runs the keywords one
  // by one instead, the reference tests compare the plans with. Plans visit
  // members in another order than the keywords, so when a document both
  // fails and exhausts max_eval_depth, which one they meet first can differ;
  // the collecting pass, in keyword order, decides (validator.cc).
  bool member_plans = true;
  // Duplicate keys, simdjson path only (validator.cc): a MemberPlan that
  // sees every key of an object checks them for repeats as it goes and sets
  // the object's bit (by tape index) when there are none. Objects left
  // unmarked are checked apart, so evaluation itself never changes.
  std::vector<uint64_t>* checked_objects = nullptr;
  std::vector<const Resource*> scope;
  // Collect mode only.
  bool all_errors = false;
  std::vector<ValidationError>* errors = nullptr;
  std::vector<std::string> instance_path;
  std::vector<std::string> keyword_path;
};

std::string pointer_join(const std::vector<std::string>& tokens);
size_t utf8_length(std::string_view s);
std::string describe_json(const Json& j);

template <typename A>
bool equal_values(typename A::Value a, typename A::Value b);

template <typename A>
bool equal_to_json(typename A::Value a, const Json& j) {
  switch (A::kind(a)) {
    case Kind::kNull: return j.is_null();
    case Kind::kBool: return j.is_boolean() && j.get<bool>() == A::boolean(a);
    case Kind::kString: return j.is_string() && j.get_ref<const std::string&>() == A::string(a);
    case Kind::kNumber: {
      if (!j.is_number()) return false;
      Number n = j.is_number_unsigned() ? Number::of_uint(j.get<uint64_t>())
                 : j.is_number_integer() ? Number::of_int(j.get<int64_t>())
                                         : Number::of_double(j.get<double>());
      return compare_numbers(A::number(a), n) == 0;
    }
    case Kind::kArray: {
      if (!j.is_array() || j.size() != A::array_size(a)) return false;
      bool eq = true;
      A::items(a, [&](size_t i, typename A::Value item) { return eq = equal_to_json<A>(item, j[i]); });
      return eq;
    }
    case Kind::kObject: {
      if (!j.is_object() || j.size() != A::object_size(a)) return false;
      bool eq = true;
      A::members(a, [&](size_t, std::string_view key, typename A::Value value) {
        auto it = j.find(std::string(key));
        return eq = it != j.end() && equal_to_json<A>(value, *it);
      });
      return eq;
    }
  }
  return false;
}

template <typename A>
bool equal_values(typename A::Value a, typename A::Value b) {
  Kind ka = A::kind(a);
  if (ka != A::kind(b)) return false;
  switch (ka) {
    case Kind::kNull: return true;
    case Kind::kBool: return A::boolean(a) == A::boolean(b);
    case Kind::kString: return A::string(a) == A::string(b);
    case Kind::kNumber: return compare_numbers(A::number(a), A::number(b)) == 0;
    case Kind::kArray: {
      if (A::array_size(a) != A::array_size(b)) return false;
      std::vector<typename A::Value> bs;
      A::items(b, [&](size_t, typename A::Value v) { bs.push_back(v); return true; });
      bool eq = true;
      A::items(a, [&](size_t i, typename A::Value v) { return eq = equal_values<A>(v, bs[i]); });
      return eq;
    }
    case Kind::kObject: {
      if (A::object_size(a) != A::object_size(b)) return false;
      bool eq = true;
      A::members(a, [&](size_t, std::string_view key, typename A::Value va) {
        bool found = false;
        A::members(b, [&](size_t, std::string_view kb, typename A::Value vb) {
          if (kb != key) return true;
          found = equal_values<A>(va, vb);
          return false;
        });
        return eq = found;
      });
      return eq;
    }
  }
  return false;
}

template <typename A, bool kCollect>
class Evaluator {
 public:
  using V = typename A::Value;
  explicit Evaluator(EvalContext& c) : c_(c) {}

  bool node(const Node& n, V v, Annotations* an) {
    if (c_.depth >= c_.schema->options.max_eval_depth) {
      c_.overflow = true;
      return false;
    }
    if (n.leaf) return keywords(n, v, an);
    ++c_.depth;
    bool pushed = false;
    if (c_.schema->uses_dynamic_scope && (c_.scope.empty() || c_.scope.back() != n.resource)) {
      c_.scope.push_back(n.resource);
      pushed = true;
    }
    bool ok;
    if (n.needs_annotations) {
      Annotations local;
      ok = keywords(n, v, &local);
      if (ok && an != nullptr) an->merge(local);
    } else {
      ok = keywords(n, v, an);
    }
    if (pushed) c_.scope.pop_back();
    --c_.depth;
    return ok;
  }

 private:
  bool keywords(const Node& n, V v, Annotations* an) {
    const Kind kind = A::kind(v);
    const MemberPlan* plan = !kCollect && an == nullptr && c_.member_plans ? n.members.get() : nullptr;
    bool ok = true;
    for (const Keyword& k : n.keywords) {
      // `type` leads most nodes: tested here, it costs no call and no jump
      // through the keyword switch.
      if (!kCollect && k.op == Op::kType) {
        if (type_matches(k, v, kind)) continue;
        ok = false;
        break;
      }
      if (plan != nullptr && k.plan_role != PlanRole::kNone) {
        if (k.plan_role == PlanRole::kCovered || kind != Kind::kObject || members(*plan, v)) continue;
        ok = false;
        break;
      }
      if (!keyword(k, v, kind, an)) {
        ok = false;
        if (!kCollect || !c_.all_errors || c_.overflow) break;
      }
    }
    return ok;
  }

  bool members(const MemberPlan& plan, V v) {
    bool ok = true;
    uint64_t seen = 0;
    // Duplicate keys (EvalContext::checked_objects): known keys by their
    // entry's bit, the few others pairwise.
    bool checking = c_.checked_objects != nullptr && plan.entries.size() <= 64;
    uint64_t known = 0;
    constexpr size_t kOthers = 4;
    std::string_view others[kOthers];
    size_t other_count = 0;
    A::members(v, [&](size_t, std::string_view key, V value) {
      const Node* sub = plan.additional;
      int e = plan.index.find(key);
      if (e >= 0) {
        const MemberPlan::Entry& entry = plan.entries[e];
        seen |= entry.required_bit;
        if (entry.property != nullptr) sub = entry.property;
        if (checking) {
          const uint64_t bit = uint64_t{1} << e;
          checking = !(known & bit);
          known |= bit;
        }
      } else if (checking) {
        for (size_t j = 0; j < other_count && checking; ++j) checking = others[j] != key;
        if (other_count == kOthers) checking = false;
        if (checking) others[other_count++] = key;
      }
      return sub == nullptr || (ok = node(*sub, value, nullptr));
    });
    if constexpr (std::is_same_v<A, SimdAdapter>) {
      if (ok && checking) (*c_.checked_objects)[v.json_index / 64] |= uint64_t{1} << (v.json_index % 64);
    }
    return ok && (seen & plan.required_mask) == plan.required_mask;
  }

  template <typename Msg>
  bool fail(const Keyword& k, Msg&& message) {
    if constexpr (kCollect) {
      if (c_.errors != nullptr) {
        ValidationError e;
        e.instance_location = pointer_join(c_.instance_path);
        e.keyword_location = pointer_join(c_.keyword_path);
        if (!k.name.empty()) e.keyword_location += "/" + k.name;
        e.absolute_keyword_location = k.abs;
        e.message = message();
        c_.errors->push_back(std::move(e));
      }
    }
    return false;
  }

  // Applies `sub` at a child keyword location (name/extra...) and instance
  // location (token, when non-empty).
  bool apply(const Node& sub, V v, Annotations* an, std::string_view name, const std::string* kw_extra,
             const std::string* inst_token) {
    if constexpr (kCollect) {
      c_.keyword_path.push_back(std::string(name));
      if (kw_extra) c_.keyword_path.push_back(*kw_extra);
      if (inst_token) c_.instance_path.push_back(*inst_token);
      bool ok = node(sub, v, an);
      if (inst_token) c_.instance_path.pop_back();
      if (kw_extra) c_.keyword_path.pop_back();
      c_.keyword_path.pop_back();
      return ok;
    } else {
      (void)name;
      (void)kw_extra;
      (void)inst_token;
      return node(sub, v, an);
    }
  }

  bool apply_item(const Node& sub, V v, const Keyword& k, size_t index, bool index_in_keyword) {
    if constexpr (kCollect) {
      std::string token = std::to_string(index);
      return apply(sub, v, nullptr, k.name, index_in_keyword ? &token : nullptr, &token);
    } else {
      return node(sub, v, nullptr);
    }
  }

  bool apply_member(const Node& sub, V v, const Keyword& k, std::string_view key, const std::string* kw_extra) {
    if constexpr (kCollect) {
      std::string token(key);
      return apply(sub, v, nullptr, k.name, kw_extra, &token);
    } else {
      return node(sub, v, nullptr);
    }
  }

  // Runs fn with error recording diverted into `scratch`.
  template <typename Fn>
  bool quietly(std::vector<ValidationError>* scratch, Fn&& fn) {
    if constexpr (kCollect) {
      std::vector<ValidationError>* saved = c_.errors;
      c_.errors = scratch;
      bool ok = fn();
      c_.errors = saved;
      return ok;
    } else {
      return fn();
    }
  }

  void adopt(std::vector<ValidationError>& scratch) {
    if constexpr (kCollect) {
      if (c_.errors != nullptr && c_.all_errors) {
        for (ValidationError& e : scratch) c_.errors->push_back(std::move(e));
      }
    }
  }

  static bool has_key(V v, std::string_view name) {
    bool found = false;
    A::members(v, [&](size_t, std::string_view key, V) { return !(found = key == name); });
    return found;
  }

  static bool type_matches(const Keyword& k, V v, Kind kind) {
    uint8_t have;
    switch (kind) {
      case Kind::kNull: have = kTypeNull; break;
      case Kind::kBool: have = kTypeBoolean; break;
      case Kind::kString: have = kTypeString; break;
      case Kind::kArray: have = kTypeArray; break;
      case Kind::kObject: have = kTypeObject; break;
      default: {
        Number n = A::number(v);
        // Integers written as such parse to kInt/kUint; a double is an
        // integer in draft 4 only beyond the 64-bit range (a big integer).
        bool integer = k.integer_needs_integer_text
                           ? n.kind != Number::kDouble || (n.is_integral() && std::fabs(n.d) >= 0x1p64)
                           : n.is_integral();
        have = integer ? (kTypeNumber | kTypeInteger) : kTypeNumber;
        break;
      }
    }
    return (have & k.types) != 0;
  }

  bool keyword(const Keyword& k, V v, Kind kind, Annotations* an) {
    switch (k.op) {
      case Op::kFalse:
        return fail(k, [] { return std::string("no value is allowed here (schema false)"); });
      case Op::kType:
        if (type_matches(k, v, kind)) return true;
        return fail(k, [&] { return std::string("value has the wrong type"); });
      case Op::kEnum: {
        if (k.string_enum) {
          if (kind == Kind::kString && k.index.find(A::string(v)) >= 0) return true;
          return fail(k, [&] { return "value is not one of " + describe_json(Json(k.values)); });
        }
        for (const Json& allowed : k.values)
          if (equal_to_json<A>(v, allowed)) return true;
        return fail(k, [&] { return "value is not one of " + describe_json(Json(k.values)); });
      }
      case Op::kConst:
        if (equal_to_json<A>(v, k.values[0])) return true;
        return fail(k, [&] { return "value must be " + describe_json(k.values[0]); });
      case Op::kMultipleOf:
        if (kind != Kind::kNumber || is_multiple_of(A::number(v), k.number)) return true;
        return fail(k, [&] { return "value is not a multiple of " + k.number.to_string(); });
      case Op::kMaximum:
        if (kind != Kind::kNumber || compare_numbers(A::number(v), k.number) <= 0) return true;
        return fail(k, [&] { return "value is greater than the maximum " + k.number.to_string(); });
      case Op::kExclusiveMaximum:
        if (kind != Kind::kNumber || compare_numbers(A::number(v), k.number) < 0) return true;
        return fail(k, [&] { return "value must be less than " + k.number.to_string(); });
      case Op::kMinimum:
        if (kind != Kind::kNumber || compare_numbers(A::number(v), k.number) >= 0) return true;
        return fail(k, [&] { return "value is less than the minimum " + k.number.to_string(); });
      case Op::kExclusiveMinimum:
        if (kind != Kind::kNumber || compare_numbers(A::number(v), k.number) > 0) return true;
        return fail(k, [&] { return "value must be greater than " + k.number.to_string(); });
      case Op::kMaxLength:
        // A string has at most as many code points as bytes.
        if (kind != Kind::kString || A::string(v).size() <= k.count || utf8_length(A::string(v)) <= k.count)
          return true;
        return fail(k, [&] { return "string is longer than " + std::to_string(k.count) + " characters"; });
      case Op::kMinLength:
        // ... and at least a quarter as many.
        if (kind != Kind::kString || A::string(v).size() / 4 >= k.count || utf8_length(A::string(v)) >= k.count)
          return true;
        return fail(k, [&] { return "string is shorter than " + std::to_string(k.count) + " characters"; });
      case Op::kPattern: {
        if (kind != Kind::kString) return true;
        std::string_view s = A::string(v);
        if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *k.regex)) return true;
        return fail(k, [&] { return "string does not match the pattern " + describe_json(Json(k.source)); });
      }
      case Op::kFormat:
        if (kind != Kind::kString || k.format(A::string(v))) return true;
        return fail(k, [&] { return "string is not a valid " + k.source; });
      case Op::kItemsTuple: {
        if (kind != Kind::kArray) return true;
        bool ok = true;
        size_t n = 0;
        A::items(v, [&](size_t i, V item) {
          if (i >= k.subs.size()) return false;
          n = i + 1;
          if (!apply_item(*k.subs[i], item, k, i, true)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        if (an) an->prefix = std::max(an->prefix, n);
        return ok;
      }
      case Op::kItemsFrom: {
        if (kind != Kind::kArray) return true;
        bool ok = true;
        bool any = false;
        A::items(v, [&](size_t i, V item) {
          if (i < k.count) return true;
          any = true;
          if (!apply_item(*k.sub, item, k, i, false)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        if (an && any) an->all_items = true;
        return ok;
      }
      case Op::kContains: {
        if (kind != Kind::kArray) return true;
        uint64_t matches = 0;
        std::vector<ValidationError> scratch;
        A::items(v, [&](size_t i, V item) {
          bool ok = quietly(&scratch, [&] { return apply_item(*k.sub, item, k, i, false); });
          if (c_.overflow) return false;
          if (ok) {
            ++matches;
            if (an && k.contains_annotates) an->mark_item(i);
          }
          return an != nullptr || k.has_max || matches < k.min_contains;
        });
        if (c_.overflow) return false;
        if (matches < k.min_contains) {
          return fail(k, [&] {
            return "array has " + std::to_string(matches) + " items matching contains, needs at least " +
                   std::to_string(k.min_contains);
          });
        }
        if (k.has_max && matches > k.max_contains) {
          return fail(k, [&] {
            return "array has " + std::to_string(matches) + " items matching contains, allows at most " +
                   std::to_string(k.max_contains);
          });
        }
        return true;
      }
      case Op::kMaxItems:
        if (kind != Kind::kArray || A::array_size(v) <= k.count) return true;
        return fail(k, [&] { return "array has more than " + std::to_string(k.count) + " items"; });
      case Op::kMinItems:
        if (kind != Kind::kArray || A::array_size(v) >= k.count) return true;
        return fail(k, [&] { return "array has fewer than " + std::to_string(k.count) + " items"; });
      case Op::kUniqueItems: {
        if (kind != Kind::kArray) return true;
        // Short arrays, the common case, keep their items on the stack.
        constexpr size_t kInline = 16;
        std::array<V, kInline> inline_items;
        std::vector<V> heap_items;
        const bool on_heap = A::array_size(v) > kInline;
        V* seen = inline_items.data();
        size_t dup_a = 0, dup_b = 0;
        bool unique = true;
        A::items(v, [&](size_t i, V item) {
          for (size_t j = 0; j < i; ++j) {
            if (equal_values<A>(seen[j], item)) {
              unique = false;
              dup_a = j;
              dup_b = i;
              return false;
            }
          }
          if (on_heap) {
            heap_items.push_back(item);
            seen = heap_items.data();
          } else {
            inline_items[i] = item;
          }
          return true;
        });
        if (unique) return true;
        return fail(k, [&] {
          return "items " + std::to_string(dup_a) + " and " + std::to_string(dup_b) + " are equal";
        });
      }
      case Op::kMaxProperties:
        if (kind != Kind::kObject || A::object_size(v) <= k.count) return true;
        return fail(k, [&] { return "object has more than " + std::to_string(k.count) + " properties"; });
      case Op::kMinProperties:
        if (kind != Kind::kObject || A::object_size(v) >= k.count) return true;
        return fail(k, [&] { return "object has fewer than " + std::to_string(k.count) + " properties"; });
      case Op::kRequired: {
        if (kind != Kind::kObject) return true;
        if (k.names.size() <= 64) {
          // One pass over the members; a bit per required name found.
          uint64_t seen = 0;
          A::members(v, [&](size_t, std::string_view key, V) {
            int i = k.index.find(key);
            if (i >= 0) seen |= uint64_t{1} << i;
            return true;
          });
          if (seen == (k.names.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << k.names.size()) - 1)) return true;
        }
        bool ok = true;
        for (const std::string& name : k.names) {
          if (has_key(v, name)) continue;
          ok = false;
          fail(k, [&] { return "required property " + describe_json(Json(name)) + " is missing"; });
          if (!(kCollect && c_.all_errors)) break;
        }
        return ok;
      }
      case Op::kProperties: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        A::members(v, [&](size_t i, std::string_view key, V value) {
          int p = k.index.find(key);
          if (p < 0) return true;
          if (an) an->mark_prop(i);
          if (!apply_member(*k.named[p].second, value, k, key, &k.named[p].first)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        return ok;
      }
      case Op::kPatternProperties: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        A::members(v, [&](size_t i, std::string_view key, V value) {
          for (const Pattern& p : k.patterns) {
            if (!RE2::PartialMatch(re2::StringPiece(key.data(), key.size()), *p.regex)) continue;
            if (an) an->mark_prop(i);
            if (!apply_member(*p.sub, value, k, key, &p.source)) ok = false;
            if (!ok && !(kCollect && c_.all_errors && !c_.overflow)) return false;
          }
          return true;
        });
        return ok;
      }
      case Op::kAdditionalProperties: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        A::members(v, [&](size_t i, std::string_view key, V value) {
          if (k.index.find(key) >= 0) return true;
          for (const RE2* re : k.pattern_refs)
            if (RE2::PartialMatch(re2::StringPiece(key.data(), key.size()), *re)) return true;
          if (an) an->mark_prop(i);
          if (!apply_member(*k.sub, value, k, key, nullptr)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        return ok;
      }
      case Op::kDependentRequired: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        for (const auto& dep : k.deps) {
          const std::string& trigger = dep.first;
          if (!has_key(v, trigger)) continue;
          for (const std::string& name : dep.second) {
            if (has_key(v, name)) continue;
            ok = false;
            fail(k, [&] {
              return "property " + describe_json(Json(name)) + " is required when " + describe_json(Json(trigger)) +
                     " is present";
            });
            if (!(kCollect && c_.all_errors)) return false;
          }
        }
        return ok;
      }
      case Op::kDependentSchemas: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        for (const auto& [trigger, sub] : k.named) {
          if (!has_key(v, trigger)) continue;
          if (!apply(*sub, v, an, k.name, &trigger, nullptr)) {
            ok = false;
            if (!(kCollect && c_.all_errors && !c_.overflow)) return false;
          }
        }
        return ok;
      }
      case Op::kPropertyNames: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        A::members(v, [&](size_t, std::string_view key, V) {
          Evaluator<KeyAdapter, kCollect> keys(c_);
          bool key_ok;
          if constexpr (kCollect) {
            c_.keyword_path.push_back(k.name);
            c_.instance_path.push_back(std::string(key));
            key_ok = keys.node(*k.sub, key, nullptr);
            c_.instance_path.pop_back();
            c_.keyword_path.pop_back();
          } else {
            key_ok = keys.node(*k.sub, key, nullptr);
          }
          if (!key_ok) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        return ok;
      }
      case Op::kAllOf: {
        bool ok = true;
        for (size_t i = 0; i < k.subs.size(); ++i) {
          std::string index = kCollect ? std::to_string(i) : std::string();
          if (!apply(*k.subs[i], v, an, k.name, &index, nullptr)) {
            ok = false;
            if (!(kCollect && c_.all_errors && !c_.overflow)) return false;
          }
        }
        return ok;
      }
      case Op::kAnyOf: {
        std::vector<ValidationError> scratch;
        bool any = false;
        for (size_t i = 0; i < k.subs.size(); ++i) {
          std::string index = kCollect ? std::to_string(i) : std::string();
          Annotations branch;
          bool ok = quietly(&scratch, [&] { return apply(*k.subs[i], v, an ? &branch : nullptr, k.name, &index, nullptr); });
          if (c_.overflow) return false;
          if (ok) {
            any = true;
            if (!an) break;
            an->merge(branch);
          }
        }
        if (any) return true;
        fail(k, [&] { return std::string("value matches none of the anyOf alternatives"); });
        adopt(scratch);
        return false;
      }
      case Op::kOneOf: {
        std::vector<ValidationError> scratch;
        size_t matched = 0;
        size_t first = 0, second = 0;
        Annotations chosen;
        for (size_t i = 0; i < k.subs.size() && matched < 2; ++i) {
          std::string index = kCollect ? std::to_string(i) : std::string();
          Annotations branch;
          bool ok = quietly(&scratch, [&] { return apply(*k.subs[i], v, an ? &branch : nullptr, k.name, &index, nullptr); });
          if (c_.overflow) return false;
          if (ok) {
            (matched == 0 ? first : second) = i;
            ++matched;
            if (an) chosen = std::move(branch);
          }
        }
        if (matched == 1) {
          if (an) an->merge(chosen);
          return true;
        }
        if (matched == 0) {
          fail(k, [&] { return std::string("value matches none of the oneOf alternatives"); });
          adopt(scratch);
          return false;
        }
        return fail(k, [&] {
          return "value matches oneOf alternatives " + std::to_string(first) + " and " + std::to_string(second) +
                 ", but must match exactly one";
        });
      }
      case Op::kNot: {
        std::vector<ValidationError> scratch;
        bool ok = quietly(&scratch, [&] { return apply(*k.sub, v, nullptr, k.name, nullptr, nullptr); });
        if (c_.overflow) return false;
        if (!ok) return true;
        return fail(k, [&] { return std::string("value must not match the schema under not"); });
      }
      case Op::kIfThenElse: {
        std::vector<ValidationError> scratch;
        Annotations cond;
        bool cond_ok = quietly(&scratch, [&] { return apply(*k.sub, v, an ? &cond : nullptr, k.name, nullptr, nullptr); });
        if (c_.overflow) return false;
        if (cond_ok) {
          if (an) an->merge(cond);
          if (k.then_sub == nullptr) return true;
          return apply(*k.then_sub, v, an, "then", nullptr, nullptr);
        }
        if (k.else_sub == nullptr) return true;
        return apply(*k.else_sub, v, an, "else", nullptr, nullptr);
      }
      case Op::kRef:
        return apply(*k.sub, v, an, k.name, nullptr, nullptr);
      case Op::kDynamicRef: {
        const Node* target = k.sub;
        if (!k.source.empty()) {
          for (const Resource* r : c_.scope) {
            auto it = r->dynamic_anchors.find(k.source);
            if (it != r->dynamic_anchors.end()) {
              target = it->second;
              break;
            }
          }
        }
        return apply(*target, v, an, k.name, nullptr, nullptr);
      }
      case Op::kRecursiveRef: {
        const Node* target = k.sub;
        if (target->resource->recursive_anchor && target->resource->root == target) {
          for (const Resource* r : c_.scope) {
            if (r->recursive_anchor && r->root != nullptr) {
              target = r->root;
              break;
            }
          }
        }
        return apply(*target, v, an, k.name, nullptr, nullptr);
      }
      case Op::kUnevaluatedItems: {
        if (kind != Kind::kArray) return true;
        bool ok = true;
        A::items(v, [&](size_t i, V item) {
          if (an->item(i)) return true;
          if (!apply_item(*k.sub, item, k, i, false)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        if (ok) an->all_items = true;
        return ok;
      }
      case Op::kUnevaluatedProperties: {
        if (kind != Kind::kObject) return true;
        bool ok = true;
        A::members(v, [&](size_t i, std::string_view key, V value) {
          if (an->prop(i)) return true;
          if (!apply_member(*k.sub, value, k, key, nullptr)) ok = false;
          return ok || (kCollect && c_.all_errors && !c_.overflow);
        });
        if (ok) an->all_props = true;
        return ok;
      }
    }
    return true;
  }

  EvalContext& c_;
};

}  // namespace sluice::validator
