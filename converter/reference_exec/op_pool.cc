// MaxPool, AveragePool, global pools and the Reduce* family.
#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

enum class PoolKind { kMax, kAverage };

Outputs Pool(const Node& n, const Inputs& in, PoolKind kind) {
  const Tensor& x = FloatIn(n, in, 0);
  if (x.shape.size() < 3) Fail(n, "input must be N x C x spatial");
  if (!n.Has("kernel_shape")) Fail(n, "attribute 'kernel_shape' is required");
  const Shape spatial(x.shape.begin() + 2, x.shape.end());
  Window g = MakeWindow(n, spatial, n.GetInts("kernel_shape"), n.GetInt("ceil_mode", 0) != 0);
  const bool include_pad = n.GetInt("count_include_pad", 0) != 0;
  const int64_t NC = x.shape[0] * x.shape[1];
  Shape out_shape = {x.shape[0], x.shape[1]};
  for (size_t k = 3 - spatial.size(); k < 3; ++k) out_shape.push_back(g.out[k]);
  Tensor y = Tensor::Float(out_shape, 0.0f);
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2], out_plane = g.out[0] * g.out[1] * g.out[2];
  for (int64_t p = 0; p < NC; ++p) {
    const float* src = &x.f[p * in_plane];
    float* dst = &y.f[p * out_plane];
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t o[3] = {od, oh, ow};
          float acc = kind == PoolKind::kMax ? -INFINITY : 0.0f;
          int64_t count = 0;
          int64_t padded = 1;  // window size clipped to the padded input (count_include_pad)
          for (int d = 0; d < 3; ++d) {
            const int64_t start = o[d] * g.stride[d] - g.pad_begin[d];
            const int64_t end = std::min(start + (g.k[d] - 1) * g.dil[d] + 1, g.in[d] + g.pad_end[d]);
            padded *= (end - start + g.dil[d] - 1) / g.dil[d];
          }
          for (int64_t kd = 0; kd < g.k[0]; ++kd) {
            const int64_t id = od * g.stride[0] + kd * g.dil[0] - g.pad_begin[0];
            if (id < 0 || id >= g.in[0]) continue;
            for (int64_t kh = 0; kh < g.k[1]; ++kh) {
              const int64_t ih = oh * g.stride[1] + kh * g.dil[1] - g.pad_begin[1];
              if (ih < 0 || ih >= g.in[1]) continue;
              for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                const int64_t iw = ow * g.stride[2] + kw * g.dil[2] - g.pad_begin[2];
                if (iw < 0 || iw >= g.in[2]) continue;
                const float v = src[(id * g.in[1] + ih) * g.in[2] + iw];
                if (kind == PoolKind::kMax) acc = std::max(acc, v); else acc += v;
                ++count;
              }
            }
          }
          float r = acc;
          if (kind == PoolKind::kAverage) r = acc / static_cast<float>(include_pad ? padded : std::max<int64_t>(count, 1));
          dst[(od * g.out[1] + oh) * g.out[2] + ow] = r;
        }
  }
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

Outputs MaxPool(const Node& n, const Inputs& in) { return Pool(n, in, PoolKind::kMax); }
Outputs AveragePool(const Node& n, const Inputs& in) { return Pool(n, in, PoolKind::kAverage); }

Outputs GlobalPool(const Node& n, const Inputs& in, PoolKind kind) {
  const Tensor& x = FloatIn(n, in, 0);
  if (x.shape.size() < 3) Fail(n, "input must be N x C x spatial");
  const int64_t NC = x.shape[0] * x.shape[1];
  const int64_t plane = NumElements(x.shape) / std::max<int64_t>(NC, 1);
  Shape out_shape(x.shape.size(), 1);
  out_shape[0] = x.shape[0];
  out_shape[1] = x.shape[1];
  Tensor y = Tensor::Float(out_shape, 0.0f);
  for (int64_t p = 0; p < NC; ++p) {
    const float* src = &x.f[p * plane];
    if (kind == PoolKind::kMax) {
      y.f[p] = *std::max_element(src, src + plane);
    } else {
      double s = 0;
      for (int64_t k = 0; k < plane; ++k) s += src[k];
      y.f[p] = static_cast<float>(s / static_cast<double>(plane));
    }
  }
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

Outputs GlobalAveragePool(const Node& n, const Inputs& in) { return GlobalPool(n, in, PoolKind::kAverage); }
Outputs GlobalMaxPool(const Node& n, const Inputs& in) { return GlobalPool(n, in, PoolKind::kMax); }

enum class ReduceKind { kMean, kSum, kMax, kMin };

Outputs Reduce(const Node& n, const Inputs& in, ReduceKind kind) {
  const Tensor& x = In(n, in, 0);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  std::vector<bool> reduce(rank, false);
  const Tensor* axes_t = Opt(in, 1);
  std::vector<int64_t> axes = axes_t ? axes_t->ToInt64Vector() : std::vector<int64_t>{};
  if (axes.empty()) {
    if (n.GetInt("noop_with_empty_axes", 0)) {
      Outputs out;
      out.push_back(x);
      return out;
    }
    std::fill(reduce.begin(), reduce.end(), true);
  }
  for (int64_t a : axes) reduce[NormAxis(n, a, rank)] = true;
  const bool keep = n.GetInt("keepdims", 1) != 0;
  Shape kept_shape(rank), out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    kept_shape[d] = reduce[d] ? 1 : x.shape[d];
    if (!reduce[d] || keep) out_shape.push_back(kept_shape[d]);
  }
  const int64_t out_n = NumElements(kept_shape);
  std::vector<double> acc(out_n, kind == ReduceKind::kMax ? -INFINITY : kind == ReduceKind::kMin ? INFINITY : 0.0);
  auto ost = BroadcastStrides(kept_shape, x.shape);
  std::vector<int64_t> idx(rank, 0);
  const int64_t total = x.size();
  for (int64_t e = 0; e < total; ++e) {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d) o += idx[d] * ost[d];
    const double v = x.AsDouble(e);
    switch (kind) {
      case ReduceKind::kMax: acc[o] = std::max(acc[o], v); break;
      case ReduceKind::kMin: acc[o] = std::min(acc[o], v); break;
      default: acc[o] += v;
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  if (kind == ReduceKind::kMean) {
    const double count = static_cast<double>(total) / static_cast<double>(std::max<int64_t>(out_n, 1));
    for (double& v : acc) v /= count;
  }
  Tensor y;
  y.dtype = x.dtype == DType::kBool ? DType::kInt64 : x.dtype;
  y.shape = out_shape;
  if (y.is_float()) y.f.assign(acc.begin(), acc.end());
  else for (double v : acc) y.i.push_back(static_cast<int64_t>(v));
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

Outputs ReduceMean(const Node& n, const Inputs& in) { return Reduce(n, in, ReduceKind::kMean); }
Outputs ReduceSum(const Node& n, const Inputs& in) { return Reduce(n, in, ReduceKind::kSum); }
Outputs ReduceMax(const Node& n, const Inputs& in) { return Reduce(n, in, ReduceKind::kMax); }
Outputs ReduceMin(const Node& n, const Inputs& in) { return Reduce(n, in, ReduceKind::kMin); }

}  // namespace

void RegisterPoolOps(void (*reg)(const char*, OpFn)) {
  reg("MaxPool", MaxPool);
  reg("AveragePool", AveragePool);
  reg("GlobalAveragePool", GlobalAveragePool);
  reg("GlobalMaxPool", GlobalMaxPool);
  reg("ReduceMean", ReduceMean);
  reg("ReduceSum", ReduceSum);
  reg("ReduceMax", ReduceMax);
  reg("ReduceMin", ReduceMin);
}

}  // namespace dyad::convert::exec
