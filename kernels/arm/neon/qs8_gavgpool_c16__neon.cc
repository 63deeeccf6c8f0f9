// Mean over rows of int8 channels (GlobalAveragePool), NEON (AArch64 and
// ARMv7): 16 channels per step, rows added into int16 lanes (saddw; exact for
// up to 256 rows: |sum| <= 256 * 128), widened into int32 every 256 rows; then
// + bias (= -rows * Z_in) and eq. 6 (requant_neon.h: sqshl, sqrdmulh, srshl
// with the half-away-from-zero fix-up), bit-exact with the reference.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/arm/requant_neon.h"
#include "kernels/common/mean_channel_blocks.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/ref_util.h"

namespace dyad {
namespace pool_isa {
namespace {

constexpr int64_t kRowsPerInt16Pass = 256;

struct BroadcastRequant {
  arm::Requant4 q;
  arm::OutputRange range;
  explicit BroadcastRequant(const MeanRequant& rq) {
    const int32_t left = rq.shift > 0 ? rq.shift : 0;
    const int32_t right = rq.shift > 0 ? 0 : -rq.shift;
    q = arm::Requant4{vdupq_n_s32(rq.multiplier), vdupq_n_s32(left), vdupq_n_s32(-right)};
    range = arm::OutputRange{vdupq_n_s32(rq.zero_point), vdupq_n_s32(-128), vdupq_n_s32(127)};
  }
  void store8(int32x4_t a, int32x4_t b, int8_t* out) const {
    arm::store_row8(arm::requantize4(a, q), arm::requantize4(b, q), range, out, 8);
  }
};

void block16(const int8_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
             const BroadcastRequant& q, int8_t* out) {
  int32x4_t acc[4];
  for (auto& a : acc) a = vdupq_n_s32(rq.bias);
  for (int64_t r0 = 0; r0 < rows; r0 += kRowsPerInt16Pass) {
    const int64_t r1 = rows - r0 < kRowsPerInt16Pass ? rows : r0 + kRowsPerInt16Pass;
    int16x8_t lo = vdupq_n_s16(0), hi = vdupq_n_s16(0);
    for (int64_t r = r0; r < r1; ++r) {
      const int8x16_t x = vld1q_s8(in + r * stride);
      lo = vaddw_s8(lo, vget_low_s8(x));
      hi = vaddw_s8(hi, vget_high_s8(x));
    }
    acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
    acc[1] = vaddw_s16(acc[1], vget_high_s16(lo));
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_s16(acc[3], vget_high_s16(hi));
  }
  q.store8(acc[0], acc[1], out);
  q.store8(acc[2], acc[3], out + 8);
}

void block8(const int8_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
            const BroadcastRequant& q, int8_t* out) {
  int32x4_t a0 = vdupq_n_s32(rq.bias), a1 = a0;
  for (int64_t r = 0; r < rows; ++r) {
    const int16x8_t x = vmovl_s8(vld1_s8(in + r * stride));
    a0 = vaddw_s16(a0, vget_low_s16(x));
    a1 = vaddw_s16(a1, vget_high_s16(x));
  }
  q.store8(a0, a1, out);
}

}  // namespace

void qs8_gavgpool_c16__neon(const int8_t* input, int64_t rows, int64_t stride, int64_t channels,
                            const MeanRequant& rq, int8_t* output) {
  const BroadcastRequant q(rq);
  mean_channel_blocks<16>(
      input, rows, stride, channels, rq, output,
      [&](const int8_t* in, int8_t* out) { block16(in, rows, stride, rq, q, out); },
      [&](const int8_t* in, int8_t* out) { block8(in, rows, stride, rq, q, out); });
}

}  // namespace pool_isa
}  // namespace dyad
