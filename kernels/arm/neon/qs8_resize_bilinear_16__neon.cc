// One output row of a bilinear Resize (eq. 18), 16 channels per step, NEON
// (AArch64 and ARMv7), bit-exact with ref::resize. Per 4 channels:
//   top    = (2^F - wx) q00 + wx q01           vmull_s16 + vmlal_s16
//   bottom = (2^F - wx) q10 + wx q11
//   sum    = (2^F - wy) top + wy bottom        vmulq + vmlaq (|sum| < 2^29)
//   out    = RDBP(sum, 2F) = vrshr(sum + (sum >> 31), 2F)
// vrshr rounds half up; adding -1 to negative sums first makes it round half
// away from zero (eq. 5). The result lies between two int8 inputs, so the
// narrowing never saturates.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

constexpr int kF = kResizeFracBits;

// (2^F - wx) a + wx b of 4 channels (int16 inputs).
inline int32x4_t blend4(int16x4_t a, int16x4_t b, int16x4_t w0, int16x4_t w1) {
  return vmlal_s16(vmull_s16(a, w0), b, w1);
}

inline int16x4_t round_narrow(int32x4_t top, int32x4_t bottom, int32x4_t wt, int32x4_t wb) {
  const int32x4_t sum = vmlaq_s32(vmulq_s32(top, wt), bottom, wb);
  return vmovn_s32(vrshrq_n_s32(vaddq_s32(sum, vshrq_n_s32(sum, 31)), 2 * kF));
}

}  // namespace

void qs8_resize_bilinear_16__neon(const int8_t* r0, const int8_t* r1, int32_t wy,
                                  const ResizeTap* cols, int32_t out_w, int64_t channels,
                                  int8_t* out) {
  const int32x4_t wt = vdupq_n_s32((1 << kF) - wy);
  const int32x4_t wb = vdupq_n_s32(wy);
  for (int32_t x = 0; x < out_w; ++x, out += channels) {
    const ResizeTap& t = cols[x];
    const int16x4_t w0 = vdup_n_s16(static_cast<int16_t>((1 << kF) - t.w1));
    const int16x4_t w1 = vdup_n_s16(static_cast<int16_t>(t.w1));
    const int64_t o0 = int64_t{t.i0} * channels, o1 = int64_t{t.i1} * channels;
    for (int64_t c = 0; c < channels; c += 16) {
      // The last block of a count that is not a multiple of 16 ends at
      // `channels`, rewriting a few outputs with the same bytes.
      const int64_t at = c + 16 <= channels ? c : channels - 16;
      const int8x16_t a0 = vld1q_s8(r0 + o0 + at), a1 = vld1q_s8(r0 + o1 + at);
      const int8x16_t b0 = vld1q_s8(r1 + o0 + at), b1 = vld1q_s8(r1 + o1 + at);
      int16x8_t halves[2];
      for (int h = 0; h < 2; ++h) {
        const int16x8_t qa0 = vmovl_s8(h == 0 ? vget_low_s8(a0) : vget_high_s8(a0));
        const int16x8_t qa1 = vmovl_s8(h == 0 ? vget_low_s8(a1) : vget_high_s8(a1));
        const int16x8_t qb0 = vmovl_s8(h == 0 ? vget_low_s8(b0) : vget_high_s8(b0));
        const int16x8_t qb1 = vmovl_s8(h == 0 ? vget_low_s8(b1) : vget_high_s8(b1));
        const int16x4_t lo = round_narrow(
            blend4(vget_low_s16(qa0), vget_low_s16(qa1), w0, w1),
            blend4(vget_low_s16(qb0), vget_low_s16(qb1), w0, w1), wt, wb);
        const int16x4_t hi = round_narrow(
            blend4(vget_high_s16(qa0), vget_high_s16(qa1), w0, w1),
            blend4(vget_high_s16(qb0), vget_high_s16(qb1), w0, w1), wt, wb);
        halves[h] = vcombine_s16(lo, hi);
      }
      vst1q_s8(out + at, vcombine_s8(vmovn_s16(halves[0]), vmovn_s16(halves[1])));
    }
  }
}

}  // namespace pool_isa
}  // namespace dyad
