// remove_unreachable_rules (ir/passes.h): rules the root cannot reach match
// nothing the grammar can produce; dropping them changes no sentence.
#include "ir/analysis.h"
#include "ir/passes.h"
#include "ir/rewrite.h"

namespace sluice::ir {

Grammar remove_unreachable_rules(const Grammar& grammar) {
  RebuildPlan plan = keep_all(grammar);
  plan.keep = reachable_rules(grammar);
  return rebuild(grammar, plan);
}

}  // namespace sluice::ir
