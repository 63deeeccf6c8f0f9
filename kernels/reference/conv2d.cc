// Reference Conv2D: eq. 2 (int32 accumulator with zero-point expansion and
// bias), eq. 6 (per-channel or per-tensor requantization) and the clamp.
// NHWC input (int8, or int16 with zero point 0), OHWI weights
// [out_c, kernel_h, kernel_w, in_c / groups].
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

template <typename T>
void conv2d_typed(const ConvParams& p, const T* input, const int8_t* weights, const int32_t* bias,
                  void* output) {
  const int32_t in_per_group = p.in_c / p.groups;
  const int32_t out_per_group = p.out_c / p.groups;
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        for (int32_t oc = 0; oc < p.out_c; ++oc) {
          const int32_t group = oc / out_per_group;
          // int64 so that even an unverified layer cannot overflow (UB); equal
          // to int32 accumulation whenever that fits (eq. 2).
          int64_t acc = bias != nullptr ? bias[oc] : 0;
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;  // padding: (Z_in - Z_in) * w = 0
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
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

void conv2d(const ConvParams& p, const void* input, const int8_t* weights, const int32_t* bias,
            void* output) {
  if (p.input_type == DType::kInt16) {
    conv2d_typed(p, static_cast<const int16_t*>(input), weights, bias, output);
  } else {
    conv2d_typed(p, static_cast<const int8_t*>(input), weights, bias, output);
  }
}

}  // namespace ref
}  // namespace dyad
