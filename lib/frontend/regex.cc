// Regex front-end, stage 2: syntax tree -> Grammar IR, and the public entry
// points compile_regex / lower_regex of sluice/frontend.h.
//
// Anchors. Without the multiline flag `^` holds only at offset 0 of the
// string and `$` only at its end, wherever they stand in the pattern
// (`a|^b`, `(^a)*`, `x^`). The IR has no assertions, so each sub-pattern is
// lowered to four anchor-free parts, part[s][e]: the strings it matches
// when it relies on a `^` (s = 1: the match must begin at the string start)
// and/or a `$` (e = 1: it must end at the string end). Concatenation,
// alternation and repetition combine parts exactly (see concat() and
// repeat()); a `^` after consumed text, or a `$` before it, leaves no part.
// At the top, kFullMatch takes the union of the parts, and kSearch pads
// every part not pinned to an end with `[^]*` on that side, which is JSON
// Schema's "matches anywhere". An unsatisfiable pattern lowers to nothing().
//
// A part used in two places is copied (the IR is a tree); only patterns
// with anchors inside groups do that, and RegexOptions::max_anchor_work
// bounds it together with the re-joining of sequences around such groups.
// Everything else is linear: runs of plain pieces are joined once, and the
// branches of an alternation are collected before one choice is built.
//
// Tested in tests/frontend/regex_lower_test.cc (tables and IR shape) and
// tests/frontend/regex_oracle_test.cc (differential against RE2).
#include <algorithm>
#include <string>

#include "frontend/utf8_text.h"
#include "frontend/regex.h"
#include "ir/analysis.h"
#include "ir/rewrite.h"

namespace sluice {

namespace regex {

std::vector<CodepointRange> digit_ranges() { return {{'0', '9'}}; }

std::vector<CodepointRange> word_ranges() { return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; }

std::vector<CodepointRange> whitespace_ranges() {
  return {{0x09, 0x0D}, {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
          {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
}

std::vector<CodepointRange> line_terminator_ranges() { return {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}; }

std::vector<CodepointRange> complement_ranges(std::vector<CodepointRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const CodepointRange& a, const CodepointRange& b) { return a.lo < b.lo; });
  std::vector<CodepointRange> out;
  uint32_t next = 0;
  for (const CodepointRange& r : ranges) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    next = std::max(next, r.hi + 1);
  }
  if (next <= kMaxCodepoint) out.push_back({next, kMaxCodepoint});
  return out;
}

}  // namespace regex

namespace {

constexpr ExprId kAbsent = ~ExprId{0};

struct LowerFailure {
  Error error;
};

// part[s][e], see the file comment; kAbsent where no string qualifies.
struct Parts {
  ExprId part[2][2] = {{kAbsent, kAbsent}, {kAbsent, kAbsent}};
  bool only_plain() const { return part[0][1] == kAbsent && part[1][0] == kAbsent && part[1][1] == kAbsent; }
};

bool is_surrogate(uint32_t cp) { return cp >= 0xD800 && cp <= 0xDFFF; }

// A set that is exactly one code point, written as a literal character.
bool single_codepoint(const regex::ast::CharSet& set, uint32_t* cp) {
  if (set.negated || set.ranges.size() != 1 || set.ranges[0].lo != set.ranges[0].hi) return false;
  *cp = set.ranges[0].lo;
  return true;
}

class Lowerer {
 public:
  Lowerer(Grammar& grammar, const RegexOptions& options) : g_(grammar), options_(options) {}

  ExprId run(const regex::ast::Alternation& tree) {
    Parts parts = lower(tree);
    if (options_.mode == RegexMatchMode::kFullMatch) {
      std::vector<ExprId> all;
      for (auto& row : parts.part) {
        for (ExprId id : row) {
          if (id != kAbsent) all.push_back(id);
        }
      }
      return g_.choice(std::move(all));
    }
    auto present = [&](int s, int e) { return parts.part[s][e] != kAbsent; };
    auto nullable_part = [&](int s, int e) { return present(s, e) && nullable(parts.part[s][e]); };
    // A part that matches the empty string without being pinned to both
    // ends matches inside every string.
    if (nullable_part(0, 0) || nullable_part(1, 0) || nullable_part(0, 1)) return any_string();
    std::vector<ExprId> branches;
    if (present(0, 0)) branches.push_back(g_.sequence({any_string(), parts.part[0][0], any_string()}));
    if (present(1, 0)) branches.push_back(g_.sequence({parts.part[1][0], any_string()}));
    if (present(0, 1)) branches.push_back(g_.sequence({any_string(), parts.part[0][1]}));
    if (present(1, 1)) branches.push_back(parts.part[1][1]);
    return g_.choice(std::move(branches));
  }

 private:
  // Hands out each part once as it is and as a copy after that, so that no
  // expression gets two parents. One Use per combining step: the Parts it
  // combines are consumed by that step.
  class Use {
   public:
    explicit Use(Lowerer& lowerer) : lowerer_(lowerer) {}
    ExprId operator()(ExprId id) {
      if (std::find(seen_.begin(), seen_.end(), id) != seen_.end()) return lowerer_.clone(id);
      seen_.push_back(id);
      return id;
    }

   private:
    Lowerer& lowerer_;
    std::vector<ExprId> seen_;
  };

  ExprId any_string() { return g_.star(g_.char_class({{0, kMaxCodepoint}})); }

  void add(Parts& parts, int s, int e, ExprId expr) {
    if (g_.expr(expr).kind == ExprKind::kNothing) return;
    ExprId& slot = parts.part[s][e];
    slot = slot == kAbsent ? expr : g_.choice({slot, expr});
  }

  bool nullable(ExprId id) {
    if (id >= nullable_memo_.size()) nullable_memo_.resize(g_.expr_count(), -1);
    if (nullable_memo_[id] >= 0) return nullable_memo_[id] != 0;
    const Expr& e = g_.expr(id);
    bool result = false;
    switch (e.kind) {
      case ExprKind::kEmpty: result = true; break;
      case ExprKind::kNothing:
      case ExprKind::kLiteral:
      case ExprKind::kCharClass:
      case ExprKind::kRuleRef: result = false; break;
      case ExprKind::kSequence:
        result = std::all_of(e.children.begin(), e.children.end(), [&](ExprId c) { return nullable(c); });
        break;
      case ExprKind::kChoice:
        result = std::any_of(e.children.begin(), e.children.end(), [&](ExprId c) { return nullable(c); });
        break;
      case ExprKind::kRepeat: result = e.min == 0 || nullable(e.children[0]); break;
      case ExprKind::kPermutation: {
        uint64_t nullable_members = 0;
        for (size_t i = 1; i < e.children.size(); ++i) {
          if (nullable(e.children[i])) nullable_members |= uint64_t{1} << (i - 1);
        }
        result = ir::permutation_completable(ir::PermutationLimits::of(e), 0, 0, nullable_members, nullable(e.children[0]));
        break;
      }
    }
    nullable_memo_[id] = result ? 1 : 0;
    return result;
  }

  void charge(uint64_t work) {
    anchor_work_ += work;
    if (anchor_work_ > options_.max_anchor_work) {
      throw LowerFailure{make_error(ErrorCode::kBudgetExceeded,
                                    "anchors inside groups need more than max_anchor_work (" +
                                        std::to_string(options_.max_anchor_work) +
                                        ") copied or re-joined expressions")};
    }
  }

  // The work of joining `id` into a new sequence beyond a constant: a
  // sequence's items are copied into the new one.
  uint64_t join_cost(ExprId id) const {
    const Expr& e = g_.expr(id);
    return e.kind == ExprKind::kSequence ? e.children.size() : 0;
  }

  ExprId clone(ExprId id) {
    charge(1);
    Expr e = g_.expr(id);  // a copy: building below may move the arena
    switch (e.kind) {
      case ExprKind::kEmpty: return g_.empty();
      case ExprKind::kNothing: return g_.nothing();
      case ExprKind::kLiteral: return g_.literal(e.literal);
      case ExprKind::kCharClass: return g_.char_class(e.ranges);
      case ExprKind::kRuleRef: return g_.ref(e.rule);
      case ExprKind::kRepeat: return g_.repeat(clone(e.children[0]), e.min, e.max);
      case ExprKind::kSequence:
      case ExprKind::kChoice:
      case ExprKind::kPermutation: {
        std::vector<ExprId> children;
        for (ExprId c : e.children) children.push_back(clone(c));
        return ir::build_node(g_, e, std::move(children), e.rule);
      }
    }
    return g_.nothing();
  }

  Parts plain(ExprId expr) {
    Parts parts;
    add(parts, 0, 0, expr);
    return parts;
  }

  Parts lower(const regex::ast::Alternation& alternation) {
    std::vector<ExprId> branches[2][2];
    for (const regex::ast::Sequence& branch : alternation) {
      Parts parts = lower(branch);
      for (int s = 0; s < 2; ++s) {
        for (int e = 0; e < 2; ++e) {
          if (parts.part[s][e] != kAbsent) branches[s][e].push_back(parts.part[s][e]);
        }
      }
    }
    Parts out;
    for (int s = 0; s < 2; ++s) {
      for (int e = 0; e < 2; ++e) {
        if (!branches[s][e].empty()) add(out, s, e, g_.choice(std::move(branches[s][e])));
      }
    }
    return out;
  }

  Parts lower(const regex::ast::Sequence& sequence) {
    Parts acc = plain(g_.empty());
    // Plain items not yet joined to acc: they are joined in one step, so a
    // long sequence costs linear time.
    std::vector<ExprId> pending;
    auto flush = [&] {
      if (pending.empty()) return;
      acc = concat(acc, plain(g_.sequence(std::move(pending))));
      pending.clear();
    };
    for (size_t i = 0; i < sequence.size();) {
      // A run of plain characters becomes one literal.
      std::string text;
      uint32_t cp;
      size_t j = i;
      while (j < sequence.size() && !sequence[j].quantifier) {
        const auto* set = std::get_if<regex::ast::CharSet>(&sequence[j].atom);
        if (!set || !single_codepoint(*set, &cp) || is_surrogate(cp)) break;
        utf8::append(text, cp);
        ++j;
      }
      Parts next;
      if (j > i) {
        next = plain(g_.literal(text));
        i = j;
      } else {
        next = lower(sequence[i]);
        ++i;
      }
      if (next.only_plain()) {
        if (next.part[0][0] == kAbsent) return Parts();
        pending.push_back(next.part[0][0]);
        continue;
      }
      flush();
      acc = concat(acc, next);
    }
    flush();
    return acc;
  }

  Parts lower(const regex::ast::Piece& piece) {
    Parts parts;
    if (const auto* set = std::get_if<regex::ast::CharSet>(&piece.atom)) {
      uint32_t cp;
      if (single_codepoint(*set, &cp) && !is_surrogate(cp)) {
        std::string text;
        utf8::append(text, cp);
        parts = plain(g_.literal(text));
      } else {
        parts = plain(g_.char_class(set->ranges, set->negated));
      }
    } else if (const auto* assertion = std::get_if<regex::ast::Assertion>(&piece.atom)) {
      // The parser never quantifies an anchor (`^*` is "nothing to repeat").
      add(parts, assertion->kind == regex::ast::AssertionKind::kStart ? 1 : 0,
          assertion->kind == regex::ast::AssertionKind::kEnd ? 1 : 0, g_.empty());
    } else {
      parts = lower(*std::get<std::unique_ptr<regex::ast::Alternation>>(piece.atom));
    }
    if (!piece.quantifier) return parts;
    return repeat(parts, piece.quantifier->min, piece.quantifier->max);
  }

  // Matches of A then F. A `^` in F can hold only if A consumed nothing, and
  // a `$` in A only if F consumes nothing.
  Parts concat(const Parts& a, const Parts& f) {
    Use use(*this);
    bool anchored = !a.only_plain() || !f.only_plain();
    Parts out;
    for (int s1 = 0; s1 < 2; ++s1) {
      for (int e1 = 0; e1 < 2; ++e1) {
        ExprId x = a.part[s1][e1];
        if (x == kAbsent) continue;
        for (int s2 = 0; s2 < 2; ++s2) {
          for (int e2 = 0; e2 < 2; ++e2) {
            ExprId y = f.part[s2][e2];
            if (y == kAbsent) continue;
            if (e1 == 0 && s2 == 0) {
              if (anchored) charge(join_cost(x) + join_cost(y));
              add(out, s1, e2, g_.sequence({use(x), use(y)}));
            } else if (e1 == 0) {
              if (nullable(x)) add(out, 1, e2, use(y));
            } else if (s2 == 0) {
              if (nullable(y)) add(out, s1, 1, use(x));
            } else if (nullable(x) && nullable(y)) {
              add(out, 1, 1, g_.empty());
            }
          }
        }
      }
    }
    return out;
  }

  // Matches of P{min,max}. With plain iterations B = P[0][0], any match is
  //   [iterations that match "" ] [one ^-part or none] B* [one $-part or
  //   none] [iterations that match ""]
  // because an iteration relying on `^` must follow only empty iterations
  // and one relying on `$` must precede only empty ones. The empty
  // iterations count towards min, so they lower B's minimum to 0 when one
  // of the parts allowed there can match "". A part relying on both
  // anchors stands alone between empty iterations.
  Parts repeat(const Parts& p, uint32_t min, uint32_t max) {
    ExprId b = p.part[0][0];
    if (p.only_plain()) {
      // A group that matches nothing (`(x^)*`, `[]*`) still matches zero times.
      if (b == kAbsent) return plain(min == 0 ? g_.empty() : g_.nothing());
      return plain(g_.repeat(b, min, max));
    }
    Use use(*this);
    auto can_be_empty = [&](int s, int e) { return p.part[s][e] != kAbsent && nullable(p.part[s][e]); };
    auto plain_run = [&](uint32_t lo, uint32_t hi) {
      if (b == kAbsent) return lo == 0 ? g_.empty() : g_.nothing();
      return g_.repeat(use(b), lo, hi);
    };
    Parts out;
    add(out, 0, 0, plain_run(min, max));
    enum class Edge { kNone, kEmptyIterations, kAnchoredPart };
    const Edge edges[] = {Edge::kNone, Edge::kEmptyIterations, Edge::kAnchoredPart};
    for (Edge head : edges) {
      for (Edge tail : edges) {
        if (head == Edge::kNone && tail == Edge::kNone) continue;
        if (head == Edge::kEmptyIterations && !can_be_empty(1, 0)) continue;
        if (head == Edge::kAnchoredPart && p.part[1][0] == kAbsent) continue;
        if (tail == Edge::kEmptyIterations && !can_be_empty(0, 1)) continue;
        if (tail == Edge::kAnchoredPart && p.part[0][1] == kAbsent) continue;
        uint32_t taken = (head != Edge::kNone ? 1 : 0) + (tail != Edge::kNone ? 1 : 0);
        if (max != kUnbounded && max < taken) continue;
        bool padding = can_be_empty(0, 0) || (head != Edge::kNone && can_be_empty(1, 0)) ||
                       (tail != Edge::kNone && can_be_empty(0, 1));
        uint32_t lo = padding || min <= taken ? 0 : min - taken;
        uint32_t hi = max == kUnbounded ? kUnbounded : max - taken;
        ExprId head_expr = head == Edge::kAnchoredPart ? use(p.part[1][0]) : g_.empty();
        ExprId middle = plain_run(lo, hi);
        ExprId tail_expr = tail == Edge::kAnchoredPart ? use(p.part[0][1]) : g_.empty();
        add(out, head != Edge::kNone ? 1 : 0, tail != Edge::kNone ? 1 : 0,
            g_.sequence({head_expr, middle, tail_expr}));
      }
    }
    if (p.part[1][1] != kAbsent && max >= 1) {
      bool padding = can_be_empty(0, 0) || can_be_empty(1, 0) || can_be_empty(0, 1);
      if (min <= 1 || padding) {
        add(out, 1, 1, use(p.part[1][1]));
      } else if (can_be_empty(1, 1)) {
        add(out, 1, 1, g_.empty());
      }
    }
    return out;
  }

  Grammar& g_;
  const RegexOptions& options_;
  std::vector<int8_t> nullable_memo_;
  uint64_t anchor_work_ = 0;
};

}  // namespace

Result<ExprId> lower_regex(Grammar& grammar, std::string_view pattern, const RegexOptions& options) {
  Result<regex::ast::Alternation> tree = regex::parse(pattern, options);
  if (!tree.ok()) return tree.error();
  try {
    Lowerer lowerer(grammar, options);
    return lowerer.run(*tree);
  } catch (const LowerFailure& failure) {
    return failure.error;
  }
}

Result<Grammar> compile_regex(std::string_view pattern, const RegexOptions& options) {
  Grammar grammar;
  RuleId root = grammar.declare_rule("root");
  Result<ExprId> body = lower_regex(grammar, pattern, options);
  if (!body.ok()) return body.error();
  if (grammar.expr(*body).kind == ExprKind::kNothing) {
    return make_error(ErrorCode::kUnsatisfiable,
                      "pattern can never match (an anchor that cannot hold, as in 'a^b', or an empty class)",
                      Location::at_offset(0));
  }
  grammar.set_body(root, *body);
  grammar.set_root(root);
  Status valid = grammar.validate();
  if (!valid.ok()) return valid.error();
  return grammar;
}

}  // namespace sluice
