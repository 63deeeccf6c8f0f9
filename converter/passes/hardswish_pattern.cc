// HardSwish recognition: x*HardSigmoid(x) with alpha=1/6, beta=1/2, and
// x*Clip(x+3, 0, 6)/6 with the /6 (or *1/6) before or after the multiply.
#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {
namespace {

using passes::NearlyEqual;
using passes::ScalarConstant;
using passes::SingleUse;

// If `n` is Mul(a, b) with one side equal to `t`, returns the other side.
bool OtherMulInput(const Node& n, const std::string& t, std::string* other) {
  if (n.op != "Mul" || n.inputs.size() != 2) return false;
  if (n.inputs[0] == t) { *other = n.inputs[1]; return true; }
  if (n.inputs[1] == t) { *other = n.inputs[0]; return true; }
  return false;
}

// True if `n` divides `t` by 6 or multiplies it by 1/6.
bool IsSixth(const Graph& g, const Node& n, const std::string& t) {
  float c = 0.0f;
  if (n.op == "Div" && n.inputs.size() == 2 && n.inputs[0] == t) return ScalarConstant(g, n.inputs[1], &c) && c == 6.0f;
  std::string other;
  return OtherMulInput(n, t, &other) && ScalarConstant(g, other, &c) && NearlyEqual(c, 1.0f / 6.0f);
}

// Single reader of `t` (not a graph output), or -1.
int OnlyConsumer(const Graph& g, const std::string& t) {
  if (!SingleUse(g, t)) return -1;
  return g.ConsumerIndices(t)[0];
}

// Replaces node `last` by HardSwish(x) and erases `others`.
void Rewrite(Graph& g, int last, const std::string& x, std::vector<int> others) {
  Node& n = g.nodes[last];
  Node hs;
  hs.name = n.name + "_hardswish";
  hs.op = "HardSwish";
  hs.inputs = {x};
  hs.outputs = {n.outputs[0]};
  n = hs;
  for (int k : others)
    for (const auto& o : g.nodes[k].outputs) g.values.erase(o);
  passes::EraseNodes(g, others);
}

bool MatchClipForm(Graph& g, int ci) {
  const Node& clip = g.nodes[ci];
  float lo = 0, hi = 0, three = 0;
  if (clip.op != "Clip" || !ScalarConstant(g, clip.Input(1), &lo) || !ScalarConstant(g, clip.Input(2), &hi) ||
      lo != 0.0f || hi != 6.0f)
    return false;
  const int ai = g.ProducerIndex(clip.inputs[0]);
  if (ai < 0 || g.nodes[ai].op != "Add" || !SingleUse(g, clip.inputs[0])) return false;
  const Node& add = g.nodes[ai];
  std::string x;
  if (ScalarConstant(g, add.inputs[1], &three) && three == 3.0f) x = add.inputs[0];
  else if (ScalarConstant(g, add.inputs[0], &three) && three == 3.0f) x = add.inputs[1];
  else return false;
  const int k1 = OnlyConsumer(g, clip.outputs[0]);
  if (k1 < 0) return false;
  std::string other;
  if (OtherMulInput(g.nodes[k1], clip.outputs[0], &other) && other == x) {  // (x*clip)/6
    const int k2 = OnlyConsumer(g, g.nodes[k1].outputs[0]);
    if (k2 < 0 || !IsSixth(g, g.nodes[k2], g.nodes[k1].outputs[0])) return false;
    Rewrite(g, k2, x, {ai, ci, k1});
    return true;
  }
  if (IsSixth(g, g.nodes[k1], clip.outputs[0])) {  // x*(clip/6)
    const int k2 = OnlyConsumer(g, g.nodes[k1].outputs[0]);
    if (k2 < 0 || !OtherMulInput(g.nodes[k2], g.nodes[k1].outputs[0], &other) || other != x) return false;
    Rewrite(g, k2, x, {ai, ci, k1});
    return true;
  }
  return false;
}

bool MatchHardSigmoidForm(Graph& g, int hi) {
  const Node& hs = g.nodes[hi];
  if (hs.op != "HardSigmoid" || !NearlyEqual(hs.GetFloat("alpha", 0.2f), 1.0f / 6.0f) ||
      hs.GetFloat("beta", 0.5f) != 0.5f)
    return false;
  const int k1 = OnlyConsumer(g, hs.outputs[0]);
  std::string other;
  if (k1 < 0 || !OtherMulInput(g.nodes[k1], hs.outputs[0], &other) || other != hs.inputs[0]) return false;
  Rewrite(g, k1, hs.inputs[0], {hi});
  return true;
}

}  // namespace

int RecognizeHardSwish(Graph& g) {
  int found = 0;
  for (int k = 0; k < static_cast<int>(g.nodes.size()); ++k) {
    if (MatchClipForm(g, k) || MatchHardSigmoidForm(g, k)) {
      ++found;
      k = -1;  // indices shifted: rescan
    }
  }
  if (found) g.PruneUnusedConstants();
  return found;
}

}  // namespace dyad::convert
