// sluice/compiler.h: a Grammar compiled for one Vocabulary.
//
// compile() turns every rule into a byte-level automaton (code point classes
// become UTF-8 byte-range paths, so no path ever spells invalid UTF-8), with
// edges that consume a byte range or call another rule. Large bounded
// repetitions (x{0,1000}) are not unrolled: they run as a counter kept in the
// stack frame, so compile time and per-step cost do not depend on the bound.
// Left-recursive grammars are rejected (kUnsupported naming the rule);
// grammars that match nothing are kUnsatisfiable.
//
// A CompiledGrammar is immutable from the outside and shared across threads
// through shared_ptr: any number of Matchers (sluice/matcher.h) may run on it
// in parallel. Internally it keeps a lazily filled, thread-safe cache of
// per-state token classes (accepted / rejected / needs-the-stack-below),
// bounded in bytes by CompileOptions::max_mask_cache_bytes; at the bound the
// oldest entries make room, a few at a time, and it never grows past it.
//
// Tested in tests/automaton/ and tests/matcher/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sluice/error.h"
#include "sluice/grammar.h"
#include "sluice/vocab.h"

namespace sluice {

struct CompileOptions {
  // Automaton states over all rules (each literal byte and each UTF-8 step
  // of a class is about one state; a 1 MB literal needs a million).
  size_t max_states = size_t{1} << 22;
  // Wall-clock time compile() may take, in milliseconds; past it,
  // kBudgetExceeded. 0 turns the check off.
  double max_compile_ms = 1000;
  // Expression nesting depth the compiler follows; deeper is an error, not
  // a stack overflow.
  uint32_t max_nesting = 20000;
  // Bytes the shared token-class cache may hold; past them its oldest
  // entries are dropped.
  size_t max_mask_cache_bytes = size_t{256} << 20;
  // Bytes the process-wide cache of token classes may hold. It is shared by
  // every grammar compiled for one vocabulary and keyed by the exact
  // structure of a rule and everything it calls, so the string, number and
  // any-JSON rules that most schemas share are walked once per process, not
  // once per schema. Past the bound its oldest entries make room (dropped
  // by the grammar that would pass it); 0 turns sharing off.
  size_t max_shared_mask_cache_bytes = size_t{256} << 20;
  // Live parser stacks a matcher may hold after any byte (ambiguity and
  // nondeterminism grow this); more is kBudgetExceeded.
  size_t max_stacks_per_step = 20000;
  // Stack nodes one matcher may create in total (its memory, about 20 bytes
  // each); more is kBudgetExceeded.
  size_t max_stack_nodes = size_t{1} << 24;
  // How many of the latest accept calls Matcher::rollback can undo.
  size_t rollback_depth = 16;
  // Repetitions whose unrolled copies would add more than this many states
  // run as counters instead.
  size_t unroll_state_limit = 64;
};

class CompiledGrammar {
 public:
  struct Stats {
    size_t rules = 0;          // automata, including ones made for repeats
    size_t states = 0;         // automaton states, all rules
    size_t edges = 0;          // byte-range and call edges
    size_t counter_loops = 0;  // repetitions run as counters
    size_t automaton_bytes = 0;
    double compile_ms = 0;
  };

  // Never fails for a valid grammar within the budgets; errors are located
  // at the rule they concern where possible.
  static Result<std::shared_ptr<const CompiledGrammar>> compile(const Grammar& grammar, const Vocabulary& vocabulary,
                                                                const CompileOptions& options = {});

  const Stats& stats() const;
  const Vocabulary& vocabulary() const;
  const CompileOptions& options() const;
  // Current size of the shared token-class cache, in bytes and entries.
  size_t mask_cache_bytes() const;
  size_t mask_cache_entries() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

  CompiledGrammar(const CompiledGrammar&) = delete;
  CompiledGrammar& operator=(const CompiledGrammar&) = delete;
  ~CompiledGrammar();
  explicit CompiledGrammar(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
