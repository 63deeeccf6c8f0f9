// Resize (nearest with every nearest_mode, linear with every supported
// coordinate_transformation_mode), applied one axis at a time: both nearest
// and (multi)linear interpolation are separable.
#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

double SourceCoord(const std::string& mode, int64_t x, double scale, int64_t in, int64_t out) {
  const double xd = static_cast<double>(x);
  // ONNX uses the unrounded resized length in*scale here.
  const double out_len = static_cast<double>(in) * scale;
  (void)out;
  if (mode == "half_pixel") return (xd + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out_len > 1.0 ? (xd + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") return out_len == 1.0 ? 0.0 : xd * static_cast<double>(in - 1) / (out_len - 1.0);
  if (mode == "asymmetric") return xd / scale;
  return (xd + 0.5) / scale;  // tf_half_pixel_for_nn
}

int64_t NearestIndex(const std::string& mode, double x) {
  double r;
  if (mode == "floor") r = std::floor(x);
  else if (mode == "ceil") r = std::ceil(x);
  else if (x - std::floor(x) == 0.5) r = mode == "round_prefer_ceil" ? std::ceil(x) : std::floor(x);
  else r = std::round(x);
  return static_cast<int64_t>(r);
}

// Resizes `x` along `axis` to `out_len`.
Tensor ResizeAxis(const Tensor& x, size_t axis, int64_t out_len, double scale, const std::string& mode,
                  const std::string& coord, const std::string& nearest) {
  const int64_t in_len = x.shape[axis];
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  Shape out_shape = x.shape;
  out_shape[axis] = out_len;
  Tensor y = Tensor::Float(out_shape, 0.0f);
  std::vector<int64_t> i0(out_len), i1(out_len);
  std::vector<float> w1(out_len);
  for (int64_t o = 0; o < out_len; ++o) {
    const double src = SourceCoord(coord, o, scale, in_len, out_len);
    if (mode == "nearest") {
      i0[o] = i1[o] = std::clamp<int64_t>(NearestIndex(nearest, src), 0, in_len - 1);
      w1[o] = 0.0f;
    } else {
      const double c = std::clamp(src, 0.0, static_cast<double>(in_len - 1));
      i0[o] = static_cast<int64_t>(std::floor(c));
      i1[o] = std::min(i0[o] + 1, in_len - 1);
      w1[o] = static_cast<float>(c - static_cast<double>(i0[o]));
    }
  }
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t o = 0; o < out_len; ++o) {
      const float* p0 = &x.f[(a * in_len + i0[o]) * inner];
      const float* p1 = &x.f[(a * in_len + i1[o]) * inner];
      float* q = &y.f[(a * out_len + o) * inner];
      const float w = w1[o];
      for (int64_t t = 0; t < inner; ++t) q[t] = p0[t] + w * (p1[t] - p0[t]);
    }
  return y;
}

Outputs Resize(const Node& n, const Inputs& in) {
  const Tensor& x = FloatIn(n, in, 0);
  const Tensor* scales_t = Opt(in, 2);
  const Tensor* sizes_t = Opt(in, 3);
  const size_t r = x.shape.size();
  const std::string coord = n.GetString("coordinate_transformation_mode", "half_pixel");
  const std::string mode = n.GetString("mode", "nearest");
  const std::string nearest = n.GetString("nearest_mode", "round_prefer_floor");
  if (coord == "tf_crop_and_resize") Fail(n, "attribute 'coordinate_transformation_mode' value 'tf_crop_and_resize' is not supported");
  std::vector<double> scales(r, 1.0);
  Shape out = x.shape;
  if (scales_t && scales_t->size() > 0) {
    if (static_cast<size_t>(scales_t->size()) != r) Fail(n, "scales must have one value per dimension");
    for (size_t d = 0; d < r; ++d) {
      scales[d] = scales_t->AsDouble(d);
      if (scales[d] <= 0) Fail(n, "scales must be positive");
      out[d] = static_cast<int64_t>(std::floor(static_cast<double>(x.shape[d]) * scales[d]));
    }
  } else if (sizes_t && sizes_t->size() > 0) {
    if (static_cast<size_t>(sizes_t->size()) != r) Fail(n, "sizes must have one value per dimension");
    for (size_t d = 0; d < r; ++d) {
      out[d] = sizes_t->AsInt64(d);
      scales[d] = static_cast<double>(out[d]) / static_cast<double>(x.shape[d]);
    }
  } else {
    Fail(n, "one of scales or sizes is required");
  }
  Tensor y = x;
  for (size_t d = 0; d < r; ++d) {
    if (out[d] <= 0) Fail(n, "output dimension is not positive");
    if (out[d] == x.shape[d] && scales[d] == 1.0 && coord != "tf_half_pixel_for_nn") continue;
    y = ResizeAxis(y, d, out[d], scales[d], mode, coord, nearest);
  }
  Outputs o;
  o.push_back(std::move(y));
  return o;
}

}  // namespace

void RegisterResizeOps(void (*reg)(const char*, OpFn)) { reg("Resize", Resize); }

}  // namespace dyad::convert::exec
