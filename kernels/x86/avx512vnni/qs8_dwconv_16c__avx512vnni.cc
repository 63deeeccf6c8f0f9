// AVX-512 depthwise conv: 64 channels per pass (4 x 16 int32 lanes), then
// 16 at a time with masked loads and stores for the channel tail. Each tap
// adds q * w exactly (vpmaddwd, see tap()); the packed bias holds
// -Z_in * sum(w). Eq. 6 epilogue from requant_zmm.h.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.
// GCC 12's avx512fintrin.h builds some intrinsics from a deliberately
// undefined vector (__Y); -Wmaybe-uninitialized misfires on it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/dwconv_driver.h"
#include "kernels/x86/requant_zmm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// q * w for 16 channels: x has q sign-extended to 32 bits, w has the weight
// in the low 16 bits and zero above, so vpmaddwd gives q * w + sign * 0.
inline __m512i tap(__m512i acc, __m128i q, const int32_t* w) {
  return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_cvtepi8_epi32(q), _mm512_load_si512(w)));
}

struct Avx512Dwconv16c {
  static void pixel(const int8_t* const* tin, const int32_t* const* tw, int32_t count,
                    const PackedGemm& pg, const int32_t* prm, int8_t* out, const Epilogue& epi) {
    const int64_t stride = pg.n_padded;
    int32_t c = 0;
    // 64 channels at a time: 4 independent accumulators per tap.
    for (; c + 64 <= pg.n; c += 64) {
      __m512i a0 = _mm512_load_si512(prm + c), a1 = _mm512_load_si512(prm + c + 16);
      __m512i a2 = _mm512_load_si512(prm + c + 32), a3 = _mm512_load_si512(prm + c + 48);
      for (int32_t t = 0; t < count; ++t) {
        const int8_t* in = tin[t] + c;
        const int32_t* w = tw[t] + c;
        a0 = tap(a0, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in)), w);
        a1 = tap(a1, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16)), w + 16);
        a2 = tap(a2, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 32)), w + 32);
        a3 = tap(a3, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 48)), w + 48);
      }
      store_16xi8(out + c, requantize_zmm(a0, prm, stride, c, epi), 16);
      store_16xi8(out + c + 16, requantize_zmm(a1, prm, stride, c + 16, epi), 16);
      store_16xi8(out + c + 32, requantize_zmm(a2, prm, stride, c + 32, epi), 16);
      store_16xi8(out + c + 48, requantize_zmm(a3, prm, stride, c + 48, epi), 16);
    }
    for (; c < pg.n; c += 16) {  // masked loads: never read past the pixel
      const int32_t n = pg.n - c < 16 ? pg.n - c : 16;
      const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1);
      __m512i acc = _mm512_load_si512(prm + c);
      for (int32_t t = 0; t < count; ++t) {
        acc = tap(acc, _mm_maskz_loadu_epi8(mask, tin[t] + c), tw[t] + c);
      }
      store_16xi8(out + c, requantize_zmm(acc, prm, stride, c, epi), n);
    }
  }
};

}  // namespace

void qs8_dwconv_16c__avx512vnni(const GemmJob& job) { run_dwconv<Avx512Dwconv16c>(job); }

}  // namespace x86
}  // namespace dyad
