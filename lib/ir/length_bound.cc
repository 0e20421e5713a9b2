// Implements ir/length_bound.h.
#include "ir/length_bound.h"

#include <algorithm>
#include <vector>

namespace sluice::ir {

namespace {

// Deeper expressions are not rewritten (nullopt), which keeps the
// recursion far from the C stack's limit.
constexpr int kMaxDepth = 200;

struct Span {
  uint64_t min = 0;
  uint64_t max = 0;  // kNoLengthLimit: unbounded
  bool known = true;
};

uint64_t add(uint64_t a, uint64_t b) { return (a == kNoLengthLimit || b == kNoLengthLimit || a + b < a) ? kNoLengthLimit : a + b; }

uint64_t mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a == kNoLengthLimit || b == kNoLengthLimit || a > kNoLengthLimit / b) return kNoLengthLimit;
  return a * b;
}

uint64_t code_points(const std::string& utf8) {
  uint64_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

class Bounder {
 public:
  explicit Bounder(Grammar& g) : g_(g) {}

  Span span(ExprId id, int depth) {
    if (depth > kMaxDepth) return {0, 0, false};
    const Expr& e = g_.expr(id);
    switch (e.kind) {
      case ExprKind::kEmpty:
        return {0, 0, true};
      case ExprKind::kNothing:
        return {kNoLengthLimit, 0, true};
      case ExprKind::kLiteral: {
        const uint64_t n = code_points(e.literal);
        return {n, n, true};
      }
      case ExprKind::kCharClass:
        return {1, 1, true};
      case ExprKind::kSequence: {
        Span total;
        for (ExprId c : e.children) {
          Span s = span(c, depth + 1);
          if (!s.known) return s;
          total.min = add(total.min, s.min);
          total.max = add(total.max, s.max);
        }
        return total;
      }
      case ExprKind::kChoice: {
        Span total{kNoLengthLimit, 0, true};
        for (ExprId c : e.children) {
          Span s = span(c, depth + 1);
          if (!s.known) return s;
          total.min = std::min(total.min, s.min);
          total.max = std::max(total.max, s.max);
        }
        return total;
      }
      case ExprKind::kRepeat: {
        Span s = span(e.children[0], depth + 1);
        if (!s.known) return s;
        const uint64_t max_count = e.max == kUnbounded ? kNoLengthLimit : e.max;
        return {mul(s.min, e.min), s.max == 0 ? 0 : mul(s.max, max_count), true};
      }
      case ExprKind::kRuleRef:
      case ExprKind::kPermutation:
        return {0, 0, false};
    }
    return {0, 0, false};
  }

  std::optional<ExprId> bound(ExprId id, uint64_t lo, uint64_t hi, int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    Span s = span(id, depth);
    if (!s.known) return std::nullopt;
    if (s.min > s.max || s.min > hi || s.max < lo) return g_.nothing();
    if (s.min >= lo && s.max <= hi) return id;
    const Expr e = g_.expr(id);  // a copy: building may move the node table
    switch (e.kind) {
      case ExprKind::kChoice: {
        std::vector<ExprId> branches;
        for (ExprId c : e.children) {
          std::optional<ExprId> b = bound(c, lo, hi, depth + 1);
          if (!b) return std::nullopt;
          branches.push_back(*b);
        }
        return g_.choice(std::move(branches));
      }
      case ExprKind::kRepeat: {
        Span item = span(e.children[0], depth + 1);
        if (item.min != item.max || item.min == 0) return std::nullopt;
        const uint64_t length = item.min;
        const uint64_t first = std::max<uint64_t>(e.min, (lo + length - 1) / length);
        uint64_t last = e.max == kUnbounded ? kNoLengthLimit : e.max;
        if (hi != kNoLengthLimit) last = std::min(last, hi / length);
        if (first > last) return g_.nothing();
        if (first >= kUnbounded) return std::nullopt;
        const uint32_t max = last >= kUnbounded ? kUnbounded : static_cast<uint32_t>(last);
        return g_.repeat(e.children[0], static_cast<uint32_t>(first), max);
      }
      case ExprKind::kSequence: {
        uint64_t fixed = 0;
        size_t variable = e.children.size();
        for (size_t i = 0; i < e.children.size(); ++i) {
          Span c = span(e.children[i], depth + 1);
          if (c.min == c.max) {
            fixed = add(fixed, c.min);
          } else if (variable == e.children.size()) {
            variable = i;
          } else {
            return std::nullopt;
          }
        }
        if (variable == e.children.size()) return std::nullopt;
        if (fixed > hi) return g_.nothing();
        const uint64_t part_lo = lo > fixed ? lo - fixed : 0;
        const uint64_t part_hi = hi == kNoLengthLimit ? kNoLengthLimit : hi - fixed;
        std::optional<ExprId> part = bound(e.children[variable], part_lo, part_hi, depth + 1);
        if (!part) return std::nullopt;
        std::vector<ExprId> items = e.children;
        items[variable] = *part;
        return g_.sequence(std::move(items));
      }
      default:
        return std::nullopt;
    }
  }

 private:
  Grammar& g_;
};

}  // namespace

std::optional<ExprId> intersect_length(Grammar& grammar, ExprId e, uint64_t lo, uint64_t hi) {
  return Bounder(grammar).bound(e, lo, hi, 0);
}

}  // namespace sluice::ir
