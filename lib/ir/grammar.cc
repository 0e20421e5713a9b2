// Implements the Grammar builder and printer of sluice/grammar.h.
// Tested in tests/ir/grammar_test.cc.
#include <algorithm>
#include <cstdio>

#include "sluice/grammar.h"

namespace sluice {

namespace {

constexpr uint32_t kSurrogateLo = 0xD800;
constexpr uint32_t kSurrogateHi = 0xDFFF;

// Sorts, merges overlapping and adjacent ranges, clamps to the Unicode range
// and removes surrogates, which no UTF-8 text can contain.
std::vector<CodepointRange> normalise(std::vector<CodepointRange> ranges) {
  std::vector<CodepointRange> clamped;
  for (CodepointRange r : ranges) {
    if (r.lo > r.hi || r.lo > kMaxCodepoint) continue;
    r.hi = std::min(r.hi, kMaxCodepoint);
    if (r.lo < kSurrogateLo && r.hi > kSurrogateHi) {
      clamped.push_back({r.lo, kSurrogateLo - 1});
      clamped.push_back({kSurrogateHi + 1, r.hi});
    } else if (r.lo >= kSurrogateLo && r.hi <= kSurrogateHi) {
      continue;
    } else if (r.lo >= kSurrogateLo && r.lo <= kSurrogateHi) {
      clamped.push_back({kSurrogateHi + 1, r.hi});
    } else if (r.hi >= kSurrogateLo && r.hi <= kSurrogateHi) {
      clamped.push_back({r.lo, kSurrogateLo - 1});
    } else {
      clamped.push_back(r);
    }
  }
  std::sort(clamped.begin(), clamped.end(),
            [](const CodepointRange& a, const CodepointRange& b) { return a.lo < b.lo; });
  std::vector<CodepointRange> merged;
  for (const CodepointRange& r : clamped) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  // Merging across the surrogate gap is harmless: the gap is re-cut below.
  std::vector<CodepointRange> result;
  for (const CodepointRange& r : merged) {
    if (r.lo < kSurrogateLo && r.hi > kSurrogateHi) {
      result.push_back({r.lo, kSurrogateLo - 1});
      result.push_back({kSurrogateHi + 1, r.hi});
    } else {
      result.push_back(r);
    }
  }
  return result;
}

std::vector<CodepointRange> complement(const std::vector<CodepointRange>& ranges) {
  std::vector<CodepointRange> out;
  uint32_t next = 0;
  for (const CodepointRange& r : ranges) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxCodepoint) out.push_back({next, kMaxCodepoint});
  return normalise(std::move(out));
}

void append_codepoint_escaped(std::string& out, uint32_t cp, bool in_class) {
  auto hex = [&](const char* prefix, int digits) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%s%0*X", prefix, digits, cp);
    out += buffer;
  };
  switch (cp) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\\': out += "\\\\"; return;
    case '"': out += in_class ? "\"" : "\\\""; return;
    default: break;
  }
  if (in_class && (cp == ']' || cp == '-' || cp == '^')) {
    out += '\\';
    out += static_cast<char>(cp);
    return;
  }
  if (cp < 0x20 || cp == 0x7F) return hex("\\x", 2);
  if (cp < 0x80) {
    out += static_cast<char>(cp);
    return;
  }
  if (cp <= 0xFFFF) return hex("\\u", 4);
  hex("\\U", 8);
}

// Decodes one code point of valid UTF-8 (the builder only accepts valid text).
uint32_t decode_utf8(std::string_view text, size_t* index) {
  unsigned char lead = static_cast<unsigned char>(text[*index]);
  int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  uint32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
  for (int i = 1; i < length && *index + i < text.size(); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[*index + i]) & 0x3F);
  }
  *index += length;
  return cp;
}

}  // namespace

RuleId Grammar::declare_rule(std::string_view name) {
  RuleId existing;
  if (find_rule(name, &existing)) return existing;
  rules_.push_back(Rule{std::string(name), 0, 0, 0});
  has_body_.push_back(false);
  RuleId id = static_cast<RuleId>(rules_.size() - 1);
  rule_index_.emplace(rules_.back().name, id);
  return id;
}

void Grammar::set_body(RuleId rule, ExprId body) {
  rules_[rule].body = body;
  has_body_[rule] = true;
}

void Grammar::set_rule_location(RuleId rule, uint32_t line, uint32_t column) {
  rules_[rule].line = line;
  rules_[rule].column = column;
}

bool Grammar::find_rule(std::string_view name, RuleId* out) const {
  auto found = rule_index_.find(std::string(name));
  if (found == rule_index_.end()) return false;
  *out = found->second;
  return true;
}

ExprId Grammar::add(Expr expr) {
  exprs_.push_back(std::move(expr));
  return static_cast<ExprId>(exprs_.size() - 1);
}

ExprId Grammar::empty() {
  Expr expr;
  expr.kind = ExprKind::kEmpty;
  return add(std::move(expr));
}

ExprId Grammar::nothing() {
  Expr expr;
  expr.kind = ExprKind::kNothing;
  return add(std::move(expr));
}

ExprId Grammar::literal(std::string_view utf8) {
  if (utf8.empty()) return empty();
  Expr expr;
  expr.kind = ExprKind::kLiteral;
  expr.literal = std::string(utf8);
  return add(std::move(expr));
}

ExprId Grammar::char_class(std::vector<CodepointRange> ranges, bool negated) {
  std::vector<CodepointRange> normal = normalise(std::move(ranges));
  if (negated) normal = complement(normal);
  if (normal.empty()) return nothing();
  Expr expr;
  expr.kind = ExprKind::kCharClass;
  expr.ranges = std::move(normal);
  return add(std::move(expr));
}

ExprId Grammar::sequence(std::vector<ExprId> items) {
  std::vector<ExprId> flat;
  for (ExprId item : items) {
    const Expr& e = exprs_[item];
    if (e.kind == ExprKind::kNothing) return nothing();
    if (e.kind == ExprKind::kEmpty) continue;
    if (e.kind == ExprKind::kSequence) {
      flat.insert(flat.end(), e.children.begin(), e.children.end());
    } else {
      flat.push_back(item);
    }
  }
  if (flat.empty()) return empty();
  if (flat.size() == 1) return flat[0];
  Expr expr;
  expr.kind = ExprKind::kSequence;
  expr.children = std::move(flat);
  return add(std::move(expr));
}

ExprId Grammar::choice(std::vector<ExprId> items) {
  std::vector<ExprId> flat;
  for (ExprId item : items) {
    const Expr& e = exprs_[item];
    if (e.kind == ExprKind::kNothing) continue;
    if (e.kind == ExprKind::kChoice) {
      flat.insert(flat.end(), e.children.begin(), e.children.end());
    } else {
      flat.push_back(item);
    }
  }
  if (flat.empty()) return nothing();
  if (flat.size() == 1) return flat[0];
  Expr expr;
  expr.kind = ExprKind::kChoice;
  expr.children = std::move(flat);
  return add(std::move(expr));
}

ExprId Grammar::repeat(ExprId item, uint32_t min, uint32_t max) {
  if (max == 0) return empty();
  if (min == 1 && max == 1) return item;
  const Expr& e = exprs_[item];
  if (e.kind == ExprKind::kEmpty) return empty();
  if (e.kind == ExprKind::kNothing) return min == 0 ? empty() : nothing();
  Expr expr;
  expr.kind = ExprKind::kRepeat;
  expr.min = min;
  expr.max = max;
  expr.children = {item};
  return add(std::move(expr));
}

ExprId Grammar::ref(RuleId rule) {
  Expr expr;
  expr.kind = ExprKind::kRuleRef;
  expr.rule = rule;
  return add(std::move(expr));
}

ExprId Grammar::permutation(ExprId separator, std::vector<ExprId> members, uint64_t required, uint64_t repeatable,
                            uint32_t min, uint32_t max, std::vector<PermutationDependency> dependencies) {
  auto dead_members = [&] {
    uint64_t dead = 0;
    for (size_t i = 0; i < members.size() && i < 64; ++i) {
      if (exprs_[members[i]].kind == ExprKind::kNothing) dead |= uint64_t{1} << i;
    }
    return dead;
  };
  uint64_t dead = dead_members();
  for (bool changed = !dependencies.empty(); changed;) {
    changed = false;
    for (const PermutationDependency& d : dependencies) {
      if (!d.trigger || (d.trigger & dead)) continue;
      if (std::all_of(d.needs.begin(), d.needs.end(), [&](uint64_t need) { return (need & dead) != 0; })) {
        members[static_cast<size_t>(__builtin_ctzll(d.trigger))] = nothing();
        dead = dead_members();
        changed = true;
      }
    }
  }
  std::vector<ExprId> kept;
  std::vector<uint64_t> new_bit(std::min<size_t>(members.size(), 64), 0);
  uint64_t kept_required = 0, kept_repeatable = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    const bool is_required = i < 64 && (required >> i & 1);
    if (exprs_[members[i]].kind == ExprKind::kNothing) {
      if (is_required) return nothing();
      continue;
    }
    if (kept.size() < 64) {
      const uint64_t bit = uint64_t{1} << kept.size();
      if (is_required) kept_required |= bit;
      if (i < 64 && (repeatable >> i & 1)) kept_repeatable |= bit;
      if (i < 64) new_bit[i] = bit;
    }
    kept.push_back(members[i]);
  }
  auto remap = [&](uint64_t mask) {
    uint64_t out = 0;
    for (; mask; mask &= mask - 1) out |= new_bit[static_cast<size_t>(__builtin_ctzll(mask))];
    return out;
  };
  std::vector<PermutationDependency> kept_dependencies;
  uint64_t triggers = 0;
  for (const PermutationDependency& d : dependencies) {
    if (!d.trigger || (d.trigger & dead)) continue;
    PermutationDependency r{remap(d.trigger), {}};
    bool always = false;
    for (uint64_t need : d.needs) {
      if (need & dead) continue;
      const uint64_t mapped = remap(need);
      always = always || (mapped & ~(r.trigger | kept_required)) == 0;
      r.needs.push_back(mapped);
    }
    if (always) continue;
    triggers |= r.trigger;
    kept_dependencies.push_back(std::move(r));
  }
  const auto required_count = static_cast<uint32_t>(__builtin_popcountll(kept_required));
  if (min > max || required_count > max) return nothing();
  if (kept.empty()) return min == 0 ? empty() : nothing();
  if (max == 0) return empty();
  if (exprs_[separator].kind == ExprKind::kNothing) {
    // At most one member can be written, and a trigger left here needs
    // another member with it.
    if (min > 1 || required_count > 1 || (kept_required & triggers)) return nothing();
    if (required_count == 1) return kept[static_cast<size_t>(__builtin_ctzll(kept_required))];
    std::vector<ExprId> alone;
    for (size_t i = 0; i < kept.size(); ++i) {
      if (i >= 64 || !(triggers >> i & 1)) alone.push_back(kept[i]);
    }
    ExprId any = choice(std::move(alone));
    return min == 0 ? optional(any) : any;
  }
  Expr expr;
  expr.kind = ExprKind::kPermutation;
  expr.min = min;
  expr.max = max;
  expr.required = kept_required;
  expr.repeatable = kept_repeatable;
  expr.dependencies = std::move(kept_dependencies);
  expr.children.push_back(separator);
  expr.children.insert(expr.children.end(), kept.begin(), kept.end());
  return add(std::move(expr));
}

Status Grammar::validate() const {
  if (rules_.empty()) return make_error(ErrorCode::kInvalidArgument, "grammar has no rules");
  if (root_ >= rules_.size()) return make_error(ErrorCode::kInvalidArgument, "root rule does not exist");
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!has_body_[i]) {
      return make_error(ErrorCode::kUnresolvedRef, "rule '" + rules_[i].name + "' is used but never defined",
                        Location::at(rules_[i].line, rules_[i].column));
    }
    if (rules_[i].body >= exprs_.size()) {
      return make_error(ErrorCode::kInternal, "rule '" + rules_[i].name + "' has an out-of-range body");
    }
  }
  for (const Expr& e : exprs_) {
    if (e.kind == ExprKind::kRuleRef && e.rule >= rules_.size()) {
      return make_error(ErrorCode::kInternal, "reference to rule id " + std::to_string(e.rule) + " out of range");
    }
    for (ExprId child : e.children) {
      if (child >= exprs_.size()) return make_error(ErrorCode::kInternal, "expression child out of range");
    }
    if (e.kind == ExprKind::kPermutation) {
      const size_t members = e.children.size() - 1;
      if (e.children.size() < 2 || members > kMaxPermutationMembers) {
        return make_error(ErrorCode::kBudgetExceeded, "a permutation has " + std::to_string(members) +
                                                          " members; at most " +
                                                          std::to_string(kMaxPermutationMembers) + " are tracked");
      }
      if (!permutation_fits(members, e.min, e.max)) {
        return make_error(ErrorCode::kBudgetExceeded,
                          "a permutation of " + std::to_string(members) + " members with count bounds " +
                              std::to_string(e.min) + ".." + (e.max == kUnbounded ? "" : std::to_string(e.max)) +
                              " does not fit its frame word");
      }
      const uint64_t member_bits = (uint64_t{1} << members) - 1;
      uint64_t dependency_bits = 0;
      for (const PermutationDependency& d : e.dependencies) {
        dependency_bits |= d.trigger;
        for (uint64_t need : d.needs) dependency_bits |= need;
      }
      if ((e.required | e.repeatable | dependency_bits) & ~member_bits) {
        return make_error(ErrorCode::kInternal, "permutation mask names a member that does not exist");
      }
    }
  }
  return {};
}

namespace {

// Binding strength, for parenthesising only where needed.
int precedence(ExprKind kind) {
  switch (kind) {
    case ExprKind::kChoice: return 0;
    case ExprKind::kSequence: return 1;
    case ExprKind::kRepeat: return 2;
    default: return 3;
  }
}

void print_expr(const Grammar& g, ExprId id, int context, std::string& out) {
  const Expr& e = g.expr(id);
  bool parens = precedence(e.kind) < context;
  if (parens) out += "(";
  switch (e.kind) {
    case ExprKind::kEmpty: out += "\"\""; break;
    case ExprKind::kNothing: out += "[^\\x00-\\U0010FFFF]"; break;
    case ExprKind::kLiteral: {
      out += '"';
      for (size_t i = 0; i < e.literal.size();) {
        append_codepoint_escaped(out, decode_utf8(e.literal, &i), false);
      }
      out += '"';
      break;
    }
    case ExprKind::kCharClass: {
      out += '[';
      for (const CodepointRange& r : e.ranges) {
        append_codepoint_escaped(out, r.lo, true);
        if (r.hi != r.lo) {
          out += '-';
          append_codepoint_escaped(out, r.hi, true);
        }
      }
      out += ']';
      break;
    }
    case ExprKind::kSequence:
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i) out += ' ';
        print_expr(g, e.children[i], 2, out);
      }
      break;
    case ExprKind::kChoice:
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i) out += " | ";
        print_expr(g, e.children[i], 1, out);
      }
      break;
    case ExprKind::kRepeat: {
      print_expr(g, e.children[0], 3, out);
      if (e.min == 0 && e.max == 1) {
        out += '?';
      } else if (e.min == 0 && e.max == kUnbounded) {
        out += '*';
      } else if (e.min == 1 && e.max == kUnbounded) {
        out += '+';
      } else if (e.max == kUnbounded) {
        out += "{" + std::to_string(e.min) + ",}";
      } else if (e.min == e.max) {
        out += "{" + std::to_string(e.min) + "}";
      } else {
        out += "{" + std::to_string(e.min) + "," + std::to_string(e.max) + "}";
      }
      break;
    }
    case ExprKind::kRuleRef: out += g.rule(e.rule).name; break;
    case ExprKind::kPermutation: {
      // GBNF has no such operator; this form is for reading only.
      out += "permutation<";
      print_expr(g, e.children[0], 0, out);
      for (size_t i = 1; i < e.children.size(); ++i) {
        out += i == 1 ? "; " : ", ";
        print_expr(g, e.children[i], 2, out);
        const uint64_t bit = uint64_t{1} << (i - 1);
        if (e.required & bit) out += '!';
        if (e.repeatable & bit) out += '*';
      }
      for (const PermutationDependency& d : e.dependencies) {
        // "; 3 -> 1 2 | 4": when member 3 is written, so are 1 and 2, or 4.
        out += "; " + std::to_string(__builtin_ctzll(d.trigger)) + " ->";
        for (size_t k = 0; k < d.needs.size(); ++k) {
          if (k > 0) out += " |";
          for (uint64_t need = d.needs[k]; need; need &= need - 1) out += " " + std::to_string(__builtin_ctzll(need));
        }
      }
      out += ">";
      if (e.min != 0 || e.max != kUnbounded) {
        out += "{" + std::to_string(e.min) + "," + (e.max == kUnbounded ? "" : std::to_string(e.max)) + "}";
      }
      break;
    }
  }
  if (parens) out += ")";
}

}  // namespace

std::string Grammar::to_string() const {
  std::string out;
  auto print_rule = [&](size_t i) {
    out += rules_[i].name + " ::= ";
    if (has_body_[i]) print_expr(*this, rules_[i].body, 0, out);
    out += "\n";
  };
  if (root_ < rules_.size()) print_rule(root_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (i != root_) print_rule(i);
  }
  return out;
}

}  // namespace sluice
