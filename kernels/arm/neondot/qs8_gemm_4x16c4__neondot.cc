// 4 rows x 16 channels, K in blocks of 4, ARMv8.2 dot product (sdot).
// Packed weights per block of 4 k: [16 channels][4 k]; one sdot by lane j of
// a row adds that row's k 4j..4j+3 times 4 channels' 4 weights.
// Accumulators: 4 rows x 4 int32x4 (channels 0-3 .. 12-15), started at bias'.
// Per 16 k: 64 sdot, 4 row loads, 4 four-register weight loads.
#include <arm_neon.h>

#include "kernels/arm/arm_microkernels.h"
#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {

namespace {
constexpr int kMR = 4, kNR = 16, kKC = 4;
}

namespace {
// run<Out>: the whole strip with Out's epilogue (requant_neon.h).
struct SdotGemm4x16c4 {
  template <typename Out>
  static void run(const GemmStrip& s);
};
}  // namespace

template <typename Out>
void SdotGemm4x16c4::run(const GemmStrip& s) {
  const RowTails<kMR, 16> tails(s);
  const int tail_blocks = (tails.length + kKC - 1) / kKC;
  const OutputRange range = output_range(s);
  const int8_t* a0 = s.a[0];
  const int8_t* a1 = s.a[1];
  const int8_t* a2 = s.a[2];
  const int8_t* a3 = s.a[3];
  for (int32_t n0 = 0; n0 < s.n; n0 += kNR) {
    const uint8_t* block = s.packed + static_cast<size_t>(n0 / kNR) * s.block_bytes;
    const int32_t* params = reinterpret_cast<const int32_t*>(block);
    const int8_t* w = reinterpret_cast<const int8_t*>(params + kNumPackedArrays * kNR);
    const int32_t* bias = params + kArrayBias * kNR;
    int32x4_t c00 = vld1q_s32(bias), c01 = vld1q_s32(bias + 4);
    int32x4_t c02 = vld1q_s32(bias + 8), c03 = vld1q_s32(bias + 12);
    int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03;
    int32x4_t c20 = c00, c21 = c01, c22 = c02, c23 = c03;
    int32x4_t c30 = c00, c31 = c01, c32 = c02, c33 = c03;
// One 4-k block (weights wb, 16 channels) against lane `lane` of each row.
#define DYAD_SDOT_BLOCK(wb, va0, va1, va2, va3, lane)                                  \
  c00 = vdotq_laneq_s32(c00, wb.val[0], va0, lane);                                   \
  c01 = vdotq_laneq_s32(c01, wb.val[1], va0, lane);                                   \
  c02 = vdotq_laneq_s32(c02, wb.val[2], va0, lane);                                   \
  c03 = vdotq_laneq_s32(c03, wb.val[3], va0, lane);                                   \
  c10 = vdotq_laneq_s32(c10, wb.val[0], va1, lane);                                   \
  c11 = vdotq_laneq_s32(c11, wb.val[1], va1, lane);                                   \
  c12 = vdotq_laneq_s32(c12, wb.val[2], va1, lane);                                   \
  c13 = vdotq_laneq_s32(c13, wb.val[3], va1, lane);                                   \
  c20 = vdotq_laneq_s32(c20, wb.val[0], va2, lane);                                   \
  c21 = vdotq_laneq_s32(c21, wb.val[1], va2, lane);                                   \
  c22 = vdotq_laneq_s32(c22, wb.val[2], va2, lane);                                   \
  c23 = vdotq_laneq_s32(c23, wb.val[3], va2, lane);                                   \
  c30 = vdotq_laneq_s32(c30, wb.val[0], va3, lane);                                   \
  c31 = vdotq_laneq_s32(c31, wb.val[1], va3, lane);                                   \
  c32 = vdotq_laneq_s32(c32, wb.val[2], va3, lane);                                   \
  c33 = vdotq_laneq_s32(c33, wb.val[3], va3, lane);
    for (int32_t k = 0; k < tails.begin; k += 16) {
      const int8x16_t va0 = vld1q_s8(a0 + k);
      const int8x16_t va1 = vld1q_s8(a1 + k);
      const int8x16_t va2 = vld1q_s8(a2 + k);
      const int8x16_t va3 = vld1q_s8(a3 + k);
      const int8x16x4_t w0 = vld1q_s8_x4(w);
      DYAD_SDOT_BLOCK(w0, va0, va1, va2, va3, 0)
      const int8x16x4_t w1 = vld1q_s8_x4(w + 64);
      DYAD_SDOT_BLOCK(w1, va0, va1, va2, va3, 1)
      const int8x16x4_t w2 = vld1q_s8_x4(w + 128);
      DYAD_SDOT_BLOCK(w2, va0, va1, va2, va3, 2)
      const int8x16x4_t w3 = vld1q_s8_x4(w + 192);
      DYAD_SDOT_BLOCK(w3, va0, va1, va2, va3, 3)
      w += 256;
    }
    if (tail_blocks > 0) {
      // The zero-padded tail rows: lanes past the tail meet no packed
      // weights, so only tail_blocks lanes are used.
      const int8x16_t va0 = vld1q_s8(tails.bytes[0]);
      const int8x16_t va1 = vld1q_s8(tails.bytes[1]);
      const int8x16_t va2 = vld1q_s8(tails.bytes[2]);
      const int8x16_t va3 = vld1q_s8(tails.bytes[3]);
      const int8x16x4_t w0 = vld1q_s8_x4(w);
      DYAD_SDOT_BLOCK(w0, va0, va1, va2, va3, 0)
      if (tail_blocks > 1) {
        const int8x16x4_t w1 = vld1q_s8_x4(w + 64);
        DYAD_SDOT_BLOCK(w1, va0, va1, va2, va3, 1)
      }
      if (tail_blocks > 2) {
        const int8x16x4_t w2 = vld1q_s8_x4(w + 128);
        DYAD_SDOT_BLOCK(w2, va0, va1, va2, va3, 2)
      }
      if (tail_blocks > 3) {
        const int8x16x4_t w3 = vld1q_s8_x4(w + 192);
        DYAD_SDOT_BLOCK(w3, va0, va1, va2, va3, 3)
      }
    }
#undef DYAD_SDOT_BLOCK
    const int32x4_t rows[kMR][4] = {{c00, c01, c02, c03},
                                    {c10, c11, c12, c13},
                                    {c20, c21, c22, c23},
                                    {c30, c31, c32, c33}};
    store_tile_4x16<Out>(rows, params, s, n0, range);
  }
}

void qs8_gemm_4x16c4__neondot(const GemmStrip& s) { run_for_output<SdotGemm4x16c4>(s); }

}  // namespace arm
}  // namespace dyad
