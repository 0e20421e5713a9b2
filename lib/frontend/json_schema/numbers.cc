// Digit automata for numeric bounds and multipleOf; see numbers.h.
// Tested in tests/json_schema/numbers_test.cc.
#include "frontend/json_schema/numbers.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>
#include <vector>

namespace sluice::json_schema {

Decimal Decimal::negated() const {
  Decimal d = *this;
  d.negative = !is_zero() && !negative;
  return d;
}

std::string Decimal::to_string() const {
  std::string out = negative ? "-" : "";
  out += int_digits.empty() ? "0" : int_digits;
  if (!frac_digits.empty()) out += "." + frac_digits;
  return out;
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  std::string digits;
  long long point = -1;
  for (; i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      if (point >= 0) return std::nullopt;
      point = static_cast<long long>(digits.size());
    } else {
      digits += text[i];
    }
  }
  if (digits.empty()) return std::nullopt;
  if (point < 0) point = static_cast<long long>(digits.size());
  long long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i >= text.size()) return std::nullopt;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      // Bounds beyond 10^100000 are treated as malformed rather than
      // expanded into that many digits.
      if (exponent > 100000) return std::nullopt;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  point += exponent;
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (point > static_cast<long long>(digits.size())) digits.append(static_cast<size_t>(point) - digits.size(), '0');
  Decimal d;
  d.int_digits = digits.substr(0, static_cast<size_t>(point));
  d.frac_digits = digits.substr(static_cast<size_t>(point));
  d.int_digits.erase(0, std::min(d.int_digits.find_first_not_of('0'), d.int_digits.size()));
  while (!d.frac_digits.empty() && d.frac_digits.back() == '0') d.frac_digits.pop_back();
  d.negative = negative && !d.is_zero();
  return d;
}

namespace {

int compare_magnitude(const Decimal& a, const Decimal& b) {
  if (a.int_digits.size() != b.int_digits.size()) return a.int_digits.size() < b.int_digits.size() ? -1 : 1;
  if (int c = a.int_digits.compare(b.int_digits)) return c < 0 ? -1 : 1;
  if (int c = a.frac_digits.compare(b.frac_digits)) return c < 0 ? -1 : 1;
  return 0;
}

}  // namespace

int compare(const Decimal& a, const Decimal& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  int c = compare_magnitude(a, b);
  return a.negative ? -c : c;
}

namespace {

constexpr uint64_t kUnlimited = ~uint64_t{0};

// Non-negative numbers in [lo, hi] (hi optional) whose value * 10^scale is a
// multiple of modulus (scale == kUnlimited: no restriction on the fraction).
struct DigitMachine {
  Decimal lo;
  bool lo_excl = false;
  std::optional<Decimal> hi;
  bool hi_excl = false;
  uint64_t modulus = 1;
  uint64_t scale = kUnlimited;
  uint64_t frac_cap = kUnlimited;

  enum Phase : uint8_t { kInt, kLong, kFrac };
  struct State {
    Phase phase;
    uint32_t pos;
    bool tlo, thi, started;
    uint64_t rem;
    auto key() const { return std::tie(phase, pos, tlo, thi, started, rem); }
    bool operator<(const State& o) const { return key() < o.key(); }
  };
  struct Edge {
    std::string prefix;  // "." before the first fraction digit
    std::vector<CodepointRange> digits;  // empty: an epsilon edge
    size_t target;
  };

  uint32_t width = 1;       // integer positions in the padded kInt phase
  uint32_t frac_clamp = 1;  // fraction positions after which nothing changes
  std::string lo_pad, hi_pad;

  std::vector<State> states;
  std::map<State, size_t> index;
  std::vector<std::vector<Edge>> edges;
  std::vector<bool> accepting;

  char lo_frac(uint32_t f) const { return f < lo.frac_digits.size() ? lo.frac_digits[f] : '0'; }
  char hi_frac(uint32_t f) const { return hi && f < hi->frac_digits.size() ? hi->frac_digits[f] : '0'; }

  uint64_t pow10_mod(uint64_t e) const {
    uint64_t r = 1 % modulus;
    for (uint64_t i = 0; i < e; ++i) r = r * 10 % modulus;
    return r;
  }

  bool ends_ok(const State& s) const {
    if (s.phase != kFrac) return false;
    if (s.tlo && (s.pos < lo.frac_digits.size() || lo_excl)) return false;
    if (s.thi && s.pos >= (hi ? hi->frac_digits.size() : 0) && hi_excl) return false;
    if (scale != kUnlimited) {
      uint64_t missing = s.pos < scale ? scale - s.pos : 0;
      if (s.rem * pow10_mod(missing) % modulus != 0) return false;
    }
    return true;
  }

  size_t intern(const State& s, std::vector<size_t>& work) {
    auto [it, inserted] = index.emplace(s, states.size());
    if (inserted) {
      states.push_back(s);
      edges.emplace_back();
      work.push_back(it->second);
    }
    return it->second;
  }

  void add_digit_edge(std::vector<Edge>& out, const std::string& prefix, char digit, size_t target) {
    for (Edge& e : out) {
      if (e.target == target && e.prefix == prefix && !e.digits.empty()) {
        e.digits.push_back({static_cast<uint32_t>(digit), static_cast<uint32_t>(digit)});
        return;
      }
    }
    out.push_back({prefix, {{static_cast<uint32_t>(digit), static_cast<uint32_t>(digit)}}, target});
  }

  uint64_t next_rem(uint64_t rem, int d) const { return (rem * 10 + static_cast<uint64_t>(d)) % modulus; }

  Status build(uint32_t max_states) {
    width = static_cast<uint32_t>(std::max<size_t>({lo.int_digits.size(), hi ? hi->int_digits.size() : 0, 1}));
    lo_pad = std::string(width - lo.int_digits.size(), '0') + lo.int_digits;
    hi_pad = hi ? std::string(width - hi->int_digits.size(), '0') + hi->int_digits : std::string(width, '9');
    uint64_t clamp = std::max<uint64_t>({lo.frac_digits.size(), hi ? hi->frac_digits.size() : 0, 1});
    if (scale != kUnlimited) clamp = std::max(clamp, scale);
    if (frac_cap != kUnlimited) clamp = std::max(clamp, frac_cap);
    if (clamp > max_states) return make_error(ErrorCode::kBudgetExceeded, "number digit automaton too large");
    frac_clamp = static_cast<uint32_t>(clamp);
    std::vector<size_t> work;
    intern(State{kInt, 0, true, static_cast<bool>(hi), false, 0}, work);
    if (!hi) intern(State{kLong, 0, false, false, true, 0}, work);
    while (!work.empty()) {
      if (states.size() > max_states) {
        return make_error(ErrorCode::kBudgetExceeded,
                          "number digit automaton exceeds max_states (" + std::to_string(max_states) + ")");
      }
      size_t id = work.back();
      work.pop_back();
      State s = states[id];
      std::vector<Edge> out;
      if (s.phase == kInt) {
        for (int d = 0; d <= 9; ++d) {
          char c = static_cast<char>('0' + d);
          if (s.tlo && c < lo_pad[s.pos]) continue;
          if (s.thi && c > hi_pad[s.pos]) continue;
          bool last = s.pos + 1 == width;
          bool started = s.started || d != 0 || last;
          State n{last ? kFrac : kInt, last ? 0u : s.pos + 1, s.tlo && c == lo_pad[s.pos],
                  s.thi && c == hi_pad[s.pos], started, next_rem(s.rem, d)};
          if (last) n.started = true;
          size_t target = intern(n, work);
          if (started) {
            add_digit_edge(out, "", c, target);
          } else {
            out.push_back({"", {}, target});
          }
        }
      } else if (s.phase == kLong) {
        // Integer parts longer than `width`: all above any lower bound.
        for (int d = s.pos == 0 ? 1 : 0; d <= 9; ++d) {
          uint32_t written = s.pos + 1;
          size_t target = intern(State{kLong, std::min(written, width + 1), false, false, true, next_rem(s.rem, d)}, work);
          add_digit_edge(out, "", static_cast<char>('0' + d), target);
        }
        if (s.pos >= width + 1) {
          out.push_back({"", {}, intern(State{kFrac, 0, false, false, true, s.rem}, work)});
        }
      } else {
        bool capped = frac_cap != kUnlimited && s.pos >= frac_cap;
        for (int d = 0; d <= 9 && !capped; ++d) {
          char c = static_cast<char>('0' + d);
          if (s.tlo && c < lo_frac(s.pos)) continue;
          if (s.thi && c > hi_frac(s.pos)) continue;
          bool past_scale = scale != kUnlimited && s.pos >= scale;
          if (past_scale && d != 0) continue;
          State n{kFrac, std::min(s.pos + 1, frac_clamp), s.tlo && c == lo_frac(s.pos), s.thi && c == hi_frac(s.pos),
                  true, past_scale ? s.rem : next_rem(s.rem, d)};
          add_digit_edge(out, s.pos == 0 ? "." : "", c, intern(n, work));
        }
      }
      edges[id] = std::move(out);
    }
    accepting.resize(states.size());
    for (size_t i = 0; i < states.size(); ++i) accepting[i] = ends_ok(states[i]);
    return {};
  }

  // Emits rules for the states that can still reach an accepting one.
  std::optional<ExprId> emit(Grammar& g) {
    size_t n = states.size();
    std::vector<bool> live(accepting);
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < n; ++i) {
        if (live[i]) continue;
        for (const Edge& e : edges[i]) {
          if (live[e.target]) {
            live[i] = true;
            changed = true;
            break;
          }
        }
      }
    }
    std::vector<size_t> roots = {0};
    if (!hi) roots.push_back(1);
    std::vector<ExprId> starts;
    std::vector<RuleId> rule_of(n, kUnbounded);
    auto rule_for = [&](size_t i) {
      if (rule_of[i] == kUnbounded) rule_of[i] = g.declare_rule("num" + std::to_string(g.rules().size()));
      return rule_of[i];
    };
    for (size_t root : roots) {
      if (live[root]) starts.push_back(g.ref(rule_for(root)));
    }
    if (starts.empty()) return std::nullopt;
    // Bodies: every live state reachable from a root gets one.
    std::vector<size_t> todo;
    std::vector<bool> done(n, false);
    for (size_t root : roots) {
      if (live[root]) todo.push_back(root);
    }
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      if (done[i]) continue;
      done[i] = true;
      std::vector<ExprId> alternatives;
      if (accepting[i]) alternatives.push_back(g.empty());
      for (const Edge& e : edges[i]) {
        if (!live[e.target]) continue;
        std::vector<ExprId> parts;
        if (!e.prefix.empty()) parts.push_back(g.literal(e.prefix));
        if (!e.digits.empty()) parts.push_back(g.char_class(e.digits));
        parts.push_back(g.ref(rule_for(e.target)));
        alternatives.push_back(g.sequence(std::move(parts)));
        todo.push_back(e.target);
      }
      g.set_body(rule_for(i), g.choice(std::move(alternatives)));
    }
    return g.choice(std::move(starts));
  }
};

// Multiple of m * 10^-k as (m, k) in integers; false when m overflows.
bool split_multiple(const Decimal& d, uint64_t* m, uint64_t* k) {
  std::string digits = d.int_digits + d.frac_digits;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.size() > 18) return false;
  *m = digits.empty() ? 0 : std::stoull(digits);
  *k = d.frac_digits.size();
  return *m != 0;
}

ExprId plain_number(Grammar& g, bool integer, bool zero_fraction) {
  ExprId digit = g.char_class({{'0', '9'}});
  ExprId int_part = g.choice({g.literal("0"), g.sequence({g.char_class({{'1', '9'}}), g.star(digit)})});
  ExprId minus = g.optional(g.literal("-"));
  if (integer && !zero_fraction) return g.sequence({minus, int_part});
  if (integer) return g.sequence({minus, int_part, g.optional(g.sequence({g.literal("."), g.plus(g.literal("0"))}))});
  ExprId frac = g.optional(g.sequence({g.literal("."), g.plus(digit)}));
  ExprId exp = g.optional(g.sequence({g.char_class({{'e', 'e'}, {'E', 'E'}}), g.optional(g.char_class({{'+', '+'}, {'-', '-'}})),
                                      g.plus(digit)}));
  return g.sequence({minus, int_part, frac, exp});
}

}  // namespace

Result<ExprId> number_grammar(Grammar& g, const NumberConstraint& c, const NumberBudget& budget) {
  std::optional<Decimal> lo = c.minimum, hi = c.maximum;
  bool lo_excl = c.exclusive_minimum, hi_excl = c.exclusive_maximum;
  if (c.max_digits > 0) {
    Decimal cap;
    cap.int_digits = "1" + std::string(c.max_digits, '0');
    if (!hi || compare(cap, *hi) <= 0) {
      hi = cap;
      hi_excl = true;
    }
    if (!lo || compare(cap.negated(), *lo) >= 0) {
      lo = cap.negated();
      lo_excl = true;
    }
  }
  if (lo && hi) {
    int cmp = compare(*lo, *hi);
    if (cmp > 0 || (cmp == 0 && (lo_excl || hi_excl))) {
      return make_error(ErrorCode::kUnsatisfiable, "no number lies between minimum " + lo->to_string() +
                                                       " and maximum " + hi->to_string());
    }
  }
  uint64_t modulus = 1, scale = kUnlimited;
  if (c.multiple_of) {
    if (c.multiple_of->negative || !split_multiple(*c.multiple_of, &modulus, &scale)) {
      return make_error(ErrorCode::kUnsupported, "multipleOf " + c.multiple_of->to_string() + " is out of range");
    }
    if (c.integer) {
      // Integer and a multiple of m*10^-k: a multiple of lcm(m, 10^k) * 10^-k.
      uint64_t p = 1;
      for (uint64_t i = 0; i < scale; ++i) {
        if (p > (uint64_t{1} << 58)) return make_error(ErrorCode::kUnsupported, "multipleOf has too many decimals");
        p *= 10;
      }
      uint64_t l = std::lcm(modulus, p);
      modulus = l;
      while (scale > 0 && modulus % 10 == 0) {
        modulus /= 10;
        --scale;
      }
      if (scale > 0) return make_error(ErrorCode::kInternal, "integer multipleOf kept a fraction");
    }
  } else if (c.integer) {
    scale = 0;
  }
  if (modulus > budget.max_states) {
    return make_error(ErrorCode::kBudgetExceeded, "multipleOf modulus " + std::to_string(modulus) +
                                                      " exceeds the digit automaton budget");
  }
  uint64_t frac_cap = c.max_digits > 0 ? c.max_digits : kUnlimited;
  bool zero_fraction = !c.integer || c.integer_fraction;
  if (!lo && !hi && modulus == 1 && frac_cap == kUnlimited) {
    if (scale == kUnlimited) return plain_number(g, false, true);
    if (scale == 0) return plain_number(g, true, zero_fraction);
  }
  if (!zero_fraction) frac_cap = 0;

  std::vector<ExprId> alternatives;
  auto run = [&](DigitMachine m, std::string_view sign) -> Status {
    m.modulus = modulus;
    m.scale = scale;
    m.frac_cap = frac_cap;
    Status st = m.build(budget.max_states);
    if (!st.ok()) return st;
    if (std::optional<ExprId> body = m.emit(g)) {
      alternatives.push_back(sign.empty() ? *body : g.sequence({g.literal(sign), *body}));
    }
    return {};
  };
  Decimal zero;
  // Non-negative part.
  if (!hi || !hi->negative) {
    DigitMachine m;
    if (lo && !lo->negative) {
      m.lo = *lo;
      m.lo_excl = lo_excl;
    }
    m.hi = hi;
    m.hi_excl = hi_excl;
    if (Status st = run(m, ""); !st.ok()) return st.error();
  }
  // Negative part, as the magnitude y of -y.
  if (!lo || lo->negative) {
    DigitMachine m;
    if (hi && hi->negative) {
      m.lo = hi->negated();
      m.lo_excl = hi_excl;
    } else {
      m.lo = zero;
      m.lo_excl = true;
    }
    if (lo) {
      m.hi = lo->negated();
      m.hi_excl = lo_excl;
    }
    if (Status st = run(m, "-"); !st.ok()) return st.error();
  }
  if (alternatives.empty()) {
    return make_error(ErrorCode::kUnsatisfiable, "no number satisfies the bounds and multipleOf together");
  }
  return g.choice(std::move(alternatives));
}

}  // namespace sluice::json_schema
