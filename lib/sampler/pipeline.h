// The sampler's stages over a detail::Candidates working set (the tokens
// still in play, in increasing id order). Sampler (sampler.cc) runs them in
// order; each keeps the id order so that the draw's inverse CDF and every
// sum are taken in a fixed order.
//
// Cost: gather is linear in the mask's words plus the allowed tokens; the
// other stages are linear in the candidates, except the penalties
// (window log window) and the logit bias (entries log candidates). Top-k and
// top-p use a weight histogram and selection, never a full sort.
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
// token; kDeadEnd when nothing remains.
Status gather(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c);

void apply_logit_bias(std::span<const LogitBias> bias, Candidates& c);

// Repetition, then presence and frequency, over the last `window` tokens of
// `history` (0: all of it).
void apply_penalties(const SamplingParams& params, std::span<const int32_t> history, Candidates& c);

// Fills the weights for temperature 1/inv_temperature (see arith.h).
void compute_weights(double inv_temperature, Candidates& c);

// Temperature: weights at T, or for T = 0 only the argmax (lowest id on
// ties) with weight kWeightOne.
void apply_temperature(double temperature, Candidates& c);

void apply_top_k(int32_t k, Candidates& c);
void apply_top_p(double p, Candidates& c);
void apply_min_p(double min_p, Candidates& c);

Mass total_weight(const Candidates& c);

// The inverse-CDF draw over the final weights (see sluice/sampler.h).
int32_t draw(const Candidates& c, uint64_t seed, uint64_t step);

}  // namespace sluice::sampler
