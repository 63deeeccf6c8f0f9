// 4 rows x 16 channels, K in blocks of 8, ARMv8.6 int8 matrix multiply (smmla).
// smmla multiplies a 2x8 block of A (two rows) by a 2x8 block of packed
// weights (two channels) into a 2x2 int32 tile [r0c0 r0c1 r1c0 r1c1].
// Packed weights per block of 8 k: [16 channels][8 k], so channels 2j, 2j+1
// are one 16-byte operand. Accumulators: 2 row pairs x 8 channel pairs.
// Per 16 k: 32 smmla, 4 row loads + 4 zips, 4 four-register weight loads.
#include <arm_neon.h>

#include "kernels/arm/arm_microkernels.h"
#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {

namespace {
constexpr int kMR = 4, kNR = 16, kKC = 8;

// Rows (x, y) of one 8-k block as one smmla A operand.
inline int8x16_t pair_low(int8x16_t x, int8x16_t y) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(x), vreinterpretq_s64_s8(y)));
}
inline int8x16_t pair_high(int8x16_t x, int8x16_t y) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(x), vreinterpretq_s64_s8(y)));
}
// Row 0 / row 1 of two 2x2 tiles (channel pairs j, j+1) as 4 channels.
inline int32x4_t tile_row0(int32x4_t t0, int32x4_t t1) {
  return vreinterpretq_s32_s64(vuzp1q_s64(vreinterpretq_s64_s32(t0), vreinterpretq_s64_s32(t1)));
}
inline int32x4_t tile_row1(int32x4_t t0, int32x4_t t1) {
  return vreinterpretq_s32_s64(vuzp2q_s64(vreinterpretq_s64_s32(t0), vreinterpretq_s64_s32(t1)));
}
// Tile of channel pair (2j, 2j+1) starts as [b2j b2j+1 b2j b2j+1].
inline int32x4_t bias_tile(const int32_t* bias, int j) {
  const int32x2_t b = vld1_s32(bias + 2 * j);
  return vcombine_s32(b, b);
}
}  // namespace

namespace {
// run<Out>: the whole strip with Out's epilogue (requant_neon.h).
struct MmlaGemm4x16c8 {
  template <typename Out>
  static void run(const GemmStrip& s);
};
}  // namespace

template <typename Out>
void MmlaGemm4x16c8::run(const GemmStrip& s) {
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
    // cRJ: row pair R (rows 2R, 2R+1), channel pair J.
    int32x4_t c00 = bias_tile(bias, 0), c01 = bias_tile(bias, 1), c02 = bias_tile(bias, 2),
              c03 = bias_tile(bias, 3), c04 = bias_tile(bias, 4), c05 = bias_tile(bias, 5),
              c06 = bias_tile(bias, 6), c07 = bias_tile(bias, 7);
    int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03, c14 = c04, c15 = c05, c16 = c06,
              c17 = c07;
// One 8-k block: A operands p01 (rows 0-1), p23 (rows 2-3), 128 weight bytes.
#define DYAD_MMLA_BLOCK(p01, p23)                     \
  {                                                   \
    const int8x16x4_t wa = vld1q_s8_x4(w);            \
    c00 = vmmlaq_s32(c00, p01, wa.val[0]);            \
    c01 = vmmlaq_s32(c01, p01, wa.val[1]);            \
    c02 = vmmlaq_s32(c02, p01, wa.val[2]);            \
    c03 = vmmlaq_s32(c03, p01, wa.val[3]);            \
    c10 = vmmlaq_s32(c10, p23, wa.val[0]);            \
    c11 = vmmlaq_s32(c11, p23, wa.val[1]);            \
    c12 = vmmlaq_s32(c12, p23, wa.val[2]);            \
    c13 = vmmlaq_s32(c13, p23, wa.val[3]);            \
    const int8x16x4_t wb = vld1q_s8_x4(w + 64);       \
    c04 = vmmlaq_s32(c04, p01, wb.val[0]);            \
    c05 = vmmlaq_s32(c05, p01, wb.val[1]);            \
    c06 = vmmlaq_s32(c06, p01, wb.val[2]);            \
    c07 = vmmlaq_s32(c07, p01, wb.val[3]);            \
    c14 = vmmlaq_s32(c14, p23, wb.val[0]);            \
    c15 = vmmlaq_s32(c15, p23, wb.val[1]);            \
    c16 = vmmlaq_s32(c16, p23, wb.val[2]);            \
    c17 = vmmlaq_s32(c17, p23, wb.val[3]);            \
    w += kKC * kNR;                                   \
  }
    for (int32_t k = 0; k < tails.begin; k += 16) {
      const int8x16_t va0 = vld1q_s8(a0 + k);
      const int8x16_t va1 = vld1q_s8(a1 + k);
      const int8x16_t va2 = vld1q_s8(a2 + k);
      const int8x16_t va3 = vld1q_s8(a3 + k);
      DYAD_MMLA_BLOCK(pair_low(va0, va1), pair_low(va2, va3))
      DYAD_MMLA_BLOCK(pair_high(va0, va1), pair_high(va2, va3))
    }
    if (tail_blocks > 0) {
      const int8x16_t t0 = vld1q_s8(tails.bytes[0]);
      const int8x16_t t1 = vld1q_s8(tails.bytes[1]);
      const int8x16_t t2 = vld1q_s8(tails.bytes[2]);
      const int8x16_t t3 = vld1q_s8(tails.bytes[3]);
      DYAD_MMLA_BLOCK(pair_low(t0, t1), pair_low(t2, t3))
      if (tail_blocks > 1) DYAD_MMLA_BLOCK(pair_high(t0, t1), pair_high(t2, t3))
    }
#undef DYAD_MMLA_BLOCK
    // Channels 0-3, 4-7, 8-11, 12-15 of rows 0..3.
    const int32x4_t rows[kMR][4] = {
        {tile_row0(c00, c01), tile_row0(c02, c03), tile_row0(c04, c05), tile_row0(c06, c07)},
        {tile_row1(c00, c01), tile_row1(c02, c03), tile_row1(c04, c05), tile_row1(c06, c07)},
        {tile_row0(c10, c11), tile_row0(c12, c13), tile_row0(c14, c15), tile_row0(c16, c17)},
        {tile_row1(c10, c11), tile_row1(c12, c13), tile_row1(c14, c15), tile_row1(c16, c17)}};
    store_tile_4x16<Out>(rows, params, s, n0, range);
  }
}

void qs8_gemm_4x16c8__i8mm(const GemmStrip& s) { run_for_output<MmlaGemm4x16c8>(s); }

}  // namespace arm
}  // namespace dyad
