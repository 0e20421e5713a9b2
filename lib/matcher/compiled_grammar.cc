// Implements sluice/compiler.h and the mask cache (matcher/mask_cache.h).
// Tested in tests/matcher/ and tests/automaton/.
#include "matcher/compiled_grammar.h"

#include <algorithm>
#include <chrono>

#include "matcher/shared_classes.h"
#include "matcher/token_walk.h"
#include "vocab/text_slice.h"
#include "vocab/token_trie.h"

namespace sluice {

using matcher::Arena;
using matcher::Config;
using matcher::kRoot;
using matcher::kSegmentFrames;
using matcher::kUnknown;
using matcher::NodeId;
using matcher::SegmentKey;
using matcher::SharedClassCache;
using matcher::Stepper;
using matcher::TokenClasses;
using matcher::TokenWalker;


namespace matcher {

size_t SegmentKey::hash() const {
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t{frames} << 1 | (exact ? 1 : 0));
  for (size_t i = 0; i < 4u * frames; ++i) {
    h ^= words[i];
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return static_cast<size_t>(h);
}

std::shared_ptr<const TokenClasses> MaskCache::find(const SegmentKey& key) const {
  std::shared_lock lock(mutex_);
  return entries_.find(key);
}

void MaskCache::insert(const SegmentKey& key, std::shared_ptr<const TokenClasses> classes) {
  const size_t size = classes->memory_bytes() + sizeof(SegmentKey) + 32;
  std::unique_lock lock(mutex_);
  dropped_bytes_ += entries_.insert(key, std::move(classes), size, max_bytes_);
  if (dropped_bytes_ >= max_bytes_ / 8) {
    dropped_bytes_ = 0;
    generation_.fetch_add(1, std::memory_order_relaxed);
  }
  bytes_.store(entries_.bytes(), std::memory_order_relaxed);
}

size_t MaskCache::entries() const {
  std::shared_lock lock(mutex_);
  return entries_.entries();
}

}  // namespace matcher

SegmentKey CompiledGrammar::Impl::key_for(const Arena& arena, NodeId top) const {
  SegmentKey key;
  NodeId id = top;
  while (key.frames < kSegmentFrames && id != kRoot) {
    const matcher::Node& node = arena[id];
    uint32_t* w = &key.words[4 * key.frames];
    w[0] = node.state;
    w[1] = node.consumed ? 1 : 0;
    // A permutation's word is kept whole: its bits are members, not counts.
    const bool counter = automaton.states[node.state].loop;
    w[2] = counter ? std::min(node.need, counter_cap) : node.need;
    w[3] = !counter || node.rem == kUnbounded ? node.rem : std::min(node.rem, counter_cap);
    ++key.frames;
    id = node.parent;
  }
  key.exact = id == kRoot;
  return key;
}

Result<std::shared_ptr<const TokenClasses>> CompiledGrammar::Impl::classes(const SegmentKey& key) const {
  if (auto hit = cache.find(key)) return hit;
  auto computed = compute(key);
  if (!computed.ok()) return computed;
  cache.insert(key, computed.value());
  return computed;
}

// Stores `accepted` (plus the base's accepted tokens, or the given words)
// in `result`: the base's bitset shared, or a bitset of its own when the
// list is dense, and a sorted list of the rest.
std::shared_ptr<const TokenClasses> CompiledGrammar::Impl::finish(std::shared_ptr<TokenClasses> result,
                                                                   std::vector<TokenId> accepted,
                                                                   const std::vector<uint32_t>* words) const {
  const size_t vocab_size = vocabulary.size();
  const std::vector<TokenId> no_ids;
  const std::vector<TokenId>& base_ids = result->base ? result->base->accepted_ids : no_ids;
  if (result->base) result->dense = result->base->dense;
  if (words || (accepted.size() + base_ids.size()) * 32 > vocab_size) {
    auto bits = std::make_shared<std::vector<uint32_t>>();
    if (words) {
      *bits = *words;
    } else if (result->dense) {
      *bits = *result->dense;
    } else {
      bits->assign((vocab_size + 31) / 32, 0);
    }
    for (const std::vector<TokenId>* list : {static_cast<const std::vector<TokenId>*>(&accepted), &base_ids}) {
      for (TokenId id : *list) (*bits)[static_cast<uint32_t>(id) >> 5] |= uint32_t{1} << (id & 31);
    }
    result->dense = std::move(bits);
    return result;
  }
  std::sort(accepted.begin(), accepted.end());
  if (!base_ids.empty()) {
    // The base's list is sorted already: a merge, not a sort of both.
    std::vector<TokenId> merged(accepted.size() + base_ids.size());
    std::merge(accepted.begin(), accepted.end(), base_ids.begin(), base_ids.end(), merged.begin());
    accepted = std::move(merged);
  }
  accepted.erase(std::unique(accepted.begin(), accepted.end()), accepted.end());
  result->accepted_ids = std::move(accepted);
  return result;
}

CompiledGrammar::Impl::ComputeContext& CompiledGrammar::Impl::locked_context() const {
  if (!compute_context || compute_context->arena.size() > kComputeArenaNodes) {
    compute_context = std::make_unique<ComputeContext>(*this);
  }
  compute_context->stepper.clear_status();
  return *compute_context;
}

Error CompiledGrammar::Impl::drop_context() const {
  Error error = compute_context->stepper.status().error();
  compute_context.reset();
  return error;
}

NodeId CompiledGrammar::Impl::ComputeContext::bottom_of(const SegmentKey& key) {
  const uint32_t* w = &key.words[4 * (key.frames - 1)];
  return arena.intern(w[0], w[1] != 0, w[2], w[3], key.exact ? kRoot : kUnknown);
}

Config CompiledGrammar::Impl::ComputeContext::start_of(const SegmentKey& key) {
  // Only the top's own byte edges: what its calls and returns reach is in
  // the configuration as stacks of their own, with keys of their own.
  NodeId below = key.exact ? kRoot : kUnknown;
  for (size_t i = key.frames; i-- > 0;) {
    const uint32_t* w = &key.words[4 * i];
    below = arena.intern(w[0], w[1] != 0, w[2], w[3], below);
  }
  Config start;
  start.nodes.push_back(below);
  return start;
}

size_t CompiledGrammar::Impl::short_counter_frame(const SegmentKey& key) const {
  for (size_t i = 0; i < key.frames; ++i) {
    const uint32_t* w = &key.words[4 * i];
    const automaton::State& st = automaton.states[w[0]];
    if (st.loop && !automaton.rules[st.rule].loop_body_nullable && w[2] == 0 && w[3] < counter_cap) return i;
  }
  return kSegmentFrames;
}

Result<std::shared_ptr<const TokenClasses>> CompiledGrammar::Impl::compute_short_counter(const SegmentKey& key,
                                                                                          size_t frame) const {
  // The same key with the counter capped (as if it could run on) is the
  // base. Each run of a loop with a non-empty body takes at least a byte, so
  // a token of at most `left` bytes cannot run the counter out: its class is
  // the base's. Only longer tokens the base accepts, and the base's
  // uncertain ones, are walked again; fewer runs never accept more.
  SegmentKey wide = key;
  const uint32_t left = key.words[4 * frame + 3];
  wide.words[4 * frame + 3] = counter_cap;
  // A counter met with one count only (whitespace entered fresh, say)
  // would pay for the base and gain nothing: the base is computed once
  // the counter comes back with another count.
  // Null: the caller refines the usual way.
  const std::shared_ptr<const TokenClasses> not_refined;
  if (!cache.find(wide)) {
    std::lock_guard lock(short_counter_mutex);
    if (short_counter_seen.size() > kMaxShortCountersSeen) short_counter_seen.clear();
    SegmentKey any_count = wide;
    any_count.words[4 * frame + 3] = 0;
    if (short_counter_seen.insert(any_count).second) return not_refined;
  }
  auto found = classes(wide);
  if (!found.ok()) return found;
  std::shared_ptr<const TokenClasses> base = found.value();
  const auto& trie = vocabulary.trie();
  // Near the end of the runs most accepted tokens are longer than what is
  // left, and every one of them is a live path to walk: cheaper then to
  // refine the shorter key's uncertain tokens.
  std::vector<uint32_t> walked;
  if (base->dense) {
    const auto longer = trie.nodes_longer_than(left);
    if (longer.size() > 8 * kMaxCounterRewalk) return not_refined;
    for (uint32_t node : longer) {
      if (base->accepts(trie.token_ids()[trie.nodes()[node].token_begin])) walked.push_back(node);
    }
  } else {
    for (TokenId id : base->accepted_ids) {
      const uint32_t node = trie.node_of_token()[id];
      if (trie.nodes()[node].depth > left) walked.push_back(node);
    }
  }
  if (walked.size() > kMaxCounterRewalk) return not_refined;
  if (walked.empty() && base->uncertain.empty()) return base;
  std::sort(walked.begin(), walked.end());
  walked.erase(std::unique(walked.begin(), walked.end()), walked.end());
  const size_t long_accepted = walked.size();
  walked.insert(walked.end(), base->uncertain.begin(), base->uncertain.end());
  std::inplace_merge(walked.begin(), walked.begin() + static_cast<std::ptrdiff_t>(long_accepted), walked.end());

  std::lock_guard lock(compute_mutex);
  ComputeContext& context = locked_context();
  auto result = std::make_shared<TokenClasses>();
  std::vector<uint32_t> accepted_nodes;
  if (!context.walker.classify_list(context.stepper, context.start_of(key), walked, accepted_nodes,
                                    result->uncertain, &result->uncertain_pops)) {
    return drop_context();
  }
  // The same classes (and return depths, which deeper keys refine from)
  // as the base: the base itself.
  if (accepted_nodes.size() == long_accepted && result->uncertain == base->uncertain &&
      result->uncertain_pops == base->uncertain_pops) {
    return base;
  }
  // The base's tokens, less the long ones no longer accepted, plus the
  // uncertain ones accepted now.
  std::vector<TokenId> lost, gained;
  for (size_t i = 0, a = 0; i < walked.size(); ++i) {
    const bool now = a < accepted_nodes.size() && accepted_nodes[a] == walked[i];
    if (now) ++a;
    const auto& tn = trie.nodes()[walked[i]];
    const bool before = base->accepts(trie.token_ids()[tn.token_begin]);
    if (before == now) continue;
    for (uint32_t t = tn.token_begin; t < tn.token_end; ++t) (now ? gained : lost).push_back(trie.token_ids()[t]);
  }
  std::sort(lost.begin(), lost.end());
  std::vector<TokenId> kept;
  std::set_difference(base->accepted_ids.begin(), base->accepted_ids.end(), lost.begin(), lost.end(),
                      std::back_inserter(kept));
  kept.insert(kept.end(), gained.begin(), gained.end());
  if (base->dense) {
    std::vector<uint32_t> words = *base->dense;
    for (TokenId id : lost) words[static_cast<uint32_t>(id) >> 5] &= ~(uint32_t{1} << (id & 31));
    return finish(std::move(result), std::move(kept), &words);
  }
  return finish(std::move(result), std::move(kept));
}

bool CompiledGrammar::Impl::takes_one_char_per_run(uint32_t state) const {
  static constexpr uint8_t kUnknownYet = 0, kYes = 1, kNo = 2;
  if (one_char_runs_.empty()) one_char_runs_.assign(automaton.states.size(), kUnknownYet);
  if (one_char_runs_[state] != kUnknownYet) return one_char_runs_[state] == kYes;
  // Pairs (state, slice state) from the state and from the body's entry
  // (where every later run starts), at a code point boundary: each slice
  // byte must have an edge; one that ends a code point must end the run
  // (a target that only returns), one that does not must stay inside it.
  using vocab::TextSlice;
  const auto& states = automaton.states;
  std::vector<uint32_t> seen;
  const uint32_t entry = automaton.rules[states[state].rule].entry;
  std::vector<uint32_t> pending{state * TextSlice::kStates, entry * TextSlice::kStates};
  // Bounds the search: a code point's body has a handful of states.
  constexpr size_t kMaxPairs = 256;
  bool yes = true;
  while (yes && !pending.empty()) {
    const uint32_t pair = pending.back();
    pending.pop_back();
    if (std::find(seen.begin(), seen.end(), pair) != seen.end()) continue;
    seen.push_back(pair);
    const automaton::State& st = states[pair / TextSlice::kStates];
    const uint8_t slice_state = static_cast<uint8_t>(pair % TextSlice::kStates);
    if (seen.size() > kMaxPairs || st.final || st.loop || st.set || st.call_begin != st.call_end) {
      yes = false;
      break;
    }
    for (unsigned b = 0; b < 256 && yes; ++b) {
      const uint8_t after = TextSlice::next(slice_state, static_cast<uint8_t>(b));
      if (after == TextSlice::kReject) continue;
      bool has_edge = false;
      for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
        const automaton::ByteEdge& e = automaton.byte_edges[k];
        if (b < e.lo || b > e.hi) continue;
        has_edge = true;
        if (after == 0) {
          yes = yes && states[e.target].returns_only;
        } else {
          pending.push_back(e.target * TextSlice::kStates + after);
        }
      }
      yes = yes && has_edge;
    }
  }
  one_char_runs_[state] = yes ? kYes : kNo;
  return yes;
}

size_t CompiledGrammar::Impl::slice_chars_bound(const SegmentKey& key) const {
  if (key.frames < 2 || key.frames > 3 || (key.frames == 2 && !key.exact)) return 0;
  if (!top_is_loop_body(key)) return 0;
  if (key.frames == 3) {
    // After the last run the loop returns to this frame, which must refuse
    // whatever a slice string goes on with at a code point boundary.
    const automaton::State& after = automaton.states[key.words[8]];
    if (after.final || after.loop || after.set || after.call_begin != after.call_end) return 0;
    for (uint32_t k = after.byte_begin; k < after.byte_end; ++k) {
      const automaton::ByteEdge& e = automaton.byte_edges[k];
      for (unsigned b = e.lo; b <= e.hi; ++b) {
        if (vocab::TextSlice::next(0, static_cast<uint8_t>(b)) != vocab::TextSlice::kReject) return 0;
      }
    }
  }
  if (!takes_one_char_per_run(key.words[0])) return 0;
  const uint32_t runs_left = key.words[7];
  return runs_left >= counter_cap ? kAllChars : size_t{runs_left} + 1;
}

const std::vector<uint32_t>& CompiledGrammar::Impl::slice_words_up_to(size_t chars) const {
  const vocab::TextSlice& slice = vocabulary.text_slice();
  if (chars == kAllChars) return slice.words();
  if (slice_words_by_chars_.size() <= chars) slice_words_by_chars_.resize(chars + 1);
  std::vector<uint32_t>& words = slice_words_by_chars_[chars];
  if (words.empty()) {
    words.assign(slice.words().size(), 0);
    for (TokenId id : slice.tokens_up_to_chars(chars)) {
      words[static_cast<uint32_t>(id) >> 5] |= uint32_t{1} << (id & 31);
    }
  }
  return words;
}

uint32_t CompiledGrammar::Impl::sibling_state(uint32_t state, std::array<bool, 256>& differs) const {
  // A state whose byte edges, for most bytes, go where another state's go
  // classifies every token starting with such a byte as that state does:
  // after the first byte the two are the same stack. Only a sibling that
  // mostly loops to itself is taken (a string body, the "any other key"
  // body under a key trie), so siblings never chain.
  auto targets_of = [&](uint32_t s, std::array<uint32_t, 256>& targets) {
    targets.fill(kNoSibling);
    const automaton::State& st = automaton.states[s];
    for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
      const automaton::ByteEdge& e = automaton.byte_edges[k];
      for (unsigned b = e.lo; b <= e.hi; ++b) targets[b] = e.target;
    }
  };
  auto most_common = [&](uint32_t s) {
    // Few distinct targets per state: a short list beats a map.
    std::vector<std::pair<uint32_t, size_t>> counts;
    const automaton::State& st = automaton.states[s];
    for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
      const automaton::ByteEdge& e = automaton.byte_edges[k];
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == e.target; });
      if (it == counts.end()) it = counts.insert(counts.end(), {e.target, 0});
      it->second += size_t{e.hi} - e.lo + 1;
    }
    auto best = std::max_element(counts.begin(), counts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    return best == counts.end() ? kNoSibling : best->first;
  };
  // States with the same final flag and edges to such twins behave alike
  // (up to the depth of a UTF-8 sequence); the construction leaves twins
  // where a repetition's first run and the runs after it are built apart.
  auto twins_of = [&](auto& self, uint32_t x, uint32_t y, int depth) -> bool {
    if (x == y) return true;
    if (x == kNoSibling || y == kNoSibling || depth == 0) return false;
    const automaton::State& a = automaton.states[x];
    const automaton::State& b = automaton.states[y];
    if (a.final != b.final || a.loop || b.loop || a.set || b.set || a.rule != b.rule ||
        a.byte_end - a.byte_begin != b.byte_end - b.byte_begin ||
        a.call_end - a.call_begin != b.call_end - b.call_begin) {
      return false;
    }
    for (uint32_t i = 0; i < a.call_end - a.call_begin; ++i) {
      const automaton::CallEdge& c = automaton.call_edges[a.call_begin + i];
      const automaton::CallEdge& d = automaton.call_edges[b.call_begin + i];
      if (c.rule != d.rule || c.ret != d.ret || c.need != d.need || c.rem != d.rem) return false;
    }
    for (uint32_t i = 0; i < a.byte_end - a.byte_begin; ++i) {
      const automaton::ByteEdge& e = automaton.byte_edges[a.byte_begin + i];
      const automaton::ByteEdge& f = automaton.byte_edges[b.byte_begin + i];
      if (e.lo != f.lo || e.hi != f.hi || !self(self, e.target, f.target, depth - 1)) return false;
    }
    return true;
  };
  // Byte by byte the same pairs come up again and again.
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, bool>> known;
  auto twins = [&](uint32_t x, uint32_t y) {
    if (x == y) return true;
    for (const auto& [pair, answer] : known) {
      if (pair.first == x && pair.second == y) return answer;
    }
    const bool answer = twins_of(twins_of, x, y, kTwinDepth);
    known.push_back({{x, y}, answer});
    return answer;
  };
  uint32_t sibling = most_common(state);
  if (sibling == kNoSibling) return kNoSibling;
  if (const uint32_t next = most_common(sibling); next != sibling && twins(sibling, next)) sibling = next;
  if (sibling == state || most_common(sibling) != sibling) return kNoSibling;
  std::array<uint32_t, 256> own, other;
  targets_of(state, own);
  targets_of(sibling, other);
  size_t shared = 0;
  for (unsigned b = 0; b < 256; ++b) {
    differs[b] = !twins(own[b], other[b]);
    if (!differs[b] && own[b] != kNoSibling) ++shared;
  }
  return shared >= kMinSiblingBytes ? sibling : kNoSibling;
}

const std::vector<uint32_t>* CompiledGrammar::Impl::merge_sibling(const TokenClasses& sibling,
                                                                 const std::array<bool, 256>& differs,
                                                                 const std::vector<uint32_t>* slice_words,
                                                                 std::vector<TokenId>& accepted,
                                                                 TokenClasses& result,
                                                                 std::vector<uint32_t>& words) const {
  // The walk covered the subtrees of the bytes that differ; the sibling's
  // classes stand everywhere else.
  const auto& trie = vocabulary.trie();
  const auto& nodes = trie.nodes();
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  std::vector<std::pair<uint32_t, uint32_t>> walked;  // node ranges, ascending
  for (uint32_t i = 1; i < n; i = nodes[i].subtree_end) {
    if (differs[nodes[i].byte]) walked.emplace_back(i, nodes[i].subtree_end);
  }
  auto is_walked = [&](uint32_t node) {
    auto it = std::upper_bound(walked.begin(), walked.end(), std::make_pair(node, ~uint32_t{0}));
    return it != walked.begin() && node < std::prev(it)->second;
  };
  for (TokenId id : sibling.accepted_ids) {
    if (!is_walked(trie.node_of_token()[id])) accepted.push_back(id);
  }
  // After the first byte the two frames are twins, so the sibling's
  // return depths hold too.
  const bool with_pops = sibling.uncertain_pops.size() == sibling.uncertain.size() &&
                         result.uncertain_pops.size() == result.uncertain.size();
  // Both lists ascend: merged with their depths.
  std::vector<uint32_t> walked_uncertain = std::move(result.uncertain);
  std::vector<uint8_t> walked_pops = std::move(result.uncertain_pops);
  result.uncertain.clear();
  result.uncertain_pops.clear();
  size_t a = 0;
  auto take_walked_before = [&](uint32_t node) {
    for (; a < walked_uncertain.size() && walked_uncertain[a] < node; ++a) {
      result.uncertain.push_back(walked_uncertain[a]);
      if (with_pops) result.uncertain_pops.push_back(walked_pops[a]);
    }
  };
  for (size_t k = 0; k < sibling.uncertain.size(); ++k) {
    const uint32_t node = sibling.uncertain[k];
    if (is_walked(node)) continue;
    take_walked_before(node);
    result.uncertain.push_back(node);
    if (with_pops) result.uncertain_pops.push_back(sibling.uncertain_pops[k]);
  }
  take_walked_before(~uint32_t{0});
  if (!sibling.dense) return slice_words;
  words = *sibling.dense;
  const auto& ids = trie.token_ids();
  for (const auto& [begin, end] : walked) {
    const uint32_t token_end = end < n ? nodes[end].token_begin : static_cast<uint32_t>(ids.size());
    for (uint32_t t = nodes[begin].token_begin; t < token_end; ++t) {
      words[static_cast<uint32_t>(ids[t]) >> 5] &= ~(uint32_t{1} << (ids[t] & 31));
    }
  }
  if (slice_words) {
    for (size_t i = 0; i < words.size(); ++i) words[i] |= (*slice_words)[i];
  }
  return &words;
}

bool CompiledGrammar::Impl::refine(ComputeContext& context, const SegmentKey& key, const TokenClasses& base,
                                   std::vector<uint32_t>& accepted_nodes, TokenClasses& result) const {
  Stepper& stepper = context.stepper;
  // A frame that records whether it consumed a byte may return into the
  // bottom frame as a different node, and a node whose paths returned at
  // several depths (or whose depths were not recorded) needs the segment's
  // own configurations: then every token is walked whole. Lists run to
  // tens of thousands of nodes, so they are walked as one, never split.
  const std::vector<uint8_t>& pops = base.uncertain_pops;
  const bool returned_once = pops.size() == base.uncertain.size() && !stepper.tracks_consumed() &&
                             std::none_of(pops.begin(), pops.end(), [](uint8_t p) {
                               return p == TokenWalker::kNoPop || p == TokenWalker::kManyPops;
                             });
  if (!returned_once) {
    return context.walker.classify_list(stepper, context.start_of(key), base.uncertain, accepted_nodes,
                                        result.uncertain, &result.uncertain_pops);
  }
  Config resumed;
  if (!stepper.expand({context.bottom_of(key)}, resumed)) return false;
  return context.walker.classify_popped(stepper, resumed, base.uncertain, pops, accepted_nodes, result.uncertain,
                                        &result.uncertain_pops);
}

bool CompiledGrammar::Impl::top_is_loop_body(const SegmentKey& key) const {
  if (key.frames < 2) return false;
  const automaton::State& loop = automaton.states[key.words[4]];
  return loop.loop && automaton.rules[loop.rule].loop_body == automaton.states[key.words[0]].rule;
}

Result<std::shared_ptr<const TokenClasses>> CompiledGrammar::Impl::walk_whole(ComputeContext& context,
                                                                             const Config& start) const {
  // A full walk takes the slice as a block where the segment takes all of
  // it (or, near the end of a loop's runs, every slice subtree short
  // enough; or every subtree without the bytes it leaves out) and walks
  // only the rest.
  auto result = std::make_shared<TokenClasses>();
  std::vector<TokenId> accepted;
  bool slice_accepted = false;
  if (!context.walker.classify_all(context.stepper, start, accepted, result->uncertain, &slice_accepted, nullptr,
                                   &result->uncertain_pops)) {
    return drop_context();
  }
  return finish(std::move(result), std::move(accepted), slice_accepted ? &vocabulary.text_slice().words() : nullptr);
}

Result<std::shared_ptr<const TokenClasses>> CompiledGrammar::Impl::compute(const SegmentKey& key) const {
  if (key.frames == 3 || (key.frames == 2 && key.exact)) {
    std::lock_guard lock(compute_mutex);
    if (const size_t chars = slice_chars_bound(key); chars > 0) {
      ComputeContext& context = locked_context();
      auto result = std::make_shared<TokenClasses>();
      std::vector<TokenId> accepted;
      if (!context.walker.classify_rest(context.stepper, context.start_of(key), accepted, result->uncertain,
                                        &result->uncertain_pops)) {
        return drop_context();
      }
      return finish(std::move(result), std::move(accepted), &slice_words_up_to(chars));
    }
  }
  if (const size_t frame = short_counter_frame(key); frame < key.frames) {
    auto refined = compute_short_counter(key, frame);
    if (!refined.ok() || refined.value()) return refined;
  }
  const bool top_only = key.frames == 1 && !key.exact;
  if (key.frames == 2 && !key.exact && top_is_loop_body(key) && key.words[7] >= kMinWholeWalkRuns) {
    // The base, the body alone, returns after one run: it leaves nearly
    // every token uncertain, and refining them walks them one by one. A
    // body that takes the slice (or all of it without a few bytes, as
    // "[^/]" does) is walked whole at once instead, taking the slice's
    // subtrees as blocks; longer keys refine what that leaves uncertain.
    // With only a few runs left, few subtrees are short enough to take
    // whole: the refinement of the base (shared by every count) is
    // cheaper.
    std::lock_guard lock(compute_mutex);
    ComputeContext& context = locked_context();
    const Config start = context.start_of(key);
    if (context.walker.absorbed_bytes(context.stepper, start) >= kMinAbsorbedBytes ||
        context.walker.absorbs_except(context.stepper, start)) {
      return walk_whole(context, start);
    }
  }
  // The base is the same segment with its bottom frame cut off (or, for an
  // exact key, with the stack's end forgotten): its accepted tokens stay
  // accepted, its rejected ones stay rejected, and only its uncertain ones
  // need a walk here. It is found before the context is locked, since
  // finding it may compute it.
  std::shared_ptr<const TokenClasses> base;
  std::array<bool, 256> differs{};
  if (top_only) {
    if (const uint32_t sibling = sibling_state(key.words[0], differs); sibling != kNoSibling) {
      SegmentKey sibling_key = key;
      sibling_key.words[0] = sibling;
      auto found = classes(sibling_key);
      if (!found.ok()) return found;
      base = found.value();
    }
  } else {
    SegmentKey shorter = key;
    if (key.exact) {
      shorter.exact = false;
    } else {
      --shorter.frames;
      std::fill(shorter.words.begin() + 4 * shorter.frames, shorter.words.end(), 0);
    }
    auto found = classes(shorter);
    if (!found.ok()) return found;
    base = found.value();
    // Nothing left to resolve: the longer key's classes are the base's.
    if (base->uncertain.empty()) return base;
  }
  std::lock_guard lock(compute_mutex);
  ComputeContext& context = locked_context();
  Stepper& stepper = context.stepper;
  auto fail = [&]() -> Error { return drop_context(); };
  const Config start = context.start_of(key);
  auto result = std::make_shared<TokenClasses>();
  std::vector<TokenId> accepted;
  if (top_only) {
    std::optional<std::vector<uint32_t>> signature;
    const uint32_t state = key.words[0];
    if (options.max_shared_mask_cache_bytes > 0 && !unshareable_states[state]) {
      signature = matcher::frame_signature(automaton, stepper.tracks_consumed(), key.words.data(),
                                           matcher::kMaxSignatureStates, &unshareable_states);
      // The reachable part does not depend on the counters: once too large,
      // always too large.
      if (!signature) unshareable_states[state] = true;
      if (signature) {
        if (auto shared = SharedClassCache::instance().find(vocabulary.serial(), *signature)) return shared;
      }
    }
    bool slice_accepted = false;
    if (!context.walker.classify_all(stepper, start, accepted, result->uncertain, &slice_accepted,
                                     base ? &differs : nullptr, &result->uncertain_pops)) {
      return fail();
    }
    const std::vector<uint32_t>* slice_words = slice_accepted ? &vocabulary.text_slice().words() : nullptr;
    std::vector<uint32_t> merged_words;
    if (base) {
      slice_words = merge_sibling(*base, differs, slice_words, accepted, *result, merged_words);
    }
    if (signature) {
      auto finished = finish(std::move(result), std::move(accepted), slice_words);
      SharedClassCache::instance().insert(vocabulary.serial(), std::move(*signature), finished,
                                          options.max_shared_mask_cache_bytes);
      return finished;
    }
    return finish(std::move(result), std::move(accepted), slice_words);
  } else if (key.exact) {
    // The base is these frames over an unknown rest. Its uncertain tokens
    // return below them before their last byte; here that ends the
    // document with bytes left over, so they are all rejected, and the
    // accepted ones are the base's.
    result->base = std::move(base);
  } else if (base->uncertain.size() > vocabulary.size() / 2 &&
             context.walker.absorbed_bytes(stepper, start) >= kMinAbsorbedBytes) {
    // A top frame that returns after a byte or so leaves nearly every
    // token uncertain; as for a loop's body above.
    return walk_whole(context, start);
  } else {
    result->base = std::move(base);
    std::vector<uint32_t> accepted_nodes;
    if (!refine(context, key, *result->base, accepted_nodes, *result)) return fail();
    const auto& trie = vocabulary.trie();
    for (uint32_t node : accepted_nodes) {
      const auto& tn = trie.nodes()[node];
      for (uint32_t t = tn.token_begin; t < tn.token_end; ++t) accepted.push_back(trie.token_ids()[t]);
    }
  }
  return finish(std::move(result), std::move(accepted));
}

CompiledGrammar::CompiledGrammar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledGrammar::~CompiledGrammar() = default;

Result<std::shared_ptr<const CompiledGrammar>> CompiledGrammar::compile(const Grammar& grammar,
                                                                        const Vocabulary& vocabulary,
                                                                        const CompileOptions& options) {
  auto begin = std::chrono::steady_clock::now();
  auto built = automaton::build_automaton(grammar, options);
  if (!built.ok()) return built.error();
  auto impl = std::make_unique<Impl>(std::move(built.value()), vocabulary, options);
  const automaton::Automaton& a = impl->automaton;
  impl->counter_cap = static_cast<uint32_t>(std::min<size_t>(vocabulary.max_token_bytes() + 1, kUnbounded - 1));
  Stats& stats = impl->stats;
  stats.rules = a.rules.size();
  stats.states = a.states.size();
  stats.edges = a.byte_edges.size() + a.call_edges.size();
  stats.counter_loops = a.counter_loops;
  stats.automaton_bytes = a.memory_bytes();
  stats.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return std::shared_ptr<const CompiledGrammar>(std::make_shared<CompiledGrammar>(std::move(impl)));
}

const CompiledGrammar::Stats& CompiledGrammar::stats() const { return impl_->stats; }
const Vocabulary& CompiledGrammar::vocabulary() const { return impl_->vocabulary; }
const CompileOptions& CompiledGrammar::options() const { return impl_->options; }
size_t CompiledGrammar::mask_cache_bytes() const { return impl_->cache.bytes(); }
size_t CompiledGrammar::mask_cache_entries() const { return impl_->cache.entries(); }

}  // namespace sluice
