// Implements the generate loop of sluice/decode.h.
// Tested in tests/decode/decoder_test.cc.
#include <chrono>

#include "sluice/decode.h"
#include "sluice/matcher.h"

namespace sluice {

namespace {

using Clock = std::chrono::steady_clock;

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

void allow(std::vector<int32_t>& mask, TokenId id) {
  mask[static_cast<size_t>(id) / 32] |= static_cast<int32_t>(1u << (static_cast<uint32_t>(id) % 32));
}

}  // namespace

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
  }
  return "unknown";
}

SamplingParams DecodeOptions::default_reasoning_params() {
  // The settings reasoning models are commonly trained and served with
  // (e.g. Qwen3's and DeepSeek-R1's published defaults: T 0.6, top-p 0.95).
  SamplingParams params;
  params.temperature = 0.6;
  params.top_p = 0.95;
  return params;
}

Result<Decoder> Decoder::create(std::shared_ptr<const CompiledGrammar> grammar, DecodeOptions options) {
  if (!grammar) return make_error(ErrorCode::kInvalidArgument, "no compiled grammar");
  const uint32_t vocab_size = grammar->vocabulary().size();
  if (vocab_size == 0) return make_error(ErrorCode::kInvalidArgument, "the grammar was compiled without a vocabulary");
  if (options.max_tokens == 0) return make_error(ErrorCode::kInvalidArgument, "max_tokens must be at least 1");
  if (Status status = options.params.validate(vocab_size); !status.ok()) return status;
  if (options.reasoning) {
    if (Status status = options.reasoning_params.validate(vocab_size); !status.ok()) return status;
    if (options.reasoning_end.empty() && !options.reasoning_end_token) {
      return make_error(ErrorCode::kInvalidArgument, "reasoning mode needs an end marker (text or token id)");
    }
    if (options.reasoning_end_token &&
        (*options.reasoning_end_token < 0 || static_cast<uint32_t>(*options.reasoning_end_token) >= vocab_size)) {
      return make_error(ErrorCode::kInvalidArgument, "reasoning end token id is outside the vocabulary");
    }
  }
  if (grammar->vocabulary().eos_tokens().empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the vocabulary has no EOS token, so no output can end");
  }
  return Decoder(std::move(grammar), std::move(options));
}

Result<DecodeResult> Decoder::run(LogitsSource& source) const {
  const Vocabulary& vocabulary = grammar_->vocabulary();
  const uint32_t vocab_size = vocabulary.size();
  if (source.vocab_size() != vocab_size) {
    return make_error(ErrorCode::kInvalidArgument, "the logits source has " + std::to_string(source.vocab_size()) +
                                                       " tokens but the grammar's vocabulary has " +
                                                       std::to_string(vocab_size));
  }
  Result<Sampler> answer_sampler = Sampler::create(options_.params, vocab_size);
  if (!answer_sampler.ok()) return answer_sampler.error();
  Result<Sampler> free_sampler =
      Sampler::create(options_.reasoning ? options_.reasoning_params : options_.params, vocab_size);
  if (!free_sampler.ok()) return free_sampler.error();

  Matcher matcher(grammar_);
  const size_t words = matcher.mask_words();
  std::vector<int32_t> mask(words);
  std::vector<float> logits(vocab_size);

  // The free segment may produce any text token, EOS, and the end marker.
  std::vector<int32_t> free_mask(words, 0);
  for (uint32_t id = 0; id < vocab_size; ++id) {
    TokenId token = static_cast<TokenId>(id);
    if (vocabulary.token_kind(token) != TokenKind::kSpecial && !vocabulary.token_bytes(token).empty()) {
      allow(free_mask, token);
    }
  }
  for (TokenId id : vocabulary.eos_tokens()) allow(free_mask, id);
  if (options_.reasoning && options_.reasoning_end_token) allow(free_mask, *options_.reasoning_end_token);

  const std::string& marker = options_.reasoning ? options_.reasoning_end : options_.trigger;
  bool constrained = !options_.reasoning && options_.trigger.empty();

  DecodeResult result;
  auto emit = [&](TokenId token) -> Status {
    result.tokens.push_back(token);
    if (Status status = answer_sampler->record(token); !status.ok()) return status;
    return free_sampler->record(token);
  };

  auto enter_constrained_segment = [&](std::string_view leftover) -> Status {
    constrained = true;
    if (leftover.empty()) return {};
    size_t accepted = 0;
    if (!matcher.accept_string(leftover, &accepted)) {
      return make_error(ErrorCode::kDeadEnd, "the text after the marker does not start a valid output (byte " +
                                                 std::to_string(accepted) + " of it is rejected)");
    }
    result.text += leftover;
    return {};
  };

  while (result.tokens.size() < options_.max_tokens) {
    if (constrained && options_.jump_forward) {
      std::vector<TokenId> forced = matcher.forced_tokens();
      if (!matcher.status().ok()) return matcher.status().error();
      if (!forced.empty()) {
        for (TokenId token : forced) {
          if (result.tokens.size() >= options_.max_tokens) break;
          if (!matcher.accept_token(token)) {
            return make_error(ErrorCode::kInternal, "a forced token was rejected by the matcher");
          }
          if (Status status = emit(token); !status.ok()) return status;
          result.text += vocabulary.token_bytes(token);
          ++result.forced_tokens;
        }
        continue;
      }
    }

    Clock::time_point logits_start = Clock::now();
    if (Status status = source.next_logits(result.tokens, logits); !status.ok()) return status;
    result.timing.logits_us += micros_since(logits_start);
    const uint64_t step = result.tokens.size();

    if (!constrained) {
      Clock::time_point sample_start = Clock::now();
      Result<int32_t> token = free_sampler->sample(logits, free_mask, step);
      result.timing.sample_us += micros_since(sample_start);
      ++result.timing.samples;
      if (!token.ok()) return token.error();
      if (Status status = emit(*token); !status.ok()) return status;
      if (vocabulary.is_eos(*token)) {
        result.finish_reason = FinishReason::kStop;
        result.complete = false;
        return result;
      }
      if (options_.reasoning && options_.reasoning_end_token && *token == *options_.reasoning_end_token) {
        result.free_text += vocabulary.token_bytes(*token);
        if (Status status = enter_constrained_segment({}); !status.ok()) return status;
        continue;
      }
      const size_t searched = result.free_text.size() >= marker.size() ? result.free_text.size() - marker.size() + 1 : 0;
      result.free_text += vocabulary.token_bytes(*token);
      if (!marker.empty()) {
        size_t at = result.free_text.find(marker, searched);
        if (at != std::string::npos) {
          std::string leftover = result.free_text.substr(at + marker.size());
          result.free_text.resize(at + marker.size());
          if (Status status = enter_constrained_segment(leftover); !status.ok()) return status;
        }
      }
      continue;
    }

    Result<int32_t> token = make_error(ErrorCode::kInternal, "no token sampled");
    bool sampled = false;
    if (options_.params.temperature == 0.0) {
      // Greedy: the unmasked argmax is the masked one whenever it is allowed.
      Clock::time_point sample_start = Clock::now();
      token = answer_sampler->sample(logits, {}, step);
      result.timing.sample_us += micros_since(sample_start);
      ++result.timing.samples;
      if (!token.ok()) return token.error();
      sampled = matcher.is_token_allowed(*token);
    }
    if (!sampled) {
      Clock::time_point mask_start = Clock::now();
      Status filled = matcher.fill_next_token_bitmask(mask);
      result.timing.mask_us += micros_since(mask_start);
      ++result.timing.masks;
      if (!filled.ok()) return filled.error();
      Clock::time_point sample_start = Clock::now();
      token = answer_sampler->sample(logits, mask, step);
      result.timing.sample_us += micros_since(sample_start);
      ++result.timing.samples;
      if (!token.ok()) {
        if (token.error().code == ErrorCode::kDeadEnd) {
          return make_error(ErrorCode::kDeadEnd, "no token is allowed after " + std::to_string(result.tokens.size()) +
                                                     " tokens: the grammar cannot continue this output");
        }
        return token.error();
      }
    }
    if (!matcher.accept_token(*token)) {
      if (!matcher.status().ok()) return matcher.status().error();
      return make_error(ErrorCode::kInternal, "the matcher rejected a token its mask allowed");
    }
    if (Status status = emit(*token); !status.ok()) return status;
    if (vocabulary.is_eos(*token)) {
      result.finish_reason = FinishReason::kStop;
      result.complete = true;
      return result;
    }
    result.text += vocabulary.token_bytes(*token);
  }
  result.finish_reason = FinishReason::kLength;
  result.complete = false;
  return result;
}

}  // namespace sluice
