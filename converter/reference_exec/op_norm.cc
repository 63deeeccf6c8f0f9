// BatchNormalization (inference), LayerNormalization, Softmax.
#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

Outputs BatchNormalization(const Node& n, const Inputs& in) {
  Tensor y = FloatIn(n, in, 0);
  const Tensor& scale = FloatIn(n, in, 1);
  const Tensor& bias = FloatIn(n, in, 2);
  const Tensor& mean = FloatIn(n, in, 3);
  const Tensor& var = FloatIn(n, in, 4);
  if (y.shape.size() < 2) Fail(n, "input must be N x C x ...");
  const int64_t N = y.shape[0], C = y.shape[1];
  if (scale.size() != C || bias.size() != C || mean.size() != C || var.size() != C)
    Fail(n, "scale/B/mean/var must have C=" + std::to_string(C) + " elements");
  const int64_t plane = C ? y.size() / (N * C) : 0;
  const float eps = n.GetFloat("epsilon", 1e-5f);
  for (int64_t c = 0; c < C; ++c) {
    const float a = scale.f[c] / std::sqrt(var.f[c] + eps);
    const float b = bias.f[c] - mean.f[c] * a;
    for (int64_t nb = 0; nb < N; ++nb) {
      float* p = &y.f[(nb * C + c) * plane];
      for (int64_t k = 0; k < plane; ++k) p[k] = p[k] * a + b;
    }
  }
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

Outputs LayerNormalization(const Node& n, const Inputs& in) {
  const Tensor& x = FloatIn(n, in, 0);
  const Tensor& scale = FloatIn(n, in, 1);
  const Tensor* bias = Opt(in, 2);
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", -1), rank);
  const float eps = n.GetFloat("epsilon", 1e-5f);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x.shape[d];
  const Shape norm_shape(x.shape.begin() + axis, x.shape.end());
  // Scale and B broadcast against the normalized dims.
  if (BroadcastShapes(n, scale.shape, norm_shape) != norm_shape ||
      (bias && BroadcastShapes(n, bias->shape, norm_shape) != norm_shape))
    Fail(n, "Scale/B do not broadcast to the normalized shape " + ShapeToString(norm_shape));
  auto ss = BroadcastStrides(scale.shape, norm_shape);
  std::vector<int64_t> bs = bias ? BroadcastStrides(bias->shape, norm_shape) : std::vector<int64_t>();
  std::vector<int64_t> scale_idx(inner), bias_idx(inner);
  {
    std::vector<int64_t> idx(norm_shape.size(), 0);
    for (int64_t e = 0; e < inner; ++e) {
      int64_t si = 0, bi = 0;
      for (size_t d = 0; d < idx.size(); ++d) { si += idx[d] * ss[d]; if (bias) bi += idx[d] * bs[d]; }
      scale_idx[e] = si;
      bias_idx[e] = bi;
      for (int64_t d = static_cast<int64_t>(idx.size()) - 1; d >= 0; --d) {
        if (++idx[d] < norm_shape[d]) break;
        idx[d] = 0;
      }
    }
  }
  Tensor y = Tensor::Float(x.shape, 0.0f);
  Shape stat_shape(x.shape.begin(), x.shape.begin() + axis);
  stat_shape.resize(rank, 1);
  Tensor mean_out = Tensor::Float(stat_shape, 0.0f), inv_out = Tensor::Float(stat_shape, 0.0f);
  for (int64_t o = 0; o < outer; ++o) {
    const float* src = &x.f[o * inner];
    float* dst = &y.f[o * inner];
    double mean = 0;
    for (int64_t k = 0; k < inner; ++k) mean += src[k];
    mean /= static_cast<double>(inner);
    double var = 0;
    for (int64_t k = 0; k < inner; ++k) var += (src[k] - mean) * (src[k] - mean);
    var /= static_cast<double>(inner);
    const double inv = 1.0 / std::sqrt(var + eps);
    mean_out.f[o] = static_cast<float>(mean);
    inv_out.f[o] = static_cast<float>(inv);
    for (int64_t k = 0; k < inner; ++k) {
      double v = (src[k] - mean) * inv * scale.f[scale_idx[k]];
      if (bias) v += bias->f[bias_idx[k]];
      dst[k] = static_cast<float>(v);
    }
  }
  Outputs out;
  out.push_back(std::move(y));
  out.push_back(std::move(mean_out));
  out.push_back(std::move(inv_out));
  return out;
}

// Softmax over `axis` (opset >= 13), or — with the importer's
// dyad.coerce_2d mark for opset < 13 — over all dims from `axis` on.
Outputs SoftmaxImpl(const Node& n, const Inputs& in, bool log_output) {
  Tensor y = FloatIn(n, in, 0);
  const int64_t rank = static_cast<int64_t>(y.shape.size());
  const int64_t axis = NormAxis(n, n.GetInt("axis", -1), rank);
  const bool coerce = n.GetInt("dyad.coerce_2d", 0) != 0;
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (d < axis) outer *= y.shape[d];
    else if (d == axis || coerce) len *= y.shape[d];
    else inner *= y.shape[d];
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float* p = &y.f[o * len * inner + i];
      float mx = -INFINITY;
      for (int64_t k = 0; k < len; ++k) mx = std::max(mx, p[k * inner]);
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) {
        p[k * inner] = std::exp(p[k * inner] - mx);
        sum += p[k * inner];
      }
      if (log_output) {  // log(e^(x-max)/sum) = (x - max) - log(sum), from the stored exponentials
        for (int64_t k = 0; k < len; ++k) p[k * inner] = static_cast<float>(std::log(p[k * inner] / sum));
      } else {
        for (int64_t k = 0; k < len; ++k) p[k * inner] = static_cast<float>(p[k * inner] / sum);
      }
    }
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

Outputs Softmax(const Node& n, const Inputs& in) { return SoftmaxImpl(n, in, false); }
Outputs LogSoftmax(const Node& n, const Inputs& in) { return SoftmaxImpl(n, in, true); }

Outputs InstanceNormalization(const Node& n, const Inputs& in) {
  Tensor y = FloatIn(n, in, 0);
  const Tensor& scale = FloatIn(n, in, 1);
  const Tensor& bias = FloatIn(n, in, 2);
  if (y.shape.size() < 3) Fail(n, "input must be N x C x spatial");
  const int64_t N = y.shape[0], C = y.shape[1];
  if (scale.size() != C || bias.size() != C) Fail(n, "scale and B must have C elements");
  const int64_t plane = y.size() / std::max<int64_t>(N * C, 1);
  const float eps = n.GetFloat("epsilon", 1e-5f);
  for (int64_t p = 0; p < N * C; ++p) {
    float* v = &y.f[p * plane];
    double mean = 0, var = 0;
    for (int64_t k = 0; k < plane; ++k) mean += v[k];
    mean /= static_cast<double>(plane);
    for (int64_t k = 0; k < plane; ++k) var += (v[k] - mean) * (v[k] - mean);
    var /= static_cast<double>(plane);
    const double inv = 1.0 / std::sqrt(var + eps);
    const int64_t c = p % C;
    for (int64_t k = 0; k < plane; ++k) v[k] = static_cast<float>((v[k] - mean) * inv * scale.f[c] + bias.f[c]);
  }
  Outputs out;
  out.push_back(std::move(y));
  return out;
}

}  // namespace

void RegisterNormOps(void (*reg)(const char*, OpFn)) {
  reg("BatchNormalization", BatchNormalization);
  reg("LayerNormalization", LayerNormalization);
  reg("Softmax", Softmax);
  reg("LogSoftmax", LogSoftmax);
  reg("InstanceNormalization", InstanceNormalization);
}

}  // namespace dyad::convert::exec
