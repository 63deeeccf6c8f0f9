// Fixed-point primitives of dyad's requantization (docs/quantization.md §3).
// Every kernel, reference or SIMD, must reproduce these bit for bit; the
// tests check them against gemmlowp's fixedpoint.h.
#pragma once

#include <cstdint>
#include <limits>

namespace dyad {

// Saturating rounding doubling high multiply (eq. 4).
//   result = saturate(round_half_up(a * b / 2^31)); the single overflowing case
//   a = b = INT32_MIN saturates to INT32_MAX.
// The signed nudge plus truncating division sends positive ties up and
// negative ties toward zero, i.e. ties always round toward +infinity: exactly
// NEON `sqrdmulh` ((2ab + 2^31) >> 32) and gemmlowp's
// SaturatingRoundingDoublingHighMul. Example: SRDHM(-3, 2^30) = -1.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division (not shift) truncates toward zero; with the signed nudge this is
  // floor((ab + 2^30) / 2^31), i.e. round half up.
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// Rounding arithmetic right shift by `exponent` in [0, 31] (eq. 5), rounding
// half away from zero. Mirrors gemmlowp RoundingDivideByPOT; NEON `srshl` by
// a negative amount rounds half up, so SIMD paths add a sign fix-up first.
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// Saturating left shift by `exponent` in [0, 31]: x * 2^exponent clamped to
// int32. Mirrors NEON `sqshl`; on x86 a clamp of x to
// [INT32_MIN >> e, INT32_MAX >> e] followed by `vpslld` is equivalent.
inline int32_t saturating_left_shift(int32_t x, int exponent) {
  const int64_t v = static_cast<int64_t>(x) * (int64_t{1} << exponent);
  if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (v < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

// The one requantization of dyad (eq. 6): x * M with M = multiplier * 2^(shift-31),
// multiplier in [2^30, 2^31) (or any int32 for the few ops that allow signed
// multipliers), shift in [-31, 30].
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(saturating_left_shift(x, left), multiplier), right);
}

inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Valid dyadic multiplier as the verifier accepts it: M0 = 0 or |M0| in
// [2^30, 2^31); shift in [-31, 30]. `allow_negative` for LayerNorm/PRelu.
inline bool is_valid_multiplier(int64_t m0, int64_t shift, bool allow_negative = false) {
  if (shift < -31 || shift > 30) return false;
  if (m0 == 0) return true;
  if (m0 < 0) {
    if (!allow_negative) return false;
    m0 = -m0;
  }
  return m0 >= (int64_t{1} << 30) && m0 < (int64_t{1} << 31);
}

}  // namespace dyad
