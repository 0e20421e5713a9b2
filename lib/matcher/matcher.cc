// Implements sluice/matcher.h. Tested in tests/matcher/.
//
// The mask for a configuration is the union, over its stacks, of the cached
// classes of each stack's top segment (matcher/mask_cache.h): accepted
// tokens are OR-ed in, and only the tokens left uncertain (those that return
// below every cached segment) are re-walked against the real stacks.
#include "sluice/matcher.h"

#include <algorithm>
#include <cstring>

#include "matcher/compiled_grammar.h"
#include "matcher/token_walk.h"
#include "vocab/token_trie.h"

namespace sluice {

using matcher::Config;
using matcher::TokenClasses;

struct Matcher::State {
  // Configurations a matcher memoises byte transitions for (about 1 KiB
  // each): enough for the states a grammar cycles through.
  static constexpr size_t kMemoConfigs = 256;

  struct Snapshot {
    Config config;  // nodes sorted
    bool terminated = false;
  };

  explicit State(const CompiledGrammar::Impl& grammar)
      : g(&grammar),
        stepper(grammar.automaton, arena, grammar.options.max_stacks_per_step, grammar.options.max_stack_nodes),
        walker(grammar.vocabulary, kMemoConfigs),
        ring(grammar.options.rollback_depth + 1) {
    reset();
  }
  State(const State& other)
      : g(other.g),
        arena(other.arena),
        stepper(g->automaton, arena, g->options.max_stacks_per_step, g->options.max_stack_nodes),
        walker(g->vocabulary, kMemoConfigs),
        ring(other.ring),
        head(other.head),
        count(other.count),
        status(other.status) {}

  void reset() {
    head = 0;
    count = 1;
    status = Status();
    stepper.clear_status();
    Snapshot& start = ring[0];
    start.terminated = false;
    if (!stepper.start(start.config)) status = stepper.status();
    std::sort(start.config.nodes.begin(), start.config.nodes.end());
    current_id_generation = ~uint64_t{0};
  }

  const Snapshot& current() const { return ring[(head + count - 1) % ring.size()]; }

  // Makes `config` the current snapshot; the oldest one falls off once
  // rollback_depth snapshots are kept. Vectors are reused, not reallocated.
  void push(const Config& config, bool terminated) {
    if (count == ring.size()) {
      head = (head + 1) % ring.size();
    } else {
      ++count;
    }
    Snapshot& slot = ring[(head + count - 1) % ring.size()];
    slot.config.nodes.assign(config.nodes.begin(), config.nodes.end());
    slot.config.accepting = config.accepting;
    slot.config.popped = false;
    slot.terminated = terminated;
    current_id_generation = ~uint64_t{0};
  }

  bool fail(const Status& s) {
    if (status.ok()) status = s;
    return false;
  }

  // The memo id of the current configuration.
  uint32_t current_id() {
    if (walker.memo_full()) walker.clear_memo();
    if (current_id_generation != walker.generation()) {
      cached_current_id = walker.intern(current().config);
      current_id_generation = walker.generation();
    }
    return cached_current_id;
  }

  // Steps configuration `id` over bytes. False when a byte cannot be
  // consumed (*ok_prefix = how many could) or on a budget error (status
  // set). Uses the walker's memo, so a repeated step is a table lookup.
  bool run_bytes(uint32_t id, std::string_view bytes, uint32_t* end, size_t* ok_prefix) {
    for (size_t i = 0; i < bytes.size(); ++i) {
      uint32_t packed = 0;
      if (!walker.transition(stepper, id, static_cast<uint8_t>(bytes[i]), &packed)) return fail(stepper.status());
      if (!(packed & 1)) {
        if (ok_prefix) *ok_prefix = i;
        return false;
      }
      id = packed >> 1;
    }
    if (ok_prefix) *ok_prefix = bytes.size();
    *end = id;
    return true;
  }

  // Whether `id` can follow; *end is the configuration after it (for
  // non-EOS tokens).
  bool step_token(uint32_t from, bool terminated, TokenId id, uint32_t* end, bool* eos) {
    *eos = false;
    if (!status.ok() || terminated) return false;
    const Vocabulary& v = g->vocabulary;
    if (v.is_eos(id)) {
      *eos = true;
      return walker.config(from).accepting;
    }
    if (id < 0 || static_cast<uint32_t>(id) >= v.size() || v.token_kind(id) == TokenKind::kSpecial) return false;
    std::string_view bytes = v.token_bytes(id);
    if (bytes.empty()) return false;
    return run_bytes(from, bytes, end, nullptr);
  }

  Status fill(uint32_t* words) {
    const Vocabulary& v = g->vocabulary;
    const size_t n_words = (v.size() + 31) / 32;
    const Snapshot& snap = current();
    if (!status.ok() || snap.terminated) {
      std::memset(words, 0, n_words * sizeof(uint32_t));
      return status;
    }
    const Config& config = snap.config;
    // Inside a string or a number, step after step leaves the same
    // configuration. Once one comes twice in a row its mask is kept, and
    // while it lasts each mask is a copy.
    const uint32_t id = current_id();
    const uint64_t id_generation = walker.generation();
    if (id == saved_mask_config && id_generation == saved_mask_generation) {
      std::memcpy(words, saved_mask.data(), n_words * sizeof(uint32_t));
      return Status();
    }
    // A stack's classes depend only on the stack, which its node id names
    // for the life of the arena: after the first lookup, one load.
    const uint64_t generation = g->cache.generation();
    if (generation != node_classes_generation) {
      node_classes.clear();
      node_classes_generation = generation;
    }
    if (node_classes.size() < arena.size()) node_classes.resize(arena.size());
    applied.clear();
    uncertain.clear();
    for (matcher::NodeId node : config.nodes) {
      std::shared_ptr<const TokenClasses>& slot = node_classes[node];
      if (!slot) {
        auto classes = g->classes(g->key_for(arena, node));
        if (!classes.ok()) {
          fail(classes.status());
          std::memset(words, 0, n_words * sizeof(uint32_t));
          return status;
        }
        slot = std::move(classes.value());
      }
      applied.push_back(slot.get());
    }
    // Stacks with equal tops share classes, and classes refined from one
    // base share its bitset: each is applied once.
    std::sort(applied.begin(), applied.end());
    applied.erase(std::unique(applied.begin(), applied.end()), applied.end());
    dense_applied.clear();
    for (const TokenClasses* c : applied) {
      if (c->dense) dense_applied.push_back(c->dense.get());
    }
    std::sort(dense_applied.begin(), dense_applied.end());
    dense_applied.erase(std::unique(dense_applied.begin(), dense_applied.end()), dense_applied.end());
    // The first bitset is copied in: the mask needs no clearing first.
    if (dense_applied.empty()) {
      std::memset(words, 0, n_words * sizeof(uint32_t));
    } else {
      std::memcpy(words, dense_applied[0]->data(), n_words * sizeof(uint32_t));
    }
    for (size_t k = 1; k < dense_applied.size(); ++k) {
      const uint32_t* src = dense_applied[k]->data();
      for (size_t i = 0; i < n_words; ++i) words[i] |= src[i];
    }
    for (const TokenClasses* c : applied) {
      for (TokenId id : c->accepted_ids) words[id >> 5] |= uint32_t{1} << (id & 31);
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
      accepted_nodes.clear();
      still_uncertain.clear();
      if (!walker.classify_list(stepper, config, uncertain, accepted_nodes, still_uncertain)) {
        fail(stepper.status());
        std::memset(words, 0, n_words * sizeof(uint32_t));
        return status;
      }
      for (uint32_t node : accepted_nodes) {
        const auto& tn = trie.nodes()[node];
        for (uint32_t t = tn.token_begin; t < tn.token_end; ++t) {
          TokenId id = trie.token_ids()[t];
          words[id >> 5] |= uint32_t{1} << (id & 31);
        }
      }
    }
    if (config.accepting) {
      for (TokenId eos : v.eos_tokens()) words[eos >> 5] |= uint32_t{1} << (eos & 31);
    }
    // The walk above may have dropped the memo, and with it the id.
    const uint64_t generation_now = id_generation == walker.generation() ? id_generation : ~uint64_t{0};
    if (id == last_config && generation_now == last_config_generation) {
      saved_mask.assign(words, words + n_words);
      saved_mask_config = id;
      saved_mask_generation = generation_now;
    }
    last_config = id;
    last_config_generation = generation_now;
    return Status();
  }

  const CompiledGrammar::Impl* g;
  matcher::Arena arena;
  matcher::Stepper stepper;
  matcher::TokenWalker walker;
  // The last rollback_depth + 1 snapshots, oldest at head.
  std::vector<Snapshot> ring;
  size_t head = 0;
  size_t count = 0;
  Status status;
  uint32_t cached_current_id = 0;
  uint64_t current_id_generation = ~uint64_t{0};
  // Scratch, kept to avoid allocations per step.
  // The classes of each stack met, by node id, while the grammar's cache
  // keeps its entries (a cache that drops them bumps its generation).
  std::vector<std::shared_ptr<const TokenClasses>> node_classes;
  uint64_t node_classes_generation = ~uint64_t{0};
  std::vector<const TokenClasses*> applied;
  std::vector<const std::vector<uint32_t>*> dense_applied;
  std::vector<uint32_t> uncertain;
  std::vector<uint32_t> accepted_nodes;
  std::vector<uint32_t> still_uncertain;  // over a real stack: always empty
  // The walker's id of the configuration last filled, and a configuration
  // that came twice in a row with its mask.
  uint32_t last_config = ~uint32_t{0};
  uint64_t last_config_generation = ~uint64_t{0};
  std::vector<uint32_t> saved_mask;
  uint32_t saved_mask_config = ~uint32_t{0};
  uint64_t saved_mask_generation = ~uint64_t{0};
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

Status Matcher::fill_next_token_bitmask_naive(int32_t* out) {
  State& s = *state_;
  const Vocabulary& v = grammar_->vocabulary();
  uint32_t* words = reinterpret_cast<uint32_t*>(out);
  std::memset(words, 0, mask_words() * sizeof(uint32_t));
  if (!s.status.ok()) return s.status;
  const State::Snapshot& snap = s.current();
  if (snap.terminated) return Status();
  Config a, b;
  for (uint32_t i = 0; i < v.size(); ++i) {
    TokenId id = static_cast<TokenId>(i);
    bool allowed = false;
    if (v.is_eos(id)) {
      allowed = snap.config.accepting;
    } else if (v.token_kind(id) != TokenKind::kSpecial && !v.token_bytes(id).empty()) {
      std::string_view bytes = v.token_bytes(id);
      const Config* cur = &snap.config;
      allowed = true;
      for (size_t k = 0; k < bytes.size() && allowed; ++k) {
        Config& next = (k % 2 == 0) ? a : b;
        if (!s.stepper.step(*cur, static_cast<uint8_t>(bytes[k]), next)) {
          s.fail(s.stepper.status());
          std::memset(words, 0, mask_words() * sizeof(uint32_t));
          return s.status;
        }
        allowed = !next.empty() || next.accepting;
        cur = &next;
      }
    }
    if (allowed) words[i >> 5] |= uint32_t{1} << (i & 31);
  }
  return Status();
}

bool Matcher::accept_token(TokenId id) {
  State& s = *state_;
  bool eos = false;
  uint32_t end = 0;
  const uint32_t from = s.current_id();
  if (!s.step_token(from, s.current().terminated, id, &end, &eos)) return false;
  // Copies: push() may overwrite the slot the current snapshot lives in.
  if (eos) {
    Config config = s.current().config;
    s.push(config, true);
  } else {
    s.push(s.walker.config(end), false);
    s.cached_current_id = end;
    s.current_id_generation = s.walker.generation();
  }
  return true;
}

bool Matcher::is_token_allowed(TokenId id) {
  State& s = *state_;
  bool eos = false;
  uint32_t end = 0;
  return s.step_token(s.current_id(), s.current().terminated, id, &end, &eos);
}

bool Matcher::accept_string(std::string_view bytes, size_t* accepted_bytes) {
  State& s = *state_;
  if (!s.status.ok() || s.current().terminated) {
    if (accepted_bytes) *accepted_bytes = 0;
    return false;
  }
  uint32_t end = 0;
  if (!s.run_bytes(s.current_id(), bytes, &end, accepted_bytes)) return false;
  s.push(s.walker.config(end), false);
  s.cached_current_id = end;
  s.current_id_generation = s.walker.generation();
  return true;
}

size_t Matcher::validate_tokens(std::span<const TokenId> ids) {
  State& s = *state_;
  uint32_t cur = s.current_id();
  bool terminated = s.current().terminated;
  bool eos = false;
  for (size_t i = 0; i < ids.size(); ++i) {
    uint32_t end = 0;
    if (!s.step_token(cur, terminated, ids[i], &end, &eos)) return i;
    if (eos) {
      terminated = true;
    } else {
      cur = end;
    }
  }
  return ids.size();
}

Status Matcher::rollback(size_t n) {
  State& s = *state_;
  if (n >= s.count) {
    return make_error(ErrorCode::kInvalidArgument, "cannot roll back " + std::to_string(n) + " steps: only " +
                                                       std::to_string(s.count - 1) +
                                                       " are kept (CompileOptions::rollback_depth)");
  }
  s.count -= n;
  if (n > 0) s.current_id_generation = ~uint64_t{0};
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
