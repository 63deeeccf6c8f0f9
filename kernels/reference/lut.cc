// Reference 256-entry lookup table (eq. 13): out = T[q + 128] for int8 input,
// T[q] for uint8 input. The converter builds T from the exact float function
// (Sigmoid, Tanh, HardSwish, GELU, ...); the runtime only indexes.
#include <cstdint>

#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {

void lut_s8(const int8_t* input, int64_t count, const int8_t* table, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = table[input[i] + 128];
}

void lut_u8(const uint8_t* input, int64_t count, const int8_t* table, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = table[input[i]];
}

// Eq. 13b: u = q + 32768 in [0, 65535], j = u >> 7, t = u & 127;
// out = T[j] + ((T[j+1] - T[j]) * t + 64) >> 7 (rounds half up; the shift is
// arithmetic). Between two int16 samples the result stays between them, so
// it needs no clamp.
void lut_s16(const int16_t* input, int64_t count, const int16_t* table, int16_t* output) {
  for (int64_t i = 0; i < count; ++i) {
    const int32_t u = int32_t{input[i]} + 32768;
    const int32_t j = u >> 7, t = u & 127;
    const int32_t lo = table[j], hi = table[j + 1];
    output[i] = static_cast<int16_t>(lo + (((hi - lo) * t + 64) >> 7));
  }
}

}  // namespace ref
}  // namespace dyad
