// AVX-512 VNNI int8 GEMM microkernel: 8 rows x 32 channels, reduction 4 at a
// time with 512-bit vpdpbusd (unsigned x signed bytes, exact int32 sums,
// wrapping add). Activations are fed as q ^ 0x80 = q + 128 in [0, 255]; the
// packed bias carries -(128 + Z_in) * sum(w), so the accumulator equals eq. 2's
// exactly. 16 accumulators hide vpdpbusd's latency; per 4-deep step: 2 weight
// loads, 8 broadcasts, 16 vpdpbusd. Eq. 6 epilogue on 16 lanes.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.
// GCC 12's avx512fintrin.h builds some intrinsics from a deliberately
// undefined vector (__Y); -Wmaybe-uninitialized misfires on it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/requant_zmm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

constexpr int kNR = 32;

// acc += a (unsigned bytes) . w (signed bytes) per int32 lane. Inline asm:
// with _mm512_dpbusd_epi32 GCC 12 adds register copies (and a spill) for the
// tied accumulator on every step.
inline void dpbusd(__m512i& acc, __m512i a, __m512i w) {
#if defined(DYAD_X86_EMULATE)  // kernels/x86/emulate/immintrin.h
  acc = _mm512_dpbusd_epi32(acc, a, w);
#else
  asm("vpdpbusd %[w], %[a], %[acc]" : [acc] "+v"(acc) : [a] "v"(a), [w] "v"(w));
#endif
}

// The tile loop and epilogue (int8 / int16 / int32 output) are ZmmStrip32's.
struct Avx512VnniGemm8x32c4 : ZmmStrip32<Avx512VnniGemm8x32c4> {
  static constexpr int kMR = 8;
  static constexpr int kNR = x86::kNR;
  static constexpr int kKC = 4;
  using AElem = uint8_t;
  static constexpr bool kInt16Input = false;  // vpdpbusd: u8 activations

  static uint8_t pad_value(int32_t z_in) { return static_cast<uint8_t>(z_in + 128); }
  static void transform(const int8_t* src, uint8_t* dst, int32_t n, int32_t /*z_in*/) {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    int32_t i = 0;
    for (; i + 64 <= n; i += 64) {
      _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), flip));
    }
    // Masked: no byte outside [0, n) is touched. Short runs (a K x K conv
    // with few input channels copies kernel_w * in_c bytes per kernel row,
    // 9 for the RGB stem) use 16-byte masked ops, which are much cheaper
    // than 64-byte ones on Zen 4.
    if (n - i > 16) {
      const __mmask64 mask = ~uint64_t{0} >> (64 - (n - i));
      _mm512_mask_storeu_epi8(dst + i, mask,
                              _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), flip));
    } else if (i < n) {
      const __mmask16 mask = static_cast<__mmask16>(0xFFFFu >> (16 - (n - i)));
      _mm_mask_storeu_epi8(dst + i, mask,
                           _mm_xor_si128(_mm_maskz_loadu_epi8(mask, src + i),
                                         _mm512_castsi512_si128(flip)));
    }
  }

  // acc[r][j] = bias[j] + sum over k of a[r][k] * w[k][j], for all kMR rows.
  // Its own function, ending in stores: GCC 12 then keeps every accumulator
  // in a register through the loop (it spills them when the epilogue is in
  // the same function).
  __attribute__((noinline)) static void accumulate(const uint8_t* const* a, const uint8_t* block,
                                                   int32_t k_quads, int32_t (*acc)[kNR]) {
    const int32_t* prm = reinterpret_cast<const int32_t*>(block);
    const uint8_t* w = block + kPackedParamArrays * kNR * sizeof(int32_t);
    const __m512i bias0 = _mm512_load_si512(prm);
    const __m512i bias1 = _mm512_load_si512(prm + 16);
    // Named accumulators (not arrays): GCC keeps them in registers.
#define DYAD_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define DYAD_INIT(r)          \
  __m512i c0_##r = bias0;     \
  __m512i c1_##r = bias1;     \
  const uint8_t* a_##r = a[r];
    DYAD_ROWS(DYAD_INIT)
    int32_t kq = 0;
    do {  // k_padded >= kc: at least one step
      const __m512i w0 = _mm512_load_si512(w);
      const __m512i w1 = _mm512_load_si512(w + 64);
      w += 128;
#define DYAD_STEP(r)                                     \
  {                                                      \
    int32_t quad;                                        \
    std::memcpy(&quad, a_##r + 4 * kq, sizeof(quad));    \
    const __m512i av = _mm512_set1_epi32(quad);          \
    dpbusd(c0_##r, av, w0);                              \
    dpbusd(c1_##r, av, w1);                              \
  }
      DYAD_ROWS(DYAD_STEP)
    } while (++kq < k_quads);
#define DYAD_STORE(r)                     \
  _mm512_store_si512(acc[r], c0_##r);     \
  _mm512_store_si512(acc[r] + 16, c1_##r);
    DYAD_ROWS(DYAD_STORE)
#undef DYAD_ROWS
#undef DYAD_INIT
#undef DYAD_STEP
#undef DYAD_STORE
  }
};

}  // namespace

void qs8_gemm_8x32c4__avx512vnni(const GemmJob& job) { run_gemm<Avx512VnniGemm8x32c4>(job); }

}  // namespace x86
}  // namespace dyad
