// Implements ecma_regex.h. Tested in tests/validator/parts_test.cc.
#include "validator/ecma_regex.h"

#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

namespace sluice::validator {
namespace {

// ECMA-262 WhiteSpace and LineTerminator code points, as sorted ranges.
const std::pair<unsigned, unsigned> kSpace[] = {
    {0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF},
};

std::string hex_cp(unsigned cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", cp);
  return buf;
}

std::string range_text(unsigned lo, unsigned hi) {
  return lo == hi ? hex_cp(lo) : hex_cp(lo) + "-" + hex_cp(hi);
}

// The class body (no brackets) of \s, or of \S when negated.
std::string space_body(bool negated) {
  std::string out;
  if (!negated) {
    for (auto [lo, hi] : kSpace) out += range_text(lo, hi);
    return out;
  }
  unsigned next = 0;
  for (auto [lo, hi] : kSpace) {
    if (lo > next) out += range_text(next, lo - 1);
    next = hi + 1;
  }
  out += range_text(next, 0x10FFFF);
  return out;
}

std::string property_name(const std::string& name) {
  static const std::pair<const char*, const char*> kLong[] = {
      {"Letter", "L"}, {"Cased_Letter", "LC"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
      {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
      {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"}, {"Number", "N"},
      {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
      {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
      {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
      {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
      {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
      {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
      {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
      {"Unassigned", "Cn"},
  };
  for (const auto& [long_name, short_name] : kLong)
    if (name == long_name) return short_name;
  return name;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex(std::string_view p, size_t at, int digits, unsigned* value) {
  if (at + digits > p.size()) return false;
  unsigned v = 0;
  for (int k = 0; k < digits; ++k) {
    int h = hex_digit(p[at + k]);
    if (h < 0) return false;
    v = v * 16 + unsigned(h);
  }
  *value = v;
  return true;
}

Error unsupported(std::string what, size_t offset) {
  Location loc;
  loc.offset = offset;
  return make_error(ErrorCode::kUnsupported, "pattern uses " + what + ", which RE2 cannot run", loc);
}

class Translator {
 public:
  explicit Translator(std::string_view p) : p_(p) {}

  Result<std::string> run() {
    while (i_ < p_.size()) {
      char c = p_[i_];
      if (c == '\\') {
        Status s = escape(false);
        if (!s.ok()) return s.error();
      } else if (c == '[') {
        Status s = char_class();
        if (!s.ok()) return s.error();
      } else if (c == '.') {
        out_ += "[^\\n\\r\\x{2028}\\x{2029}]";
        ++i_;
      } else if (c == '(') {
        Status s = group();
        if (!s.ok()) return s.error();
      } else {
        out_ += c;
        ++i_;
      }
    }
    return out_;
  }

 private:
  Status group() {
    std::string_view rest = p_.substr(i_);
    if (rest.substr(0, 3) == "(?=" || rest.substr(0, 3) == "(?!") return unsupported("lookahead", i_);
    if (rest.substr(0, 4) == "(?<=" || rest.substr(0, 4) == "(?<!") return unsupported("lookbehind", i_);
    if (rest.substr(0, 3) == "(?<") {
      out_ += "(?P<";
      i_ += 3;
      return {};
    }
    out_ += '(';
    ++i_;
    return {};
  }

  // Translates one escape at p_[i_] == '\\'. In a class, class escapes
  // become class bodies and \b is a backspace.
  Status escape(bool in_class) {
    size_t start = i_;
    if (i_ + 1 >= p_.size()) return make_error(ErrorCode::kParseError, "pattern ends with a lone backslash");
    char e = p_[i_ + 1];
    i_ += 2;
    switch (e) {
      case 'd': case 'D': case 'w': case 'W':
        out_ += '\\';
        out_ += e;
        return {};
      case 's': case 'S':
        if (in_class) {
          if (e == 'S') {
            // A negated set cannot be nested inside a class body, so spell out
            // its complement as ranges.
            out_ += space_body(true);
          } else {
            out_ += space_body(false);
          }
        } else {
          out_ += "[" + space_body(e == 'S') + "]";
        }
        return {};
      case 'b': case 'B':
        if (in_class) {
          if (e == 'B') return make_error(ErrorCode::kParseError, "\\B inside a character class");
          out_ += "\\x{8}";
        } else {
          out_ += '\\';
          out_ += e;
        }
        return {};
      case 't': out_ += "\\t"; return {};
      case 'n': out_ += "\\n"; return {};
      case 'r': out_ += "\\r"; return {};
      case 'f': out_ += "\\f"; return {};
      case 'v': out_ += "\\x{B}"; return {};
      case '0':
        if (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9') return unsupported("an octal escape", start);
        out_ += "\\x{0}";
        return {};
      case 'c': {
        if (i_ < p_.size() && std::isalpha(static_cast<unsigned char>(p_[i_]))) {
          out_ += hex_cp(unsigned(p_[i_]) % 32);
          ++i_;
        } else {
          out_ += "\\\\c";
        }
        return {};
      }
      case 'x': {
        unsigned v;
        if (read_hex(p_, i_, 2, &v)) {
          out_ += hex_cp(v);
          i_ += 2;
        } else {
          out_ += 'x';
        }
        return {};
      }
      case 'u': {
        unsigned v;
        if (i_ < p_.size() && p_[i_] == '{') {
          size_t close = p_.find('}', i_);
          if (close == std::string_view::npos || close == i_ + 1 || close - i_ - 1 > 6)
            return make_error(ErrorCode::kParseError, "malformed \\u{...} escape");
          unsigned cp = 0;
          for (size_t k = i_ + 1; k < close; ++k) {
            int h = hex_digit(p_[k]);
            if (h < 0) return make_error(ErrorCode::kParseError, "malformed \\u{...} escape");
            cp = cp * 16 + unsigned(h);
          }
          out_ += hex_cp(cp);
          i_ = close + 1;
          return {};
        }
        if (!read_hex(p_, i_, 4, &v)) {
          out_ += 'u';
          return {};
        }
        i_ += 4;
        unsigned lo;
        if (v >= 0xD800 && v <= 0xDBFF && i_ + 1 < p_.size() && p_[i_] == '\\' && p_[i_ + 1] == 'u' &&
            read_hex(p_, i_ + 2, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
          v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          i_ += 6;
        }
        if (v >= 0xD800 && v <= 0xDFFF) return unsupported("a lone surrogate", start);
        out_ += hex_cp(v);
        return {};
      }
      case 'p': case 'P': {
        // RE2 knows general categories by their short names and scripts by
        // name; ECMA also allows long names and gc=/sc= prefixes.
        if (i_ >= p_.size() || p_[i_] != '{') return make_error(ErrorCode::kParseError, "\\p needs {name}");
        size_t close = p_.find('}', i_);
        if (close == std::string_view::npos) return make_error(ErrorCode::kParseError, "unterminated \\p{...}");
        std::string name(p_.substr(i_ + 1, close - i_ - 1));
        i_ = close + 1;
        size_t eq = name.find('=');
        if (eq != std::string::npos) name = name.substr(eq + 1);
        out_ += '\\';
        out_ += e;
        out_ += "{" + property_name(name) + "}";
        return {};
      }
      case 'k':
        return unsupported("a named backreference", start);
      default:
        break;
    }
    if (e >= '1' && e <= '9') return unsupported("a backreference", start);
    if (std::isalnum(static_cast<unsigned char>(e))) {
      // ECMA identity escape of a letter without meaning: the letter itself.
      out_ += e;
      return {};
    }
    if (static_cast<unsigned char>(e) >= 0x80) {
      // An escaped multi-byte character: copy the character.
      out_ += e;
      return {};
    }
    out_ += '\\';
    out_ += e;
    return {};
  }

  Status char_class() {
    size_t start = i_;
    ++i_;
    bool negated = i_ < p_.size() && p_[i_] == '^';
    if (negated) ++i_;
    if (i_ < p_.size() && p_[i_] == ']') {
      // ECMA: [] matches nothing and [^] matches anything.
      out_ += negated ? "[\\x{0}-\\x{10FFFF}]" : "[^\\x{0}-\\x{10FFFF}]";
      ++i_;
      return {};
    }
    out_ += negated ? "[^" : "[";
    while (i_ < p_.size() && p_[i_] != ']') {
      char c = p_[i_];
      if (c == '\\') {
        Status s = escape(true);
        if (!s.ok()) return s;
      } else if (c == '[') {
        out_ += "\\[";
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    if (i_ >= p_.size()) {
      Location loc;
      loc.offset = start;
      return make_error(ErrorCode::kParseError, "unterminated character class", loc);
    }
    out_ += ']';
    ++i_;
    return {};
  }

  std::string_view p_;
  size_t i_ = 0;
  std::string out_;
};

}  // namespace

Result<std::string> ecma_to_re2(std::string_view pattern) { return Translator(pattern).run(); }

}  // namespace sluice::validator
