// Implements matcher/shared_classes.h.
#include "matcher/shared_classes.h"

#include <mutex>
#include <shared_mutex>

#include "matcher/bounded_classes.h"

namespace sluice::matcher {

namespace {

constexpr uint32_t kNoState = ~uint32_t{0};

struct Key {
  uint64_t vocabulary = 0;
  std::vector<uint32_t> signature;
  friend bool operator==(const Key&, const Key&) = default;
};

struct KeyHash {
  size_t operator()(const Key& key) const {
    uint64_t h = 0xcbf29ce484222325ULL ^ key.vocabulary;
    for (uint32_t w : key.signature) {
      h ^= w;
      h *= 0x100000001b3ULL;
      h ^= h >> 29;
    }
    return static_cast<size_t>(h);
  }
};

// Numbers 0, 1, 2, ... given to ids in the order first met, in arrays
// indexed by id and reused from call to call (a stamp tells this call's
// entries apart).
struct NumberTable {
  std::vector<uint32_t> stamp, number;
  uint32_t current = 0;
  uint32_t count = 0;
  void start(size_t ids) {
    if (stamp.size() < ids) {
      stamp.assign(ids, 0);
      number.assign(ids, 0);
      current = 0;
    }
    if (++current == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      current = 1;
    }
    count = 0;
  }
  // True when `id` is new; *n is its number either way.
  bool add(uint32_t id, uint32_t* n) {
    if (stamp[id] == current) {
      *n = number[id];
      return false;
    }
    stamp[id] = current;
    number[id] = *n = count++;
    return true;
  }
};

}  // namespace

std::optional<std::vector<uint32_t>> frame_signature(const automaton::Automaton& automaton, bool tracks_consumed,
                                                     const uint32_t* frame, size_t max_states,
                                                     const std::vector<bool>* too_large) {
  // Header: the flags and counters of the frame, then the number of states
  // (patched in at the end, so that the records that follow parse
  // unambiguously).
  std::vector<uint32_t> out{tracks_consumed ? 1u : 0u, frame[1], frame[2], frame[3], 0};
  // Hash maps per call cost more than the walk itself.
  thread_local NumberTable state_number, rule_number;
  state_number.start(automaton.states.size());
  rule_number.start(automaton.rules.size());
  std::vector<uint32_t> queue;
  std::vector<uint32_t> rule_entries;
  auto number_state = [&](uint32_t s) {
    uint32_t n = 0;
    if (state_number.add(s, &n)) queue.push_back(s);
    return n;
  };
  auto number_rule = [&](uint32_t r) {
    uint32_t n = 0;
    if (rule_number.add(r, &n)) rule_entries.push_back(number_state(automaton.rules[r].entry));
    return n;
  };
  number_state(frame[0]);
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue.size() > max_states || (too_large && (*too_large)[queue[i]])) return std::nullopt;
    const automaton::State& st = automaton.states[queue[i]];
    out.push_back((st.final ? 1u : 0u) | (st.loop ? 2u : 0u) | (st.set ? 4u : 0u));
    if (st.set) {
      const automaton::RuleInfo& rule = automaton.rules[st.rule];
      const ir::PermutationLimits& limits = rule.set_limits;
      for (uint64_t word : {limits.required, limits.repeatable, rule.set_usable}) {
        out.push_back(static_cast<uint32_t>(word));
        out.push_back(static_cast<uint32_t>(word >> 32));
      }
      out.push_back(limits.min);
      out.push_back(limits.max);
      out.push_back(rule.set_separator_usable ? 1u : 0u);
      out.push_back(static_cast<uint32_t>(limits.dependencies.size()));
      for (const PermutationDependency& d : limits.dependencies) {
        out.push_back(static_cast<uint32_t>(d.needs.size()));
        for (uint64_t word : d.needs) {
          out.push_back(static_cast<uint32_t>(word));
          out.push_back(static_cast<uint32_t>(word >> 32));
        }
        out.push_back(static_cast<uint32_t>(d.trigger));
        out.push_back(static_cast<uint32_t>(d.trigger >> 32));
      }
    }
    out.push_back(st.byte_end - st.byte_begin);
    for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
      const automaton::ByteEdge& e = automaton.byte_edges[k];
      out.push_back(uint32_t{e.lo} | uint32_t{e.hi} << 8);
      out.push_back(number_state(e.target));
    }
    out.push_back(st.call_end - st.call_begin);
    for (uint32_t k = st.call_begin; k < st.call_end; ++k) {
      const automaton::CallEdge& c = automaton.call_edges[k];
      out.push_back(number_rule(c.rule));
      out.push_back(c.ret == kNoState ? kNoState : number_state(c.ret));
      out.push_back(c.need);
      out.push_back(c.rem);
    }
  }
  out[4] = static_cast<uint32_t>(queue.size());
  out.insert(out.end(), rule_entries.begin(), rule_entries.end());
  return out;
}

struct SharedClassCache::Impl {
  mutable std::shared_mutex mutex;
  BoundedClasses<Key, KeyHash> entries;
};

SharedClassCache::SharedClassCache() : impl_(std::make_unique<Impl>()) {}
SharedClassCache::~SharedClassCache() = default;

SharedClassCache& SharedClassCache::instance() {
  static SharedClassCache cache;
  return cache;
}

std::shared_ptr<const TokenClasses> SharedClassCache::find(uint64_t vocabulary_serial,
                                                           const std::vector<uint32_t>& signature) const {
  Key key{vocabulary_serial, signature};
  std::shared_lock lock(impl_->mutex);
  return impl_->entries.find(key);
}

void SharedClassCache::insert(uint64_t vocabulary_serial, std::vector<uint32_t> signature,
                              std::shared_ptr<const TokenClasses> classes, size_t max_bytes) {
  const size_t size = classes->memory_bytes() + signature.size() * sizeof(uint32_t) + sizeof(Key) + 32;
  if (size > max_bytes) return;
  Key key{vocabulary_serial, std::move(signature)};
  std::unique_lock lock(impl_->mutex);
  impl_->entries.insert(std::move(key), std::move(classes), size, max_bytes);
}

size_t SharedClassCache::bytes() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->entries.bytes();
}

size_t SharedClassCache::entries() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->entries.entries();
}

void SharedClassCache::clear() {
  std::unique_lock lock(impl_->mutex);
  impl_->entries.clear();
}

}  // namespace sluice::matcher
