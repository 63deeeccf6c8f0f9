// Reference LayerNorm over the last axis (eq. 15), C = cols values q_i per row.
// The mean and variance are kept exact by scaling with C (no rounded mean):
//   Sum = sum_i q_i,  Sum2 = sum_i q_i^2                         (int64)
//   D_i = C·q_i - Sum = C·(q_i - mean)
//   V   = C·Sum2 - Sum^2 + epsilon·C^2 = C^2·(var + epsilon)     (>= C^2 > 0)
//   so n_i = (q_i - mean)/sqrt(var + epsilon) = D_i / sqrt(V) exactly.
//   (V is saturated at 2^62 - 1; it is exact for C <= 2^15 and epsilon <= 2^30.
//   C <= 2^22 keeps every int64 product below 2^62; the verifier bounds C.)
// Integer reciprocal square root, once per row:
//   b = floor(log2 V),  e = (61 - b) & ~1  (even),  W = V·2^e in [2^60, 2^62)
//   s = floor(sqrt(W))  (exact integer sqrt, digit by digit)  in [2^30, 2^31)
//   R = round(2^61 / s) = floor((2^62 + s) / (2s))  in (2^30, 2^31]
// Per element: n_fixed_i = RDBP64(D_i·R, 49 - e/2)  (int64 product; rounding
//   shift half away from zero), saturated to int32; then
//   out_i = clamp(Z_out + bias[c] + requant(n_fixed_i, M[c]), act_min, act_max)
//   with requant = eq. 6 (M[c] may be negative).
// Error bound: R/2^61 = (1/sqrt(W))·(1 + rho) with |rho| < 2^-30 + 2^-31 < 2^-29
// (s is sqrt(W) minus less than 1, R is 2^61/s plus at most 1/2), so before the
// final rounding the value differs from 2^12·n_i by less than 2^12·|n_i|·2^-29:
//   |n_fixed_i - 2^12·n_i| <= 1/2 + |n_i|·2^-17      (|n_i| <= sqrt(C - 1)),
// i.e. n_fixed is the correctly rounded 2^12·n except within 2^-17·|n| of a tie.
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

constexpr int64_t kMaxV = (int64_t{1} << 62) - 1;

int floor_log2(uint64_t v) {  // v > 0
  int k = 0;
  while (v >>= 1) ++k;
  return k;
}

// floor(sqrt(v)), exact, by the digit-by-digit (base 4) method.
uint64_t isqrt(uint64_t v) {
  uint64_t result = 0;
  uint64_t bit = uint64_t{1} << 62;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (v >= result + bit) {
      v -= result + bit;
      result = (result >> 1) + bit;
    } else {
      result >>= 1;
    }
    bit >>= 2;
  }
  return result;
}

// x / 2^shift rounded half away from zero, shift in [1, 62], |x| < 2^62.
int64_t rounding_shift_64(int64_t x, int shift) {
  const int64_t half = int64_t{1} << (shift - 1);
  return x >= 0 ? (x + half) >> shift : -((-x + half) >> shift);
}

// C^2·(var + epsilon), saturated at kMaxV.
int64_t scaled_variance(int64_t cols, int64_t sum, int64_t sum_sq, int64_t epsilon) {
  const int64_t spread = cols * sum_sq - sum * sum;  // >= 0 (Cauchy-Schwarz)
  const int64_t cols_sq = cols * cols;
  if (epsilon > 0 && cols_sq > (kMaxV - spread) / epsilon) return kMaxV;
  return spread + epsilon * cols_sq;
}

}  // namespace

void layer_norm(const LayerNormParams& p, const int8_t* input, int8_t* output) {
  layer_norm_rows(p, input, output, 0, p.rows);
}

void layer_norm_rows(const LayerNormParams& p, const int8_t* input, int8_t* output,
                     int64_t row_begin, int64_t row_end) {
  const int64_t cols = p.cols;
  const int64_t epsilon = p.epsilon > 0 ? p.epsilon : 1;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int8_t* in = input + r * cols;
    int8_t* out = output + r * cols;
    int64_t sum = 0;
    int64_t sum_sq = 0;
    for (int64_t i = 0; i < cols; ++i) {
      sum += in[i];
      sum_sq += int64_t{in[i]} * in[i];
    }
    const int64_t v = scaled_variance(cols, sum, sum_sq, epsilon);
    const int even_shift = (61 - floor_log2(static_cast<uint64_t>(v))) & ~1;
    const int64_t root = static_cast<int64_t>(isqrt(static_cast<uint64_t>(v) << even_shift));
    const int64_t reciprocal = ((int64_t{1} << 62) + root) / (2 * root);
    const int shift = 49 - even_shift / 2;
    for (int64_t i = 0; i < cols; ++i) {
      const int64_t centered = cols * in[i] - sum;  // C·(q - mean)
      const int32_t n_fixed = saturate_to_i32(rounding_shift_64(centered * reciprocal, shift));
      const int32_t c = static_cast<int32_t>(i);
      const int64_t bias = p.bias != nullptr ? p.bias[c] : 0;
      const int64_t value = int64_t{p.output_zero_point} + bias +
                            multiply_by_quantized_multiplier(n_fixed, p.requant.m(c), p.requant.s(c));
      out[i] = static_cast<int8_t>(clamp_i32(
          clamp_i32(saturate_to_i32(value), p.act_min, p.act_max), -128, 127));
    }
  }
}

}  // namespace ref
}  // namespace dyad
