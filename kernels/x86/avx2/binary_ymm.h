// Shared by the AVX2 Add / Sub / Mul kernels (qs8_v{add,mul}_16__avx2.cc,
// qs16_v{add,mul}_16__avx2.cc): eq. 7's rescale of one input, eq. 8's
// saturating sum, and the int16 kernels' loads and stores (16 int16 elements
// per block as two ymm of 8 int32). Included only by AVX2 files (anonymous
// namespace: compiled with each file's flags).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/elementwise_kernels.h"
#include "kernels/x86/requant_ymm.h"

namespace dyad {
namespace x86 {
namespace {

// Per-call constants of one input's eq. 7 (x = q - Z already formed).
struct RescaleConstants {
  __m256i high, low, round, right_mask, right_half;
  __m128i left_shift, split_bits, right_shift;
  bool split;
  Epilogue e;
  const int32_t* lanes;
  RescaleConstants(const BinaryRequant& r, int32_t l) {
    high = _mm256_set1_epi32(r.split_high);
    low = _mm256_set1_epi32(r.split_low);
    round = _mm256_set1_epi32(r.split_round);
    const int32_t right = -r.neg_right;
    right_mask = _mm256_set1_epi32(static_cast<int32_t>((uint32_t{1} << right) - 1));
    right_half = _mm256_set1_epi32(static_cast<int32_t>(((uint32_t{1} << right) - 1) >> 1));
    left_shift = _mm_cvtsi32_si128(l);
    split_bits = _mm_cvtsi32_si128(r.split_bits);
    right_shift = _mm_cvtsi32_si128(right);
    split = r.split;
    e = Epilogue{0, 0, 0, r.left > 0};
    lanes = &r.lanes[0][0];
  }
};

// Eq. 7 in the int32 split form (BinaryRequant::split: vpmulld instead of
// 64-bit products), then its RDBP (eq. 5 as in requant_ymm.h: arithmetic
// shift, plus one where the remainder exceeds half the divisor, half + 1 for
// negative v). Branch-free: with a right shift of 0 the RDBP is the identity
// (mask 0, so no remainder exceeds the threshold).
inline __m256i rescale_split(__m256i x, const RescaleConstants& c) {
  __m256i v = _mm256_add_epi32(
      _mm256_mullo_epi32(x, c.high),
      _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(x, c.low), c.round), c.split_bits));
  const __m256i remainder = _mm256_and_si256(v, c.right_mask);
  const __m256i threshold =
      _mm256_sub_epi32(c.right_half, _mm256_cmpgt_epi32(_mm256_setzero_si256(), v));
  v = _mm256_sra_epi32(v, c.right_shift);
  return _mm256_sub_epi32(v, _mm256_cmpgt_epi32(remainder, threshold));
}

// Eq. 7, either form (the 64-bit-product eq. 6 of requant_ymm.h otherwise).
inline __m256i rescale(__m256i x, const RescaleConstants& c) {
  if (c.split) return rescale_split(x, c);
  return requantize_ymm_unclamped(_mm256_sll_epi32(x, c.left_shift), c.lanes, 16, 0, c.e);
}

// Eq. 8 saturated to int32 (the reference sums in int64 and saturates):
// on overflow the result takes the sign of `a`.
inline __m256i saturate_on_overflow(__m256i a, __m256i sum, __m256i overflow) {
  const __m256i saturated =
      _mm256_xor_si256(_mm256_srai_epi32(a, 31), _mm256_set1_epi32(INT32_MAX));
  return _mm256_blendv_epi8(sum, saturated, _mm256_srai_epi32(overflow, 31));
}
inline __m256i add_saturate(__m256i a, __m256i b) {
  const __m256i s = _mm256_add_epi32(a, b);
  return saturate_on_overflow(a, s, _mm256_and_si256(_mm256_xor_si256(a, s), _mm256_xor_si256(b, s)));
}
inline __m256i sub_saturate(__m256i a, __m256i b) {
  const __m256i s = _mm256_sub_epi32(a, b);
  return saturate_on_overflow(a, s, _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, s)));
}

// Elements 0..7 and 8..15 of 16 readable int16, sign-extended to int32.
inline void load_16xi16(const int16_t* p, __m256i* lo, __m256i* hi) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  *lo = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(q));
  *hi = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(q, 1));
}

// Eq. 6's clamp (Z_out = 0) and the int16 store for 16 lanes: a, b
// (elements 0..7, 8..15) come from requantize_ymm_unclamped. Exact:
// vpackssdw saturates to int16, which is monotonic and cannot move a value
// across [lo, hi] (inside int16), so clamp(sat16(x)) = clamp(x). Only the
// first n (<= 16) elements are written.
inline void store_16xi16_clamped(int16_t* out, __m256i a, __m256i b, __m256i lo, __m256i hi,
                                 int n) {
  __m256i w = _mm256_packs_epi32(a, b);     // a0-3 b0-3 | a4-7 b4-7
  w = _mm256_permute4x64_epi64(w, 0xD8);    // a0-7 | b0-7
  w = _mm256_min_epi16(_mm256_max_epi16(w, lo), hi);
  if (n >= 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), w);
  } else {
    alignas(32) int16_t tmp[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), w);
    std::memcpy(out, tmp, static_cast<size_t>(n) * sizeof(int16_t));
  }
}

}  // namespace
}  // namespace x86
}  // namespace dyad
