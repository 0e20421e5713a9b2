// `sluice sample`: one step of the sampler on logits from a file, shown stage
// by stage as terminal bar charts, with the frequencies of N seeded draws
// next to the final probabilities (the seed text's "Sample 100x"). --json
// prints the same numbers for programs. Uses sluice/sampler.h.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "args.h"
#include "command.h"
#include "sampling_flags.h"
#include "sluice/sampler.h"

namespace sluice::cli {
namespace {

constexpr int kBarWidth = 32;  // columns for a probability of 1

struct LogitsFile {
  std::string prompt;
  std::vector<float> logits;
  std::vector<std::string> labels;  // empty when the file has none
};

// Reads {"logits": [...], "tokens": [...]?, "prompt": "..."?}; on failure
// returns false after printing why.
bool read_logits_file(const Args& args, const std::string& path, LogitsFile* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    args.usage_error("cannot read the logits file '" + path + "'");
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    args.usage_error(path + ": not JSON (byte " + std::to_string(e.byte) + ")");
    return false;
  }
  if (!doc.is_object() || !doc.contains("logits") || !doc["logits"].is_array() || doc["logits"].empty()) {
    args.usage_error(path + ": expected an object with a non-empty \"logits\" array");
    return false;
  }
  const nlohmann::json& logits = doc["logits"];
  if (logits.size() > std::numeric_limits<uint32_t>::max()) {
    args.usage_error(path + ": too many logits");
    return false;
  }
  for (size_t i = 0; i < logits.size(); ++i) {
    const double value = logits[i].is_number() ? logits[i].get<double>() : std::nan("");
    if (!std::isfinite(value) || std::abs(value) > std::numeric_limits<float>::max()) {
      args.usage_error(path + ": /logits/" + std::to_string(i) + " is not a finite number within float range");
      return false;
    }
    out->logits.push_back(static_cast<float>(value));
  }
  if (doc.contains("tokens")) {
    const nlohmann::json& tokens = doc["tokens"];
    if (!tokens.is_array() || tokens.size() != logits.size()) {
      args.usage_error(path + ": \"tokens\" must be an array of one label per logit");
      return false;
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (!tokens[i].is_string()) {
        args.usage_error(path + ": /tokens/" + std::to_string(i) + " is not a string");
        return false;
      }
      out->labels.push_back(tokens[i].get<std::string>());
    }
  }
  if (doc.contains("prompt") && doc["prompt"].is_string()) out->prompt = doc["prompt"].get<std::string>();
  return true;
}

bool parse_u64(const Args& args, const std::string& name, const std::string& text, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0) {
    args.usage_error("--" + name + " expects a non-negative integer, got '" + text + "'");
    return false;
  }
  *out = value;
  return true;
}

// A comma-separated list of token ids below `vocab`.
bool parse_ids(const Args& args, const std::string& name, uint32_t vocab, std::vector<int32_t>* out) {
  std::optional<std::string> text = args.get(name);
  if (!text) return true;
  std::stringstream list(*text);
  std::string item;
  while (std::getline(list, item, ',')) {
    uint64_t id = 0;
    if (!parse_u64(args, name, item, &id)) return false;
    if (id >= vocab) {
      args.usage_error("--" + name + ": token " + item + " is outside the " + std::to_string(vocab) + " logits");
      return false;
    }
    out->push_back(static_cast<int32_t>(id));
  }
  return true;
}

// Counts UTF-8 code points, for padding labels in columns.
size_t display_width(const std::string& s) {
  size_t width = 0;
  for (unsigned char ch : s) width += (ch & 0xc0) != 0x80;
  return width;
}

// A token as the chart shows it: its label quoted, with control characters
// escaped so that " Paris" and "\n" are both visible, or #id without labels.
std::string token_label(const LogitsFile& file, size_t id) {
  if (file.labels.empty()) return "#" + std::to_string(id);
  std::string out = "\"";
  for (unsigned char ch : file.labels[id]) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch < 0x20 || ch == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", ch);
      out += buffer;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

// A horizontal bar of `fraction` * kBarWidth columns, in eighths of a cell.
std::string bar(double fraction) {
  static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  int eighths = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * kBarWidth * 8));
  // A sliver for any non-zero value, so "tiny" and "removed" look different.
  if (fraction > 0 && eighths == 0) eighths = 1;
  std::string out;
  for (int i = 0; i < eighths / 8; ++i) out += "█";
  out += kEighths[eighths % 8];
  const int cells = eighths / 8 + (eighths % 8 != 0);
  out.append(static_cast<size_t>(kBarWidth - cells), ' ');
  return out;
}

std::string percent(double p) {
  char buffer[32];
  if (p > 0 && p < 0.0005) {
    std::snprintf(buffer, sizeof buffer, "%7s", "<0.1%");
  } else {
    std::snprintf(buffer, sizeof buffer, "%6.1f%%", 100 * p);
  }
  return buffer;
}

// Token ids in descending probability, ties to the lower id: the rank
// order the sampler uses.
std::vector<size_t> ranked(const std::vector<double>& p) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
  return order;
}

std::string describe(const StageDistribution& stage, const SamplingParams& params, size_t mask_allowed,
                     size_t history) {
  char buffer[160];
  switch (stage.stage) {
    case SamplingStage::kModel: return "softmax of the logits";
    case SamplingStage::kMask:
      std::snprintf(buffer, sizeof buffer, "%zu tokens allowed", mask_allowed);
      return buffer;
    case SamplingStage::kLogitBias: return std::to_string(params.logit_bias.size()) + " biases";
    case SamplingStage::kPenalties:
      std::snprintf(buffer, sizeof buffer, "presence %g, frequency %g, repetition %g over %zu tokens",
                    params.presence_penalty, params.frequency_penalty, params.repetition_penalty, history);
      return buffer;
    case SamplingStage::kTemperature:
      if (params.temperature == 0) return "T = 0: the most likely token, ties to the lowest id";
      std::snprintf(buffer, sizeof buffer, "T = %g", params.temperature);
      return buffer;
    case SamplingStage::kTopK: return "k = " + std::to_string(params.top_k);
    case SamplingStage::kTopP:
      std::snprintf(buffer, sizeof buffer, "p = %g", params.top_p);
      return buffer;
    case SamplingStage::kMinP:
      std::snprintf(buffer, sizeof buffer, "min-p = %g", params.min_p);
      return buffer;
  }
  return "";
}

void print_chart(const LogitsFile& file, const std::vector<double>& p, size_t rows, const std::vector<int>* draws,
                 int n, size_t label_width) {
  const std::vector<size_t> order = ranked(p);
  size_t shown = 0;
  double rest = 0;
  size_t rest_count = 0;
  size_t removed = 0;
  for (size_t id : order) {
    if (p[id] == 0 && (draws == nullptr || (*draws)[id] == 0)) {
      ++removed;
      continue;
    }
    if (shown == rows) {
      rest += p[id];
      ++rest_count;
      continue;
    }
    ++shown;
    std::string label = token_label(file, id);
    std::string pad(label_width > display_width(label) ? label_width - display_width(label) : 0, ' ');
    std::printf("    %s%s  %s %s", label.c_str(), pad.c_str(), bar(p[id]).c_str(), percent(p[id]).c_str());
    if (draws != nullptr) {
      const double frequency = static_cast<double>((*draws)[id]) / n;
      std::printf("   %s %6d", bar(frequency).c_str(), (*draws)[id]);
    }
    std::printf("\n");
  }
  if (rest_count > 0) std::printf("    ... %zu more tokens, %s together\n", rest_count, percent(rest).c_str());
  if (removed > 0) std::printf("    (%zu tokens removed)\n", removed);
}

int run_sample(const std::vector<std::string>& raw_args) {
  Args args("sample", "--logits FILE.json [options]");
  args.option("logits", "JSON file: {\"logits\": [...], \"tokens\": [\"label\", ...]} (labels optional)")
      .option("history", "comma-separated ids of the tokens generated so far (for the penalties)")
      .option("allow", "comma-separated ids the constraint allows (a mask); default: all");
  declare_sampling_flags(args);
  args.option("n", "number of draws (default 100), drawn at steps 0..n-1; also -n")
      .option("top", "rows per chart (default 10)")
      .flag("json", "print {\"stages\": [...], \"draws\": [...]} instead of charts");
  std::vector<std::string> rewritten = raw_args;
  for (std::string& arg : rewritten) {
    if (arg == "-n") arg = "--n";
  }
  if (!args.parse(rewritten)) return args.parse_failure_exit_code();
  if (!args.positionals().empty()) return args.usage_error("unexpected argument '" + args.positionals()[0] + "'");
  std::optional<std::string> path = args.get("logits");
  if (!path) return args.usage_error("--logits FILE is required");

  LogitsFile file;
  if (!read_logits_file(args, *path, &file)) return kExitUsage;
  const uint32_t vocab = static_cast<uint32_t>(file.logits.size());
  SamplingParams params;
  if (!read_sampling_flags(args, &params)) return kExitUsage;
  std::vector<int32_t> history;
  std::vector<int32_t> allowed;
  if (!parse_ids(args, "history", vocab, &history) || !parse_ids(args, "allow", vocab, &allowed)) return kExitUsage;
  uint64_t draws_wanted = 100;
  uint64_t rows = 10;
  if (std::optional<std::string> n = args.get("n"); n && !parse_u64(args, "n", *n, &draws_wanted)) return kExitUsage;
  if (std::optional<std::string> top = args.get("top"); top && !parse_u64(args, "top", *top, &rows)) return kExitUsage;
  constexpr uint64_t kMaxDraws = 10'000'000;  // a few seconds at most
  if (draws_wanted > kMaxDraws) return args.usage_error("-n is limited to " + std::to_string(kMaxDraws) + " draws");
  const int n = static_cast<int>(draws_wanted);

  auto sampler = Sampler::create(params, vocab);
  if (!sampler) {
    std::fprintf(stderr, "sluice sample: %s\n", sampler.error().to_string().c_str());
    return kExitUsage;
  }
  warn_sampling_diagnostics(params);
  for (int32_t token : history) {
    if (Status status = sampler->record(token); !status) {
      std::fprintf(stderr, "sluice sample: %s\n", status.error().to_string().c_str());
      return kExitUsage;
    }
  }
  std::vector<int32_t> mask;
  if (args.has("allow")) {
    mask.assign((vocab + 31) / 32, 0);
    for (int32_t id : allowed) mask[static_cast<size_t>(id) / 32] |= static_cast<int32_t>(1u << (id % 32));
  }
  auto stages = sampler->trace(file.logits, mask);
  if (!stages) {
    std::fprintf(stderr, "sluice sample: %s\n", stages.error().to_string().c_str());
    return kExitUsage;
  }
  std::vector<int> counts(vocab, 0);
  for (int i = 0; i < n; ++i) {
    auto token = sampler->sample(file.logits, mask, static_cast<uint64_t>(i));
    if (!token) {
      std::fprintf(stderr, "sluice sample: %s\n", token.error().to_string().c_str());
      return kExitUsage;
    }
    ++counts[static_cast<size_t>(*token)];
  }

  if (args.has("json")) {
    nlohmann::ordered_json out;
    out["stages"] = nlohmann::ordered_json::array();
    for (const StageDistribution& stage : *stages) {
      out["stages"].push_back(
          {{"name", sampling_stage_name(stage.stage)}, {"active", stage.active}, {"probabilities", stage.probabilities}});
    }
    out["draws"] = counts;
    out["seed"] = params.seed;
    out["diagnostics"] = params.diagnostics();
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }

  size_t allowed_count = 0;
  for (int32_t word : mask) allowed_count += static_cast<size_t>(std::popcount(static_cast<uint32_t>(word)));
  size_t label_width = 0;
  for (size_t id = 0; id < vocab; ++id) label_width = std::max(label_width, display_width(token_label(file, id)));
  if (!file.prompt.empty()) std::printf("prompt: \"%s\"\n", file.prompt.c_str());
  std::printf("%u tokens, preset %s, seed %llu\n\n", vocab, args.get_or("preset", "extraction").c_str(),
              static_cast<unsigned long long>(params.seed));
  for (const StageDistribution& stage : *stages) {
    const char* name = sampling_stage_name(stage.stage);
    if (!stage.active) {
      std::printf("%-12s off\n", name);
      continue;
    }
    std::printf("%-12s %s\n", name, describe(stage, params, allowed_count, history.size()).c_str());
    print_chart(file, stage.probabilities, rows, nullptr, n, label_width);
  }
  if (n > 0) {
    std::printf("\nfinal distribution and %d draws (seed %llu, steps 0..%d)\n", n,
                static_cast<unsigned long long>(params.seed), n - 1);
    print_chart(file, stages->back().probabilities, rows, &counts, n, label_width);
  }
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("sample", "show each sampling stage's distribution, and N seeded draws", run_sample);

}  // namespace sluice::cli
