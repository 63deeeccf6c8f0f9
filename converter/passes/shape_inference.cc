// Shape inference by execution: every graph input has a fixed shape, so one
// run of the float executor on zeros gives every tensor's exact shape and
// dtype (shapes that depend on activation *values* are not supported by the
// converter anyway). Intermediates are not kept, so memory stays small.
#include "converter/ir/error.h"
#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {

int InferShapes(Graph& g) {
  TensorMap inputs;
  for (const auto& name : g.inputs) {
    auto it = g.values.find(name);
    if (it == g.values.end() || !it->second.shape_known)
      throw ConvertError("graph input '" + name + "' has no fixed shape; give --input-shape");
    Tensor t;
    t.dtype = it->second.dtype;
    t.shape = it->second.shape;
    if (t.is_float()) t.f.assign(NumElements(t.shape), 0.0f); else t.i.assign(NumElements(t.shape), 0);
    inputs[name] = std::move(t);
  }
  return InferShapes(g, inputs);
}

int InferShapes(Graph& g, const std::map<std::string, Tensor>& inputs) {
  int changed = 0;
  RunOptions options;
  options.on_node = [&](const Node& n, const std::vector<Tensor>& outs) {
    for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
      if (n.outputs[k].empty()) continue;
      ValueInfo& vi = g.values[n.outputs[k]];
      if (!vi.shape_known || vi.shape != outs[k].shape || vi.dtype != outs[k].dtype) ++changed;
      vi.dtype = outs[k].dtype;
      vi.shape = outs[k].shape;
      vi.shape_known = true;
    }
  };
  RunGraph(g, inputs, options);
  return changed;
}

}  // namespace dyad::convert
