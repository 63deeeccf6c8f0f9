// MaxPool primitives, AVX2: dst[i] = clamp(max over n source rows, lo, hi).
// int8 (s8_maxpool_32__avx2, vpmaxsb) and int16 data (s16_maxpool_16__avx2,
// vpmaxsw, W8A16 models) share one body: 32 bytes per step; a tail of a row
// of at least half a vector is one more overlapping step ending at the row's
// end (recomputes identical values; dst never overlaps a source) with the
// 32- or 16-byte vector; shorter rows are scalar.
#include <immintrin.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

// The element type's max/min on 32- and 16-byte vectors.
template <typename T>
struct Lanes;
template <>
struct Lanes<int8_t> {
  static __m256i max(__m256i a, __m256i b) { return _mm256_max_epi8(a, b); }
  static __m256i min(__m256i a, __m256i b) { return _mm256_min_epi8(a, b); }
  static __m256i set1(int8_t v) { return _mm256_set1_epi8(v); }
  static __m128i max(__m128i a, __m128i b) { return _mm_max_epi8(a, b); }
  static __m128i min(__m128i a, __m128i b) { return _mm_min_epi8(a, b); }
};
template <>
struct Lanes<int16_t> {
  static __m256i max(__m256i a, __m256i b) { return _mm256_max_epi16(a, b); }
  static __m256i min(__m256i a, __m256i b) { return _mm256_min_epi16(a, b); }
  static __m256i set1(int16_t v) { return _mm256_set1_epi16(v); }
  static __m128i max(__m128i a, __m128i b) { return _mm_max_epi16(a, b); }
  static __m128i min(__m128i a, __m128i b) { return _mm_min_epi16(a, b); }
};

template <typename T, typename V>
inline V load(const T* p) {
  if constexpr (sizeof(V) == 32) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  } else {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
}

// One vector V of outputs at element i.
template <typename T, typename V>
inline void max_step(const T* const* rows, int32_t n, int64_t i, V lo, V hi, T* dst) {
  using L = Lanes<T>;
  V m = load<T, V>(rows[0] + i);
  for (int32_t k = 1; k < n; ++k) m = L::max(m, load<T, V>(rows[k] + i));
  m = L::min(L::max(m, lo), hi);
  if constexpr (sizeof(V) == 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), m);
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), m);
  }
}

template <typename T>
void max_rows(const T* const* rows, int32_t n, int64_t length, T lo, T hi, T* dst) {
  constexpr int64_t kWide = 32 / sizeof(T), kNarrow = 16 / sizeof(T);
  const __m256i vlo = Lanes<T>::set1(lo), vhi = Lanes<T>::set1(hi);
  if (length >= kWide) {
    int64_t i = 0;
    for (; i + kWide <= length; i += kWide) max_step(rows, n, i, vlo, vhi, dst);
    if (i < length) max_step(rows, n, length - kWide, vlo, vhi, dst);
    return;
  }
  if (length >= kNarrow) {
    const __m128i nlo = _mm256_castsi256_si128(vlo), nhi = _mm256_castsi256_si128(vhi);
    max_step(rows, n, 0, nlo, nhi, dst);
    if (length > kNarrow) max_step(rows, n, length - kNarrow, nlo, nhi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    T m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace

void s8_maxpool_32__avx2(const int8_t* const* rows, int32_t n, int64_t length, int8_t lo,
                         int8_t hi, int8_t* dst) {
  max_rows(rows, n, length, lo, hi, dst);
}

void s16_maxpool_16__avx2(const int16_t* const* rows, int32_t n, int64_t length, int16_t lo,
                          int16_t hi, int16_t* dst) {
  max_rows(rows, n, length, lo, hi, dst);
}

}  // namespace pool_isa
}  // namespace dyad
