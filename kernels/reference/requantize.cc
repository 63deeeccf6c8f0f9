// Reference Requantize (eq. 16): out = clamp(Z_out + requant(q - Z_in, M),
// act_min, act_max), requant = eq. 6. Input int8, uint8, int16 or int32;
// output int8 or int16. q - Z_in is formed in int64 and saturated to int32
// (it can only overflow for int32 input with a far-off zero point).
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

int64_t load(DType type, const void* data, int64_t i) {
  switch (type) {
    case DType::kInt8: return static_cast<const int8_t*>(data)[i];
    case DType::kUInt8: return static_cast<const uint8_t*>(data)[i];
    case DType::kInt16: return static_cast<const int16_t*>(data)[i];
    case DType::kInt32: return static_cast<const int32_t*>(data)[i];
  }
  return 0;
}

}  // namespace

void requantize(const RequantizeParams& p, const void* input, void* output) {
  const bool out16 = p.output_type == DType::kInt16;
  const int32_t type_min = out16 ? -32768 : -128;
  const int32_t type_max = out16 ? 32767 : 127;
  for (int64_t i = 0; i < p.count; ++i) {
    const int32_t x = saturate_to_i32(load(p.input_type, input, i) - p.input_zero_point);
    const int32_t v = clamp_i32(requantize_and_clamp(x, p.multiplier, p.shift, p.output_zero_point,
                                                     p.act_min, p.act_max),
                                type_min, type_max);
    if (out16) {
      static_cast<int16_t*>(output)[i] = static_cast<int16_t>(v);
    } else {
      static_cast<int8_t*>(output)[i] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace ref
}  // namespace dyad
