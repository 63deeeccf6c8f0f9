#include "converter/quantize/prepare.h"

#include <algorithm>
#include <cmath>

#include "converter/ir/error.h"
#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {
namespace {

bool OnlyConsumer(const Graph& g, const std::string& tensor, int* consumer) {
  if (g.IsGraphOutput(tensor)) return false;
  std::vector<int> c = g.ConsumerIndices(tensor);
  if (c.size() != 1) return false;
  *consumer = c[0];
  return true;
}

// Cross-layer equalization (Nagel et al., "Data-Free Quantization", 2019):
// for Conv A -> [Relu] -> Conv B with A's output read only by B, scale A's
// output channel c by 1/s_c and B's input channel c by s_c, with s_c chosen so
// both weight ranges become sqrt(r_A[c] * r_B[c]). Relu(x/s) = Relu(x)/s for
// s > 0, so the float function is unchanged; per-tensor activation ranges no
// longer have to span channels that differ by orders of magnitude.
//
// A fused Clip(0, hi) (Relu6) commutes with the scaling only where it does not
// clip: clip(x/s, 0, hi) = clip(x, 0, hi)/s needs x <= min(hi, hi*s). So with
// `channel_max` (per-channel maxima of A's clipped output on the calibration
// samples) s is limited so that channel's maximum, with 25% headroom, stays
// below both bounds, and saturating channels are left alone. Without it,
// Clip pairs are skipped.
using ChannelMaxima = std::map<std::string, std::vector<float>>;

ChannelMaxima MeasureChannelMaxima(const Graph& g, const std::vector<TensorMap>& samples) {
  ChannelMaxima out;
  RunOptions ro;
  ro.keep_all = true;
  for (const TensorMap& in : samples) {
    TensorMap all = RunGraph(g, in, ro);
    for (const Node& n : g.nodes) {
      if (n.op != "Conv" || n.GetString("dyad.activation", "") != "Clip") continue;
      auto it = all.find(n.outputs[0]);
      if (it == all.end() || !it->second.is_float() || it->second.shape.size() != 4) continue;
      const Tensor& t = it->second;
      const int64_t ch = t.shape[1], inner = t.shape[2] * t.shape[3];
      std::vector<float>& m = out[n.outputs[0]];
      m.resize(ch, 0.0f);
      for (int64_t b = 0; b < t.shape[0]; ++b)
        for (int64_t c = 0; c < ch; ++c)
          for (int64_t i = 0; i < inner; ++i) m[c] = std::max(m[c], t.f[(b * ch + c) * inner + i]);
    }
  }
  return out;
}

void EqualizeConvPairs(Graph& g, const ChannelMaxima& channel_max) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& a = g.nodes[k];
    if (a.op != "Conv" || !g.IsConstant(a.Input(1))) continue;
    const std::string act = a.GetString("dyad.activation", "");
    const std::vector<float>* clip_max = nullptr;
    double clip_hi = 0;
    if (act == "Clip") {
      auto it = channel_max.find(a.outputs[0]);
      clip_hi = a.GetFloat("dyad.act_max", INFINITY);
      if (it == channel_max.end() || a.GetFloat("dyad.act_min", -INFINITY) != 0.0f || !std::isfinite(clip_hi) ||
          !(clip_hi > 0))
        continue;
      clip_max = &it->second;
    } else if (!act.empty() && act != "Relu") {
      continue;
    }
    int c = -1;
    if (!OnlyConsumer(g, a.outputs[0], &c)) continue;
    Node& b = g.nodes[c];
    if (b.op != "Conv" || b.Input(0) != a.outputs[0] || !g.IsConstant(b.Input(1))) continue;
    const Tensor& wa0 = *g.Constant(a.Input(1));
    const Tensor& wb0 = *g.Constant(b.Input(1));
    if (wa0.shape.size() != 4 || wb0.shape.size() != 4) continue;
    const int64_t ch = wa0.shape[0];
    const int64_t gb = b.GetInt("group", 1);
    const bool b_depthwise = gb == ch && wb0.shape[1] == 1 && wb0.shape[0] == ch;
    if (!(gb == 1 && wb0.shape[1] == ch) && !b_depthwise) continue;
    Tensor wa = wa0, wb = wb0;
    const int64_t per_a = wa.size() / ch;
    const int64_t spatial_b = wb.shape[2] * wb.shape[3];
    std::vector<double> ra(ch, 0.0), rb(ch, 0.0);
    for (int64_t o = 0; o < ch; ++o)
      for (int64_t i = 0; i < per_a; ++i) ra[o] = std::max(ra[o], double(std::fabs(wa.f[o * per_a + i])));
    const int64_t outs_b = b_depthwise ? 1 : wb.shape[0];
    auto b_index = [&](int64_t o, int64_t cc, int64_t sp) {
      return b_depthwise ? cc * spatial_b + sp : (o * ch + cc) * spatial_b + sp;
    };
    for (int64_t o = 0; o < outs_b; ++o)
      for (int64_t cc = 0; cc < ch; ++cc)
        for (int64_t sp = 0; sp < spatial_b; ++sp) rb[cc] = std::max(rb[cc], double(std::fabs(wb.f[b_index(o, cc, sp)])));
    Tensor ba = Tensor::Float({ch}, 0.0f);
    if (!a.Input(2).empty()) {
      if (!g.IsConstant(a.Input(2))) continue;
      ba.f = g.Constant(a.Input(2))->ToFloatVector();
    }
    bool changed = false;
    for (int64_t cc = 0; cc < ch; ++cc) {
      if (ra[cc] <= 0 || rb[cc] <= 0) continue;
      double s = ra[cc] / std::sqrt(ra[cc] * rb[cc]);
      if (!(s > 0) || !std::isfinite(s)) continue;
      if (clip_max) {
        if (cc >= static_cast<int64_t>(clip_max->size())) continue;
        const double m = 1.25 * (*clip_max)[cc];  // headroom for unseen inputs
        if (m >= clip_hi) continue;               // (nearly) saturating: Clip does not commute
        // s < 1 scales the channel up: it must stay below hi, x <= hi*s.
        // s >= 1 needs only x <= hi, which m < hi gives.
        s = std::max(s, m / clip_hi);
        if (std::fabs(s - 1.0) < 1e-6) continue;
      }
      for (int64_t i = 0; i < per_a; ++i) wa.f[cc * per_a + i] = float(wa.f[cc * per_a + i] / s);
      ba.f[cc] = float(ba.f[cc] / s);
      for (int64_t o = 0; o < outs_b; ++o)
        for (int64_t sp = 0; sp < spatial_b; ++sp) wb.f[b_index(o, cc, sp)] = float(wb.f[b_index(o, cc, sp)] * s);
      changed = true;
    }
    if (!changed) continue;
    a.inputs.resize(3);
    a.inputs[1] = g.AddConstant(a.name + "_w_eq", std::move(wa));
    a.inputs[2] = g.AddConstant(a.name + "_b_eq", std::move(ba));
    b.inputs[1] = g.AddConstant(b.name + "_w_eq", std::move(wb));
  }
}

}  // namespace

void PrepareForQuantization(Graph& g, const std::map<std::string, Shape>& shapes,
                            const std::vector<TensorMap>& samples) {
  // The passes read static shapes from graph.values: take them from the float
  // run. Only shapes matter to them (dtype is kept when already known).
  for (const auto& [name, shape] : shapes) {
    ValueInfo& vi = g.values[name];
    vi.shape = shape;
    vi.shape_known = true;
  }
  // The passes of OptimizeGraph (converter/passes/optimize.cc), minus shape
  // inference (shapes come from the float run above) and FoldPad: folding
  // M-LSD's three zero Pads into their convs cost accuracy there (measured:
  // offsets 8.55 -> 8.32 dB, held-out segment precision 0.81/0.51 ->
  // 0.77/0.44; cause not isolated, EqualizeConvPairs then sees more adjacent
  // conv pairs); a separate Pad op costs little.
  RemoveIdentities(g);
  while (FoldConstants(g) > 0) {
  }
  RemoveDeadNodes(g);
  FoldBatchNorm(g);
  MatMulToGemm(g);
  RecognizeHardSwish(g);
  RecognizeLayerNorm(g);
  MovePeakTestBeforeMonotonicOp(g);
  LowerForQuantizer(g);
  FuseActivations(g);
  bool clip_pairs = false;
  for (const Node& n : g.nodes) clip_pairs = clip_pairs || n.GetString("dyad.activation", "") == "Clip";
  for (int pass = 0; pass < 2; ++pass)
    EqualizeConvPairs(g, clip_pairs && !samples.empty() ? MeasureChannelMaxima(g, samples) : ChannelMaxima{});
  g.PruneUnusedConstants();
}

}  // namespace dyad::convert
