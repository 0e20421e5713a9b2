// Pointers, base URIs and $ref resolution; see schema_index.h.
#include "common/json_pointer.h"
#include "frontend/json_schema/schema_index.h"

#include <vector>

#include "validator/uri.h"

namespace sluice::json_schema {

namespace {

constexpr const char* kDefaultBase = "sluice:///root.json";

bool is_schema_map_keyword(const std::string& k) {
  return k == "properties" || k == "patternProperties" || k == "$defs" || k == "definitions" ||
         k == "dependentSchemas" || k == "dependencies";
}

bool is_schema_keyword(const std::string& k) {
  return k == "items" || k == "additionalItems" || k == "contains" || k == "additionalProperties" ||
         k == "propertyNames" || k == "not" || k == "if" || k == "then" || k == "else" ||
         k == "unevaluatedProperties" || k == "unevaluatedItems";
}

bool is_schema_array_keyword(const std::string& k) {
  return k == "allOf" || k == "anyOf" || k == "oneOf" || k == "prefixItems" || k == "items";
}

}  // namespace

SchemaIndex::SchemaIndex(const Json& root, JsonSchemaDraft draft) : root_(root), draft_(draft) {
  index_values(root, "");
  index_schema(root, kDefaultBase);
  by_uri_[kDefaultBase] = &root;
}

void SchemaIndex::index_values(const Json& node, const std::string& pointer) {
  // Explicit stack: schema documents may nest deeply.
  std::vector<std::pair<const Json*, std::string>> stack = {{&node, pointer}};
  while (!stack.empty()) {
    auto [n, p] = std::move(stack.back());
    stack.pop_back();
    pointers_[n] = p;
    if (n->is_object()) {
      for (auto it = n->begin(); it != n->end(); ++it) stack.push_back({&it.value(), p + "/" + escape_json_pointer_token(it.key())});
    } else if (n->is_array()) {
      for (size_t i = 0; i < n->size(); ++i) stack.push_back({&(*n)[i], p + "/" + std::to_string(i)});
    }
  }
}

void SchemaIndex::index_schema(const Json& node, const std::string& base_in) {
  std::vector<std::pair<const Json*, std::string>> stack = {{&node, base_in}};
  while (!stack.empty()) {
    auto [n, base] = std::move(stack.back());
    stack.pop_back();
    if (!n->is_object()) continue;
    const char* id_key = draft_ == JsonSchemaDraft::kDraft4 ? "id" : "$id";
    auto id = n->find(id_key);
    // Before 2019-09 a $ref makes its siblings, $id included, inert.
    bool ref_blocks = draft_ <= JsonSchemaDraft::kDraft7 && n->contains("$ref");
    if (id != n->end() && id->is_string() && !ref_blocks) {
      std::string resolved = validator::resolve_uri(base, id->get<std::string>());
      std::string without, fragment;
      validator::split_fragment(resolved, &without, &fragment);
      if (fragment.empty()) {
        base = without;
        by_uri_[without] = n;
      } else if (draft_ <= JsonSchemaDraft::kDraft7) {
        by_uri_[without + "#" + fragment] = n;
      }
    }
    auto anchor = n->find("$anchor");
    if (anchor != n->end() && anchor->is_string()) by_uri_[base + "#" + anchor->get<std::string>()] = n;
    auto dyn = n->find("$dynamicAnchor");
    if (dyn != n->end() && dyn->is_string()) by_uri_.emplace(base + "#" + dyn->get<std::string>(), n);
    bases_[n] = base;
    for (auto it = n->begin(); it != n->end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (is_schema_map_keyword(k) && v.is_object()) {
        for (auto sub = v.begin(); sub != v.end(); ++sub) stack.push_back({&sub.value(), base});
      } else if (is_schema_array_keyword(k) && v.is_array()) {
        for (const Json& sub : v) stack.push_back({&sub, base});
      } else if (is_schema_keyword(k)) {
        stack.push_back({&v, base});
      }
    }
  }
}

const std::string& SchemaIndex::pointer(const Json* node) const {
  static const std::string kUnknown = "";
  auto it = pointers_.find(node);
  return it == pointers_.end() ? kUnknown : it->second;
}

Result<const Json*> SchemaIndex::resolve(const Json* from, const std::string& ref) const {
  auto base_it = bases_.find(from);
  std::string base = base_it == bases_.end() ? kDefaultBase : base_it->second;
  std::string target = validator::resolve_uri(base, ref);
  auto hit = by_uri_.find(target);
  if (hit != by_uri_.end()) return hit->second;
  std::string without, fragment;
  validator::split_fragment(target, &without, &fragment);
  auto doc = by_uri_.find(without);
  if (doc == by_uri_.end()) {
    return make_error(ErrorCode::kUnresolvedRef, "cannot resolve $ref '" + ref + "' (remote references are not fetched)",
                      Location::at_pointer(pointer(from)));
  }
  std::string decoded;
  if (!validator::percent_decode(fragment, &decoded)) {
    return make_error(ErrorCode::kUnresolvedRef, "malformed %-escape in $ref '" + ref + "'",
                      Location::at_pointer(pointer(from)));
  }
  if (!decoded.empty() && decoded[0] != '/') {
    return make_error(ErrorCode::kUnresolvedRef, "no anchor named '" + decoded + "' for $ref '" + ref + "'",
                      Location::at_pointer(pointer(from)));
  }
  const Json* node = doc->second;
  size_t pos = 1;
  while (pos <= decoded.size() && !decoded.empty()) {
    size_t next = decoded.find('/', pos);
    if (next == std::string::npos) next = decoded.size();
    std::string token;
    for (size_t i = pos; i < next; ++i) {
      if (decoded[i] == '~' && i + 1 < next && (decoded[i + 1] == '0' || decoded[i + 1] == '1')) {
        token += decoded[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += decoded[i];
      }
    }
    if (node->is_object() && node->contains(token)) {
      node = &(*node)[token];
    } else if (node->is_array() && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos &&
               token.size() < 10 && std::stoul(token) < node->size()) {
      node = &(*node)[std::stoul(token)];
    } else {
      return make_error(ErrorCode::kUnresolvedRef, "$ref '" + ref + "' points at nothing",
                        Location::at_pointer(pointer(from)));
    }
    pos = next + 1;
  }
  return node;
}

}  // namespace sluice::json_schema
