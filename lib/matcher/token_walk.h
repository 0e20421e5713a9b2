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
// Tested through tests/matcher/ (fast masks against the reference).
#pragma once

#include <cstdint>
#include <vector>

#include "matcher/engine.h"
#include "sluice/vocab.h"

namespace sluice::matcher {

enum class TokenClass : uint8_t { kRejected, kAccepted, kUncertain };

class TokenWalker {
 public:
  explicit TokenWalker(const Vocabulary& vocabulary) : vocabulary_(vocabulary) {}

  // Every trie node. accepted gets token ids, uncertain gets trie nodes in
  // depth-first order. False on a budget error (stepper.status()).
  bool classify_all(Stepper& stepper, const Config& start, std::vector<TokenId>& accepted,
                    std::vector<uint32_t>& uncertain);
  // The given trie nodes (ascending); out[i] classifies nodes[i]. Shares the
  // work of common prefixes between neighbours.
  bool classify_list(Stepper& stepper, const Config& start, const std::vector<uint32_t>& nodes,
                     std::vector<TokenClass>& out);

 private:
  struct Level {
    Config config;
    bool uncertain = false;  // some path returned below the segment so far
  };
  Level& level(size_t depth) {
    if (levels_.size() <= depth) levels_.resize(depth + 1);
    return levels_[depth];
  }

  const Vocabulary& vocabulary_;
  std::vector<Level> levels_;
  std::vector<NodeId> raw_;
};

}  // namespace sluice::matcher
