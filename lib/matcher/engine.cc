// Implements matcher/engine.h. Tested through tests/matcher/.
#include "matcher/engine.h"

#include <string>

namespace sluice::matcher {

namespace {

constexpr uint32_t kEmptySlot = ~uint32_t{0};

inline uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t node_hash(uint32_t state, bool consumed, uint32_t need, uint32_t rem, NodeId parent) {
  uint64_t a = (uint64_t{state} << 1 | (consumed ? 1 : 0)) | (uint64_t{parent} << 33);
  uint64_t b = uint64_t{need} | (uint64_t{rem} << 32);
  return mix(a ^ mix(b + 0x9e3779b97f4a7c15ULL));
}

}  // namespace

Arena::Arena() {
  // The two sentinels; they are never interned, so no lookup finds them.
  nodes_.push_back(Node{});
  nodes_.push_back(Node{});
  slots_.assign(64, kEmptySlot);
}

void Arena::grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, kEmptySlot);
  const size_t mask = slots.size() - 1;
  for (uint32_t id : slots_) {
    if (id == kEmptySlot) continue;
    const Node& n = nodes_[id];
    size_t i = node_hash(n.state, n.consumed, n.need, n.rem, n.parent) & mask;
    while (slots[i] != kEmptySlot) i = (i + 1) & mask;
    slots[i] = id;
  }
  slots_ = std::move(slots);
}

NodeId Arena::intern(uint32_t state, bool consumed, uint32_t need, uint32_t rem, NodeId parent) {
  if ((nodes_.size() + 1) * 2 > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  size_t i = node_hash(state, consumed, need, rem, parent) & mask;
  while (true) {
    uint32_t id = slots_[i];
    if (id == kEmptySlot) break;
    const Node& n = nodes_[id];
    if (n.state == state && n.parent == parent && n.need == need && n.rem == rem && n.consumed == consumed) return id;
    i = (i + 1) & mask;
  }
  NodeId id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(Node{state, need, rem, parent, consumed});
  slots_[i] = id;
  return id;
}

Stepper::Stepper(const automaton::Automaton& automaton, Arena& arena, size_t max_work, size_t max_nodes)
    : automaton_(automaton), arena_(arena), max_work_(max_work), max_nodes_(max_nodes) {
  for (const automaton::RuleInfo& rule : automaton.rules) {
    if (rule.loop && rule.loop_body_nullable) track_consumed_ = true;
  }
}

bool Stepper::budget_error(const std::string& what, size_t limit) {
  if (status_.ok()) {
    status_ = make_error(ErrorCode::kBudgetExceeded, what + " exceeded " + std::to_string(limit) +
                                                         " (the grammar is too ambiguous or nests too deeply here)");
  }
  return false;
}

bool Stepper::start(Config& out) {
  const automaton::RuleInfo& root = automaton_.rules[automaton_.root];
  std::vector<NodeId> seeds{arena_.intern(root.entry, false, 0, 0, kRoot)};
  return expand(seeds, out);
}

bool Stepper::pop(const Node& node, Config& out) {
  NodeId p = node.parent;
  if (p == kRoot) {
    out.accepting = true;
    return true;
  }
  if (p == kUnknown) {
    out.popped = true;
    return true;
  }
  const Node parent = arena_[p];
  // An iteration of a counter loop that consumed nothing proves nothing: the
  // loop's body is nullable, so its need was set to 0 at compile time.
  if (automaton_.states[parent.state].loop && !node.consumed && track_consumed_) return true;
  if (node.consumed && !parent.consumed) p = arena_.intern(parent.state, true, parent.need, parent.rem, parent.parent);
  enqueue(p);
  return true;
}

void Stepper::enqueue(NodeId id) {
  if (id >= mark_.size()) mark_.resize(arena_.size() * 2, 0);
  if (mark_[id] != generation_) {
    mark_[id] = generation_;
    work_.push_back(id);
  }
}

bool Stepper::expand(const std::vector<NodeId>& seeds, Config& out) {
  out.nodes.clear();
  out.accepting = false;
  out.popped = false;
  if (!status_.ok()) return false;
  if (++generation_ == 0) {
    std::fill(mark_.begin(), mark_.end(), 0);
    generation_ = 1;
  }
  if (mark_.size() < arena_.size()) mark_.resize(arena_.size() * 2, 0);
  work_.clear();
  for (NodeId s : seeds) {
    if (mark_[s] != generation_) {
      mark_[s] = generation_;
      work_.push_back(s);
    }
  }
  size_t visited = 0;
  const auto& states = automaton_.states;
  const auto& rules = automaton_.rules;
  while (!work_.empty()) {
    NodeId id = work_.back();
    work_.pop_back();
    if (++visited > max_work_) return budget_error("parser stacks per step (max_stacks_per_step)", max_work_);
    const Node node = arena_[id];
    const automaton::State& st = states[node.state];
    if (st.loop) {
      if (node.rem > 0) {
        uint32_t rem = node.rem == kUnbounded ? kUnbounded : node.rem - 1;
        uint32_t need = node.need > 0 ? node.need - 1 : 0;
        NodeId ret = arena_.intern(node.state, node.consumed, need, rem, node.parent);
        const automaton::CallEdge& body = automaton_.call_edges[st.call_begin];
        enqueue(arena_.intern(rules[body.rule].entry, false, 0, 0, ret));
      }
      if (node.need == 0) pop(node, out);
      continue;
    }
    if (st.set) {
      expand_set(node, out);
      continue;
    }
    if (st.consumes()) out.nodes.push_back(id);
    for (uint32_t k = st.call_begin; k < st.call_end; ++k) {
      const automaton::CallEdge& c = automaton_.call_edges[k];
      if (states[c.ret].returns_only) {
        // A tail call: the callee takes the caller's place (and what the
        // caller consumed), so a chain of rules that end by calling the next
        // one, as optional object properties do, keeps its stacks shallow.
        enqueue(arena_.intern(rules[c.rule].entry, node.consumed, c.need, c.rem, node.parent));
        continue;
      }
      NodeId ret = arena_.intern(c.ret, node.consumed, node.need, node.rem, node.parent);
      enqueue(arena_.intern(rules[c.rule].entry, false, c.need, c.rem, ret));
    }
    if (st.final) pop(node, out);
  }
  if (arena_.size() > max_nodes_) return budget_error("parser stack nodes (max_stack_nodes)", max_nodes_);
  return true;
}

void Stepper::expand_set(const Node& node, Config& out) {
  const automaton::RuleInfo& rule = automaton_.rules[automaton_.states[node.state].rule];
  const ir::PermutationLimits& limits = rule.set_limits;
  const ir::PermutationProgress progress = automaton::set_progress(limits, node.need, node.rem);
  if (limits.complete(progress)) pop(node, out);
  // Edge pairs per member: rem 0 writes it first, rem 1 after a separator.
  const uint32_t variant = progress.count > 0 ? 1 : 0;
  const automaton::State& st = automaton_.states[node.state];
  for (uint32_t k = st.call_begin; k < st.call_end; ++k) {
    const automaton::CallEdge& c = automaton_.call_edges[k];
    if (c.rem != variant || !limits.may_write(progress, c.need)) continue;
    // A member that would leave the rest impossible (a required member
    // with no room left under max, say) is not offered: every live stack
    // must have a completion.
    const ir::PermutationProgress after = limits.after(progress, c.need);
    if (!ir::permutation_completable(limits, after.written, after.count, rule.set_usable,
                                     rule.set_separator_usable)) {
      continue;
    }
    const uint64_t next = limits.word(after);
    const NodeId ret = arena_.intern(node.state, node.consumed, static_cast<uint32_t>(next),
                                     static_cast<uint32_t>(next >> 32), node.parent);
    enqueue(arena_.intern(automaton_.rules[c.rule].entry, false, 0, 0, ret));
  }
}

void Stepper::step_raw(const Config& in, uint8_t byte, std::vector<NodeId>& raw) {
  raw.clear();
  const auto& states = automaton_.states;
  const auto& edges = automaton_.byte_edges;
  for (NodeId id : in.nodes) {
    // Copies: intern() may move the arena's nodes.
    const NodeId parent = arena_[id].parent;
    const automaton::State& st = states[arena_[id].state];
    for (uint32_t k = st.byte_begin; k < st.byte_end; ++k) {
      const automaton::ByteEdge& e = edges[k];
      if (byte < e.lo) break;  // edges are sorted by lo
      if (byte <= e.hi) raw.push_back(arena_.intern(e.target, track_consumed_, 0, 0, parent));
    }
  }
}

bool Stepper::step(const Config& in, uint8_t byte, Config& out) {
  step_raw(in, byte, raw_);
  return expand(raw_, out);
}

}  // namespace sluice::matcher
