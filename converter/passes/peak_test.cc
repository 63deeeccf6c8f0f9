// Peak test before a strictly increasing op: Equal(g(f(x)), g(MaxPool(f(x))))
// -> Equal(g(x), g(MaxPool(x))), where f is a strictly increasing elementwise
// op (Sigmoid, Tanh, Exp, Softplus, LeakyRelu/Elu with alpha > 0) and g the
// same chain of layout ops (Reshape, Transpose, Squeeze, Unsqueeze, Flatten,
// Identity) on both sides. A heatmap's local-maximum mask (CenterNet-style
// NMS, M-LSD's line centres) is the common case.
//
// Why: the mask is the same function (max commutes with a strictly increasing
// f, so the equality holds at the same positions), but after int8
// quantization f's output has plateaus — a sigmoid squeezes every logit below
// about -5 into 0 or 1/255 — and every pixel of a plateau passes the test,
// adding false peaks. On the logits the ties are far rarer. f(x) itself is
// kept for the other readers (the mask usually multiplies it).
#include <string>
#include <vector>

#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {
namespace {

bool StrictlyIncreasing(const Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  if (n.op == "Sigmoid" || n.op == "Tanh" || n.op == "Exp" || n.op == "Softplus") return true;
  if (n.op == "LeakyRelu") return n.GetFloat("alpha", 0.01f) > 0.0f;
  if (n.op == "Elu") return n.GetFloat("alpha", 1.0f) > 0.0f;
  return false;
}

bool LayoutOp(const Node& n) {
  return n.op == "Reshape" || n.op == "Transpose" || n.op == "Squeeze" || n.op == "Unsqueeze" ||
         n.op == "Flatten" || n.op == "Identity";
}

bool SameAttribute(const Attribute& a, const Attribute& b) {
  return a.kind == b.kind && a.kind != Attribute::Kind::kTensor && a.i == b.i && a.f == b.f &&
         a.s == b.s && a.ints == b.ints && a.floats == b.floats;
}

// Same op, same extra (constant) inputs, same attributes.
bool SameLayoutStep(const Graph& g, const Node& a, const Node& b) {
  if (a.op != b.op || a.inputs.size() != b.inputs.size() || a.attrs.size() != b.attrs.size()) return false;
  for (size_t k = 1; k < a.inputs.size(); ++k) {
    if (a.inputs[k] != b.inputs[k] || (!a.inputs[k].empty() && !g.IsConstant(a.inputs[k]))) return false;
  }
  for (const auto& [key, value] : a.attrs) {
    auto it = b.attrs.find(key);
    if (it == b.attrs.end() || !SameAttribute(value, it->second)) return false;
  }
  return true;
}

// Walks back from `t` through layout ops; returns the tensor they start from
// and the nodes (producer first).
std::string LayoutSource(const Graph& g, std::string t, std::vector<int>* chain) {
  chain->clear();
  for (;;) {
    const int p = g.ProducerIndex(t);
    if (p < 0 || !LayoutOp(g.nodes[p]) || g.nodes[p].outputs.size() != 1) break;
    chain->insert(chain->begin(), p);
    t = g.nodes[p].inputs[0];
  }
  return t;
}

// Copies the layout chain onto `from`, inserting the new nodes at `at`;
// returns the last output (values get the originals' shapes).
std::string CopyChain(Graph& g, const std::vector<int>& chain, std::string from, int* at) {
  for (int k : chain) {
    Node n = g.nodes[k];
    const std::string old_out = n.outputs[0];
    n.name = g.UniqueName(n.name + "_peak");
    n.inputs[0] = from;
    n.outputs[0] = g.UniqueName(old_out + "_peak");
    if (g.values.count(old_out)) g.values[n.outputs[0]] = g.values[old_out];
    from = n.outputs[0];
    g.nodes.insert(g.nodes.begin() + (*at)++, n);
  }
  return from;
}

bool Rewrite(Graph& g, int ei) {
  const Node& eq = g.nodes[ei];
  if (eq.op != "Equal" || eq.inputs.size() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    std::vector<int> chain_s, chain_m;
    const std::string s = LayoutSource(g, eq.inputs[side], &chain_s);
    const std::string m = LayoutSource(g, eq.inputs[1 - side], &chain_m);
    const int mi = g.ProducerIndex(m);
    if (mi < 0 || g.nodes[mi].op != "MaxPool" || g.nodes[mi].inputs[0] != s) continue;
    if (g.nodes[mi].outputs.size() > 1 && !g.nodes[mi].outputs[1].empty()) continue;  // Indices
    const int fi = g.ProducerIndex(s);
    if (fi < 0 || !StrictlyIncreasing(g.nodes[fi])) continue;
    if (chain_s.size() != chain_m.size()) continue;
    bool same = true;
    for (size_t k = 0; k < chain_s.size() && same; ++k)
      same = SameLayoutStep(g, g.nodes[chain_s[k]], g.nodes[chain_m[k]]);
    if (!same) continue;
    const std::string x = g.nodes[fi].inputs[0];
    // New nodes go right before the Equal: x and the chain's constants exist there.
    int at = ei;
    Node pool = g.nodes[mi];
    pool.name = g.UniqueName(pool.name + "_peak");
    pool.inputs[0] = x;
    pool.outputs = {g.UniqueName(m + "_peak")};
    if (g.values.count(m)) g.values[pool.outputs[0]] = g.values[m];
    const std::string pooled = pool.outputs[0];
    g.nodes.insert(g.nodes.begin() + at++, pool);
    const std::string a = CopyChain(g, chain_s, x, &at);
    const std::string b = CopyChain(g, chain_m, pooled, &at);
    Node& moved = g.nodes[at];  // the Equal, shifted by the insertions
    moved.inputs[side] = a;
    moved.inputs[1 - side] = b;
    return true;
  }
  return false;
}

}  // namespace

int MovePeakTestBeforeMonotonicOp(Graph& g) {
  int rewritten = 0;
  for (int k = 0; k < static_cast<int>(g.nodes.size()); ++k) {
    if (Rewrite(g, k)) ++rewritten;  // the Equal's new inputs no longer match: no loop
  }
  if (rewritten) RemoveDeadNodes(g);
  return rewritten;
}

}  // namespace dyad::convert
