#include "converter/quantize/weight_split.h"

#include <algorithm>
#include <cmath>

#include "converter/quantize/quant_math.h"

namespace dyad::convert {

namespace {

// Axis of the weight tensor that indexes output channels (the quantizer's
// per-channel rows), or -1 for a layer this pass leaves alone.
int ChannelAxis(const Graph& g, const Node& n) {
  if (n.inputs.size() < 2 || !g.IsConstant(n.Input(1))) return -1;
  const Tensor* w = g.Constant(n.Input(1));
  if (!w->is_float()) return -1;
  if (n.op == "Conv") return w->shape.size() >= 3 ? 0 : -1;
  if (n.op == "Gemm") return w->shape.size() == 2 ? (n.GetInt("transB", 0) ? 0 : 1) : -1;
  return -1;
}

// W_hi (W on its per-channel int8 grid, eq. 21) and W_lo = W - W_hi.
// Returns false when W_lo is zero everywhere.
bool SplitTensor(const Tensor& w, int axis, Tensor* hi, Tensor* lo) {
  const int64_t channels = w.shape[axis];
  int64_t inner = 1;
  for (size_t d = axis + 1; d < w.shape.size(); ++d) inner *= w.shape[d];
  const auto channel = [&](int64_t e) { return (e / inner) % channels; };
  std::vector<float> m(channels, 0.0f);
  for (int64_t e = 0; e < w.size(); ++e) m[channel(e)] = std::max(m[channel(e)], std::fabs(w.f[e]));
  *hi = Tensor::Float(w.shape, 0.0f);
  *lo = Tensor::Float(w.shape, 0.0f);
  bool residual = false;
  for (int64_t e = 0; e < w.size(); ++e) {
    const double s = WeightStep(m[channel(e)]);  // the step the quantizer picks again
    const float h = static_cast<float>(std::round(w.f[e] / s) * s);
    hi->f[e] = h;
    lo->f[e] = w.f[e] - h;
    residual |= lo->f[e] != 0.0f;
  }
  return residual;
}

// Largest |lo| of a low half over the samples' values of its input.
float LowHalfMax(const Node& lo, const Tensor& w_lo, const std::vector<TensorMap>& values) {
  float m = 0.0f;
  for (const TensorMap& v : values) {
    auto x = v.find(lo.Input(0));
    if (x == v.end()) continue;
    const Tensor y = EvalNode(lo, {&x->second, &w_lo}).at(0);
    for (float e : y.f) m = std::max(m, std::fabs(e));
  }
  return m;
}

}  // namespace

int SplitWeights(Graph& graph, const std::vector<TensorMap>& samples) {
  std::vector<TensorMap> values;
  for (const TensorMap& s : samples) {
    RunOptions ro;
    ro.keep_all = true;
    values.push_back(RunGraph(graph, s, ro));
    values.back().insert(s.begin(), s.end());  // the graph inputs too
  }
  std::vector<Node> out;
  out.reserve(graph.nodes.size());
  int split = 0;
  for (Node& n : graph.nodes) {
    const int axis = ChannelAxis(graph, n);
    Tensor hi, lo;
    if (axis < 0 || n.outputs.size() != 1 || !SplitTensor(*graph.Constant(n.Input(1)), axis, &hi, &lo)) {
      out.push_back(std::move(n));
      continue;
    }
    const std::string y = n.outputs[0];
    Node h = n, l = n, sum;
    sum.name = n.name;
    sum.op = "Add";
    for (auto it = h.attrs.begin(); it != h.attrs.end();) {
      if (it->first.rfind("dyad.act", 0) == 0) {
        sum.attrs[it->first] = it->second;  // the fused activation applies to the sum
        it = h.attrs.erase(it);
      } else {
        ++it;
      }
    }
    l.attrs = h.attrs;
    h.name = n.name + "/hi";
    l.name = n.name + "/lo";
    h.outputs = {graph.UniqueName(y + "/hi")};
    l.outputs = {graph.UniqueName(y + "/lo")};
    h.inputs[1] = graph.AddConstant(n.Input(1) + "/hi", std::move(hi));
    l.inputs[1] = graph.AddConstant(n.Input(1) + "/lo", std::move(lo));
    l.inputs.resize(2);  // the bias is added once, by the high half
    const std::string act = sum.GetString("dyad.activation", "");
    if (!act.empty()) {
      // eq. 22: the high half keeps only the values the activation can see.
      const float m = 2.0f * LowHalfMax(l, *graph.Constant(l.inputs[1]), values);
      const float a = act == "Relu" ? 0.0f : sum.GetFloat("dyad.act_min", -INFINITY);
      const float b = act == "Relu" ? INFINITY : sum.GetFloat("dyad.act_max", INFINITY);
      h.attrs["dyad.activation"] = Attribute::Str("Clip");
      h.attrs["dyad.act_min"] = Attribute::Flt(a - m);
      h.attrs["dyad.act_max"] = Attribute::Flt(b + m);
    }
    sum.inputs = {h.outputs[0], l.outputs[0]};
    sum.outputs = {y};
    if (graph.values.count(y)) {
      graph.values[h.outputs[0]] = graph.values[y];
      graph.values[l.outputs[0]] = graph.values[y];
    }
    out.push_back(std::move(h));
    out.push_back(std::move(l));
    out.push_back(std::move(sum));
    ++split;
  }
  graph.nodes = std::move(out);
  graph.PruneUnusedConstants();
  return split;
}

}  // namespace dyad::convert
