// AVX-VNNI int8 GEMM microkernel: 6 rows x 16 channels, reduction 4 at a time
// with 256-bit vpdpbusd (unsigned x signed bytes, exact int32 sums, wrapping
// add). Activations are fed as q ^ 0x80 = q + 128 in [0, 255]; the packed bias
// carries -(128 + Z_in) * sum(w), so the int32 accumulator equals eq. 2's
// exactly (mod 2^32, and it fits). 12 accumulators hide vpdpbusd's latency.
// Compiled with -mavx2 -mavxvnni.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// acc += a (unsigned bytes) . w (signed bytes) per int32 lane. Inline asm:
// with _mm256_dpbusd_avx_epi32, GCC 12 runs out of the 16 ymm registers
// (extra copies for the tied accumulator) and spills every step.
inline void dpbusd(__m256i& acc, __m256i a, __m256i w) {
#if defined(DYAD_X86_EMULATE)  // kernels/x86/emulate/immintrin.h
  acc = _mm256_dpbusd_avx_epi32(acc, a, w);
#else
  asm("%{vex%} vpdpbusd %[w], %[a], %[acc]" : [acc] "+x"(acc) : [a] "x"(a), [w] "x"(w));
#endif
}

// The tile loop and epilogue (int8 / int16 / int32 output) are YmmStrip16's.
struct AvxVnniGemm6x16c4 : YmmStrip16<AvxVnniGemm6x16c4> {
  static constexpr bool kHalfBlocks = false;
  static constexpr int kMR = 6;
  static constexpr int kNR = 16;
  static constexpr int kKC = 4;
  using AElem = uint8_t;
  static constexpr bool kInt16Input = false;  // vpdpbusd: u8 activations

  static uint8_t pad_value(int32_t z_in) { return static_cast<uint8_t>(z_in + 128); }
  static void transform(const int8_t* src, uint8_t* dst, int32_t n, int32_t /*z_in*/) {
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    int32_t i = 0;
    for (; i + 32 <= n; i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_xor_si256(v, flip));
    }
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                       _mm_xor_si128(v, _mm256_castsi256_si128(flip)));
      i += 16;
    }
    for (; i < n; ++i) dst[i] = static_cast<uint8_t>(src[i]) ^ 0x80u;
  }

  // acc[r][j] = bias[j] + sum over k of a[r][k] * w[k][j], for all kMR rows.
  // Its own function, ending in stores: GCC 12 then keeps every accumulator
  // in a register through the loop (it spills them when the epilogue is in
  // the same function).
  __attribute__((noinline)) static void accumulate(const uint8_t* const* a, const uint8_t* block,
                                                   int32_t k_quads, int32_t (*acc)[kNR]) {
    const int32_t* prm = reinterpret_cast<const int32_t*>(block);
    const __m256i* w =
        reinterpret_cast<const __m256i*>(block + kPackedParamArrays * kNR * sizeof(int32_t));
    const __m256i bias0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(prm));
    const __m256i bias1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(prm + 8));
    // Named accumulators (not arrays): GCC keeps them in registers.
#define DYAD_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define DYAD_INIT(r)          \
  __m256i c0_##r = bias0;     \
  __m256i c1_##r = bias1;     \
  const uint8_t* a_##r = a[r];
    DYAD_ROWS(DYAD_INIT)
    int32_t kq = 0;
    do {  // k_padded >= kc: at least one step
      const __m256i w0 = _mm256_load_si256(w);
      const __m256i w1 = _mm256_load_si256(w + 1);
      w += 2;
#define DYAD_STEP(r)                                     \
  {                                                      \
    int32_t quad;                                        \
    std::memcpy(&quad, a_##r + 4 * kq, sizeof(quad));    \
    const __m256i av = _mm256_set1_epi32(quad);          \
    dpbusd(c0_##r, av, w0);                              \
    dpbusd(c1_##r, av, w1);                              \
  }
      DYAD_ROWS(DYAD_STEP)
    } while (++kq < k_quads);
#define DYAD_STORE(r)                                                    \
  _mm256_store_si256(reinterpret_cast<__m256i*>(acc[r]), c0_##r);        \
  _mm256_store_si256(reinterpret_cast<__m256i*>(acc[r] + 8), c1_##r);
    DYAD_ROWS(DYAD_STORE)
#undef DYAD_ROWS
#undef DYAD_INIT
#undef DYAD_STEP
#undef DYAD_STORE
  }
};

}  // namespace

void qs8_gemm_6x16c4__avxvnni(const GemmJob& job) { run_gemm<AvxVnniGemm6x16c4>(job); }

}  // namespace x86
}  // namespace dyad
