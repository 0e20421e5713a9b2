// The sampling flags shared by `sluice generate` and `sluice sample`:
// --preset, then per-field overrides (--temperature, --top-k, --top-p,
// --min-p, --presence-penalty, --frequency-penalty, --repetition-penalty,
// --penalty-window, --seed). Values are checked by SamplingParams::validate.
#pragma once

#include "args.h"
#include "sluice/sampler.h"

namespace sluice::cli {

void declare_sampling_flags(Args& args);
// Applies the preset (default "extraction"), then each explicit flag over
// it. Prints a usage error and returns false on a bad value.
bool read_sampling_flags(const Args& args, SamplingParams* params);
// Prints SamplingParams::diagnostics() as warnings on stderr.
void warn_sampling_diagnostics(const SamplingParams& params);

}  // namespace sluice::cli
