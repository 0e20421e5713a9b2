// `sluice generate`: constrained generation end to end, over a built-in
// logits source, with the output checked by the matcher and, for a schema,
// by the validator.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "args.h"
#include "command.h"
#include "constraint_source.h"
#include "sampling_flags.h"
#include "sluice/compiler.h"
#include "sluice/decode.h"
#include "sluice/tokenizer.h"
#include "sluice/validator.h"

namespace sluice::cli {
namespace {

std::string json_escape(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", ch);
          out += buffer;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out;
}

// --logits random[:uniform|zipf|peaked] | replay:FILE | target:TEXT
Result<std::unique_ptr<LogitsSource>> make_source(const std::string& spec, const Vocabulary& vocabulary,
                                                  uint64_t seed) {
  std::string kind = spec.substr(0, spec.find(':'));
  std::string argument = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  if (kind == "random") {
    RandomLogitsShape shape = RandomLogitsShape::kZipf;
    if (argument == "uniform") {
      shape = RandomLogitsShape::kUniform;
    } else if (argument == "peaked") {
      shape = RandomLogitsShape::kPeaked;
    } else if (!argument.empty() && argument != "zipf") {
      return make_error(ErrorCode::kInvalidArgument, "random logits shape must be uniform, zipf or peaked");
    }
    return make_random_logits(vocabulary.size(), seed, shape);
  }
  if (kind == "replay") return load_replay_logits(argument, vocabulary.size());
  if (kind == "target") return make_target_logits(vocabulary, argument);
  return make_error(ErrorCode::kInvalidArgument,
                    "--logits must be random[:SHAPE], replay:FILE or target:TEXT, got '" + spec + "'");
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int run_generate(const std::vector<std::string>& raw) {
  Args args("generate",
            "--tokenizer T (--schema FILE | --grammar FILE | --regex P | --choices A,B,...) [options]");
  args.option("tokenizer", "tokenizer.json path, directory, or cached name (llama3, llama3.1, qwen3, ...)");
  declare_constraint_flags(args);
  declare_sampling_flags(args);
  args.option("logits", "random[:uniform|zipf|peaked] (default), replay:FILE (.json/.npy), target:TEXT")
      .option("max-tokens", "stop after this many tokens, finish reason 'length' (default 512)")
      .option("reasoning-end", "reasoning mode: think unconstrained until this marker, then constrain")
      .option("reasoning-end-token", "reasoning mode with the end marker given as a token id")
      .option("trigger", "output is unconstrained until this marker, constrained after it")
      .flag("no-jump-forward", "sample every token, even forced ones")
      .flag("json", "print one JSON object: text, finish_reason, tokens, valid, timing");
  if (!args.parse(raw)) return args.parse_failure_exit_code();
  if (!args.has("tokenizer")) return args.usage_error("--tokenizer is required");

  DecodeOptions options;
  if (!read_sampling_flags(args, &options.params)) return kExitUsage;
  long long max_tokens = options.max_tokens;
  if (!args.get_int("max-tokens", &max_tokens)) return kExitUsage;
  if (max_tokens < 1 || max_tokens > 1000000) return args.usage_error("--max-tokens must be in [1, 1000000]");
  options.max_tokens = static_cast<uint32_t>(max_tokens);
  options.jump_forward = !args.has("no-jump-forward");
  if (args.has("reasoning-end")) {
    options.reasoning = true;
    options.reasoning_end = *args.get("reasoning-end");
  }
  if (args.has("reasoning-end-token")) {
    long long id = 0;
    if (!args.get_int("reasoning-end-token", &id)) return kExitUsage;
    options.reasoning = true;
    options.reasoning_end_token = static_cast<TokenId>(id);
    if (!args.has("reasoning-end")) options.reasoning_end.clear();
  }
  options.trigger = args.get_or("trigger", "");
  warn_sampling_diagnostics(options.params);

  Result<Tokenizer> tokenizer = Tokenizer::load(*args.get("tokenizer"));
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "sluice generate: %s\n", tokenizer.error().to_string().c_str());
    return kExitUsage;
  }
  std::optional<Grammar> grammar = load_constraint(args);
  if (!grammar) return kExitUsage;

  std::optional<Validator> validator;
  if (std::optional<std::string> schema_path = args.get("schema")) {
    std::optional<std::string> schema_text = read_file(*schema_path);
    if (!schema_text) {
      std::fprintf(stderr, "sluice generate: cannot read %s\n", schema_path->c_str());
      return kExitUsage;
    }
    Result<Validator> compiled = Validator::compile(*schema_text);
    if (!compiled.ok()) {
      std::fprintf(stderr, "sluice generate: %s\n", compiled.error().to_string().c_str());
      return kExitUsage;
    }
    validator = std::move(compiled).value();
  }

  Vocabulary vocabulary = Vocabulary::from_tokenizer(*tokenizer);
  auto compile_start = std::chrono::steady_clock::now();
  auto compiled = CompiledGrammar::compile(*grammar, vocabulary);
  double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start).count();
  if (!compiled.ok()) {
    std::fprintf(stderr, "sluice generate: %s\n", compiled.error().to_string().c_str());
    return kExitUsage;
  }
  Result<Decoder> decoder = Decoder::create(*compiled, options);
  if (!decoder.ok()) {
    std::fprintf(stderr, "sluice generate: %s\n", decoder.error().to_string().c_str());
    return kExitUsage;
  }
  auto source = make_source(args.get_or("logits", "random"), vocabulary, options.params.seed);
  if (!source.ok()) {
    std::fprintf(stderr, "sluice generate: %s\n", source.error().to_string().c_str());
    return kExitUsage;
  }
  Result<DecodeResult> result = decoder->run(**source);
  if (!result.ok()) {
    std::fprintf(stderr, "sluice generate: %s\n", result.error().to_string().c_str());
    return kExitNegative;
  }

  bool valid = result->complete;
  std::string validation_message;
  if (valid && validator) {
    Result<ValidationResult> checked = validator->validate(result->text);
    valid = checked.ok() && checked->valid;
    if (!checked.ok()) {
      validation_message = checked.error().to_string();
    } else if (!checked->valid && !checked->errors.empty()) {
      validation_message = checked->errors.front().instance_location + ": " + checked->errors.front().message;
    }
  }
  const DecodeTiming& timing = result->timing;
  double mask_avg = timing.masks ? timing.mask_us / static_cast<double>(timing.masks) : 0.0;
  double sample_avg = timing.samples ? timing.sample_us / static_cast<double>(timing.samples) : 0.0;

  if (args.has("json")) {
    std::string ids;
    for (TokenId id : result->tokens) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    std::printf(
        "{\"text\":\"%s\",\"reasoning\":\"%s\",\"finish_reason\":\"%s\",\"tokens\":[%s],\"valid\":%s,"
        "\"forced_tokens\":%u,\"timing\":{\"compile_ms\":%.3f,\"masks\":%llu,\"mask_us_avg\":%.3f,"
        "\"samples\":%llu,\"sample_us_avg\":%.3f}}\n",
        json_escape(result->text).c_str(), json_escape(result->free_text).c_str(),
        finish_reason_name(result->finish_reason), ids.c_str(), valid ? "true" : "false", result->forced_tokens,
        compile_ms, static_cast<unsigned long long>(timing.masks), mask_avg,
        static_cast<unsigned long long>(timing.samples), sample_avg);
  } else {
    if (!result->free_text.empty()) std::printf("[free] %s\n", printable(result->free_text).c_str());
    std::printf("%s\n", result->text.c_str());
    std::fprintf(stderr, "finish: %s, %zu tokens (%u forced), %s%s%s\n", finish_reason_name(result->finish_reason),
                 result->tokens.size(), result->forced_tokens,
                 valid ? "valid" : (result->complete ? "INVALID" : "incomplete (never valid)"),
                 validation_message.empty() ? "" : ": ", validation_message.c_str());
    std::fprintf(stderr, "timing: compile %.2f ms, %llu masks at %.1f us, %llu samples at %.1f us\n", compile_ms,
                 static_cast<unsigned long long>(timing.masks), mask_avg,
                 static_cast<unsigned long long>(timing.samples), sample_avg);
  }
  return valid ? kExitOk : kExitNegative;
}

}  // namespace

SLUICE_COMMAND("generate", "generate constrained output from a logits source", run_generate);

}  // namespace sluice::cli
