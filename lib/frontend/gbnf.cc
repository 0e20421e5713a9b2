// Implements parse_gbnf (sluice/frontend.h) and frontend/gbnf.h.
// Tested in tests/frontend/gbnf_test.cc.
//
// Two layers. Tokens (string literals with their escapes, classes, names,
// repetition braces, whitespace and comments) are read by small Boost.Spirit
// X3 parsers; X3 expectation failures give the exact place a token went
// wrong. Structure (sequences, `|`, parentheses, postfix operators) is built
// by a loop with an explicit stack of open groups, so nesting depth costs
// heap, never C stack.
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/gbnf.h"
#include "frontend/utf8_text.h"
#include "ir/analysis.h"
#include "ir/passes.h"
#include "sluice/frontend.h"

namespace sluice {

namespace gbnf {

LineColumn line_column(std::string_view text, size_t offset) {
  LineColumn lc;
  offset = std::min(offset, text.size());
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

std::string excerpt(std::string_view text, size_t offset) {
  constexpr size_t kHalfWindow = 40;
  offset = std::min(offset, text.size());
  size_t line_start = 0;
  if (offset > 0) {
    size_t newline = text.rfind('\n', offset - 1);
    if (newline != std::string_view::npos) line_start = newline + 1;
  }
  size_t line_end = text.find_first_of("\r\n", offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  size_t from = line_start;
  size_t to = line_end;
  bool cut_left = false;
  bool cut_right = false;
  if (offset - from > kHalfWindow) {
    from = offset - kHalfWindow;
    cut_left = true;
  }
  if (to - offset > kHalfWindow) {
    to = offset + kHalfWindow;
    cut_right = true;
  }
  // Never cut inside a UTF-8 sequence.
  auto continuation = [&](size_t i) { return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  while (cut_left && from < offset && continuation(from)) ++from;
  while (cut_right && to < line_end && continuation(to)) ++to;
  std::string out;
  std::string caret;
  if (cut_left) {
    out += "...";
    caret += "   ";
  }
  out.append(text.substr(from, to - from));
  for (size_t i = from; i < offset; ++i) {
    if (text[i] == '\t') {
      caret += '\t';
    } else if (!continuation(i)) {
      caret += ' ';
    }
  }
  if (cut_right) out += "...";
  return out + "\n" + caret + "^";
}

Error located_error(ErrorCode code, std::string message, std::string_view text, size_t offset) {
  LineColumn lc = line_column(text, offset);
  Location location = Location::at(lc.line, lc.column);
  location.offset = offset;
  Error error = make_error(code, std::move(message), std::move(location));
  error.excerpt = excerpt(text, offset);
  return error;
}

}  // namespace gbnf

namespace {

namespace x3 = boost::spirit::x3;
using It = const char*;

// One code point of already validated UTF-8 text.
struct Utf8Char : x3::parser<Utf8Char> {
  using attribute_type = uint32_t;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const&, RContext&, Attribute& attr) const {
    if (first == last) return false;
    unsigned char lead = static_cast<unsigned char>(*first);
    int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (last - first < length) return false;
    uint32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    for (int i = 1; i < length; ++i) cp = (cp << 6) | (static_cast<unsigned char>(first[i]) & 0x3F);
    first += length;
    x3::traits::move_to(cp, attr);
    return true;
  }
};
const Utf8Char utf8_char{};

const auto hex2 = x3::rule<class hex2_tag, uint32_t>{"two hex digits after \\x"} = x3::uint_parser<uint32_t, 16, 2, 2>{};
const auto hex4 = x3::rule<class hex4_tag, uint32_t>{"four hex digits after \\u"} = x3::uint_parser<uint32_t, 16, 4, 4>{};
const auto hex8 = x3::rule<class hex8_tag, uint32_t>{"eight hex digits after \\U"} =
    x3::uint_parser<uint32_t, 16, 8, 8>{};

struct SimpleEscapes : x3::symbols<uint32_t> {
  explicit SimpleEscapes(bool in_class) {
    add("n", '\n')("t", '\t')("r", '\r')("\\", '\\')("\"", '"')("[", '[')("]", ']');
    if (in_class) add("-", '-')("^", '^');
  }
};

const SimpleEscapes& literal_escapes() {
  static const SimpleEscapes table(false);
  return table;
}

const SimpleEscapes& class_escapes() {
  static const SimpleEscapes table(true);
  return table;
}

// What follows a backslash.
template <typename Simple>
auto escape_body(const Simple& simple) {
  return x3::rule<class escape_tag, uint32_t>{"an escape: \\n \\r \\t \\\\ \\\" \\[ \\] \\xHH \\uHHHH or \\UHHHHHHHH"} =
             ('x' > hex2) | ('u' > hex4) | ('U' > hex8) | simple;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

const auto name_parser = x3::raw[+x3::char_("a-zA-Z0-9_-")];
const auto whitespace = x3::omit[*(x3::char_(" \t\r\n") | ('#' >> *(x3::char_ - x3::char_("\r\n"))))];

struct Failure {
  std::string expected;
  It where = nullptr;
};

// Runs an X3 parser from `pos`; on success advances `pos`. An expectation
// failure inside the parser is reported through `failure`.
template <typename Parser, typename Attribute>
bool run(const Parser& parser, It& pos, It end, Attribute& attr, Failure* failure) {
  It cursor = pos;
  try {
    if (!x3::parse(cursor, end, parser, attr)) return false;
  } catch (const x3::expectation_failure<It>& e) {
    if (failure) {
      failure->expected = e.which();
      failure->where = e.where();
    }
    return false;
  }
  pos = cursor;
  return true;
}

template <typename Parser>
bool run(const Parser& parser, It& pos, It end, Failure* failure) {
  x3::unused_type unused;
  return run(parser, pos, end, unused, failure);
}

class GbnfParser {
 public:
  GbnfParser(std::string_view text, const GbnfOptions& options)
      : text_(text), options_(options), pos_(text.data()), end_(text.data() + text.size()) {}

  Result<Grammar> run_all() {
    if (std::optional<size_t> bad = utf8::find_invalid(text_)) {
      return error(ErrorCode::kParseError, "invalid UTF-8 in grammar text", *bad);
    }
    skip_whitespace();
    if (pos_ == end_) return error(ErrorCode::kParseError, "empty grammar: no rules (expected 'root ::= ...')", 0);
    while (pos_ != end_) {
      std::string name;
      size_t name_offset = offset(pos_);
      if (!read_header(&name)) {
        return error(ErrorCode::kParseError, "expected a rule definition 'name ::= ...'", offset(pos_));
      }
      RuleId id = declare(name);
      if (info_[id].defined) {
        gbnf::LineColumn first = gbnf::line_column(text_, info_[id].definition);
        return error(ErrorCode::kParseError,
                     "rule '" + name + "' is defined twice (first at " + std::to_string(first.line) + ":" +
                         std::to_string(first.column) + "); merge the definitions with '|'",
                     name_offset);
      }
      info_[id].defined = true;
      info_[id].definition = name_offset;
      gbnf::LineColumn lc = gbnf::line_column(text_, name_offset);
      grammar_.set_rule_location(id, lc.line, lc.column);
      Result<ExprId> body = parse_body();
      if (!body.ok()) return body.error();
      grammar_.set_body(id, *body);
    }
    return finish();
  }

 private:
  struct RuleInfo {
    bool defined = false;
    size_t definition = 0;
    size_t first_reference = 0;
  };

  // Groups opened but not yet closed; the bottom one is the rule body.
  struct Group {
    std::vector<ExprId> alternatives;
    std::vector<ExprId> items;
    size_t open_offset = 0;
  };

  size_t offset(It p) const { return static_cast<size_t>(p - text_.data()); }

  Error error(ErrorCode code, std::string message, size_t at) const {
    return gbnf::located_error(code, std::move(message), text_, at);
  }

  void skip_whitespace() {
    It cursor = pos_;
    x3::parse(cursor, end_, whitespace);
    pos_ = cursor;
  }

  RuleId declare(const std::string& name) {
    RuleId id = grammar_.declare_rule(name);
    if (id >= info_.size()) info_.resize(id + 1);
    return id;
  }

  // `name ::=` at pos_: consumes it when present.
  bool read_header(std::string* name) {
    It cursor = pos_;
    std::string parsed;
    if (!run(name_parser >> whitespace >> x3::lit("::="), cursor, end_, parsed, nullptr)) return false;
    pos_ = cursor;
    *name = std::move(parsed);
    return true;
  }

  bool at_header() const {
    It cursor = pos_;
    return run(name_parser >> whitespace >> x3::lit("::="), cursor, end_, nullptr);
  }

  Result<ExprId> parse_body() {
    std::vector<Group> groups(1);
    while (true) {
      skip_whitespace();
      if (pos_ == end_ || at_header()) break;
      Group& top = groups.back();
      const char c = *pos_;
      const size_t here = offset(pos_);
      if (c == '"') {
        Result<ExprId> literal = parse_literal();
        if (!literal.ok()) return literal.error();
        top.items.push_back(*literal);
      } else if (c == '[') {
        Result<ExprId> cls = parse_class();
        if (!cls.ok()) return cls.error();
        top.items.push_back(*cls);
      } else if (c == '.') {
        ++pos_;
        top.items.push_back(grammar_.char_class({{0, kMaxCodepoint}}));
      } else if (is_name_char(c)) {
        std::string name;
        run(name_parser, pos_, end_, name, nullptr);
        RuleId id = declare(name);
        if (!info_[id].defined && info_[id].first_reference == 0) info_[id].first_reference = here + 1;
        top.items.push_back(grammar_.ref(id));
      } else if (c == '(') {
        if (groups.size() > options_.max_nesting) {
          return error(ErrorCode::kBudgetExceeded,
                       "groups nested deeper than GbnfOptions::max_nesting (" + std::to_string(options_.max_nesting) +
                           ")",
                       here);
        }
        ++pos_;
        groups.emplace_back();
        groups.back().open_offset = here;
      } else if (c == ')') {
        if (groups.size() == 1) return error(ErrorCode::kParseError, "')' without a matching '('", here);
        ++pos_;
        ExprId group = close(groups.back());
        groups.pop_back();
        groups.back().items.push_back(group);
      } else if (c == '|') {
        ++pos_;
        top.alternatives.push_back(grammar_.sequence(std::move(top.items)));
        top.items.clear();
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (top.items.empty()) {
          return error(ErrorCode::kParseError, std::string("'") + c + "' has nothing before it to repeat", here);
        }
        uint32_t min = c == '+' ? 1 : 0;
        uint32_t max = c == '?' ? 1 : kUnbounded;
        if (c == '{') {
          Status bounds = parse_bounds(&min, &max);
          if (!bounds.ok()) return bounds.error();
        } else {
          ++pos_;
        }
        top.items.back() = grammar_.repeat(top.items.back(), min, max);
      } else {
        return error(ErrorCode::kParseError, "unexpected character '" + printable(pos_) + "'", here);
      }
    }
    if (groups.size() > 1) {
      return error(ErrorCode::kParseError, "'(' is never closed", groups.back().open_offset);
    }
    return close(groups.back());
  }

  ExprId close(Group& group) {
    group.alternatives.push_back(grammar_.sequence(std::move(group.items)));
    return grammar_.choice(std::move(group.alternatives));
  }

  std::string printable(It p) const {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c < 0x7F) return std::string(1, static_cast<char>(c));
    if (c >= 0x80) {
      It q = p + 1;
      while (q != end_ && (static_cast<unsigned char>(*q) & 0xC0) == 0x80) ++q;
      return std::string(p, q);
    }
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
    return buffer;
  }

  // Code points an escape produced that UTF-8 cannot encode; reported after
  // the token is read, at the escape.
  struct BadCodepoint {
    size_t at = 0;
    uint32_t value = 0;
    bool seen = false;
  };

  void check_codepoint(uint32_t cp, It escape_end, BadCodepoint& bad) const {
    if (bad.seen || (cp <= kMaxCodepoint && (cp < 0xD800 || cp > 0xDFFF))) return;
    bad.seen = true;
    bad.value = cp;
    // Back up to the backslash that started the escape.
    It p = escape_end;
    while (p > text_.data() && *p != '\\') --p;
    bad.at = offset(p);
  }

  Error bad_codepoint_error(const BadCodepoint& bad) const {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "U+%X", bad.value);
    return error(ErrorCode::kParseError,
                 std::string("escape names ") + buffer +
                     (bad.value > kMaxCodepoint ? ", above U+10FFFF" : ", a surrogate, which UTF-8 cannot encode"),
                 bad.at);
  }

  // Turns an X3 expectation failure inside a literal or class into an error.
  Error token_error(const Failure& failure, size_t open, const char* what) const {
    size_t at = failure.where ? offset(failure.where) : offset(end_);
    bool at_line_end = at >= text_.size() || text_[at] == '\n' || text_[at] == '\r';
    if (failure.expected.rfind("an escape", 0) == 0) {
      return error(ErrorCode::kParseError, "bad escape sequence; expected " + failure.expected, at - 1);
    }
    if (failure.expected.find("hex digits") != std::string::npos) {
      return error(ErrorCode::kParseError, "bad escape sequence; expected " + failure.expected, at);
    }
    if (at_line_end) {
      return error(ErrorCode::kParseError,
                   std::string("unterminated ") + what + " (line breaks inside must be written \\n or \\r)", open);
    }
    return error(ErrorCode::kParseError, std::string("malformed ") + what + "; expected " + failure.expected, at);
  }

  Result<ExprId> parse_literal() {
    const size_t open = offset(pos_);
    std::string decoded;
    BadCodepoint bad;
    auto append = [&](auto& ctx) {
      uint32_t cp = x3::_attr(ctx);
      // X3 1.74 hands actions the input after the match as _where.
      check_codepoint(cp, x3::_where(ctx).begin() - 1, bad);
      if (!bad.seen) utf8::append(decoded, cp);
    };
    auto append_raw = [&](auto& ctx) { utf8::append(decoded, x3::_attr(ctx)); };
    const auto closing = x3::rule<class close_quote_tag>{"'\"'"} = x3::lit('"');
    const auto parser = '"' > *(('\\' > escape_body(literal_escapes()))[append] |
                                (utf8_char - x3::char_("\"\\\r\n"))[append_raw]) > closing;
    Failure failure;
    if (!run(parser, pos_, end_, &failure)) return token_error(failure, open, "string literal");
    if (bad.seen) return bad_codepoint_error(bad);
    return grammar_.literal(decoded);
  }

  Result<ExprId> parse_class() {
    const size_t open = offset(pos_);
    std::vector<CodepointRange> ranges;
    bool negated = false;
    BadCodepoint bad;
    std::optional<size_t> reversed;
    std::string reversed_text;
    auto mark_negated = [&](auto&) { negated = true; };
    // X3 1.74 hands actions the input after the match as _where, so the
    // item's start is recorded by an empty match in front of it.
    It item_begin = nullptr;
    auto mark_item = [&](auto& ctx) { item_begin = x3::_where(ctx).begin(); };
    auto add_item = [&](auto& ctx) {
      auto& item = x3::_attr(ctx);
      uint32_t lo = boost::fusion::at_c<0>(item);
      uint32_t hi = boost::fusion::at_c<1>(item) ? *boost::fusion::at_c<1>(item) : lo;
      It item_end = x3::_where(ctx).begin();
      check_codepoint(lo, item_begin + 1, bad);
      check_codepoint(hi, item_end - 1, bad);
      if (hi < lo && !reversed) {
        reversed = offset(item_begin);
        reversed_text.assign(item_begin, item_end);
      }
      ranges.push_back({lo, hi});
    };
    const auto class_char = x3::rule<class class_char_tag, uint32_t>{"a character"} =
        ('\\' > escape_body(class_escapes())) | (utf8_char - x3::char_("]\\\r\n"));
    const auto item = class_char >> -((x3::lit('-') >> !x3::lit(']')) > class_char);
    const auto closing = x3::rule<class close_bracket_tag>{"']'"} = x3::lit(']');
    const auto parser = '[' >> -x3::lit('^')[mark_negated] >> *(x3::eps[mark_item] >> item[add_item]) > closing;
    Failure failure;
    if (!run(parser, pos_, end_, &failure)) return token_error(failure, open, "character class");
    if (bad.seen) return bad_codepoint_error(bad);
    if (reversed) {
      return error(ErrorCode::kParseError, "malformed character class: range '" + reversed_text + "' is reversed",
                   *reversed);
    }
    if (ranges.empty() && !negated) {
      return error(ErrorCode::kParseError, "malformed character class: '[]' matches nothing", open);
    }
    return grammar_.char_class(std::move(ranges), negated);
  }

  // `{m}`, `{m,}` or `{m,n}` at pos_, spaces allowed inside.
  Status parse_bounds(uint32_t* min, uint32_t* max) {
    const size_t open = offset(pos_);
    std::string low;
    std::optional<std::string> high;
    bool comma = false;
    auto set_low = [&](auto& ctx) { low.assign(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };
    auto set_comma = [&](auto&) { comma = true; };
    auto set_high = [&](auto& ctx) { high = std::string(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };
    const auto number = x3::rule<class count_tag, std::string>{"a repetition count"} = x3::lexeme[+x3::digit];
    const auto closing = x3::rule<class close_brace_tag>{"'}'"} = x3::lit('}');
    const auto body = x3::rule<class bounds_tag>{"a repetition count"} =
        x3::skip(x3::blank)[number[set_low] > -(x3::lit(',')[set_comma] >> -number[set_high]) > closing];
    const auto parser = '{' > body;
    Failure failure;
    if (!run(parser, pos_, end_, &failure)) {
      size_t at = failure.where ? offset(failure.where) : open;
      return error(ErrorCode::kParseError, "malformed repetition; expected " + failure.expected, at);
    }
    auto value = [&](const std::string& digits, uint32_t* out) -> Status {
      uint64_t v = 0;
      for (char d : digits) {
        v = v * 10 + static_cast<uint64_t>(d - '0');
        if (v > options_.max_repeat_bound) {
          return error(ErrorCode::kBudgetExceeded,
                       "repetition bound " + (digits.size() > 20 ? digits.substr(0, 20) + "..." : digits) +
                           " exceeds GbnfOptions::max_repeat_bound (" + std::to_string(options_.max_repeat_bound) +
                           ")",
                       open);
        }
      }
      *out = static_cast<uint32_t>(v);
      return {};
    };
    if (Status s = value(low, min); !s.ok()) return s;
    if (!comma) {
      *max = *min;
    } else if (!high) {
      *max = kUnbounded;
    } else {
      if (Status s = value(*high, max); !s.ok()) return s;
      if (*max < *min) {
        return error(ErrorCode::kParseError,
                     "repetition bounds {" + low + "," + *high + "} are reversed: the maximum is below the minimum",
                     open);
      }
    }
    return {};
  }

  Result<Grammar> finish() {
    // Undefined rules, the earliest reference first.
    std::optional<RuleId> undefined;
    for (RuleId id = 0; id < info_.size(); ++id) {
      if (info_[id].defined) continue;
      if (!undefined || info_[id].first_reference < info_[*undefined].first_reference) undefined = id;
    }
    if (undefined) {
      return error(ErrorCode::kUnresolvedRef, "undefined rule '" + grammar_.rule(*undefined).name + "'",
                   info_[*undefined].first_reference - 1);
    }
    RuleId root;
    if (!grammar_.find_rule("root", &root)) {
      return error(ErrorCode::kUnresolvedRef, "no rule named 'root' (the start rule)", 0);
    }
    grammar_.set_root(root);
    if (Status valid = grammar_.validate(); !valid.ok()) return valid.error();
    Status left = ir::find_left_recursion(grammar_, ir::analyze(grammar_));
    if (!left.ok()) {
      // Re-locate with an excerpt: the analysis knows only line and column.
      RuleId rule = 0;
      for (RuleId id = 0; id < info_.size(); ++id) {
        const Rule& r = grammar_.rule(id);
        if (r.line == left.error().location.line && r.column == left.error().location.column) rule = id;
      }
      return error(left.error().code, left.error().message, info_[rule].definition);
    }
    return std::move(grammar_);
  }

  std::string_view text_;
  GbnfOptions options_;
  It pos_;
  It end_;
  Grammar grammar_;
  std::vector<RuleInfo> info_;
};

}  // namespace

Result<Grammar> parse_gbnf(std::string_view text, const GbnfOptions& options) {
  GbnfParser parser(text, options);
  auto parsed = parser.run_all();
  if (!parsed.ok() || !options.optimize) return parsed;
  return ir::optimize(parsed.value());
}

}  // namespace sluice
