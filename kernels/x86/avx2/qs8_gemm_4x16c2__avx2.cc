// AVX2 int8 GEMM microkernel: 4 rows x 16 channels, reduction 2 at a time.
// Exact without VNNI: activations are widened to int16 (q - Z_in, in
// [-255, 255]) while gathering, weights are widened to int16 at pack time, and
// vpmaddwd sums two products (|.| <= 2 * 255 * 128) into int32 lanes with no
// saturation. (vpmaddubsw would saturate its int16 pair sums: not used.)
// int16 inputs (W8A16: Z_in = 0) are copied as they are: vpmaddwd's pair sums
// of q * w stay below 2 * 32768 * 128 = 2^23, and the int32 accumulator holds
// the exact sum under the converter's bound (docs/kernels.md, "int16 inputs").
// Compiled with -mavx2.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// acc += pairwise int16 dot products of a and w (vpmaddwd + vpaddd). Inline
// asm: with the intrinsics GCC 12 adds a register copy per accumulator per step.
inline void madd_add(__m256i& acc, __m256i a, __m256i w) {
  __m256i product;
  asm("vpmaddwd %[w], %[a], %[p]\n\tvpaddd %[p], %[acc], %[acc]"
      : [acc] "+x"(acc), [p] "=&x"(product)
      : [a] "x"(a), [w] "x"(w));
}

// Covers [0, n) with 16-element steps; a tail takes one more step ending at
// n (n >= 16), or two overlapping 8- or 4-element steps, or single elements:
// nothing before 0 or past n is read or written.
template <typename Step16, typename Step8, typename Step4, typename Step1>
inline void overlapping_steps(int32_t n, Step16 step16, Step8 step8, Step4 step4, Step1 step1) {
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) step16(i);
  if (i == n) return;
  if (n >= 16) {
    step16(n - 16);
  } else if (n >= 8) {
    step8(0);
    step8(n - 8);
  } else if (n >= 4) {
    step4(0);
    step4(n - 4);
  } else {
    for (; i < n; ++i) step1(i);
  }
}

// The tile loop and epilogue (int8 / int16 / int32 output) are YmmStrip16's.
struct Avx2Gemm4x16c2 : YmmStrip16<Avx2Gemm4x16c2> {
  static constexpr int kMR = 4;
  static constexpr int kNR = 16;
  static constexpr int kKC = 2;
  using AElem = int16_t;
  static constexpr bool kInt16Input = true;

  static int16_t pad_value(int32_t /*z_in*/) { return 0; }  // (Z_in - Z_in)
  // dst[i] = src[i] - Z_in for i < n. Tails use overlapping vectors ending at
  // n (they rewrite equal values), never reading or writing past n: the
  // stem's 15-byte kernel rows and 24-channel pixels take two vector steps.
  static void transform(const int8_t* src, int16_t* dst, int32_t n, int32_t z_in) {
    const __m256i z = _mm256_set1_epi16(static_cast<int16_t>(z_in));
    auto step16 = [&](int32_t i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                          _mm256_sub_epi16(_mm256_cvtepi8_epi16(v), z));
    };
    auto step8 = [&](int32_t i) {
      const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                       _mm_sub_epi16(_mm_cvtepi8_epi16(v), _mm256_castsi256_si128(z)));
    };
    auto step4 = [&](int32_t i) {
      int32_t word;
      std::memcpy(&word, src + i, sizeof(word));
      const __m128i w = _mm_sub_epi16(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(word)),
                                      _mm256_castsi256_si128(z));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + i), w);
    };
    overlapping_steps(n, step16, step8, step4,
                      [&](int32_t i) { dst[i] = static_cast<int16_t>(src[i] - z_in); });
  }

  // int16 input (Z_in = 0, conv2d_can_use): dst[i] = src[i] for i < n, with
  // the same overlapping tail steps.
  static void transform(const int16_t* src, int16_t* dst, int32_t n, int32_t /*z_in*/) {
    auto step16 = [&](int32_t i) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
    };
    auto step8 = [&](int32_t i) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    };
    auto step4 = [&](int32_t i) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + i),
                       _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i)));
    };
    overlapping_steps(n, step16, step8, step4, [&](int32_t i) { dst[i] = src[i]; });
  }

  // acc[r][j] = bias[j] + sum over k of a[r][k] * w[k][j], for all kMR rows
  // and the block's 16 channels (kFull) or its first 8 (a last block of at
  // most 8 channels: half the MACs, same packed layout).
  // Its own function, ending in stores: GCC 12 then keeps every accumulator
  // in a register through the loop (it spills them when the epilogue is in
  // the same function).
  template <bool kFull>
  __attribute__((noinline)) static void accumulate_cols(const int16_t* const* a,
                                                        const uint8_t* block, int32_t k_pairs,
                                                        int32_t (*acc)[kNR]) {
    const int32_t* prm = reinterpret_cast<const int32_t*>(block);
    const __m256i* w =
        reinterpret_cast<const __m256i*>(block + kPackedParamArrays * kNR * sizeof(int32_t));
    const __m256i bias0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(prm));
    const __m256i bias1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(prm + 8));
    // Named accumulators (not arrays): GCC keeps them in registers.
#define DYAD_ROWS(X) X(0) X(1) X(2) X(3)
#define DYAD_INIT(r)          \
  __m256i c0_##r = bias0;     \
  __m256i c1_##r = bias1;     \
  const int16_t* a_##r = a[r];
    DYAD_ROWS(DYAD_INIT)
    int32_t kp = 0;
    do {  // k_padded >= kc: at least one step
      const __m256i w0 = _mm256_load_si256(w);
      const __m256i w1 = kFull ? _mm256_load_si256(w + 1) : w0;
      w += 2;
#define DYAD_STEP(r)                                                      \
  {                                                                       \
    int32_t pair;                                                         \
    std::memcpy(&pair, a_##r + 2 * kp, sizeof(pair));                     \
    const __m256i av = _mm256_set1_epi32(pair);                           \
    madd_add(c0_##r, av, w0);                                             \
    if (kFull) madd_add(c1_##r, av, w1);                                  \
  }
      DYAD_ROWS(DYAD_STEP)
    } while (++kp < k_pairs);
#define DYAD_STORE(r)                                                         \
  _mm256_store_si256(reinterpret_cast<__m256i*>(acc[r]), c0_##r);             \
  if (kFull) _mm256_store_si256(reinterpret_cast<__m256i*>(acc[r] + 8), c1_##r);
    DYAD_ROWS(DYAD_STORE)
#undef DYAD_ROWS
#undef DYAD_INIT
#undef DYAD_STEP
#undef DYAD_STORE
  }
  static constexpr bool kHalfBlocks = true;
  static void accumulate(const int16_t* const* a, const uint8_t* block, int32_t k_pairs,
                         int32_t (*acc)[kNR]) {
    accumulate_cols<true>(a, block, k_pairs, acc);
  }
  static void accumulate_half(const int16_t* const* a, const uint8_t* block, int32_t k_pairs,
                              int32_t (*acc)[kNR]) {
    accumulate_cols<false>(a, block, k_pairs, acc);
  }
};

}  // namespace

void qs8_gemm_4x16c2__avx2(const GemmJob& job) { run_gemm<Avx2Gemm4x16c2>(job); }

}  // namespace x86
}  // namespace dyad
