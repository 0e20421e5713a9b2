// Internal interface of the regex front-end (compile_regex / lower_regex in
// sluice/frontend.h).
//
// The pipeline is two stages, one file each:
//   regex_parse.cc  pattern text -> ast::Alternation (Boost.Spirit X3 tokens,
//                   assembled into a tree with an explicit stack)
//   regex.cc        ast -> Grammar IR, resolving ^ and $ exactly
//
// Dialect: the ECMA-262 subset JSON Schema `pattern` uses, with code-point
// (u-flag) semantics, because a JSON string is text and the IR matches code
// points: `.` and classes match one code point, `\uD83D\uDE00` is the one
// code point U+1F600, and a lone surrogate matches nothing. Annex B leniency
// is kept where it cannot change meaning (a `{` that starts no quantifier,
// a bare `]` or `}`, identity escapes of punctuation); where Annex B would
// read an escape differently from what the author likely meant (`\e`, `\z`,
// `\p{L}`, octal `\01`) the pattern is rejected as kUnsupported instead.
// `\u{H...}` is accepted as a code point, as under the u flag.
//
// Tested in tests/frontend/regex_*_test.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "sluice/error.h"
#include "sluice/frontend.h"
#include "sluice/grammar.h"

namespace sluice::regex {

namespace ast {

struct Alternation;

// One code point out of a set: a literal character, `.`, an escape such as
// \d, or a bracketed class. Ranges are as written (negation not yet applied).
struct CharSet {
  std::vector<CodepointRange> ranges;
  bool negated = false;
};

enum class AssertionKind : uint8_t { kStart, kEnd };

struct Assertion {
  AssertionKind kind = AssertionKind::kStart;
};

// A group is boxed: Alternation is still incomplete here.
using Atom = std::variant<CharSet, Assertion, std::unique_ptr<Alternation>>;

struct Quantifier {
  uint32_t min = 1;
  uint32_t max = 1;  // kUnbounded for * + {m,}
  uint32_t offset = 0;  // of the quantifier's first byte, for errors
};

struct Piece {
  Atom atom;
  std::optional<Quantifier> quantifier;
};

using Sequence = std::vector<Piece>;

// Branches separated by `|`; a group's body and the whole pattern.
struct Alternation : std::vector<Sequence> {};

}  // namespace ast

// Parses `pattern` into its syntax tree. Errors carry the byte offset of the
// offending construct; nesting deeper than options.max_nesting and bounds
// above options.max_repeat_bound are kBudgetExceeded, checked before any
// recursion so that no input can exhaust the stack.
Result<ast::Alternation> parse(std::string_view pattern, const RegexOptions& options);

// The ECMA-262 character-class escapes, as code-point ranges.
std::vector<CodepointRange> digit_ranges();       // \d
std::vector<CodepointRange> word_ranges();        // \w
std::vector<CodepointRange> whitespace_ranges();  // \s: WhiteSpace and LineTerminator
std::vector<CodepointRange> line_terminator_ranges();  // what `.` excludes
// The complement within all code points (surrogates included; the IR drops
// them anyway).
std::vector<CodepointRange> complement_ranges(std::vector<CodepointRange> ranges);

}  // namespace sluice::regex
