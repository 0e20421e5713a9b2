// sluice/frontend.h: every constraint language, lowered to the one Grammar IR.
//
//   GBNF text       -> parse_gbnf        (lib/frontend/gbnf.*,  Boost.Spirit X3)
//   regex pattern   -> compile_regex     (lib/frontend/regex.*, Boost.Spirit X3)
//   list of strings -> compile_choices   (lib/frontend/choices.*)
//   JSON Schema     -> compile_json_schema (lib/frontend/json_schema/, nlohmann/json)
//
// Each returns a validated Grammar or an Error located in the input (line:col
// for GBNF, byte offset for regex, JSON pointer for schemas). None of them
// silently drops a constraint.
//
// Tested in tests/frontend/ and tests/json_schema/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice {

struct GbnfOptions {
  // Nesting depth of groups in the source text; deeper input is an error
  // (kBudgetExceeded), never a stack overflow.
  uint32_t max_nesting = 1000;
  // A repetition bound above this is an error (absurd bounds such as
  // x{1000000000}).
  uint32_t max_repeat_bound = 100000;
  // Run the IR passes (lib/ir/passes.h) on the result: inline small and
  // single-use rules, merge literals and classes. Hand-written grammars
  // split text into small rules (`char`, `hex`), and a rule called per
  // character costs a parser frame per character and masks that cannot be
  // cached whole. Off gives the rules exactly as written.
  bool optimize = true;
};

// Parses llama.cpp's GBNF dialect. `root` is the start rule.
Result<Grammar> parse_gbnf(std::string_view text, const GbnfOptions& options = {});

enum class RegexMatchMode : uint8_t {
  kFullMatch,  // the whole output must match (a `regex` constraint)
  kSearch,     // JSON Schema `pattern`: unanchored parts match anywhere
};

struct RegexOptions {
  RegexMatchMode mode = RegexMatchMode::kFullMatch;
  uint32_t max_nesting = 1000;
  uint32_t max_repeat_bound = 100000;
  // `^`/`$` inside groups (`(^a|b)c`) are lowered exactly by copying the
  // parts of a group that several anchor cases share and re-joining them;
  // this bounds the expressions copied or re-joined (patterns with anchors
  // only at their ends need none). Exceeding it is kBudgetExceeded.
  uint32_t max_anchor_work = 1000000;
};

// Compiles an ECMA-262 pattern (the subset JSON Schema uses) to a grammar
// whose root matches exactly the strings the pattern accepts in `mode`.
// Lookaround and backreferences are kUnsupported errors naming the construct
// and its byte offset. The dialect (code-point semantics, which escapes are
// accepted) is documented in lib/frontend/regex.h. A pattern no string can
// match (`a^b`, `[]`) is kUnsatisfiable.
Result<Grammar> compile_regex(std::string_view pattern, const RegexOptions& options = {});

// Lowers a pattern into an existing grammar (used by the JSON Schema
// compiler for `pattern` and `patternProperties`) and returns the expression
// for it. The expression matches the decoded string value, not its JSON
// encoding. An unsatisfiable pattern gives an expression of kind kNothing.
// On error the grammar may keep unreferenced expressions; it stays valid.
Result<ExprId> lower_regex(Grammar& grammar, std::string_view pattern, const RegexOptions& options = {});

// Exactly one of the given strings. Duplicates are allowed and harmless; an
// empty list is an error.
Result<Grammar> compile_choices(const std::vector<std::string>& choices);

}  // namespace sluice
