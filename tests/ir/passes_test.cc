// IR passes: each one's structural effect on a small grammar, and each one
// (and optimize) preserving the language of random grammars, judged by the
// reference recogniser byte by byte.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "ir/passes.h"
#include "ir/random_grammar.h"
#include "ir/reference_recognizer.h"
#include "sluice/frontend.h"

using sluice::Grammar;
using sluice::ir::ReferenceRecognizer;
using sluice::testing::encode_utf8;
using sluice::testing::test_alphabet;

namespace {

Grammar gbnf(const char* text) {
  auto g = sluice::parse_gbnf(text, {.optimize = false});
  INFO(text << (g.ok() ? "" : g.error().to_string()));
  REQUIRE(g.ok());
  return std::move(g).value();
}

// Feeds both recognisers every string of up to `depth` alphabet letters, one
// byte at a time, and requires the same accepting/dead answer after each
// byte. Returns false (checking nothing more) when either recogniser runs
// out of its stack budget: a few random grammars make any top-down
// interpreter's state explode, and those are not what is being tested here.
bool same_language(const Grammar& before, const Grammar& after, int depth) {
  sluice::ir::ReferenceOptions options;
  options.max_stacks = 5000;
  auto a = ReferenceRecognizer::create(before, options);
  auto b = ReferenceRecognizer::create(after, options);
  if (!a.ok() || !b.ok()) {
    const sluice::Error& e = a.ok() ? b.error() : a.error();
    REQUIRE(e.code == sluice::ErrorCode::kBudgetExceeded);
    return false;
  }
  INFO("before:\n" << before.to_string() << "after:\n" << after.to_string());
  bool budget_hit = false;
  std::function<void(const ReferenceRecognizer&, const ReferenceRecognizer&, const std::string&, int)> walk =
      [&](const ReferenceRecognizer& x, const ReferenceRecognizer& y, const std::string& input, int left) {
        INFO("input: " << input);
        REQUIRE(x.accepting() == y.accepting());
        REQUIRE(x.dead() == y.dead());
        if (left == 0 || x.dead()) return;
        for (uint32_t cp : test_alphabet()) {
          if (budget_hit) return;
          ReferenceRecognizer xs = x, ys = y;
          std::string bytes = encode_utf8(cp);
          for (size_t i = 0; i < bytes.size(); ++i) {
            auto fx = xs.feed(bytes.substr(i, 1));
            auto fy = ys.feed(bytes.substr(i, 1));
            if (!fx.ok() || !fy.ok()) {
              REQUIRE((fx.ok() ? fy.error() : fx.error()).code == sluice::ErrorCode::kBudgetExceeded);
              budget_hit = true;
              return;
            }
            REQUIRE(xs.dead() == ys.dead());
            REQUIRE(xs.accepting() == ys.accepting());
          }
          walk(xs, ys, input + bytes, left - 1);
        }
      };
  walk(*a, *b, "", depth);
  if (budget_hit) return false;
  // Longer sentences too: every enumerated sentence of the original.
  sluice::testing::BruteForceLanguage oracle(before, 6);
  for (const std::u32string& s : oracle.sentences()) {
    auto verdict = b->classify(encode_utf8(s));
    if (!verdict.ok()) {
      REQUIRE(verdict.error().code == sluice::ErrorCode::kBudgetExceeded);
      return false;
    }
    CHECK(verdict->verdict == sluice::ir::Verdict::kAccept);
  }
  return true;
}

void check_pass_on_random_grammars(const std::function<Grammar(const Grammar&)>& pass, uint32_t seed) {
  sluice::testing::RandomGrammarGenerator generator(seed, {4, 3, true, true, false});
  int checked = 0;
  for (int i = 0; i < 100; ++i) {
    Grammar g = generator.next();
    if (!ReferenceRecognizer::create(g).ok()) continue;
    Grammar out = pass(g);
    REQUIRE(out.validate().ok());
    if (same_language(g, out, 3)) ++checked;
  }
  CHECK(checked > 40);
}

size_t reachable_expr_count(const Grammar& g) {
  std::vector<bool> seen(g.expr_count(), false);
  std::vector<sluice::ExprId> work;
  for (const sluice::Rule& r : g.rules()) work.push_back(r.body);
  size_t count = 0;
  while (!work.empty()) {
    sluice::ExprId id = work.back();
    work.pop_back();
    if (seen[id]) continue;
    seen[id] = true;
    ++count;
    for (sluice::ExprId c : g.expr(id).children) work.push_back(c);
  }
  return count;
}

}  // namespace

TEST_CASE("passes: remove_unreachable_rules drops what the root cannot reach") {
  Grammar g = gbnf("root ::= a\na ::= \"x\" a | \"y\"\nb ::= \"z\" c\nc ::= \"w\"\n");
  Grammar out = sluice::ir::remove_unreachable_rules(g);
  CHECK(out.to_string() == "root ::= a\na ::= \"x\" a | \"y\"\n");
  CHECK(out.expr_count() < g.expr_count());
}

TEST_CASE("passes: inline_rules inlines single-use and single-node rules, never recursive ones") {
  Grammar g = gbnf(
      "root ::= greeting \" \" name \"!\" digit digit list\n"
      "greeting ::= \"hello\" | \"hi\"\n"
      "name ::= [A-Z] [a-z]*\n"
      "digit ::= [0-9]\n"
      "list ::= \"[\" item (\",\" item)* \"]\"\n"
      "item ::= digit | list\n");
  Grammar out = sluice::ir::inline_rules(g);
  CHECK(out.to_string() ==
        "root ::= (\"hello\" | \"hi\") \" \" [A-Z] [a-z]* \"!\" [0-9] [0-9] list\n"
        "list ::= \"[\" item (\",\" item)* \"]\"\n"
        "item ::= [0-9] | list\n");
}

TEST_CASE("passes: merge_literals joins adjacent literals") {
  Grammar g = gbnf("root ::= \"a\" \"b\" [0-9] \"c\" (\"d\" \"e\")* \"f\" \"\\u00e9\"\n");
  CHECK(sluice::ir::merge_literals(g).to_string() == "root ::= \"ab\" [0-9] \"c\" \"de\"* \"f\\u00E9\"\n");
}

TEST_CASE("passes: merge_classes folds one-code-point alternatives into a class") {
  Grammar g = gbnf("root ::= \"a\" | [0-9] | \"bc\" | \"\\u00e9\" | x\nx ::= \"q\" | \"r\"\n");
  CHECK(sluice::ir::merge_classes(g).to_string() == "root ::= \"bc\" | x | [0-9a\\u00E9]\nx ::= [q-r]\n");
}

TEST_CASE("passes: dedupe_expressions shares equal subtrees") {
  Grammar g = gbnf("root ::= ([0-9]+ \".\" [0-9]+) | ([0-9]+ \".\" [0-9]+ \"e\")\n");
  Grammar out = sluice::ir::dedupe_expressions(g);
  CHECK(out.to_string() == g.to_string());
  CHECK(reachable_expr_count(out) < reachable_expr_count(g));
}

TEST_CASE("passes: optimize on json.gbnf keeps bounded repetition as one node") {
  Grammar g = gbnf("root ::= item{0,1000} \"end\"\nitem ::= \"a\" \"b\" | [c] | \"d\"\n");
  Grammar out = sluice::ir::optimize(g);
  CHECK(out.to_string() == "root ::= (\"ab\" | [c-d]){0,1000} \"end\"\n");
}

TEST_CASE("passes: each pass preserves the language of random grammars") {
  SECTION("remove_unreachable_rules") { check_pass_on_random_grammars(sluice::ir::remove_unreachable_rules, 11); }
  SECTION("inline_rules") { check_pass_on_random_grammars(sluice::ir::inline_rules, 12); }
  SECTION("merge_literals") { check_pass_on_random_grammars(sluice::ir::merge_literals, 13); }
  SECTION("merge_classes") { check_pass_on_random_grammars(sluice::ir::merge_classes, 14); }
  SECTION("dedupe_expressions") { check_pass_on_random_grammars(sluice::ir::dedupe_expressions, 15); }
  SECTION("optimize") { check_pass_on_random_grammars(sluice::ir::optimize, 16); }
}

TEST_CASE("passes: optimize preserves the shipped grammars' tables") {
  for (const char* name : {"json.gbnf", "arithmetic.gbnf", "chess.gbnf", "c_expr.gbnf", "english.gbnf"}) {
    INFO(name);
    std::FILE* f = std::fopen((std::string(SLUICE_SOURCE_DIR) + "/grammars/" + name).c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
    std::fclose(f);
    Grammar g = gbnf(text.c_str());
    Grammar out = sluice::ir::optimize(g);
    REQUIRE(out.validate().ok());
    CHECK(reachable_expr_count(out) <= reachable_expr_count(g));
    // Random ASCII strings, compared byte by byte.
    auto a = ReferenceRecognizer::create(g);
    auto b = ReferenceRecognizer::create(out);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    std::mt19937 rng(7);
    const std::string alphabet = "{}[]\":,0123456789.eE-+ truefalsn\\abcdxyzNKQRBO=#()*/!?'<>&|^%~\n\tThe cats";
    for (int i = 0; i < 300; ++i) {
      std::string input;
      int length = static_cast<int>(rng() % 12);
      for (int k = 0; k < length; ++k) input += alphabet[rng() % alphabet.size()];
      auto x = a->classify(input);
      auto y = b->classify(input);
      REQUIRE(x.ok());
      REQUIRE(y.ok());
      INFO(input);
      CHECK(x->verdict == y->verdict);
      CHECK(x->reject_offset == y->reject_offset);
    }
  }
}
