// int16 activations (W8A16, zero point 0) x int8 weights widened to int16 at
// pack time: 4 rows x 16 channels, K in blocks of 8. Per k one 16-channel
// weight vector (two q registers) is multiplied by one activation of each
// row, taken by lane: smlal / smlal2 (int16 x int16 -> int32, exact for any
// int16 and int8) into 16 int32x4 accumulators that start at the bias. The
// neon, neondot and i8mm paths all run it (sdot and smmla multiply int8
// activations only). ARMv7 (16 q registers) does the 16 channels as two
// 4 x 8 halves, reading the rows twice.
// Packed weights per block: int16 [k_padded][16] (zero past K and past n).
// Rows: s.a[r] points at k int16 values (byte pointers, any alignment).
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/arm_microkernels.h"
#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {

namespace {
constexpr int kMR = 4, kNR = 16, kKC = 8;

// The last k % 8 values of each row, zero-padded to 8 (never read past a row).
struct Tails16 {
  alignas(16) int16_t values[kMR][kKC];
  int32_t begin, length;
  explicit Tails16(const GemmStrip& s) {
    begin = s.k - s.k % kKC;
    length = s.k - begin;
    std::memset(values, 0, sizeof(values));
    if (length == 0) return;
    for (int r = 0; r < kMR; ++r) {
      std::memcpy(values[r], s.a[r] + 2 * static_cast<size_t>(begin),
                  static_cast<size_t>(length) * sizeof(int16_t));
    }
  }
};

inline int16x8_t load_row8(const int8_t* row, int32_t k) {
  return vld1q_s16(reinterpret_cast<const int16_t*>(row) + k);
}

#if defined(__aarch64__)
template <typename Out>
void gemm_4x16(const GemmStrip& s) {
  const Tails16 tails(s);
  const OutputRange range = output_range(s);
  const int8_t* a0 = s.a[0];
  const int8_t* a1 = s.a[1];
  const int8_t* a2 = s.a[2];
  const int8_t* a3 = s.a[3];
  for (int32_t n0 = 0; n0 < s.n; n0 += kNR) {
    const uint8_t* block = s.packed + static_cast<size_t>(n0 / kNR) * s.block_bytes;
    const int32_t* params = reinterpret_cast<const int32_t*>(block);
    const int16_t* w = reinterpret_cast<const int16_t*>(params + kNumPackedArrays * kNR);
    const int32_t* bias = params + kArrayBias * kNR;
    // Named accumulators (row, 4-channel group): arrays end up on the stack.
    int32x4_t c00 = vld1q_s32(bias), c01 = vld1q_s32(bias + 4), c02 = vld1q_s32(bias + 8),
              c03 = vld1q_s32(bias + 12);
    int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03;
    int32x4_t c20 = c00, c21 = c01, c22 = c02, c23 = c03;
    int32x4_t c30 = c00, c31 = c01, c32 = c02, c33 = c03;
#define DYAD_MAC_ROW(r, va, lane)                    \
  c##r##0 = vmlal_laneq_s16(c##r##0, vget_low_s16(w0), va, lane); \
  c##r##1 = vmlal_high_laneq_s16(c##r##1, w0, va, lane);          \
  c##r##2 = vmlal_laneq_s16(c##r##2, vget_low_s16(w1), va, lane); \
  c##r##3 = vmlal_high_laneq_s16(c##r##3, w1, va, lane);
#define DYAD_MAC_K(lane)                              \
  {                                                   \
    const int16x8_t w0 = vld1q_s16(w + 16 * (lane));   \
    const int16x8_t w1 = vld1q_s16(w + 16 * (lane) + 8); \
    DYAD_MAC_ROW(0, va0, lane)                        \
    DYAD_MAC_ROW(1, va1, lane)                        \
    DYAD_MAC_ROW(2, va2, lane)                        \
    DYAD_MAC_ROW(3, va3, lane)                        \
  }
#define DYAD_MAC_BLOCK()                                                              \
  DYAD_MAC_K(0) DYAD_MAC_K(1) DYAD_MAC_K(2) DYAD_MAC_K(3) DYAD_MAC_K(4) DYAD_MAC_K(5) \
  DYAD_MAC_K(6) DYAD_MAC_K(7) w += kKC * kNR;
    for (int32_t k = 0; k < tails.begin; k += kKC) {
      const int16x8_t va0 = load_row8(a0, k), va1 = load_row8(a1, k), va2 = load_row8(a2, k),
                      va3 = load_row8(a3, k);
      DYAD_MAC_BLOCK()
    }
    if (tails.length > 0) {
      const int16x8_t va0 = vld1q_s16(tails.values[0]), va1 = vld1q_s16(tails.values[1]),
                      va2 = vld1q_s16(tails.values[2]), va3 = vld1q_s16(tails.values[3]);
      DYAD_MAC_BLOCK()
    }
#undef DYAD_MAC_BLOCK
#undef DYAD_MAC_K
#undef DYAD_MAC_ROW
    const int32x4_t rows[4][4] = {{c00, c01, c02, c03},
                                  {c10, c11, c12, c13},
                                  {c20, c21, c22, c23},
                                  {c30, c31, c32, c33}};
    store_tile_4x16<Out>(rows, params, s, n0, range);
  }
}
#else
// ARMv7: per half of 8 channels, 8 accumulators; activations 4 k at a time
// in d registers (vmlal.s16 by scalar takes d0-d7).
template <typename Out>
void gemm_4x16(const GemmStrip& s) {
  const Tails16 tails(s);
  const OutputRange range = output_range(s);
  const int16_t* a[kMR];
  for (int r = 0; r < kMR; ++r) a[r] = reinterpret_cast<const int16_t*>(s.a[r]);
  for (int32_t n0 = 0; n0 < s.n; n0 += kNR) {
    const uint8_t* block = s.packed + static_cast<size_t>(n0 / kNR) * s.block_bytes;
    const int32_t* params = reinterpret_cast<const int32_t*>(block);
    const int16_t* weights = reinterpret_cast<const int16_t*>(params + kNumPackedArrays * kNR);
    int32x4_t rows[4][4];
    for (int half = 0; half < 2; ++half) {
      const int16_t* w = weights + 8 * half;
      const int32_t* bias = params + kArrayBias * kNR + 8 * half;
      int32x4_t c00 = vld1q_s32(bias), c01 = vld1q_s32(bias + 4);
      int32x4_t c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
#define DYAD_MAC_K(lane)                                                \
  {                                                                     \
    const int16x8_t vw = vld1q_s16(w + 16 * (lane));                    \
    const int16x4_t wl = vget_low_s16(vw), wh = vget_high_s16(vw);      \
    c00 = vmlal_lane_s16(c00, wl, va0, lane);                           \
    c01 = vmlal_lane_s16(c01, wh, va0, lane);                           \
    c10 = vmlal_lane_s16(c10, wl, va1, lane);                           \
    c11 = vmlal_lane_s16(c11, wh, va1, lane);                           \
    c20 = vmlal_lane_s16(c20, wl, va2, lane);                           \
    c21 = vmlal_lane_s16(c21, wh, va2, lane);                           \
    c30 = vmlal_lane_s16(c30, wl, va3, lane);                           \
    c31 = vmlal_lane_s16(c31, wh, va3, lane);                           \
  }
#define DYAD_MAC_4K(p0, p1, p2, p3)                                           \
  {                                                                           \
    const int16x4_t va0 = vld1_s16(p0), va1 = vld1_s16(p1), va2 = vld1_s16(p2), \
                    va3 = vld1_s16(p3);                                       \
    DYAD_MAC_K(0) DYAD_MAC_K(1) DYAD_MAC_K(2) DYAD_MAC_K(3)                   \
    w += 4 * kNR;                                                             \
  }
      for (int32_t k = 0; k < tails.begin; k += 4) {
        DYAD_MAC_4K(a[0] + k, a[1] + k, a[2] + k, a[3] + k)
      }
      for (int32_t k = 0; k < tails.length; k += 4) {
        DYAD_MAC_4K(tails.values[0] + k, tails.values[1] + k, tails.values[2] + k,
                    tails.values[3] + k)
      }
#undef DYAD_MAC_4K
#undef DYAD_MAC_K
      rows[0][2 * half] = c00;
      rows[0][2 * half + 1] = c01;
      rows[1][2 * half] = c10;
      rows[1][2 * half + 1] = c11;
      rows[2][2 * half] = c20;
      rows[2][2 * half + 1] = c21;
      rows[3][2 * half] = c30;
      rows[3][2 * half + 1] = c31;
    }
    store_tile_4x16<Out>(rows, params, s, n0, range);
  }
}
#endif

struct NeonGemm4x16 {
  template <typename Out>
  static void run(const GemmStrip& s) {
    gemm_4x16<Out>(s);
  }
};

}  // namespace

void qs16_gemm_4x16__neon(const GemmStrip& s) { run_for_output<NeonGemm4x16>(s); }

}  // namespace arm
}  // namespace dyad
