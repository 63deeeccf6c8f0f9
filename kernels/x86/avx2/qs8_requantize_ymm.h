// Eq. 6 with one per-tensor multiplier on 8 int32 lanes (AVX2), bit-exact
// with multiply_by_quantized_multiplier (kernels/common/fixed_point.h), then
// + Z_out and the clamp to [lo, hi] ([-128, 127] unless given). For the
// pooling / Mean kernels.
// Anonymous namespace: each including file compiles it with its own flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace dyad {
namespace pool_isa {
namespace {

struct ScalarRequantYmm {
  __m256i multiplier, left_lo, left_hi, left_low_bits, right_mask, right_half;
  __m128i left, right;
  __m256i lo_minus_zp, hi_minus_zp, zero_point;
  bool any_left;

  // multiplier M0 >= 0 (the verifier's range), shift in [-31, 30].
  ScalarRequantYmm(int32_t m0, int32_t shift, int32_t zp, int32_t lo = -128, int32_t hi = 127) {
    const int l = shift > 0 ? shift : 0;
    const int r = shift > 0 ? 0 : -shift;
    any_left = l > 0;
    multiplier = _mm256_set1_epi32(m0);
    left_lo = _mm256_set1_epi32(INT32_MIN >> l);
    left_hi = _mm256_set1_epi32(INT32_MAX >> l);
    left_low_bits = _mm256_set1_epi32(static_cast<int32_t>((int64_t{1} << l) - 1));
    const auto mask = static_cast<int32_t>((int64_t{1} << r) - 1);
    right_mask = _mm256_set1_epi32(mask);
    right_half = _mm256_set1_epi32(mask >> 1);
    left = _mm_cvtsi32_si128(l);
    right = _mm_cvtsi32_si128(r);
    lo_minus_zp = _mm256_set1_epi32(lo - zp);
    hi_minus_zp = _mm256_set1_epi32(hi - zp);
    zero_point = _mm256_set1_epi32(zp);
  }

  __m256i apply(__m256i x) const {
    if (any_left) {
      // Saturating left shift (sqshl): clamp to [INT32_MIN >> l, INT32_MAX >> l],
      // shift, and set the low l bits where the clamp hit the top (-> INT32_MAX).
      const __m256i over = _mm256_cmpgt_epi32(x, left_hi);
      x = _mm256_min_epi32(_mm256_max_epi32(x, left_lo), left_hi);
      x = _mm256_sll_epi32(x, left);
      x = _mm256_or_si256(x, _mm256_and_si256(over, left_low_bits));
    }
    // SRDHM (eq. 4) = floor((x * M0 + 2^30) / 2^31) on 64-bit products of the
    // even and odd lanes (M0 >= 0: the saturating case cannot occur). The
    // result fits 32 bits, so logical 64-bit shifts give the right dword.
    const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, multiplier), round);
    __m256i odd = _mm256_add_epi64(
        _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32)), round);
    even = _mm256_srli_epi64(even, 31);
    odd = _mm256_slli_epi64(odd, 1);
    x = _mm256_blend_epi32(even, odd, 0xAA);
    // RDBP (eq. 5), half away from zero: arithmetic shift, plus one when the
    // remainder exceeds half the divisor (half + 1 for negative x).
    const __m256i remainder = _mm256_and_si256(x, right_mask);
    const __m256i threshold =
        _mm256_sub_epi32(right_half, _mm256_cmpgt_epi32(_mm256_setzero_si256(), x));
    x = _mm256_sub_epi32(_mm256_sra_epi32(x, right), _mm256_cmpgt_epi32(remainder, threshold));
    // + Z_out and clamp (as the reference's int64 sum and clamp).
    x = _mm256_min_epi32(_mm256_max_epi32(x, lo_minus_zp), hi_minus_zp);
    return _mm256_add_epi32(x, zero_point);
  }
};

// 16 int32 lanes (a: 0-7, b: 8-15) already in int8 range -> 16 bytes in order.
inline __m128i pack_16xi8(__m256i a, __m256i b) {
  const __m256i w16 = _mm256_packs_epi32(a, b);     // a0-3 b0-3 | a4-7 b4-7
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // dwords a0-3 b0-3 x x | a4-7 b4-7 x x
  return _mm256_castsi256_si128(
      _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0)));
}

}  // namespace
}  // namespace pool_isa
}  // namespace dyad
