// Implements ir/reference_recognizer.h.
// Tested in tests/ir/reference_recognizer_test.cc.
//
// A continuation stack is a vector of frames, top at the back; each frame is
// an expression together with how far into it the input has got. The state
// is the set of stacks whose top is a terminal (a literal or a character
// class) plus, when the input so far is a sentence, the empty stack. A byte
// advances each terminal on top, and the result is expanded again until
// every top is a terminal ("closure"). The set is a sorted, deduplicated
// vector, so equal states compare equal.
//
// Frames that could never complete are never pushed (GrammarFacts says which
// expressions are productive), so a non-empty state always means "some
// sentence starts with the input".
#include "ir/reference_recognizer.h"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/analysis.h"

namespace sluice::ir {

namespace {

// `pos` depends on the expression's kind:
//   kSequence: index of the next item to match;
//   kRepeat:   iterations completed (capped at min when max is unbounded,
//              since beyond min all counts behave the same);
//   kPermutation: pos | bits << 32 is one word: the members written in its
//              low bits, one per member, how many in the rest (capped like
//              kRepeat's count; PermutationLimits::progress);
//   kLiteral:  bytes matched so far;
//   kCharClass: bytes of the current code point matched so far, with `bits`
//              holding the code point's leading bits and `length` its total
//              UTF-8 length.
// A frame with every field zero means "about to start this expression".
struct Frame {
  ExprId expr = 0;
  uint32_t pos = 0;
  uint32_t bits = 0;
  uint32_t length = 0;
  friend auto operator<=>(const Frame&, const Frame&) = default;
};

using Stack = std::vector<Frame>;

struct StackHash {
  size_t operator()(const Stack& stack) const {
    uint64_t h = 14695981039346656037ull;
    for (const Frame& f : stack) {
      for (uint32_t word : {f.expr, f.pos, f.bits, f.length}) h = (h ^ word) * 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};

// The smallest and largest code point each UTF-8 length may encode; anything
// outside is an overlong form or beyond U+10FFFF.
constexpr uint32_t kLengthMin[5] = {0, 0, 0x80, 0x800, 0x10000};
constexpr uint32_t kLengthMax[5] = {0, 0x7F, 0x7FF, 0xFFFF, kMaxCodepoint};

bool class_intersects(const Expr& cls, uint32_t lo, uint32_t hi) {
  for (const CodepointRange& r : cls.ranges) {
    if (r.lo <= hi && lo <= r.hi) return true;
  }
  return false;
}

// What every copy of a recogniser shares: the analysis and the start state.
struct Shared {
  GrammarFacts facts;
  std::vector<Stack> initial;  // sorted, unique
};

}  // namespace

struct ReferenceRecognizer::State {
  std::shared_ptr<const Shared> shared;
  std::vector<Stack> stacks;  // sorted, unique
  bool failed = false;
  Error error;
};

namespace {

class Stepper {
 public:
  Stepper(const Grammar& grammar, const GrammarFacts& facts, size_t max_stacks)
      : grammar_(grammar), facts_(facts), max_stacks_(max_stacks) {}

  // Whether the rest of `frame` can still match some string.
  bool completable(const Frame& frame) const {
    const Expr& e = grammar_.expr(frame.expr);
    switch (e.kind) {
      case ExprKind::kSequence:
        for (size_t i = frame.pos; i < e.children.size(); ++i) {
          if (!facts_.expr_productive[e.children[i]]) return false;
        }
        return true;
      case ExprKind::kRepeat: return frame.pos >= e.min || facts_.expr_productive[e.children[0]];
      case ExprKind::kPermutation: {
        uint64_t productive_members = 0;
        for (size_t i = 1; i < e.children.size(); ++i) {
          if (facts_.expr_productive[e.children[i]]) productive_members |= uint64_t{1} << (i - 1);
        }
        const PermutationLimits limits = PermutationLimits::of(e);
        const auto progress = limits.progress(frame.pos | uint64_t{frame.bits} << 32);
        return permutation_completable(limits, progress.written, progress.count, productive_members,
                                       facts_.expr_productive[e.children[0]]);
      }
      case ExprKind::kLiteral:
      case ExprKind::kCharClass: return true;
      default: return facts_.expr_productive[frame.expr];
    }
  }

  // Expands `start` until each resulting stack has a terminal on top or is
  // empty, adding those to `out`. Every stack passes through seen_ first,
  // so `out` never receives one twice within a step.
  Status close(Stack start, std::vector<Stack>& out) {
    std::vector<Stack> work;
    work.push_back(std::move(start));
    while (!work.empty()) {
      Stack stack = std::move(work.back());
      work.pop_back();
      if (!seen_.insert(stack).second) continue;
      if (seen_.size() > max_stacks_) {
        return make_error(ErrorCode::kBudgetExceeded,
                          "reference recogniser: more than " + std::to_string(max_stacks_) +
                              " continuation stacks (ReferenceOptions::max_stacks)");
      }
      if (stack.empty()) {
        out.push_back(std::move(stack));
        continue;
      }
      Frame top = stack.back();
      const Expr& e = grammar_.expr(top.expr);
      switch (e.kind) {
        case ExprKind::kLiteral:
        case ExprKind::kCharClass: out.push_back(std::move(stack)); break;
        case ExprKind::kEmpty:
          stack.pop_back();
          work.push_back(std::move(stack));
          break;
        case ExprKind::kNothing: break;
        case ExprKind::kRuleRef:
          stack.back() = Frame{grammar_.rule(e.rule).body};
          push_if_completable(std::move(stack), work);
          break;
        case ExprKind::kChoice:
          for (ExprId child : e.children) {
            Stack alt = stack;
            alt.back() = Frame{child};
            push_if_completable(std::move(alt), work);
          }
          break;
        case ExprKind::kSequence: {
          stack.pop_back();
          // The last item replaces the sequence's frame instead of sitting on
          // top of it, so right recursion does not grow the stack.
          if (top.pos + 1 < e.children.size()) stack.push_back(Frame{top.expr, top.pos + 1});
          stack.push_back(Frame{e.children[top.pos]});
          push_if_completable(std::move(stack), work);
          break;
        }
        case ExprKind::kPermutation: {
          stack.pop_back();
          const PermutationLimits limits = PermutationLimits::of(e);
          const auto progress = limits.progress(top.pos | uint64_t{top.bits} << 32);
          if (limits.complete(progress)) work.push_back(stack);
          for (size_t i = 1; i < e.children.size(); ++i) {
            const auto member = static_cast<uint32_t>(i - 1);
            if (!limits.may_write(progress, member) || !facts_.expr_productive[e.children[i]]) continue;
            const uint64_t next = limits.word(limits.after(progress, member));
            Stack taken = stack;
            taken.push_back(Frame{top.expr, static_cast<uint32_t>(next), static_cast<uint32_t>(next >> 32)});
            if (!completable(taken.back())) continue;
            taken.push_back(Frame{e.children[i]});
            if (progress.count > 0) taken.push_back(Frame{e.children[0]});
            push_if_completable(std::move(taken), work);
          }
          break;
        }
        case ExprKind::kRepeat: {
          stack.pop_back();
          if (top.pos >= e.min) work.push_back(stack);
          if (top.pos < e.max) {
            uint32_t next = e.max == kUnbounded ? std::min(top.pos + 1, e.min) : top.pos + 1;
            if (next < e.max) stack.push_back(Frame{top.expr, next});
            stack.push_back(Frame{e.children[0]});
            push_if_completable(std::move(stack), work);
          }
          break;
        }
      }
    }
    return {};
  }

  // Advances a stack whose top is a terminal by one byte; false when the
  // byte does not fit.
  bool advance(Stack& stack, unsigned char byte) const {
    Frame& top = stack.back();
    const Expr& e = grammar_.expr(top.expr);
    if (e.kind == ExprKind::kLiteral) {
      if (static_cast<unsigned char>(e.literal[top.pos]) != byte) return false;
      if (++top.pos == e.literal.size()) stack.pop_back();
      return true;
    }
    uint32_t length = top.length;
    uint32_t bits = top.bits;
    if (top.pos == 0) {
      if (byte < 0x80) {
        length = 1, bits = byte;
      } else if (byte >= 0xC0 && byte < 0xE0) {
        length = 2, bits = byte & 0x1F;
      } else if (byte >= 0xE0 && byte < 0xF0) {
        length = 3, bits = byte & 0x0F;
      } else if (byte >= 0xF0 && byte < 0xF8) {
        length = 4, bits = byte & 0x07;
      } else {
        return false;
      }
    } else {
      if ((byte & 0xC0) != 0x80) return false;
      bits = (bits << 6) | (byte & 0x3F);
    }
    uint32_t done = top.pos + 1;
    // The code points this prefix can still become, cut to those its length
    // encodes without overlong forms; the class must contain one of them.
    // (Classes never contain surrogates, so those need no extra check.)
    uint32_t free_bits = 6 * (length - done);
    uint32_t lo = std::max(bits << free_bits, kLengthMin[length]);
    uint32_t hi = std::min((bits << free_bits) | ((1u << free_bits) - 1), kLengthMax[length]);
    if (lo > hi || !class_intersects(e, lo, hi)) return false;
    if (done == length) {
      stack.pop_back();
    } else {
      top.pos = done;
      top.bits = bits;
      top.length = length;
    }
    return true;
  }

 private:
  void push_if_completable(Stack stack, std::vector<Stack>& work) const {
    if (completable(stack.back())) work.push_back(std::move(stack));
  }

  const Grammar& grammar_;
  const GrammarFacts& facts_;
  size_t max_stacks_;
  std::unordered_set<Stack, StackHash> seen_;
};

}  // namespace

ReferenceRecognizer::ReferenceRecognizer(std::shared_ptr<const Grammar> grammar, ReferenceOptions options)
    : grammar_(std::move(grammar)), options_(options), state_(std::make_unique<State>()) {}

ReferenceRecognizer::ReferenceRecognizer(const ReferenceRecognizer& other)
    : grammar_(other.grammar_), options_(other.options_), state_(std::make_unique<State>(*other.state_)) {}

ReferenceRecognizer& ReferenceRecognizer::operator=(const ReferenceRecognizer& other) {
  if (this != &other) {
    grammar_ = other.grammar_;
    options_ = other.options_;
    state_ = std::make_unique<State>(*other.state_);
  }
  return *this;
}

ReferenceRecognizer::ReferenceRecognizer(ReferenceRecognizer&&) noexcept = default;
ReferenceRecognizer& ReferenceRecognizer::operator=(ReferenceRecognizer&&) noexcept = default;
ReferenceRecognizer::~ReferenceRecognizer() = default;

Result<ReferenceRecognizer> ReferenceRecognizer::create(const Grammar& grammar, const ReferenceOptions& options) {
  if (Status valid = grammar.validate(); !valid.ok()) return valid.error();
  auto shared = std::make_shared<Shared>();
  shared->facts = analyze(grammar);
  if (Status left = find_left_recursion(grammar, shared->facts); !left.ok()) return left.error();
  Stepper stepper(grammar, shared->facts, options.max_stacks);
  Frame start{grammar.rule(grammar.root()).body};
  if (stepper.completable(start)) {
    if (Status st = stepper.close(Stack{start}, shared->initial); !st.ok()) return st.error();
    std::sort(shared->initial.begin(), shared->initial.end());
  }
  ReferenceRecognizer recognizer(std::make_shared<const Grammar>(grammar), options);
  recognizer.state_->shared = std::move(shared);
  recognizer.reset();
  return recognizer;
}

void ReferenceRecognizer::reset() {
  state_->stacks = state_->shared->initial;
  state_->failed = false;
}

Result<bool> ReferenceRecognizer::feed(std::string_view bytes) {
  State& s = *state_;
  for (char c : bytes) {
    if (s.failed) return s.error;
    if (s.stacks.empty()) return false;
    Stepper stepper(*grammar_, s.shared->facts, options_.max_stacks);
    std::vector<Stack> next;
    for (const Stack& stack : s.stacks) {
      if (stack.empty()) continue;
      Stack moved = stack;
      if (!stepper.advance(moved, static_cast<unsigned char>(c))) continue;
      if (Status st = stepper.close(std::move(moved), next); !st.ok()) {
        s.failed = true;
        s.error = st.error();
        s.stacks.clear();
        return s.error;
      }
    }
    std::sort(next.begin(), next.end());
    s.stacks = std::move(next);
  }
  if (s.failed) return s.error;
  return !s.stacks.empty();
}

bool ReferenceRecognizer::accepting() const {
  // The empty stack sorts first.
  return !state_->stacks.empty() && state_->stacks.front().empty();
}

bool ReferenceRecognizer::dead() const { return state_->stacks.empty(); }

Result<Classification> ReferenceRecognizer::classify(std::string_view bytes) const {
  ReferenceRecognizer copy(grammar_, options_);
  copy.state_->shared = state_->shared;
  copy.reset();
  if (copy.dead()) return Classification{Verdict::kReject, 0};
  for (size_t i = 0; i < bytes.size(); ++i) {
    Result<bool> alive = copy.feed(bytes.substr(i, 1));
    if (!alive.ok()) return alive.error();
    if (!*alive) return Classification{Verdict::kReject, i};
  }
  return Classification{copy.accepting() ? Verdict::kAccept : Verdict::kIncomplete, 0};
}

}  // namespace sluice::ir
