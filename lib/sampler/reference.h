// The sampler done the obvious way, for tests and bench_sampler to check the
// fast pipeline against: full-vocabulary arrays, std::map counts, and a full
// sort for top-k and top-p. It shares only arith.h and philox.h (the
// definitions of the weights, the top-p test and the draw) with pipeline.cc,
// so the two must agree bit for bit.
//
// Used by tests/sampler/reference_diff_test.cc and tools/bench/bench_sampler.cc.
#pragma once

#include <span>
#include <vector>

#include "sluice/sampler.h"

namespace sluice::sampler {

struct ReferenceSample {
  std::vector<uint64_t> weights;  // the final weight of every token, 0 once removed
  int32_t token = -1;
};

// `params` must be valid; errors as Sampler::sample.
Result<ReferenceSample> reference_sample(const SamplingParams& params, std::span<const int32_t> history,
                                         std::span<const float> logits, std::span<const int32_t> mask,
                                         uint64_t step);

}  // namespace sluice::sampler
