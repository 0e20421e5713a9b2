// Helpers shared by the regex front-end tests: compile a pattern and ask the
// reference recogniser (lib/ir/reference_recognizer.h) about a string.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

namespace sluice::regex_test {

inline RegexOptions options_for(RegexMatchMode mode) {
  RegexOptions options;
  options.mode = mode;
  return options;
}

// The pattern's language as a standalone grammar. Unlike compile_regex this
// keeps unsatisfiable patterns (root = nothing), which the tables test too.
inline Result<Grammar> grammar_for(std::string_view pattern, RegexMatchMode mode) {
  Grammar grammar;
  RuleId root = grammar.declare_rule("root");
  Result<ExprId> body = lower_regex(grammar, pattern, options_for(mode));
  if (!body.ok()) return body.error();
  grammar.set_body(root, *body);
  grammar.set_root(root);
  return grammar;
}

inline ir::Verdict verdict(const ir::ReferenceRecognizer& recognizer, std::string_view text) {
  Result<ir::Classification> c = recognizer.classify(text);
  REQUIRE(c.ok());
  return c->verdict;
}

// Whether `pattern` in `mode` accepts the whole of `text`.
inline bool matches(std::string_view pattern, RegexMatchMode mode, std::string_view text) {
  Result<Grammar> grammar = grammar_for(pattern, mode);
  INFO("pattern " << pattern);
  REQUIRE(grammar.ok());
  Result<ir::ReferenceRecognizer> recognizer = ir::ReferenceRecognizer::create(*grammar);
  REQUIRE(recognizer.ok());
  return verdict(*recognizer, text) == ir::Verdict::kAccept;
}

}  // namespace sluice::regex_test
