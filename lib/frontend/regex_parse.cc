// Regex front-end, stage 1: pattern text -> ast::Alternation (see regex.h).
//
// A flat pre-scan first validates UTF-8, pairs the parentheses and bounds
// the group nesting by options.max_nesting, so every later error is about
// one construct and nothing recurses on unchecked depth.
//
// Boost.Spirit X3 then reads the pattern as a flat run of tokens (group
// opener, `|`, `)`, quantifier, anchor, one-code-point atom); each token is a
// small X3 primitive, a flat loop over a few bytes. The tree is assembled by
// TreeBuilder with an explicit stack. A recursive X3 grammar would spend
// over 8 KB of C stack per nesting level in an unoptimised sanitizer build,
// so 1000 nested groups (the default limit) would overflow it; the flat form
// costs no stack per level. A token that meets a construct sluice cannot
// enforce throws a SyntaxFailure with the construct's offset; it never
// leaves this file.
//
// Tested in tests/frontend/regex_parse_test.cc.

#include <boost/spirit/home/x3.hpp>
#include <string>

#include "frontend/regex.h"

namespace sluice::regex {

namespace {

namespace x3 = boost::spirit::x3;
using Iterator = const char*;

struct SyntaxFailure {
  ErrorCode code;
  std::string message;
  size_t offset;
};

struct ParseState {
  Iterator begin;
  const RegexOptions* options;
};

[[noreturn]] void fail(ErrorCode code, std::string message, Iterator at, const ParseState& state) {
  throw SyntaxFailure{code, std::move(message), static_cast<size_t>(at - state.begin)};
}

constexpr uint32_t kMaxBmp = 0xFFFF;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

uint32_t hex_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  return static_cast<uint32_t>(c - 'A' + 10);
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` hex digits at `p`; false (and p unchanged) otherwise.
bool read_hex(Iterator& p, Iterator last, int count, uint32_t* value) {
  if (last - p < count) return false;
  uint32_t v = 0;
  for (int i = 0; i < count; ++i) {
    if (!is_hex(p[i])) return false;
    v = v * 16 + hex_value(p[i]);
  }
  p += count;
  *value = v;
  return true;
}

// Length of a UTF-8 sequence starting with `lead` that the pre-scan accepted.
int utf8_length(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

uint32_t decode_utf8(Iterator& p) {
  unsigned char lead = static_cast<unsigned char>(*p);
  int length = utf8_length(lead);
  uint32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1Fu : length == 3 ? lead & 0x0Fu : lead & 0x07u;
  for (int i = 1; i < length; ++i) cp = (cp << 6) | (static_cast<unsigned char>(p[i]) & 0x3Fu);
  p += length;
  return cp;
}

// Returns the offset of the first byte that is not well-formed UTF-8, or npos.
size_t find_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    int length;
    uint32_t min;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, min = 0x10000;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    uint32_t cp = lead & (0x7Fu >> length);
    for (int k = 1; k < length; ++k) {
      unsigned char c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (cp < min || cp > kMaxCodepoint || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

// The flat pre-scan: groups balanced, classes closed, nesting bounded.
Status prescan(std::string_view pattern, const RegexOptions& options) {
  size_t bad = find_invalid_utf8(pattern);
  if (bad != std::string_view::npos) {
    return make_error(ErrorCode::kParseError, "pattern is not valid UTF-8", Location::at_offset(bad));
  }
  std::vector<size_t> open;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      size_t start = i;
      for (++i; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') ++i;
      }
      if (i >= pattern.size()) {
        return make_error(ErrorCode::kParseError, "unterminated character class", Location::at_offset(start));
      }
    } else if (c == '(') {
      open.push_back(i);
      if (open.size() > options.max_nesting) {
        return make_error(ErrorCode::kBudgetExceeded,
                          "groups nest deeper than max_nesting (" + std::to_string(options.max_nesting) + ")",
                          Location::at_offset(i));
      }
    } else if (c == ')') {
      if (open.empty()) return make_error(ErrorCode::kParseError, "unmatched ')'", Location::at_offset(i));
      open.pop_back();
    }
  }
  if (!open.empty()) return make_error(ErrorCode::kParseError, "unclosed group '('", Location::at_offset(open.back()));
  return {};
}

// Reads a {m}, {m,} or {m,n} body at p (p at '{'). Returns false, with p
// unchanged, when the text is not a braced quantifier (Annex B then reads
// the '{' as a literal). Bounds are saturated, not wrapped, so the caller
// can report absurd ones.
bool read_braces(Iterator& p, Iterator last, uint64_t* min, uint64_t* max) {
  Iterator q = p + 1;
  auto number = [&](uint64_t* out) {
    if (q == last || !is_digit(*q)) return false;
    uint64_t v = 0;
    for (; q != last && is_digit(*q); ++q) v = std::min<uint64_t>(v * 10 + static_cast<uint64_t>(*q - '0'), 1ull << 40);
    *out = v;
    return true;
  };
  if (!number(min)) return false;
  *max = *min;
  if (q != last && *q == ',') {
    ++q;
    if (q != last && is_digit(*q)) {
      number(max);
    } else {
      *max = kUnbounded;
    }
  }
  if (q == last || *q != '}') return false;
  p = q + 1;
  return true;
}

std::vector<CodepointRange> single(uint32_t cp) { return {{cp, cp}}; }

void append(std::vector<CodepointRange>& to, const std::vector<CodepointRange>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// One escape after a backslash, in an atom or inside a class. `p` points
// just past the backslash. Returns the code points it stands for; `is_set`
// tells a class escape (\d ...) from a single code point.
std::vector<CodepointRange> read_escape(Iterator& p, Iterator last, bool in_class, bool* is_set,
                                        const ParseState& state) {
  Iterator backslash = p - 1;
  *is_set = false;
  if (p == last) fail(ErrorCode::kParseError, "pattern ends with a lone backslash", backslash, state);
  char c = *p;
  switch (c) {
    case 'd': ++p, *is_set = true; return digit_ranges();
    case 'D': ++p, *is_set = true; return complement_ranges(digit_ranges());
    case 'w': ++p, *is_set = true; return word_ranges();
    case 'W': ++p, *is_set = true; return complement_ranges(word_ranges());
    case 's': ++p, *is_set = true; return whitespace_ranges();
    case 'S': ++p, *is_set = true; return complement_ranges(whitespace_ranges());
    case 'n': ++p; return single('\n');
    case 'r': ++p; return single('\r');
    case 't': ++p; return single('\t');
    case 'f': ++p; return single('\f');
    case 'v': ++p; return single('\v');
    case 'b':
      if (in_class) {
        ++p;
        return single('\b');
      }
      fail(ErrorCode::kUnsupported, "word boundary \\b is not supported", backslash, state);
    case 'B':
      fail(ErrorCode::kUnsupported, in_class ? "\\B inside a character class is not supported"
                                             : "non-word boundary \\B is not supported",
           backslash, state);
    case 'k': fail(ErrorCode::kUnsupported, "backreference \\k<name> is not supported", backslash, state);
    case '0':
      if (p + 1 != last && is_digit(p[1])) {
        fail(ErrorCode::kUnsupported, "legacy octal escape \\0" + std::string(1, p[1]) + " is not supported",
             backslash, state);
      }
      ++p;
      return single(0);
    case 'c':
      if (p + 1 != last && is_ascii_letter(p[1])) {
        uint32_t cp = static_cast<uint32_t>(p[1]) % 32;
        p += 2;
        return single(cp);
      }
      fail(ErrorCode::kParseError, "\\c must be followed by an ASCII letter", backslash, state);
    case 'x': {
      ++p;
      uint32_t cp;
      if (!read_hex(p, last, 2, &cp)) {
        fail(ErrorCode::kParseError, "\\x must be followed by two hex digits", backslash, state);
      }
      return single(cp);
    }
    case 'u': {
      ++p;
      uint32_t cp = 0;
      if (p != last && *p == '{') {
        Iterator q = p + 1;
        int digits = 0;
        for (; q != last && is_hex(*q) && cp <= kMaxCodepoint; ++q, ++digits) cp = cp * 16 + hex_value(*q);
        if (digits == 0 || q == last || *q != '}' || cp > kMaxCodepoint) {
          fail(ErrorCode::kParseError, "\\u{...} must hold a hex code point up to 10FFFF", backslash, state);
        }
        p = q + 1;
        return single(cp);
      }
      if (!read_hex(p, last, 4, &cp)) {
        fail(ErrorCode::kParseError, "\\u must be followed by four hex digits or {code point}", backslash, state);
      }
      // A UTF-16 surrogate pair written as two escapes is one code point.
      uint32_t low;
      Iterator q = p;
      if (cp >= 0xD800 && cp <= 0xDBFF && last - q >= 6 && q[0] == '\\' && q[1] == 'u' &&
          (q += 2, read_hex(q, last, 4, &low)) && low >= 0xDC00 && low <= 0xDFFF) {
        p = q;
        return single(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
      }
      return single(cp);
    }
    case 'p':
    case 'P':
      fail(ErrorCode::kUnsupported, std::string("Unicode property escape \\") + c + " is not supported", backslash,
           state);
    default: break;
  }
  if (is_digit(c)) {
    fail(ErrorCode::kUnsupported,
         in_class ? std::string("legacy octal escape \\") + c + " is not supported"
                  : std::string("backreference \\") + c + " is not supported",
         backslash, state);
  }
  if (is_ascii_letter(c)) {
    // Annex B reads \e as 'e'; authors who write it usually mean a PCRE
    // escape (\A, \z, \h ...), so guessing either way would be wrong.
    fail(ErrorCode::kUnsupported, std::string("unknown escape \\") + c + " (not ECMA-262; write '" + c +
                                      "' for the letter)",
         backslash, state);
  }
  return single(decode_utf8(p));
}

// The body of a bracketed class; p at '['.
ast::CharSet read_class(Iterator& p, Iterator last, const ParseState& state) {
  Iterator open = p;
  ++p;
  ast::CharSet set;
  if (p != last && *p == '^') {
    set.negated = true;
    ++p;
  }
  // One class atom: a code point, or a set for \d and friends.
  auto atom = [&](bool* is_set) {
    if (*p == '\\') {
      ++p;
      return read_escape(p, last, true, is_set, state);
    }
    *is_set = false;
    return single(decode_utf8(p));
  };
  while (true) {
    if (p == last) fail(ErrorCode::kParseError, "unterminated character class", open, state);
    if (*p == ']') break;
    Iterator start = p;
    bool left_set;
    std::vector<CodepointRange> left = atom(&left_set);
    if (p != last && *p == '-' && p + 1 != last && p[1] != ']') {
      ++p;
      bool right_set;
      std::vector<CodepointRange> right = atom(&right_set);
      if (left_set || right_set) {
        // Annex B: a range with a class escape at either end is the union
        // of both ends and the '-' itself.
        append(set.ranges, left);
        append(set.ranges, right);
        set.ranges.push_back({'-', '-'});
        continue;
      }
      if (left[0].lo > right[0].lo) fail(ErrorCode::kParseError, "character class range out of order", start, state);
      set.ranges.push_back({left[0].lo, right[0].lo});
      continue;
    }
    append(set.ranges, left);
  }
  ++p;
  return set;
}

// --- tree building ----------------------------------------------------------

// Assembles the tree from the token stream with an explicit stack of open
// groups, so that nesting costs heap, not C stack.
class TreeBuilder {
 public:
  TreeBuilder() { open(); }

  template <typename T>
  void atom(T&& value) {
    current().emplace_back();
    current().back().atom = std::forward<T>(value);
  }

  // False when there is nothing to repeat: no atom before, an anchor, or an
  // atom that already has a quantifier.
  bool quantify(const ast::Quantifier& quantifier) {
    ast::Sequence& sequence = current();
    if (sequence.empty() || sequence.back().quantifier) return false;
    if (std::holds_alternative<ast::Assertion>(sequence.back().atom)) return false;
    sequence.back().quantifier = quantifier;
    return true;
  }

  void open() {
    groups_.emplace_back();
    groups_.back().emplace_back();
  }

  void bar() { groups_.back().emplace_back(); }

  // The pre-scan guarantees every ')' closes an open group.
  void close() {
    auto group = std::make_unique<ast::Alternation>(std::move(groups_.back()));
    groups_.pop_back();
    atom(std::move(group));
  }

  ast::Alternation finish() { return std::move(groups_.front()); }

 private:
  ast::Sequence& current() { return groups_.back().back(); }

  std::vector<ast::Alternation> groups_;  // [0] is the whole pattern
};

struct ParseContext {
  ParseState state;
  TreeBuilder builder;
};

struct context_tag;

template <typename Context>
ParseContext& context_of(const Context& context) {
  return *x3::get<context_tag>(context);
}

// --- X3 grammar -------------------------------------------------------------
//
// The pattern is a flat run of tokens: `(` with its opener, `|`, `)`, a
// quantifier, an anchor or a one-code-point atom. Each token primitive hands
// what it read to the TreeBuilder once it has matched; a token, once
// matched, is never backtracked over, so the builder sees each exactly once.

// A literal, `.`, an escape outside classes or a bracketed class.
struct CharSetToken : x3::parser<CharSetToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last) return false;
    ParseContext& pc = context_of(context);
    ast::CharSet set;
    Iterator p = first;
    switch (*p) {
      case '(': case ')': case '|': case '^': case '$': case '*': case '+': case '?':
        return false;
      case '.':
        ++p;
        set.ranges = line_terminator_ranges();
        set.negated = true;
        break;
      case '[': set = read_class(p, last, pc.state); break;
      case '\\': {
        ++p;
        bool is_set;
        set.ranges = read_escape(p, last, false, &is_set, pc.state);
        break;
      }
      // A '{' reaches here only when it starts no quantifier (Annex B).
      default: set.ranges = single(decode_utf8(p)); break;
    }
    first = p;
    pc.builder.atom(std::move(set));
    return true;
  }
};

struct AssertionToken : x3::parser<AssertionToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last || (*first != '^' && *first != '$')) return false;
    ast::Assertion assertion;
    assertion.kind = *first == '^' ? ast::AssertionKind::kStart : ast::AssertionKind::kEnd;
    ++first;
    context_of(context).builder.atom(assertion);
    return true;
  }
};

struct QuantifierToken : x3::parser<QuantifierToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last) return false;
    ParseContext& pc = context_of(context);
    const ParseState& state = pc.state;
    ast::Quantifier q;
    q.offset = static_cast<uint32_t>(first - state.begin);
    Iterator p = first;
    switch (*p) {
      case '*': q.min = 0, q.max = kUnbounded, ++p; break;
      case '+': q.min = 1, q.max = kUnbounded, ++p; break;
      case '?': q.min = 0, q.max = 1, ++p; break;
      case '{': {
        uint64_t min, max;
        if (!read_braces(p, last, &min, &max)) return false;
        uint64_t bound = state.options->max_repeat_bound;
        if (min > bound || (max != kUnbounded && max > bound)) {
          fail(ErrorCode::kBudgetExceeded,
               "repetition bound " + std::to_string(max != kUnbounded && max > min ? max : min) +
                   " exceeds max_repeat_bound (" + std::to_string(bound) + ")",
               first, state);
        }
        if (max < min) fail(ErrorCode::kParseError, "numbers out of order in {m,n} quantifier", first, state);
        q.min = static_cast<uint32_t>(min);
        q.max = static_cast<uint32_t>(max);
        break;
      }
      default: return false;
    }
    // The lazy form matches the same set of strings.
    if (p != last && *p == '?') ++p;
    if (!pc.builder.quantify(q)) fail(ErrorCode::kParseError, "quantifier has nothing to repeat", first, state);
    first = p;
    return true;
  }
};

// '(' and what follows it: nothing (capturing), "?:", or "?<name>".
// Lookaround is reported here, at the offset of its '('.
struct OpenToken : x3::parser<OpenToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last || *first != '(') return false;
    ParseContext& pc = context_of(context);
    const ParseState& state = pc.state;
    Iterator paren = first;
    Iterator p = first + 1;
    if (p != last && *p == '?') {
      ++p;
      auto next_is = [&](std::string_view s) {
        return static_cast<size_t>(last - p) >= s.size() && std::string_view(p, s.size()) == s;
      };
      if (next_is(":")) {
        ++p;
      } else if (next_is("=")) {
        fail(ErrorCode::kUnsupported, "lookahead (?=...) is not supported", paren, state);
      } else if (next_is("!")) {
        fail(ErrorCode::kUnsupported, "negative lookahead (?!...) is not supported", paren, state);
      } else if (next_is("<=")) {
        fail(ErrorCode::kUnsupported, "lookbehind (?<=...) is not supported", paren, state);
      } else if (next_is("<!")) {
        fail(ErrorCode::kUnsupported, "negative lookbehind (?<!...) is not supported", paren, state);
      } else if (next_is("<")) {
        auto name_char = [](char c, bool head) {
          return is_ascii_letter(c) || c == '_' || c == '$' || (!head && is_digit(c));
        };
        Iterator q = p + 1;
        if (q == last || !name_char(*q, true)) fail(ErrorCode::kParseError, "invalid group name in (?<name>...)", paren, state);
        for (++q; q != last && name_char(*q, false); ++q) {
        }
        if (q == last || *q != '>') fail(ErrorCode::kParseError, "invalid group name in (?<name>...)", paren, state);
        p = q + 1;
      } else {
        fail(ErrorCode::kParseError,
             "invalid group: '(?' must be followed by ':', '<name>', '=', '!', '<=' or '<!'", paren, state);
      }
    }
    first = p;
    pc.builder.open();
    return true;
  }
};

struct BarToken : x3::parser<BarToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last || *first != '|') return false;
    ++first;
    context_of(context).builder.bar();
    return true;
  }
};

struct CloseToken : x3::parser<CloseToken> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext const&, Attribute&) const {
    if (first == last || *first != ')') return false;
    ++first;
    context_of(context).builder.close();
    return true;
  }
};

// QuantifierToken comes before CharSetToken so that a '{' is a quantifier
// whenever it can be one.
auto const token = QuantifierToken{} | OpenToken{} | BarToken{} | CloseToken{} | AssertionToken{} | CharSetToken{};
auto const pattern_tokens = *token;

}  // namespace

Result<ast::Alternation> parse(std::string_view pattern, const RegexOptions& options) {
  Status scanned = prescan(pattern, options);
  if (!scanned.ok()) return scanned.error();
  ParseContext pc{ParseState{pattern.data(), &options}, TreeBuilder()};
  Iterator first = pattern.data();
  Iterator last = pattern.data() + pattern.size();
  try {
    bool ok = x3::parse(first, last, x3::with<context_tag>(&pc)[pattern_tokens]);
    if (!ok || first != last) {
      return make_error(ErrorCode::kInternal, "regex tokenizer stopped unexpectedly",
                        Location::at_offset(static_cast<size_t>(first - pattern.data())));
    }
  } catch (const SyntaxFailure& failure) {
    return make_error(failure.code, failure.message, Location::at_offset(failure.offset));
  }
  return pc.builder.finish();
}

}  // namespace sluice::regex
