#include "converter/reference_exec/executor.h"

#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert {
namespace exec {

const Tensor& In(const Node& n, const Inputs& in, size_t k) {
  if (k >= in.size() || !in[k]) Fail(n, "required input " + std::to_string(k) + " is missing");
  return *in[k];
}

const Tensor& FloatIn(const Node& n, const Inputs& in, size_t k) {
  const Tensor& t = In(n, in, k);
  if (!t.is_float()) Fail(n, "input " + std::to_string(k) + " must be float, got " + DTypeName(t.dtype));
  return t;
}

int64_t NormAxis(const Node& n, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max<int64_t>(rank, 1))
    Fail(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return a;
}

Shape BroadcastShapes(const Node& n, const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      Fail(n, "shapes " + ShapeToString(a) + " and " + ShapeToString(b) + " do not broadcast");
    out[k] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> Strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int64_t k = static_cast<int64_t>(s.size()) - 2; k >= 0; --k) st[k] = st[k + 1] * s[k + 1];
  return st;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  std::vector<int64_t> own = Strides(in);
  size_t off = out.size() - in.size();
  for (size_t k = 0; k < in.size(); ++k) st[k + off] = in[k] == 1 ? 0 : own[k];
  return st;
}

Window MakeWindow(const Node& n, const Shape& spatial, const Shape& kernel, bool ceil_mode) {
  const size_t r = spatial.size();
  if (r < 1 || r > 3) Fail(n, "only 1-D, 2-D and 3-D spatial inputs are supported");
  if (kernel.size() != r) Fail(n, "kernel rank does not match input rank");
  auto strides = n.GetInts("strides", std::vector<int64_t>(r, 1));
  auto dil = n.GetInts("dilations", std::vector<int64_t>(r, 1));
  auto pads = n.GetInts("pads", std::vector<int64_t>(2 * r, 0));
  if (strides.size() != r) Fail(n, "attribute 'strides' has the wrong length");
  if (dil.size() != r) Fail(n, "attribute 'dilations' has the wrong length");
  if (pads.size() != 2 * r) Fail(n, "attribute 'pads' has the wrong length");
  const std::string auto_pad = n.GetString("auto_pad", "NOTSET");
  Window w;
  const size_t off = 3 - r;
  for (size_t k = 0; k < 3; ++k) {
    w.in[k] = w.out[k] = w.k[k] = w.stride[k] = w.dil[k] = 1;
    w.pad_begin[k] = w.pad_end[k] = 0;
  }
  for (size_t k = 0; k < r; ++k) {
    size_t d = k + off;
    w.in[d] = spatial[k];
    w.k[d] = kernel[k];
    w.stride[d] = strides[k];
    w.dil[d] = dil[k];
    if (w.stride[d] < 1 || w.dil[d] < 1 || w.k[d] < 1) Fail(n, "strides, dilations and kernel must be positive");
    const int64_t extent = (w.k[d] - 1) * w.dil[d] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t out = (w.in[d] + w.stride[d] - 1) / w.stride[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[d] + extent - w.in[d]);
      w.pad_begin[d] = auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      w.pad_end[d] = total - w.pad_begin[d];
    } else if (auto_pad == "VALID") {
      w.pad_begin[d] = w.pad_end[d] = 0;
    } else {
      w.pad_begin[d] = pads[k];
      w.pad_end[d] = pads[k + r];
    }
    const int64_t span = w.in[d] + w.pad_begin[d] + w.pad_end[d] - extent;
    if (span < 0) Fail(n, "kernel is larger than the padded input");
    if (ceil_mode) {
      int64_t out = (span + w.stride[d] - 1) / w.stride[d] + 1;
      // The last window must start inside the input or left padding.
      if ((out - 1) * w.stride[d] >= w.in[d] + w.pad_begin[d]) --out;
      w.out[d] = out;
    } else {
      w.out[d] = span / w.stride[d] + 1;
    }
  }
  return w;
}

namespace {

std::map<std::string, OpFn>& Registry() {
  static std::map<std::string, OpFn> ops;
  return ops;
}

void Register(const char* name, OpFn fn) { Registry()[name] = fn; }

const std::map<std::string, OpFn>& Ops() {
  static const bool init = [] {
    RegisterConvOps(Register);
    RegisterMatmulOps(Register);
    RegisterElementwiseOps(Register);
    RegisterPoolOps(Register);
    RegisterNormOps(Register);
    RegisterShapeOps(Register);
    RegisterResizeOps(Register);
    return true;
  }();
  (void)init;
  return Registry();
}

void ApplyFusedActivation(const Node& n, Tensor& t) {
  const std::string act = n.GetString("dyad.activation", "");
  if (act.empty()) return;
  float lo = -INFINITY, hi = INFINITY;
  if (act == "Relu") {
    lo = 0.0f;
  } else if (act == "Clip") {
    lo = n.GetFloat("dyad.act_min", -INFINITY);
    hi = n.GetFloat("dyad.act_max", INFINITY);
  } else {
    Fail(n, "unknown fused activation '" + act + "'");
  }
  for (float& v : t.f) v = std::min(std::max(v, lo), hi);
}

}  // namespace
}  // namespace exec

bool ExecutorSupports(const std::string& op) { return exec::Ops().count(op) != 0; }

std::vector<Tensor> EvalNode(const Node& node, const std::vector<const Tensor*>& inputs) {
  auto it = exec::Ops().find(node.op);
  if (it == exec::Ops().end()) exec::Fail(node, "operator is not supported by the float executor");
  std::vector<Tensor> out = it->second(node, inputs);
  if (!out.empty() && out[0].is_float()) exec::ApplyFusedActivation(node, out[0]);
  return out;
}

TensorMap RunGraph(const Graph& g, const TensorMap& inputs, const RunOptions& options) {
  // Graph inputs are read in place (no copy); computed tensors live in `live`.
  std::map<std::string, const Tensor*> given;
  for (const auto& name : g.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw ConvertError("graph input '" + name + "' was not given");
    auto vi = g.values.find(name);
    if (vi != g.values.end() && vi->second.shape_known && vi->second.shape != it->second.shape)
      throw ConvertError("graph input '" + name + "' has shape " + ShapeToString(it->second.shape) +
                         ", the graph expects " + ShapeToString(vi->second.shape));
    given[name] = &it->second;
  }
  TensorMap live;
  // Last reader of each tensor, so intermediates are freed early.
  std::map<std::string, size_t> last_use;
  for (size_t k = 0; k < g.nodes.size(); ++k)
    for (const auto& in : g.nodes[k].inputs) last_use[in] = k;

  auto lookup = [&](const std::string& name) -> const Tensor* {
    if (name.empty()) return nullptr;
    auto it = live.find(name);
    if (it != live.end()) return &it->second;
    auto gi = given.find(name);
    if (gi != given.end()) return gi->second;
    return g.Constant(name);
  };
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    std::vector<const Tensor*> in;
    for (const auto& name : n.inputs) {
      const Tensor* t = lookup(name);
      if (!name.empty() && !t) exec::Fail(n, "input '" + name + "' has not been computed");
      in.push_back(t);
    }
    std::vector<Tensor> out = EvalNode(n, in);
    if (options.on_node) options.on_node(n, out);
    for (size_t o = 0; o < n.outputs.size() && o < out.size(); ++o)
      if (!n.outputs[o].empty()) live[n.outputs[o]] = std::move(out[o]);
    if (!options.keep_all)
      for (const auto& name : n.inputs) {
        auto lu = last_use.find(name);
        if (lu != last_use.end() && lu->second == k && !g.IsGraphOutput(name)) live.erase(name);
      }
  }
  TensorMap result;
  if (options.keep_all) result = std::move(live);
  for (const auto& o : g.outputs) {
    if (result.count(o)) continue;
    auto it = live.find(o);
    if (!options.keep_all && it != live.end()) {
      result[o] = std::move(it->second);
      continue;
    }
    const Tensor* t = lookup(o);
    if (!t) throw ConvertError("graph output '" + o + "' was not computed");
    result[o] = *t;
  }
  return result;
}

}  // namespace dyad::convert
