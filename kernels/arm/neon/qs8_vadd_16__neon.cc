// Add and Sub (eqs. 7-9) on 16 int8 outputs per step with NEON (AArch64 and
// ARMv7), bit-exact with ref::add / ref::sub. Sub is this kernel with
// a' - b' (kernel name "qs8_vsub_16__neon"). Eq. 6 is requant_neon.h's
// requantize4, its output stage store_row8. With BinaryKernelParams::narrow
// all of eqs. 7-9 run in int16x8 lanes (sqrdmulh.8h for SRDHM).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/arm/requant_neon.h"
#include "kernels/common/binary_blocks.h"
#include "kernels/elementwise_kernels.h"

namespace dyad {
namespace arm {
namespace {

inline Requant4 per_tensor(const BinaryRequant& r) {
  return Requant4{vdupq_n_s32(r.multiplier), vdupq_n_s32(r.left), vdupq_n_s32(r.neg_right)};
}

// Eq. 7 on 8 inputs: q - Z in int16 (|q - Z| <= 255), widened; the shift by
// L is exact and needs no saturation: L <= 22 gives |x| <= 255 * 2^22 < 2^30.
inline void rescale8(int8x8_t q, int8x8_t zero_point, int32x4_t left_shift, const Requant4& r,
                     int32x4_t* lo, int32x4_t* hi) {
  const int16x8_t x = vsubl_s8(q, zero_point);
  *lo = requantize4(vshlq_s32(vmovl_s16(vget_low_s16(x)), left_shift), r);
  *hi = requantize4(vshlq_s32(vmovl_s16(vget_high_s16(x)), left_shift), r);
}

// The 16-bit form (BinaryKernelParams::narrow; conditions and the proof in
// elementwise_kernels.cc, set_narrow).
struct Narrow8 {
  int16x8_t high16, neg_right;
  bool no_right_shift;  // the converter's larger input (M = 1/2): RDBP is the identity
};
inline Narrow8 narrow8(const BinaryRequant& r) {
  return Narrow8{vdupq_n_s16(r.high16), vdupq_n_s16(static_cast<int16_t>(r.neg_right)),
                 r.neg_right == 0};
}

// SRDHM(t, m * 2^16) = sqrdmulh.8h(t, m) = floor((t * m + 2^14) / 2^15) (never
// saturates: m > -2^15), then RDBP by r <= 15 with requantize4's fix-up
// (srshl rounds half up; minus 1 on negative values when r > 0 rounds half
// away from zero).
inline int16x8_t srdhm_rdbp16(int16x8_t t, const Narrow8& r) {
  const int16x8_t high = vqrdmulhq_s16(t, r.high16);
  if (r.no_right_shift) return high;  // the same way for a whole call
  const int16x8_t fixup = vshrq_n_s16(vandq_s16(high, r.neg_right), 15);
  return vrshlq_s16(vqaddq_s16(high, fixup), r.neg_right);
}

// Eq. 7 of 8 inputs: t = (q - Z) << L, |t| <= 255 * 2^7 fits int16.
inline int16x8_t rescale_narrow(int8x8_t q, int8x8_t zero_point, int16x8_t left_shift,
                                const Narrow8& r) {
  return srdhm_rdbp16(vshlq_s16(vsubl_s8(q, zero_point), left_shift), r);
}

template <bool kAScalar, bool kBScalar, bool kSubtract>
void add_run_narrow(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                    size_t n, int32_t a_value, int32_t b_value) {
  const int8x8_t za = vdup_n_s8(static_cast<int8_t>(p.a_zero_point));
  const int8x8_t zb = vdup_n_s8(static_cast<int8_t>(p.b_zero_point));
  const int16x8_t l = vdupq_n_s16(static_cast<int16_t>(p.left_shift));
  const int16x8_t av = vdupq_n_s16(static_cast<int16_t>(a_value));
  const int16x8_t bv = vdupq_n_s16(static_cast<int16_t>(b_value));
  const Narrow8 ra = narrow8(p.a), rb = narrow8(p.b), ro = narrow8(p.out);
  const int16x8_t zo = vdupq_n_s16(static_cast<int16_t>(p.output_zero_point));
  const int8x16_t lo = vdupq_n_s8(static_cast<int8_t>(p.act_min));
  const int8x16_t hi = vdupq_n_s8(static_cast<int8_t>(p.act_max));
  // Eq. 8 is a plain int16 sum (|a'| + |b'| <= 32767); eq. 9, + Z_out with
  // sqadd, sqxtn and the clamp in int8 (the clamp range lies inside int8, so
  // the saturations cannot move a value across it).
  auto half = [&](int16x8_t x, int16x8_t y) {
    const int16x8_t s = kSubtract ? vsubq_s16(x, y) : vaddq_s16(x, y);
    return vqmovn_s16(vqaddq_s16(srdhm_rdbp16(s, ro), zo));
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, [&](const int8_t* pa, const int8_t* pb,
                                                         int8_t* dst, int count) {
    int16x8_t a0 = av, a1 = av, b0 = bv, b1 = bv;
    if (!kAScalar) {
      const int8x16_t q = vld1q_s8(pa);
      a0 = rescale_narrow(vget_low_s8(q), za, l, ra);
      a1 = rescale_narrow(vget_high_s8(q), za, l, ra);
    }
    if (!kBScalar) {
      const int8x16_t q = vld1q_s8(pb);
      b0 = rescale_narrow(vget_low_s8(q), zb, l, rb);
      b1 = rescale_narrow(vget_high_s8(q), zb, l, rb);
    }
    const int8x16_t y = vminq_s8(vmaxq_s8(vcombine_s8(half(a0, b0), half(a1, b1)), lo), hi);
    if (count == 16) {
      vst1q_s8(dst, y);
    } else {
      int8_t tmp[16];
      vst1q_s8(tmp, y);
      std::memcpy(dst, tmp, static_cast<size_t>(count));
    }
  });
}

// A scalar operand (kAScalar / kBScalar) is already rescaled: a_value / b_value.
template <bool kAScalar, bool kBScalar>
void add_run(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n,
             int32_t a_value, int32_t b_value) {
  if (p.narrow) {
    if (p.op == BinaryOp::kSub) {
      add_run_narrow<kAScalar, kBScalar, true>(p, a, b, out, n, a_value, b_value);
    } else {
      add_run_narrow<kAScalar, kBScalar, false>(p, a, b, out, n, a_value, b_value);
    }
    return;
  }
  // Zero points are int8 (binary_can_use checks it).
  const int8x8_t za = vdup_n_s8(static_cast<int8_t>(p.a_zero_point));
  const int8x8_t zb = vdup_n_s8(static_cast<int8_t>(p.b_zero_point));
  const int32x4_t l = vdupq_n_s32(p.left_shift);
  const int32x4_t av = vdupq_n_s32(a_value);
  const int32x4_t bv = vdupq_n_s32(b_value);
  const Requant4 ra = per_tensor(p.a), rb = per_tensor(p.b), ro = per_tensor(p.out);
  const OutputRange range{vdupq_n_s32(p.output_zero_point), vdupq_n_s32(p.act_min),
                          vdupq_n_s32(p.act_max)};
  const bool subtract = p.op == BinaryOp::kSub;
  // Eq. 8: vqadd / vqsub saturate exactly like the reference's int64 sum.
  auto combine = [&](int32x4_t x, int32x4_t y) {
    return subtract ? vqsubq_s32(x, y) : vqaddq_s32(x, y);
  };
  // 16 outputs from 16 readable bytes of each contiguous operand.
  auto block = [&](const int8_t* pa, const int8_t* pb, int8_t* dst, int count) {
    int32x4_t a0 = av, a1 = av, a2 = av, a3 = av, b0 = bv, b1 = bv, b2 = bv, b3 = bv;
    if (!kAScalar) {
      const int8x16_t q = vld1q_s8(pa);
      rescale8(vget_low_s8(q), za, l, ra, &a0, &a1);
      rescale8(vget_high_s8(q), za, l, ra, &a2, &a3);
    }
    if (!kBScalar) {
      const int8x16_t q = vld1q_s8(pb);
      rescale8(vget_low_s8(q), zb, l, rb, &b0, &b1);
      rescale8(vget_high_s8(q), zb, l, rb, &b2, &b3);
    }
    const int32x4_t y0 = requantize4(combine(a0, b0), ro);
    const int32x4_t y1 = requantize4(combine(a1, b1), ro);
    const int32x4_t y2 = requantize4(combine(a2, b2), ro);
    const int32x4_t y3 = requantize4(combine(a3, b3), ro);
    store_row8(y0, y1, range, dst, count < 8 ? count : 8);
    if (count > 8) store_row8(y2, y3, range, dst + 8, count - 8);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace arm

void qs8_vadd_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a8 = static_cast<const int8_t*>(a);
  const auto* b8 = static_cast<const int8_t*>(b);
  auto* out8 = static_cast<int8_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    arm::add_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a8, b8, out8, n, av, bv);
  });
}

}  // namespace dyad
