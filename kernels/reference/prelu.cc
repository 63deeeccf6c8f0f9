// Reference PRelu (eq. 19) with a per-channel slope along the last axis:
//   x = q - Z_in;  y = requant(x, M_pos) if x >= 0, requant(x, M_neg[c]) if x < 0;
//   out = clamp(Z_out + y, -128, 127),  c = element index mod channels.
// requant = eq. 6; M_neg may be negative (a slope < 0 flips the sign).
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {

void prelu(const PReluParams& p, const int8_t* input, int8_t* output) {
  prelu_rows(p, input, output, 0, p.rows);
}

void prelu_rows(const PReluParams& p, const int8_t* input, int8_t* output, int64_t row_begin,
                int64_t row_end) {
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int8_t* in = input + r * p.channels;
    int8_t* out = output + r * p.channels;
    for (int32_t c = 0; c < p.channels; ++c) {
      const int32_t x = in[c] - p.input_zero_point;
      const int32_t v = x >= 0 ? requantize_and_clamp(x, p.positive_multiplier, p.positive_shift,
                                                      p.output_zero_point, -128, 127)
                               : requantize_and_clamp(x, p.negative.m(c), p.negative.s(c),
                                                      p.output_zero_point, -128, 127);
      out[c] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace ref
}  // namespace dyad
