// Data-movement and shape ops; all work on float and int64/bool tensors.
#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

Tensor Empty(DType dtype, Shape shape) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  if (t.is_float()) t.f.resize(NumElements(t.shape)); else t.i.resize(NumElements(t.shape));
  return t;
}

inline void Copy(Tensor& dst, int64_t di, const Tensor& src, int64_t si) {
  if (dst.is_float()) dst.f[di] = src.f[si]; else dst.i[di] = src.i[si];
}

Outputs One(Tensor t) {
  Outputs o;
  o.push_back(std::move(t));
  return o;
}

// Calls fn(out_flat, multi_index) over `shape` in row-major order.
template <typename Fn>
void ForEachIndex(const Shape& shape, Fn fn) {
  const int64_t total = NumElements(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t e = 0; e < total; ++e) {
    fn(e, idx);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

Outputs Identity(const Node& n, const Inputs& in) { return One(In(n, in, 0)); }

Outputs Dropout(const Node& n, const Inputs& in) {
  Outputs o = One(In(n, in, 0));
  if (n.outputs.size() > 1) o.push_back(Tensor::Bool(o[0].shape, std::vector<int64_t>(o[0].size(), 1)));
  return o;
}

Outputs Transpose(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const size_t r = x.shape.size();
  std::vector<int64_t> perm = n.GetInts("perm");
  if (perm.empty()) for (size_t k = 0; k < r; ++k) perm.push_back(static_cast<int64_t>(r - 1 - k));
  if (perm.size() != r) Fail(n, "attribute 'perm' has the wrong length");
  std::vector<bool> seen(r, false);
  Shape out(r);
  for (size_t k = 0; k < r; ++k) {
    if (perm[k] < 0 || perm[k] >= static_cast<int64_t>(r) || seen[perm[k]]) Fail(n, "attribute 'perm' is not a permutation");
    seen[perm[k]] = true;
    out[k] = x.shape[perm[k]];
  }
  auto st = Strides(x.shape);
  Tensor y = Empty(x.dtype, out);
  ForEachIndex(out, [&](int64_t e, const std::vector<int64_t>& idx) {
    int64_t s = 0;
    for (size_t k = 0; k < r; ++k) s += idx[k] * st[perm[k]];
    Copy(y, e, x, s);
  });
  return One(std::move(y));
}

Outputs Concat(const Node& n, const Inputs& in) {
  const Tensor& first = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(first.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", 0), rank);
  Shape out = first.shape;
  out[axis] = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = In(n, in, k);
    if (t.dtype != first.dtype || static_cast<int64_t>(t.shape.size()) != rank) Fail(n, "inputs differ in type or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.shape[d] != first.shape[d]) Fail(n, "input shapes differ outside the concat axis");
    out[axis] += t.shape[axis];
  }
  Tensor y = Empty(first.dtype, out);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= out[d];
  int64_t offset = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = *in[k];
    const int64_t chunk = t.shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < chunk; ++j) Copy(y, o * out[axis] * inner + offset + j, t, o * chunk + j);
    offset += chunk;
  }
  return One(std::move(y));
}

Outputs Split(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", 0), rank);
  const int64_t parts = static_cast<int64_t>(n.outputs.size());
  std::vector<int64_t> sizes;
  if (const Tensor* s = Opt(in, 1)) sizes = s->ToInt64Vector();
  if (sizes.empty()) {
    if (parts < 1 || x.shape[axis] % parts) Fail(n, "axis length " + std::to_string(x.shape[axis]) + " does not split into " + std::to_string(parts) + " equal parts");
    sizes.assign(parts, x.shape[axis] / parts);
  }
  int64_t sum = 0;
  for (int64_t s : sizes) sum += s;
  if (static_cast<int64_t>(sizes.size()) != parts || sum != x.shape[axis]) Fail(n, "split sizes do not match the outputs or the axis length");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[d];
  Outputs o;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    Shape sh = x.shape;
    sh[axis] = s;
    Tensor y = Empty(x.dtype, sh);
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < s * inner; ++j) Copy(y, a * s * inner + j, x, a * x.shape[axis] * inner + offset + j);
    offset += s * inner;
    o.push_back(std::move(y));
  }
  return o;
}

Outputs Slice(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  auto starts = In(n, in, 1).ToInt64Vector();
  auto ends = In(n, in, 2).ToInt64Vector();
  std::vector<int64_t> axes, steps;
  if (const Tensor* a = Opt(in, 3)) axes = a->ToInt64Vector();
  if (const Tensor* s = Opt(in, 4)) steps = s->ToInt64Vector();
  if (axes.empty()) for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    Fail(n, "starts/ends/axes/steps lengths differ");
  std::vector<int64_t> begin(rank, 0), step(rank, 1);
  Shape out = x.shape;
  for (size_t k = 0; k < starts.size(); ++k) {
    const int64_t a = NormAxis(n, axes[k], rank), dim = x.shape[a], st = steps[k];
    if (st == 0) Fail(n, "slice step 0");
    int64_t b = starts[k], e = ends[k];
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out[a] = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out[a] = b > e ? (b - e - st - 1) / (-st) : 0;
    }
    begin[a] = b;
    step[a] = st;
  }
  auto xs = Strides(x.shape);
  Tensor y = Empty(x.dtype, out);
  ForEachIndex(out, [&](int64_t e, const std::vector<int64_t>& idx) {
    int64_t s = 0;
    for (int64_t d = 0; d < rank; ++d) s += (begin[d] + idx[d] * step[d]) * xs[d];
    Copy(y, e, x, s);
  });
  return One(std::move(y));
}

Outputs Reshape(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  auto req = In(n, in, 1).ToInt64Vector();
  const bool allowzero = n.GetInt("allowzero", 0) != 0;
  Shape out(req.size());
  int64_t known = 1, infer = -1;
  for (size_t k = 0; k < req.size(); ++k) {
    if (req[k] == 0 && !allowzero) {
      if (k >= y.shape.size()) Fail(n, "shape has 0 at a dimension the input lacks");
      out[k] = y.shape[k];
    } else if (req[k] == -1) {
      if (infer >= 0) Fail(n, "shape has more than one -1");
      infer = static_cast<int64_t>(k);
      continue;
    } else if (req[k] < 0) {
      Fail(n, "shape has a negative dimension");
    } else {
      out[k] = req[k];
    }
    known *= out[k];
  }
  if (infer >= 0) {
    if (known == 0 || y.size() % known) Fail(n, "cannot infer the -1 dimension of shape");
    out[infer] = y.size() / known;
  }
  if (NumElements(out) != y.size())
    Fail(n, "cannot reshape " + ShapeToString(y.shape) + " to " + ShapeToString(out));
  y.shape = out;
  return One(std::move(y));
}

Outputs Flatten(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(y.shape.size());
  int64_t axis = n.GetInt("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) Fail(n, "attribute 'axis' is out of range");
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= y.shape[d];
  y.shape = {outer, outer ? y.size() / outer : 0};
  return One(std::move(y));
}

Outputs Squeeze(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(y.shape.size());
  std::vector<bool> drop(rank, false);
  const Tensor* axes_t = Opt(in, 1);
  if (!axes_t || axes_t->size() == 0) {
    for (int64_t d = 0; d < rank; ++d) drop[d] = y.shape[d] == 1;
  } else {
    for (int64_t a : axes_t->ToInt64Vector()) {
      const int64_t d = NormAxis(n, a, rank);
      if (y.shape[d] != 1) Fail(n, "cannot squeeze dimension " + std::to_string(a) + " of size " + std::to_string(y.shape[d]));
      drop[d] = true;
    }
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d) if (!drop[d]) out.push_back(y.shape[d]);
  y.shape = out;
  return One(std::move(y));
}

Outputs Unsqueeze(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  auto axes = In(n, in, 1).ToInt64Vector();
  const int64_t out_rank = static_cast<int64_t>(y.shape.size() + axes.size());
  std::vector<bool> ins(out_rank, false);
  for (int64_t a : axes) {
    const int64_t d = NormAxis(n, a, out_rank);
    if (ins[d]) Fail(n, "repeated axis in Unsqueeze");
    ins[d] = true;
  }
  Shape out;
  size_t src = 0;
  for (int64_t d = 0; d < out_rank; ++d) out.push_back(ins[d] ? 1 : y.shape[src++]);
  y.shape = out;
  return One(std::move(y));
}

Outputs Pad(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  auto pads = In(n, in, 1).ToInt64Vector();
  if (Opt(in, 3)) Fail(n, "the 'axes' input is not supported");
  if (static_cast<int64_t>(pads.size()) != 2 * rank) Fail(n, "pads must have 2*rank values");
  const Tensor* value_t = Opt(in, 2);
  const double value = value_t && value_t->size() > 0 ? value_t->AsDouble(0) : 0.0;
  const std::string mode = n.GetString("mode", "constant");
  Shape out(rank);
  for (int64_t d = 0; d < rank; ++d) {
    out[d] = x.shape[d] + pads[d] + pads[d + rank];
    if (out[d] < 0) Fail(n, "negative output dimension");
    if (mode != "constant" && x.shape[d] == 0 && out[d] > 0) Fail(n, "cannot edge/reflect-pad an empty dimension");
    if (mode == "reflect" && (pads[d] >= x.shape[d] || pads[d + rank] >= x.shape[d]) && (pads[d] > 0 || pads[d + rank] > 0))
      Fail(n, "reflect pad is larger than the input");
  }
  auto xs = Strides(x.shape);
  Tensor y = Empty(x.dtype, out);
  const bool grows = std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p >= 0; });
  if (mode == "constant" && y.is_float() && grows && rank >= 1 && NumElements(out) > 0) {
    // Row at a time (the per-element index loop below cost as much as a conv
    // on M-LSD's 160x160x96 pads): fill, then copy each source row.
    std::fill(y.f.begin(), y.f.end(), static_cast<float>(value));
    const int64_t last = rank - 1, row_in = x.shape[last];
    if (row_in == 0) return One(std::move(y));
    const Shape outer(x.shape.begin(), x.shape.end() - 1);
    const auto ys = Strides(out);
    ForEachIndex(outer, [&](int64_t e, const std::vector<int64_t>& idx) {
      int64_t d_off = pads[last];
      for (int64_t d = 0; d < last; ++d) d_off += (idx[d] + pads[d]) * ys[d];
      std::copy(x.f.begin() + e * row_in, x.f.begin() + (e + 1) * row_in, y.f.begin() + d_off);
    });
    return One(std::move(y));
  }
  ForEachIndex(out, [&](int64_t e, const std::vector<int64_t>& idx) {
    int64_t s = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t i = idx[d] - pads[d];
      const int64_t dim = x.shape[d];
      if (i < 0 || i >= dim) {
        if (mode == "constant") { s = -1; break; }
        if (mode == "edge") i = std::clamp<int64_t>(i, 0, dim - 1);
        else { const int64_t period = 2 * (dim - 1); i = std::abs(i) % std::max<int64_t>(period, 1); if (i >= dim) i = period - i; }
      }
      s += i * xs[d];
    }
    if (s < 0) {
      if (y.is_float()) y.f[e] = static_cast<float>(value); else y.i[e] = static_cast<int64_t>(value);
    } else {
      Copy(y, e, x, s);
    }
  });
  return One(std::move(y));
}

// ONNX TensorProto data type codes the importer lets through for Cast.
enum OnnxType { kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7, kBool = 9, kDouble = 11, kUint32 = 12, kUint64 = 13 };

int64_t WrapInt(double v, int64_t to) {
  const int64_t t = static_cast<int64_t>(v);  // truncation toward zero, like a C cast
  switch (to) {
    case kUint8: return static_cast<uint8_t>(t);
    case kInt8: return static_cast<int8_t>(t);
    case kUint16: return static_cast<uint16_t>(t);
    case kInt16: return static_cast<int16_t>(t);
    case kInt32: return static_cast<int32_t>(t);
    case kUint32: return static_cast<uint32_t>(t);
    default: return t;
  }
}

Outputs Cast(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t to = n.GetInt("to", 0);
  Tensor y;
  y.shape = x.shape;
  if (to == kFloat || to == kDouble) {
    y.dtype = DType::kFloat32;
    y.f = x.ToFloatVector();
  } else if (to == kBool) {
    y.dtype = DType::kBool;
    for (int64_t k = 0; k < x.size(); ++k) y.i.push_back(x.AsDouble(k) != 0);
  } else if (to == kUint8 || to == kInt8 || to == kUint16 || to == kInt16 || to == kInt32 || to == kInt64 ||
             to == kUint32 || to == kUint64) {
    y.dtype = DType::kInt64;
    for (int64_t k = 0; k < x.size(); ++k) y.i.push_back(x.is_float() ? WrapInt(x.f[k], to) : WrapInt(static_cast<double>(x.i[k]), to));
  } else {
    Fail(n, "attribute 'to' value " + std::to_string(to) + " is not supported");
  }
  return One(std::move(y));
}

Outputs ShapeOp(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  int64_t start = n.GetInt("start", 0), end = n.GetInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  std::vector<int64_t> dims;
  for (int64_t d = start; d < end; ++d) dims.push_back(x.shape[d]);
  return One(Tensor::VectorInt64(dims));
}

// DepthToSpace (DCR or CRD) and SpaceToDepth as 6-D index permutations.
Outputs DepthToSpace(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t bs = n.GetInt("blocksize", 0);
  if (x.shape.size() != 4 || bs < 1 || x.shape[1] % (bs * bs)) Fail(n, "needs a 4-D input whose channels divide by blocksize^2");
  const bool crd = n.GetString("mode", "DCR") == "CRD";
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3], Co = C / (bs * bs);
  Tensor y = Empty(x.dtype, {N, Co, H * bs, W * bs});
  ForEachIndex(y.shape, [&](int64_t e, const std::vector<int64_t>& i) {
    const int64_t h = i[2] / bs, bh = i[2] % bs, w = i[3] / bs, bw = i[3] % bs;
    const int64_t c = crd ? (i[1] * bs + bh) * bs + bw : (bh * bs + bw) * Co + i[1];
    Copy(y, e, x, ((i[0] * C + c) * H + h) * W + w);
  });
  return One(std::move(y));
}

Outputs SpaceToDepth(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const int64_t bs = n.GetInt("blocksize", 0);
  if (x.shape.size() != 4 || bs < 1 || x.shape[2] % bs || x.shape[3] % bs) Fail(n, "needs a 4-D input whose H and W divide by blocksize");
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  Tensor y = Empty(x.dtype, {N, C * bs * bs, H / bs, W / bs});
  ForEachIndex(y.shape, [&](int64_t e, const std::vector<int64_t>& i) {
    const int64_t blk = i[1] / C, c = i[1] % C, bh = blk / bs, bw = blk % bs;
    Copy(y, e, x, ((i[0] * C + c) * H + i[2] * bs + bh) * W + i[3] * bs + bw);
  });
  return One(std::move(y));
}

Outputs Tile(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const auto reps = In(n, in, 1).ToInt64Vector();
  if (reps.size() != x.shape.size()) Fail(n, "repeats must have one value per dimension");
  Shape out = x.shape;
  for (size_t d = 0; d < out.size(); ++d) {
    if (reps[d] < 0) Fail(n, "negative repeat");
    out[d] *= reps[d];
  }
  auto xs = Strides(x.shape);
  Tensor y = Empty(x.dtype, out);
  ForEachIndex(out, [&](int64_t e, const std::vector<int64_t>& i) {
    int64_t s = 0;
    for (size_t d = 0; d < out.size(); ++d) s += (i[d] % x.shape[d]) * xs[d];
    Copy(y, e, x, s);
  });
  return One(std::move(y));
}

Outputs ArgExtreme(const Node& n, const Inputs& in, bool want_max) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", 0), rank);
  const bool keep = n.GetInt("keepdims", 1) != 0, last = n.GetInt("select_last_index", 0) != 0;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[d];
  const int64_t len = x.shape[axis];
  if (len == 0) Fail(n, "cannot reduce an empty axis");
  Shape out = x.shape;
  if (keep) out[axis] = 1; else out.erase(out.begin() + axis);
  std::vector<int64_t> idx(outer * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double bv = x.AsDouble(o * len * inner + i);
      for (int64_t k = 1; k < len; ++k) {
        const double v = x.AsDouble((o * len + k) * inner + i);
        const bool better = want_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
        if (better) { bv = v; best = k; }
      }
      idx[o * inner + i] = best;
    }
  return One(Tensor::Int64(out, idx));
}

Outputs ArgMax(const Node& n, const Inputs& in) { return ArgExtreme(n, in, true); }
Outputs ArgMin(const Node& n, const Inputs& in) { return ArgExtreme(n, in, false); }

Outputs Size(const Node& n, const Inputs& in) { return One(Tensor::Int64({}, {In(n, in, 0).size()})); }

Outputs Gather(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const Tensor& idx = In(n, in, 1);
  if (idx.is_float()) Fail(n, "indices must be integers");
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", 0), rank);
  Shape out(x.shape.begin(), x.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), x.shape.begin() + axis + 1, x.shape.end());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[d];
  const int64_t dim = x.shape[axis], ni = idx.size();
  Tensor y = Empty(x.dtype, out);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < ni; ++j) {
      int64_t k = idx.i[j];
      if (k < 0) k += dim;
      if (k < 0 || k >= dim) Fail(n, "index " + std::to_string(idx.i[j]) + " is out of range");
      for (int64_t t = 0; t < inner; ++t) Copy(y, (o * ni + j) * inner + t, x, (o * dim + k) * inner + t);
    }
  return One(std::move(y));
}

Outputs ConstantOfShape(const Node& n, const Inputs& in) {
  auto dims = In(n, in, 0).ToInt64Vector();
  for (int64_t d : dims) if (d < 0) Fail(n, "negative dimension");
  Tensor v = Tensor::ScalarFloat(0.0f);
  auto it = n.attrs.find("value");
  if (it != n.attrs.end()) v = it->second.t;
  if (v.size() != 1) Fail(n, "attribute 'value' must hold one element");
  Tensor y = Empty(v.dtype, dims);
  if (y.is_float()) std::fill(y.f.begin(), y.f.end(), v.f[0]); else std::fill(y.i.begin(), y.i.end(), v.i[0]);
  return One(std::move(y));
}

Outputs Range(const Node& n, const Inputs& in) {
  const Tensor& s = In(n, in, 0);
  const Tensor& l = In(n, in, 1);
  const Tensor& d = In(n, in, 2);
  if (s.size() != 1 || l.size() != 1 || d.size() != 1) Fail(n, "start, limit and delta must be scalars");
  const double start = s.AsDouble(0), limit = l.AsDouble(0), delta = d.AsDouble(0);
  if (delta == 0) Fail(n, "delta is 0");
  const int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  Tensor y = Empty(s.dtype == DType::kBool ? DType::kInt64 : s.dtype, {count});
  for (int64_t k = 0; k < count; ++k) {
    if (y.is_float()) y.f[k] = static_cast<float>(s.f[0] + k * static_cast<float>(delta));
    else y.i[k] = s.i[0] + k * d.AsInt64(0);
  }
  return One(std::move(y));
}

}  // namespace

void RegisterShapeOps(void (*reg)(const char*, OpFn)) {
  reg("Identity", Identity);
  reg("Dropout", Dropout);
  reg("Transpose", Transpose);
  reg("Concat", Concat);
  reg("Split", Split);
  reg("Slice", Slice);
  reg("Reshape", Reshape);
  reg("Flatten", Flatten);
  reg("Squeeze", Squeeze);
  reg("Unsqueeze", Unsqueeze);
  reg("Pad", Pad);
  reg("Cast", Cast);
  reg("Shape", ShapeOp);
  reg("Gather", Gather);
  reg("Size", Size);
  reg("DepthToSpace", DepthToSpace);
  reg("SpaceToDepth", SpaceToDepth);
  reg("Tile", Tile);
  reg("ArgMax", ArgMax);
  reg("ArgMin", ArgMin);
  reg("ConstantOfShape", ConstantOfShape);
  reg("Range", Range);
}

}  // namespace dyad::convert::exec
