// Small helpers shared by the reference kernels (integer only).
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/common/fixed_point.h"
#include "kernels/common/params.h"

namespace dyad {
namespace ref {

// Narrows a wide sum to int32, saturating: identical to int32 accumulation
// whenever that does not overflow, and defined behaviour when it would.
inline int32_t saturate_to_i32(int64_t v) {
  if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (v < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

// Eq. 6 followed by the output zero point and the clamp, computed in int64 so
// that Z_out + requant() itself cannot overflow before the clamp.
inline int32_t requantize_and_clamp(int32_t acc, int32_t multiplier, int shift,
                                    int32_t zero_point, int32_t lo, int32_t hi) {
  const int64_t v = int64_t{multiply_by_quantized_multiplier(acc, multiplier, shift)} + zero_point;
  return clamp_i32(saturate_to_i32(v), lo, hi);
}

// Stores one conv/FC output: kInt32 keeps the raw accumulator (bias included);
// kInt8 / kInt16 are requantized with channel c's multiplier and clamped.
inline void store_accumulator(DType type, const ChannelRequant& rq, int32_t c,
                              int32_t output_zero_point, int32_t act_min, int32_t act_max,
                              int32_t acc, void* output, int64_t index) {
  if (type == DType::kInt32) {
    static_cast<int32_t*>(output)[index] = acc;
    return;
  }
  const int32_t v = requantize_and_clamp(acc, rq.m(c), rq.s(c), output_zero_point, act_min, act_max);
  // The second clamp only matters for act bounds wider than the dtype, which
  // the verifier rejects; it keeps the narrowing cast well defined anyway.
  if (type == DType::kInt16) {
    static_cast<int16_t*>(output)[index] = static_cast<int16_t>(clamp_i32(v, -32768, 32767));
  } else {
    static_cast<int8_t*>(output)[index] = static_cast<int8_t>(clamp_i32(v, -128, 127));
  }
}

}  // namespace ref
}  // namespace dyad
