// Lowerings of ONNX forms libdyad has no op for into forms it has, run by
// PrepareForQuantization after the passes. Each keeps the float function
// (the reshapes and transposes only move values, so they share the
// quantization of their input).
#include <algorithm>
#include <cmath>

#include "converter/quantize/prepare.h"

namespace dyad::convert {
namespace {

Node MakeNode(const std::string& name, const std::string& op, std::vector<std::string> in,
              std::vector<std::string> out) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// New activation `name` with a known static shape.
std::string NewValue(Graph& g, const std::string& name, const Shape& shape) {
  g.values[name] = ValueInfo{DType::kFloat32, shape, true};
  return name;
}

const Shape* KnownShape(const Graph& g, const std::string& name) {
  auto it = g.values.find(name);
  return it != g.values.end() && it->second.shape_known ? &it->second.shape : nullptr;
}

// A BatchNormalization no Conv absorbed, on a 4-D input: a per-channel affine
// map, i.e. a depthwise 1x1 Conv (per-channel int8 weight, int32 bias, one
// rounding) with weight a = gamma/sqrt(var+eps) and bias beta - mean*a.
bool BatchNormToDepthwise(Graph& g, Node& n) {
  const Shape* xs = KnownShape(g, n.Input(0));
  if (!xs || xs->size() != 4 || n.outputs.size() != 1) return false;
  for (size_t i = 1; i < 5; ++i) {
    const Tensor* t = g.Constant(n.Input(i));
    if (!t || !t->is_float() || t->size() != (*xs)[1]) return false;
  }
  const std::vector<float> gamma = g.Constant(n.Input(1))->f, beta = g.Constant(n.Input(2))->f;
  const std::vector<float> mean = g.Constant(n.Input(3))->f, var = g.Constant(n.Input(4))->f;
  const double eps = n.GetFloat("epsilon", 1e-5f);
  const int64_t c = (*xs)[1];
  Tensor w = Tensor::Float({c, 1, 1, 1}, 0.0f), b = Tensor::Float({c}, 0.0f);
  for (int64_t k = 0; k < c; ++k) {
    const double a = gamma[k] / std::sqrt(static_cast<double>(var[k]) + eps);
    w.f[k] = static_cast<float>(a);
    b.f[k] = static_cast<float>(beta[k] - mean[k] * a);
  }
  Node conv = MakeNode(n.name, "Conv", {n.Input(0), g.AddConstant(n.name + "_dw_w", std::move(w)),
                                        g.AddConstant(n.name + "_dw_b", std::move(b))}, n.outputs);
  conv.attrs["group"] = Attribute::Int(c);
  conv.attrs["kernel_shape"] = Attribute::Ints({1, 1});
  n = std::move(conv);
  return true;
}

// Gemm whose C is a full matrix (not a per-column bias): Gemm without C, then
// Add of beta*C, which gets its own calibrated output.
bool SplitGemmMatrixBias(Graph& g, std::vector<Node>& out, const Node& n) {
  const Tensor* c = g.Constant(n.Input(2));
  const Tensor* b = g.Constant(n.Input(1));
  const Shape* ys = KnownShape(g, n.outputs[0]);
  if (!c || !b || !ys || !c->is_float() || b->shape.size() != 2) return false;
  const int64_t cols = n.GetInt("transB", 0) ? b->shape[0] : b->shape[1];
  if (c->size() == 1 || c->size() == cols) return false;  // a bias the quantizer takes as is
  Tensor scaled = *c;
  const float beta = n.GetFloat("beta", 1.0f);
  for (float& v : scaled.f) v *= beta;
  Node gemm = n;
  gemm.inputs.resize(2);
  gemm.attrs.erase("dyad.activation");
  gemm.attrs.erase("dyad.act_min");
  gemm.attrs.erase("dyad.act_max");
  gemm.outputs[0] = NewValue(g, n.outputs[0] + "/without_c", *ys);
  Node add = MakeNode(n.name + "/add_c", "Add", {gemm.outputs[0], g.AddConstant(n.name + "_c", std::move(scaled))},
                      n.outputs);
  for (const char* a : {"dyad.activation", "dyad.act_min", "dyad.act_max"})
    if (n.Has(a)) add.attrs[a] = n.attrs.at(a);
  out.push_back(std::move(gemm));
  out.push_back(std::move(add));
  return true;
}

// Softmax over a non-last axis: Transpose (swap that axis with the last),
// Softmax over the last axis, the same Transpose back (opset < 13, over every
// dim from the axis on: Reshape to 2-D and back).
bool SoftmaxToLastAxis(Graph& g, std::vector<Node>& out, const Node& n) {
  const Shape* xs = KnownShape(g, n.Input(0));
  if (!xs || xs->empty()) return false;
  const int64_t r = static_cast<int64_t>(xs->size());
  int64_t axis = n.GetInt("axis", -1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r - 1) return false;
  if (n.GetInt("dyad.coerce_2d", 0)) {  // opset < 13: over every dim from axis on, as one row
    Shape fs(xs->begin(), xs->begin() + axis);
    fs.push_back(NumElements(Shape(xs->begin() + axis, xs->end())));
    std::vector<int64_t> fs64(fs.begin(), fs.end()), xs64(xs->begin(), xs->end());
    Node r1 = MakeNode(n.name + "/flatten", "Reshape", {n.Input(0), g.AddConstant(n.name + "_flat_shape", Tensor::VectorInt64(fs64))},
                       {NewValue(g, n.outputs[0] + "/flat_in", fs)});
    Node sm = MakeNode(n.name, "Softmax", {r1.outputs[0]}, {NewValue(g, n.outputs[0] + "/flat", fs)});
    sm.attrs["axis"] = Attribute::Int(-1);
    Node r2 = MakeNode(n.name + "/unflatten", "Reshape", {sm.outputs[0], g.AddConstant(n.name + "_shape", Tensor::VectorInt64(xs64))},
                       {n.outputs[0]});
    out.push_back(std::move(r1));
    out.push_back(std::move(sm));
    out.push_back(std::move(r2));
    return true;
  }
  std::vector<int64_t> perm(r);
  for (int64_t k = 0; k < r; ++k) perm[k] = k;
  std::swap(perm[axis], perm[r - 1]);
  Shape ts = *xs;
  std::swap(ts[axis], ts[r - 1]);
  Node t1 = MakeNode(n.name + "/to_last", "Transpose", {n.Input(0)}, {NewValue(g, n.outputs[0] + "/in_last", ts)});
  t1.attrs["perm"] = Attribute::Ints(perm);
  Node sm = MakeNode(n.name, "Softmax", {t1.outputs[0]}, {NewValue(g, n.outputs[0] + "/last", ts)});
  sm.attrs["axis"] = Attribute::Int(-1);
  Node t2 = MakeNode(n.name + "/back", "Transpose", {sm.outputs[0]}, {n.outputs[0]});
  t2.attrs["perm"] = Attribute::Ints(perm);
  out.push_back(std::move(t1));
  out.push_back(std::move(sm));
  out.push_back(std::move(t2));
  return true;
}

// LayerNormalization over several trailing axes: Reshape them into one,
// normalize over the last axis (gamma/beta broadcast to that length), Reshape
// back. Reshapes only move values: they share the input's quantization.
bool LayerNormToLastAxis(Graph& g, std::vector<Node>& out, const Node& n) {
  const Shape* xs = KnownShape(g, n.Input(0));
  if (!xs || xs->empty() || n.outputs.empty()) return false;
  const int64_t r = static_cast<int64_t>(xs->size());
  int64_t axis = n.GetInt("axis", -1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r - 1) return false;
  Shape trailing(xs->begin() + axis, xs->end());
  const int64_t inner = NumElements(trailing);
  auto flat = [&](const std::string& name, float fill, std::string* res) {
    if (name.empty()) {
      *res = "";
      return true;
    }
    const Tensor* t = g.Constant(name);
    if (!t || !t->is_float()) return false;
    // Broadcast the parameter to the trailing shape, then flatten it.
    Tensor full = Tensor::Float(trailing, fill);
    const Shape& ps = t->shape;
    if (ps.size() > trailing.size()) return false;
    const size_t off = trailing.size() - ps.size();
    for (size_t k = 0; k < ps.size(); ++k)
      if (ps[k] != 1 && ps[k] != trailing[off + k]) return false;
    for (int64_t e = 0; e < inner; ++e) {
      int64_t rem = e, src = 0, stride = 1;
      for (int64_t k = static_cast<int64_t>(trailing.size()) - 1; k >= 0; --k) {
        const int64_t idx = rem % trailing[k];
        rem /= trailing[k];
        if (k >= static_cast<int64_t>(off)) {
          const int64_t pd = ps[k - off];
          src += (pd == 1 ? 0 : idx) * stride;
          stride *= pd;
        }
      }
      full.f[e] = t->f[src];
    }
    full.shape = {inner};
    *res = g.AddConstant(name + "_flat", std::move(full));
    return true;
  };
  std::string gamma, beta;
  if (!flat(n.Input(1), 1.0f, &gamma) || gamma.empty() || !flat(n.Input(2), 0.0f, &beta)) return false;
  Shape fs(xs->begin(), xs->begin() + axis);
  fs.push_back(inner);
  std::vector<int64_t> fs64(fs.begin(), fs.end()), xs64(xs->begin(), xs->end());
  Node r1 = MakeNode(n.name + "/flatten", "Reshape", {n.Input(0), g.AddConstant(n.name + "_flat_shape", Tensor::VectorInt64(fs64))},
                     {NewValue(g, n.outputs[0] + "/flat_in", fs)});
  Node ln = MakeNode(n.name, "LayerNormalization", {r1.outputs[0], gamma}, {NewValue(g, n.outputs[0] + "/flat", fs)});
  if (!beta.empty()) ln.inputs.push_back(beta);
  ln.attrs = n.attrs;
  ln.attrs["axis"] = Attribute::Int(-1);
  Node r2 = MakeNode(n.name + "/unflatten", "Reshape", {ln.outputs[0], g.AddConstant(n.name + "_shape", Tensor::VectorInt64(xs64))},
                     {n.outputs[0]});
  out.push_back(std::move(r1));
  out.push_back(std::move(ln));
  out.push_back(std::move(r2));
  return true;
}

// 1-D Conv/ConvTranspose/MaxPool/AveragePool on [N, C, L]: the same op on
// [N, C, 1, L] (kernel 1 along the new H), between two Reshapes.
bool OneDToTwoD(Graph& g, std::vector<Node>& out, const Node& n) {
  const Shape* xs = KnownShape(g, n.Input(0));
  const Shape* ys = KnownShape(g, n.outputs[0]);
  if (!xs || !ys || xs->size() != 3 || ys->size() != 3) return false;
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) return false;  // MaxPool's Indices
  Node m = n;
  for (const char* a : {"kernel_shape", "strides", "dilations", "output_padding", "output_shape", "pads"}) {
    if (!n.Has(a)) continue;
    const std::vector<int64_t> v = n.GetInts(a);
    const bool pads = std::string(a) == "pads";
    if (v.size() != (pads ? 2u : 1u)) return false;
    const int64_t h = std::string(a) == "kernel_shape" || std::string(a) == "strides" || std::string(a) == "dilations" ||
                              std::string(a) == "output_shape"
                          ? 1
                          : 0;
    m.attrs[a] = Attribute::Ints(pads ? std::vector<int64_t>{0, v[0], 0, v[1]} : std::vector<int64_t>{h, v[0]});
  }
  if (n.op == "Conv" || n.op == "ConvTranspose") {
    const Tensor* w = g.Constant(n.Input(1));
    if (!w || w->shape.size() != 3) return false;
    Tensor w4 = *w;
    w4.shape = {w->shape[0], w->shape[1], 1, w->shape[2]};
    m.inputs[1] = g.AddConstant(n.Input(1) + "_2d", std::move(w4));
  }
  const Shape x4 = {(*xs)[0], (*xs)[1], 1, (*xs)[2]}, y4 = {(*ys)[0], (*ys)[1], 1, (*ys)[2]};
  Node r1 = MakeNode(n.name + "/to_2d", "Reshape",
                     {n.Input(0), g.AddConstant(n.name + "_2d_shape", Tensor::VectorInt64({x4.begin(), x4.end()}))},
                     {NewValue(g, n.outputs[0] + "/in_2d", x4)});
  m.inputs[0] = r1.outputs[0];
  m.outputs = {NewValue(g, n.outputs[0] + "/2d", y4)};
  Node r2 = MakeNode(n.name + "/to_1d", "Reshape",
                     {m.outputs[0], g.AddConstant(n.name + "_1d_shape", Tensor::VectorInt64({ys->begin(), ys->end()}))},
                     {n.outputs[0]});
  out.push_back(std::move(r1));
  out.push_back(std::move(m));
  out.push_back(std::move(r2));
  return true;
}

}  // namespace

void LowerForQuantizer(Graph& g) {
  std::vector<Node> out;
  for (Node& n : g.nodes) {
    if (n.op == "BatchNormalization" && BatchNormToDepthwise(g, n)) {
      out.push_back(std::move(n));
      continue;
    }
    if (n.op == "Gemm" && !n.Input(2).empty() && SplitGemmMatrixBias(g, out, n)) continue;
    if (n.op == "Softmax" && SoftmaxToLastAxis(g, out, n)) continue;
    if ((n.op == "Conv" || n.op == "ConvTranspose" || n.op == "MaxPool" || n.op == "AveragePool") &&
        OneDToTwoD(g, out, n))
      continue;
    // Only Y is lowered: the optional Mean / InvStdDev outputs must be unused.
    if (n.op == "LayerNormalization" &&
        (n.outputs.size() < 2 || std::all_of(n.outputs.begin() + 1, n.outputs.end(), [&](const std::string& o) {
           return o.empty() || (g.ConsumerIndices(o).empty() && !g.IsGraphOutput(o));
         })) &&
        LayerNormToLastAxis(g, out, n))
      continue;
    out.push_back(std::move(n));
  }
  g.nodes = std::move(out);
}

}  // namespace dyad::convert
