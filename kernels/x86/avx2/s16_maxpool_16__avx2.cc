// MaxPool primitive on int16 elements (W8A16 models), AVX2: dst[i] =
// clamp(max over n source rows, lo, hi), 16 elements per step (vpmaxsw). A
// tail of a row >= 16 elements is one more overlapping step ending at the
// row's end (identical values; dst never overlaps a source); 8..15 elements
// use 8-element steps the same way; fewer are scalar.
#include <immintrin.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

inline void max16(const int16_t* const* rows, int32_t n, int64_t i, __m256i lo, __m256i hi,
                  int16_t* dst) {
  __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[0] + i));
  for (int32_t k = 1; k < n; ++k) {
    m = _mm256_max_epi16(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[k] + i)));
  }
  m = _mm256_min_epi16(_mm256_max_epi16(m, lo), hi);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), m);
}

inline void max8(const int16_t* const* rows, int32_t n, int64_t i, __m128i lo, __m128i hi,
                 int16_t* dst) {
  __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + i));
  for (int32_t k = 1; k < n; ++k) {
    m = _mm_max_epi16(m, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[k] + i)));
  }
  m = _mm_min_epi16(_mm_max_epi16(m, lo), hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), m);
}

}  // namespace

void s16_maxpool_16__avx2(const int16_t* const* rows, int32_t n, int64_t length, int16_t lo,
                          int16_t hi, int16_t* dst) {
  if (length >= 16) {
    const __m256i vlo = _mm256_set1_epi16(lo), vhi = _mm256_set1_epi16(hi);
    int64_t i = 0;
    for (; i + 16 <= length; i += 16) max16(rows, n, i, vlo, vhi, dst);
    if (i < length) max16(rows, n, length - 16, vlo, vhi, dst);
    return;
  }
  if (length >= 8) {
    const __m128i vlo = _mm_set1_epi16(lo), vhi = _mm_set1_epi16(hi);
    max8(rows, n, 0, vlo, vhi, dst);
    if (length > 8) max8(rows, n, length - 8, vlo, vhi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    int16_t m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace pool_isa
}  // namespace dyad
