// `sluice maskbench`: the MaskBench protocol (../shared/guide/FIELD.md) on a
// directory of {schema, tests: [{data, valid}]} files.
//
// Per schema: compile it (TTFM = JSON Schema compile + grammar compile +
// first mask). Per test instance: serialize it compactly as serde_json's
// to_string does, tokenize it with the real tokenizer and step through it:
// mask, check that the next token is allowed, accept. A valid instance must
// end accepting; an invalid one must hit a disallowed token or end
// non-accepting (if it is accepted, that is a soundness bug and is counted
// as invalid_accepted). Single thread.
//
// --engine reference swaps the tokenizer and matcher for the slow byte-level
// ReferenceRecognizer: no timings worth reporting, but the same verdicts, so
// compile coverage and soundness can be measured without a vocabulary.
//
// Exit: 0 when no invalid instance was accepted, 1 otherwise, 2 usage.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "command.h"
#include "frontend/json_schema/json_text.h"
#include "ir/reference_recognizer.h"
#include "schema_flags.h"
#include "sluice/compiler.h"
#include "sluice/json_schema.h"
#include "sluice/matcher.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace sluice::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double micros_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

Json percentiles(std::vector<double> v) {
  Json out = Json::object();
  if (v.empty()) {
    for (const char* k : {"p50", "avg", "p99", "max"}) out[k] = 0;
    return out;
  }
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  out["p50"] = at(0.5);
  out["avg"] = sum / static_cast<double>(v.size());
  out["p99"] = at(0.99);
  out["max"] = v.back();
  return out;
}

std::string reason_of(const Error& e) {
  if (e.code == ErrorCode::kUnsupported && !e.excerpt.empty()) return e.excerpt;
  return error_code_name(e.code);
}

struct Totals {
  size_t schemas = 0, compiled = 0, passing = 0, valid_rejected = 0, invalid_accepted = 0, tests = 0, tokens = 0;
  std::map<std::string, size_t> compile_errors;
  std::vector<double> compile, ttfm, tbm;
  // Of the schema being run, for its line in --results.
  double schema_tbm_max = 0, schema_tbm_total = 0;
};

// One test through the real matcher; returns whether the verdict was right.
bool run_matcher_test(const std::shared_ptr<const CompiledGrammar>& compiled, const Tokenizer& tokenizer,
                      const std::string& text, bool valid, Totals& totals, std::string* detail) {
  Matcher matcher(compiled);
  std::vector<int32_t> mask(matcher.mask_words());
  std::vector<TokenId> ids = tokenizer.encode(text);
  totals.tokens += ids.size();
  for (size_t i = 0; i < ids.size(); ++i) {
    Clock::time_point t0 = Clock::now();
    Status st = matcher.fill_next_token_bitmask(mask.data());
    const double micros = micros_since(t0);
    totals.tbm.push_back(micros);
    totals.schema_tbm_max = std::max(totals.schema_tbm_max, micros);
    totals.schema_tbm_total += micros;
    if (!st.ok()) {
      *detail = "mask error: " + st.error().to_string();
      return false;
    }
    TokenId id = ids[i];
    bool allowed = (static_cast<uint32_t>(mask[static_cast<size_t>(id) / 32]) >> (id % 32)) & 1u;
    bool accepted = allowed && matcher.accept_token(id);
    if (allowed != accepted) {
      // A budget error while stepping is reported as such: the mask was
      // right, the matcher ran out of a budget on the way.
      *detail = matcher.status().ok()
                    ? "mask allowed token " + std::to_string(id) + " but accept_token refused it"
                    : "accept_token of allowed token " + std::to_string(id) + ": " + matcher.status().error().to_string();
      return false;
    }
    if (!accepted) {
      if (valid) *detail = "token " + std::to_string(i) + " (id " + std::to_string(id) + ") rejected";
      return !valid;
    }
  }
  bool accepting = matcher.is_accepting();
  if (valid && !accepting) *detail = "valid instance ended incomplete";
  if (!valid && accepting) *detail = "invalid instance accepted";
  return accepting == valid;
}

bool run_reference_test(const ir::ReferenceRecognizer& recognizer, const std::string& text, bool valid,
                        std::string* detail) {
  Result<ir::Classification> c = recognizer.classify(text);
  if (!c.ok()) {
    *detail = "reference error: " + c.error().to_string();
    return false;
  }
  bool accepted = c->verdict == ir::Verdict::kAccept;
  if (valid && !accepted) {
    *detail = c->verdict == ir::Verdict::kIncomplete ? "valid instance ended incomplete"
                                                      : "valid instance rejected at byte " +
                                                            std::to_string(c->reject_offset);
  }
  if (!valid && accepted) *detail = "invalid instance accepted";
  return accepted == valid;
}

int run_maskbench(const std::vector<std::string>& argv) {
  Args args("maskbench", "--data DIR [options]");
  args.option("data", "directory of MaskBench files (required)")
      .option("tokenizer", "tokenizer.json path or cached name (default llama3.1)")
      .option("json", "write the summary JSON to this file (it is also printed)")
      .option("results", "write one JSON line per schema, with every error, to this file")
      .option("limit", "run at most N schemas")
      .option("filter", "only files whose name contains SUBSTRING")
      .option("engine", "matcher (default) or reference (byte-level oracle, no tokenizer)");
  declare_schema_flags(args);
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  JsonSchemaOptions options;
  if (!read_schema_flags(args, &options)) return kExitUsage;
  std::optional<std::string> data = args.get("data");
  if (!data) return args.usage_error("--data is required");
  std::string engine = args.get_or("engine", "matcher");
  if (engine != "matcher" && engine != "reference") return args.usage_error("--engine must be matcher or reference");
  long long limit = -1;
  if (args.has("limit") && !args.get_int("limit", &limit)) return kExitUsage;
  std::string filter = args.get_or("filter", "");

  std::optional<Tokenizer> tokenizer;
  std::optional<Vocabulary> vocabulary;
  if (engine == "matcher") {
    Result<Tokenizer> t = Tokenizer::load(args.get_or("tokenizer", "llama3.1"));
    if (!t.ok()) {
      std::fprintf(stderr, "sluice maskbench: %s\n", t.error().to_string().c_str());
      return kExitUsage;
    }
    tokenizer = *t;
    vocabulary = Vocabulary::from_tokenizer(*tokenizer);
  }

  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(*data, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name.find(filter) != std::string::npos) files.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "sluice maskbench: cannot read %s: %s\n", data->c_str(), ec.message().c_str());
    return kExitUsage;
  }
  std::sort(files.begin(), files.end());
  if (limit >= 0 && files.size() > static_cast<size_t>(limit)) files.resize(static_cast<size_t>(limit));

  std::ofstream results;
  if (args.has("results")) {
    results.open(*args.get("results"));
    if (!results) return args.usage_error("cannot write " + *args.get("results"));
  }
  Totals totals;
  for (const std::filesystem::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    Json doc = Json::parse(buffer.str(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("schema") || !doc.contains("tests")) {
      std::fprintf(stderr, "sluice maskbench: skipping malformed %s\n", path.string().c_str());
      continue;
    }
    ++totals.schemas;
    Json line = Json::object();
    line["file"] = path.filename().string();
    Json errors = Json::array();
    Clock::time_point t0 = Clock::now();
    Result<CompiledJsonSchema> compiled = compile_json_schema(doc["schema"].dump(), options);
    std::shared_ptr<const CompiledGrammar> grammar;
    std::optional<ir::ReferenceRecognizer> recognizer;
    std::optional<Error> failure;
    double compile_us = 0;
    if (!compiled.ok()) {
      failure = compiled.error();
    } else if (engine == "matcher") {
      // One compile budget for both halves: the schema's and the automaton's.
      CompileOptions compile_options;
      compile_options.max_compile_ms = std::max(1.0, options.max_compile_ms - micros_since(t0) / 1000);
      Result<std::shared_ptr<const CompiledGrammar>> g =
          CompiledGrammar::compile(compiled->grammar, *vocabulary, compile_options);
      if (!g.ok()) {
        failure = g.error();
      } else {
        grammar = *g;
        compile_us = micros_since(t0);
        Matcher first(grammar);
        std::vector<int32_t> mask(first.mask_words());
        Status st = first.fill_next_token_bitmask(mask.data());
        if (!st.ok()) failure = st.error();
      }
    } else {
      Result<ir::ReferenceRecognizer> r = ir::ReferenceRecognizer::create(compiled->grammar);
      if (!r.ok()) {
        failure = r.error();
      } else {
        recognizer = std::move(*r);
        compile_us = micros_since(t0);
      }
    }
    double ttfm = micros_since(t0);
    if (failure) {
      std::string reason = reason_of(*failure);
      ++totals.compile_errors[reason];
      line["compiled"] = false;
      line["compile_error"] = failure->to_string();
      line["reason"] = reason;
      if (results) results << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      continue;
    }
    ++totals.compiled;
    totals.compile.push_back(compile_us);
    totals.ttfm.push_back(ttfm);
    line["compiled"] = true;
    line["compile_us"] = compile_us;
    line["ttfm_us"] = ttfm;
    bool all_right = true;
    size_t index = 0;
    const size_t masks_before = totals.tbm.size();
    totals.schema_tbm_max = 0;
    totals.schema_tbm_total = 0;
    for (const Json& test : doc["tests"]) {
      bool valid = test.value("valid", false);
      std::string text = json_schema::to_compact(test["data"]);
      std::string detail;
      bool right = engine == "matcher" ? run_matcher_test(grammar, *tokenizer, text, valid, totals, &detail)
                                       : run_reference_test(*recognizer, text, valid, &detail);
      ++totals.tests;
      if (!right) {
        all_right = false;
        if (valid) {
          ++totals.valid_rejected;
        } else if (detail.rfind("invalid instance accepted", 0) == 0) {
          ++totals.invalid_accepted;
        }
        errors.push_back(Json::object({{"test", index}, {"valid", valid}, {"detail", detail}, {"instance", text}}));
      }
      ++index;
    }
    totals.passing += all_right;
    line["passing"] = all_right;
    line["masks"] = totals.tbm.size() - masks_before;
    line["tbm_max_us"] = totals.schema_tbm_max;
    line["tbm_total_us"] = totals.schema_tbm_total;
    line["errors"] = errors;
    if (results) results << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  }
  Json summary = Json::object();
  summary["engine"] = engine;
  summary["schemas"] = totals.schemas;
  summary["compiled"] = totals.compiled;
  summary["passing"] = totals.passing;
  summary["valid_rejected"] = totals.valid_rejected;
  summary["invalid_accepted"] = totals.invalid_accepted;
  summary["tests"] = totals.tests;
  summary["tokens"] = totals.tokens;
  std::vector<std::pair<std::string, size_t>> reasons(totals.compile_errors.begin(), totals.compile_errors.end());
  std::sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Json errors = Json::object();
  for (const auto& [reason, count] : reasons) errors[reason] = count;
  summary["compile_errors"] = errors;
  summary["compile_us"] = percentiles(totals.compile);
  summary["ttfm_us"] = percentiles(totals.ttfm);
  summary["tbm_us"] = percentiles(totals.tbm);
  std::string text = summary.dump(2);
  std::printf("%s\n", text.c_str());
  if (args.has("json")) {
    std::ofstream out(*args.get("json"));
    out << text << "\n";
  }
  return totals.invalid_accepted == 0 ? kExitOk : kExitNegative;
}

}  // namespace

SLUICE_COMMAND("maskbench", "run the MaskBench protocol on a directory of schemas", run_maskbench);

}  // namespace sluice::cli
