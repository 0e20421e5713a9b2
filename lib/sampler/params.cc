// Implements SamplingParams::validate and diagnostics, the presets and the
// stage names of sluice/sampler.h. Tested in tests/sampler/params_test.cc.
#include <cmath>
#include <cstdio>
#include <string>

#include "sluice/sampler.h"

namespace sluice {

namespace {

Error invalid(const std::string& field, const std::string& message) {
  Location where;
  where.json_pointer = "/" + field;
  return make_error(ErrorCode::kInvalidArgument, field + " " + message, where);
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

bool within(double value, double lo, double hi) { return value >= lo && value <= hi; }

constexpr std::string_view kPresetNames[] = {"extraction", "chat", "creative", "code"};

}  // namespace

Status SamplingParams::validate(uint32_t vocab_size) const {
  if (!(temperature == 0.0 || within(temperature, kMinTemperature, kMaxTemperature))) {
    return invalid("temperature", "must be 0 (greedy) or in [" + number(kMinTemperature) + ", " +
                                      number(kMaxTemperature) + "], got " + number(temperature));
  }
  if (top_k < 0) return invalid("top_k", "must be >= 0 (0 switches it off), got " + std::to_string(top_k));
  if (!(top_p > 0.0 && top_p <= 1.0)) {
    return invalid("top_p", "must be in (0, 1] (1 switches it off), got " + number(top_p));
  }
  if (!within(min_p, 0.0, 1.0)) return invalid("min_p", "must be in [0, 1] (0 switches it off), got " + number(min_p));
  if (!within(presence_penalty, -2.0, 2.0)) {
    return invalid("presence_penalty", "must be in [-2, 2], got " + number(presence_penalty));
  }
  if (!within(frequency_penalty, -2.0, 2.0)) {
    return invalid("frequency_penalty", "must be in [-2, 2], got " + number(frequency_penalty));
  }
  if (!within(repetition_penalty, kMinRepetitionPenalty, kMaxRepetitionPenalty)) {
    return invalid("repetition_penalty", "must be in [" + number(kMinRepetitionPenalty) + ", " +
                                             number(kMaxRepetitionPenalty) + "] (1 switches it off), got " +
                                             number(repetition_penalty));
  }
  std::vector<bool> seen;
  for (size_t i = 0; i < logit_bias.size(); ++i) {
    const LogitBias& entry = logit_bias[i];
    const std::string field = "logit_bias/" + std::to_string(i);
    if (entry.token < 0 || static_cast<uint32_t>(entry.token) >= vocab_size) {
      return invalid(field, "names token " + std::to_string(entry.token) + ", outside the vocabulary of " +
                                std::to_string(vocab_size));
    }
    if (!within(entry.bias, -100.0, 100.0)) return invalid(field, "bias must be in [-100, 100], got " + number(entry.bias));
    if (seen.empty()) seen.resize(vocab_size);
    if (seen[static_cast<size_t>(entry.token)]) {
      return invalid(field, "repeats token " + std::to_string(entry.token) + "; give each token one bias");
    }
    seen[static_cast<size_t>(entry.token)] = true;
  }
  return {};
}

std::vector<std::string> SamplingParams::diagnostics() const {
  std::vector<std::string> out;
  if (temperature > 0.0 && temperature <= kLowTemperature && top_p < kLowTopP) {
    out.push_back("temperature " + number(temperature) + " with top-p " + number(top_p) +
                  " doubles up: both narrow the distribution, which makes output nearly deterministic and "
                  "prone to loops. For determinism use temperature 0 and top-p 1; for diversity use "
                  "temperature about 1 and let top-p clip the tail");
  }
  if (temperature == 0.0 && (top_k != 0 || top_p != 1.0 || min_p != 0.0)) {
    out.push_back("temperature 0 always takes the most likely token, so top-k, top-p and min-p have no effect");
  }
  return out;
}

Result<SamplingParams> sampling_preset(std::string_view name) {
  SamplingParams params;
  if (name == "extraction") return params;
  if (name == "chat") {
    params.temperature = 0.7;
    return params;
  }
  if (name == "creative") {
    params.temperature = 1.0;
    params.top_p = 0.95;
    params.frequency_penalty = 0.2;
    return params;
  }
  if (name == "code") {
    params.temperature = 0.2;
    params.top_p = 0.95;
    return params;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown sampling preset '" + std::string(name) + "' (extraction, chat, creative, code)");
}

std::span<const std::string_view> sampling_preset_names() { return kPresetNames; }

const char* sampling_stage_name(SamplingStage stage) {
  switch (stage) {
    case SamplingStage::kModel: return "model";
    case SamplingStage::kMask: return "mask";
    case SamplingStage::kLogitBias: return "logit_bias";
    case SamplingStage::kPenalties: return "penalties";
    case SamplingStage::kTemperature: return "temperature";
    case SamplingStage::kTopK: return "top_k";
    case SamplingStage::kTopP: return "top_p";
    case SamplingStage::kMinP: return "min_p";
  }
  return "unknown";
}

}  // namespace sluice
