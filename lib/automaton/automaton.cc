// Implements automaton/automaton.h: Thompson construction per rule, then
// epsilon elimination, then pruning of unproductive and unreachable states.
// Tested in tests/automaton/automaton_test.cc.
#include "automaton/automaton.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <span>
#include <tuple>
#include <unordered_map>

#include "ir/analysis.h"

namespace sluice::automaton {

std::vector<std::vector<std::pair<uint8_t, uint8_t>>> utf8_sequences(uint32_t lo, uint32_t hi) {
  std::vector<std::vector<std::pair<uint8_t, uint8_t>>> out;
  auto encode = [](uint32_t cp, uint8_t* b) -> int {
    if (cp < 0x80) {
      b[0] = static_cast<uint8_t>(cp);
      return 1;
    }
    if (cp < 0x800) {
      b[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
      b[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
      return 2;
    }
    if (cp < 0x10000) {
      b[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
      b[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
      b[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
      return 3;
    }
    b[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
    b[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
    b[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    b[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 4;
  };
  // Work list instead of recursion; each range is split until the bytes of
  // its encodings vary independently, position by position.
  std::vector<std::pair<uint32_t, uint32_t>> work;
  auto push_clean = [&](uint32_t a, uint32_t b) {
    if (a > b) return;
    // Cut out surrogates and split at the encoding-length boundaries.
    const uint32_t cuts[] = {0x7F, 0x7FF, 0xFFFF};
    if (a <= 0xDFFF && b >= 0xD800) {
      if (a < 0xD800) work.push_back({a, 0xD7FF});
      if (b > 0xDFFF) work.push_back({0xE000, b});
      return;
    }
    for (uint32_t cut : cuts) {
      if (a <= cut && b > cut) {
        work.push_back({a, cut});
        work.push_back({cut + 1, b});
        return;
      }
    }
    work.push_back({a, b});
  };
  push_clean(lo, std::min(hi, kMaxCodepoint));
  // Split again until clean (a cut may still straddle after the first pass).
  while (!work.empty()) {
    auto [a, b] = work.back();
    work.pop_back();
    bool straddles = (a <= 0xDFFF && b >= 0xD800) || (a <= 0x7F && b > 0x7F) || (a <= 0x7FF && b > 0x7FF) ||
                     (a <= 0xFFFF && b > 0xFFFF);
    if (straddles) {
      push_clean(a, b);
      continue;
    }
    uint8_t ea[4], eb[4];
    int n = encode(a, ea);
    bool split = false;
    for (int i = 1; i < n && !split; ++i) {
      uint32_t m = (1u << (6 * i)) - 1;
      if ((a & ~m) != (b & ~m)) {
        if ((a & m) != 0) {
          work.push_back({(a | m) + 1, b});
          work.push_back({a, a | m});
          split = true;
        } else if ((b & m) != m) {
          work.push_back({b & ~m, b});
          work.push_back({a, (b & ~m) - 1});
          split = true;
        }
      }
    }
    if (split) continue;
    encode(b, eb);
    std::vector<std::pair<uint8_t, uint8_t>> seq;
    for (int i = 0; i < n; ++i) seq.push_back({ea[i], eb[i]});
    out.push_back(std::move(seq));
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// The NFA under construction keeps its edges in three flat lists (one
// allocation each, not three per state); finish() sorts them into rows.
template <typename Edge>
struct FromEdge {
  uint32_t from;
  Edge edge;
};

class Builder {
 public:
  Builder(const Grammar& grammar, const CompileOptions& options)
      : grammar_(grammar),
        options_(options),
        deadline_(std::chrono::steady_clock::now() +
                  std::chrono::microseconds(static_cast<int64_t>(options.max_compile_ms * 1000))),
        facts_(ir::analyze(grammar)) {}

  Result<Automaton> run() {
    if (Status s = ir::find_left_recursion(grammar_, facts_); !s.ok()) return s.error();
    for (const Rule& rule : grammar_.rules()) {
      RuleInfo info;
      info.name = rule.name;
      info.nullable = facts_.rule_nullable[rules_.size()];
      rules_.push_back(info);
      bodies_.push_back(rule.body);
    }
    rule_entry_.assign(rules_.size(), kNone);
    // Only rules reachable from the root are compiled; synthetic rules are
    // appended (and compiled) as the repetitions that need them are met.
    std::vector<uint32_t> queue{grammar_.root()};
    std::vector<bool> queued(rules_.size(), false);
    queued[grammar_.root()] = true;
    for (size_t qi = 0; qi < queue.size(); ++qi) {
      uint32_t r = queue[qi];
      if (rules_[r].loop || rules_[r].set) continue;
      uint32_t entry = new_state();
      uint32_t exit = new_state();
      if (!ok_) return error_;
      rule_entry_[r] = entry;
      current_rule_ = r;
      shared_.clear();
      nfa_final_[exit] = true;
      if (auto separated = separated_member_.find(r); separated != separated_member_.end()) {
        const uint32_t member = new_state();
        if (!ok_ || !compile(separated->second.first, entry, member, 0)) return error_;
        call(member, exit, separated->second.second, 0, 0);
      } else if (!compile(bodies_[r], entry, exit, 0)) {
        return error_;
      }
      // Rules referenced while compiling join the queue.
      queued.resize(rules_.size(), false);
      for (uint32_t callee : pending_calls_) {
        if (!queued[callee]) {
          queued[callee] = true;
          queue.push_back(callee);
        }
        if (rules_[callee].loop && !queued[rules_[callee].loop_body]) {
          queued[rules_[callee].loop_body] = true;
          queue.push_back(rules_[callee].loop_body);
        }
      }
      pending_calls_.clear();
    }
    return finish();
  }

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};

  // Checked every kClockStride states: reading the clock per state would
  // cost more than building it.
  static constexpr size_t kClockStride = 4096;
  bool out_of_time() const {
    return options_.max_compile_ms > 0 && std::chrono::steady_clock::now() > deadline_;
  }
  Error time_error() const {
    return make_error(ErrorCode::kBudgetExceeded,
                      "compiling the grammar took longer than max_compile_ms=" +
                          std::to_string(static_cast<long long>(std::ceil(options_.max_compile_ms))));
  }

  uint32_t new_state() {
    if (nfa_final_.size() >= options_.max_states) {
      fail(make_error(ErrorCode::kBudgetExceeded, "grammar needs more than max_states=" +
                                                      std::to_string(options_.max_states) + " automaton states"));
      return 0;
    }
    if (nfa_final_.size() % kClockStride == 0 && out_of_time()) {
      fail(time_error());
      return 0;
    }
    nfa_final_.push_back(false);
    return static_cast<uint32_t>(nfa_final_.size() - 1);
  }

  bool fail(Error error) {
    if (ok_) error_ = std::move(error);
    ok_ = false;
    return false;
  }

  // Rough number of states an expression compiles to, saturating.
  uint64_t estimate(ExprId id, uint32_t depth) {
    if (depth > options_.max_nesting) return kHuge;
    if (estimate_.empty()) estimate_.assign(grammar_.expr_count(), kUnestimated);
    if (estimate_[id] != kUnestimated) return estimate_[id];
    const Expr& e = grammar_.expr(id);
    uint64_t n = 1;
    switch (e.kind) {
      case ExprKind::kLiteral: n = e.literal.size(); break;
      case ExprKind::kCharClass: n = 4 * e.ranges.size(); break;
      case ExprKind::kSequence:
      case ExprKind::kChoice:
        for (ExprId c : e.children) n = std::min(kHuge, n + estimate(c, depth + 1));
        break;
      case ExprKind::kRepeat: {
        uint64_t copies = e.max == kUnbounded ? uint64_t{e.min} + 1 : e.max;
        n = std::min(kHuge, estimate(e.children[0], depth + 1) * std::max<uint64_t>(copies, 1) + 1);
        break;
      }
      default: break;
    }
    estimate_[id] = n;
    return n;
  }

  uint32_t body_rule_for(ExprId item, uint32_t owner) {
    const Expr& e = grammar_.expr(item);
    if (e.kind == ExprKind::kRuleRef) return e.rule;
    auto it = expr_rule_.find(item);
    if (it != expr_rule_.end()) return it->second;
    RuleInfo info;
    info.name = rules_[owner].name + "#" + std::to_string(rules_.size());
    info.nullable = facts_.expr_nullable[item];
    rules_.push_back(info);
    bodies_.push_back(item);
    rule_entry_.push_back(kNone);
    uint32_t id = static_cast<uint32_t>(rules_.size() - 1);
    expr_rule_[item] = id;
    return id;
  }

  uint32_t loop_rule_for(uint32_t body) {
    auto it = loop_rule_.find(body);
    if (it != loop_rule_.end()) return it->second;
    RuleInfo info;
    info.name = rules_[body].name + "{counter}";
    info.loop = true;
    info.loop_body = body;
    info.loop_body_nullable = rules_[body].nullable;
    info.nullable = false;
    rules_.push_back(info);
    bodies_.push_back(0);
    rule_entry_.push_back(kNone);
    uint32_t id = static_cast<uint32_t>(rules_.size() - 1);
    loop_rule_[body] = id;
    return id;
  }

  // The rule of a permutation's single state, and the two rules per member
  // it calls: the member itself, and separator then member. Members become
  // rules of their own so that each is built once, whatever the number of
  // orders it is written in.
  uint32_t set_rule_for(ExprId id) {
    if (auto it = set_rule_.find(id); it != set_rule_.end()) return it->second;
    const Expr& e = grammar_.expr(id);
    const std::vector<ExprId> children = e.children;
    RuleInfo info;
    info.name = rules_[current_rule_].name + "{permutation}";
    info.set = true;
    info.set_limits = ir::PermutationLimits::of(e);
    info.nullable = facts_.expr_nullable[id];
    rules_.push_back(info);
    bodies_.push_back(0);
    rule_entry_.push_back(kNone);
    const auto set = static_cast<uint32_t>(rules_.size() - 1);
    set_rule_[id] = set;
    const ExprId separator = children[0];
    std::vector<std::pair<uint32_t, uint32_t>> members;
    for (size_t i = 1; i < children.size(); ++i) {
      const uint32_t first = body_rule_for(children[i], current_rule_);
      auto [it, fresh] = separated_rule_.try_emplace({separator, first}, 0);
      if (fresh) {
        RuleInfo later;
        later.name = rules_[first].name + "{after separator}";
        later.nullable = facts_.expr_nullable[separator] && rules_[first].nullable;
        rules_.push_back(later);
        bodies_.push_back(0);
        rule_entry_.push_back(kNone);
        it->second = static_cast<uint32_t>(rules_.size() - 1);
        separated_member_[it->second] = {separator, first};
      }
      members.emplace_back(first, it->second);
      pending_calls_.push_back(first);
      pending_calls_.push_back(it->second);
    }
    set_members_[set] = std::move(members);
    return set;
  }

  void call(uint32_t from, uint32_t to, uint32_t rule, uint32_t need, uint32_t rem) {
    nfa_calls_.push_back({from, CallEdge{rule, to, need, rem}});
    pending_calls_.push_back(rule);
  }

  // Adds paths from `from` to `to` spelling exactly the strings of `id`.
  // Loops only ever go through fresh states, so sharing from/to between
  // siblings cannot mix their paths.
  bool compile(ExprId id, uint32_t from, uint32_t to, uint32_t depth) {
    if (!ok_) return false;
    if (depth > options_.max_nesting) {
      return fail(make_error(ErrorCode::kBudgetExceeded, "grammar expressions nest deeper than max_nesting=" +
                                                             std::to_string(options_.max_nesting)));
    }
    const Expr& e = grammar_.expr(id);
    // An expression that occurs more than once in a rule, each time ending
    // at the same state (the alternatives of a trie of property names, say,
    // each ending in "any other string"), is built once: later occurrences
    // enter the first one's states. Fresh entry states keep those paths
    // apart from the siblings at `from`.
    const bool composite =
        e.kind == ExprKind::kSequence || e.kind == ExprKind::kChoice || e.kind == ExprKind::kRepeat;
    if (e.kind == ExprKind::kPermutation) {
      call(from, to, set_rule_for(id), 0, 0);
      return true;
    }
    if (composite && estimate(id, depth) >= kShareMinStates) {
      auto [it, fresh] = shared_.try_emplace({id, to}, 0);
      if (!fresh) {
        nfa_eps_.push_back({from, it->second});
        return true;
      }
      const uint32_t entry = new_state();
      if (!ok_) return false;
      it->second = entry;
      nfa_eps_.push_back({from, entry});
      return compile_parts(e, entry, to, depth);
    }
    return compile_parts(e, from, to, depth);
  }

  bool compile_parts(const Expr& e, uint32_t from, uint32_t to, uint32_t depth) {
    switch (e.kind) {
      case ExprKind::kEmpty: nfa_eps_.push_back({from, to}); return true;
      case ExprKind::kNothing: return true;
      case ExprKind::kLiteral: {
        uint32_t cur = from;
        for (size_t i = 0; i < e.literal.size(); ++i) {
          uint32_t next = i + 1 == e.literal.size() ? to : new_state();
          if (!ok_) return false;
          uint8_t b = static_cast<uint8_t>(e.literal[i]);
          nfa_bytes_.push_back({cur, ByteEdge{b, b, next}});
          cur = next;
        }
        return true;
      }
      case ExprKind::kCharClass: {
        // The byte sequences share the states of their common leading byte
        // ranges (a trie), so that "[\u2000-\u2027\u202A-\u2FFF]" has one
        // state after E2, not one per range: a walk then holds one stack
        // per character, and slice absorption (matcher/slice_absorption.h),
        // which follows one stack at a time, sees that the class takes
        // every character it allows after that byte.
        std::map<std::tuple<uint32_t, uint8_t, uint8_t>, uint32_t> prefixes;
        for (const CodepointRange& r : e.ranges) {
          for (const auto& seq : utf8_sequences(r.lo, r.hi)) {
            uint32_t cur = from;
            for (size_t i = 0; i < seq.size(); ++i) {
              uint32_t next = to;
              if (i + 1 < seq.size()) {
                auto [it, added] = prefixes.try_emplace({cur, seq[i].first, seq[i].second}, 0);
                if (!added) {
                  cur = it->second;
                  continue;
                }
                it->second = next = new_state();
                if (!ok_) return false;
              }
              nfa_bytes_.push_back({cur, ByteEdge{seq[i].first, seq[i].second, next}});
              cur = next;
            }
          }
        }
        return true;
      }
      case ExprKind::kSequence: {
        uint32_t cur = from;
        for (size_t i = 0; i < e.children.size(); ++i) {
          uint32_t next = i + 1 == e.children.size() ? to : new_state();
          if (!ok_ || !compile(e.children[i], cur, next, depth + 1)) return false;
          cur = next;
        }
        return true;
      }
      case ExprKind::kChoice: return compile_choice(e, from, to, depth);
      case ExprKind::kRuleRef: call(from, to, e.rule, 0, 0); return true;
      case ExprKind::kRepeat: return compile_repeat(e, from, to, depth);
      case ExprKind::kPermutation: break;  // compile() calls its rule
    }
    return fail(make_error(ErrorCode::kInternal, "unknown expression kind"));
  }

  // Alternatives that start with a literal share the states of their
  // common prefixes (a trie): a choice of a thousand enum strings is one
  // stack after its opening quote, not a thousand.
  bool compile_choice(const Expr& e, uint32_t from, uint32_t to, uint32_t depth) {
    auto leading_literal = [&](ExprId c) -> const std::string* {
      const Expr& alt = grammar_.expr(c);
      if (alt.kind == ExprKind::kLiteral) return &alt.literal;
      if (alt.kind == ExprKind::kSequence && grammar_.expr(alt.children[0]).kind == ExprKind::kLiteral) {
        return &grammar_.expr(alt.children[0]).literal;
      }
      return nullptr;
    };
    size_t with_literal = 0;
    for (ExprId c : e.children) {
      if (leading_literal(c)) ++with_literal;
    }
    std::map<std::pair<uint32_t, uint8_t>, uint32_t> trie;
    for (ExprId c : e.children) {
      const std::string* literal = with_literal >= 2 ? leading_literal(c) : nullptr;
      if (!literal) {
        if (!compile(c, from, to, depth + 1)) return false;
        continue;
      }
      // A whole-literal alternative ends with an edge straight to `to`
      // rather than at a trie node (no epsilon edge to eliminate).
      const Expr& alt = grammar_.expr(c);
      const bool whole = alt.kind == ExprKind::kLiteral;
      const size_t shared_bytes = literal->size() - (whole ? 1 : 0);
      uint32_t cur = from;
      for (size_t i = 0; i < shared_bytes; ++i) {
        const uint8_t b = static_cast<uint8_t>((*literal)[i]);
        auto [it, fresh] = trie.try_emplace({cur, b}, 0);
        if (fresh) {
          it->second = new_state();
          if (!ok_) return false;
          nfa_bytes_.push_back({cur, ByteEdge{b, b, it->second}});
        }
        cur = it->second;
      }
      if (whole) {
        const uint8_t last = static_cast<uint8_t>(literal->back());
        nfa_bytes_.push_back({cur, ByteEdge{last, last, to}});
        continue;
      }
      // The rest of the alternative, from the trie node on.
      for (size_t i = 1; i < alt.children.size(); ++i) {
        uint32_t next = i + 1 == alt.children.size() ? to : new_state();
        if (!ok_ || !compile(alt.children[i], cur, next, depth + 1)) return false;
        cur = next;
      }
    }
    return true;
  }

  bool star(ExprId item, uint32_t from, uint32_t to, uint32_t depth) {
    uint32_t loop = new_state();
    if (!ok_) return false;
    nfa_eps_.push_back({from, loop});
    nfa_eps_.push_back({loop, to});
    return compile(item, loop, loop, depth + 1);
  }

  bool compile_repeat(const Expr& e, uint32_t from, uint32_t to, uint32_t depth) {
    ExprId item = e.children[0];
    uint32_t lo = e.min, hi = e.max;
    if (hi == 0) {
      nfa_eps_.push_back({from, to});
      return true;
    }
    if (lo == 0 && hi == kUnbounded) return star(item, from, to, depth);
    uint64_t copies = hi == kUnbounded ? uint64_t{lo} + 1 : hi;
    bool unroll = hi == 1 || estimate(item, depth + 1) * copies <= options_.unroll_state_limit;
    if (!unroll) {
      uint32_t body = body_rule_for(item, current_rule_);
      uint32_t loop = loop_rule_for(body);
      ++counter_loops_;
      call(from, to, loop, rules_[body].nullable ? 0 : lo, hi);
      return true;
    }
    uint32_t cur = from;
    for (uint32_t i = 0; i < lo; ++i) {
      uint32_t next = (i + 1 == lo && hi == lo) ? to : new_state();
      if (!ok_ || !compile(item, cur, next, depth + 1)) return false;
      cur = next;
    }
    if (hi == lo) return true;
    if (hi == kUnbounded) return star(item, cur, to, depth);
    for (uint32_t i = lo; i < hi; ++i) {
      nfa_eps_.push_back({cur, to});
      uint32_t next = i + 1 == hi ? to : new_state();
      if (!ok_ || !compile(item, cur, next, depth + 1)) return false;
      cur = next;
    }
    return true;
  }

  // Sorts `edges` by source state, keeping their order within a state, and
  // returns where each state's row starts (size states + 1).
  template <typename Edge>
  static std::vector<uint32_t> rows(std::vector<FromEdge<Edge>>& edges, size_t states) {
    std::vector<uint32_t> start(states + 1, 0);
    for (const auto& e : edges) ++start[e.from + 1];
    for (size_t i = 0; i < states; ++i) start[i + 1] += start[i];
    std::vector<FromEdge<Edge>> sorted(edges.size());
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (const auto& e : edges) sorted[fill[e.from]++] = e;
    edges = std::move(sorted);
    return start;
  }

  Result<Automaton> finish() {
    Automaton a;
    a.rules = rules_;
    a.root = grammar_.root();
    a.counter_loops = counter_loops_;
    // Epsilon elimination: state s gets every edge and the final flag of the
    // states its epsilon closure reaches. Only states reachable by real
    // edges from some rule entry are kept.
    const size_t nfa_size = nfa_final_.size();
    const auto eps_rows = rows(nfa_eps_, nfa_size);
    const auto byte_rows = rows(nfa_bytes_, nfa_size);
    const auto call_rows = rows(nfa_calls_, nfa_size);
    std::vector<uint32_t> index(nfa_size, kNone);
    std::vector<uint32_t> order;
    std::vector<uint32_t> stamp(nfa_size, kNone);
    // States are filled in index order, so each one's edges are a slice of
    // two shared arrays.
    std::vector<ByteEdge> pending_bytes;
    std::vector<CallEdge> pending_calls;
    struct Pending {
      uint32_t byte_begin = 0, byte_end = 0;
      uint32_t call_begin = 0, call_end = 0;
      bool final = false;
      uint32_t rule = 0;
      bool loop = false;
      bool set = false;
    };
    std::vector<Pending> states;
    auto bytes_of = [&](const Pending& p) {
      return std::span<const ByteEdge>(pending_bytes).subspan(p.byte_begin, p.byte_end - p.byte_begin);
    };
    auto calls_of = [&](const Pending& p) {
      return std::span<CallEdge>(pending_calls).subspan(p.call_begin, p.call_end - p.call_begin);
    };
    auto visit = [&](uint32_t s, uint32_t rule) {
      if (index[s] != kNone) return index[s];
      index[s] = static_cast<uint32_t>(states.size());
      states.push_back(Pending{});
      states.back().rule = rule;
      order.push_back(s);
      return index[s];
    };
    std::vector<uint32_t> rule_state(rules_.size(), kNone);
    std::vector<uint32_t> work;
    for (uint32_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r].loop || rules_[r].set) {
        rule_state[r] = static_cast<uint32_t>(states.size());
        Pending p;
        p.rule = r;
        p.loop = rules_[r].loop;
        p.set = rules_[r].set;
        states.push_back(p);
        order.push_back(kNone);
      } else if (rule_entry_[r] != kNone) {
        rule_state[r] = visit(rule_entry_[r], r);
      }
    }
    std::vector<uint32_t> closure;
    for (size_t i = 0; i < states.size(); ++i) {
      if (states.size() > options_.max_states) {
        return make_error(ErrorCode::kBudgetExceeded, "grammar needs more than max_states=" +
                                                          std::to_string(options_.max_states) + " automaton states");
      }
      if (i % kClockStride == 0 && out_of_time()) return time_error();
      if (states[i].loop) {
        uint32_t r = states[i].rule;
        states[i].call_begin = static_cast<uint32_t>(pending_calls.size());
        pending_calls.push_back(CallEdge{rules_[r].loop_body, kNone, 0, 0});
        states[i].call_end = static_cast<uint32_t>(pending_calls.size());
        continue;
      }
      if (states[i].set) {
        const auto& members = set_members_.at(states[i].rule);
        states[i].call_begin = static_cast<uint32_t>(pending_calls.size());
        for (uint32_t m = 0; m < members.size(); ++m) {
          pending_calls.push_back(CallEdge{members[m].first, kNone, m, 0});
          pending_calls.push_back(CallEdge{members[m].second, kNone, m, 1});
        }
        states[i].call_end = static_cast<uint32_t>(pending_calls.size());
        continue;
      }
      uint32_t rule = states[i].rule;
      closure.clear();
      work.assign(1, order[i]);
      stamp[order[i]] = static_cast<uint32_t>(i);
      while (!work.empty()) {
        uint32_t s = work.back();
        work.pop_back();
        closure.push_back(s);
        for (uint32_t e = eps_rows[s]; e < eps_rows[s + 1]; ++e) {
          const uint32_t t = nfa_eps_[e].edge;
          if (stamp[t] != i) {
            stamp[t] = static_cast<uint32_t>(i);
            work.push_back(t);
          }
        }
      }
      Pending p;
      p.rule = rule;
      p.byte_begin = static_cast<uint32_t>(pending_bytes.size());
      p.call_begin = static_cast<uint32_t>(pending_calls.size());
      for (uint32_t s : closure) {
        p.final = p.final || nfa_final_[s];
        for (uint32_t e = byte_rows[s]; e < byte_rows[s + 1]; ++e) {
          const ByteEdge& b = nfa_bytes_[e].edge;
          pending_bytes.push_back(ByteEdge{b.lo, b.hi, visit(b.target, rule)});
        }
        for (uint32_t e = call_rows[s]; e < call_rows[s + 1]; ++e) {
          const CallEdge& c = nfa_calls_[e].edge;
          pending_calls.push_back(CallEdge{c.rule, visit(c.ret, rule), c.need, c.rem});
        }
      }
      p.byte_end = static_cast<uint32_t>(pending_bytes.size());
      p.call_end = static_cast<uint32_t>(pending_calls.size());
      states[i] = p;
    }
    for (uint32_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r].loop || rules_[r].set) {
        for (CallEdge& c : calls_of(states[rule_state[r]])) c.ret = rule_state[r];
      }
    }
    // Productivity: a state is productive when it is final or some edge leads
    // to a productive state (a call edge needs its callee productive too). A
    // counter loop can always return once its need is met; a call that sets
    // need > 0 needs the loop's body productive.
    const size_t n = states.size();
    std::vector<bool> productive(n, false);
    std::vector<bool> rule_productive(rules_.size(), false);
    struct CallRef {
      uint32_t state;
      uint32_t edge;
    };
    if (out_of_time()) return time_error();
    // Predecessor lists in compressed rows (one allocation each instead of
    // one per state): counted, then filled.
    std::vector<uint32_t> byte_pred_begin(n + 1, 0), ret_pred_begin(n + 1, 0), callee_begin(rules_.size() + 1, 0);
    for (uint32_t s = 0; s < n; ++s) {
      for (const ByteEdge& b : bytes_of(states[s])) ++byte_pred_begin[b.target + 1];
      for (const CallEdge& c : calls_of(states[s])) {
        ++ret_pred_begin[c.ret + 1];
        ++callee_begin[c.rule + 1];
        // A loop's need may require its body.
        if (rules_[c.rule].loop) ++callee_begin[rules_[c.rule].loop_body + 1];
      }
    }
    for (size_t i = 0; i < n; ++i) {
      byte_pred_begin[i + 1] += byte_pred_begin[i];
      ret_pred_begin[i + 1] += ret_pred_begin[i];
    }
    for (size_t r = 0; r < rules_.size(); ++r) callee_begin[r + 1] += callee_begin[r];
    std::vector<uint32_t> byte_preds(byte_pred_begin[n]);
    std::vector<CallRef> ret_preds(ret_pred_begin[n]), callee_refs(callee_begin[rules_.size()]);
    {
      std::vector<uint32_t> byte_fill(byte_pred_begin.begin(), byte_pred_begin.end() - 1);
      std::vector<uint32_t> ret_fill(ret_pred_begin.begin(), ret_pred_begin.end() - 1);
      std::vector<uint32_t> callee_fill(callee_begin.begin(), callee_begin.end() - 1);
      for (uint32_t s = 0; s < n; ++s) {
        for (const ByteEdge& b : bytes_of(states[s])) byte_preds[byte_fill[b.target]++] = s;
        const auto calls = calls_of(states[s]);
        for (uint32_t k = 0; k < calls.size(); ++k) {
          const CallEdge& c = calls[k];
          ret_preds[ret_fill[c.ret]++] = {s, k};
          callee_refs[callee_fill[c.rule]++] = {s, k};
          if (rules_[c.rule].loop) callee_refs[callee_fill[rules_[c.rule].loop_body]++] = {s, k};
        }
      }
    }
    auto call_ok = [&](const CallEdge& c) {
      if (!productive[c.ret] || !rule_productive[c.rule]) return false;
      if (rules_[c.rule].loop && c.need > 0 && !rule_productive[rules_[c.rule].loop_body]) return false;
      return true;
    };
    // A permutation is productive once the members it can write (callees
    // productive) can complete it.
    auto set_usable = [&](uint32_t s, uint64_t& usable, bool& separator_usable) {
      usable = 0;
      separator_usable = false;
      for (const CallEdge& c : calls_of(states[s])) {
        if (!rule_productive[c.rule]) continue;
        if (c.rem == 0) usable |= uint64_t{1} << c.need;
        if (c.rem == 1) separator_usable = true;
      }
    };
    auto set_completable = [&](uint32_t s) {
      uint64_t usable = 0;
      bool separator_usable = false;
      set_usable(s, usable, separator_usable);
      return ir::permutation_completable(rules_[states[s].rule].set_limits, 0, 0, usable, separator_usable);
    };
    std::vector<uint32_t> queue;
    auto mark = [&](uint32_t s) {
      if (productive[s]) return;
      productive[s] = true;
      queue.push_back(s);
    };
    for (uint32_t s = 0; s < n; ++s) {
      if (states[s].final || states[s].loop || (states[s].set && set_completable(s))) mark(s);
    }
    while (!queue.empty()) {
      uint32_t s = queue.back();
      queue.pop_back();
      for (uint32_t i = byte_pred_begin[s]; i < byte_pred_begin[s + 1]; ++i) mark(byte_preds[i]);
      for (uint32_t i = ret_pred_begin[s]; i < ret_pred_begin[s + 1]; ++i) {
        const CallRef& ref = ret_preds[i];
        if (call_ok(calls_of(states[ref.state])[ref.edge])) mark(ref.state);
      }
      uint32_t r = states[s].rule;
      if (s == rule_state[r] && !rule_productive[r]) {
        rule_productive[r] = true;
        for (uint32_t i = callee_begin[r]; i < callee_begin[r + 1]; ++i) {
          const CallRef& ref = callee_refs[i];
          if (states[ref.state].set ? set_completable(ref.state) : call_ok(calls_of(states[ref.state])[ref.edge])) {
            mark(ref.state);
          }
        }
      }
    }
    if (out_of_time()) return time_error();
    uint32_t root_state = rule_state[grammar_.root()];
    if (root_state == kNone || !productive[root_state]) {
      return make_error(ErrorCode::kUnsatisfiable, "grammar matches no string at all (rule '" +
                                                       grammar_.rule(grammar_.root()).name + "' cannot complete)");
    }
    // Keep productive states reachable from the root, renumbered in BFS order.
    std::vector<uint32_t> renum(n, kNone);
    std::vector<uint32_t> bfs{root_state};
    renum[root_state] = 0;
    auto reach = [&](uint32_t s) {
      if (renum[s] == kNone) {
        renum[s] = static_cast<uint32_t>(bfs.size());
        bfs.push_back(s);
      }
    };
    for (size_t i = 0; i < bfs.size(); ++i) {
      if (i % kClockStride == 0 && out_of_time()) return time_error();
      const Pending& p = states[bfs[i]];
      for (const ByteEdge& b : bytes_of(p)) {
        if (productive[b.target]) reach(b.target);
      }
      for (const CallEdge& c : calls_of(p)) {
        if (call_ok(c)) {
          reach(rule_state[c.rule]);
          reach(c.ret);
          if (rules_[c.rule].loop) reach(rule_state[rules_[c.rule].loop_body]);
        }
      }
    }
    for (uint32_t r = 0; r < rules_.size(); ++r) {
      a.rules[r].entry = (rule_state[r] != kNone && renum[rule_state[r]] != kNone) ? renum[rule_state[r]] : kNone;
      if (rules_[r].set && rule_state[r] != kNone) {
        set_usable(rule_state[r], a.rules[r].set_usable, a.rules[r].set_separator_usable);
      }
    }
    if (out_of_time()) return time_error();
    a.states.resize(bfs.size());
    // Scratch for one state's edges, reused.
    std::vector<ByteEdge> bytes;
    std::vector<CallEdge> calls;
    for (size_t i = 0; i < bfs.size(); ++i) {
      if (i % kClockStride == 0 && out_of_time()) return time_error();
      const Pending& p = states[bfs[i]];
      State& s = a.states[i];
      s.rule = p.rule;
      s.final = p.final;
      s.loop = p.loop;
      s.set = p.set;
      bytes.clear();
      for (const ByteEdge& b : bytes_of(p)) {
        if (productive[b.target]) bytes.push_back(ByteEdge{b.lo, b.hi, renum[b.target]});
      }
      std::sort(bytes.begin(), bytes.end(), [](const ByteEdge& x, const ByteEdge& y) {
        return std::tie(x.lo, x.hi, x.target) < std::tie(y.lo, y.hi, y.target);
      });
      bytes.erase(std::unique(bytes.begin(), bytes.end(),
                              [](const ByteEdge& x, const ByteEdge& y) {
                                return x.lo == y.lo && x.hi == y.hi && x.target == y.target;
                              }),
                  bytes.end());
      calls.clear();
      for (const CallEdge& c : calls_of(p)) {
        if (call_ok(c)) calls.push_back(CallEdge{c.rule, renum[c.ret], c.need, c.rem});
      }
      std::sort(calls.begin(), calls.end(), [](const CallEdge& x, const CallEdge& y) {
        return std::tie(x.rule, x.ret, x.need, x.rem) < std::tie(y.rule, y.ret, y.need, y.rem);
      });
      calls.erase(std::unique(calls.begin(), calls.end(),
                              [](const CallEdge& x, const CallEdge& y) {
                                return std::tie(x.rule, x.ret, x.need, x.rem) == std::tie(y.rule, y.ret, y.need, y.rem);
                              }),
                  calls.end());
      s.byte_begin = static_cast<uint32_t>(a.byte_edges.size());
      a.byte_edges.insert(a.byte_edges.end(), bytes.begin(), bytes.end());
      s.byte_end = static_cast<uint32_t>(a.byte_edges.size());
      s.call_begin = static_cast<uint32_t>(a.call_edges.size());
      a.call_edges.insert(a.call_edges.end(), calls.begin(), calls.end());
      s.call_end = static_cast<uint32_t>(a.call_edges.size());
      s.returns_only = s.final && !s.loop && !s.set && !s.consumes() && s.call_begin == s.call_end;
    }
    // The budget covers the whole build, not only up to the last check.
    if (out_of_time()) return time_error();
    return a;
  }

  static constexpr uint64_t kHuge = uint64_t{1} << 40;

  const Grammar& grammar_;
  const CompileOptions& options_;
  std::chrono::steady_clock::time_point deadline_;
  ir::GrammarFacts facts_;
  std::vector<bool> nfa_final_;
  std::vector<FromEdge<uint32_t>> nfa_eps_;
  std::vector<FromEdge<ByteEdge>> nfa_bytes_;
  std::vector<FromEdge<CallEdge>> nfa_calls_;
  std::vector<RuleInfo> rules_;
  std::vector<ExprId> bodies_;
  std::vector<uint32_t> rule_entry_;
  std::vector<uint32_t> pending_calls_;
  std::map<ExprId, uint32_t> expr_rule_;
  std::map<uint32_t, uint32_t> loop_rule_;
  // Permutations: rule by expression; each set rule's (member, separator
  // then member) rules; the separator-then-member rules' parts.
  std::map<ExprId, uint32_t> set_rule_;
  std::map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> set_members_;
  std::map<std::pair<ExprId, uint32_t>, uint32_t> separated_rule_;
  std::map<uint32_t, std::pair<ExprId, uint32_t>> separated_member_;
  // By expression id; kUnestimated until asked.
  static constexpr uint64_t kUnestimated = ~uint64_t{0};
  std::vector<uint64_t> estimate_;
  // compile()'s shared expressions in the current rule: (expression, end
  // state) to the entry state built for it.
  static constexpr uint64_t kShareMinStates = 4;
  struct PairHash {
    size_t operator()(const std::pair<ExprId, uint32_t>& p) const {
      return std::hash<uint64_t>()(uint64_t{p.first} << 32 | p.second);
    }
  };
  std::unordered_map<std::pair<ExprId, uint32_t>, uint32_t, PairHash> shared_;
  uint32_t current_rule_ = 0;  // names synthetic rules after their owner
  size_t counter_loops_ = 0;
  bool ok_ = true;
  Error error_;
};

}  // namespace

Result<Automaton> build_automaton(const Grammar& grammar, const CompileOptions& options) {
  if (Status s = grammar.validate(); !s.ok()) return s.error();
  Builder builder(grammar, options);
  return builder.run();
}

}  // namespace sluice::automaton
