// Token classification by walking the token trie (vocab/token_trie.h) from
// a parser configuration, one byte per trie edge, skipping every subtree
// whose prefix is already dead.
//
// For a configuration over a stack segment (kUnknown below it) a token is
//   accepted  - some path consumes all its bytes without returning below
//               the segment (true whatever lies below);
//   uncertain - no such path, but some path returned below the segment
//               before the last byte (the frames below decide);
//   rejected  - every path died inside the segment.
// Over a real stack (kRoot below) nothing is uncertain.
//
// Configurations met during walks are interned and their byte transitions
// memoised (a lazily built DFA over configurations), so a trie edge costs a
// table lookup once the configurations it connects have been seen: inside a
// JSON string body every character leads back to the same configuration.
//
// Below a trie node whose configuration holds a stack that takes every
// string of the text slice (vocab/text_slice.h, decided by
// matcher/slice_absorption.h), classify_all accepts the subtree's slice
// tokens as a block and walks only the slice's rest trie there: a string
// body costs a walk of the few thousand tokens with quotes, backslashes,
// control bytes or broken UTF-8, not of the whole vocabulary. Below a node
// whose configuration takes every slice string without some bytes (the
// body of "[^/]+"), each subtree whose slice tokens hold none of them
// (TextSlice::bytes_below) is accepted the same way, and the others are
// walked on.
//
// Tested through tests/matcher/ (fast masks against the reference).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "matcher/engine.h"
#include "matcher/slice_absorption.h"
#include "sluice/vocab.h"

namespace sluice::matcher {

class TokenWalker {
 public:
  // Beyond max_memo_configs the memo is dropped and refilled, so it stays
  // under about 1 KiB times that.
  TokenWalker(const Vocabulary& vocabulary, size_t max_memo_configs)
      : vocabulary_(vocabulary), max_memo_configs_(max_memo_configs) {}

  // Lets classify_all skip the text slice below stacks that absorb it;
  // without one it walks every node. Not owned.
  void use_slice_absorption(SliceAbsorption* absorption) { slice_absorption_ = absorption; }

  // Every trie node, or with first_bytes only the subtrees of the root's
  // children whose byte it holds. accepted gets token ids, uncertain gets
  // trie nodes in depth-first order. When *slice_accepted comes back true,
  // every token of the vocabulary's text slice (vocab/text_slice.h) is
  // accepted too and left out of `accepted`. False on a budget error
  // (stepper.status()).
  //
  // With uncertain_pops, each uncertain node also gets the depth at which
  // its paths returned below the segment, when that is one depth for them
  // all (kManyPops otherwise): what classify_popped() needs.
  static constexpr uint8_t kNoPop = 0, kManyPops = 0xFF;
  bool classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                    std::vector<uint32_t>& uncertain, bool* slice_accepted,
                    const std::array<bool, 256>* first_bytes = nullptr,
                    std::vector<uint8_t>* uncertain_pops = nullptr);
  // classify_all over the rest trie only (vocab/text_slice.h), for a
  // configuration whose verdict on the slice tokens the caller settles by
  // other means: no slice token lands in `accepted` or `uncertain`.
  bool classify_rest(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                     std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops = nullptr);
  // For how many bytes some stack of `start` takes every string of the
  // text slice (kAllBytes: for good, 0: not at all).
  static constexpr size_t kAllBytes = ~size_t{0};
  // Fewer bytes absorbed accept too few subtrees whole to pay for checking.
  static constexpr size_t kMinBoundedBytes = 4;
  size_t absorbed_bytes(Stepper& stepper, const Config& start);
  // Whether some stack of `start` takes every string of the slice without
  // some bytes (SliceAbsorption::absorbs_except): a walk then accepts
  // whole the subtrees without them.
  bool absorbs_except(Stepper& stepper, const Config& start);
  // The given trie nodes (ascending): appends the accepted ones and the
  // uncertain ones (both ascending); the others are rejected. Walks only
  // the trie paths that lead to listed nodes, each prefix once.
  bool classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& nodes,
                     std::vector<uint32_t>& accepted, std::vector<uint32_t>& uncertain,
                     std::vector<uint8_t>* uncertain_pops = nullptr);
  // Refines a segment's uncertain nodes for the segment one frame deeper.
  // Each listed node's paths returned below the shorter segment at one
  // depth, pops[i] (from uncertain_pops), into the frame the deeper one
  // adds; `resumed` is that frame's configuration as the return leaves it.
  // A path that returned never took the whole token inside the shorter
  // segment (the node would be accepted there), so the token's class here
  // is its rest's class from `resumed`: the walk computes nothing above the
  // return depth, and below it steps configurations that every segment
  // ending in the same frame shares. Outputs as classify_list's.
  bool classify_popped(Stepper& stepper, const Config& resumed, const std::vector<uint32_t>& nodes,
                       const std::vector<uint8_t>& pops, std::vector<uint32_t>& accepted,
                       std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops);

  // The memo, for stepping one configuration at a time (the matcher's
  // accept path). Ids stay valid until the memo is dropped, which bumps
  // generation(); classify_* may drop it when it has grown too large.
  uint32_t intern(const Config& config);  // config.nodes must be sorted
  // (next configuration << 1) | (some stack consumed the byte); false on a
  // budget error.
  bool transition(Stepper& stepper, uint32_t from, uint8_t byte, uint32_t* packed) {
    // Inline: a memo hit, the common case, is a few loads.
    const int32_t known = row(from)[byte];
    if (known >= 0) {
      *packed = static_cast<uint32_t>(known);
      return true;
    }
    return compute_transition(stepper, from, byte, packed);
  }
  const Config& config(uint32_t id) const { return configs_[id]; }
  uint64_t generation() const { return generation_; }
  bool memo_full() const { return config_count_ > max_memo_configs_; }
  void clear_memo();

 private:
  static constexpr uint32_t kDead = 0;  // the empty configuration's id
  // Transition rows come in blocks of this many configurations, so that
  // the table grows without copying what it holds.
  static constexpr uint32_t kBlockConfigs = 64;

  // Configuration `config`'s 256 transitions.
  int32_t* row(uint32_t config) const { return &blocks_[config / kBlockConfigs][(config % kBlockConfigs) * 256]; }
  static uint64_t hash(const Config& c);
  static bool same(const Config& a, const Config& b) {
    return a.nodes == b.nodes && a.accepting == b.accepting && a.popped == b.popped;
  }
  // The slot of `config` in slots_: where its id is, or the empty slot
  // where it would go.
  size_t find_slot(const Config& config, uint64_t h) const;
  void grow_slots();

  // classify_list (returned null: from `from` at the root) and
  // classify_popped (from `from` at each node's return depth).
  bool walk_list(Stepper& stepper, const Config& from, const std::vector<uint32_t>& list,
                 const std::vector<uint8_t>* returned, std::vector<uint32_t>& accepted,
                 std::vector<uint32_t>& uncertain, std::vector<uint8_t>* uncertain_pops);
  bool classify(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                std::vector<uint32_t>& uncertain, bool* slice_accepted, const std::array<bool, 256>* first_bytes,
                bool rest_only, std::vector<uint8_t>* uncertain_pops);
  // The pops of a path after one more byte at `depth`.
  static uint8_t add_pop(uint8_t pops, bool popped, size_t depth) {
    if (!popped) return pops;
    return pops != kNoPop || depth >= kManyPops ? kManyPops : static_cast<uint8_t>(depth);
  }
  void level(size_t depth);
  // The memo's id for a walk's start (nodes in any order), after dropping
  // the memo if it is full.
  uint32_t intern_start(const Config& start);
  // For how many more bytes some stack of configuration `config` takes
  // every string of the text slice that continues from UTF-8 state
  // slice_state.
  size_t absorbed_bytes(Stepper& stepper, uint32_t config, uint8_t slice_state);
  // What a configuration takes of the slice from a slice state: every
  // string for `bytes` more bytes (kAbsorbedAll: for good), and, once
  // looked for, every string with none of the bytes of except_bits
  // (TextSlice::byte_bit's) for except_bytes more bytes. except_bits is 0
  // where bytes is kAbsorbedAll, and kNoneExcepted where no such set is
  // known.
  static constexpr uint32_t kAbsorbedAll = ~uint32_t{0};
  static constexpr uint64_t kNoneExcepted = ~uint64_t{0};
  struct Absorption {
    uint64_t except_bits;
    uint32_t bytes;
    uint32_t except_bytes;
  };
  // Subtrees of fewer nodes are not worth a look for left-out bytes.
  static constexpr uint32_t kMinExceptSubtree = 32;
  // The memo's entry, with the left-out bytes looked for if with_except.
  const Absorption& absorption(Stepper& stepper, uint32_t config, uint8_t slice_state, bool with_except);
  void compute_absorption(Stepper& stepper, uint32_t config, uint8_t slice_state, bool with_except,
                          Absorption& result);
  bool compute_transition(Stepper& stepper, uint32_t from, uint8_t byte, uint32_t* packed);
  // Records every byte no stack of `config` can consume as a dead
  // transition.
  void mark_dead_bytes(Stepper& stepper, uint32_t config);

  const Vocabulary& vocabulary_;
  size_t max_memo_configs_;
  // The memo. Dropping it keeps every buffer: configs_ holds the first
  // config_count_ (their node lists keep their capacity), slots_ is an
  // open-addressing index of them (id + 1; 0 empty), blocks_ their
  // transition rows (256 each; -1 unknown). A drop then costs a clear of
  // the index, not thousands of frees and a table regrown by copying.
  std::vector<Config> configs_;
  std::vector<uint64_t> hashes_;
  uint32_t config_count_ = 0;
  std::vector<uint32_t> slots_;
  std::vector<std::unique_ptr<int32_t[]>> blocks_;
  // absorption() by configuration and slice state, and which entries are
  // known by configuration: bit s for `bytes` from slice state s, bit
  // kStates + s for the bytes left out.
  std::vector<Absorption> absorption_;
  std::vector<uint32_t> absorption_known_;
  std::vector<uint32_t> level_config_;
  std::vector<uint8_t> level_uncertain_;
  std::vector<uint8_t> level_pops_;
  std::vector<NodeId> raw_;
  SliceAbsorption* slice_absorption_ = nullptr;
  Config scratch_;
  uint64_t generation_ = 0;
};

}  // namespace sluice::matcher
