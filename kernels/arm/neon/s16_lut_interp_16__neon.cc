// Interpolated int16 table (eq. 13b), NEON (AArch64 and ARMv7), every ARM
// path, bit-exact with ref::lut_s16. NEON has no gather and the table (513
// int16, 1026 bytes) is far beyond tbl's 64 bytes, so each lane's pair
// T[j], T[j + 1] is one 32-bit scalar load at T + j (j = u >> 7 <= 511: the
// word never passes T[512]) inserted into a vector lane; the rest is vector:
//   u = q + 32768 = q ^ 0x8000 (as uint16), j = u >> 7, t = u & 127;
//   uzp1 / uzp2 split the loaded words into T[j] and T[j + 1];
//   (T[j+1] - T[j]) * t = T[j+1] * t - T[j] * t in int32 (smull + smlsl,
//   t <= 127 fits int16; |.| <= 65535 * 127 < 2^23);
//   (x + 64) >> 7 (arithmetic, rounding half up) is exactly rshrn #7, which
//   also narrows to 16 bits: it keeps (x + 64) >> 7 mod 2^16, and the final
//   T[j] + that, added with wrapping int16 arithmetic, is right mod 2^16 and
//   lies in int16 (between T[j] and T[j + 1]), so it is the exact value.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

// The 32-bit word at table + j (T[j] in the low half, T[j + 1] in the high
// half, little-endian), unaligned-safe.
inline uint32_t pair_at(const int16_t* table, uint32_t j) {
  uint32_t w;
  std::memcpy(&w, table + j, sizeof(w));
  return w;
}

// 8 outputs from 8 int16 inputs.
inline int16x8_t lookup8(int16x8_t q, const int16_t* table) {
  const uint16x8_t u = veorq_u16(vreinterpretq_u16_s16(q), vdupq_n_u16(0x8000));
  const uint16x8_t j = vshrq_n_u16(u, 7);
  const int16x8_t t = vreinterpretq_s16_u16(vandq_u16(u, vdupq_n_u16(127)));
  uint32x4_t w0 = vdupq_n_u32(0), w1 = vdupq_n_u32(0);
  w0 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 0)), w0, 0);
  w0 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 1)), w0, 1);
  w0 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 2)), w0, 2);
  w0 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 3)), w0, 3);
  w1 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 4)), w1, 0);
  w1 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 5)), w1, 1);
  w1 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 6)), w1, 2);
  w1 = vsetq_lane_u32(pair_at(table, vgetq_lane_u16(j, 7)), w1, 3);
  // Even int16 elements: T[j]; odd: T[j + 1].
  const int16x8x2_t lh = vuzpq_s16(vreinterpretq_s16_u32(w0), vreinterpretq_s16_u32(w1));
  const int16x8_t lo = lh.val[0], hi = lh.val[1];
#if defined(__aarch64__)
  const int32x4_t s0 = vmlsl_s16(vmull_s16(vget_low_s16(hi), vget_low_s16(t)), vget_low_s16(lo),
                                 vget_low_s16(t));
  const int32x4_t s1 = vmlsl_high_s16(vmull_high_s16(hi, t), lo, t);
  const int16x8_t step = vrshrn_high_n_s32(vrshrn_n_s32(s0, 7), s1, 7);
#else
  const int32x4_t s0 = vmlsl_s16(vmull_s16(vget_low_s16(hi), vget_low_s16(t)), vget_low_s16(lo),
                                 vget_low_s16(t));
  const int32x4_t s1 = vmlsl_s16(vmull_s16(vget_high_s16(hi), vget_high_s16(t)),
                                 vget_high_s16(lo), vget_high_s16(t));
  const int16x8_t step = vcombine_s16(vrshrn_n_s32(s0, 7), vrshrn_n_s32(s1, 7));
#endif
  return vaddq_s16(lo, step);
}

}  // namespace

void s16_lut_interp_16__neon(const int16_t* input, int64_t count, const int16_t* table,
                             int16_t* output) {
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const int16x8_t a = lookup8(vld1q_s16(input + i), table);
    const int16x8_t b = lookup8(vld1q_s16(input + i + 8), table);
    vst1q_s16(output + i, a);
    vst1q_s16(output + i + 8, b);
  }
  for (; i + 8 <= count; i += 8) vst1q_s16(output + i, lookup8(vld1q_s16(input + i), table));
  if (i < count) {  // the tail on a zero-padded copy
    int16_t in[8] = {}, out[8];
    std::memcpy(in, input + i, static_cast<size_t>(count - i) * sizeof(int16_t));
    vst1q_s16(out, lookup8(vld1q_s16(in), table));
    std::memcpy(output + i, out, static_cast<size_t>(count - i) * sizeof(int16_t));
  }
}

}  // namespace pool_isa
}  // namespace dyad
