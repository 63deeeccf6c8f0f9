// AVX-VNNI depthwise conv: 4 taps per 256-bit vpdpbusd lane, 32 channels per
// block (kernels/x86/dwconv_c4_ymm.h), eq. 6 epilogue from requant_ymm.h.
// Compiled with -mavx2 -mavxvnni.
#include "kernels/x86/dwconv_c4_ymm.h"

namespace dyad {
namespace x86 {
namespace {

struct AvxVnniDot {
  // Inline asm: one instruction, no copies of the tied accumulator.
  static void dpbusd(__m256i& acc, __m256i a, __m256i w) {
#if defined(DYAD_X86_EMULATE)  // kernels/x86/emulate/immintrin.h
    acc = _mm256_dpbusd_avx_epi32(acc, a, w);
#else
    asm("%{vex%} vpdpbusd %[w], %[a], %[acc]" : [acc] "+x"(acc) : [a] "x"(a), [w] "x"(w));
#endif
  }
  static __m256i store32(__m256i a0, __m256i a1, __m256i a2, __m256i a3, const int32_t* prm,
                         int64_t stride, int32_t c, const Epilogue& epi, __m256i lo, __m256i hi) {
    return dw_c4_epilogue_ymm(a0, a1, a2, a3, prm, stride, c, epi, lo, hi);
  }
};

}  // namespace

void qs8_dwconv_32c4__avxvnni(const GemmJob& job) { run_dw_c4<AvxVnniDot>(job); }

}  // namespace x86
}  // namespace dyad
