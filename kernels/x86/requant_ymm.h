// Eq. 6 on 8 int32 lanes with AVX2 instructions, bit-exact with
// multiply_by_quantized_multiplier in kernels/common/fixed_point.h, plus the
// output zero point, clamp and int8 store. Included by the AVX2 and AVX-VNNI
// files (anonymous namespace: compiled with each file's flags).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"

namespace dyad {
namespace x86 {
namespace {

// `prm` points at packed parameter arrays (PackedParam order, `stride`
// entries each, 32-byte aligned); `j` is the first of the 8 channels.
// Eq. 6 without the output zero point and clamp (see requantize_ymm).
inline __m256i requantize_ymm_unclamped(__m256i x, const int32_t* prm, int64_t stride, int64_t j,
                                        const Epilogue& e) {
  auto load = [&](int array) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(prm + array * stride + j));
  };
  if (e.any_left_shift) {
    // Saturating left shift: clamp to [INT32_MIN >> l, INT32_MAX >> l], shift,
    // and set the low l bits where the clamp hit the top (-> INT32_MAX).
    const __m256i hi = load(kPackedLeftHi);
    const __m256i over = _mm256_cmpgt_epi32(x, hi);
    x = _mm256_min_epi32(_mm256_max_epi32(x, load(kPackedLeftLo)), hi);
    x = _mm256_sllv_epi32(x, load(kPackedLeftShift));
    x = _mm256_or_si256(x, _mm256_and_si256(over, load(kPackedLeftLowBits)));
  }
  // SRDHM (eq. 4): (x * M0 + 2^30) >> 31 on 64-bit products of even and odd
  // lanes. Adding 2^30 then an arithmetic shift equals gemmlowp's signed nudge
  // plus truncating division; the one saturating case (x = M0 = INT32_MIN)
  // cannot occur because conv2d_can_use rejects M0 = INT32_MIN. The result
  // fits in 32 bits, so a logical 64-bit shift leaves the right low dword.
  const __m256i m = load(kPackedMultiplier);
  const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), round);
  __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)), round);
  even = _mm256_srli_epi64(even, 31);
  odd = _mm256_slli_epi64(odd, 1);  // bits 31..62 into the high dword
  x = _mm256_blend_epi32(even, odd, 0xAA);
  // RDBP (eq. 5): round half away from zero = arithmetic shift, plus one when
  // the remainder exceeds half the divisor (half + 1 for negative x).
  const __m256i mask = load(kPackedRightMask);
  const __m256i remainder = _mm256_and_si256(x, mask);
  const __m256i threshold =
      _mm256_sub_epi32(load(kPackedRightHalf), _mm256_cmpgt_epi32(_mm256_setzero_si256(), x));
  x = _mm256_srav_epi32(x, load(kPackedRightShift));
  return _mm256_sub_epi32(x, _mm256_cmpgt_epi32(remainder, threshold));
}

inline __m256i requantize_ymm(__m256i x, const int32_t* prm, int64_t stride, int64_t j,
                              const Epilogue& e) {
  x = requantize_ymm_unclamped(x, prm, stride, j, e);
  // + Z_out and clamp.
  x = _mm256_max_epi32(x, _mm256_set1_epi32(e.lo_minus_zp));
  x = _mm256_min_epi32(x, _mm256_set1_epi32(e.hi_minus_zp));
  return _mm256_add_epi32(x, _mm256_set1_epi32(e.zero_point));
}

// Stores channels 0..7 (a) and 8..15 (b), already in int8 range, as 16 bytes
// in channel order; only the first n (<= 16) are written.
inline void store_16xi8(int8_t* out, __m256i a, __m256i b, int n) {
  const __m256i w16 = _mm256_packs_epi32(a, b);     // a0-3 b0-3 | a4-7 b4-7
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // dwords: a0-3 b0-3 . . | a4-7 b4-7 . .
  const __m256i ordered = _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0));
  const __m128i bytes = _mm256_castsi256_si128(ordered);
  if (n >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(out, tmp, static_cast<size_t>(n));
  }
}

}  // namespace
}  // namespace x86
}  // namespace dyad
