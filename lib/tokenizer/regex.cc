// Implements regex.h: a parser for the JS `u`-mode subset it documents, a
// compiler to a backtracking program (counted repetition unrolled), and the
// matcher. Tested in tests/tokenizer/regex_test.cc.
#include "tokenizer/regex.h"

#include <algorithm>
#include <memory>
#include <string>

namespace sluice::tok {

namespace {

struct Node {
  enum Kind { kEmpty, kChar, kSet, kAny, kConcat, kAlt, kRepeat, kLookahead, kAssert } kind;
  std::vector<std::unique_ptr<Node>> kids;
  uint32_t value = 0;  // code point, set index or assertion
  bool fold = false;   // kChar: ASCII case-insensitive; kLookahead: negative
  int min = 0, max = 0;  // kRepeat; max < 0 is unbounded
  bool greedy = true;
};

constexpr uint32_t kMaxRepeatCount = 1000;

bool nullable(const Node& n) {
  switch (n.kind) {
    case Node::kEmpty: case Node::kLookahead: case Node::kAssert: return true;
    case Node::kChar: case Node::kSet: case Node::kAny: return false;
    case Node::kConcat:
      return std::all_of(n.kids.begin(), n.kids.end(), [](const auto& k) { return nullable(*k); });
    case Node::kAlt:
      return std::any_of(n.kids.begin(), n.kids.end(), [](const auto& k) { return nullable(*k); });
    case Node::kRepeat: return n.min == 0 || nullable(*n.kids[0]);
  }
  return true;
}

bool is_ascii_alpha(uint32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

}  // namespace

class RegexCompiler {
 public:
  explicit RegexCompiler(std::string_view pattern) : pattern_(pattern) {
    decode_all(pattern, &cps_, &offsets_);
  }

  Result<Regex> run() {
    auto root = parse_alternation();
    if (!error_.message.empty()) return error_;
    if (pos_ < cps_.size()) return fail(ErrorCode::kParseError, "unmatched ')'");
    emit(*root);
    if (!error_.message.empty()) return error_;
    add({Regex::Op::kMatch});
    if (regex_.program_.size() > Regex::kMaxProgramSize) {
      return fail(ErrorCode::kBudgetExceeded, "compiled pattern exceeds " +
                                                  std::to_string(Regex::kMaxProgramSize) + " instructions");
    }
    for (Regex::CharSet& set : regex_.sets_) set.finish();
    regex_.compute_first();
    return std::move(regex_);
  }

 private:
  Error fail(ErrorCode code, const std::string& what) {
    if (error_.message.empty()) {
      Location loc;
      loc.offset = pos_ < offsets_.size() ? offsets_[pos_] : pattern_.size();
      error_ = make_error(code, "pre-tokenizer regex: " + what, loc);
    }
    return error_;
  }
  bool failed() const { return !error_.message.empty(); }
  bool at_end() const { return pos_ >= cps_.size(); }
  uint32_t peek(size_t ahead = 0) const { return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : 0; }
  bool eat(uint32_t c) {
    if (!at_end() && cps_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static std::unique_ptr<Node> make(Node::Kind kind) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    return n;
  }

  std::unique_ptr<Node> parse_alternation() {
    auto alt = make(Node::kAlt);
    alt->kids.push_back(parse_concat());
    while (!failed() && eat('|')) alt->kids.push_back(parse_concat());
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  std::unique_ptr<Node> parse_concat() {
    auto seq = make(Node::kConcat);
    while (!failed() && !at_end() && peek() != '|' && peek() != ')') {
      auto atom = parse_quantified();
      if (atom) seq->kids.push_back(std::move(atom));
    }
    if (seq->kids.size() == 1) return std::move(seq->kids[0]);
    return seq;
  }

  // Reads {n}, {n,} or {n,m} at pos_; false (pos_ unchanged) when absent.
  bool parse_braces(int* min, int* max) {
    size_t save = pos_;
    auto number = [&](int* out) {
      size_t start = pos_;
      uint64_t v = 0;
      while (!at_end() && peek() >= '0' && peek() <= '9') {
        v = std::min<uint64_t>(v * 10 + (peek() - '0'), uint64_t{1} << 31);
        ++pos_;
      }
      *out = static_cast<int>(std::min<uint64_t>(v, INT32_MAX));
      return pos_ > start;
    };
    if (!eat('{') || !number(min)) {
      pos_ = save;
      return false;
    }
    *max = *min;
    if (eat(',')) {
      if (!number(max)) *max = -1;
    }
    if (!eat('}')) {
      pos_ = save;
      return false;
    }
    return true;
  }

  std::unique_ptr<Node> parse_quantified() {
    size_t atom_start = pos_;
    auto atom = parse_atom();
    if (failed()) return nullptr;
    int min = 0, max = 0;
    if (eat('*')) {
      min = 0, max = -1;
    } else if (eat('+')) {
      min = 1, max = -1;
    } else if (eat('?')) {
      min = 0, max = 1;
    } else if (peek() == '{') {
      if (!parse_braces(&min, &max)) {
        fail(ErrorCode::kParseError, "incomplete quantifier");
        return nullptr;
      }
      if (max >= 0 && max < min) {
        fail(ErrorCode::kParseError, "numbers out of order in {} quantifier");
        return nullptr;
      }
      if (static_cast<uint32_t>(min) > kMaxRepeatCount ||
          (max >= 0 && static_cast<uint32_t>(max) > kMaxRepeatCount)) {
        fail(ErrorCode::kBudgetExceeded, "repetition count above " + std::to_string(kMaxRepeatCount));
        return nullptr;
      }
    } else {
      return atom;
    }
    if (atom->kind == Node::kLookahead || atom->kind == Node::kAssert) {
      pos_ = atom_start;
      fail(ErrorCode::kParseError, "nothing to repeat");
      return nullptr;
    }
    if (max != min && nullable(*atom)) {
      pos_ = atom_start;
      fail(ErrorCode::kUnsupported, "quantified sub-pattern that can match the empty string");
      return nullptr;
    }
    auto rep = make(Node::kRepeat);
    rep->min = min;
    rep->max = max;
    rep->greedy = !eat('?');
    rep->kids.push_back(std::move(atom));
    if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
      fail(ErrorCode::kParseError, "nothing to repeat");
      return nullptr;
    }
    return rep;
  }

  std::unique_ptr<Node> parse_group() {
    // pos_ is just after '('.
    bool saved_fold = fold_;
    std::unique_ptr<Node> wrapper;
    if (eat('?')) {
      if (eat(':')) {
      } else if (eat('=') || peek() == '!') {
        bool negative = eat('!');
        wrapper = make(Node::kLookahead);
        wrapper->fold = negative;
      } else if (peek() == '<' && (peek(1) == '=' || peek(1) == '!')) {
        fail(ErrorCode::kUnsupported, "lookbehind");
        return nullptr;
      } else if (eat('<')) {
        while (!at_end() && peek() != '>') ++pos_;
        if (!eat('>')) {
          fail(ErrorCode::kParseError, "unterminated group name");
          return nullptr;
        }
      } else if (peek() == 'i' && peek(1) == ':') {
        pos_ += 2;
        fold_ = true;
      } else {
        fail(ErrorCode::kUnsupported, "group modifier");
        return nullptr;
      }
    }
    auto body = parse_alternation();
    fold_ = saved_fold;
    if (failed()) return nullptr;
    if (!eat(')')) {
      fail(ErrorCode::kParseError, "missing ')'");
      return nullptr;
    }
    if (!wrapper && (body->kind == Node::kLookahead || body->kind == Node::kAssert)) {
      // A group around an assertion may be quantified, unlike the bare one.
      wrapper = make(Node::kConcat);
    }
    if (wrapper) {
      wrapper->kids.push_back(std::move(body));
      return wrapper;
    }
    return body;
  }

  std::unique_ptr<Node> char_node(uint32_t c) {
    auto n = make(Node::kChar);
    n->value = c;
    n->fold = fold_ && is_ascii_alpha(c);
    return n;
  }

  std::unique_ptr<Node> set_node(Regex::CharSet set) {
    auto n = make(Node::kSet);
    n->value = static_cast<uint32_t>(regex_.sets_.size());
    regex_.sets_.push_back(std::move(set));
    return n;
  }

  std::unique_ptr<Node> parse_atom() {
    uint32_t c = peek();
    switch (c) {
      case '(':
        ++pos_;
        return parse_group();
      case '[':
        ++pos_;
        return parse_class();
      case '.':
        ++pos_;
        return make(Node::kAny);
      case '^': case '$': {
        ++pos_;
        auto n = make(Node::kAssert);
        n->value = c == '^' ? Regex::kBegin : Regex::kEnd;
        return n;
      }
      case '\\':
        ++pos_;
        return parse_escape();
      case '*': case '+': case '?': case '{':
        fail(ErrorCode::kParseError, "nothing to repeat");
        return nullptr;
      case ']': case '}':
        fail(ErrorCode::kParseError, std::string("lone '") + static_cast<char>(c) + "'");
        return nullptr;
      default:
        ++pos_;
        return char_node(c);
    }
  }

  // Adds the class escape at pos_ (after '\') to `set` and returns true, or
  // returns false (pos_ unchanged) when the escape is not a class escape.
  bool class_escape(Regex::CharSet* set, bool* negated_escape) {
    uint32_t c = peek();
    *negated_escape = false;
    auto add_ranges = [&](std::initializer_list<std::pair<uint32_t, uint32_t>> ranges) {
      for (auto r : ranges) set->ranges.push_back(r);
    };
    switch (c) {
      case 'd': case 'D':
        add_ranges({{'0', '9'}});
        break;
      case 'w': case 'W':
        add_ranges({{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}});
        break;
      case 's': case 'S':
        add_ranges({{'\t', '\r'}, {' ', ' '}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
                    {0xFEFF, 0xFEFF}});
        break;
      case 'p': case 'P': {
        ++pos_;
        if (!eat('{')) {
          fail(ErrorCode::kParseError, "\\p needs {name}");
          return true;
        }
        std::string name;
        while (!at_end() && peek() != '}') name.push_back(static_cast<char>(cps_[pos_++]));
        if (!eat('}')) {
          fail(ErrorCode::kParseError, "unterminated \\p{");
          return true;
        }
        CategoryMask mask = category_mask(name);
        if (mask == 0) {
          fail(ErrorCode::kUnsupported, "Unicode property \\p{" + name + "} (only general categories)");
          return true;
        }
        set->categories |= mask;
        *negated_escape = c == 'P';
        return true;
      }
      default:
        return false;
    }
    *negated_escape = c >= 'A' && c <= 'Z';
    ++pos_;
    return true;
  }

  static CategoryMask category_mask(std::string_view name) {
    for (std::string_view prefix : {"General_Category=", "gc="}) {
      if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
    }
    struct Group {
      const char* short_name;
      const char* long_name;
    };
    static constexpr Group kGroups[] = {
        {"L", "Letter"}, {"M", "Mark"}, {"N", "Number"}, {"P", "Punctuation"},
        {"S", "Symbol"}, {"Z", "Separator"}, {"C", "Other"}};
    for (const Group& g : kGroups) {
      if (name == g.short_name || name == g.long_name) {
        CategoryMask mask = 0;
        for (int i = 0; i < kCategoryCount; ++i) {
          if (kCategoryNames[i][0] == g.short_name[0]) mask |= CategoryMask{1} << i;
        }
        return mask;
      }
    }
    if (name == "LC" || name == "Cased_Letter") return 1u << kLu | 1u << kLl | 1u << kLt;
    static constexpr const char* kLongNames[kCategoryCount] = {
        "Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter",
        "Other_Letter", "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark", "Decimal_Number",
        "Letter_Number", "Other_Number", "Connector_Punctuation", "Dash_Punctuation",
        "Open_Punctuation", "Close_Punctuation", "Initial_Punctuation", "Final_Punctuation",
        "Other_Punctuation", "Math_Symbol", "Currency_Symbol", "Modifier_Symbol", "Other_Symbol",
        "Space_Separator", "Line_Separator", "Paragraph_Separator", "Control", "Format",
        "Surrogate", "Private_Use", "Unassigned"};
    for (int i = 0; i < kCategoryCount; ++i) {
      if (name == kCategoryNames[i] || name == kLongNames[i]) return CategoryMask{1} << i;
    }
    return 0;
  }

  // A single-character escape at pos_ (after '\'); returns false after
  // failing when there is none.
  bool char_escape(uint32_t* out, bool in_class) {
    uint32_t c = peek();
    auto hex = [&](size_t digits, uint32_t* v) {
      *v = 0;
      for (size_t i = 0; i < digits; ++i) {
        uint32_t d = peek();
        int x = d >= '0' && d <= '9' ? int(d - '0') : (d | 0x20) >= 'a' && (d | 0x20) <= 'f' ? int((d | 0x20) - 'a' + 10) : -1;
        if (x < 0) return false;
        *v = *v * 16 + static_cast<uint32_t>(x);
        ++pos_;
      }
      return true;
    };
    ++pos_;
    switch (c) {
      case 't': *out = '\t'; return true;
      case 'n': *out = '\n'; return true;
      case 'r': *out = '\r'; return true;
      case 'f': *out = '\f'; return true;
      case 'v': *out = '\v'; return true;
      case '0':
        if (peek() >= '0' && peek() <= '9') break;
        *out = 0;
        return true;
      case 'x':
        if (hex(2, out)) return true;
        fail(ErrorCode::kParseError, "bad \\x escape");
        return false;
      case 'u':
        if (eat('{')) {
          uint32_t v = 0;
          size_t digits = 0;
          uint32_t d;
          while (hex(1, &d)) {
            v = v * 16 + d;
            if (v > 0x10FFFF) break;
            ++digits;
          }
          if (digits == 0 || v > 0x10FFFF || !eat('}')) {
            fail(ErrorCode::kParseError, "bad \\u{} escape");
            return false;
          }
          *out = v;
          return true;
        }
        if (hex(4, out)) {
          // A surrogate pair written as two escapes is one code point.
          if (*out >= 0xD800 && *out <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            size_t save = pos_;
            pos_ += 2;
            uint32_t lo;
            if (hex(4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
              *out = 0x10000 + ((*out - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          return true;
        }
        fail(ErrorCode::kParseError, "bad \\u escape");
        return false;
      case '-':
        if (in_class) {
          *out = '-';
          return true;
        }
        break;
      default:
        if (c < 0x80 && c > ' ' && !(c >= '0' && c <= '9') && !is_ascii_alpha(c) && c != '_') {
          *out = c;
          return true;
        }
        break;
    }
    --pos_;
    if (c >= '1' && c <= '9') {
      fail(ErrorCode::kUnsupported, "backreference");
    } else if (c == 'k') {
      fail(ErrorCode::kUnsupported, "named backreference");
    } else {
      fail(ErrorCode::kParseError, std::string("invalid escape \\") + (c < 0x80 ? std::string(1, char(c)) : "?"));
    }
    return false;
  }

  std::unique_ptr<Node> parse_escape() {
    if (at_end()) {
      fail(ErrorCode::kParseError, "pattern ends with '\\'");
      return nullptr;
    }
    if (peek() == 'b' || peek() == 'B') {
      auto n = make(Node::kAssert);
      n->value = peek() == 'b' ? Regex::kWordBoundary : Regex::kNotWordBoundary;
      ++pos_;
      return n;
    }
    Regex::CharSet set;
    bool negated;
    if (class_escape(&set, &negated)) {
      if (failed()) return nullptr;
      set.negated = negated;
      return set_node(std::move(set));
    }
    uint32_t c;
    if (!char_escape(&c, false)) return nullptr;
    return char_node(c);
  }

  std::unique_ptr<Node> parse_class() {
    // pos_ is just after '['.
    Regex::CharSet set;
    set.negated = eat('^');
    // Class escapes negated inside a class ([\S\d]) are kept apart: a union
    // of complements is the complement of an intersection, which ranges
    // cannot hold, so such a class becomes an alternation of sets.
    std::vector<Regex::CharSet> negated_parts;
    while (!failed()) {
      if (at_end()) {
        fail(ErrorCode::kParseError, "missing ']'");
        return nullptr;
      }
      if (eat(']')) break;
      uint32_t lo;
      if (eat('\\')) {
        Regex::CharSet part;
        bool negated;
        if (class_escape(&part, &negated)) {
          if (failed()) return nullptr;
          if (negated) {
            part.negated = true;
            negated_parts.push_back(std::move(part));
          } else {
            set.ranges.insert(set.ranges.end(), part.ranges.begin(), part.ranges.end());
            set.categories |= part.categories;
          }
          continue;
        }
        if (peek() == 'b') {
          ++pos_;
          lo = '\b';
        } else if (!char_escape(&lo, true)) {
          return nullptr;
        }
      } else {
        lo = cps_[pos_++];
      }
      uint32_t hi = lo;
      if (peek() == '-' && peek(1) != ']' && pos_ + 1 < cps_.size()) {
        ++pos_;
        if (eat('\\')) {
          Regex::CharSet probe;
          bool negated;
          if (class_escape(&probe, &negated)) {
            fail(ErrorCode::kParseError, "class escape in a range");
            return nullptr;
          }
          if (peek() == 'b') {
            ++pos_;
            hi = '\b';
          } else if (!char_escape(&hi, true)) {
            return nullptr;
          }
        } else {
          hi = cps_[pos_++];
        }
        if (hi < lo) {
          fail(ErrorCode::kParseError, "range out of order in character class");
          return nullptr;
        }
      }
      set.ranges.push_back({lo, hi});
    }
    if (fold_) add_ascii_case_variants(&set);
    if (negated_parts.empty()) return set_node(std::move(set));
    if (set.negated) {
      fail(ErrorCode::kUnsupported, "negated class containing \\S, \\D, \\W or \\P");
      return nullptr;
    }
    auto alt = make(Node::kAlt);
    alt->kids.push_back(set_node(std::move(set)));
    for (auto& part : negated_parts) alt->kids.push_back(set_node(std::move(part)));
    return alt;
  }

  static void add_ascii_case_variants(Regex::CharSet* set) {
    std::vector<std::pair<uint32_t, uint32_t>> extra;
    for (auto [lo, hi] : set->ranges) {
      for (uint32_t base : {uint32_t{'A'}, uint32_t{'a'}}) {
        uint32_t a = std::max(lo, base), b = std::min(hi, base + 25);
        if (a <= b) extra.push_back({a ^ 0x20, b ^ 0x20});
      }
    }
    set->ranges.insert(set->ranges.end(), extra.begin(), extra.end());
  }

  uint32_t add(Regex::Inst inst) {
    regex_.program_.push_back(inst);
    return static_cast<uint32_t>(regex_.program_.size() - 1);
  }
  uint32_t here() const { return static_cast<uint32_t>(regex_.program_.size()); }

  void emit(const Node& n) {
    if (failed()) return;
    if (regex_.program_.size() > Regex::kMaxProgramSize) {
      fail(ErrorCode::kBudgetExceeded, "compiled pattern exceeds " +
                                           std::to_string(Regex::kMaxProgramSize) + " instructions");
      return;
    }
    auto& prog = regex_.program_;
    switch (n.kind) {
      case Node::kEmpty:
        return;
      case Node::kChar:
        add({Regex::Op::kChar, n.fold, n.value});
        return;
      case Node::kSet:
        add({Regex::Op::kSet, false, n.value});
        return;
      case Node::kAny:
        add({Regex::Op::kAny});
        return;
      case Node::kAssert:
        add({Regex::Op::kAssert, false, n.value});
        return;
      case Node::kConcat:
        for (const auto& kid : n.kids) emit(*kid);
        return;
      case Node::kAlt: {
        std::vector<uint32_t> jumps;
        for (size_t i = 0; i < n.kids.size(); ++i) {
          if (i + 1 < n.kids.size()) {
            uint32_t split = add({Regex::Op::kSplit});
            prog[split].x = here();
            emit(*n.kids[i]);
            jumps.push_back(add({Regex::Op::kJmp}));
            prog[split].y = here();
          } else {
            emit(*n.kids[i]);
          }
        }
        for (uint32_t j : jumps) prog[j].x = here();
        return;
      }
      case Node::kLookahead: {
        uint32_t look = add({Regex::Op::kLookahead, n.fold});
        prog[look].x = here();
        emit(*n.kids[0]);
        add({Regex::Op::kMatch});
        prog[look].y = here();
        return;
      }
      case Node::kRepeat: {
        // A greedy repeat of one character class runs as one instruction
        // that consumes the longest run and backtracks through it: the
        // hot loop of every pre-tokenizer pattern (\p{L}+, \s+, ...).
        const Node& kid = *n.kids[0];
        if (n.greedy && (kid.kind == Node::kSet || kid.kind == Node::kChar || kid.kind == Node::kAny)) {
          add({Regex::Op::kLoop, false, set_for(kid), static_cast<uint32_t>(n.min),
               n.max < 0 ? Regex::kUnbounded : static_cast<uint32_t>(n.max)});
          return;
        }
        for (int i = 0; i < n.min && !failed(); ++i) emit(*n.kids[0]);
        if (n.max < 0) {
          uint32_t split = add({Regex::Op::kSplit});
          uint32_t body = here();
          emit(*n.kids[0]);
          add({Regex::Op::kJmp, false, 0, split});
          set_split(split, body, here(), n.greedy);
          return;
        }
        std::vector<uint32_t> splits;
        for (int i = n.min; i < n.max && !failed(); ++i) {
          splits.push_back(add({Regex::Op::kSplit}));
          prog[splits.back()].x = here();
          emit(*n.kids[0]);
        }
        for (uint32_t s : splits) set_split(s, prog[s].x, here(), n.greedy);
        return;
      }
    }
  }

  // The index of a set matching exactly what the one-character node does.
  uint32_t set_for(const Node& n) {
    if (n.kind == Node::kSet) return n.value;
    Regex::CharSet set;
    if (n.kind == Node::kAny) {
      set.negated = true;
      set.ranges = {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}};
    } else {
      set.ranges = {{n.value, n.value}};
      if (n.fold) set.ranges.push_back({n.value ^ 0x20, n.value ^ 0x20});
    }
    regex_.sets_.push_back(std::move(set));
    return static_cast<uint32_t>(regex_.sets_.size() - 1);
  }

  void set_split(uint32_t split, uint32_t take, uint32_t skip, bool greedy) {
    regex_.program_[split].x = greedy ? take : skip;
    regex_.program_[split].y = greedy ? skip : take;
  }

  std::string_view pattern_;
  std::vector<uint32_t> cps_;
  std::vector<uint32_t> offsets_;
  size_t pos_ = 0;
  bool fold_ = false;
  Error error_;
  Regex regex_;
};

void Regex::CharSet::finish() {
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (auto r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
  ascii[0] = ascii[1] = 0;
  for (uint32_t cp = 0; cp < 128; ++cp) {
    bool in = std::any_of(ranges.begin(), ranges.end(),
                          [&](auto r) { return cp >= r.first && cp <= r.second; }) ||
              (categories >> general_category(cp) & 1);
    if (in != negated) ascii[cp >> 6] |= uint64_t{1} << (cp & 63);
  }
}

bool Regex::CharSet::contains(uint32_t cp) const {
  if (cp < 128) return ascii[cp >> 6] >> (cp & 63) & 1;
  bool in = (categories >> general_category(cp) & 1) != 0;
  if (!in && !ranges.empty()) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), std::pair<uint32_t, uint32_t>{cp, UINT32_MAX});
    in = it != ranges.begin() && cp <= std::prev(it)->second;
  }
  return in != negated;
}

void Regex::compute_first() {
  const size_t n = program_.size();
  first_.assign(n, First{});
  // A fixpoint: loops make the program a graph, and sets only grow.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t pc = n; pc-- > 0;) {
      const Inst& in = program_[pc];
      First f;
      auto merge = [&](const First& o) {
        f.ascii[0] |= o.ascii[0];
        f.ascii[1] |= o.ascii[1];
        f.non_ascii |= o.non_ascii;
        f.may_succeed_empty |= o.may_succeed_empty;
      };
      switch (in.op) {
        case Op::kChar: {
          uint32_t c = in.arg;
          if (c < 128) {
            f.ascii[c >> 6] |= uint64_t{1} << (c & 63);
            if (in.fold) f.ascii[(c ^ 0x20) >> 6] |= uint64_t{1} << ((c ^ 0x20) & 63);
          } else {
            f.non_ascii = true;
          }
          break;
        }
        case Op::kSet: {
          const CharSet& set = sets_[in.arg];
          f.ascii[0] = set.ascii[0];
          f.ascii[1] = set.ascii[1];
          f.non_ascii = set.negated || set.categories != 0 ||
                        (!set.ranges.empty() && set.ranges.back().second >= 128);
          break;
        }
        case Op::kAny:
          f.ascii[0] = ~(uint64_t{1} << '\n' | uint64_t{1} << '\r');
          f.ascii[1] = ~uint64_t{0};
          f.non_ascii = true;
          break;
        case Op::kSplit:
          merge(first_[in.x]);
          merge(first_[in.y]);
          break;
        case Op::kJmp:
          merge(first_[in.x]);
          break;
        case Op::kMatch: case Op::kLookahead: case Op::kAssert:
          f.may_succeed_empty = true;
          break;
        case Op::kLoop: {
          const CharSet& set = sets_[in.arg];
          f.ascii[0] = set.ascii[0];
          f.ascii[1] = set.ascii[1];
          f.non_ascii = set.negated || set.categories != 0 ||
                        (!set.ranges.empty() && set.ranges.back().second >= 128);
          if (in.x == 0) merge(first_[pc + 1]);
          break;
        }
      }
      First& old = first_[pc];
      if (f.ascii[0] != old.ascii[0] || f.ascii[1] != old.ascii[1] || f.non_ascii != old.non_ascii ||
          f.may_succeed_empty != old.may_succeed_empty) {
        old = f;
        changed = true;
      }
    }
  }
}

Result<Regex> Regex::compile(std::string_view pattern) { return RegexCompiler(pattern).run(); }

namespace {

bool is_word(const uint32_t* cps, size_t n, size_t i) {
  if (i >= n) return false;
  uint32_t c = cps[i];
  return (c >= '0' && c <= '9') || is_ascii_alpha(c) || c == '_';
}

constexpr size_t kSingle = ~size_t{0};

}  // namespace

// Nested lookaheads share the scratch stack: each call works above `base`
// and leaves it as it found it.
bool Regex::match_at(uint32_t start_pc, const uint32_t* cps, size_t n, size_t start, size_t* end,
                     Scratch* scratch, size_t base) const {
  std::vector<Frame>& frames = scratch->frames;
  if (frames.size() < base + 64) frames.resize(base + 64);
  Frame* stack = frames.data();
  size_t top_index = base;
  auto push = [&](Frame f) {
    if (top_index == frames.size()) {
      frames.resize(frames.size() * 2);
      stack = frames.data();
    }
    stack[top_index++] = f;
  };
  push({start_pc, start, kSingle});
  const Inst* prog = program_.data();
  while (top_index > base) {
    Frame& top = stack[top_index - 1];
    uint32_t pc = top.pc;
    size_t pos = top.pos;
    if (top.min_pos == kSingle) {
      --top_index;
    } else {
      // Skip run lengths after which the rest cannot even start.
      while (pos > top.min_pos && !viable(pc, cps, n, pos)) --pos;
      if (pos > top.min_pos) {
        top.pos = pos - 1;
      } else {
        --top_index;
      }
    }
    for (;;) {
      const Inst& in = prog[pc];
      bool ok = true;
      switch (in.op) {
        case Op::kChar:
          if (pos < n && (cps[pos] == in.arg || (in.fold && (cps[pos] | 0x20) == (in.arg | 0x20)))) {
            ++pos;
            ++pc;
          } else {
            ok = false;
          }
          break;
        case Op::kSet:
          if (pos < n && sets_[in.arg].contains(cps[pos])) {
            ++pos;
            ++pc;
          } else {
            ok = false;
          }
          break;
        case Op::kAny:
          if (pos < n && cps[pos] != '\n' && cps[pos] != '\r' && cps[pos] != 0x2028 && cps[pos] != 0x2029) {
            ++pos;
            ++pc;
          } else {
            ok = false;
          }
          break;
        case Op::kSplit:
          if (viable(in.y, cps, n, pos)) push({in.y, pos, kSingle});
          if (viable(in.x, cps, n, pos)) {
            pc = in.x;
          } else {
            ok = false;
          }
          break;
        case Op::kJmp:
          pc = in.x;
          break;
        case Op::kMatch:
          *end = pos;
          return true;
        case Op::kLookahead: {
          size_t ignored;
          bool found = match_at(in.x, cps, n, pos, &ignored, scratch, top_index);
          stack = frames.data();
          if (found != in.fold) {
            pc = in.y;
          } else {
            ok = false;
          }
          break;
        }
        case Op::kLoop: {
          const CharSet& set = sets_[in.arg];
          size_t begin = pos;
          size_t limit = in.y == kUnbounded ? n : std::min(n, pos + in.y);
          while (pos < limit && set.contains(cps[pos])) ++pos;
          if (pos - begin < in.x) {
            ok = false;
          } else {
            if (pos - begin > in.x) push({pc + 1, pos - 1, begin + in.x});
            ++pc;
          }
          break;
        }
        case Op::kAssert: {
          switch (in.arg) {
            case kBegin: ok = pos == 0; break;
            case kEnd: ok = pos == n; break;
            default: {
              bool boundary = (pos > 0 && is_word(cps, n, pos - 1)) != is_word(cps, n, pos);
              ok = boundary == (in.arg == kWordBoundary);
            }
          }
          ++pc;
          break;
        }
      }
      if (!ok) break;
    }
  }
  return false;
}

bool Regex::search(const uint32_t* cps, size_t n, size_t from, Match* match, Scratch* scratch) const {
  for (size_t start = from; start <= n; ++start) {
    size_t end;
    if (viable(0, cps, n, start) && match_at(0, cps, n, start, &end, scratch, 0)) {
      *match = {start, end};
      return true;
    }
  }
  return false;
}

}  // namespace sluice::tok
