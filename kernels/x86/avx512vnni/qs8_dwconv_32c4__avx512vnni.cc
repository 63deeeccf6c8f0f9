// AVX-512 VNNI depthwise conv: 4 taps per vpdpbusd lane on 256-bit vectors
// (EVEX, AVX512VL), 32 channels per block (kernels/x86/dwconv_c4_ymm.h).
// The MACs run on 256-bit vectors (the same code as AVX-VNNI); the eq. 6
// epilogue on 512-bit ones (half the instructions).
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels/x86/dwconv_c4_ymm.h"
#include "kernels/x86/requant_zmm.h"

namespace dyad {
namespace x86 {
namespace {

struct Avx512VnniDot {
  static void dpbusd(__m256i& acc, __m256i a, __m256i w) {
    asm("vpdpbusd %[w], %[a], %[acc]" : [acc] "+v"(acc) : [a] "v"(a), [w] "v"(w));
  }
  // Eq. 6 on two 16-lane vectors: X = 128-bit lanes (a0.L0, a2.L0, a0.L1,
  // a2.L1) holds channels 8k + 0..3 in lane k, Y (from a1, a3) channels
  // 8k + 4..7; the eq. 6 constants are packed in that order
  // (dw_c4_zmm_param_channel in conv_kernels.cc). vpackssdw then gives the
  // 32 channels in order as int16; + Z_out and the clamp as in
  // dw_c4_epilogue_ymm (monotonic saturations).
  static __m256i store32(__m256i a0, __m256i a1, __m256i a2, __m256i a3, const int32_t* prm,
                         int64_t stride, int32_t c, const Epilogue& epi, __m256i lo, __m256i hi) {
    const __m512i lanes = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    __m512i x = _mm512_permutex2var_epi64(_mm512_castsi256_si512(a0), lanes,
                                          _mm512_castsi256_si512(a2));
    __m512i y = _mm512_permutex2var_epi64(_mm512_castsi256_si512(a1), lanes,
                                          _mm512_castsi256_si512(a3));
    x = requantize_zmm_unclamped(x, prm, stride, c, epi);
    y = requantize_zmm_unclamped(y, prm, stride, c + 16, epi);
    const __m512i words = _mm512_adds_epi16(
        _mm512_packs_epi32(x, y), _mm512_set1_epi16(static_cast<int16_t>(epi.zero_point)));
    return _mm256_min_epi8(_mm256_max_epi8(_mm512_cvtsepi16_epi8(words), lo), hi);
  }
};

}  // namespace

void qs8_dwconv_32c4__avx512vnni(const GemmJob& job) { run_dw_c4<Avx512VnniDot>(job); }

}  // namespace x86
}  // namespace dyad
