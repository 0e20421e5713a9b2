// merge_classes (ir/passes.h): alternatives of a choice that each match one
// code point (character classes and one-code-point literals) become a single
// class, so `"a" | [0-9] | "b"` is `[0-9ab]`: one transition set instead of
// three branches.
#include "ir/passes.h"
#include "ir/rewrite.h"

namespace sluice::ir {

namespace {

// The code point of a literal that holds exactly one, if it does.
bool single_codepoint(const std::string& utf8, uint32_t* out) {
  if (utf8.empty()) return false;
  unsigned char lead = static_cast<unsigned char>(utf8[0]);
  size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (utf8.size() != length) return false;
  uint32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
  for (size_t i = 1; i < length; ++i) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
  *out = cp;
  return true;
}

}  // namespace

Grammar merge_classes(const Grammar& grammar) {
  return rebuild(grammar, keep_all(grammar),
                 [](Grammar& out, const Expr& node, std::vector<ExprId> children, RuleId rule) -> ExprId {
                   if (node.kind != ExprKind::kChoice) return build_node(out, node, std::move(children), rule);
                   std::vector<CodepointRange> ranges;
                   std::vector<ExprId> others;
                   size_t merged = 0;
                   for (ExprId c : children) {
                     const Expr& child = out.expr(c);
                     uint32_t cp;
                     if (child.kind == ExprKind::kCharClass) {
                       ranges.insert(ranges.end(), child.ranges.begin(), child.ranges.end());
                       ++merged;
                     } else if (child.kind == ExprKind::kLiteral && single_codepoint(child.literal, &cp)) {
                       ranges.push_back({cp, cp});
                       ++merged;
                     } else {
                       others.push_back(c);
                     }
                   }
                   if (merged < 2) return out.choice(std::move(children));
                   others.push_back(out.char_class(std::move(ranges)));
                   return out.choice(std::move(others));
                 });
}

}  // namespace sluice::ir
