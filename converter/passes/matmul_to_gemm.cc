// MatMul(x, constant B) with 2-D x and B -> Gemm, taking a following
// Add(constant of N elements) as Gemm's bias C: the quantizer then emits one
// FullyConnected with an int32 bias instead of a separately rounded Add.
#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {

int MatMulToGemm(Graph& g) {
  int rewritten = 0;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& mm = g.nodes[k];
    if (mm.op != "MatMul" || mm.inputs.size() != 2) continue;
    const Tensor* b = g.Constant(mm.Input(1));
    auto a = g.values.find(mm.Input(0));
    if (!b || !b->is_float() || b->shape.size() != 2) continue;
    if (a == g.values.end() || !a->second.shape_known || a->second.shape.size() != 2) continue;
    const int64_t n = b->shape[1];
    std::string bias;
    int add = -1;
    if (!mm.Has("dyad.activation") && passes::SingleUse(g, mm.outputs[0])) {
      add = g.ConsumerIndices(mm.outputs[0])[0];
      const Node& an = g.nodes[add];
      const std::string other = an.op != "Add" ? "" : an.Input(0) == mm.outputs[0] ? an.Input(1) : an.Input(0);
      const Tensor* c = other.empty() || other == mm.outputs[0] ? nullptr : g.Constant(other);
      if (c && c->is_float() && c->size() == n) {
        bias = g.AddConstant(mm.name + "_bias", Tensor::Float({n}, c->f));
      } else {
        add = -1;
      }
    }
    mm.op = "Gemm";  // MatMul has no attributes: Gemm defaults (alpha = beta = 1, no transposes)
    if (add >= 0) {
      mm.inputs.push_back(bias);
      g.values.erase(mm.outputs[0]);
      mm.outputs[0] = g.nodes[add].outputs[0];
      g.nodes.erase(g.nodes.begin() + add);
      if (add < static_cast<int>(k)) --k;
    }
    ++rewritten;
  }
  if (rewritten) g.PruneUnusedConstants();
  return rewritten;
}

}  // namespace dyad::convert
