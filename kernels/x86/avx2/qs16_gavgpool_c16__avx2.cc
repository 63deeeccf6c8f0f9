// Mean over rows of int16 channels (GlobalAveragePool of W8A16 models), AVX2:
// 16 channels per step, each row widened and added into int32 lanes (exact:
// the runtime allows at most 65536 rows, |sum| <= 2^31), then + bias (0: Z_in
// = 0) and eq. 6 per lane (qs8_requantize_ymm.h with int16 bounds, bit-exact
// with ref::mean), packed to int16.
#include <immintrin.h>

#include <cstdint>

#include "kernels/common/mean_channel_blocks.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/ref_util.h"
#include "kernels/x86/avx2/qs8_requantize_ymm.h"

namespace dyad {
namespace pool_isa {
namespace {

// 16 int32 lanes (a: 0-7, b: 8-15) inside int16 -> 16 int16 in order.
inline __m256i pack_16xi16(__m256i a, __m256i b) {
  return _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
}

void block16(const int16_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
             const ScalarRequantYmm& q, int16_t* out) {
  __m256i a = _mm256_set1_epi32(rq.bias), b = a;
  for (int64_t r = 0; r < rows; ++r) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + r * stride));
    a = _mm256_add_epi32(a, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(x)));
    b = _mm256_add_epi32(b, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(x, 1)));
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), pack_16xi16(q.apply(a), q.apply(b)));
}

void block8(const int16_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
            const ScalarRequantYmm& q, int16_t* out) {
  __m256i a = _mm256_set1_epi32(rq.bias);
  for (int64_t r = 0; r < rows; ++r) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + r * stride));
    a = _mm256_add_epi32(a, _mm256_cvtepi16_epi32(x));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm256_castsi256_si128(pack_16xi16(q.apply(a), _mm256_setzero_si256())));
}

}  // namespace

void qs16_gavgpool_c16__avx2(const int16_t* input, int64_t rows, int64_t stride, int64_t channels,
                             const MeanRequant& rq, int16_t* output) {
  const ScalarRequantYmm q(rq.multiplier, rq.shift, rq.zero_point, -32768, 32767);
  mean_channel_blocks<16>(
      input, rows, stride, channels, rq, output,
      [&](const int16_t* in, int16_t* out) { block16(in, rows, stride, rq, q, out); },
      [&](const int16_t* in, int16_t* out) { block8(in, rows, stride, rq, q, out); });
}

}  // namespace pool_isa
}  // namespace dyad
