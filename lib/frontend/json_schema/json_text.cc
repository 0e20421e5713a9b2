// Canonical JSON string encoding and the serde_json-style serializer.
// Tested in tests/json_schema/json_text_test.cc.
#include "frontend/utf8_text.h"
#include "frontend/json_schema/json_text.h"
#include "ir/rewrite.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluice::json_schema {

namespace {

constexpr const char* kHex = "0123456789abcdef";

}  // namespace

namespace {

// The escape serde_json writes for a byte that must not appear raw, or
// null when the byte is written as is.
const char* named_escape(unsigned char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return nullptr;
  }
}

void append_escaped(std::string& out, std::string_view utf8) {
  for (char ch : utf8) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (const char* esc = named_escape(c)) {
      out += esc;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
}

}  // namespace

ExprId StringEncoder::encode_class(const std::vector<CodepointRange>& ranges) {
  std::vector<CodepointRange> raw;
  std::vector<ExprId> alternatives;
  std::vector<CodepointRange> low_nibbles[2];
  auto contains = [&](uint32_t cp) {
    for (const CodepointRange& r : ranges) {
      if (cp >= r.lo && cp <= r.hi) return true;
    }
    return false;
  };
  for (const CodepointRange& r : ranges) {
    // Raw: everything from U+0020 on except the quote and the backslash.
    uint32_t lo = std::max<uint32_t>(r.lo, 0x20);
    if (lo > r.hi) continue;
    std::vector<CodepointRange> pieces = {{lo, r.hi}};
    for (uint32_t cut : {uint32_t{'"'}, uint32_t{'\\'}}) {
      std::vector<CodepointRange> next;
      for (const CodepointRange& p : pieces) {
        if (cut < p.lo || cut > p.hi) {
          next.push_back(p);
          continue;
        }
        if (p.lo < cut) next.push_back({p.lo, cut - 1});
        if (cut < p.hi) next.push_back({cut + 1, p.hi});
      }
      pieces = std::move(next);
    }
    raw.insert(raw.end(), pieces.begin(), pieces.end());
  }
  if (!raw.empty()) alternatives.push_back(grammar_.char_class(raw));
  for (uint32_t cp = 0; cp < 0x20; ++cp) {
    if (!contains(cp)) continue;
    if (const char* esc = named_escape(static_cast<unsigned char>(cp))) {
      alternatives.push_back(grammar_.literal(esc));
    } else {
      uint32_t digit = static_cast<uint32_t>(kHex[cp & 0xF]);
      low_nibbles[cp >> 4].push_back({digit, digit});
    }
  }
  for (int high = 0; high < 2; ++high) {
    if (low_nibbles[high].empty()) continue;
    alternatives.push_back(grammar_.sequence({grammar_.literal(high == 0 ? "\\u000" : "\\u001"),
                                              grammar_.char_class(low_nibbles[high])}));
  }
  if (contains('"')) alternatives.push_back(grammar_.literal("\\\""));
  if (contains('\\')) alternatives.push_back(grammar_.literal("\\\\"));
  return grammar_.choice(std::move(alternatives));
}

ExprId StringEncoder::encode(ExprId decoded) {
  if (auto it = memo_.find(decoded); it != memo_.end()) return it->second;
  // Copy what is needed: the arena may grow while building.
  Expr e = grammar_.expr(decoded);
  ExprId result = decoded;
  switch (e.kind) {
    case ExprKind::kEmpty:
    case ExprKind::kNothing: break;
    case ExprKind::kLiteral: {
      std::string text;
      append_escaped(text, e.literal);
      result = grammar_.literal(text);
      break;
    }
    case ExprKind::kCharClass: result = encode_class(e.ranges); break;
    case ExprKind::kSequence:
    case ExprKind::kChoice:
    case ExprKind::kPermutation: {
      std::vector<ExprId> children;
      for (ExprId child : e.children) children.push_back(encode(child));
      result = ir::build_node(grammar_, e, std::move(children), e.rule);
      break;
    }
    case ExprKind::kRepeat: result = grammar_.repeat(encode(e.children[0]), e.min, e.max); break;
    case ExprKind::kRuleRef: {
      RuleId target = 0;
      if (auto it = rule_memo_.find(e.rule); it != rule_memo_.end()) {
        target = it->second;
      } else {
        target = grammar_.declare_rule(grammar_.rule(e.rule).name + "_json" + std::to_string(grammar_.rules().size()));
        rule_memo_[e.rule] = target;
        grammar_.set_body(target, encode(grammar_.rule(e.rule).body));
      }
      result = grammar_.ref(target);
      break;
    }
  }
  memo_[decoded] = result;
  return result;
}

std::string quote_json_string(std::string_view utf8) {
  std::string out = "\"";
  append_escaped(out, utf8);
  out += '"';
  return out;
}

std::string format_double(double value) {
  if (!std::isfinite(value)) return "null";
  std::string out;
  if (std::signbit(value)) {
    out += '-';
    value = -value;
  }
  if (value == 0) return out + "0.0";
  char buffer[64];
  auto res = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<size_t>(res.ptr - buffer));
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  int length = static_cast<int>(digits.size());
  // value = digits * 10^k; 10^(kk-1) <= value < 10^kk (ryu's pretty printer).
  int k = exponent - (length - 1);
  int kk = length + k;
  if (k >= 0 && kk <= 16) {
    out += digits;
    out.append(static_cast<size_t>(k), '0');
    out += ".0";
  } else if (kk > 0 && kk <= 16) {
    out += digits.substr(0, static_cast<size_t>(kk));
    out += '.';
    out += digits.substr(static_cast<size_t>(kk));
  } else if (kk > -5 && kk <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-kk), '0');
    out += digits;
  } else {
    out += digits[0];
    if (length > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += std::to_string(kk - 1);
  }
  return out;
}

namespace {

void write_compact(const Json& value, std::string& out) {
  // Explicit stack: instance documents may nest deeply.
  struct Frame {
    const Json* node;
    Json::const_iterator it;
    bool first;
  };
  std::vector<Frame> stack;
  auto open = [&](const Json& v) {
    switch (v.type()) {
      case Json::value_t::object:
        out += '{';
        stack.push_back({&v, v.begin(), true});
        return;
      case Json::value_t::array:
        out += '[';
        stack.push_back({&v, v.begin(), true});
        return;
      case Json::value_t::string: out += quote_json_string(v.get_ref<const std::string&>()); return;
      case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
      case Json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); return;
      case Json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); return;
      case Json::value_t::number_float: out += format_double(v.get<double>()); return;
      default: out += "null"; return;
    }
  };
  open(value);
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.it == top.node->end()) {
      out += top.node->is_object() ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (!top.first) out += ',';
    top.first = false;
    const Json* child = &*top.it;
    if (top.node->is_object()) {
      out += quote_json_string(top.it.key());
      out += ':';
    }
    ++top.it;
    open(*child);
  }
}

}  // namespace

std::string to_compact(const Json& value) {
  std::string out;
  write_compact(value, out);
  return out;
}

}  // namespace sluice::json_schema
