// MaxPool primitive, AVX2: dst[i] = clamp(max over n source rows, lo, hi),
// 32 bytes per step (vpmaxsb). A tail of a row >= 16 bytes is done by one more
// overlapping step ending at the row's end (recomputes identical bytes; dst
// never overlaps a source); rows under 16 bytes are scalar.
#include <immintrin.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

inline void max32(const int8_t* const* rows, int32_t n, int64_t i, __m256i lo, __m256i hi,
                  int8_t* dst) {
  __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[0] + i));
  for (int32_t k = 1; k < n; ++k) {
    m = _mm256_max_epi8(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[k] + i)));
  }
  m = _mm256_min_epi8(_mm256_max_epi8(m, lo), hi);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), m);
}

inline void max16(const int8_t* const* rows, int32_t n, int64_t i, __m128i lo, __m128i hi,
                  int8_t* dst) {
  __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + i));
  for (int32_t k = 1; k < n; ++k) {
    m = _mm_max_epi8(m, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[k] + i)));
  }
  m = _mm_min_epi8(_mm_max_epi8(m, lo), hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), m);
}

}  // namespace

void s8_maxpool_32__avx2(const int8_t* const* rows, int32_t n, int64_t length, int8_t lo,
                         int8_t hi, int8_t* dst) {
  if (length >= 32) {
    const __m256i vlo = _mm256_set1_epi8(lo), vhi = _mm256_set1_epi8(hi);
    int64_t i = 0;
    for (; i + 32 <= length; i += 32) max32(rows, n, i, vlo, vhi, dst);
    if (i < length) max32(rows, n, length - 32, vlo, vhi, dst);
    return;
  }
  if (length >= 16) {
    const __m128i vlo = _mm_set1_epi8(lo), vhi = _mm_set1_epi8(hi);
    max16(rows, n, 0, vlo, vhi, dst);
    if (length > 16) max16(rows, n, length - 16, vlo, vhi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    int8_t m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace pool_isa
}  // namespace dyad
