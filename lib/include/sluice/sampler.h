// sluice/sampler.h: turns one step's logits into one token, exactly and
// reproducibly.
//
// The pipeline, in this order (each stage is switched off by its neutral
// value, shown in brackets):
//   mask         tokens the constraint disallows are removed; a mask that
//                allows nothing is ErrorCode::kDeadEnd, never a silent
//                unconstrained sample
//   logit bias   logit[j] += bias[j]                               [empty]
//   penalties    over the last `penalty_window` recorded tokens:
//                repetition (HF / llama.cpp): a seen token's logit is
//                divided by r when positive, multiplied by r otherwise [1];
//                then OpenAI's logit[j] -= count[j]*frequency
//                + (count[j] > 0)*presence                          [0, 0]
//   temperature  logits divided by T, then a softmax. T = 0 is the argmax
//                over allowed tokens, ties to the lowest id; top-k, top-p
//                and min-p then have no effect
//   top-k        the k most probable tokens                          [0]
//   top-p        the shortest prefix, in descending probability with ties
//                to the lower id, whose cumulative probability reaches p [1]
//   min-p        tokens with p >= min_p * p_max                      [0]
//   draw         renormalise, then inverse CDF in token-id order
//
// Arithmetic (identical on every platform, thread count and batch, and
// independent of the C++ standard library; see lib/sampler/arith.h):
//   - logits arrive as float; logit bias and penalties are computed in
//     double and their results stored as float again;
//   - the softmax subtracts the maximum and uses sluice's own exp (a fixed
//     float polynomial, not libm, within 1e-6 relative: the resolution of
//     the float logits), then quantises each weight to an integer:
//     weight = round(exp(-(l_max - l) * (1/T)) * 2^52), with
//     d = (l_max - l) * (1/T) in float. Sums of weights are exact integers,
//     so no result depends on summation order. A token below 2^-53 of the
//     most likely one gets weight 0 and cannot be drawn;
//   - top-p compares double(prefix weight) >= p * double(total weight);
//   - the draw takes 64 bits from Philox4x32-10 (Random123) with
//     key = seed and counter = (step, 0), keeps the top 53 as
//     u = bits * 2^-53 in [0, 1), and picks the first token, in id order,
//     whose cumulative weight exceeds floor(u * total), computed exactly.
// So the drawn token depends only on (seed, step, final distribution).
//
// A Sampler holds the history for the penalties and scratch buffers: use one
// per sequence, from one thread at a time. SamplingParams are plain values.
//
// Reasoning models: the decode loop (lib/decode) keeps one SamplingParams for
// the thinking segment (the model's defaults) and one for the answer, and
// switches Samplers at the end marker; nothing here needs to know.
//
// Tested in tests/sampler/ (hand-worked stage values, Philox known answers,
// chi-square fits of the draws, a differential test against the full-sort
// reference in lib/sampler/reference.h, thread and run reproducibility).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/error.h"

namespace sluice {

namespace detail {
// Partial sums for the weight histogram, all zero between uses.
struct HistogramScratch {
  std::vector<uint32_t> counts;
  std::vector<uint64_t> masses;
};

// A Sampler's working set, kept between steps so that a step allocates
// nothing after the first. The stages live in lib/sampler/pipeline.h.
struct Candidates {
  // The tokens in play: ids 0 .. size-1 when `dense` (a full mask: no id
  // array is built), else ids[0 .. size) in increasing order.
  bool dense = false;
  size_t size = 0;
  std::vector<int32_t> ids;
  // Their logits as they arrived: the caller's array when dense, else `own`.
  // Valid during one call only. Logit bias and penalties do not copy them:
  // `adjusted` holds (candidate index, new logit) in increasing index order
  // and overrides them.
  const float* logits = nullptr;
  std::vector<float> own;
  std::vector<std::pair<size_t, float>> adjusted;
  std::vector<std::pair<size_t, float>> merged;     // bias and penalty scratch
  std::vector<std::pair<size_t, float>> merge_out;  // bias and penalty scratch
  int32_t max_key = 0;  // the order key (lib/sampler/arith.h) of the largest of `logits`
  // From temperature on: integer weights and their histogram buckets.
  std::vector<uint64_t> weights;
  std::vector<uint32_t> buckets;
  // The truncation stages keep a prefix of the rank order (weight down, id
  // up): the candidates ranked at or before (cut_weight, cut_id).
  uint64_t cut_weight = 0;
  int32_t cut_id = 0;
  bool cut_mass_known = false;  // the kept set's total weight, once a stage has computed it
  unsigned __int128 cut_mass = 0;
  // Weight histogram over all candidates, built with the weights when top-k
  // or top-p will use it.
  bool histogram_counts = false;
  bool histogram_masses = false;
  std::vector<uint32_t> bucket_count;
  std::vector<unsigned __int128> bucket_mass;
  HistogramScratch scratch;
  std::vector<std::pair<uint64_t, int32_t>> ranked;  // selection scratch: (weight, id)
  bool ranked_prefix = false;  // `ranked` holds a prefix of the rank order covering the kept set
  std::vector<std::pair<uint64_t, int32_t>> listed;  // draw scratch
  bool block_max_valid = false;
  std::vector<uint64_t> block_max;  // the largest weight of each block of candidates
  std::vector<uint64_t> block_mass;                  // draw and top-k scratch
  std::vector<int32_t> window;                       // penalty-window scratch
};
}  // namespace detail

struct LogitBias {
  int32_t token = 0;
  double bias = 0.0;  // added to the logit; within [-100, 100] as in OpenAI's API
};

struct SamplingParams {
  double temperature = 0.0;          // 0 (greedy) or in [kMinTemperature, kMaxTemperature]
  int32_t top_k = 0;                 // >= 0; 0 keeps every token
  double top_p = 1.0;                // in (0, 1]
  double min_p = 0.0;                // in [0, 1]
  double presence_penalty = 0.0;     // in [-2, 2], OpenAI's range
  double frequency_penalty = 0.0;    // in [-2, 2]
  double repetition_penalty = 1.0;   // in [kMinRepetitionPenalty, kMaxRepetitionPenalty]
  // How many of the most recently recorded tokens the penalties look at;
  // 0 means all of them (OpenAI's "tokens generated so far").
  uint32_t penalty_window = 0;
  std::vector<LogitBias> logit_bias;  // at most one entry per token
  uint64_t seed = 0;

  // Below this, a temperature is numerically indistinguishable from greedy
  // but slower and less clear: use 0.
  static constexpr double kMinTemperature = 1e-6;
  static constexpr double kMaxTemperature = 1e6;
  static constexpr double kMinRepetitionPenalty = 1e-3;
  static constexpr double kMaxRepetitionPenalty = 1e3;
  // "Low temperature with low top-p" (the seed text's "don't double up"):
  // 0 < T <= kLowTemperature together with top_p < kLowTopP is reported by
  // diagnostics(). T = 0 is exempt, since top-p then has no effect at all.
  static constexpr double kLowTemperature = 0.5;
  static constexpr double kLowTopP = 0.9;

  // kInvalidArgument naming the field when a value is outside its domain.
  // `vocab_size` bounds the logit-bias token ids.
  Status validate(uint32_t vocab_size) const;
  // Legal but doubtful combinations, one sentence each; empty when none.
  std::vector<std::string> diagnostics() const;
};

// The presets of the seed text. "extraction" (T 0, top-p 1, no penalties) is
// the default; "chat" (0.7, 1.0), "creative" (1.0, 0.95, frequency 0.2),
// "code" (0.2, 0.95). Every field can be overridden afterwards.
Result<SamplingParams> sampling_preset(std::string_view name);
std::span<const std::string_view> sampling_preset_names();

enum class SamplingStage : uint8_t {
  kModel,        // the softmax of the logits as given (T = 1)
  kMask,
  kLogitBias,
  kPenalties,
  kTemperature,
  kTopK,
  kTopP,
  kMinP,         // the final distribution, the one the draw uses
};
const char* sampling_stage_name(SamplingStage stage);  // "model", "mask", "logit_bias", ...

// The distribution after one stage, for visualisation: one probability per
// token of the vocabulary, 0 once a token is removed. Stages before
// temperature are shown at T = 1.
struct StageDistribution {
  SamplingStage stage;
  bool active = false;  // false when the stage's parameters are neutral
  std::vector<double> probabilities;
};

class Sampler {
 public:
  // Validates `params` (see SamplingParams::validate).
  static Result<Sampler> create(SamplingParams params, uint32_t vocab_size);

  const SamplingParams& params() const { return params_; }
  uint32_t vocab_size() const { return vocab_size_; }

  // The tokens emitted so far, for the penalties. kInvalidToken for an id
  // outside the vocabulary.
  Status record(int32_t token);
  // Forgets the last n recorded tokens (speculative-decoding rollback).
  Status rollback(size_t n);
  void reset() { history_.clear(); }
  std::span<const int32_t> history() const { return history_; }

  // Samples step `step` of the sequence. `logits` has one entry per token of
  // the vocabulary. `mask` is empty (everything allowed) or the int32
  // bitmask of ceil(V/32) words, bit i%32 of word i/32 allowing token i;
  // bits past the vocabulary are ignored. Logits of allowed tokens must not
  // be NaN or +inf; -inf removes a token. Errors: kInvalidArgument for bad
  // shapes or values, kDeadEnd when no token remains.
  Result<int32_t> sample(std::span<const float> logits, std::span<const int32_t> mask, uint64_t step);

  // The distribution after every stage, in pipeline order; the last entry
  // is the final distribution that sample() draws from. Every logit (allowed
  // or not) must be finite or -inf, since the first stage shows them all.
  Result<std::vector<StageDistribution>> trace(std::span<const float> logits,
                                               std::span<const int32_t> mask);

 private:
  Sampler(SamplingParams params, uint32_t vocab_size) : params_(std::move(params)), vocab_size_(vocab_size) {}

  SamplingParams params_;
  uint32_t vocab_size_ = 0;
  std::vector<int32_t> history_;
  detail::Candidates candidates_;
};

}  // namespace sluice
