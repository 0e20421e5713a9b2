// The sampler's stages over a detail::Candidates working set (the tokens
// still in play, in increasing id order). Sampler (sampler.cc) runs them in
// order; sums and the draw's inverse CDF are taken in id order.
//
// Cost, on a V-token vocabulary with a full mask: gather checks the logits
// in place (one vectorised read, no copy, no id array); bias and penalties
// record their few changed logits beside them; temperature is one more
// vectorised pass (weights), fused with what truncation needs: the weight
// histogram for top-p and a large top-k, or block maxima for a small top-k.
// Top-k and top-p then find their cut with a radix selection inside the one
// bucket where it falls, never a sort of the vocabulary; truncation only
// moves a cut in the rank order, and the draw is a vectorised pass of block
// sums that stops at the target (or a scan of the few listed survivors).
//
// Tested in tests/sampler/ against reference.h and hand-worked values.
#pragma once

#include <span>

#include "sampler/arith.h"
#include "sluice/sampler.h"

namespace sluice::sampler {

using detail::Candidates;

// The mask stage: the allowed tokens whose logit is not -inf. kInvalidArgument
// for a wrong logits or mask size, or a NaN or +inf logit on an allowed
// token; kDeadEnd when nothing remains. `logits` must outlive the step.
Status gather(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c);

void apply_logit_bias(std::span<const LogitBias> bias, Candidates& c);

// Repetition, then presence and frequency, over the last `window` tokens of
// `history` (0: all of it).
void apply_penalties(const SamplingParams& params, std::span<const int32_t> history, Candidates& c);

// What compute_weights also builds for the truncation stages: the weight
// histogram (for top-p, and top-k with a large k), or the largest weight of
// each block of candidates (top-k with a small k).
enum class Histogram : uint8_t { kNone, kMasses, kCountsAndMasses, kBlockMaxima };

// Fills the weights for temperature 1/inv_temperature (see arith.h) and
// keeps every candidate.
void compute_weights(float inv_temperature, Histogram histogram, Candidates& c);

// Temperature: weights at T, or for T = 0 only the argmax (lowest id on
// ties) with weight kWeightOne. With the histogram that params' top-k and
// top-p will use.
void apply_temperature(const SamplingParams& params, Candidates& c);

// Truncation: each keeps a prefix of the rank order. Top-k and top-p use the
// histogram apply_temperature built, or sort a few candidates.
void apply_top_k(int32_t k, Candidates& c);
void apply_top_p(double p, Candidates& c);
void apply_min_p(double min_p, Candidates& c);

// Whether candidate i is still kept, and the total weight of those kept.
bool is_kept(const Candidates& c, size_t i);
int32_t id_at(const Candidates& c, size_t i);
Mass kept_weight(Candidates& c);

// The inverse-CDF draw over the kept weights (see sluice/sampler.h).
int32_t draw(Candidates& c, uint64_t seed, uint64_t step);

}  // namespace sluice::sampler
