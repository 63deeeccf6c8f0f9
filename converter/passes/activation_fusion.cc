// Conv+Relu/Clip fusion marking: the activation becomes the producer's clamp
// bounds (the quantizer turns them into the requantization clamp).
#include <cmath>

#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {

int FuseActivations(Graph& g) {
  int fused = 0;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node act = g.nodes[k];
    if ((act.op != "Relu" && act.op != "Clip") || act.inputs.empty()) continue;
    float lo = 0.0f, hi = INFINITY;
    if (act.op == "Clip") {
      lo = -INFINITY;
      if (!act.Input(1).empty() && !passes::ScalarConstant(g, act.Input(1), &lo)) continue;
      if (!act.Input(2).empty() && !passes::ScalarConstant(g, act.Input(2), &hi)) continue;
      // Only clamps that keep 0 are fused (as the quantizer's prepare step
      // always did); Clip(lo > 0) stays an op of its own.
      if (lo > 0.0f) continue;
    }
    const int p = g.ProducerIndex(act.inputs[0]);
    if (p < 0 || !passes::SingleUse(g, act.inputs[0])) continue;
    Node& prod = g.nodes[p];
    if (prod.op != "Conv" && prod.op != "ConvTranspose" && prod.op != "Gemm" && prod.op != "MatMul" && prod.op != "Add" &&
        prod.op != "Sub" && prod.op != "Mul")
      continue;
    if (prod.Has("dyad.activation")) continue;
    auto vi = g.values.find(prod.outputs[0]);
    if (vi != g.values.end() && vi->second.dtype != DType::kFloat32) continue;
    if (act.op == "Relu") {
      prod.attrs["dyad.activation"] = Attribute::Str("Relu");
    } else {
      prod.attrs["dyad.activation"] = Attribute::Str("Clip");
      prod.attrs["dyad.act_min"] = Attribute::Flt(lo);
      prod.attrs["dyad.act_max"] = Attribute::Flt(hi);
    }
    g.values.erase(prod.outputs[0]);
    prod.outputs[0] = act.outputs[0];
    g.nodes.erase(g.nodes.begin() + k);
    --k;
    ++fused;
  }
  if (fused) g.PruneUnusedConstants();
  return fused;
}

}  // namespace dyad::convert
