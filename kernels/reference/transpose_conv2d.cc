// Reference TransposeConv2D: eq. 2 (int32 accumulator with zero-point
// expansion and bias) and eq. 6 (requantization), then the clamp.
// Input pixel (iy, ix) and kernel tap (ky, kx) feed output pixel
//   oy = iy * stride_h - pad_top + ky * dilation_h   (same for x);
// contributions that land outside [0, out_h) x [0, out_w) are dropped.
// NHWC input (int8, or int16 with zero point 0), OHWI weights
// [out_c, kernel_h, kernel_w, in_c / groups].
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

template <typename T>
void transpose_conv2d_typed(const ConvParams& p, const T* input, const int8_t* weights,
                            const int32_t* bias, void* output) {
  const int32_t in_per_group = p.in_c / p.groups;
  const int32_t out_per_group = p.out_c / p.groups;
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        for (int32_t oc = 0; oc < p.out_c; ++oc) {
          const int32_t group = oc / out_per_group;
          int64_t acc = bias != nullptr ? bias[oc] : 0;
          // Gather form of the scatter above: iy = (oy + pad_top - ky*dilation) / stride
          // when that division is exact and iy is inside the input.
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t ny = oy + p.pad_top - ky * p.dilation_h;
            if (ny < 0 || ny % p.stride_h != 0) continue;
            const int32_t iy = ny / p.stride_h;
            if (iy >= p.in_h) continue;
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t nx = ox + p.pad_left - kx * p.dilation_w;
              if (nx < 0 || nx % p.stride_w != 0) continue;
              const int32_t ix = nx / p.stride_w;
              if (ix >= p.in_w) continue;
              const T* in_px =
                  input + ((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.in_c + group * in_per_group;
              const int8_t* w_px =
                  weights + ((int64_t{oc} * p.kernel_h + ky) * p.kernel_w + kx) * in_per_group;
              for (int32_t ic = 0; ic < in_per_group; ++ic) {
                acc += (int64_t{in_px[ic]} - p.input_zero_point) * w_px[ic];
              }
            }
          }
          const int64_t out_index = ((int64_t{b} * p.out_h + oy) * p.out_w + ox) * p.out_c + oc;
          store_accumulator(p.output_type, p.requant, oc, p.output_zero_point, p.act_min,
                            p.act_max, saturate_to_i32(acc), output, out_index);
        }
      }
    }
  }
}

}  // namespace

void transpose_conv2d(const ConvParams& p, const void* input, const int8_t* weights,
                      const int32_t* bias, void* output) {
  if (p.input_type == DType::kInt16) {
    transpose_conv2d_typed(p, static_cast<const int16_t*>(input), weights, bias, output);
  } else {
    transpose_conv2d_typed(p, static_cast<const int8_t*>(input), weights, bias, output);
  }
}

}  // namespace ref
}  // namespace dyad
