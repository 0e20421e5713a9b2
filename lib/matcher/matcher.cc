// Implements sluice/matcher.h. Tested in tests/matcher/.
//
// The mask for a configuration is the union, over its stacks, of the cached
// classes of each stack's top segment (matcher/mask_cache.h): accepted
// tokens are OR-ed in, and only the tokens left uncertain (those that return
// below every cached segment) are re-walked against the real stacks.
#include "sluice/matcher.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "matcher/compiled_grammar.h"
#include "matcher/token_walk.h"
#include "vocab/token_trie.h"

namespace sluice {

using matcher::Config;
using matcher::SegmentKey;
using matcher::TokenClass;
using matcher::TokenClasses;

struct Matcher::State {
  struct Snapshot {
    Config config;
    bool terminated = false;
  };

  explicit State(const CompiledGrammar::Impl& grammar)
      : g(&grammar),
        stepper(grammar.automaton, arena, grammar.options.max_stacks_per_step, grammar.options.max_stack_nodes),
        walker(grammar.vocabulary) {
    reset();
  }
  State(const State& other)
      : g(other.g),
        arena(other.arena),
        stepper(g->automaton, arena, g->options.max_stacks_per_step, g->options.max_stack_nodes),
        walker(g->vocabulary),
        history(other.history),
        status(other.status) {}

  void reset() {
    history.clear();
    status = Status();
    Snapshot start;
    stepper.clear_status();
    if (!stepper.start(start.config)) status = stepper.status();
    history.push_back(std::move(start));
  }

  const Snapshot& current() const { return history.back(); }

  void push(Config config, bool terminated) {
    history.push_back(Snapshot{std::move(config), terminated});
    while (history.size() > g->options.rollback_depth + 1) history.pop_front();
  }

  bool fail(const Status& s) {
    if (status.ok()) status = s;
    return false;
  }

  // Steps `from` over bytes into out. False when a byte cannot be consumed
  // (*ok_prefix = how many could) or on a budget error (status set).
  bool run_bytes(const Config& from, std::string_view bytes, Config& out, size_t* ok_prefix) {
    const Config* cur = &from;
    for (size_t i = 0; i < bytes.size(); ++i) {
      Config& next = (i % 2 == 0) ? scratch_a : scratch_b;
      if (cur->nodes.empty()) {
        if (ok_prefix) *ok_prefix = i;
        return false;
      }
      if (!stepper.step(*cur, static_cast<uint8_t>(bytes[i]), next)) return fail(stepper.status());
      if (next.nodes.empty() && !next.accepting) {
        if (ok_prefix) *ok_prefix = i;
        return false;
      }
      cur = &next;
    }
    if (ok_prefix) *ok_prefix = bytes.size();
    out = *cur;
    return true;
  }

  // Whether `id` can follow configuration `from`; fills `out` with the
  // configuration after it (for non-EOS tokens).
  bool step_token(const Snapshot& from, TokenId id, Config& out, bool* eos) {
    *eos = false;
    if (!status.ok() || from.terminated) return false;
    const Vocabulary& v = g->vocabulary;
    if (v.is_eos(id)) {
      *eos = true;
      return from.config.accepting;
    }
    if (id < 0 || static_cast<uint32_t>(id) >= v.size() || v.token_kind(id) == TokenKind::kSpecial) return false;
    std::string_view bytes = v.token_bytes(id);
    if (bytes.empty()) return false;
    return run_bytes(from.config, bytes, out, nullptr);
  }

  Status fill(uint32_t* words) {
    const Vocabulary& v = g->vocabulary;
    const size_t n_words = (v.size() + 31) / 32;
    std::memset(words, 0, n_words * sizeof(uint32_t));
    if (!status.ok()) return status;
    const Snapshot& snap = current();
    if (snap.terminated) return Status();
    const Config& config = snap.config;
    keys.clear();
    for (matcher::NodeId node : config.nodes) {
      SegmentKey key = g->key_for(arena, node);
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
    held.clear();
    applied.clear();
    uncertain.clear();
    for (const SegmentKey& key : keys) {
      auto classes = g->classes(key);
      if (!classes.ok()) {
        fail(classes.status());
        std::memset(words, 0, n_words * sizeof(uint32_t));
        return status;
      }
      held.push_back(classes.value());
      const TokenClasses* c = classes.value().get();
      apply(c->base.get(), words, n_words);
      apply(c, words, n_words);
      uncertain.insert(uncertain.end(), c->uncertain.begin(), c->uncertain.end());
    }
    if (!uncertain.empty()) {
      std::sort(uncertain.begin(), uncertain.end());
      uncertain.erase(std::unique(uncertain.begin(), uncertain.end()), uncertain.end());
      const auto& trie = v.trie();
      // Tokens some other stack already accepts need no walk.
      size_t kept = 0;
      for (uint32_t node : uncertain) {
        TokenId first = trie.token_ids()[trie.nodes()[node].token_begin];
        if (!(words[first >> 5] >> (first & 31) & 1)) uncertain[kept++] = node;
      }
      uncertain.resize(kept);
      if (!walker.classify_list(stepper, config, uncertain, classes_out)) {
        fail(stepper.status());
        std::memset(words, 0, n_words * sizeof(uint32_t));
        return status;
      }
      for (size_t i = 0; i < uncertain.size(); ++i) {
        if (classes_out[i] != TokenClass::kAccepted) continue;
        const auto& tn = trie.nodes()[uncertain[i]];
        for (uint32_t t = tn.token_begin; t < tn.token_end; ++t) {
          TokenId id = trie.token_ids()[t];
          words[id >> 5] |= uint32_t{1} << (id & 31);
        }
      }
    }
    if (config.accepting) {
      for (TokenId id : v.eos_tokens()) words[id >> 5] |= uint32_t{1} << (id & 31);
    }
    return Status();
  }

  void apply(const TokenClasses* c, uint32_t* words, size_t n_words) {
    if (c == nullptr) return;
    if (std::find(applied.begin(), applied.end(), c) != applied.end()) return;
    applied.push_back(c);
    if (!c->accepted_words.empty()) {
      const uint32_t* src = c->accepted_words.data();
      for (size_t i = 0; i < n_words; ++i) words[i] |= src[i];
    }
    for (TokenId id : c->accepted_ids) words[id >> 5] |= uint32_t{1} << (id & 31);
  }

  const CompiledGrammar::Impl* g;
  matcher::Arena arena;
  matcher::Stepper stepper;
  matcher::TokenWalker walker;
  std::deque<Snapshot> history;
  Status status;
  // Scratch, kept to avoid allocations per step.
  Config scratch_a, scratch_b, scratch_out;
  std::vector<SegmentKey> keys;
  std::vector<std::shared_ptr<const TokenClasses>> held;
  std::vector<const TokenClasses*> applied;
  std::vector<uint32_t> uncertain;
  std::vector<TokenClass> classes_out;
};

Matcher::Matcher(std::shared_ptr<const CompiledGrammar> grammar)
    : grammar_(std::move(grammar)), state_(std::make_unique<State>(grammar_->impl())) {}
Matcher::Matcher(const Matcher& other) : grammar_(other.grammar_), state_(std::make_unique<State>(*other.state_)) {}
Matcher& Matcher::operator=(const Matcher& other) {
  if (this != &other) {
    grammar_ = other.grammar_;
    state_ = std::make_unique<State>(*other.state_);
  }
  return *this;
}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

size_t Matcher::mask_words() const { return (grammar_->vocabulary().size() + 31) / 32; }

Status Matcher::fill_next_token_bitmask(int32_t* words) {
  return state_->fill(reinterpret_cast<uint32_t*>(words));
}

Status Matcher::fill_next_token_bitmask(std::span<int32_t> words) {
  if (words.size() < mask_words()) {
    return make_error(ErrorCode::kInvalidArgument, "mask buffer has " + std::to_string(words.size()) +
                                                       " words; the vocabulary needs " +
                                                       std::to_string(mask_words()));
  }
  return fill_next_token_bitmask(words.data());
}

bool Matcher::accept_token(TokenId id) {
  State& s = *state_;
  bool eos = false;
  if (!s.step_token(s.current(), id, s.scratch_out, &eos)) return false;
  if (eos) {
    s.push(s.current().config, true);
  } else {
    s.push(s.scratch_out, false);
  }
  return true;
}

bool Matcher::is_token_allowed(TokenId id) {
  State& s = *state_;
  bool eos = false;
  return s.step_token(s.current(), id, s.scratch_out, &eos);
}

bool Matcher::accept_string(std::string_view bytes, size_t* accepted_bytes) {
  State& s = *state_;
  if (!s.status.ok() || s.current().terminated) {
    if (accepted_bytes) *accepted_bytes = 0;
    return false;
  }
  if (!s.run_bytes(s.current().config, bytes, s.scratch_out, accepted_bytes)) return false;
  s.push(s.scratch_out, false);
  return true;
}

size_t Matcher::validate_tokens(std::span<const TokenId> ids) {
  State& s = *state_;
  State::Snapshot cur = s.current();
  bool eos = false;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!s.step_token(cur, ids[i], s.scratch_out, &eos)) return i;
    if (eos) {
      cur.terminated = true;
    } else {
      cur.config = s.scratch_out;
    }
  }
  return ids.size();
}

Status Matcher::rollback(size_t n) {
  State& s = *state_;
  if (n >= s.history.size()) {
    return make_error(ErrorCode::kInvalidArgument, "cannot roll back " + std::to_string(n) + " steps: only " +
                                                       std::to_string(s.history.size() - 1) +
                                                       " are kept (CompileOptions::rollback_depth)");
  }
  s.history.resize(s.history.size() - n);
  return Status();
}

void Matcher::reset() { state_->reset(); }

bool Matcher::is_accepting() const {
  const State& s = *state_;
  return s.status.ok() && !s.current().terminated && s.current().config.accepting;
}

bool Matcher::is_terminated() const { return state_->current().terminated; }

const Status& Matcher::status() const { return state_->status; }

std::string Matcher::forced_bytes(size_t max_bytes) {
  State& s = *state_;
  std::string out;
  if (!s.status.ok() || s.current().terminated) return out;
  Config cur = s.current().config;
  const automaton::Automaton& a = s.g->automaton;
  while (out.size() < max_bytes && !cur.accepting && !cur.nodes.empty()) {
    int lo = 256, hi = -1;
    bool single = true;
    for (matcher::NodeId id : cur.nodes) {
      const automaton::State& st = a.states[s.arena[id].state];
      for (uint32_t k = st.byte_begin; k < st.byte_end && single; ++k) {
        const automaton::ByteEdge& e = a.byte_edges[k];
        lo = std::min<int>(lo, e.lo);
        hi = std::max<int>(hi, e.hi);
        single = lo == hi;
      }
      if (!single) break;
    }
    if (!single || hi < 0) break;
    Config next;
    if (!s.stepper.step(cur, static_cast<uint8_t>(lo), next)) {
      s.fail(s.stepper.status());
      break;
    }
    out.push_back(static_cast<char>(lo));
    cur = std::move(next);
  }
  return out;
}

std::vector<TokenId> Matcher::forced_tokens(size_t max_bytes) {
  std::string forced = forced_bytes(max_bytes);
  std::vector<TokenId> out;
  const Vocabulary& v = grammar_->vocabulary();
  const auto& trie = v.trie();
  const auto& nodes = trie.nodes();
  size_t pos = 0;
  while (pos < forced.size()) {
    // Follow the forced bytes down the trie; remember the deepest token.
    uint32_t node = 0;
    size_t best_len = 0;
    TokenId best = -1;
    size_t depth = 0;
    while (pos + depth < forced.size()) {
      uint8_t b = static_cast<uint8_t>(forced[pos + depth]);
      uint32_t child = node + 1;
      uint32_t end = nodes[node].subtree_end;
      bool found = false;
      while (child < end) {
        if (nodes[child].byte == b) {
          found = true;
          break;
        }
        child = nodes[child].subtree_end;
      }
      if (!found) break;
      node = child;
      ++depth;
      if (nodes[node].token_begin != nodes[node].token_end) {
        best_len = depth;
        best = trie.token_ids()[nodes[node].token_begin];
      }
    }
    if (best < 0) break;
    out.push_back(best);
    pos += best_len;
  }
  return out;
}

const CompiledGrammar& Matcher::grammar() const { return *grammar_; }

}  // namespace sluice
