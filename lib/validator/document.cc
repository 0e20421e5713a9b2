// Implements document.h. Tested in tests/validator/bad_input_test.cc.
#include "validator/document.h"

#include <cmath>

namespace sluice::validator {

std::string pointer_join(const std::vector<std::string>& tokens);
std::string describe_json(const Json& j);

namespace {

class Builder : public nlohmann::json_sax<Json> {
 public:
  Builder(uint32_t max_depth, bool reject_duplicates) : max_depth_(max_depth), reject_duplicates_(reject_duplicates) {}

  bool null() override { return add(Json(nullptr)); }
  bool boolean(bool v) override { return add(Json(v)); }
  bool number_integer(number_integer_t v) override { return add(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add(Json(v)); }
  bool number_float(number_float_t v, const string_t& text) override {
    if (!std::isfinite(v)) return fail("number " + text + " is outside the range of a double");
    return add(Json(v));
  }
  bool string(string_t& v) override { return add(Json(std::move(v))); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) override { return open(Json::object()); }
  bool key(string_t& k) override {
    Json& top = *stack_.back();
    if (reject_duplicates_ && top.contains(k)) {
      pointer_ = pointer_of_top();
      return fail("duplicate key " + describe_json(Json(k)));
    }
    keys_.back() = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    offset_ = position == 0 ? 0 : position - 1;
    std::string what = ex.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at ...: ".
    size_t colon = what.find(": ");
    message_ = colon == std::string::npos ? what : what.substr(colon + 2);
    return false;
  }

  Json root;
  std::string message_;
  std::string pointer_;
  uint64_t offset_ = Location::kNoOffset;

 private:
  bool fail(std::string message) {
    message_ = std::move(message);
    return false;
  }
  std::string pointer_of_top() const {
    std::vector<std::string> tokens;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      tokens.push_back(stack_[i]->is_array() ? std::to_string(stack_[i]->size() - 1) : keys_[i]);
    }
    return pointer_join(tokens);
  }
  bool add(Json v) {
    place(std::move(v));
    return true;
  }
  Json* place(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    return &(top[keys_.back()] = std::move(v));
  }
  bool open(Json container) {
    if (stack_.size() >= max_depth_) {
      pointer_ = pointer_of_top();
      return fail("nesting is deeper than max_document_depth (" + std::to_string(max_depth_) + ")");
    }
    stack_.push_back(place(std::move(container)));
    keys_.emplace_back();
    return true;
  }
  bool close() {
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }

  uint32_t max_depth_;
  bool reject_duplicates_;
  std::vector<Json*> stack_;
  std::vector<std::string> keys_;
};

}  // namespace

Result<Json> parse_document_reference(std::string_view text, uint32_t max_depth, bool reject_duplicate_keys) {
  Builder builder(max_depth, reject_duplicate_keys);
  bool ok;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json, true);
  } catch (const std::exception& e) {
    ok = false;
    builder.message_ = e.what();
  }
  if (ok) return std::move(builder.root);
  Location loc;
  loc.offset = builder.offset_;
  loc.json_pointer = builder.pointer_;
  return make_error(ErrorCode::kParseError, "document: " + builder.message_, loc);
}

}  // namespace sluice::validator
