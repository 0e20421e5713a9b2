// `sluice compile`: compiles a constraint (GBNF, regex, choices or JSON
// Schema), for a tokenizer optionally, and prints what it became: rules,
// automaton states and edges, counter loops, memory and compile time. Bad
// input exits 2 with a located error.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "args.h"
#include "command.h"
#include "constraint_source.h"
#include "sluice/compiler.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace sluice::cli {
namespace {

int run_compile(const std::vector<std::string>& argv) {
  Args args("compile",
            "(--grammar FILE | --regex PATTERN | --choices A,B,... | --schema FILE) [--tokenizer T] "
            "[--print-ir] [--json]");
  declare_constraint_flags(args);
  args.option("tokenizer", "tokenizer.json path or cached name (llama3, qwen3, llama2, ...)")
      .flag("print-ir", "print the grammar IR (GBNF syntax) before the statistics")
      .flag("json", "print the statistics as JSON");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  if (!args.positionals().empty()) return args.usage_error("unexpected argument '" + args.positionals()[0] + "'");
  auto grammar = load_constraint(args);
  if (!grammar) return kExitUsage;
  if (args.has("print-ir")) std::printf("%s\n", grammar->to_string().c_str());

  Vocabulary vocabulary;
  double tokenizer_ms = 0;
  if (args.has("tokenizer")) {
    auto t0 = std::chrono::steady_clock::now();
    auto tokenizer = Tokenizer::load(*args.get("tokenizer"));
    if (!tokenizer.ok()) {
      std::fprintf(stderr, "sluice compile: %s\n", tokenizer.error().to_string().c_str());
      return kExitUsage;
    }
    vocabulary = Vocabulary::from_tokenizer(tokenizer.value());
    tokenizer_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  auto compiled = CompiledGrammar::compile(*grammar, vocabulary);
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s: %s\n", describe_constraint(args).c_str(), compiled.error().to_string().c_str());
    return kExitUsage;
  }
  const CompiledGrammar::Stats& s = compiled.value()->stats();
  if (args.has("json")) {
    nlohmann::ordered_json out;
    out["grammar_rules"] = grammar->rules().size();
    out["automaton_rules"] = s.rules;
    out["states"] = s.states;
    out["edges"] = s.edges;
    out["counter_loops"] = s.counter_loops;
    out["automaton_bytes"] = s.automaton_bytes;
    out["compile_ms"] = s.compile_ms;
    out["vocab_size"] = vocabulary.size();
    out["vocab_bytes"] = vocabulary.memory_bytes();
    out["tokenizer_load_ms"] = tokenizer_ms;
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("grammar rules     %zu\n", grammar->rules().size());
  std::printf("automaton rules   %zu (including counter loops and repeated bodies)\n", s.rules);
  std::printf("states            %zu\n", s.states);
  std::printf("edges             %zu\n", s.edges);
  std::printf("counter loops     %zu\n", s.counter_loops);
  std::printf("automaton memory  %zu bytes\n", s.automaton_bytes);
  std::printf("compile time      %.3f ms\n", s.compile_ms);
  if (args.has("tokenizer")) {
    std::printf("vocabulary        %u tokens, %zu bytes (trie included), loaded in %.1f ms\n", vocabulary.size(),
                vocabulary.memory_bytes(), tokenizer_ms);
    std::printf("token masks       computed lazily per parser state and cached (bounded by %zu bytes)\n",
                compiled.value()->options().max_mask_cache_bytes);
  }
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("compile", "compile a grammar, regex or choices and print statistics", run_compile);

}  // namespace sluice::cli
