// Pad folding: a constant-mode Pad on spatial dims only, whose single reader
// is a Conv (pad value 0), an AveragePool counting pads (value 0,
// count_include_pad=1, no ceil_mode) or a MaxPool (value -inf), moves into
// the reader's own pads.
#include <cmath>

#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {
namespace {

bool FoldOne(Graph& g, int pi) {
  const Node& pad = g.nodes[pi];
  if (pad.op != "Pad" || pad.GetString("mode", "constant") != "constant" || !pad.Input(3).empty()) return false;
  const Tensor* pads_t = g.Constant(pad.Input(1));
  if (!pads_t) return false;
  float value = 0.0f;
  if (!pad.Input(2).empty() && !passes::ScalarConstant(g, pad.Input(2), &value)) return false;
  const std::vector<int64_t> pads = pads_t->ToInt64Vector();
  const size_t rank = pads.size() / 2;
  if (rank < 3 || pads[0] || pads[1] || pads[rank] || pads[rank + 1]) return false;
  for (int64_t p : pads)
    if (p < 0) return false;
  if (!passes::SingleUse(g, pad.outputs[0])) return false;
  const int ci = g.ConsumerIndices(pad.outputs[0])[0];
  Node& c = g.nodes[ci];
  if (c.inputs.empty() || c.inputs[0] != pad.outputs[0]) return false;
  if (c.op == "Conv") {
    if (value != 0.0f) return false;
  } else if (c.op == "AveragePool") {
    if (value != 0.0f || c.GetInt("count_include_pad", 0) != 1 || c.GetInt("ceil_mode", 0) != 0) return false;
  } else if (c.op == "MaxPool") {
    if (!(std::isinf(value) && value < 0)) return false;
  } else {
    return false;
  }
  const std::string auto_pad = c.GetString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return false;
  const size_t sr = rank - 2;
  std::vector<int64_t> cp = auto_pad == "VALID" ? std::vector<int64_t>(2 * sr, 0)
                                                : c.GetInts("pads", std::vector<int64_t>(2 * sr, 0));
  if (cp.size() != 2 * sr) return false;
  for (size_t k = 0; k < sr; ++k) {
    cp[k] += pads[2 + k];
    cp[sr + k] += pads[rank + 2 + k];
  }
  c.attrs["pads"] = Attribute::Ints(cp);
  c.attrs.erase("auto_pad");
  c.inputs[0] = pad.inputs[0];
  g.values.erase(pad.outputs[0]);
  g.nodes.erase(g.nodes.begin() + pi);
  return true;
}

}  // namespace

int FoldPad(Graph& g) {
  int folded = 0;
  for (int k = 0; k < static_cast<int>(g.nodes.size()); ++k)
    if (FoldOne(g, k)) {
      ++folded;
      --k;
    }
  if (folded) g.PruneUnusedConstants();
  return folded;
}

}  // namespace dyad::convert
