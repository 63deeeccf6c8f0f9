// Shared by the int16 (W8A16) NEON kernels qs16_vadd_16__neon,
// qs16_vmul_16__neon and qs16_gavgpool_c16__neon: eq. 6 for per-tensor
// multipliers M0 >= 0, and the clamped int16 store. AArch64 and ARMv7
// intrinsics only. Included only by files in kernels/arm/neon (anonymous
// namespace: compiled with that folder's flags).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {
namespace {

// Eq. 6 without Z_out / clamp (requant() of docs/quantization.md), for a
// multiplier M0 in [0, 2^31) (the SIMD paths' multiplier_ok), per 4 lanes.
//  - SatShl: sqshl by `left` saturates exactly like saturating_left_shift.
//  - SRDHM (eq. 4): sqrdmulh is (2xM0 + 2^31) >> 32 saturated, rounding half
//    up, the same function as saturating_rounding_doubling_high_mul (see
//    requant_neon.h); its one saturating case needs M0 = -2^31.
//  - RDBP (eq. 5): srshl by -e rounds half UP; the spec rounds half AWAY
//    from zero. Adding x >> 31 (-1 for negative x) first, only where e > 0
//    (x & neg_right keeps the sign bit only then), turns ties of negative
//    values downwards: ssra does that add in one instruction. It cannot
//    wrap: with 0 <= M0 < 2^31 SRDHM's result is > INT32_MIN (the most
//    negative is SRDHM(-2^31, 2^31 - 1) = -2^31 + 1), so the plain add
//    replaces requantize4's and + sshr + sqadd with and + ssra.
inline int32x4_t requantize4_m0_nonneg(int32x4_t acc, const Requant4& q) {
  const int32x4_t high = vqrdmulhq_s32(vqshlq_s32(acc, q.left), q.multiplier);
  return vrshlq_s32(vsraq_n_s32(high, vandq_s32(high, q.neg_right), 31), q.neg_right);
}

inline Requant4 requant4_per_tensor(int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return Requant4{vdupq_n_s32(multiplier), vdupq_n_s32(left), vdupq_n_s32(-right)};
}

// 8 int32 lanes -> 8 int16, saturating (sqxtn / sqxtn2; ARMv7 vqmovn twice).
inline int16x8_t narrow_sat16(int32x4_t lo, int32x4_t hi) {
#if defined(__aarch64__)
  return vqmovn_high_s32(vqmovn_s32(lo), hi);
#else
  return vcombine_s16(vqmovn_s32(lo), vqmovn_s32(hi));
#endif
}

// Eq. 6's clamp to [lo, hi] and the store of 16 int16 outputs (v0..v3: 4
// each, Z_out already added or 0). Exact: the saturating narrow is monotone
// and [lo, hi] lies inside int16, so clamp(sat16(x)) = clamp(x). Only the
// first `count` (<= 16) are written.
inline void store_16xi16_clamped(int32x4_t v0, int32x4_t v1, int32x4_t v2, int32x4_t v3,
                                 int16x8_t lo, int16x8_t hi, int16_t* dst, int count) {
  const int16x8_t w0 = vminq_s16(vmaxq_s16(narrow_sat16(v0, v1), lo), hi);
  const int16x8_t w1 = vminq_s16(vmaxq_s16(narrow_sat16(v2, v3), lo), hi);
  if (count == 16) {
    vst1q_s16(dst, w0);
    vst1q_s16(dst + 8, w1);
  } else {
    int16_t tmp[16];
    vst1q_s16(tmp, w0);
    vst1q_s16(tmp + 8, w1);
    std::memcpy(dst, tmp, static_cast<size_t>(count) * sizeof(int16_t));
  }
}

}  // namespace
}  // namespace arm
}  // namespace dyad
