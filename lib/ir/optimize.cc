// optimize (ir/passes.h): the passes in their documented order.
#include "ir/passes.h"

namespace sluice::ir {

Grammar optimize(const Grammar& grammar) {
  Grammar g = remove_unreachable_rules(grammar);
  g = inline_rules(g);
  g = merge_literals(g);
  g = merge_classes(g);
  g = dedupe_expressions(g);
  return remove_unreachable_rules(g);
}

}  // namespace sluice::ir
