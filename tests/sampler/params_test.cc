// SamplingParams validation, presets and diagnostics; the Sampler's history.
#include <catch2/catch.hpp>

#include "sluice/sampler.h"

using sluice::ErrorCode;
using sluice::SamplingParams;

namespace {

// The error's JSON pointer names the offending field.
std::string rejected_field(const SamplingParams& p, uint32_t vocab = 100) {
  sluice::Status status = p.validate(vocab);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kInvalidArgument);
  return status.error().location.json_pointer;
}

}  // namespace

TEST_CASE("the default parameters are the extraction preset and valid") {
  SamplingParams p;
  CHECK(p.validate(1).ok());
  CHECK(p.temperature == 0.0);
  CHECK(p.top_p == 1.0);
  CHECK(p.diagnostics().empty());
}

TEST_CASE("out-of-domain values are errors naming the field") {
  SamplingParams p;
  p.temperature = -0.1;
  CHECK(rejected_field(p) == "/temperature");
  p.temperature = 1e-9;  // below kMinTemperature: say 0 instead
  CHECK(rejected_field(p) == "/temperature");
  p.temperature = std::numeric_limits<double>::quiet_NaN();
  CHECK(rejected_field(p) == "/temperature");
  p.temperature = std::numeric_limits<double>::infinity();
  CHECK(rejected_field(p) == "/temperature");
  p = {};
  p.top_k = -1;
  CHECK(rejected_field(p) == "/top_k");
  p = {};
  p.top_p = 0.0;
  CHECK(rejected_field(p) == "/top_p");
  p.top_p = 1.01;
  CHECK(rejected_field(p) == "/top_p");
  p.top_p = std::numeric_limits<double>::quiet_NaN();
  CHECK(rejected_field(p) == "/top_p");
  p = {};
  p.min_p = -0.01;
  CHECK(rejected_field(p) == "/min_p");
  p.min_p = 1.5;
  CHECK(rejected_field(p) == "/min_p");
  p = {};
  p.presence_penalty = 2.5;
  CHECK(rejected_field(p) == "/presence_penalty");
  p = {};
  p.frequency_penalty = -3;
  CHECK(rejected_field(p) == "/frequency_penalty");
  p = {};
  p.repetition_penalty = 0.0;
  CHECK(rejected_field(p) == "/repetition_penalty");
  p.repetition_penalty = -1.0;
  CHECK(rejected_field(p) == "/repetition_penalty");
  p = {};
  p.logit_bias = {{100, 1.0}};
  CHECK(rejected_field(p, 100) == "/logit_bias/0");
  p.logit_bias = {{1, 1.0}, {-1, 1.0}};
  CHECK(rejected_field(p, 100) == "/logit_bias/1");
  p.logit_bias = {{1, 101.0}};
  CHECK(rejected_field(p, 100) == "/logit_bias/0");
  p.logit_bias = {{1, 1.0}, {1, 2.0}};
  CHECK(rejected_field(p, 100) == "/logit_bias/1");
}

TEST_CASE("the boundary values are accepted") {
  SamplingParams p;
  p.temperature = SamplingParams::kMinTemperature;
  p.top_p = 1.0;
  p.min_p = 1.0;
  p.presence_penalty = -2.0;
  p.frequency_penalty = 2.0;
  p.repetition_penalty = SamplingParams::kMaxRepetitionPenalty;
  p.logit_bias = {{0, -100.0}, {99, 100.0}};
  CHECK(p.validate(100).ok());
}

TEST_CASE("Sampler::create validates") {
  SamplingParams p;
  p.top_p = 2.0;
  CHECK(sluice::Sampler::create(p, 10).error().code == ErrorCode::kInvalidArgument);
  CHECK(sluice::Sampler::create(SamplingParams{}, 0).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("presets follow the seed text's table") {
  auto extraction = sluice::sampling_preset("extraction");
  REQUIRE(extraction.ok());
  CHECK(extraction->temperature == 0.0);
  CHECK(extraction->top_p == 1.0);
  CHECK(extraction->frequency_penalty == 0.0);
  auto chat = sluice::sampling_preset("chat");
  CHECK(chat->temperature == 0.7);
  CHECK(chat->top_p == 1.0);
  auto creative = sluice::sampling_preset("creative");
  CHECK(creative->temperature == 1.0);
  CHECK(creative->top_p == 0.95);
  CHECK(creative->frequency_penalty == 0.2);
  CHECK(creative->presence_penalty == 0.0);
  auto code = sluice::sampling_preset("code");
  CHECK(code->temperature == 0.2);
  CHECK(code->top_p == 0.95);
  for (std::string_view name : sluice::sampling_preset_names()) {
    auto preset = sluice::sampling_preset(name);
    REQUIRE(preset.ok());
    CHECK(preset->validate(1).ok());
    INFO(name);
    CHECK(preset->diagnostics().empty());  // no preset doubles up
  }
  CHECK(sluice::sampling_preset_names().size() == 4);
  CHECK(sluice::sampling_preset("precise").error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("low temperature with low top-p is flagged, at the documented thresholds") {
  SamplingParams p;
  p.temperature = 0.3;
  p.top_p = 0.6;  // the seed text's example
  REQUIRE(p.diagnostics().size() == 1);
  CHECK(p.diagnostics()[0].find("doubles up") != std::string::npos);
  p.temperature = SamplingParams::kLowTemperature;
  p.top_p = 0.89;
  CHECK(p.diagnostics().size() == 1);
  p.top_p = SamplingParams::kLowTopP;  // not below the threshold
  CHECK(p.diagnostics().empty());
  p.top_p = 0.6;
  p.temperature = 0.51;  // not low
  CHECK(p.diagnostics().empty());
}

TEST_CASE("temperature 0 with truncation settings is flagged as having no effect") {
  SamplingParams p;
  p.top_k = 40;
  REQUIRE(p.diagnostics().size() == 1);
  CHECK(p.diagnostics()[0].find("no effect") != std::string::npos);
}

TEST_CASE("history: record checks ids, rollback and reset forget") {
  auto sampler = sluice::Sampler::create(SamplingParams{}, 10);
  REQUIRE(sampler.ok());
  CHECK(sampler->record(3).ok());
  CHECK(sampler->record(9).ok());
  CHECK(sampler->record(10).error().code == ErrorCode::kInvalidToken);
  CHECK(sampler->record(-1).error().code == ErrorCode::kInvalidToken);
  CHECK(sampler->history().size() == 2);
  CHECK(sampler->rollback(3).error().code == ErrorCode::kInvalidArgument);
  CHECK(sampler->rollback(1).ok());
  REQUIRE(sampler->history().size() == 1);
  CHECK(sampler->history()[0] == 3);
  sampler->reset();
  CHECK(sampler->history().empty());
}

TEST_CASE("a logits vector of the wrong length is an error") {
  auto sampler = sluice::Sampler::create(SamplingParams{}, 10);
  std::vector<float> nine(9, 0.0f);
  CHECK(sampler->sample(nine, {}, 0).error().code == ErrorCode::kInvalidArgument);
  CHECK(sampler->trace(nine, {}).error().code == ErrorCode::kInvalidArgument);
}
