// 2 rows x 8 channels, K in blocks of 16, plain NEON (AArch64 without dotprod,
// e.g. Cortex-A53/A55, and ARMv7): smull of 8 int8 pairs to int16, smlal of
// the next 8 onto the same int16 lanes, sadalp into int32 lanes.
// The int16 pair sum is exact when no weight is -128 (|a*w| <= 128*127, two
// of them <= 32512); packed weights that contain -128 take the slower path
// that widens each product alone (smull + sadalp twice), exact for any int8.
// Packed weights per block of 16 k: [8 channels][16 k].
#include <arm_neon.h>

#include "kernels/arm/arm_microkernels.h"
#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {

namespace {
constexpr int kMR = 2, kNR = 8, kKC = 16;

// acc += pairwise sums of a[0..15] * w[0..15] (8 int32 lanes folded to 4).
template <bool kPairs>
inline int32x4_t multiply_accumulate(int32x4_t acc, int8x16_t a, int8x16_t w) {
  if (kPairs) {
    int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(w));
#if defined(__aarch64__)
    p = vmlal_high_s8(p, a, w);  // smlal2: no move of the high halves
#else
    p = vmlal_s8(p, vget_high_s8(a), vget_high_s8(w));
#endif
    return vpadalq_s16(acc, p);
  }
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(w)));
#if defined(__aarch64__)
  return vpadalq_s16(acc, vmull_high_s8(a, w));
#else
  return vpadalq_s16(acc, vmull_s8(vget_high_s8(a), vget_high_s8(w)));
#endif
}

// 32 consecutive bytes (one ld1 of two registers on AArch64). Loading the
// block's weights two channels at a time keeps 16 accumulators, 2 rows and
// the products in the 32 registers without spills.
inline int8x16x2_t load_x2(const int8_t* p) {
#if defined(__aarch64__)
  return vld1q_s8_x2(p);
#else
  int8x16x2_t r;
  r.val[0] = vld1q_s8(p);
  r.val[1] = vld1q_s8(p + 16);
  return r;
#endif
}

// [sum(x0), sum(x1), sum(x2), sum(x3)].
inline int32x4_t reduce4(int32x4_t x0, int32x4_t x1, int32x4_t x2, int32x4_t x3) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(x0, x1), vpaddq_s32(x2, x3));
#else
  const int32x2_t s0 = vpadd_s32(vget_low_s32(x0), vget_high_s32(x0));
  const int32x2_t s1 = vpadd_s32(vget_low_s32(x1), vget_high_s32(x1));
  const int32x2_t s2 = vpadd_s32(vget_low_s32(x2), vget_high_s32(x2));
  const int32x2_t s3 = vpadd_s32(vget_low_s32(x3), vget_high_s32(x3));
  return vcombine_s32(vpadd_s32(s0, s1), vpadd_s32(s2, s3));
#endif
}

template <bool kPairs, typename Out>
void gemm_2x8c16(const GemmStrip& s) {
  const RowTails<kMR, kKC> tails(s);
  const OutputRange range = output_range(s);
  const int8_t* a0 = s.a[0];
  const int8_t* a1 = s.a[1];
  const int8x16_t t0 = vld1q_s8(tails.bytes[0]);
  const int8x16_t t1 = vld1q_s8(tails.bytes[1]);
  for (int32_t n0 = 0; n0 < s.n; n0 += kNR) {
    const uint8_t* block = s.packed + static_cast<size_t>(n0 / kNR) * s.block_bytes;
    const int32_t* params = reinterpret_cast<const int32_t*>(block);
    const int8_t* w = reinterpret_cast<const int8_t*>(params + kNumPackedArrays * kNR);
    // Named accumulators (row, channel): arrays here end up on the stack.
    int32x4_t c00 = vdupq_n_s32(0), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00,
              c06 = c00, c07 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00,
              c15 = c00, c16 = c00, c17 = c00;
#define DYAD_MAC_CHANNEL(j, vw)                                 \
  c0##j = multiply_accumulate<kPairs>(c0##j, va0, vw);        \
  c1##j = multiply_accumulate<kPairs>(c1##j, va1, vw);
#define DYAD_MAC_PAIR(j0, j1, offset)                         \
  {                                                             \
    const int8x16x2_t vw = load_x2(w + (offset));               \
    DYAD_MAC_CHANNEL(j0, vw.val[0])                             \
    DYAD_MAC_CHANNEL(j1, vw.val[1])                             \
  }
#define DYAD_MAC_BLOCK()                                        \
  DYAD_MAC_PAIR(0, 1, 0)                                        \
  DYAD_MAC_PAIR(2, 3, 32)                                       \
  DYAD_MAC_PAIR(4, 5, 64)                                       \
  DYAD_MAC_PAIR(6, 7, 96)                                       \
  w += kKC * kNR;
    for (int32_t k = 0; k < tails.begin; k += kKC) {
      const int8x16_t va0 = vld1q_s8(a0 + k);
      const int8x16_t va1 = vld1q_s8(a1 + k);
      DYAD_MAC_BLOCK()
    }
    if (tails.length > 0) {
      const int8x16_t va0 = t0, va1 = t1;
      DYAD_MAC_BLOCK()
    }
#undef DYAD_MAC_BLOCK
#undef DYAD_MAC_PAIR
#undef DYAD_MAC_CHANNEL
    const int32x4_t bias0 = vld1q_s32(params + kArrayBias * kNR);
    const int32x4_t bias1 = vld1q_s32(params + kArrayBias * kNR + 4);
    const Requant4 q0 = load_requant4(params, kNR, 0);
    const Requant4 q1 = load_requant4(params, kNR, 4);
    const int count = s.n - n0 < kNR ? s.n - n0 : kNR;
    Out* c = static_cast<Out*>(s.c) + n0;
    store_acc8(c, vaddq_s32(bias0, reduce4(c00, c01, c02, c03)),
               vaddq_s32(bias1, reduce4(c04, c05, c06, c07)), q0, q1, range, count);
    if (s.m > 1) {
      store_acc8(c + s.c_stride, vaddq_s32(bias0, reduce4(c10, c11, c12, c13)),
                 vaddq_s32(bias1, reduce4(c14, c15, c16, c17)), q0, q1, range, count);
    }
  }
}
// ARMv7 has 16 q registers, too few for 16 accumulators: there the block's
// 8 channels are done as two halves of 4 (8 accumulators), reading the rows
// twice. Sums of channels 0-3 of each row wait in `low0`/`low1`.
template <bool kPairs, typename Out>
void gemm_2x8c16_halves(const GemmStrip& s) {
  const RowTails<kMR, kKC> tails(s);
  const OutputRange range = output_range(s);
  const int8_t* a0 = s.a[0];
  const int8_t* a1 = s.a[1];
  for (int32_t n0 = 0; n0 < s.n; n0 += kNR) {
    const uint8_t* block = s.packed + static_cast<size_t>(n0 / kNR) * s.block_bytes;
    const int32_t* params = reinterpret_cast<const int32_t*>(block);
    const int8_t* weights = reinterpret_cast<const int8_t*>(params + kNumPackedArrays * kNR);
    int32x4_t sums[2][2];  // [half][row]
    for (int half = 0; half < 2; ++half) {
      const int8_t* w = weights + 64 * half;
      int32x4_t c00 = vdupq_n_s32(0), c01 = c00, c02 = c00, c03 = c00;
      int32x4_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
#define DYAD_MAC_HALF(va0, va1)                                   \
  {                                                               \
    const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16);      \
    c00 = multiply_accumulate<kPairs>(c00, va0, w0);              \
    c10 = multiply_accumulate<kPairs>(c10, va1, w0);              \
    c01 = multiply_accumulate<kPairs>(c01, va0, w1);              \
    c11 = multiply_accumulate<kPairs>(c11, va1, w1);              \
    const int8x16_t w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48); \
    c02 = multiply_accumulate<kPairs>(c02, va0, w2);              \
    c12 = multiply_accumulate<kPairs>(c12, va1, w2);              \
    c03 = multiply_accumulate<kPairs>(c03, va0, w3);              \
    c13 = multiply_accumulate<kPairs>(c13, va1, w3);              \
    w += kKC * kNR;                                               \
  }
      for (int32_t k = 0; k < tails.begin; k += kKC) {
        DYAD_MAC_HALF(vld1q_s8(a0 + k), vld1q_s8(a1 + k))
      }
      if (tails.length > 0) {
        DYAD_MAC_HALF(vld1q_s8(tails.bytes[0]), vld1q_s8(tails.bytes[1]))
      }
#undef DYAD_MAC_HALF
      const int32x4_t bias = vld1q_s32(params + kArrayBias * kNR + 4 * half);
      sums[half][0] = vaddq_s32(bias, reduce4(c00, c01, c02, c03));
      sums[half][1] = vaddq_s32(bias, reduce4(c10, c11, c12, c13));
    }
    const Requant4 q0 = load_requant4(params, kNR, 0);
    const Requant4 q1 = load_requant4(params, kNR, 4);
    const int count = s.n - n0 < kNR ? s.n - n0 : kNR;
    Out* c = static_cast<Out*>(s.c) + n0;
    store_acc8(c, sums[0][0], sums[1][0], q0, q1, range, count);
    if (s.m > 1) store_acc8(c + s.c_stride, sums[0][1], sums[1][1], q0, q1, range, count);
  }
}

// run<Out>: the strip with Out's epilogue (requant_neon.h's store_acc8).
struct NeonGemm2x8c16 {
  template <typename Out>
  static void run(const GemmStrip& s) {
#if defined(__aarch64__)
    if (s.weights_have_min) {
      gemm_2x8c16<false, Out>(s);
    } else {
      gemm_2x8c16<true, Out>(s);
    }
#else
    if (s.weights_have_min) {
      gemm_2x8c16_halves<false, Out>(s);
    } else {
      gemm_2x8c16_halves<true, Out>(s);
    }
#endif
  }
};

}  // namespace

void qs8_gemm_2x8c16__neon(const GemmStrip& s) { run_for_output<NeonGemm2x8c16>(s); }

}  // namespace arm
}  // namespace dyad
