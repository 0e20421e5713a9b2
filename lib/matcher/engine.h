// The parser engine under Matcher and the mask cache: hash-consed stack
// nodes (a graph-structured stack), the closure that expands calls and
// returns, and the byte step.
//
// A stack is a NodeId; a node is one frame (automaton state, counter values
// for counter loops, and whether the frame has consumed a byte since it was
// pushed) plus its parent node. Frames below the top hold the state to
// return to. Nodes are interned in an Arena, so equal stacks are equal ids.
// A configuration is the set of stacks whose top can consume a byte, plus
// `accepting` (some stack could return past the root: the output is
// complete).
//
// Two sentinels sit below every stack: kRoot under a real parse, where
// returning means the output is complete, and kUnknown under a cached stack
// segment, where returning means "what follows depends on frames the cache
// key left out" (the token is uncertain).
//
// Tested through tests/matcher/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "automaton/automaton.h"
#include "sluice/error.h"

namespace sluice::matcher {

using NodeId = uint32_t;
inline constexpr NodeId kRoot = 0;
inline constexpr NodeId kUnknown = 1;

struct Node {
  uint32_t state = 0;
  uint32_t need = 0;
  uint32_t rem = 0;
  NodeId parent = 0;
  bool consumed = false;
};

class Arena {
 public:
  Arena();
  NodeId intern(uint32_t state, bool consumed, uint32_t need, uint32_t rem, NodeId parent);
  const Node& operator[](NodeId id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }
  size_t memory_bytes() const { return nodes_.capacity() * sizeof(Node) + slots_.capacity() * sizeof(uint32_t); }

 private:
  void grow();
  std::vector<Node> nodes_;
  std::vector<uint32_t> slots_;  // open addressing; kEmpty marks a free slot
};

struct Config {
  std::vector<NodeId> nodes;
  bool accepting = false;  // a stack returned into kRoot
  bool popped = false;     // a stack returned into kUnknown
  bool empty() const { return nodes.empty(); }
};

// Runs the automaton over an Arena. Holds scratch buffers, so one Stepper
// per thread; the automaton is shared read-only.
class Stepper {
 public:
  Stepper(const automaton::Automaton& automaton, Arena& arena, size_t max_work, size_t max_nodes);

  // The start configuration: the root rule's frame above kRoot.
  bool start(Config& out);
  // Expands seeds (stacks in any state) into a configuration.
  bool expand(const std::vector<NodeId>& seeds, Config& out);
  // Advances every stack of `in` over `byte` without expanding: non-empty
  // exactly when some stack can consume the byte.
  void step_raw(const Config& in, uint8_t byte, std::vector<NodeId>& raw);
  // step_raw then expand; false only on a budget error.
  bool step(const Config& in, uint8_t byte, Config& out);

  const Status& status() const { return status_; }
  // Whether frames record that they consumed a byte (only grammars with a
  // counter loop over a nullable body need it).
  bool tracks_consumed() const { return track_consumed_; }
  void clear_status() { status_ = Status(); }
  Arena& arena() { return arena_; }
  const automaton::Automaton& automaton() const { return automaton_; }

 private:
  bool budget_error(const std::string& what, size_t limit);
  bool pop(const Node& node, Config& out);
  // Queues a stack for expansion unless it already was in this expansion.
  void enqueue(NodeId id);
  // Calls the members a permutation frame may write next, and returns if it
  // may end.
  void expand_set(const Node& node, Config& out);

  const automaton::Automaton& automaton_;
  Arena& arena_;
  size_t max_work_;
  size_t max_nodes_;
  bool track_consumed_ = false;
  std::vector<uint32_t> mark_;
  uint32_t generation_ = 0;
  std::vector<NodeId> work_;
  std::vector<NodeId> raw_;
  Status status_;
};

}  // namespace sluice::matcher
