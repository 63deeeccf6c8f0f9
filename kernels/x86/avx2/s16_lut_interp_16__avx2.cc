// Interpolated int16 table (eq. 13b), AVX2, 16 elements per step, bit-exact
// with ref::lut_s16. One vpgatherdd per 8 elements reads the 32-bit word at
// T + j: its low half is T[j], its high half T[j + 1] (j = u >> 7 <= 511, so
// the word never passes T[512]). The blend (T[j+1] - T[j]) * t + 64 fits
// int32 (|T[j+1] - T[j]| <= 65535, t <= 127) and >> 7 is arithmetic, as in
// the reference.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

// 8 outputs from 8 sign-extended int16 inputs q.
inline __m256i lookup8(__m256i q, const int16_t* table) {
  const __m256i u = _mm256_add_epi32(q, _mm256_set1_epi32(32768));
  const __m256i j = _mm256_srli_epi32(u, 7);
  const __m256i t = _mm256_and_si256(u, _mm256_set1_epi32(127));
  // Byte offset 2j: scale 2 on the int16 index.
  const __m256i pair = _mm256_i32gather_epi32(reinterpret_cast<const int*>(table), j, 2);
  const __m256i lo = _mm256_srai_epi32(_mm256_slli_epi32(pair, 16), 16);
  const __m256i hi = _mm256_srai_epi32(pair, 16);
  const __m256i step = _mm256_mullo_epi32(_mm256_sub_epi32(hi, lo), t);
  return _mm256_add_epi32(lo, _mm256_srai_epi32(_mm256_add_epi32(step, _mm256_set1_epi32(64)), 7));
}

inline void lookup16(const int16_t* in, const int16_t* table, int16_t* out) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  const __m256i a = lookup8(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(q)), table);
  const __m256i b = lookup8(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(q, 1)), table);
  // Every value lies between two int16 samples: the saturating pack is exact.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), packed);
}

}  // namespace

void s16_lut_interp_16__avx2(const int16_t* input, int64_t count, const int16_t* table,
                             int16_t* output) {
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) lookup16(input + i, table, output + i);
  if (i < count) {  // the tail on a zero-padded copy
    alignas(32) int16_t in[16] = {}, out[16];
    std::memcpy(in, input + i, static_cast<size_t>(count - i) * sizeof(int16_t));
    lookup16(in, table, out);
    std::memcpy(output + i, out, static_cast<size_t>(count - i) * sizeof(int16_t));
  }
}

}  // namespace pool_isa
}  // namespace dyad
