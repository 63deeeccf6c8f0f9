// Mean over rows of int8 channels (GlobalAveragePool), AVX2: 32 channels per
// step, each row added into int16 lanes (exact for up to 256 rows: |sum| <=
// 256 * 128), widened into int32 every 256 rows; then + bias (= -rows * Z_in)
// and eq. 6 per lane (qs8_requantize_ymm.h, bit-exact with the reference).
#include <immintrin.h>

#include <cstdint>

#include "kernels/common/mean_channel_blocks.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/ref_util.h"
#include "kernels/x86/avx2/qs8_requantize_ymm.h"

namespace dyad {
namespace pool_isa {
namespace {

constexpr int64_t kRowsPerInt16Pass = 256;

void block32(const int8_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
             const ScalarRequantYmm& q, int8_t* out) {
  __m256i acc[4];
  for (auto& a : acc) a = _mm256_set1_epi32(rq.bias);
  for (int64_t r0 = 0; r0 < rows; r0 += kRowsPerInt16Pass) {
    const int64_t r1 = rows - r0 < kRowsPerInt16Pass ? rows : r0 + kRowsPerInt16Pass;
    __m256i lo16 = _mm256_setzero_si256(), hi16 = _mm256_setzero_si256();
    for (int64_t r = r0; r < r1; ++r) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + r * stride));
      lo16 = _mm256_add_epi16(lo16, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(x)));
      hi16 = _mm256_add_epi16(hi16, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(x, 1)));
    }
    acc[0] = _mm256_add_epi32(acc[0], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(lo16)));
    acc[1] = _mm256_add_epi32(acc[1], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(lo16, 1)));
    acc[2] = _mm256_add_epi32(acc[2], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(hi16)));
    acc[3] = _mm256_add_epi32(acc[3], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(hi16, 1)));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), pack_16xi8(q.apply(acc[0]), q.apply(acc[1])));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16),
                   pack_16xi8(q.apply(acc[2]), q.apply(acc[3])));
}

void block8(const int8_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
            const ScalarRequantYmm& q, int8_t* out) {
  __m256i acc = _mm256_set1_epi32(rq.bias);
  for (int64_t r = 0; r < rows; ++r) {
    const __m128i x = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + r * stride));
    acc = _mm256_add_epi32(acc, _mm256_cvtepi8_epi32(x));
  }
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out),
                   pack_16xi8(q.apply(acc), _mm256_setzero_si256()));
}

}  // namespace

void qs8_gavgpool_c32__avx2(const int8_t* input, int64_t rows, int64_t stride, int64_t channels,
                            const MeanRequant& rq, int8_t* output) {
  const ScalarRequantYmm q(rq.multiplier, rq.shift, rq.zero_point);
  mean_channel_blocks<32>(
      input, rows, stride, channels, rq, output,
      [&](const int8_t* in, int8_t* out) { block32(in, rows, stride, rq, q, out); },
      [&](const int8_t* in, int8_t* out) { block8(in, rows, stride, rq, q, out); });
}

}  // namespace pool_isa
}  // namespace dyad
