// Loads and stores of the int16 Add / Sub / Mul kernels
// (qs16_vadd_16__avx2.cc, qs16_vmul_16__avx2.cc): 16 int16 elements per
// block as two ymm of 8 int32. Included only by AVX2 files (anonymous
// namespace: compiled with each file's flags).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace dyad {
namespace x86 {
namespace {

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
