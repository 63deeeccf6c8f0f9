// Mean over rows of int16 channels (GlobalAveragePool / ReduceMean of W8A16
// models), NEON (AArch64 and ARMv7), every ARM path: 16 channels per step,
// each row's int16 values added into int32 lanes with saddw / saddw2 (exact:
// the runtime allows at most 65536 rows, so |sum| <= 2^16 * 2^15 = 2^31 and
// the most negative sum, -2^31, fits; the reference sums in int64 and
// saturates to int32, which then changes nothing), then + bias (-rows *
// Z_in, 0 for int16) and eq. 12 = eq. 6 per lane (qs16_neon.h: sqshl =
// SatShl, sqrdmulh = SRDHM eq. 4, fix-up + srshl = RDBP eq. 5 rounding half
// away from zero), + Z_out with sqadd (the reference adds in int64 and
// saturates), and the saturating narrow sqxtn, which is the clamp to int16.
// Bit-exact with ref::mean.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/arm/neon/qs16_neon.h"
#include "kernels/common/mean_channel_blocks.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/ref_util.h"

namespace dyad {
namespace pool_isa {
namespace {

struct Requant16 {
  arm::Requant4 q;
  int32x4_t zero_point;
  explicit Requant16(const MeanRequant& rq)
      : q(arm::requant4_per_tensor(rq.multiplier, rq.shift)),
        zero_point(vdupq_n_s32(rq.zero_point)) {}
  // Eq. 6 + Z_out (saturating), narrowed to int16 with saturation.
  int16x8_t apply8(int32x4_t a, int32x4_t b) const {
    return arm::narrow_sat16(vqaddq_s32(arm::requantize4_m0_nonneg(a, q), zero_point),
                             vqaddq_s32(arm::requantize4_m0_nonneg(b, q), zero_point));
  }
};

// acc += the 8 int16 of x, widened (sxtl-free: saddw / saddw2).
inline void add8(int16x8_t x, int32x4_t* lo, int32x4_t* hi) {
  *lo = vaddw_s16(*lo, vget_low_s16(x));
#if defined(__aarch64__)
  *hi = vaddw_high_s16(*hi, x);
#else
  *hi = vaddw_s16(*hi, vget_high_s16(x));
#endif
}

void block16(const int16_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
             const Requant16& q, int16_t* out) {
  int32x4_t a0 = vdupq_n_s32(rq.bias), a1 = a0, a2 = a0, a3 = a0;
  int64_t r = 0;
  // Two rows per iteration (fewer loop instructions per row).
  for (; r + 2 <= rows; r += 2) {
    const int16_t* p0 = in + r * stride;
    const int16_t* p1 = p0 + stride;
    add8(vld1q_s16(p0), &a0, &a1);
    add8(vld1q_s16(p0 + 8), &a2, &a3);
    add8(vld1q_s16(p1), &a0, &a1);
    add8(vld1q_s16(p1 + 8), &a2, &a3);
  }
  if (r < rows) {
    const int16_t* p0 = in + r * stride;
    add8(vld1q_s16(p0), &a0, &a1);
    add8(vld1q_s16(p0 + 8), &a2, &a3);
  }
  vst1q_s16(out, q.apply8(a0, a1));
  vst1q_s16(out + 8, q.apply8(a2, a3));
}

void block8(const int16_t* in, int64_t rows, int64_t stride, const MeanRequant& rq,
            const Requant16& q, int16_t* out) {
  int32x4_t a0 = vdupq_n_s32(rq.bias), a1 = a0;
  for (int64_t r = 0; r < rows; ++r) add8(vld1q_s16(in + r * stride), &a0, &a1);
  vst1q_s16(out, q.apply8(a0, a1));
}

}  // namespace

void qs16_gavgpool_c16__neon(const int16_t* input, int64_t rows, int64_t stride, int64_t channels,
                             const MeanRequant& rq, int16_t* output) {
  const Requant16 q(rq);
  mean_channel_blocks<16>(
      input, rows, stride, channels, rq, output,
      [&](const int16_t* in, int16_t* out) { block16(in, rows, stride, rq, q, out); },
      [&](const int16_t* in, int16_t* out) { block8(in, rows, stride, rq, q, out); });
}

}  // namespace pool_isa
}  // namespace dyad
