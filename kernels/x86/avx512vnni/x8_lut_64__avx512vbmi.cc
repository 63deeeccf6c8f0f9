// 256-entry byte table with AVX-512 VBMI: vpermi2b looks up 128 entries by the
// low 7 bits of each index; two of them (entries 0-127 and 128-255) and a
// blend on bit 7 (vpmovb2m) give 64 outputs per step. The folder is compiled
// without -mavx512vbmi: these functions carry the target attribute and the
// driver calls them only when cpu_has_avx512vbmi() (kernels/dispatch.h).
#include <immintrin.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

// Emulated builds (kernels/x86/emulate/immintrin.h) must not let GCC emit
// real AVX-512 code.
#if defined(DYAD_X86_EMULATE)
#define DYAD_TARGET_VBMI
#else
#define DYAD_TARGET_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
#endif

namespace dyad {
namespace pool_isa {

DYAD_TARGET_VBMI void x8_lut_64__avx512vbmi(
    const uint8_t* input, int64_t count, const uint8_t* table, int8_t* output) {
  const __m512i t0 = _mm512_loadu_si512(table);
  const __m512i t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128);
  const __m512i t3 = _mm512_loadu_si512(table + 192);
  int64_t i = 0;
  for (; i + 64 <= count; i += 64) {
    const __m512i x = _mm512_loadu_si512(input + i);
    const __m512i low = _mm512_permutex2var_epi8(t0, x, t1);
    const __m512i high = _mm512_permutex2var_epi8(t2, x, t3);
    _mm512_storeu_si512(output + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
  }
  if (i == count) return;
  const __mmask64 tail = (uint64_t{1} << (count - i)) - 1;  // count - i < 64
  const __m512i x = _mm512_maskz_loadu_epi8(tail, input + i);
  const __m512i low = _mm512_permutex2var_epi8(t0, x, t1);
  const __m512i high = _mm512_permutex2var_epi8(t2, x, t3);
  _mm512_mask_storeu_epi8(output + i, tail,
                          _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
}

}  // namespace pool_isa
}  // namespace dyad
