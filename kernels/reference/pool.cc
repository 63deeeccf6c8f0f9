// Reference pooling over H, W of NHWC int8 or int16 (input and output of one
// type; int16 has zero point 0).
// MaxPool: scale-preserving (no requantization), padding positions ignored,
// dilation supported, result clamped to [act_min, act_max].
// AveragePool: eq. 11, out = clamp(Z_out + requant(sum(q - Z_in), M[count]))
// with eq. 6 as requant; count = valid window positions, or
// kernel_h * kernel_w with count_include_pad. The sum is int64 and narrowed
// to int32 saturating (exact whenever |sum| < 2^31: the verifier bounds the
// window to 2^16 positions for int16).
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

template <typename T>
constexpr int32_t type_min() {
  return sizeof(T) == 1 ? -128 : -32768;
}
template <typename T>
constexpr int32_t type_max() {
  return sizeof(T) == 1 ? 127 : 32767;
}

template <typename T>
void max_pool_typed(const PoolParams& p, const T* input, T* output) {
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        for (int32_t c = 0; c < p.channels; ++c) {
          bool any = false;
          int32_t best = type_min<T>();
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
          output[out_index] = static_cast<T>(
              clamp_i32(clamp_i32(best, p.act_min, p.act_max), type_min<T>(), type_max<T>()));
        }
      }
    }
  }
}

template <typename T>
void average_pool_typed(const PoolParams& p, const T* input, T* output) {
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
              sum += int64_t{input[((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.channels + c]} -
                     p.input_zero_point;
              ++valid;
            }
          }
          const int32_t count = p.count_include_pad ? window : valid;
          const int32_t v =
              requantize_and_clamp(saturate_to_i32(sum), p.count_multiplier[count],
                                   p.count_shift[count], p.output_zero_point, p.act_min, p.act_max);
          const int64_t out_index = ((int64_t{b} * p.out_h + oy) * p.out_w + ox) * p.channels + c;
          output[out_index] = static_cast<T>(clamp_i32(v, type_min<T>(), type_max<T>()));
        }
      }
    }
  }
}

}  // namespace

void max_pool(const PoolParams& p, const void* input, void* output) {
  if (p.type == DType::kInt16) {
    max_pool_typed(p, static_cast<const int16_t*>(input), static_cast<int16_t*>(output));
  } else {
    max_pool_typed(p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
  }
}

void average_pool(const PoolParams& p, const void* input, void* output) {
  if (p.type == DType::kInt16) {
    average_pool_typed(p, static_cast<const int16_t*>(input), static_cast<int16_t*>(output));
  } else {
    average_pool_typed(p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
  }
}

}  // namespace ref
}  // namespace dyad
