// Test helpers shared by the IR tests (and usable by any differential test):
// a generator of small random grammars over a tiny code-point alphabet, and
// an independent brute-force oracle that enumerates a grammar's sentences up
// to a length bound. The oracle shares no code with the reference
// recogniser: it computes languages as sets of strings by fixpoint, so it
// also handles recursion (left recursion included) without special cases.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "frontend/utf8_text.h"
#include "sluice/grammar.h"

namespace sluice::testing {

// One code point of each UTF-8 length: 'a' (1), U+00E9 (2), U+20AC (3),
// U+1F600 (4).
inline const std::vector<uint32_t>& test_alphabet() {
  static const std::vector<uint32_t> alphabet = {'a', 0xE9, 0x20AC, 0x1F600};
  return alphabet;
}

inline std::string encode_utf8(uint32_t cp) {
  std::string out;
  utf8::append(out, cp);
  return out;
}

inline std::string encode_utf8(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) out += encode_utf8(static_cast<uint32_t>(c));
  return out;
}

struct RandomGrammarOptions {
  int rules = 3;
  int max_depth = 3;
  // Rule references may point at any rule (recursion, possibly left
  // recursion); otherwise only at later rules, so the grammar is a DAG.
  bool recursion = true;
  // `*`, `+` and `{m,}` may appear; without them and recursion the
  // language is finite.
  bool unbounded = true;
  // Character classes hold only alphabet letters (no ranges between them,
  // no negation), so the oracle's alphabet-only view of them is exact.
  bool alphabet_classes = false;
  // Permutations (ExprKind::kPermutation) may appear; they have no GBNF
  // spelling, so tests that print grammars leave them out.
  bool permutations = false;
};

class RandomGrammarGenerator {
 public:
  RandomGrammarGenerator(uint32_t seed, RandomGrammarOptions options) : rng_(seed), options_(options) {}

  Grammar next() {
    Grammar g;
    for (int i = 0; i < options_.rules; ++i) g.declare_rule(i == 0 ? "root" : "r" + std::to_string(i));
    g.set_root(0);
    for (int i = 0; i < options_.rules; ++i) g.set_body(i, expr(g, i, options_.max_depth));
    return g;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  uint32_t letter() { return test_alphabet()[pick(static_cast<int>(test_alphabet().size()))]; }

  ExprId leaf(Grammar& g, int rule) {
    int kind = pick(12);
    if (kind < 4) {
      std::u32string text;
      int length = 1 + pick(2);
      for (int i = 0; i < length; ++i) text += static_cast<char32_t>(letter());
      return g.literal(encode_utf8(text));
    }
    if (kind < 8) {
      std::vector<CodepointRange> ranges;
      int count = 1 + pick(2);
      for (int i = 0; i < count; ++i) {
        uint32_t x = letter(), y = options_.alphabet_classes ? x : letter();
        ranges.push_back({std::min(x, y), std::max(x, y)});
      }
      return g.char_class(ranges, !options_.alphabet_classes && pick(4) == 0);
    }
    if (kind == 8) return g.empty();
    if (kind == 9 && pick(3) == 0) return g.nothing();
    int first = options_.recursion ? 0 : rule + 1;
    if (first >= options_.rules) return g.literal(encode_utf8(letter()));
    return g.ref(static_cast<RuleId>(first + pick(options_.rules - first)));
  }

  ExprId expr(Grammar& g, int rule, int depth) {
    if (depth == 0 || pick(4) == 0) return leaf(g, rule);
    int kind = pick(options_.permutations ? 4 : 3);
    if (kind == 3) return permutation(g, rule, depth);
    if (kind == 2) {
      static const uint32_t bounds[][2] = {{0, 1}, {0, 2}, {2, 3}, {1, 3}, {0, kUnbounded}, {1, kUnbounded},
                                           {2, kUnbounded}};
      int choices = options_.unbounded ? 7 : 4;
      const uint32_t* b = bounds[pick(choices)];
      return g.repeat(expr(g, rule, depth - 1), b[0], b[1]);
    }
    std::vector<ExprId> items;
    int count = 2 + pick(2);
    for (int i = 0; i < count; ++i) items.push_back(expr(g, rule, depth - 1));
    return kind == 0 ? g.sequence(items) : g.choice(items);
  }

  ExprId permutation(Grammar& g, int rule, int depth) {
    static const uint32_t bounds[][2] = {{0, kUnbounded}, {0, kUnbounded}, {1, kUnbounded}, {0, 1},
                                         {1, 2},          {2, 3},          {2, kUnbounded}};
    const uint32_t* b = bounds[pick(options_.unbounded ? 7 : 6)];
    const ExprId separator = pick(5) == 0 ? leaf(g, rule) : g.literal(encode_utf8(letter()));
    std::vector<ExprId> members;
    const int count = 2 + pick(2);
    uint64_t required = 0, repeatable = 0;
    for (int i = 0; i < count; ++i) {
      members.push_back(expr(g, rule, depth - 1));
      if (pick(3) == 0) required |= uint64_t{1} << i;
      if (options_.unbounded && pick(4) == 0) repeatable |= uint64_t{1} << i;
    }
    return g.permutation(separator, members, required, repeatable, b[0], b[1]);
  }

  std::mt19937 rng_;
  RandomGrammarOptions options_;
};

// Every sentence of the grammar with at most `max_length` code points, all
// of whose code points lie in test_alphabet().
class BruteForceLanguage {
 public:
  using Lang = std::set<std::u32string>;

  BruteForceLanguage(const Grammar& grammar, size_t max_length) : g_(grammar), n_(max_length) {
    rule_lang_.assign(g_.rules().size(), Lang{});
    bool changed = true;
    while (changed) {
      changed = false;
      memo_.clear();
      for (RuleId r = 0; r < g_.rules().size(); ++r) {
        Lang next = eval(g_.rule(r).body);
        if (next != rule_lang_[r]) {
          rule_lang_[r] = std::move(next);
          changed = true;
        }
      }
    }
    sentences_ = rule_lang_[g_.root()];
    for (const std::u32string& s : sentences_) {
      for (size_t i = 0; i <= s.size(); ++i) prefixes_.insert(s.substr(0, i));
    }
  }

  const Lang& sentences() const { return sentences_; }
  bool contains(const std::u32string& s) const { return sentences_.count(s) != 0; }
  // A prefix of some sentence of at most max_length code points.
  bool is_prefix(const std::u32string& s) const { return prefixes_.count(s) != 0; }

 private:
  Lang concat(const Lang& a, const Lang& b) const {
    std::vector<std::vector<const std::u32string*>> by_length(n_ + 1);
    for (const std::u32string& s : b) by_length[s.size()].push_back(&s);
    Lang out;
    for (const std::u32string& x : a) {
      for (size_t l = 0; x.size() + l <= n_; ++l) {
        for (const std::u32string* y : by_length[l]) out.insert(x + *y);
      }
    }
    return out;
  }

  Lang eval(ExprId id) {
    auto found = memo_.find(id);
    if (found != memo_.end()) return found->second;
    const Expr& e = g_.expr(id);
    Lang out;
    switch (e.kind) {
      case ExprKind::kEmpty: out.insert(U""); break;
      case ExprKind::kNothing: break;
      case ExprKind::kLiteral: {
        std::u32string text;
        for (size_t i = 0; i < e.literal.size();) {
          // The generator's literals use only alphabet letters.
          for (uint32_t cp : test_alphabet()) {
            std::string enc = encode_utf8(cp);
            if (e.literal.compare(i, enc.size(), enc) == 0) {
              text += static_cast<char32_t>(cp);
              i += enc.size();
              break;
            }
          }
        }
        if (text.size() <= n_) out.insert(text);
        break;
      }
      case ExprKind::kCharClass:
        for (uint32_t cp : test_alphabet()) {
          for (const CodepointRange& r : e.ranges) {
            if (cp >= r.lo && cp <= r.hi) out.insert(std::u32string(1, static_cast<char32_t>(cp)));
          }
        }
        break;
      case ExprKind::kSequence:
        out.insert(U"");
        for (ExprId c : e.children) out = concat(out, eval(c));
        break;
      case ExprKind::kChoice:
        for (ExprId c : e.children) {
          Lang l = eval(c);
          out.insert(l.begin(), l.end());
        }
        break;
      case ExprKind::kRepeat: {
        Lang item = eval(e.children[0]);
        Lang power{U""};
        if (e.min == 0) out.insert(U"");
        // Past min + n_ iterations nothing new of length <= n_ appears.
        uint64_t last = std::min<uint64_t>(e.max, uint64_t{e.min} + n_ + 1);
        for (uint64_t k = 1; k <= last; ++k) {
          power = concat(power, item);
          if (k >= e.min) out.insert(power.begin(), power.end());
        }
        break;
      }
      case ExprKind::kRuleRef: out = rule_lang_[e.rule]; break;
      case ExprKind::kPermutation: out = permutation(e); break;
    }
    memo_[id] = out;
    return out;
  }

  // Every way to write members one after another, tracked as (members
  // written, how many, text so far). Past min + members + n_ writes nothing
  // new of length <= n_ can appear.
  Lang permutation(const Expr& e) {
    const Lang separator = eval(e.children[0]);
    std::vector<Lang> members;
    for (size_t i = 1; i < e.children.size(); ++i) members.push_back(eval(e.children[i]));
    const uint64_t count_cap = std::min<uint64_t>(e.max, uint64_t{e.min} + members.size() + n_ + 1);
    using Partial = std::tuple<uint64_t, uint64_t, std::u32string>;
    std::set<Partial> seen{{0, 0, U""}};
    std::vector<Partial> todo{{0, 0, U""}};
    Lang out;
    while (!todo.empty()) {
      auto [written, count, text] = todo.back();
      todo.pop_back();
      if ((e.required & ~written) == 0 && count >= e.min) out.insert(text);
      if (count >= count_cap) continue;
      for (size_t i = 0; i < members.size(); ++i) {
        const uint64_t bit = uint64_t{1} << i;
        if ((written & bit) && !(e.repeatable & bit)) continue;
        const Lang before = count > 0 ? concat(Lang{text}, separator) : Lang{text};
        for (const std::u32string& next : concat(before, members[i])) {
          Partial p{written | bit, count + 1, next};
          if (seen.insert(p).second) todo.push_back(std::move(p));
        }
      }
    }
    return out;
  }

  const Grammar& g_;
  size_t n_;
  std::vector<Lang> rule_lang_;
  std::map<ExprId, Lang> memo_;
  Lang sentences_;
  Lang prefixes_;
};

// An upper bound on the length (in code points) of any sentence, or
// kUnbounded; for grammars without recursion.
inline uint64_t max_sentence_length(const Grammar& g, ExprId id) {
  const Expr& e = g.expr(id);
  switch (e.kind) {
    case ExprKind::kEmpty:
    case ExprKind::kNothing: return 0;
    case ExprKind::kLiteral: {
      uint64_t n = 0;
      for (char c : e.literal) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      return n;
    }
    case ExprKind::kCharClass: return 1;
    case ExprKind::kSequence: {
      uint64_t n = 0;
      for (ExprId c : e.children) {
        uint64_t m = max_sentence_length(g, c);
        if (m == kUnbounded) return kUnbounded;
        n += m;
      }
      return n;
    }
    case ExprKind::kChoice: {
      uint64_t n = 0;
      for (ExprId c : e.children) {
        uint64_t m = max_sentence_length(g, c);
        if (m == kUnbounded) return kUnbounded;
        n = std::max(n, m);
      }
      return n;
    }
    case ExprKind::kRepeat: {
      uint64_t m = max_sentence_length(g, e.children[0]);
      if (m == 0) return 0;
      if (m == kUnbounded || e.max == kUnbounded) return kUnbounded;
      return m * e.max;
    }
    case ExprKind::kRuleRef: return max_sentence_length(g, g.rule(e.rule).body);
    case ExprKind::kPermutation: {
      uint64_t longest = 0;
      for (size_t i = 1; i < e.children.size(); ++i) longest = std::max(longest, max_sentence_length(g, e.children[i]));
      const uint64_t separator = max_sentence_length(g, e.children[0]);
      if (longest == kUnbounded || separator == kUnbounded) return kUnbounded;
      uint64_t writes = e.repeatable ? e.max : std::min<uint64_t>(e.max, e.children.size() - 1);
      if (writes == kUnbounded) return longest + separator == 0 ? 0 : kUnbounded;
      return writes * (longest + separator);
    }
  }
  return kUnbounded;
}

}  // namespace sluice::testing
