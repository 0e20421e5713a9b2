// Implements Validator::check_prefix: judging a partial document.
//
// 1. An incremental scanner reads the prefix byte by byte under JSON's
//    grammar (strings with escapes and UTF-8, numbers, literals, nesting)
//    and stops at the first byte no continuation can fix: that is kInvalid.
// 2. A complete document (only whitespace may follow) is validated in full:
//    valid is kValid; invalid is kInvalid, except a top-level number, which
//    more digits could still change (kIncomplete).
// 3. Otherwise the scanner's skeleton (each open container with its finished
//    members and the one open child) is checked against the schema for
//    violations the prefix already settles: the type of every open value, a
//    finished member or item that fails its subschema, a key that
//    additionalProperties/propertyNames reject, maxItems/maxProperties
//    already exceeded, maxLength already exceeded by an open string; through
//    allOf/$ref, and anyOf/oneOf when every branch is already settled false.
//    Any keyword it cannot settle yet counts as "may still hold", so kInvalid
//    is always sound; schemas using $dynamicRef/$recursiveRef get only the
//    syntax check and the full check on completion. Nesting deeper than
//    max_document_depth is kInvalid, since no completion could be parsed.
// A grammar matcher can answer the same question exactly for schemas it
// compiles; it would plug in here, behind the same public call.
// Tested in tests/validator/prefix_test.cc.
#include <cstring>

#include "sluice/validator.h"
#include "validator/document.h"
#include "validator/evaluate.h"

namespace sluice {
namespace validator {
namespace {

// One open container in the prefix.
struct Level {
  bool object = false;
  size_t begin = 0;
  // Finished children: key (objects) and the value's text span.
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> members;
  // Objects: the key of the child being written, once its string closed.
  bool key_done = false;
  std::string key;
  size_t key_begin = 0;
  // Where the open child's value starts (npos before it starts).
  size_t child_begin = std::string::npos;
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  // Returns false on a byte no continuation can fix (error_, offset_ set).
  bool run() {
    for (i_ = 0; i_ < t_.size(); ++i_) {
      if (!step(static_cast<unsigned char>(t_[i_]))) {
        offset_ = i_;
        return false;
      }
    }
    return true;
  }

  bool complete() const { return done_ && levels_.empty(); }
  // The text is a complete top-level number that more digits could change.
  bool number_may_grow() const { return top_number_; }
  // The open scalar at the end of the prefix: its kind and start.
  enum class Open { kNone, kString, kNumber, kLiteral };
  Open open_scalar() const { return open_; }
  size_t open_begin() const { return open_begin_; }
  const std::vector<Level>& levels() const { return levels_; }
  std::string_view text() const { return t_; }
  // Code points of the open string so far (escapes count once).
  size_t open_string_length() const { return string_chars_; }
  char literal_first() const { return literal_[0]; }

  std::string error_;
  size_t offset_ = 0;

 private:
  enum class S {
    kValue,        // a value must start
    kFirstKey,     // after '{': a key or '}'
    kKey,          // after ',' in an object: a key
    kColon,
    kAfter,        // after a value: ',' or a closer
    kDone,         // top-level value complete
    kString, kEscape, kHex,
    kNumMinus, kNumZero, kNumInt, kNumDot, kNumFrac, kNumE, kNumESign, kNumExp,
    kLiteral,
  };

  static bool ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  bool fail(const char* message) {
    error_ = message;
    return false;
  }

  bool start_value(unsigned char c) {
    if (!levels_.empty()) levels_.back().child_begin = i_;
    open_begin_ = i_;
    top_number_ = false;
    switch (c) {
      case '{':
      case '[': {
        if (levels_.size() >= kMaxLevels) return fail("nesting is too deep");
        Level l;
        l.object = c == '{';
        l.begin = i_;
        levels_.push_back(std::move(l));
        s_ = c == '{' ? S::kFirstKey : S::kValue;
        first_in_array_ = c == '[';
        open_ = Open::kNone;
        return true;
      }
      case '"':
        in_key_ = false;
        string_chars_ = 0;
        open_ = Open::kString;
        s_ = S::kString;
        return true;
      case '-':
        open_ = Open::kNumber;
        s_ = S::kNumMinus;
        return true;
      case 't': literal_ = "true"; break;
      case 'f': literal_ = "false"; break;
      case 'n': literal_ = "null"; break;
      default:
        if (c >= '0' && c <= '9') {
          open_ = Open::kNumber;
          s_ = c == '0' ? S::kNumZero : S::kNumInt;
          return true;
        }
        return fail("expected a value");
    }
    literal_pos_ = 1;
    open_ = Open::kLiteral;
    s_ = S::kLiteral;
    return true;
  }

  // A scalar or container value just finished at i_ (inclusive end).
  void end_value(size_t end) {
    open_ = Open::kNone;
    if (levels_.empty()) {
      s_ = S::kDone;
      done_ = true;
      return;
    }
    Level& l = levels_.back();
    l.members.emplace_back(l.object ? l.key : std::string(), std::make_pair(l.child_begin, end));
    l.key_done = false;
    l.child_begin = std::string::npos;
    s_ = S::kAfter;
  }

  bool close(unsigned char c) {
    Level& l = levels_.back();
    if ((c == '}') != l.object) return fail("mismatched closing bracket");
    levels_.pop_back();
    end_value(i_ + 1);
    return true;
  }

  // Ends a number at a non-number byte c, then handles c.
  bool end_number(unsigned char c) {
    end_value(i_);
    return step(c);
  }

  bool step(unsigned char c) {
    switch (s_) {
      case S::kValue:
        if (ws(c)) return true;
        if (c == ']' && first_in_array_) {
          first_in_array_ = false;
          return close(c);
        }
        first_in_array_ = false;
        return start_value(c);
      case S::kFirstKey:
      case S::kKey:
        if (ws(c)) return true;
        if (c == '}' && s_ == S::kFirstKey) return close(c);
        if (c != '"') return fail("expected a key string");
        in_key_ = true;
        levels_.back().key_begin = i_;
        s_ = S::kString;
        return true;
      case S::kColon:
        if (ws(c)) return true;
        if (c != ':') return fail("expected ':'");
        s_ = S::kValue;
        return true;
      case S::kAfter:
        if (ws(c)) return true;
        if (c == ',') {
          s_ = levels_.back().object ? S::kKey : S::kValue;
          return true;
        }
        if (c == '}' || c == ']') return close(c);
        return fail("expected ',' or a closing bracket");
      case S::kDone:
        if (ws(c)) return true;
        return fail("unexpected text after the document");
      case S::kString:
        if (utf8_left_ > 0) {
          if ((c & 0xC0) != 0x80 || c < utf8_lo_ || c > utf8_hi_) return fail("invalid UTF-8 in a string");
          utf8_lo_ = 0x80;
          utf8_hi_ = 0xBF;
          --utf8_left_;
          return true;
        }
        if (c == '"') return end_string();
        if (c == '\\') {
          s_ = S::kEscape;
          return true;
        }
        if (c < 0x20) return fail("control character in a string");
        ++string_chars_;
        if (c < 0x80) return true;
        return utf8_lead(c);
      case S::kEscape:
        if (std::strchr("\"\\/bfnrt", c) != nullptr && c != 0) {
          ++string_chars_;
          s_ = S::kString;
          return true;
        }
        if (c == 'u') {
          hex_left_ = 4;
          s_ = S::kHex;
          return true;
        }
        return fail("invalid escape in a string");
      case S::kHex:
        if (!std::isxdigit(c)) return fail("invalid \\u escape");
        if (--hex_left_ == 0) {
          ++string_chars_;
          s_ = S::kString;
        }
        return true;
      case S::kNumMinus:
        if (c == '0') {
          s_ = S::kNumZero;
          return true;
        }
        if (c >= '1' && c <= '9') {
          s_ = S::kNumInt;
          return true;
        }
        return fail("invalid number");
      case S::kNumZero:
        if (c == '.') {
          s_ = S::kNumDot;
          return true;
        }
        if (c == 'e' || c == 'E') {
          s_ = S::kNumE;
          return true;
        }
        if (c >= '0' && c <= '9') return fail("leading zero in a number");
        return end_number(c);
      case S::kNumInt:
        if (c >= '0' && c <= '9') return true;
        if (c == '.') {
          s_ = S::kNumDot;
          return true;
        }
        if (c == 'e' || c == 'E') {
          s_ = S::kNumE;
          return true;
        }
        return end_number(c);
      case S::kNumDot:
        if (c >= '0' && c <= '9') {
          s_ = S::kNumFrac;
          return true;
        }
        return fail("invalid number");
      case S::kNumFrac:
        if (c >= '0' && c <= '9') return true;
        if (c == 'e' || c == 'E') {
          s_ = S::kNumE;
          return true;
        }
        return end_number(c);
      case S::kNumE:
        if (c == '+' || c == '-') {
          s_ = S::kNumESign;
          return true;
        }
        [[fallthrough]];
      case S::kNumESign:
        if (c >= '0' && c <= '9') {
          s_ = S::kNumExp;
          return true;
        }
        return fail("invalid number");
      case S::kNumExp:
        if (c >= '0' && c <= '9') return true;
        return end_number(c);
      case S::kLiteral:
        if (c != static_cast<unsigned char>(literal_[literal_pos_])) return fail("invalid literal");
        if (literal_[++literal_pos_] == '\0') end_value(i_ + 1);
        return true;
    }
    return fail("internal scanner state");
  }

  bool utf8_lead(unsigned char c) {
    utf8_lo_ = 0x80;
    utf8_hi_ = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      utf8_left_ = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      utf8_left_ = 2;
      if (c == 0xE0) utf8_lo_ = 0xA0;
      if (c == 0xED) utf8_hi_ = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      utf8_left_ = 3;
      if (c == 0xF0) utf8_lo_ = 0x90;
      if (c == 0xF4) utf8_hi_ = 0x8F;
    } else {
      return fail("invalid UTF-8 in a string");
    }
    return true;
  }

  bool end_string() {
    if (in_key_) {
      Level& l = levels_.back();
      Result<Json> key = parse_document_reference(t_.substr(l.key_begin, i_ + 1 - l.key_begin), 1, false);
      if (!key.ok()) return fail("invalid key string");
      l.key = key->get<std::string>();
      l.key_done = true;
      in_key_ = false;
      s_ = S::kColon;
      return true;
    }
    end_value(i_ + 1);
    return true;
  }

 public:
  // Called after run(): a number still being read at the end counts as
  // complete where it stands in a valid state (it could also grow).
  void finish() {
    bool number_end = s_ == S::kNumZero || s_ == S::kNumInt || s_ == S::kNumFrac || s_ == S::kNumExp;
    if (number_end && levels_.empty()) {
      done_ = true;
      top_number_ = true;
      open_ = Open::kNone;
    }
  }

 private:
  static constexpr size_t kMaxLevels = 100000;
  std::string_view t_;
  size_t i_ = 0;
  S s_ = S::kValue;
  std::vector<Level> levels_;
  bool done_ = false;
  bool top_number_ = false;
  bool first_in_array_ = false;
  bool in_key_ = false;
  Open open_ = Open::kNone;
  size_t open_begin_ = 0;
  size_t string_chars_ = 0;
  const char* literal_ = "";
  size_t literal_pos_ = 0;
  int hex_left_ = 0;
  int utf8_left_ = 0;
  unsigned char utf8_lo_ = 0x80, utf8_hi_ = 0xBF;
};

// Settles what the skeleton already decides. Returns true when `node`
// certainly rejects every completion of the value open at `level`.
class Settler {
 public:
  Settler(const CompiledSchema& s, const Scanner& sc) : schema_(s), sc_(sc) {}

  bool rejects(const Node& n, size_t level, uint32_t depth) {
    // Deeper than a document may nest, or a $ref chain that long: the
    // settler gives no verdict (the full validation will).
    if (depth > 2 * schema_.options.max_document_depth) return false;
    for (const Keyword& k : n.keywords) {
      if (keyword_rejects(k, level, depth)) {
        reason_ = k.abs;
        return true;
      }
    }
    return false;
  }

  std::string reason_;

 private:
  // The kind of the value open at `level` (a container, or the open scalar
  // after the last container).
  Kind kind_at(size_t level) const {
    if (level < sc_.levels().size()) return sc_.levels()[level].object ? Kind::kObject : Kind::kArray;
    switch (sc_.open_scalar()) {
      case Scanner::Open::kString: return Kind::kString;
      case Scanner::Open::kNumber: return Kind::kNumber;
      case Scanner::Open::kLiteral: return sc_.literal_first() == 'n' ? Kind::kNull : Kind::kBool;
      case Scanner::Open::kNone: break;
    }
    return Kind::kNull;
  }
  bool has_open_value(size_t level) const {
    return level < sc_.levels().size() || sc_.open_scalar() != Scanner::Open::kNone;
  }
  // The open child of `level`, if it has started.
  bool child_open(size_t level) const {
    const Level& l = sc_.levels()[level];
    return l.child_begin != std::string::npos && has_open_value(level + 1);
  }

  // A finished value's text fails `sub` (false when unknown).
  bool finished_fails(const Node& sub, std::pair<size_t, size_t> span) {
    std::string_view text = sc_.text().substr(span.first, span.second - span.first);
    Result<Json> parsed = parse_document_reference(text, schema_.options.max_document_depth, true);
    if (!parsed.ok()) return false;
    EvalContext c;
    c.schema = &schema_;
    bool ok = Evaluator<JsonAdapter, false>(c).node(sub, &parsed.value(), nullptr);
    return !ok && !c.overflow;
  }

  bool key_fails(const Node& sub, const std::string& key) {
    EvalContext c;
    c.schema = &schema_;
    bool ok = Evaluator<KeyAdapter, false>(c).node(sub, std::string_view(key), nullptr);
    return !ok && !c.overflow;
  }

  bool keyword_rejects(const Keyword& k, size_t level, uint32_t depth) {
    const bool container = level < sc_.levels().size();
    const Kind kind = kind_at(level);
    switch (k.op) {
      case Op::kFalse: return true;
      case Op::kType: {
        uint8_t have = kTypeNumber | kTypeInteger;
        if (kind == Kind::kObject) have = kTypeObject;
        if (kind == Kind::kArray) have = kTypeArray;
        if (kind == Kind::kString) have = kTypeString;
        if (kind == Kind::kNull) have = kTypeNull;
        if (kind == Kind::kBool) have = kTypeBoolean;
        return (have & k.types) == 0;
      }
      case Op::kMaxLength:
        return !container && kind == Kind::kString && sc_.open_string_length() > k.count;
      case Op::kMaxItems:
        return container && kind == Kind::kArray &&
               sc_.levels()[level].members.size() + (child_open(level) ? 1 : 0) > k.count;
      case Op::kMaxProperties:
        return container && kind == Kind::kObject &&
               sc_.levels()[level].members.size() + (sc_.levels()[level].key_done ? 1 : 0) > k.count;
      case Op::kItemsTuple:
      case Op::kItemsFrom: {
        if (!container || kind != Kind::kArray) return false;
        const Level& l = sc_.levels()[level];
        auto sub_for = [&](size_t i) -> const Node* {
          if (k.op == Op::kItemsTuple) return i < k.subs.size() ? k.subs[i] : nullptr;
          return i >= k.count ? k.sub : nullptr;
        };
        for (size_t i = 0; i < l.members.size(); ++i) {
          const Node* sub = sub_for(i);
          if (sub && finished_fails(*sub, l.members[i].second)) return true;
        }
        const Node* sub = sub_for(l.members.size());
        return sub && child_open(level) && rejects(*sub, level + 1, depth + 1);
      }
      case Op::kProperties:
      case Op::kPatternProperties:
      case Op::kAdditionalProperties:
      case Op::kPropertyNames: {
        if (!container || kind != Kind::kObject) return false;
        const Level& l = sc_.levels()[level];
        for (const auto& [key, span] : l.members) {
          if (member_fails(k, key, &span, level, depth)) return true;
        }
        return l.key_done && member_fails(k, l.key, nullptr, level, depth);
      }
      case Op::kAllOf:
        for (const Node* sub : k.subs)
          if (rejects(*sub, level, depth + 1)) return true;
        return false;
      case Op::kAnyOf:
      case Op::kOneOf:
        for (const Node* sub : k.subs)
          if (!rejects(*sub, level, depth + 1)) return false;
        return true;
      case Op::kRef:
        return rejects(*k.sub, level, depth + 1);
      default:
        // Everything else may still hold for some completion.
        return false;
    }
  }

  // A member (finished when span is set, else the open one with a finished
  // key) that keyword k already rejects.
  bool member_fails(const Keyword& k, const std::string& key, const std::pair<size_t, size_t>* span, size_t level,
                    uint32_t depth) {
    auto check = [&](const Node& sub) {
      if (span) return finished_fails(sub, *span);
      return child_open(level) && rejects(sub, level + 1, depth + 1);
    };
    auto matches = [&](const RE2& re) { return RE2::PartialMatch(key, re); };
    switch (k.op) {
      case Op::kPropertyNames:
        return key_fails(*k.sub, key);
      case Op::kProperties: {
        for (const auto& [name, sub] : k.named)
          if (name == key && check(*sub)) return true;
        return false;
      }
      case Op::kPatternProperties:
        for (const Pattern& p : k.patterns)
          if (matches(*p.regex) && check(*p.sub)) return true;
        return false;
      case Op::kAdditionalProperties: {
        if (k.index.find(key) >= 0) return false;
        for (const RE2* re : k.pattern_refs)
          if (matches(*re)) return false;
        // An additional key with the schema false fails whatever its value.
        if (!k.sub->keywords.empty() && k.sub->keywords[0].op == Op::kFalse) return true;
        return check(*k.sub);
      }
      default:
        return false;
    }
  }

  const CompiledSchema& schema_;
  const Scanner& sc_;
};

}  // namespace
}  // namespace validator

PrefixResult Validator::check_prefix(std::string_view prefix) const {
  using namespace validator;
  PrefixResult out;
  Scanner sc(prefix);
  if (!sc.run()) {
    out.verdict = PrefixVerdict::kInvalid;
    ValidationError e;
    e.message = "JSON syntax error at byte " + std::to_string(sc.offset_) + ": " + sc.error_;
    out.errors.push_back(std::move(e));
    return out;
  }
  sc.finish();
  if (sc.complete()) {
    Result<ValidationResult> r = validate(prefix, ValidateOptions{true});
    if (!r.ok()) {
      out.verdict = r.error().code == ErrorCode::kParseError ? PrefixVerdict::kInvalid : PrefixVerdict::kIncomplete;
      ValidationError e;
      e.instance_location = r.error().location.json_pointer;
      e.message = r.error().to_string();
      out.errors.push_back(std::move(e));
      return out;
    }
    if (r->valid) {
      out.verdict = PrefixVerdict::kValid;
      return out;
    }
    out.verdict = sc.number_may_grow() ? PrefixVerdict::kIncomplete : PrefixVerdict::kInvalid;
    out.errors = std::move(r->errors);
    return out;
  }
  out.verdict = PrefixVerdict::kIncomplete;
  if (sc.levels().size() > impl_->options.max_document_depth) {
    // No completion can be parsed, so none can be valid.
    out.verdict = PrefixVerdict::kInvalid;
    ValidationError e;
    e.message = "nesting is deeper than max_document_depth (" + std::to_string(impl_->options.max_document_depth) + ")";
    out.errors.push_back(std::move(e));
    return out;
  }
  if (impl_->uses_dynamic_scope || (sc.levels().empty() && sc.open_scalar() == Scanner::Open::kNone)) return out;
  Settler settler(*impl_, sc);
  if (settler.rejects(*impl_->root, 0, 0)) {
    out.verdict = PrefixVerdict::kInvalid;
    ValidationError e;
    e.absolute_keyword_location = settler.reason_;
    e.message = "the prefix already violates the schema; no continuation can be valid";
    out.errors.push_back(std::move(e));
  }
  return out;
}

}  // namespace sluice
