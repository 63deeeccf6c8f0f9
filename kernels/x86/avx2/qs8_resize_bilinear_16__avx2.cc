// One output row of a bilinear Resize (eq. 18), 16 channels per step, bit-exact
// with ref::resize. Per 16 channels of one output pixel:
//   top    = (2^F - wx) q00 + wx q01   one vpmaddwd per 8 lanes: the int16
//   bottom = (2^F - wx) q10 + wx q11   pairs (q0, q1) times (2^F - wx, wx)
//   sum    = (2^F - wy) top + wy bottom           vpmulld (|sum| < 2^29)
//   out    = RDBP(sum, 2F) = (sum + 2^(2F-1) - [sum < 0]) >> 2F
// The last RDBP form is round half away from zero: for sum < 0 it gives
// floor((sum + 2^(2F-1) - 1) / 2^2F) = -floor((-sum + 2^(2F-1)) / 2^2F).
// The result lies between two int8 inputs, so the packs never saturate.
// Compiled with -mavx2.
#include <immintrin.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

constexpr int kF = kResizeFracBits;

inline __m256i load16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// (2^F - w) a + w b of 16 channels: lanes 0-3, 8-11 in lo; 4-7, 12-15 in hi
// (the in-lane unpacks), which the packs below put back in channel order.
inline void blend(const int8_t* a, const int8_t* b, __m256i weights, __m256i& lo, __m256i& hi) {
  const __m256i qa = load16(a), qb = load16(b);
  lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(qa, qb), weights);
  hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(qa, qb), weights);
}

inline __m256i round_shift(__m256i sum) {
  const __m256i half_minus_neg =
      _mm256_add_epi32(_mm256_set1_epi32(1 << (2 * kF - 1)), _mm256_srai_epi32(sum, 31));
  return _mm256_srai_epi32(_mm256_add_epi32(sum, half_minus_neg), 2 * kF);
}

}  // namespace

void qs8_resize_bilinear_16__avx2(const int8_t* r0, const int8_t* r1, int32_t wy,
                                  const ResizeTap* cols, int32_t out_w, int64_t channels,
                                  int8_t* out) {
  const __m256i w_top = _mm256_set1_epi32((1 << kF) - wy);
  const __m256i w_bottom = _mm256_set1_epi32(wy);
  for (int32_t x = 0; x < out_w; ++x, out += channels) {
    const ResizeTap& t = cols[x];
    // int16 pairs (2^F - wx, wx); 2^F = 2048 fits int16.
    const __m256i wx = _mm256_set1_epi32(static_cast<int32_t>(
        (static_cast<uint32_t>(t.w1) << 16) | static_cast<uint32_t>((1 << kF) - t.w1)));
    const int64_t o0 = int64_t{t.i0} * channels, o1 = int64_t{t.i1} * channels;
    for (int64_t c = 0; c < channels; c += 16) {
      // The last block of a count that is not a multiple of 16 ends at
      // `channels`, rewriting a few outputs with the same bytes.
      const int64_t at = c + 16 <= channels ? c : channels - 16;
      __m256i top_lo, top_hi, bottom_lo, bottom_hi;
      blend(r0 + o0 + at, r0 + o1 + at, wx, top_lo, top_hi);
      blend(r1 + o0 + at, r1 + o1 + at, wx, bottom_lo, bottom_hi);
      const __m256i lo = round_shift(_mm256_add_epi32(_mm256_mullo_epi32(top_lo, w_top),
                                                      _mm256_mullo_epi32(bottom_lo, w_bottom)));
      const __m256i hi = round_shift(_mm256_add_epi32(_mm256_mullo_epi32(top_hi, w_top),
                                                      _mm256_mullo_epi32(bottom_hi, w_bottom)));
      const __m256i w16 = _mm256_packs_epi32(lo, hi);    // channels 0-7 | 8-15
      const __m256i w8 = _mm256_packs_epi16(w16, w16);   // 0-7 0-7 | 8-15 8-15
      const __m256i ordered = _mm256_permute4x64_epi64(w8, 0x08);  // 0-7 8-15 | ...
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), _mm256_castsi256_si128(ordered));
    }
  }
}

}  // namespace pool_isa
}  // namespace dyad
