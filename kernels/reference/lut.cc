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

}  // namespace ref
}  // namespace dyad
