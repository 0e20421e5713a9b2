// The built-in LogitsSources of sluice/decode.h: random, replay and target.
// Tested in tests/decode/logits_sources_test.cc.
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sampler/philox.h"
#include "sluice/decode.h"
#include "sluice/vocab.h"

namespace sluice {

namespace {

// Stream tag in the Philox counter, so that logits never share random bits
// with the sampler's draws for the same seed.
constexpr uint32_t kLogitsStream = 0x10617175;

class RandomLogits final : public LogitsSource {
 public:
  RandomLogits(uint32_t vocab_size, uint64_t seed, RandomLogitsShape shape)
      : vocab_size_(vocab_size), seed_(seed), shape_(shape) {}

  uint32_t vocab_size() const override { return vocab_size_; }

  Status next_logits(std::span<const TokenId> generated, std::span<float> logits) override {
    if (logits.size() != vocab_size_) {
      return make_error(ErrorCode::kInvalidArgument, "logits buffer has the wrong size");
    }
    const uint64_t step = generated.size();
    const sampler::PhiloxKey key{static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)};
    for (uint32_t base = 0; base < vocab_size_; base += 4) {
      sampler::PhiloxCounter bits = sampler::philox4x32_10(
          {base, static_cast<uint32_t>(step), static_cast<uint32_t>(step >> 32), kLogitsStream}, key);
      for (uint32_t lane = 0; lane < 4 && base + lane < vocab_size_; ++lane) {
        logits[base + lane] = shape_logit(static_cast<double>(bits[lane]) * 0x1p-32);
      }
    }
    if (shape_ == RandomLogitsShape::kPeaked && vocab_size_ > 0) {
      uint64_t pick = sampler::random_bits(seed_ ^ 0x9E3779B97F4A7C15ULL, step) % vocab_size_;
      logits[pick] += 8.0f;
    }
    return {};
  }

 private:
  float shape_logit(double u) const {
    switch (shape_) {
      case RandomLogitsShape::kUniform:
      case RandomLogitsShape::kPeaked:
        return static_cast<float>(-4.0 + 8.0 * u);
      case RandomLogitsShape::kZipf: {
        // A token's rank drawn uniformly; Zipf's law then gives the logit.
        double rank = 1.0 + u * static_cast<double>(vocab_size_ - 1);
        return static_cast<float>(-1.1 * std::log(rank));
      }
    }
    return 0.0f;
  }

  uint32_t vocab_size_;
  uint64_t seed_;
  RandomLogitsShape shape_;
};

class ReplayLogits final : public LogitsSource {
 public:
  ReplayLogits(uint32_t vocab_size, std::vector<std::vector<float>> rows)
      : vocab_size_(vocab_size), rows_(std::move(rows)) {}

  uint32_t vocab_size() const override { return vocab_size_; }

  Status next_logits(std::span<const TokenId> generated, std::span<float> logits) override {
    size_t step = generated.size();
    if (step >= rows_.size()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "replay logits have " + std::to_string(rows_.size()) + " steps; step " +
                            std::to_string(step) + " was asked for");
    }
    if (logits.size() != vocab_size_) {
      return make_error(ErrorCode::kInvalidArgument, "logits buffer has the wrong size");
    }
    std::memcpy(logits.data(), rows_[step].data(), vocab_size_ * sizeof(float));
    return {};
  }

 private:
  uint32_t vocab_size_;
  std::vector<std::vector<float>> rows_;
};

Result<std::vector<std::vector<float>>> parse_replay_json(const std::string& text, const std::string& path) {
  nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    return make_error(ErrorCode::kParseError, path + ": not valid JSON");
  }
  if (!document.is_object() || !document.contains("logits") || !document["logits"].is_array()) {
    return make_error(ErrorCode::kParseError, path + ": expected {\"logits\": [[...], ...]}");
  }
  std::vector<std::vector<float>> rows;
  const nlohmann::json& steps = document["logits"];
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].is_array()) {
      return make_error(ErrorCode::kParseError, path + ": logits[" + std::to_string(i) + "] is not an array",
                        Location::at_pointer("/logits/" + std::to_string(i)));
    }
    std::vector<float> row;
    row.reserve(steps[i].size());
    for (size_t j = 0; j < steps[i].size(); ++j) {
      const nlohmann::json& value = steps[i][j];
      if (!value.is_number()) {
        return make_error(ErrorCode::kParseError, path + ": a logit is not a number",
                          Location::at_pointer("/logits/" + std::to_string(i) + "/" + std::to_string(j)));
      }
      row.push_back(value.get<float>());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// NumPy's format 1.0-3.0: magic, version, header length, a Python-dict
// header, then C-order data. Only little-endian float32 / float64 2-D arrays.
Result<std::vector<std::vector<float>>> parse_npy(const std::string& bytes, const std::string& path) {
  auto fail = [&](const std::string& why) { return make_error(ErrorCode::kParseError, path + ": " + why); };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) return fail("not a .npy file");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return fail("truncated .npy header");
    for (int i = 0; i < 4; ++i) header_length |= size_t{static_cast<unsigned char>(bytes[8 + i])} << (8 * i);
    header_start = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (header_start + header_length > bytes.size()) return fail("truncated .npy header");
  std::string header = bytes.substr(header_start, header_length);
  size_t element_size = 0;
  if (header.find("'<f4'") != std::string::npos) {
    element_size = 4;
  } else if (header.find("'<f8'") != std::string::npos) {
    element_size = 8;
  } else {
    return fail("only little-endian float32 or float64 arrays are supported");
  }
  if (header.find("'fortran_order': False") == std::string::npos) return fail("Fortran-order arrays are not supported");
  size_t shape_at = header.find("'shape':");
  size_t open = header.find('(', shape_at);
  size_t close = header.find(')', open);
  if (shape_at == std::string::npos || open == std::string::npos || close == std::string::npos) {
    return fail("no shape in the .npy header");
  }
  std::vector<size_t> shape;
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    size_t first = dim.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    char* end = nullptr;
    unsigned long long value = std::strtoull(dim.c_str() + first, &end, 10);
    shape.push_back(static_cast<size_t>(value));
  }
  if (shape.size() != 2) return fail("expected a 2-D array [steps, vocab]");
  size_t data_start = header_start + header_length;
  if (shape[1] != 0 && shape[0] > (bytes.size() - data_start) / element_size / shape[1]) {
    return fail("the data is shorter than the shape says");
  }
  std::vector<std::vector<float>> rows(shape[0], std::vector<float>(shape[1]));
  const char* data = bytes.data() + data_start;
  for (size_t i = 0; i < shape[0]; ++i) {
    for (size_t j = 0; j < shape[1]; ++j) {
      size_t at = (i * shape[1] + j) * element_size;
      if (element_size == 4) {
        float value;
        std::memcpy(&value, data + at, 4);
        rows[i][j] = value;
      } else {
        double value;
        std::memcpy(&value, data + at, 8);
        rows[i][j] = static_cast<float>(value);
      }
    }
  }
  return rows;
}

class TargetLogits final : public LogitsSource {
 public:
  TargetLogits(Vocabulary vocabulary, std::string target)
      : vocabulary_(std::move(vocabulary)), target_(std::move(target)) {}

  uint32_t vocab_size() const override { return vocabulary_.size(); }

  Status next_logits(std::span<const TokenId> generated, std::span<float> logits) override {
    if (logits.size() != vocabulary_.size()) {
      return make_error(ErrorCode::kInvalidArgument, "logits buffer has the wrong size");
    }
    std::string output;
    for (TokenId id : generated) output += vocabulary_.token_bytes(id);
    const bool on_track = output.size() <= target_.size() && target_.compare(0, output.size(), output) == 0;
    std::string_view remaining = on_track ? std::string_view(target_).substr(output.size()) : std::string_view();
    const auto& eos = vocabulary_.eos_tokens();
    for (uint32_t id = 0; id < logits.size(); ++id) {
      std::string_view bytes = vocabulary_.token_bytes(static_cast<TokenId>(id));
      float logit = kOffTrack;
      if (!bytes.empty() && remaining.size() >= bytes.size() && remaining.compare(0, bytes.size(), bytes) == 0) {
        logit = kOnTrack + static_cast<float>(bytes.size());
      }
      logits[id] = logit;
    }
    if (on_track && remaining.empty()) {
      for (TokenId id : eos) logits[id] = kEos;
    }
    return {};
  }

 private:
  static constexpr float kOffTrack = -10.0f;
  static constexpr float kOnTrack = 10.0f;
  static constexpr float kEos = 1000.0f;
  Vocabulary vocabulary_;
  std::string target_;
};

}  // namespace

std::unique_ptr<LogitsSource> make_random_logits(uint32_t vocab_size, uint64_t seed, RandomLogitsShape shape) {
  return std::make_unique<RandomLogits>(vocab_size, seed, shape);
}

Result<std::unique_ptr<LogitsSource>> load_replay_logits(const std::string& path, uint32_t vocab_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool is_npy = bytes.size() >= 6 && bytes.compare(0, 6, "\x93NUMPY") == 0;
  Result<std::vector<std::vector<float>>> rows = is_npy ? parse_npy(bytes, path) : parse_replay_json(bytes, path);
  if (!rows.ok()) return rows.error();
  for (size_t i = 0; i < rows->size(); ++i) {
    if ((*rows)[i].size() != vocab_size) {
      return make_error(ErrorCode::kInvalidArgument,
                        path + ": step " + std::to_string(i) + " has " + std::to_string((*rows)[i].size()) +
                            " logits but the vocabulary has " + std::to_string(vocab_size));
    }
  }
  return std::unique_ptr<LogitsSource>(std::make_unique<ReplayLogits>(vocab_size, std::move(rows).value()));
}

std::unique_ptr<LogitsSource> make_target_logits(const Vocabulary& vocabulary, std::string target) {
  return std::make_unique<TargetLogits>(vocabulary, std::move(target));
}

}  // namespace sluice
