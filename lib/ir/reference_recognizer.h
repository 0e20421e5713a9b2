// The slow, obviously correct byte-level recogniser over the Grammar IR.
//
// It is the oracle the fast automaton and matcher are tested against, and
// nothing else: it interprets the expression tree directly (a set of
// continuation stacks, deduplicated by value, advanced one byte at a time),
// with no compilation and no caching, so that its correctness can be checked
// by reading it. Code points are matched at byte level: after a byte that
// leaves a UTF-8 sequence unfinished, a continuation survives when some
// completion of that sequence lies in its character class.
//
// Left-recursive grammars are reported by create() as kUnsupported naming
// the rule. Work is bounded by ReferenceOptions; running out is
// kBudgetExceeded, never a hang.
//
// Tested in tests/ir/reference_recognizer_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice::ir {

struct ReferenceOptions {
  // Upper bound on the continuation stacks visited while expanding one byte
  // (the live ones it leaves and the intermediate ones on the way), which
  // bounds both memory and the work per byte.
  size_t max_stacks = 100000;
};

enum class Verdict : uint8_t {
  kAccept,      // the input is a complete sentence of the grammar
  kIncomplete,  // the input is a proper prefix of some sentence
  kReject,      // no sentence starts with the input
};

struct Classification {
  Verdict verdict = Verdict::kReject;
  // For kReject: the offset of the first byte no sentence can continue with.
  size_t reject_offset = 0;
};

class ReferenceRecognizer {
 public:
  static Result<ReferenceRecognizer> create(const Grammar& grammar, const ReferenceOptions& options = {});

  // Classifies a whole input from the start state.
  Result<Classification> classify(std::string_view bytes) const;

  // Incremental use: feed bytes; false once no sentence can start with what
  // was fed (the state is then dead and stays dead).
  Result<bool> feed(std::string_view bytes);
  bool accepting() const;
  bool dead() const;
  void reset();

  ReferenceRecognizer(const ReferenceRecognizer&);
  ReferenceRecognizer& operator=(const ReferenceRecognizer&);
  ReferenceRecognizer(ReferenceRecognizer&&) noexcept;
  ReferenceRecognizer& operator=(ReferenceRecognizer&&) noexcept;
  ~ReferenceRecognizer();

  struct State;

 private:
  ReferenceRecognizer(std::shared_ptr<const Grammar> grammar, ReferenceOptions options);
  std::shared_ptr<const Grammar> grammar_;
  ReferenceOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::ir
