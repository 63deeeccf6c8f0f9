// Reference Mean over a set of axes: eq. 12, out = clamp(Z_out +
// requant(sum(q - Z_in), M)) with the static count folded into M
// (M = S_in / (S_out * count)) and eq. 6 as requant; clamp to the output
// type. Input and output are both int8 or both int16 (Z = 0).
// The output holds the kept dims in order (keep_dims only changes the shape).
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

template <typename T>
void mean_typed(const MeanParams& p, const T* input, T* output) {
  constexpr int32_t kLo = sizeof(T) == 1 ? -128 : -32768;
  constexpr int32_t kHi = sizeof(T) == 1 ? 127 : 32767;
  const int rank = p.in.rank;
  // Input strides, then the output's extent along each kept dim.
  int64_t in_stride[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_stride[d] = stride;
    stride *= p.in.dims[d];
  }
  int64_t out_count = 1;
  int64_t reduce_count = 1;
  for (int d = 0; d < rank; ++d) {
    if (p.reduce[d]) {
      reduce_count *= p.in.dims[d];
    } else {
      out_count *= p.in.dims[d];
    }
  }
  for (int64_t o = 0; o < out_count; ++o) {
    // Base offset of this output element: decompose o over the kept dims.
    int64_t base = 0;
    int64_t rest = o;
    for (int d = rank - 1; d >= 0; --d) {
      if (p.reduce[d]) continue;
      base += (rest % p.in.dims[d]) * in_stride[d];
      rest /= p.in.dims[d];
    }
    int64_t sum = 0;  // the reduced count is unbounded: int64
    for (int64_t r = 0; r < reduce_count; ++r) {
      int64_t offset = base;
      int64_t rr = r;
      for (int d = rank - 1; d >= 0; --d) {
        if (!p.reduce[d]) continue;
        offset += (rr % p.in.dims[d]) * in_stride[d];
        rr /= p.in.dims[d];
      }
      sum += int64_t{input[offset]} - p.input_zero_point;
    }
    output[o] = static_cast<T>(requantize_and_clamp(saturate_to_i32(sum), p.multiplier, p.shift,
                                                    p.output_zero_point, kLo, kHi));
  }
}

}  // namespace

void mean(const MeanParams& p, const void* input, void* output) {
  if (p.type == DType::kInt16) {
    mean_typed(p, static_cast<const int16_t*>(input), static_cast<int16_t*>(output));
  } else {
    mean_typed(p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
  }
}

}  // namespace ref
}  // namespace dyad
