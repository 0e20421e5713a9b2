// A small backtracking regex engine over code points, for the pre-tokenizer
// patterns in tokenizer.json files. RE2 cannot run them: they use lookahead
// (`\s+(?!\S)`), and their meaning is the reference's: JavaScript RegExp
// with the `u` flag, leftmost match, alternatives tried in order.
//
// Supported: literals, `.`, classes with ranges and negation, \d \D \w \W
// \s \S (JS definitions), \p{..} / \P{..} for general categories (short or
// long names, gc=/General_Category=), escapes \t \n \r \f \v \0 \xHH \uHHHH
// \u{H..}, groups (capturing, (?:..), (?<name>..)), (?i:..) (ASCII case
// folding only: the reference rewrites Llama-3's (?i:'s|'t|..) into ASCII
// classes, and node's RegExp has no other modifiers), lookahead (?=..)
// (?!..), anchors ^ $ \b \B, and greedy or lazy * + ? {n} {n,} {n,m}.
// Everything else (backreferences, lookbehind, scripts and binary
// properties, a quantified sub-pattern that can match empty) is an
// ErrorCode::kUnsupported error naming it, with its byte offset.
//
// Tested in tests/tokenizer/regex_test.cc against std::regex (ECMAScript)
// on ASCII patterns and inputs, and by hand-written Unicode cases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sluice/error.h"
#include "tokenizer/unicode.h"

namespace sluice::tok {

class Regex {
 public:
  // Compiled programs larger than this many instructions (counted
  // repetitions are unrolled) are an ErrorCode::kBudgetExceeded error.
  static constexpr size_t kMaxProgramSize = 1 << 16;

  static Result<Regex> compile(std::string_view pattern);

  struct Match {
    size_t begin, end;  // code point indexes
  };
  // A backtracking point: resume at pc with pos. A kLoop leaves one frame
  // for its whole run, resuming at pos, then pos-1, ... down to min_pos.
  struct Frame {
    uint32_t pc;
    size_t pos;
    size_t min_pos;
  };
  // Working memory for search, reused across calls by one thread.
  struct Scratch {
    std::vector<Frame> frames;
  };
  // The leftmost match in cps[from, n), as JS's RegExp.exec with lastIndex
  // = from would find it; false when there is none.
  bool search(const uint32_t* cps, size_t n, size_t from, Match* match, Scratch* scratch) const;
  bool search(const uint32_t* cps, size_t n, size_t from, Match* match) const {
    Scratch scratch;
    return search(cps, n, from, match, &scratch);
  }

  struct CharSet {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // inclusive, sorted
    CategoryMask categories = 0;
    bool negated = false;
    uint64_t ascii[2] = {0, 0};  // membership of code points < 128, negation applied
    bool contains(uint32_t cp) const;
    void finish();  // sorts ranges and fills `ascii`
  };

  enum class Op : uint8_t {
    kChar,       // arg: the code point; fold: ASCII case-insensitive
    kSet,        // arg: index into sets_
    kAny,        // `.`: anything but a line terminator
    kSplit,      // try x, then y
    kJmp,        // go to x
    kMatch,      // end of the program or of a lookahead's sub-program
    kLookahead,  // sub-program at x, continue at y; fold: negative
    kAssert,     // arg: an Assertion
    kLoop,       // greedy repeat of one set: arg: set, x: min, y: max (kUnbounded)
  };
  static constexpr uint32_t kUnbounded = ~uint32_t{0};
  enum Assertion : uint32_t { kBegin, kEnd, kWordBoundary, kNotWordBoundary };
  struct Inst {
    Op op;
    bool fold = false;
    uint32_t arg = 0;
    uint32_t x = 0, y = 0;
  };

 private:
  bool match_at(uint32_t pc, const uint32_t* cps, size_t n, size_t pos, size_t* end, Scratch* scratch,
                size_t base) const;
  // What the program can do first from each pc, so that a split skips a
  // branch that cannot match the next code point: without this, every
  // position tries every alternative of a pattern like Llama-3's.
  struct First {
    uint64_t ascii[2] = {0, 0};  // ASCII code points it may consume first
    bool non_ascii = false;      // whether it may consume a non-ASCII one first
    bool may_succeed_empty = false;  // whether it may succeed (or assert) without consuming
  };
  void compute_first();
  bool viable(uint32_t pc, const uint32_t* cps, size_t n, size_t pos) const {
    const First& f = first_[pc];
    if (f.may_succeed_empty) return true;
    if (pos >= n) return false;
    uint32_t c = cps[pos];
    return c < 128 ? (f.ascii[c >> 6] >> (c & 63) & 1) != 0 : f.non_ascii;
  }

  std::vector<Inst> program_;
  std::vector<First> first_;
  std::vector<CharSet> sets_;
  friend class RegexCompiler;
};

}  // namespace sluice::tok
