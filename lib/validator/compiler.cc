// Compiles a JSON Schema (nlohmann/json model) into the Node graph of
// schema.h. Two passes: scan() walks every document once to learn each
// subschema's base URI, draft and resource and to register $id, $anchor and
// $dynamicAnchor; compile() then builds Nodes on demand, following $ref
// through that registry (loading remote documents from the configured
// directories or the built-in metaschemas). Nodes are created before their
// children, so $ref cycles terminate.
// Tested through tests/validator/ (keyword tables and the official suite).
#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "common/json_pointer.h"
#include "validator/ecma_regex.h"
#include "validator/formats.h"
#include "validator/schema.h"
#include "validator/uri.h"

namespace sluice::validator {
namespace {

constexpr const char* kDefaultBase = "urn:sluice:schema";

bool at_least(SchemaDraft d, SchemaDraft min) { return static_cast<int>(d) >= static_cast<int>(min); }

struct Loc {
  std::string base;     // base URI in effect inside this schema
  std::string pointer;  // JSON pointer from its resource's root
  SchemaDraft draft;
  Resource* resource;
};

class Compiler {
 public:
  Compiler(const ValidatorOptions& options, CompiledSchema* out) : options_(options), out_(out) {}

  Status run(std::string_view text) {
    Json* doc = nullptr;
    Status s = parse_document(text, "schema", &doc);
    if (!s.ok()) return s;
    SchemaDraft draft = options_.draft.value_or(draft_of(*doc, SchemaDraft::kDraft2020_12));
    out_->draft = draft;
    s = add_document(doc, kDefaultBase, draft);
    if (!s.ok()) return s;
    read_vocabularies(*doc, draft);
    Result<const Node*> root = compile(doc, 0);
    if (!root.ok()) return root.status();
    out_->root = *root;
    return finish_dynamic_anchors();
  }

 private:
  static SchemaDraft draft_of(const Json& j, SchemaDraft fallback) {
    if (j.is_object()) {
      auto it = j.find("$schema");
      if (it != j.end() && it->is_string()) {
        std::optional<SchemaDraft> d = parse_schema_draft(it->get_ref<const std::string&>());
        if (d) return *d;
      }
    }
    return fallback;
  }

  // A custom metaschema may leave out the validation vocabulary, and then
  // its assertions are not keywords at all (2019-09 and later). A metaschema
  // that cannot be loaded leaves every vocabulary on.
  void read_vocabularies(const Json& root, SchemaDraft draft) {
    if (!at_least(draft, SchemaDraft::kDraft2019_09) || !root.is_object()) return;
    auto it = root.find("$schema");
    if (it == root.end() || !it->is_string() || parse_schema_draft(it->get<std::string>())) return;
    std::string uri, fragment;
    split_fragment(it->get<std::string>(), &uri, &fragment);
    Result<const Json*> meta = document(uri, draft, "/$schema");
    if (!meta.ok() || !(*meta)->is_object()) return;
    auto vocab = (*meta)->find("$vocabulary");
    if (vocab == (*meta)->end() || !vocab->is_object()) return;
    validation_vocabulary_ = false;
    for (auto v = vocab->begin(); v != vocab->end(); ++v) {
      if (v.key().size() >= 17 && v.key().ends_with("/vocab/validation")) validation_vocabulary_ = true;
    }
  }

  static bool is_validation_keyword(std::string_view key) {
    static const char* kKeys[] = {"type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
                                  "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
                                  "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
                                  "required", "dependentRequired"};
    for (const char* k : kKeys)
      if (key == k) return true;
    return false;
  }

  Error error(ErrorCode code, std::string message, const std::string& where) const {
    Location loc;
    loc.json_pointer = where;
    return make_error(code, std::move(message), loc);
  }

  Status parse_document(std::string_view text, const std::string& what, Json** out) {
    try {
      docs_.push_back(Json::parse(text.begin(), text.end()));
    } catch (const Json::exception& e) {
      return make_error(ErrorCode::kParseError, what + " is not valid JSON: " + e.what());
    }
    *out = &docs_.back();
    return {};
  }

  Status add_document(const Json* doc, const std::string& uri, SchemaDraft draft) {
    auto res = std::make_unique<Resource>();
    res->uri = uri;
    Resource* r = res.get();
    out_->resources.push_back(std::move(res));
    resources_[uri] = doc;
    return scan(*doc, uri, "", draft, r, 0, true);
  }

  // The $id of a schema object under its draft's rules, if it has one.
  static const std::string* id_of(const Json& j, SchemaDraft draft) {
    if (!j.is_object()) return nullptr;
    // Before 2019-09, $ref replaces the whole schema, $id included.
    if (!at_least(draft, SchemaDraft::kDraft2019_09) && j.contains("$ref")) return nullptr;
    auto it = j.find(draft == SchemaDraft::kDraft4 ? "id" : "$id");
    if (it == j.end() || !it->is_string()) return nullptr;
    return &it->get_ref<const std::string&>();
  }

  template <typename Fn>
  static void for_each_subschema(const Json& j, SchemaDraft draft, Fn&& fn) {
    static const char* kSingle[] = {"additionalItems", "additionalProperties", "not", "items", "contains",
                                    "propertyNames", "if", "then", "else", "unevaluatedItems",
                                    "unevaluatedProperties", "contentSchema"};
    static const char* kArrays[] = {"allOf", "anyOf", "oneOf", "items", "prefixItems"};
    static const char* kMaps[] = {"properties", "patternProperties", "definitions", "$defs", "dependencies",
                                  "dependentSchemas"};
    if (!j.is_object()) return;
    bool legacy_ref = !at_least(draft, SchemaDraft::kDraft2019_09) && j.contains("$ref");
    if (legacy_ref) return;
    for (const char* k : kSingle) {
      auto it = j.find(k);
      if (it != j.end() && (it->is_object() || it->is_boolean())) fn(std::string("/") + k, *it);
    }
    for (const char* k : kArrays) {
      auto it = j.find(k);
      if (it != j.end() && it->is_array()) {
        for (size_t i = 0; i < it->size(); ++i) fn(std::string("/") + k + "/" + std::to_string(i), (*it)[i]);
      }
    }
    for (const char* k : kMaps) {
      auto it = j.find(k);
      if (it != j.end() && it->is_object()) {
        for (auto m = it->begin(); m != it->end(); ++m) {
          if (m->is_object() || m->is_boolean()) fn(std::string("/") + k + "/" + escape_json_pointer_token(m.key()), *m);
        }
      }
    }
  }

  Status scan(const Json& j, std::string base, std::string pointer, SchemaDraft draft, Resource* resource,
              uint32_t depth, bool is_document_root) {
    if (depth > options_.max_schema_depth) {
      return error(ErrorCode::kBudgetExceeded,
                   "schema nesting exceeds max_schema_depth (" + std::to_string(options_.max_schema_depth) + ")",
                   base + "#" + pointer);
    }
    if (locs_.count(&j)) return {};
    if (j.is_object()) {
      if (!is_document_root && j.contains("$schema") && id_of(j, draft) != nullptr) draft = draft_of(j, draft);
      if (const std::string* id = id_of(j, draft)) {
        if (!at_least(draft, SchemaDraft::kDraft2019_09) && !id->empty() && (*id)[0] == '#') {
          anchors_[base_without_fragment(base) + *id] = &j;
        } else {
          std::string resolved = resolve_uri(base, *id);
          std::string uri, fragment;
          split_fragment(resolved, &uri, &fragment);
          if (!fragment.empty() && !at_least(draft, SchemaDraft::kDraft2019_09)) anchors_[uri + "#" + fragment] = &j;
          if (is_document_root) {
            resource->uri = uri;
          } else {
            auto res = std::make_unique<Resource>();
            res->uri = uri;
            resource = res.get();
            out_->resources.push_back(std::move(res));
            pointer.clear();
          }
          resources_[uri] = &j;
          base = uri;
        }
      }
      if (at_least(draft, SchemaDraft::kDraft2019_09)) {
        auto a = j.find("$anchor");
        if (a != j.end() && a->is_string()) anchors_[base + "#" + a->get<std::string>()] = &j;
      }
      if (draft == SchemaDraft::kDraft2020_12) {
        auto a = j.find("$dynamicAnchor");
        if (a != j.end() && a->is_string()) {
          anchors_[base + "#" + a->get<std::string>()] = &j;
          pending_dynamic_.push_back({resource, a->get<std::string>(), &j});
        }
      }
      if (draft == SchemaDraft::kDraft2019_09) {
        auto a = j.find("$recursiveAnchor");
        if (a != j.end() && a->is_boolean() && a->get<bool>() && pointer.empty()) resource->recursive_anchor = true;
      }
    }
    locs_[&j] = Loc{base, pointer, draft, resource};
    if (resource_roots_.count(resource) == 0) resource_roots_[resource] = &j;
    Status status;
    for_each_subschema(j, draft, [&](const std::string& suffix, const Json& child) {
      if (status.ok()) status = scan(child, base, pointer + suffix, draft, resource, depth + 1, false);
    });
    return status;
  }

  static std::string base_without_fragment(const std::string& base) {
    size_t hash = base.find('#');
    return hash == std::string::npos ? base : base.substr(0, hash);
  }

  // Finds the document for an absolute URI (no fragment), loading it from
  // the remote directories or the built-in metaschemas on first use.
  Result<const Json*> document(const std::string& uri, SchemaDraft referrer_draft, const std::string& where) {
    auto it = resources_.find(uri);
    if (it != resources_.end()) return it->second;
    std::string text;
    bool found = false;
    for (const auto& [prefix, dir] : options_.remote_dirs) {
      if (uri.compare(0, prefix.size(), prefix) != 0) continue;
      std::string path = dir + "/" + uri.substr(prefix.size());
      std::ifstream in(path, std::ios::binary);
      if (!in) continue;
      std::stringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
      found = true;
      break;
    }
    if (!found) {
      if (const char* builtin = builtin_metaschema(uri)) {
        text = builtin;
        found = true;
      }
    }
    if (!found) {
      return error(ErrorCode::kUnresolvedRef,
                   "cannot resolve '" + uri + "': no remote directory maps it (see --remote URI=DIR)", where);
    }
    Json* doc = nullptr;
    Status s = parse_document(text, "remote schema '" + uri + "'", &doc);
    if (!s.ok()) return s.error();
    s = add_document(doc, uri, draft_of(*doc, referrer_draft));
    if (!s.ok()) return s.error();
    return static_cast<const Json*>(doc);
  }

  Result<const Json*> resolve(const std::string& base, const std::string& ref, SchemaDraft draft,
                              const std::string& where) {
    std::string absolute = resolve_uri(base, ref);
    std::string uri, fragment;
    split_fragment(absolute, &uri, &fragment);
    Result<const Json*> doc = document(uri, draft, where);
    if (!doc.ok()) return doc;
    std::string decoded;
    if (!percent_decode(fragment, &decoded)) {
      return error(ErrorCode::kParseError, "malformed percent escape in '" + ref + "'", where);
    }
    if (decoded.empty()) return doc;
    if (decoded[0] != '/') {
      auto it = anchors_.find(uri + "#" + decoded);
      if (it == anchors_.end()) return error(ErrorCode::kUnresolvedRef, "no anchor '" + ref + "'", where);
      return it->second;
    }
    const Json* cur = *doc;
    Loc loc = locs_.at(cur);
    size_t start = 1;
    while (true) {
      size_t slash = decoded.find('/', start);
      std::string raw = decoded.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      std::string token;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          token += raw[i];
        }
      }
      const Json* next = nullptr;
      if (cur->is_object()) {
        auto it = cur->find(token);
        if (it != cur->end()) next = &*it;
      } else if (cur->is_array() && !token.empty() &&
                 std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        size_t index = std::stoul(token);
        if (index < cur->size()) next = &(*cur)[index];
      }
      if (next == nullptr) return error(ErrorCode::kUnresolvedRef, "'" + ref + "' points at nothing", where);
      auto known = locs_.find(next);
      if (known != locs_.end()) {
        loc = known->second;
      } else {
        loc.pointer += "/" + escape_json_pointer_token(token);
        // A location no keyword marks as a schema: learn its identifiers now.
        Status s = scan(*next, loc.base, loc.pointer, loc.draft, loc.resource, 0, false);
        if (!s.ok()) return s.error();
        loc = locs_.at(next);
      }
      cur = next;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return cur;
  }

  Result<uint64_t> count_of(const Json& v, const std::string& where) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_number_float()) {
      double d = v.get<double>();
      // A count past 2^64 (maxLength 3e45) can only mean "no limit" or "no
      // string is long enough"; UINT64_MAX means the same, and converting
      // such a double to an integer directly would be undefined.
      if (d >= 0x1p64) return std::numeric_limits<uint64_t>::max();
      if (d >= 0 && d == std::floor(d)) return static_cast<uint64_t>(d);
    }
    return error(ErrorCode::kParseError, "expected a non-negative integer", where);
  }

  static Number number_of(const Json& v) {
    if (v.is_number_unsigned()) return Number::of_uint(v.get<uint64_t>());
    if (v.is_number_integer()) return Number::of_int(v.get<int64_t>());
    return Number::of_double(v.get<double>());
  }

  Result<std::unique_ptr<RE2>> compile_regex(const std::string& source, const std::string& where) {
    Result<std::string> translated = ecma_to_re2(source);
    if (!translated.ok()) {
      return error(translated.error().code, "pattern '" + source + "': " + translated.error().message, where);
    }
    RE2::Options ro;
    ro.set_log_errors(false);
    ro.set_max_mem(options_.max_regex_memory);
    auto re = std::make_unique<RE2>(*translated, ro);
    if (!re->ok()) {
      ErrorCode code = re->error_code() == RE2::ErrorPatternTooLarge || re->error_code() == RE2::ErrorRepeatSize
                           ? ErrorCode::kUnsupported
                           : ErrorCode::kParseError;
      return error(code, "pattern '" + source + "' cannot be compiled by RE2: " + re->error(), where);
    }
    return re;
  }

  Result<const Node*> compile(const Json* j, uint32_t depth) {
    auto found = compiled_.find(j);
    if (found != compiled_.end()) return static_cast<const Node*>(found->second);
    const Loc& loc = locs_.at(j);
    std::string here = loc.base + "#" + loc.pointer;
    if (depth > options_.max_schema_depth) {
      return error(ErrorCode::kBudgetExceeded,
                   "schema nesting exceeds max_schema_depth (" + std::to_string(options_.max_schema_depth) + ")",
                   here);
    }
    if (out_->nodes.size() >= options_.max_schema_nodes) {
      return error(ErrorCode::kBudgetExceeded,
                   "schema needs more than max_schema_nodes (" + std::to_string(options_.max_schema_nodes) + ")",
                   here);
    }
    out_->nodes.push_back(std::make_unique<Node>());
    Node* node = out_->nodes.back().get();
    compiled_[j] = node;
    node->abs = here;
    node->draft = loc.draft;
    node->resource = loc.resource;
    if (resource_roots_.at(loc.resource) == j) loc.resource->root = node;
    if (j->is_boolean()) {
      if (!j->get<bool>()) {
        Keyword k;
        k.op = Op::kFalse;
        k.abs = here;
        node->keywords.push_back(std::move(k));
      }
      return static_cast<const Node*>(node);
    }
    if (!j->is_object()) return error(ErrorCode::kParseError, "a schema must be an object or a boolean", here);
    Status s = compile_keywords(*j, loc, node, depth);
    if (!s.ok()) return s.error();
    // Cheap type checks first; unevaluated* must see every sibling's result.
    std::stable_sort(node->keywords.begin(), node->keywords.end(), [](const Keyword& a, const Keyword& b) {
      auto rank = [](Op op) {
        return op == Op::kType ? 0 : (op == Op::kUnevaluatedItems || op == Op::kUnevaluatedProperties) ? 2 : 1;
      };
      return rank(a.op) < rank(b.op);
    });
    plan_members(node);
    auto applies_nothing = [](const Keyword& k) {
      return k.sub == nullptr && k.then_sub == nullptr && k.else_sub == nullptr && k.subs.empty() && k.named.empty() &&
             k.patterns.empty();
    };
    node->leaf = !node->needs_annotations && std::all_of(node->keywords.begin(), node->keywords.end(), applies_nothing);
    return static_cast<const Node*>(node);
  }

  // Builds node->members (schema.h) from the keywords it can fuse.
  static void plan_members(Node* node) {
    Keyword* properties = nullptr;
    Keyword* required = nullptr;
    Keyword* additional = nullptr;
    for (Keyword& k : node->keywords) {
      if (k.op == Op::kProperties) properties = &k;
      if (k.op == Op::kRequired && k.names.size() <= 64) required = &k;
      if (k.op == Op::kAdditionalProperties && k.pattern_refs.empty()) additional = &k;
    }
    if (properties == nullptr && required == nullptr && additional == nullptr) return;
    auto plan = std::make_unique<MemberPlan>();
    std::vector<std::string> keys;
    std::unordered_map<std::string, size_t> entry;
    auto add = [&](const std::string& key) {
      auto [it, fresh] = entry.emplace(key, keys.size());
      if (fresh) {
        keys.push_back(key);
        plan->entries.emplace_back();
      }
      return it->second;
    };
    if (properties != nullptr) {
      for (const auto& [name, sub] : properties->named) plan->entries[add(name)].property = sub;
    }
    if (required != nullptr) {
      for (size_t i = 0; i < required->names.size(); ++i) {
        plan->entries[add(required->names[i])].required_bit = uint64_t{1} << i;
        plan->required_mask |= uint64_t{1} << i;
      }
    }
    if (additional != nullptr) plan->additional = additional->sub;
    plan->index.build(keys);
    bool first = true;
    for (Keyword& k : node->keywords) {
      if (&k != properties && &k != required && &k != additional) continue;
      k.plan_role = first ? PlanRole::kRuns : PlanRole::kCovered;
      first = false;
    }
    node->members = std::move(plan);
  }

  Status compile_keywords(const Json& j, const Loc& loc, Node* node, uint32_t depth) {
    const SchemaDraft d = loc.draft;
    const std::string here = loc.base + "#" + loc.pointer;
    auto at = [&](const std::string& key) { return here + "/" + escape_json_pointer_token(key); };
    auto add = [&](Op op, const std::string& name) -> Keyword& {
      Keyword k;
      k.op = op;
      k.name = name;
      k.abs = at(name);
      node->keywords.push_back(std::move(k));
      return node->keywords.back();
    };
    auto has = [&](const char* key) {
      return j.contains(key) && (validation_vocabulary_ || !is_validation_keyword(key));
    };
    auto subschema = [&](const Json& v, const std::string& where) -> Result<const Node*> {
      if (!v.is_object() && !v.is_boolean()) {
        return error(ErrorCode::kParseError, "expected a schema (object or boolean)", where);
      }
      return compile(&v, depth + 1);
    };

    if (has("$ref")) {
      const Json& ref = j.at("$ref");
      if (!ref.is_string()) return error(ErrorCode::kParseError, "$ref must be a string", at("$ref"));
      Result<const Json*> target = resolve(loc.base, ref.get<std::string>(), d, at("$ref"));
      if (!target.ok()) return target.status();
      Result<const Node*> t = compile(*target, depth + 1);
      if (!t.ok()) return t.status();
      add(Op::kRef, "$ref").sub = *t;
      // Before 2019-09 every sibling of $ref is ignored.
      if (!at_least(d, SchemaDraft::kDraft2019_09)) return {};
    }
    if (d == SchemaDraft::kDraft2020_12 && has("$dynamicRef")) {
      const Json& ref = j.at("$dynamicRef");
      if (!ref.is_string()) return error(ErrorCode::kParseError, "$dynamicRef must be a string", at("$dynamicRef"));
      const std::string text = ref.get<std::string>();
      Result<const Json*> target = resolve(loc.base, text, d, at("$dynamicRef"));
      if (!target.ok()) return target.status();
      Result<const Node*> t = compile(*target, depth + 1);
      if (!t.ok()) return t.status();
      Keyword& k = add(Op::kDynamicRef, "$dynamicRef");
      k.sub = *t;
      size_t hash = text.find('#');
      std::string name = hash == std::string::npos ? "" : text.substr(hash + 1);
      // Dynamic only when the static target is the dynamic anchor itself
      // (the "bookend"); otherwise it behaves like $ref.
      const Json& tj = **target;
      bool dynamic = false;
      if (!name.empty() && name[0] != '/' && tj.is_object()) {
        auto anchor = tj.find("$dynamicAnchor");
        dynamic = anchor != tj.end() && anchor->is_string() && anchor->get<std::string>() == name;
      }
      if (dynamic) {
        k.source = name;
        out_->uses_dynamic_scope = true;
      }
    }
    if (d == SchemaDraft::kDraft2019_09 && has("$recursiveRef")) {
      const Json& ref = j.at("$recursiveRef");
      if (!ref.is_string()) return error(ErrorCode::kParseError, "$recursiveRef must be a string", at("$recursiveRef"));
      Result<const Json*> target = resolve(loc.base, ref.get<std::string>(), d, at("$recursiveRef"));
      if (!target.ok()) return target.status();
      Result<const Node*> t = compile(*target, depth + 1);
      if (!t.ok()) return t.status();
      add(Op::kRecursiveRef, "$recursiveRef").sub = *t;
      out_->uses_dynamic_scope = true;
    }

    if (has("type")) {
      const Json& t = j.at("type");
      uint8_t bits = 0;
      auto bit = [](const std::string& name) -> uint8_t {
        if (name == "null") return kTypeNull;
        if (name == "boolean") return kTypeBoolean;
        if (name == "object") return kTypeObject;
        if (name == "array") return kTypeArray;
        if (name == "number") return kTypeNumber;
        if (name == "integer") return kTypeInteger;
        if (name == "string") return kTypeString;
        return 0;
      };
      std::vector<Json> list = t.is_array() ? t.get<std::vector<Json>>() : std::vector<Json>{t};
      for (const Json& name : list) {
        uint8_t b = name.is_string() ? bit(name.get<std::string>()) : 0;
        if (b == 0) return error(ErrorCode::kParseError, "unknown type " + name.dump(), at("type"));
        bits |= b;
      }
      Keyword& k = add(Op::kType, "type");
      k.types = bits;
      k.integer_needs_integer_text = d == SchemaDraft::kDraft4;
    }
    if (has("enum")) {
      const Json& e = j.at("enum");
      if (!e.is_array()) return error(ErrorCode::kParseError, "enum must be an array", at("enum"));
      Keyword& k = add(Op::kEnum, "enum");
      k.values = e.get<std::vector<Json>>();
      k.string_enum = std::all_of(k.values.begin(), k.values.end(), [](const Json& v) { return v.is_string(); });
      if (k.string_enum) {
        std::vector<std::string> strings;
        for (const Json& v : k.values) strings.push_back(v.get<std::string>());
        std::sort(strings.begin(), strings.end());
        strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
        k.index.build(strings);
      }
    }
    if (at_least(d, SchemaDraft::kDraft6) && has("const")) add(Op::kConst, "const").values = {j.at("const")};

    auto number_kw = [&](const char* key, Op op) -> Status {
      const Json& v = j.at(key);
      if (!v.is_number()) return error(ErrorCode::kParseError, std::string(key) + " must be a number", at(key));
      add(op, key).number = number_of(v);
      return {};
    };
    if (has("multipleOf")) {
      const Json& v = j.at("multipleOf");
      if (!v.is_number() || v.get<double>() <= 0) {
        return error(ErrorCode::kParseError, "multipleOf must be a number greater than 0", at("multipleOf"));
      }
      Status s = number_kw("multipleOf", Op::kMultipleOf);
      if (!s.ok()) return s;
    }
    if (d == SchemaDraft::kDraft4) {
      auto flag = [&](const char* key) { return j.contains(key) && j.at(key).is_boolean() && j.at(key).get<bool>(); };
      if (has("maximum")) {
        Status s = number_kw("maximum", flag("exclusiveMaximum") ? Op::kExclusiveMaximum : Op::kMaximum);
        if (!s.ok()) return s;
      }
      if (has("minimum")) {
        Status s = number_kw("minimum", flag("exclusiveMinimum") ? Op::kExclusiveMinimum : Op::kMinimum);
        if (!s.ok()) return s;
      }
    } else {
      const std::pair<const char*, Op> kBounds[] = {{"maximum", Op::kMaximum},
                                                    {"exclusiveMaximum", Op::kExclusiveMaximum},
                                                    {"minimum", Op::kMinimum},
                                                    {"exclusiveMinimum", Op::kExclusiveMinimum}};
      for (const auto& [key, op] : kBounds) {
        if (!has(key)) continue;
        Status s = number_kw(key, op);
        if (!s.ok()) return s;
      }
    }
    const std::pair<const char*, Op> kCounts[] = {
        {"maxLength", Op::kMaxLength}, {"minLength", Op::kMinLength},         {"maxItems", Op::kMaxItems},
        {"minItems", Op::kMinItems},   {"maxProperties", Op::kMaxProperties}, {"minProperties", Op::kMinProperties}};
    for (const auto& [key, op] : kCounts) {
      if (!has(key)) continue;
      Result<uint64_t> c = count_of(j.at(key), at(key));
      if (!c.ok()) return c.status();
      add(op, key).count = *c;
    }
    if (has("pattern")) {
      const Json& p = j.at("pattern");
      if (!p.is_string()) return error(ErrorCode::kParseError, "pattern must be a string", at("pattern"));
      Result<std::unique_ptr<RE2>> re = compile_regex(p.get<std::string>(), at("pattern"));
      if (!re.ok()) return re.status();
      Keyword& k = add(Op::kPattern, "pattern");
      k.regex = std::move(re.value());
      k.source = p.get<std::string>();
    }
    if (options_.assert_formats && has("format") && j.at("format").is_string()) {
      if (FormatFn fn = find_format(j.at("format").get<std::string>())) {
        Keyword& k = add(Op::kFormat, "format");
        k.format = fn;
        k.source = j.at("format").get<std::string>();
      }
    }

    // Arrays.
    size_t tuple_length = 0;
    bool items_is_tuple = false;
    if (d == SchemaDraft::kDraft2020_12 && has("prefixItems")) {
      const Json& p = j.at("prefixItems");
      if (!p.is_array()) return error(ErrorCode::kParseError, "prefixItems must be an array", at("prefixItems"));
      Keyword& k = add(Op::kItemsTuple, "prefixItems");
      for (size_t i = 0; i < p.size(); ++i) {
        Result<const Node*> s = subschema(p[i], at("prefixItems") + "/" + std::to_string(i));
        if (!s.ok()) return s.status();
        k.subs.push_back(*s);
      }
      tuple_length = p.size();
    }
    if (has("items")) {
      const Json& it = j.at("items");
      if (it.is_array() && d != SchemaDraft::kDraft2020_12) {
        Keyword& k = add(Op::kItemsTuple, "items");
        for (size_t i = 0; i < it.size(); ++i) {
          Result<const Node*> s = subschema(it[i], at("items") + "/" + std::to_string(i));
          if (!s.ok()) return s.status();
          k.subs.push_back(*s);
        }
        tuple_length = it.size();
        items_is_tuple = true;
      } else {
        Result<const Node*> s = subschema(it, at("items"));
        if (!s.ok()) return s.status();
        Keyword& k = add(Op::kItemsFrom, "items");
        k.sub = *s;
        k.count = d == SchemaDraft::kDraft2020_12 ? tuple_length : 0;
      }
    }
    if (d != SchemaDraft::kDraft2020_12 && items_is_tuple && has("additionalItems")) {
      Result<const Node*> s = subschema(j.at("additionalItems"), at("additionalItems"));
      if (!s.ok()) return s.status();
      Keyword& k = add(Op::kItemsFrom, "additionalItems");
      k.sub = *s;
      k.count = tuple_length;
    }
    if (at_least(d, SchemaDraft::kDraft6) && has("contains")) {
      Result<const Node*> s = subschema(j.at("contains"), at("contains"));
      if (!s.ok()) return s.status();
      Keyword& k = add(Op::kContains, "contains");
      k.sub = *s;
      k.contains_annotates = d == SchemaDraft::kDraft2020_12;
      if (at_least(d, SchemaDraft::kDraft2019_09)) {
        if (has("minContains")) {
          Result<uint64_t> c = count_of(j.at("minContains"), at("minContains"));
          if (!c.ok()) return c.status();
          k.min_contains = *c;
        }
        if (has("maxContains")) {
          Result<uint64_t> c = count_of(j.at("maxContains"), at("maxContains"));
          if (!c.ok()) return c.status();
          k.max_contains = *c;
          k.has_max = true;
        }
      }
    }
    if (has("uniqueItems") && j.at("uniqueItems").is_boolean() && j.at("uniqueItems").get<bool>()) {
      add(Op::kUniqueItems, "uniqueItems");
    }

    // Objects.
    if (has("required")) {
      const Json& r = j.at("required");
      if (!r.is_array()) return error(ErrorCode::kParseError, "required must be an array", at("required"));
      Keyword& k = add(Op::kRequired, "required");
      for (const Json& name : r) {
        if (!name.is_string()) return error(ErrorCode::kParseError, "required lists strings", at("required"));
        k.names.push_back(name.get<std::string>());
      }
      std::sort(k.names.begin(), k.names.end());
      k.names.erase(std::unique(k.names.begin(), k.names.end()), k.names.end());
      k.index.build(k.names);
    }
    std::vector<std::string> property_names;
    std::vector<const RE2*> pattern_refs;
    if (has("properties")) {
      const Json& p = j.at("properties");
      if (!p.is_object()) return error(ErrorCode::kParseError, "properties must be an object", at("properties"));
      Keyword& k = add(Op::kProperties, "properties");
      for (auto it = p.begin(); it != p.end(); ++it) {
        Result<const Node*> s = subschema(*it, at("properties") + "/" + escape_json_pointer_token(it.key()));
        if (!s.ok()) return s.status();
        k.named.emplace_back(it.key(), *s);
        property_names.push_back(it.key());
      }
      k.index.build(property_names);
    }
    if (has("patternProperties")) {
      const Json& p = j.at("patternProperties");
      if (!p.is_object()) {
        return error(ErrorCode::kParseError, "patternProperties must be an object", at("patternProperties"));
      }
      Keyword& k = add(Op::kPatternProperties, "patternProperties");
      for (auto it = p.begin(); it != p.end(); ++it) {
        std::string where = at("patternProperties") + "/" + escape_json_pointer_token(it.key());
        Result<std::unique_ptr<RE2>> re = compile_regex(it.key(), where);
        if (!re.ok()) return re.status();
        Result<const Node*> s = subschema(*it, where);
        if (!s.ok()) return s.status();
        Pattern pat;
        pat.regex = std::move(re.value());
        pat.sub = *s;
        pat.source = it.key();
        pattern_refs.push_back(pat.regex.get());
        k.patterns.push_back(std::move(pat));
      }
    }
    if (has("additionalProperties")) {
      Result<const Node*> s = subschema(j.at("additionalProperties"), at("additionalProperties"));
      if (!s.ok()) return s.status();
      Keyword& k = add(Op::kAdditionalProperties, "additionalProperties");
      k.sub = *s;
      k.index.build(property_names);
      k.pattern_refs = pattern_refs;
    }
    auto dependent_required = [&](const char* key, const Json& value, Keyword& k) -> Status {
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!it->is_array()) continue;
        std::vector<std::string> names;
        for (const Json& n : *it) {
          if (!n.is_string()) return error(ErrorCode::kParseError, "dependencies list strings", at(key));
          names.push_back(n.get<std::string>());
        }
        k.deps.emplace_back(it.key(), std::move(names));
      }
      return {};
    };
    auto dependent_schemas = [&](const char* key, const Json& value, Keyword& k) -> Status {
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (it->is_array()) continue;
        Result<const Node*> s = subschema(*it, at(key) + "/" + escape_json_pointer_token(it.key()));
        if (!s.ok()) return s.status();
        k.named.emplace_back(it.key(), *s);
      }
      return {};
    };
    if (!at_least(d, SchemaDraft::kDraft2019_09) && has("dependencies") && j.at("dependencies").is_object()) {
      const Json& deps = j.at("dependencies");
      Status s = dependent_required("dependencies", deps, add(Op::kDependentRequired, "dependencies"));
      if (!s.ok()) return s;
      s = dependent_schemas("dependencies", deps, add(Op::kDependentSchemas, "dependencies"));
      if (!s.ok()) return s;
    }
    if (at_least(d, SchemaDraft::kDraft2019_09)) {
      if (has("dependentRequired") && j.at("dependentRequired").is_object()) {
        Status s = dependent_required("dependentRequired", j.at("dependentRequired"),
                                      add(Op::kDependentRequired, "dependentRequired"));
        if (!s.ok()) return s;
      }
      if (has("dependentSchemas") && j.at("dependentSchemas").is_object()) {
        Status s = dependent_schemas("dependentSchemas", j.at("dependentSchemas"),
                                     add(Op::kDependentSchemas, "dependentSchemas"));
        if (!s.ok()) return s;
      }
    }
    if (at_least(d, SchemaDraft::kDraft6) && has("propertyNames")) {
      Result<const Node*> s = subschema(j.at("propertyNames"), at("propertyNames"));
      if (!s.ok()) return s.status();
      add(Op::kPropertyNames, "propertyNames").sub = *s;
    }

    // Applicators.
    const std::pair<const char*, Op> kLists[] = {{"allOf", Op::kAllOf}, {"anyOf", Op::kAnyOf}, {"oneOf", Op::kOneOf}};
    for (const auto& [key, op] : kLists) {
      if (!has(key)) continue;
      const Json& list = j.at(key);
      if (!list.is_array() || list.empty()) {
        return error(ErrorCode::kParseError, std::string(key) + " must be a non-empty array", at(key));
      }
      Keyword& k = add(op, key);
      for (size_t i = 0; i < list.size(); ++i) {
        Result<const Node*> s = subschema(list[i], at(key) + "/" + std::to_string(i));
        if (!s.ok()) return s.status();
        k.subs.push_back(*s);
      }
    }
    if (has("not")) {
      Result<const Node*> s = subschema(j.at("not"), at("not"));
      if (!s.ok()) return s.status();
      add(Op::kNot, "not").sub = *s;
    }
    if (at_least(d, SchemaDraft::kDraft7) && has("if")) {
      Result<const Node*> s = subschema(j.at("if"), at("if"));
      if (!s.ok()) return s.status();
      Keyword& k = add(Op::kIfThenElse, "if");
      k.sub = *s;
      if (has("then")) {
        Result<const Node*> t = subschema(j.at("then"), at("then"));
        if (!t.ok()) return t.status();
        node->keywords.back().then_sub = *t;
      }
      if (has("else")) {
        Result<const Node*> e = subschema(j.at("else"), at("else"));
        if (!e.ok()) return e.status();
        node->keywords.back().else_sub = *e;
      }
    }
    if (at_least(d, SchemaDraft::kDraft2019_09)) {
      const std::pair<const char*, Op> kUnevaluated[] = {{"unevaluatedItems", Op::kUnevaluatedItems},
                                                         {"unevaluatedProperties", Op::kUnevaluatedProperties}};
      for (const auto& [key, op] : kUnevaluated) {
        if (!has(key)) continue;
        Result<const Node*> s = subschema(j.at(key), at(key));
        if (!s.ok()) return s.status();
        add(op, key).sub = *s;
        node->needs_annotations = true;
      }
    }
    return {};
  }

  Status finish_dynamic_anchors() {
    // Compiling an anchor can load documents that add more anchors.
    for (size_t i = 0; i < pending_dynamic_.size(); ++i) {
      Pending p = pending_dynamic_[i];
      Result<const Node*> n = compile(p.json, 0);
      if (!n.ok()) return n.status();
      p.resource->dynamic_anchors.emplace(p.name, *n);
    }
    for (const auto& res : out_->resources) {
      if (res->root == nullptr && resource_roots_.count(res.get())) {
        Result<const Node*> n = compile(resource_roots_.at(res.get()), 0);
        if (!n.ok()) return n.status();
      }
    }
    return {};
  }

  struct Pending {
    Resource* resource;
    std::string name;
    const Json* json;
  };

  const ValidatorOptions& options_;
  CompiledSchema* out_;
  bool validation_vocabulary_ = true;
  std::deque<Json> docs_;
  std::unordered_map<std::string, const Json*> resources_;
  std::unordered_map<std::string, const Json*> anchors_;
  std::unordered_map<const Json*, Loc> locs_;
  std::unordered_map<const Json*, Node*> compiled_;
  std::unordered_map<const Resource*, const Json*> resource_roots_;
  std::vector<Pending> pending_dynamic_;
};

}  // namespace

void KeyIndex::build(const std::vector<std::string>& keys) {
  count_ = keys.size();
  bytes_.clear();
  size_t size = 4;
  shift_ = 62;
  while (size < keys.size() * 2) {
    size *= 2;
    --shift_;
  }
  slots_.assign(size, Slot{});
  mask_ = size - 1;
  for (size_t i = 0; i < keys.size(); ++i) {
    Slot slot;
    slot.hash = hash(keys[i]);
    slot.offset = bytes_.size();
    slot.size = keys[i].size();
    slot.index = static_cast<int32_t>(i);
    bytes_ += keys[i];
    size_t at = slot.hash >> shift_;
    while (slots_[at].index >= 0) at = (at + 1) & mask_;
    slots_[at] = slot;
  }
}

Result<std::shared_ptr<const CompiledSchema>> compile_schema(std::string_view text, const ValidatorOptions& options) {
  auto out = std::make_shared<CompiledSchema>();
  out->options = options;
  try {
    Compiler compiler(options, out.get());
    Status s = compiler.run(text);
    if (!s.ok()) return s.error();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("schema compiler failed: ") + e.what());
  }
  return std::shared_ptr<const CompiledSchema>(std::move(out));
}

}  // namespace sluice::validator
