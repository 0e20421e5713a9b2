// `sluice mask`: how many tokens a constraint allows after a prefix, the
// first of them shown readably, and the bytes the constraint forces next.
// Exit 0 when the prefix is valid, 1 when it is rejected, 2 on bad input.
#include <chrono>
#include <cstdio>

#include "args.h"
#include "command.h"
#include "constraint_source.h"
#include "sluice/compiler.h"
#include "sluice/matcher.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace sluice::cli {
namespace {

int run_mask(const std::vector<std::string>& argv) {
  Args args("mask",
            "--tokenizer T (--grammar FILE | --regex PATTERN | --choices A,B,... | --schema FILE) "
            "[--prefix STRING] [--show N]");
  declare_constraint_flags(args);
  args.option("tokenizer", "tokenizer.json path or cached name (llama3, qwen3, llama2, ...)")
      .option("prefix", "output text already generated (bytes, default empty)")
      .option("show", "how many allowed tokens to list (default 20)");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  if (!args.positionals().empty()) return args.usage_error("unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("tokenizer")) return args.usage_error("--tokenizer is required");
  long long show = 20;
  if (args.has("show") && (!args.get_int("show", &show) || show < 0)) return args.usage_error("--show wants N >= 0");
  auto grammar = load_constraint(args);
  if (!grammar) return kExitUsage;
  auto tokenizer = Tokenizer::load(*args.get("tokenizer"));
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "sluice mask: %s\n", tokenizer.error().to_string().c_str());
    return kExitUsage;
  }
  Vocabulary vocabulary = Vocabulary::from_tokenizer(tokenizer.value());
  auto compiled = CompiledGrammar::compile(*grammar, vocabulary);
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s: %s\n", describe_constraint(args).c_str(), compiled.error().to_string().c_str());
    return kExitUsage;
  }
  Matcher matcher(compiled.value());
  std::string prefix = args.get_or("prefix", "");
  size_t consumed = 0;
  if (!matcher.accept_string(prefix, &consumed)) {
    if (!matcher.status().ok()) {
      std::fprintf(stderr, "sluice mask: %s\n", matcher.status().error().to_string().c_str());
      return kExitUsage;
    }
    std::printf("prefix rejected at byte %zu\n", consumed);
    return kExitNegative;
  }
  std::vector<int32_t> mask(matcher.mask_words());
  auto t0 = std::chrono::steady_clock::now();
  Status filled = matcher.fill_next_token_bitmask(mask.data());
  double first_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (!filled.ok()) {
    std::fprintf(stderr, "sluice mask: %s\n", filled.error().to_string().c_str());
    return kExitUsage;
  }
  t0 = std::chrono::steady_clock::now();
  (void)matcher.fill_next_token_bitmask(mask.data());
  double cached_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  std::vector<TokenId> allowed;
  for (uint32_t i = 0; i < vocabulary.size(); ++i) {
    if ((static_cast<uint32_t>(mask[i >> 5]) >> (i & 31)) & 1) allowed.push_back(static_cast<TokenId>(i));
  }
  std::printf("allowed tokens  %zu of %u\n", allowed.size(), vocabulary.size());
  std::printf("complete        %s\n", matcher.is_accepting() ? "yes (EOS allowed)" : "no");
  std::printf("mask time       %.1f us (first), %.1f us (cached)\n", first_us, cached_us);
  std::string forced = matcher.forced_bytes();
  std::printf("forced bytes    \"%s\"\n", printable(forced).c_str());
  std::vector<TokenId> forced_tokens = matcher.forced_tokens();
  std::printf("forced tokens  ");
  for (TokenId id : forced_tokens) std::printf(" %d\"%s\"", id, printable(vocabulary.token_bytes(id)).c_str());
  std::printf("\n");
  for (size_t i = 0; i < allowed.size() && i < static_cast<size_t>(show); ++i) {
    TokenId id = allowed[i];
    if (vocabulary.token_kind(id) == TokenKind::kSpecial) {
      std::printf("  %7d  %s (EOS)\n", id, std::string(tokenizer.value().token_name(id)).c_str());
    } else {
      std::printf("  %7d  \"%s\"\n", id, printable(vocabulary.token_bytes(id)).c_str());
    }
  }
  if (allowed.size() > static_cast<size_t>(show)) std::printf("  ... %zu more\n", allowed.size() - static_cast<size_t>(show));
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("mask", "show the tokens a constraint allows after a prefix", run_mask);

}  // namespace sluice::cli
