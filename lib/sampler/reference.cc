// Implements reference.h. Tested by being compared with the fast pipeline in
// tests/sampler/reference_diff_test.cc.
#include "sampler/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "sampler/arith.h"
#include "sampler/philox.h"

namespace sluice::sampler {

Result<ReferenceSample> reference_sample(const SamplingParams& params, std::span<const int32_t> history,
                                         std::span<const float> logits, std::span<const int32_t> mask,
                                         uint64_t step) {
  const size_t vocab = logits.size();
  if (vocab == 0 || (!mask.empty() && mask.size() != (vocab + 31) / 32)) {
    return make_error(ErrorCode::kInvalidArgument, "bad logits or mask size");
  }
  std::vector<bool> alive(vocab, false);
  std::vector<float> logit(vocab, 0.0f);
  for (size_t i = 0; i < vocab; ++i) {
    const bool allowed = mask.empty() || ((static_cast<uint32_t>(mask[i / 32]) >> (i % 32)) & 1u) != 0;
    if (!allowed) continue;
    if (std::isnan(logits[i]) || logits[i] == std::numeric_limits<float>::infinity()) {
      return make_error(ErrorCode::kInvalidArgument, "NaN or +inf logit");
    }
    alive[i] = logits[i] != -std::numeric_limits<float>::infinity();
    logit[i] = logits[i];
  }
  if (std::find(alive.begin(), alive.end(), true) == alive.end()) {
    return make_error(ErrorCode::kDeadEnd, "no token allowed");
  }

  for (const LogitBias& entry : params.logit_bias) {
    const size_t t = static_cast<size_t>(entry.token);
    if (alive[t]) logit[t] = to_logit(static_cast<double>(logit[t]) + entry.bias);
  }

  if (params.penalty_window != 0 && history.size() > params.penalty_window) {
    history = history.subspan(history.size() - params.penalty_window);
  }
  std::map<int32_t, int> counts;
  for (int32_t token : history) ++counts[token];
  for (const auto& [token, count] : counts) {
    if (!alive[static_cast<size_t>(token)]) continue;
    double l = logit[static_cast<size_t>(token)];
    if (params.repetition_penalty != 1.0) l = l > 0.0 ? l / params.repetition_penalty : l * params.repetition_penalty;
    l -= static_cast<double>(count) * params.frequency_penalty + params.presence_penalty;
    logit[static_cast<size_t>(token)] = to_logit(l);
  }

  ReferenceSample out;
  out.weights.assign(vocab, 0);
  std::vector<int32_t> ranked;
  for (size_t i = 0; i < vocab; ++i) {
    if (alive[i]) ranked.push_back(static_cast<int32_t>(i));
  }
  if (params.temperature == 0.0) {
    int32_t best = ranked[0];
    for (int32_t id : ranked) {
      if (logit[static_cast<size_t>(id)] > logit[static_cast<size_t>(best)]) best = id;
    }
    out.weights[static_cast<size_t>(best)] = kWeightOne;
    out.token = best;
    return out;
  }

  float max_logit = -std::numeric_limits<float>::infinity();
  for (int32_t id : ranked) max_logit = std::max(max_logit, logit[static_cast<size_t>(id)]);
  const float inv_temperature = inverse_temperature(params.temperature);
  std::vector<uint64_t>& w = out.weights;
  for (int32_t id : ranked) w[static_cast<size_t>(id)] = weight_of(logit[static_cast<size_t>(id)], max_logit, inv_temperature);

  auto by_rank = [&](int32_t a, int32_t b) {
    const uint64_t wa = w[static_cast<size_t>(a)];
    const uint64_t wb = w[static_cast<size_t>(b)];
    return wa > wb || (wa == wb && a < b);
  };
  std::sort(ranked.begin(), ranked.end(), by_rank);
  size_t keep = ranked.size();
  if (params.top_k > 0) keep = std::min(keep, static_cast<size_t>(params.top_k));
  if (params.top_p < 1.0) {
    Mass total = 0;
    for (size_t i = 0; i < keep; ++i) total += w[static_cast<size_t>(ranked[i])];
    Mass prefix = 0;
    for (size_t i = 0; i < keep; ++i) {
      prefix += w[static_cast<size_t>(ranked[i])];
      if (mass_reaches(prefix, total, params.top_p)) {
        keep = i + 1;
        break;
      }
    }
  }
  if (params.min_p > 0.0) {
    // p_max is the first ranked token's weight, kWeightOne.
    size_t kept = 0;
    while (kept < keep && passes_min_p(w[static_cast<size_t>(ranked[kept])], params.min_p)) ++kept;
    keep = kept;
  }
  for (size_t i = keep; i < ranked.size(); ++i) w[static_cast<size_t>(ranked[i])] = 0;

  const Mass total = std::accumulate(w.begin(), w.end(), Mass{0});
  const Mass target = draw_target(random53(params.seed, step), total);
  Mass cumulative = 0;
  for (size_t i = 0; i < vocab; ++i) {
    cumulative += w[i];
    if (cumulative > target) {
      out.token = static_cast<int32_t>(i);
      break;
    }
  }
  return out;
}

}  // namespace sluice::sampler
