#include "sampling_flags.h"

#include <cstdio>
#include <limits>
#include <string>

namespace sluice::cli {

namespace {

bool read_unsigned(const Args& args, const std::string& name, uint64_t max, uint64_t* out) {
  long long value = 0;
  if (!args.has(name)) return true;
  if (!args.get_int(name, &value)) return false;
  if (value < 0 || static_cast<unsigned long long>(value) > max) {
    args.usage_error("--" + name + " must be between 0 and " + std::to_string(max));
    return false;
  }
  *out = static_cast<uint64_t>(value);
  return true;
}

}  // namespace

void declare_sampling_flags(Args& args) {
  std::string presets;
  for (std::string_view name : sampling_preset_names()) {
    presets += (presets.empty() ? "" : ", ") + std::string(name);
  }
  args.option("preset", "sampling preset: " + presets + " (default extraction)")
      .option("temperature", "T; 0 is greedy (argmax, ties to the lowest id)")
      .option("top-k", "keep the k most likely tokens; 0 is off")
      .option("top-p", "keep the smallest nucleus reaching p; 1 is off")
      .option("min-p", "keep tokens with p >= min-p * p_max; 0 is off")
      .option("presence-penalty", "OpenAI presence penalty, in [-2, 2]")
      .option("frequency-penalty", "OpenAI frequency penalty, in [-2, 2]")
      .option("repetition-penalty", "HF/llama.cpp repetition penalty; 1 is off")
      .option("penalty-window", "tokens the penalties look back over; 0 is all")
      .option("seed", "seed of the draw (Philox4x32-10)");
}

bool read_sampling_flags(const Args& args, SamplingParams* params) {
  Result<SamplingParams> preset = sampling_preset(args.get_or("preset", "extraction"));
  if (!preset.ok()) {
    args.usage_error(preset.error().message);
    return false;
  }
  *params = *preset;
  const struct {
    const char* flag;
    double* field;
  } doubles[] = {{"temperature", &params->temperature},
                 {"top-p", &params->top_p},
                 {"min-p", &params->min_p},
                 {"presence-penalty", &params->presence_penalty},
                 {"frequency-penalty", &params->frequency_penalty},
                 {"repetition-penalty", &params->repetition_penalty}};
  for (const auto& entry : doubles) {
    if (!args.get_double(entry.flag, entry.field)) return false;
  }
  uint64_t top_k = static_cast<uint64_t>(params->top_k);
  if (!read_unsigned(args, "top-k", std::numeric_limits<int32_t>::max(), &top_k)) return false;
  params->top_k = static_cast<int32_t>(top_k);
  uint64_t window = params->penalty_window;
  if (!read_unsigned(args, "penalty-window", std::numeric_limits<uint32_t>::max(), &window)) return false;
  params->penalty_window = static_cast<uint32_t>(window);
  if (std::optional<std::string> seed = args.get("seed")) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(seed->c_str(), &end, 10);
    if (seed->empty() || *end != '\0' || (*seed)[0] == '-') {
      args.usage_error("--seed expects a non-negative integer, got '" + *seed + "'");
      return false;
    }
    params->seed = value;
  }
  return true;
}

void warn_sampling_diagnostics(const SamplingParams& params) {
  for (const std::string& diagnostic : params.diagnostics()) {
    std::fprintf(stderr, "warning: %s\n", diagnostic.c_str());
  }
}

}  // namespace sluice::cli
