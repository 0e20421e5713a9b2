// Implements Sampler from sluice/sampler.h over the stages of pipeline.h.
// Tested in tests/sampler/ (stages_test.cc, draw_test.cc, reference_diff_test.cc).
#include <string>

#include "sampler/pipeline.h"
#include "sluice/sampler.h"

namespace sluice {

using sampler::Candidates;

namespace {

bool penalties_active(const SamplingParams& p, size_t history) {
  return history > 0 && (p.presence_penalty != 0.0 || p.frequency_penalty != 0.0 || p.repetition_penalty != 1.0);
}

// The distribution the candidates stand for, over the whole vocabulary.
std::vector<double> spread(Candidates& c, size_t vocab) {
  std::vector<double> probabilities(vocab, 0.0);
  const double total = static_cast<double>(sampler::kept_weight(c));
  for (size_t i = 0; i < c.size; ++i) {
    if (sampler::is_kept(c, i)) {
      probabilities[static_cast<size_t>(sampler::id_at(c, i))] = static_cast<double>(c.weights[i]) / total;
    }
  }
  return probabilities;
}

}  // namespace

Result<Sampler> Sampler::create(SamplingParams params, uint32_t vocab_size) {
  if (vocab_size == 0) return make_error(ErrorCode::kInvalidArgument, "the vocabulary is empty");
  if (Status status = params.validate(vocab_size); !status) return status.error();
  return Sampler(std::move(params), vocab_size);
}

Status Sampler::record(int32_t token) {
  if (token < 0 || static_cast<uint32_t>(token) >= vocab_size_) {
    return make_error(ErrorCode::kInvalidToken, "token " + std::to_string(token) + " is outside the vocabulary of " +
                                                    std::to_string(vocab_size_));
  }
  history_.push_back(token);
  return {};
}

Status Sampler::rollback(size_t n) {
  if (n > history_.size()) {
    return make_error(ErrorCode::kInvalidArgument, "cannot roll back " + std::to_string(n) + " tokens; only " +
                                                       std::to_string(history_.size()) + " are recorded");
  }
  history_.resize(history_.size() - n);
  return {};
}

Result<int32_t> Sampler::sample(std::span<const float> logits, std::span<const int32_t> mask, uint64_t step) {
  if (logits.size() != vocab_size_) {
    return make_error(ErrorCode::kInvalidArgument, "got " + std::to_string(logits.size()) +
                                                       " logits for a vocabulary of " + std::to_string(vocab_size_));
  }
  Candidates& c = candidates_;
  if (Status status = sampler::gather(logits, mask, c); !status) return status.error();
  sampler::apply_logit_bias(params_.logit_bias, c);
  sampler::apply_penalties(params_, history_, c);
  sampler::apply_temperature(params_, c);
  sampler::apply_top_k(params_.top_k, c);
  sampler::apply_top_p(params_.top_p, c);
  sampler::apply_min_p(params_.min_p, c);
  return sampler::draw(c, params_.seed, step);
}

Result<std::vector<StageDistribution>> Sampler::trace(std::span<const float> logits, std::span<const int32_t> mask) {
  if (logits.size() != vocab_size_) {
    return make_error(ErrorCode::kInvalidArgument, "got " + std::to_string(logits.size()) +
                                                       " logits for a vocabulary of " + std::to_string(vocab_size_));
  }
  std::vector<StageDistribution> stages;
  Candidates& c = candidates_;
  auto snapshot = [&](SamplingStage stage, bool active, bool logits_only) {
    if (logits_only) sampler::compute_weights(1.0f, sampler::Histogram::kNone, c);
    stages.push_back({stage, active, spread(c, vocab_size_)});
  };
  // The model's own distribution ignores the mask, so every logit counts.
  if (Status status = sampler::gather(logits, {}, c); !status) return status.error();
  snapshot(SamplingStage::kModel, true, true);

  if (Status status = sampler::gather(logits, mask, c); !status) return status.error();
  snapshot(SamplingStage::kMask, !mask.empty(), true);
  sampler::apply_logit_bias(params_.logit_bias, c);
  snapshot(SamplingStage::kLogitBias, !params_.logit_bias.empty(), true);
  sampler::apply_penalties(params_, history_, c);
  snapshot(SamplingStage::kPenalties, penalties_active(params_, history_.size()), true);
  sampler::apply_temperature(params_, c);
  snapshot(SamplingStage::kTemperature, params_.temperature != 1.0, false);
  const bool greedy = params_.temperature == 0.0;
  sampler::apply_top_k(params_.top_k, c);
  snapshot(SamplingStage::kTopK, !greedy && params_.top_k > 0, false);
  sampler::apply_top_p(params_.top_p, c);
  snapshot(SamplingStage::kTopP, !greedy && params_.top_p < 1.0, false);
  sampler::apply_min_p(params_.min_p, c);
  snapshot(SamplingStage::kMinP, !greedy && params_.min_p > 0.0, false);
  return stages;
}

}  // namespace sluice
