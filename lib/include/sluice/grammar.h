// sluice/grammar.h: the grammar IR every front-end lowers to.
//
// Data flow: GBNF / regex / choices / JSON Schema text
//   -> front-end (lib/frontend) -> Grammar (this file, lib/ir)
//   -> automaton (lib/automaton) -> masks and matcher (lib/matcher).
//
// A Grammar is a set of named rules over Unicode text. Each rule has one body
// expression; expressions live in an arena owned by the Grammar and refer to
// each other by ExprId, so a Grammar is a plain value that copies and moves
// cheaply enough and never dangles. Terminals are code points: a literal is a
// UTF-8 string, a character class is a set of code-point ranges. Everything a
// grammar matches is therefore valid UTF-8; the automaton compiles classes to
// UTF-8 byte sequences.
//
// Repetition keeps its bounds (x{0,1000} is one node, not a thousand): later
// stages decide how to run it without unrolling. Likewise a permutation (the
// members of a JSON object in any order, each at most once) is one node, not
// the 2^n states that spell its orders out: the matcher keeps the set of
// members written in the parser frame.
//
// Tested in tests/ir/.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/error.h"

namespace sluice {

using RuleId = uint32_t;
using ExprId = uint32_t;

inline constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();
inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

// Inclusive range of Unicode scalar values. Surrogates (D800-DFFF) are never
// matched: they have no UTF-8 encoding.
struct CodepointRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  friend bool operator==(const CodepointRange&, const CodepointRange&) = default;
};

enum class ExprKind : uint8_t {
  kEmpty,      // matches the empty string
  kNothing,    // matches no string at all (an unsatisfiable branch)
  kLiteral,    // data: literal (UTF-8 bytes, non-empty)
  kCharClass,  // data: ranges (sorted, disjoint, non-adjacent, non-empty); one code point
  kSequence,   // data: children, matched one after another (two or more)
  kChoice,     // data: children, any one of them (two or more)
  kRepeat,     // data: children[0] repeated min..max times (max may be kUnbounded)
  kRuleRef,    // data: rule
  // data: children = {separator, member...}, required, repeatable, min, max,
  // dependencies. Matches m_a sep m_b sep ... m_z: between min and max
  // members (max may be kUnbounded) in any order, every required member
  // among them, no member outside `repeatable` twice, and for each
  // dependency whose trigger is among them, every member of one of its
  // `needs`. Bit i of a mask is member i.
  kPermutation,
};

// "If member t is written, so are all the members of needs[0], or all of
// needs[1], ...": JSON Schema's dependentRequired, and dependentSchemas
// that only require, kept as conditions on the set of keys written instead
// of a copy of the object per combination.
struct PermutationDependency {
  uint64_t trigger = 0;         // one member's bit
  std::vector<uint64_t> needs;  // alternatives, each a set of members
  bool operator==(const PermutationDependency&) const = default;
};

// A permutation's members are tracked in the bits of a 64-bit frame word:
// one bit per member for the members written, and above them how many were
// written, saturating at the bound that matters (max, or max(min, 1) when
// max is unbounded). So the members and the bits of that bound share 64
// bits: up to 63 members without count bounds, 48 with bounds up to
// kMaxPermutationCount (permutation_fits).
inline constexpr uint32_t kMaxPermutationMembers = 63;
inline constexpr uint32_t kMaxPermutationCount = 0xFFFF;

// Whether a permutation of `members` with these count bounds fits its frame
// word.
constexpr bool permutation_fits(size_t members, uint32_t min, uint32_t max) {
  if (members > kMaxPermutationMembers || min > kMaxPermutationCount) return false;
  if (max != kUnbounded && max > kMaxPermutationCount) return false;
  uint32_t cap = max == kUnbounded ? (min > 1 ? min : 1) : max;
  size_t bits = 0;
  for (; cap != 0; cap >>= 1) ++bits;
  return members + bits <= 64;
}

struct Expr {
  ExprKind kind = ExprKind::kEmpty;
  uint32_t min = 0;  // kRepeat, kPermutation
  uint32_t max = 0;  // kRepeat, kPermutation; kUnbounded for no upper bound
  RuleId rule = 0;   // kRuleRef
  std::string literal;                 // kLiteral
  std::vector<CodepointRange> ranges;  // kCharClass
  std::vector<ExprId> children;        // kSequence, kChoice, kRepeat, kPermutation
  uint64_t required = 0;               // kPermutation
  uint64_t repeatable = 0;             // kPermutation
  std::vector<PermutationDependency> dependencies;  // kPermutation
};

struct Rule {
  std::string name;
  ExprId body = 0;
  // Where the rule was defined in its source text (0 when generated).
  uint32_t line = 0;
  uint32_t column = 0;
};

class Grammar {
 public:
  // --- building ---------------------------------------------------------
  // Declares a rule (so that forward references work) and returns its id.
  // Declaring a name twice returns the same id.
  RuleId declare_rule(std::string_view name);
  void set_body(RuleId rule, ExprId body);
  void set_rule_location(RuleId rule, uint32_t line, uint32_t column);
  void set_root(RuleId rule) { root_ = rule; }

  ExprId empty();
  ExprId nothing();
  ExprId literal(std::string_view utf8);  // "" gives empty()
  // Ranges may be unsorted and overlapping; they are normalised. With
  // negated, the class is the complement within [0, 0x10FFFF] minus
  // surrogates. An empty class gives nothing().
  ExprId char_class(std::vector<CodepointRange> ranges, bool negated = false);
  ExprId sequence(std::vector<ExprId> items);  // flattens; 0 items: empty, 1: itself
  ExprId choice(std::vector<ExprId> items);    // flattens; 0 items: nothing, 1: itself
  ExprId repeat(ExprId item, uint32_t min, uint32_t max);
  ExprId optional(ExprId item) { return repeat(item, 0, 1); }
  ExprId star(ExprId item) { return repeat(item, 0, kUnbounded); }
  ExprId plus(ExprId item) { return repeat(item, 1, kUnbounded); }
  ExprId ref(RuleId rule);
  // Members that match nothing are dropped (a required one makes the whole
  // nothing()); with no members left, or a separator that matches nothing,
  // the result is the equivalent simpler expression. Call validate() for the
  // member and count limits.
  // A dependency whose trigger matches nothing is dropped, as is one that
  // required members always satisfy; a trigger none of whose needs can be
  // written is dropped as a member.
  ExprId permutation(ExprId separator, std::vector<ExprId> members, uint64_t required, uint64_t repeatable,
                     uint32_t min = 0, uint32_t max = kUnbounded,
                     std::vector<PermutationDependency> dependencies = {});

  // --- reading ----------------------------------------------------------
  RuleId root() const { return root_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const Rule& rule(RuleId id) const { return rules_[id]; }
  const Expr& expr(ExprId id) const { return exprs_[id]; }
  size_t expr_count() const { return exprs_.size(); }
  // Looks a rule up by name; returns false when there is none.
  bool find_rule(std::string_view name, RuleId* out) const;

  // Readable text in GBNF syntax; rules in id order, root first.
  std::string to_string() const;

  // Checks the structural invariants: every rule has a body, every reference
  // points at a rule, the root exists. Front-ends call it before returning.
  Status validate() const;

 private:
  ExprId add(Expr expr);

  std::vector<Rule> rules_;
  std::vector<Expr> exprs_;
  std::vector<bool> has_body_;
  // Name -> id, so that declaring n rules costs O(n), not O(n^2).
  std::unordered_map<std::string, RuleId> rule_index_;
  RuleId root_ = 0;
};

}  // namespace sluice
