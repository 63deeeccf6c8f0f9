// AVX2 depthwise conv: 16 channels per block, 2 taps per int32 lane. The
// taps of a pixel are taken in pairs (t, t + 1); vpmaddwd multiplies the
// interleaved int16 inputs (q_t, q_t+1) of each channel by the packed weight
// pair (w_t, w_t+1) and adds the two products, exactly (|sum| <= 2 * 128^2).
// An odd last tap pairs with weight 0. The in-lane unpacks leave channels
// 0-3, 8-11 in one accumulator and 4-7, 12-15 in the other; the weights are
// packed in that slot order (dw_pair_slot_channel in conv_kernels.cc) and one
// vperm2i128 per accumulator restores channel order before the packed bias
// (-Z_in * sum(w), eq. 2) and the eq. 6 epilogue of requant_ymm.h.
// int16 inputs (W8A16, Z_in = 0) are loaded as they are (16 channels = 32
// bytes) instead of sign-extended: the pair sums stay below 2^23 and the int32
// accumulator is exact under the converter's bound (docs/kernels.md). Outputs
// are int8 or int16 (the GEMM's int16 store). Compiled with -mavx2.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/dwconv_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// Adds one tap pair of 16 channels (a: inputs of tap t, b: of tap t + 1,
// sign-extended to int16) into lo (channels 0-3, 8-11) and hi (4-7, 12-15).
inline void tap_pair(__m256i a, __m256i b, const int32_t* w, __m256i& lo, __m256i& hi) {
  const __m256i w_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
  const __m256i w_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 8));
  lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), w_lo));
  hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), w_hi));
}

// 8 channels' inputs as int16.
inline __m128i load8(const int8_t* p) {
  return _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
inline __m128i load8(const int16_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// One tap pair of 8 channels (a half block) into acc, in channel order:
// the 128-bit unpacks give the pairs of channels 0-3 and 4-7.
template <typename In>
inline void tap_pair8(const In* a, const In* b, const int32_t* w, __m256i& acc) {
  const __m128i a8 = load8(a);
  const __m128i b8 = load8(b);
  const __m256i ab = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi16(a8, b8)),
                                             _mm_unpackhi_epi16(a8, b8), 1);
  acc = _mm256_add_epi32(
      acc, _mm256_madd_epi16(ab, _mm256_load_si256(reinterpret_cast<const __m256i*>(w))));
}

// 16 channels' inputs as int16.
inline __m256i load16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i load16(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Eq. 6 of channels c..c+7 (a) and c+8..c+15 (b), + Z_out, clamp, and the
// first n (<= 16) stored from out (the channel-c output).
__attribute__((always_inline)) inline void store_requantized(int8_t* out, __m256i a, __m256i b, const int32_t* prm,
                              int64_t stride, int32_t c, int n, const Epilogue& epi) {
  store_16xi8_clamped(out, requantize_ymm_unclamped(a, prm, stride, c, epi),
                      requantize_ymm_unclamped(b, prm, stride, c + 8, epi), epi, n);
}
__attribute__((always_inline)) inline void store_requantized(int16_t* out, __m256i a, __m256i b, const int32_t* prm,
                              int64_t stride, int32_t c, int n, const Epilogue& epi) {
  store_16xi16(out, requantize_ymm(a, prm, stride, c, epi),
               requantize_ymm(b, prm, stride, c + 8, epi), n);
}
// The same for 8 channels c..c+7 (a half block), all 8 stored.
__attribute__((always_inline)) inline void store_requantized8(int8_t* out, __m256i a, const int32_t* prm, int64_t stride,
                               int32_t c, const Epilogue& epi) {
  const __m256i y = requantize_ymm_unclamped(a, prm, stride, c, epi);
  store_16xi8_clamped(out, y, y, epi, 8);
}
__attribute__((always_inline)) inline void store_requantized8(int16_t* out, __m256i a, const int32_t* prm, int64_t stride,
                               int32_t c, const Epilogue& epi) {
  const __m256i y = requantize_ymm(a, prm, stride, c, epi);
  // int32 -> int16 (in range after the clamp): pack, then qwords 0 and 2.
  const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(y, y), 0xD8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(w16));
}

struct Avx2Dwconv16c2 {
  // Channel order, + bias, eq. 6, 16 outputs (only n <= 16 written).
  template <typename Out>
  __attribute__((always_inline)) static void finish(__m256i lo, __m256i hi, const int32_t* prm, int64_t stride, int32_t c,
                     Out* out, int n, const Epilogue& epi) {
    auto bias = [&](int32_t at) {
      return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prm + at));
    };
    const __m256i a = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), bias(c));
    const __m256i b = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x31), bias(c + 8));
    store_requantized(out + c, a, b, prm, stride, c, n, epi);
  }

  // kPairs > 0: the tap-pair count known at compile time (fully unrolled
  // loops for 3x3 and 5x5); 0: `pairs` at run time. tin[q][2 * pairs - 1] is
  // valid for an odd tap count (the driver repeats the last tap; weight 0).
  // kPixels (1 or 2) output pixels at once: two independent accumulator
  // chains per block, which the core overlaps (one pixel is latency-bound
  // when there are few channels).
  template <int32_t kPairs, int kPixels, typename In, typename Out>
  static void pixels_pairs(const In* const* const* tin, int32_t pairs, const PackedGemm& pg,
                           const int32_t* prm, const int32_t* weights, Out* const* out,
                           const Epilogue& epi) {
    if (kPairs > 0) pairs = kPairs;
    const int64_t stride = pg.n_padded;
    int32_t c = 0;
    // 32 channels at a time, one pixel after the other: 4 independent
    // accumulators already (two pixels' 8 would spill).
    for (; c + 32 <= pg.n; c += 32) {
      for (int q = 0; q < kPixels; ++q) {
        __m256i lo0 = _mm256_setzero_si256(), hi0 = lo0, lo1 = lo0, hi1 = lo0;
        for (int32_t t = 0; t < pairs; ++t) {
          const int32_t* w = weights + int64_t{t} * stride + c;
          const In* a = tin[q][2 * t] + c;
          const In* b = tin[q][2 * t + 1] + c;
          tap_pair(load16(a), load16(b), w, lo0, hi0);
          tap_pair(load16(a + 16), load16(b + 16), w + 16, lo1, hi1);
        }
        finish(lo0, hi0, prm, stride, c, out[q], 16, epi);
        finish(lo1, hi1, prm, stride, c + 16, out[q], 16, epi);
      }
    }
    // 8 channels from channel c, weights at slot s (channel order).
    auto half = [&](int32_t s, int32_t c) {
      __m256i acc[kPixels];
      for (int q = 0; q < kPixels; ++q) acc[q] = _mm256_setzero_si256();
      for (int32_t t = 0; t < pairs; ++t) {
        for (int q = 0; q < kPixels; ++q) {
          tap_pair8(tin[q][2 * t] + c, tin[q][2 * t + 1] + c, weights + int64_t{t} * stride + s,
                    acc[q]);
        }
      }
      const __m256i bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prm + c));
      for (int q = 0; q < kPixels; ++q) {
        store_requantized8(out[q] + c, _mm256_add_epi32(acc[q], bias), prm, stride, c, epi);
      }
    };
    if (dwconv_pair_two_halves(pg.n)) {
      half(0, 0);
      if (pg.n > 8) half(8, pg.n - 8);
      return;
    }
    // Blocks of 16: packed slots from s, channels from c (the last block of
    // n >= 16 channels overlaps the one before; it rewrites equal bytes).
    for (int32_t s = c; s < pg.n; s += 16) {
      c = dwconv_pair_block_channel(s, pg.n);
      if (dwconv_pair_half_block(s, pg.n)) {  // channels n - 8 .. n - 1
        half(s, c);
        continue;
      }
      const int n = pg.n - c < 16 ? pg.n - c : 16;
      __m256i lo[kPixels], hi[kPixels];
      for (int q = 0; q < kPixels; ++q) lo[q] = hi[q] = _mm256_setzero_si256();
      if (n == 16) {
        for (int32_t t = 0; t < pairs; ++t) {
          const int32_t* w = weights + int64_t{t} * stride + s;
          for (int q = 0; q < kPixels; ++q) {
            tap_pair(load16(tin[q][2 * t] + c), load16(tin[q][2 * t + 1] + c), w, lo[q], hi[q]);
          }
        }
      } else {  // fewer than 16 channels: never read past the pixel (zero weights above n)
        for (int32_t t = 0; t < pairs; ++t) {
          for (int q = 0; q < kPixels; ++q) {
            alignas(32) In ta[16] = {}, tb[16] = {};
            std::memcpy(ta, tin[q][2 * t] + c, static_cast<size_t>(n) * sizeof(In));
            std::memcpy(tb, tin[q][2 * t + 1] + c, static_cast<size_t>(n) * sizeof(In));
            tap_pair(load16(ta), load16(tb), weights + int64_t{t} * stride + s, lo[q], hi[q]);
          }
        }
      }
      for (int q = 0; q < kPixels; ++q) finish(lo[q], hi[q], prm, stride, c, out[q], n, epi);
    }
  }

  template <int kPixels, typename In, typename Out>
  static void pixels(const In* const* const* tin, int32_t count, const PackedGemm& pg,
                     const int32_t* prm, const int32_t* weights, Out* const* out,
                     const Epilogue& epi) {
    const int32_t pairs = (count + 1) / 2;
    if (pairs == 5) return pixels_pairs<5, kPixels>(tin, pairs, pg, prm, weights, out, epi);    // 3x3
    if (pairs == 13) return pixels_pairs<13, kPixels>(tin, pairs, pg, prm, weights, out, epi);  // 5x5
    pixels_pairs<0, kPixels>(tin, pairs, pg, prm, weights, out, epi);
  }

  template <typename In, typename Out>
  static void pixel(const In* const* tin, int32_t count, const PackedGemm& pg,
                    const int32_t* prm, const int32_t* weights, Out* out, const Epilogue& epi) {
    pixels<1>(&tin, count, pg, prm, weights, &out, epi);
  }
  // Two output pixels (tin_a, tin_b: their tap lists).
  template <typename In, typename Out>
  static void pixel2(const In* const* tin_a, const In* const* tin_b, int32_t count,
                     const PackedGemm& pg, const int32_t* prm, const int32_t* weights, Out* out_a,
                     Out* out_b, const Epilogue& epi) {
    const In* const* tin[2] = {tin_a, tin_b};
    Out* out[2] = {out_a, out_b};
    pixels<2>(tin, count, pg, prm, weights, out, epi);
  }
};

}  // namespace

void qs8_dwconv_16c2__avx2(const GemmJob& job) { run_dwconv<Avx2Dwconv16c2>(job); }

}  // namespace x86
}  // namespace dyad
