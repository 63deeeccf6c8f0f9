// Reference pooling over H, W of NHWC int8.
// MaxPool: scale-preserving (no requantization), padding positions ignored,
// dilation supported, result clamped to [act_min, act_max].
// AveragePool: eq. 11, out = clamp(Z_out + requant(sum(q - Z_in), M[count]))
// with eq. 6 as requant; count = valid window positions, or
// kernel_h * kernel_w with count_include_pad.
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {

void max_pool(const PoolParams& p, const int8_t* input, int8_t* output) {
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        for (int32_t c = 0; c < p.channels; ++c) {
          bool any = false;
          int32_t best = -128;
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const int32_t v =
                  input[((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.channels + c];
              if (!any || v > best) best = v;
              any = true;
            }
          }
          // A window made only of padding (never produced by a sane converter)
          // yields the output zero point, i.e. real 0.
          if (!any) best = p.output_zero_point;
          const int64_t out_index = ((int64_t{b} * p.out_h + oy) * p.out_w + ox) * p.channels + c;
          output[out_index] =
              static_cast<int8_t>(clamp_i32(clamp_i32(best, p.act_min, p.act_max), -128, 127));
        }
      }
    }
  }
}

void average_pool(const PoolParams& p, const int8_t* input, int8_t* output) {
  const int32_t window = p.kernel_h * p.kernel_w;
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        for (int32_t c = 0; c < p.channels; ++c) {
          int64_t sum = 0;  // window size is unbounded by the format: int64
          int32_t valid = 0;
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t iy = oy * p.stride_h - p.pad_top + ky;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t ix = ox * p.stride_w - p.pad_left + kx;
              if (ix < 0 || ix >= p.in_w) continue;
              sum += input[((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.channels + c] -
                     p.input_zero_point;
              ++valid;
            }
          }
          const int32_t count = p.count_include_pad ? window : valid;
          const int32_t v =
              requantize_and_clamp(saturate_to_i32(sum), p.count_multiplier[count],
                                   p.count_shift[count], p.output_zero_point, p.act_min, p.act_max);
          const int64_t out_index = ((int64_t{b} * p.out_h + oy) * p.out_w + ox) * p.channels + c;
          output[out_index] = static_cast<int8_t>(clamp_i32(v, -128, 127));
        }
      }
    }
  }
}

}  // namespace ref
}  // namespace dyad
