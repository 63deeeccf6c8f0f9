// Identity / inference-Dropout removal. A graph output keeps its name: when
// the Identity writes a graph output, its producer is renamed instead.
#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {

int RemoveIdentities(Graph& g) {
  int removed = 0;
  for (size_t k = 0; k < g.nodes.size();) {
    const Node& n = g.nodes[k];
    const bool mask_used = n.op == "Dropout" && n.outputs.size() > 1 && !n.outputs[1].empty() &&
                           (!g.ConsumerIndices(n.outputs[1]).empty() || g.IsGraphOutput(n.outputs[1]));
    if ((n.op != "Identity" && n.op != "Dropout") || mask_used || n.inputs.empty() || n.outputs.empty()) {
      ++k;
      continue;
    }
    const std::string in = n.inputs[0], out = n.outputs[0];
    if (!g.IsGraphOutput(out)) {
      g.RenameUses(out, in);
    } else {
      const int producer = g.ProducerIndex(in);
      if (producer < 0 || g.IsGraphOutput(in)) {  // input is a graph input or constant: keep
        ++k;
        continue;
      }
      for (auto& o : g.nodes[producer].outputs)
        if (o == in) o = out;
      g.nodes.erase(g.nodes.begin() + k);
      g.RenameUses(in, out);
      g.values.erase(in);
      ++removed;
      continue;
    }
    g.values.erase(out);
    g.nodes.erase(g.nodes.begin() + k);
    ++removed;
  }
  return removed;
}

}  // namespace dyad::convert
