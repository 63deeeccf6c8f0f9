// AVX2 depthwise conv: 32 channels per pass (4 x 8 int32 lanes), then 8 at
// a time and a copied tail. Each tap adds q * w exactly (vpmaddwd, see
// tap()); the packed bias holds -Z_in * sum(w). Eq. 6 epilogue from
// requant_ymm.h. Also used by the AVX-VNNI
// path (VNNI does not help a single-input-channel reduction).
// Compiled with -mavx2.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/dwconv_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

inline void store_8xi8(int8_t* out, __m256i v, int n) {
  const __m256i w16 = _mm256_packs_epi32(v, v);     // v0-3 v0-3 | v4-7 v4-7
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // dword 0: v0-3, dword 4: v4-7
  const __m256i ordered = _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
  const __m128i bytes = _mm256_castsi256_si128(ordered);
  if (n >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(out, tmp, static_cast<size_t>(n));
  }
}

// q * w for 8 channels: x has q sign-extended to 32 bits, w has the weight
// in the low 16 bits and zero above, so vpmaddwd gives q * w + sign * 0.
inline __m256i tap(__m256i acc, __m128i q, const int32_t* w) {
  return _mm256_add_epi32(
      acc, _mm256_madd_epi16(_mm256_cvtepi8_epi32(q),
                             _mm256_load_si256(reinterpret_cast<const __m256i*>(w))));
}

inline __m128i load8(const int8_t* p) {
  return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
}

struct Avx2Dwconv8c {
  static void pixel(const int8_t* const* tin, const int32_t* const* tw, int32_t count,
                    const PackedGemm& pg, const int32_t* prm, int8_t* out, const Epilogue& epi) {
    const int64_t stride = pg.n_padded;
    auto bias = [&](int32_t c) {
      return _mm256_load_si256(reinterpret_cast<const __m256i*>(prm + c));
    };
    int32_t c = 0;
    // 32 channels at a time: 4 independent accumulators per tap.
    for (; c + 32 <= pg.n; c += 32) {
      __m256i a0 = bias(c), a1 = bias(c + 8), a2 = bias(c + 16), a3 = bias(c + 24);
      for (int32_t t = 0; t < count; ++t) {
        const int8_t* in = tin[t] + c;
        const int32_t* w = tw[t] + c;
        a0 = tap(a0, load8(in), w);
        a1 = tap(a1, load8(in + 8), w + 8);
        a2 = tap(a2, load8(in + 16), w + 16);
        a3 = tap(a3, load8(in + 24), w + 24);
      }
      store_8xi8(out + c, requantize_ymm(a0, prm, stride, c, epi), 8);
      store_8xi8(out + c + 8, requantize_ymm(a1, prm, stride, c + 8, epi), 8);
      store_8xi8(out + c + 16, requantize_ymm(a2, prm, stride, c + 16, epi), 8);
      store_8xi8(out + c + 24, requantize_ymm(a3, prm, stride, c + 24, epi), 8);
    }
    for (; c < pg.n; c += 8) {
      const int32_t n = pg.n - c < 8 ? pg.n - c : 8;
      __m256i acc = bias(c);
      for (int32_t t = 0; t < count; ++t) {
        if (n == 8) {
          acc = tap(acc, load8(tin[t] + c), tw[t] + c);
        } else {  // channel tail: never read past the pixel
          alignas(16) int8_t tmp[16] = {};
          std::memcpy(tmp, tin[t] + c, static_cast<size_t>(n));
          acc = tap(acc, _mm_load_si128(reinterpret_cast<const __m128i*>(tmp)), tw[t] + c);
        }
      }
      store_8xi8(out + c, requantize_ymm(acc, prm, stride, c, epi), n);
    }
  }
};

}  // namespace

void qs8_dwconv_8c__avx2(const GemmJob& job) { run_dwconv<Avx2Dwconv8c>(job); }

}  // namespace x86
}  // namespace dyad
