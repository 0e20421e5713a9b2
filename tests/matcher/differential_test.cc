// Fast masks against the reference recogniser, token by token, along random
// walks: hand-built JSON, random grammars (with and without counter loops),
// small synthetic vocabularies and the cached real tokenizers.
#include <catch2/catch.hpp>

#include "matcher/harness.h"

namespace sluice::testing {

TEST_CASE("json masks equal the reference on a synthetic vocabulary", "[matcher][differential]") {
  Vocabulary v = small_vocabulary(7);
  WalkOptions options;
  options.steps = 60;
  options.walks = 4;
  differential_walk(json_grammar(), v, 11, options);
}

TEST_CASE("random grammars: fast masks equal the reference", "[matcher][differential]") {
  Vocabulary v = small_vocabulary(3, 120);
  RandomGrammarOptions gen_options;
  gen_options.rules = 3;
  gen_options.max_depth = 3;
  gen_options.recursion = false;
  RandomGrammarGenerator gen(1234, gen_options);
  int checked = 0;
  for (int i = 0; i < 150; ++i) {
    Grammar g = gen.next();
    if (!ir::ReferenceRecognizer::create(g).ok()) continue;
    CompileOptions compile;
    // Half of them run every bounded repetition as a counter loop.
    compile.unroll_state_limit = (i % 2 == 0) ? 0 : 64;
    auto compiled = CompiledGrammar::compile(g, v, compile);
    if (!compiled.ok()) {
      REQUIRE(compiled.error().code == ErrorCode::kUnsatisfiable);
      continue;
    }
    INFO("grammar " << i << ":\n" << g.to_string());
    WalkOptions options;
    options.steps = 12;
    options.walks = 2;
    options.compile = compile;
    differential_walk(g, v, 100 + i, options);
    ++checked;
  }
  REQUIRE(checked > 50);
}

TEST_CASE("recursive random grammars: fast masks equal the reference", "[matcher][differential]") {
  Vocabulary v = small_vocabulary(5, 120);
  RandomGrammarOptions gen_options;
  gen_options.rules = 3;
  gen_options.max_depth = 3;
  gen_options.recursion = true;
  RandomGrammarGenerator gen(99, gen_options);
  int checked = 0;
  for (int i = 0; i < 150; ++i) {
    Grammar g = gen.next();
    if (!ir::ReferenceRecognizer::create(g).ok()) continue;  // left recursion
    CompileOptions compile;
    compile.unroll_state_limit = (i % 2 == 0) ? 0 : 64;
    auto compiled = CompiledGrammar::compile(g, v, compile);
    if (!compiled.ok()) {
      REQUIRE(compiled.error().code == ErrorCode::kUnsatisfiable);
      continue;
    }
    INFO("grammar " << i << ":\n" << g.to_string());
    WalkOptions options;
    options.steps = 12;
    options.walks = 2;
    options.compile = compile;
    differential_walk(g, v, 500 + i, options);
    ++checked;
  }
  REQUIRE(checked > 30);
}

TEST_CASE("json masks equal the reference with real tokenizers", "[matcher][differential][tokenizer]") {
  for (const char* name : {"llama3", "qwen3", "llama2"}) {
    auto v = cached_vocabulary(name);
    if (!v) continue;
    INFO("tokenizer " << name);
    WalkOptions options;
    options.steps = 40;
    options.walks = 2;
    options.sample = 400;
    options.full_steps = 1;
    differential_walk(json_grammar(), *v, 21, options);
  }
}

}  // namespace sluice::testing
