// Constant folding, including shape subgraphs: Shape/Size read only the
// (fixed) shape of their input, so they fold once shapes are inferred, and
// then Gather/Unsqueeze/Concat/Cast/ConstantOfShape/Equal/... on them fold too.
#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {

int FoldConstants(Graph& g) {
  int folded = 0;
  std::vector<Node> kept;
  for (auto& n : g.nodes) {
    std::vector<const Tensor*> inputs;
    Tensor shape_only;  // Shape/Size: a tensor carrying only the known shape
    bool foldable = !n.inputs.empty() && ExecutorSupports(n.op);
    for (const auto& o : n.outputs) foldable = foldable && !g.IsGraphOutput(o);
    if (!foldable) {
      // kept below
    } else if (n.op == "Shape" || n.op == "Size") {
      auto vi = g.values.find(n.inputs[0]);
      foldable = vi != g.values.end() && vi->second.shape_known;
      if (foldable) {
        shape_only.dtype = vi->second.dtype;
        shape_only.shape = vi->second.shape;
        inputs.push_back(&shape_only);
      }
    } else {
      for (const auto& in : n.inputs) {
        if (in.empty()) { inputs.push_back(nullptr); continue; }
        const Tensor* t = g.Constant(in);
        if (!t) { foldable = false; break; }
        inputs.push_back(t);
      }
    }
    if (!foldable) {
      kept.push_back(std::move(n));
      continue;
    }
    std::vector<Tensor> outs = EvalNode(n, inputs);
    for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
      if (n.outputs[k].empty()) continue;
      g.values[n.outputs[k]] = ValueInfo{outs[k].dtype, outs[k].shape, true};
      g.constants[n.outputs[k]] = std::move(outs[k]);
    }
    ++folded;
  }
  g.nodes = std::move(kept);
  if (folded) g.PruneUnusedConstants();
  return folded;
}

}  // namespace dyad::convert
