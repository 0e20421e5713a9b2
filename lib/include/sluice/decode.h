// sluice/decode.h: the generate loop, from logits to a finished output.
//
// A Decoder ties the stages together for one sequence:
//
//   LogitsSource -> logits -> Matcher mask -> Sampler (sluice/sampler.h)
//                -> token -> Matcher accept -> text
//
// An inference engine implements LogitsSource; sluice ships three for demos,
// tests and benchmarks (random, replay of recorded logits, and target text).
//
// The loop, per step:
//   - in a free segment (reasoning before its end marker, or output before a
//     trigger marker) every non-special token and EOS may be sampled, with
//     the reasoning parameters or the answer parameters respectively;
//   - in the constrained segment, when jump-forward is on and the matcher
//     forces bytes, the tokens spelling them are emitted without sampling;
//   - otherwise the mask is filled and the answer parameters sample. At
//     T = 0 the argmax of the unmasked distribution is tried first with the
//     matcher's single-token check; only when it is rejected is the mask
//     filled. This is exact: the masked argmax equals the unmasked one
//     whenever the latter is allowed, ties going to the lowest id in both.
//
// A run ends with EOS (or the matcher terminating), with max_tokens (finish
// reason `length`: the output is marked incomplete and never valid), or with
// an error value: a dead end (no token allowed), a source failure or a
// budget error from the matcher.
//
// Tested in tests/decode/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/compiler.h"
#include "sluice/error.h"
#include "sluice/sampler.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace sluice {

// Produces the logits of the next step. `generated` is every token emitted
// so far in this sequence (reasoning included); `logits` has vocab_size()
// entries to fill.
class LogitsSource {
 public:
  virtual ~LogitsSource() = default;
  virtual uint32_t vocab_size() const = 0;
  virtual Status next_logits(std::span<const TokenId> generated, std::span<float> logits) = 0;
};

enum class RandomLogitsShape : uint8_t {
  kUniform,  // every logit uniform in [-4, 4]
  kZipf,     // a random permutation of log(1 / rank^1.1): a long-tailed, model-like shape
  kPeaked,   // uniform in [-4, 4], plus 8 on one random token per step
};

// Seeded pseudo-random logits (Philox, as the sampler), the same on every
// platform: step s of seed k is always the same vector.
std::unique_ptr<LogitsSource> make_random_logits(uint32_t vocab_size, uint64_t seed,
                                                 RandomLogitsShape shape = RandomLogitsShape::kZipf);

// Logits recorded from a real model: a JSON file {"logits": [[...], ...]}
// (one array per step) or a 2-D float32/float64 .npy file [steps, vocab].
// Step i returns row i; running past the last row is kInvalidArgument.
Result<std::unique_ptr<LogitsSource>> load_replay_logits(const std::string& path, uint32_t vocab_size);

// Prefers the tokens that continue `target`: a token whose bytes extend the
// output along the target gets a logit rising with its length, every other
// token a low one, and EOS a high one once the target is complete. Under a
// constraint that the target satisfies, greedy decoding then reproduces the
// target, showing that the constraint does not distort a valid output.
std::unique_ptr<LogitsSource> make_target_logits(const Vocabulary& vocabulary, std::string target);

enum class FinishReason : uint8_t {
  kStop,    // EOS sampled, or the grammar terminated the output
  kLength,  // max_tokens reached first: the output is incomplete
};
const char* finish_reason_name(FinishReason reason);  // "stop", "length"

struct DecodeOptions {
  SamplingParams params;  // the answer's parameters (extraction preset by default)
  uint32_t max_tokens = 512;
  // Emits forced tokens without sampling.
  bool jump_forward = true;
  // Reasoning mode: an unconstrained thinking segment comes first, sampled
  // with reasoning_params, until reasoning_end (as text) or
  // reasoning_end_token appears; then the constraint and `params` apply.
  bool reasoning = false;
  std::string reasoning_end = "</think>";
  std::optional<TokenId> reasoning_end_token;
  SamplingParams reasoning_params = default_reasoning_params();
  // Trigger: when non-empty, output is unconstrained (sampled with `params`)
  // until this marker appears in it; the constraint starts right after it.
  std::string trigger;

  // A typical model's own defaults for the thinking segment.
  static SamplingParams default_reasoning_params();
};

struct DecodeTiming {
  uint64_t masks = 0;        // masks filled
  uint64_t samples = 0;      // tokens sampled (forced tokens are not)
  double mask_us = 0;        // total time filling masks
  double sample_us = 0;      // total time in the sampler
  double logits_us = 0;      // total time in the logits source
};

struct DecodeResult {
  std::string text;            // the constrained output (after the marker, if any)
  std::string free_text;       // the reasoning or pre-trigger text, marker included
  std::vector<TokenId> tokens;  // every token emitted, EOS included
  FinishReason finish_reason = FinishReason::kStop;
  // The constrained output is a complete sentence of the grammar and the
  // run stopped (never true for kLength).
  bool complete = false;
  uint32_t forced_tokens = 0;
  DecodeTiming timing;
};

class Decoder {
 public:
  // Validates both parameter sets against the grammar's vocabulary.
  static Result<Decoder> create(std::shared_ptr<const CompiledGrammar> grammar, DecodeOptions options);

  // Runs one sequence from the start. The source's vocabulary size must be
  // the grammar's.
  Result<DecodeResult> run(LogitsSource& source) const;

  const DecodeOptions& options() const { return options_; }

 private:
  Decoder(std::shared_ptr<const CompiledGrammar> grammar, DecodeOptions options)
      : grammar_(std::move(grammar)), options_(std::move(options)) {}
  std::shared_ptr<const CompiledGrammar> grammar_;
  DecodeOptions options_;
};

}  // namespace sluice
