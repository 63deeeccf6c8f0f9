// Add and Sub (eqs. 7-9) on 16 int16 outputs per step with NEON (AArch64 and
// ARMv7), a, b and the output all int16 with zero point 0, bit-exact with
// ref::add / ref::sub. Sub is this kernel with a' - b' (kernel name
// "qs16_vsub_16__neon"). Serves every ARM path (neon, neondot, i8mm).
//
// Per 4 lanes of an input (x = q, Z = 0; |x| <= 2^15, L <= 15):
//  - eq. 7's x * 2^L is exact (|x| * 2^L <= 2^30), so it and eq. 6's
//    SatShl by the input's left shift are ONE sqshl by L + left:
//    SatShl(x * 2^L, left) = sat32(x * 2^(L + left)) (sqshl saturates the
//    exact shifted value, for any amount up to 45);
//  - then sqrdmulh (SRDHM, eq. 4) and the RDBP (eq. 5) with its
//    half-away-from-zero fix-up (qs16_neon.h).
// Eq. 8: sqadd / sqsub saturate exactly like the reference's int64 sum
// narrowed to int32. Eq. 9: eq. 6 with the output multiplier, then the
// saturating narrow and the clamp (Z_out = 0).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "kernels/arm/neon/qs16_neon.h"
#include "kernels/common/binary_blocks.h"
#include "kernels/elementwise_kernels.h"

namespace dyad {
namespace arm {
namespace {

// Eq. 7 of one input: its Requant4 with `left` replaced by L + left.
inline Requant4 input_requant(const BinaryRequant& r, int32_t left_shift) {
  return Requant4{vdupq_n_s32(r.multiplier), vdupq_n_s32(left_shift + r.left),
                  vdupq_n_s32(r.neg_right)};
}

// Eq. 7 on 8 int16 inputs (sxtl / sxtl2: exact widening).
inline void rescale8(int16x8_t q, const Requant4& r, int32x4_t* lo, int32x4_t* hi) {
  *lo = requantize4_m0_nonneg(vmovl_s16(vget_low_s16(q)), r);
#if defined(__aarch64__)
  *hi = requantize4_m0_nonneg(vmovl_high_s16(q), r);
#else
  *hi = requantize4_m0_nonneg(vmovl_s16(vget_high_s16(q)), r);
#endif
}

// A scalar operand (kAScalar / kBScalar) is already rescaled (eq. 7 in the
// driver): a_value / b_value. kSub: a' - b' (eq. 8).
template <bool kAScalar, bool kBScalar, bool kSub>
void add_run(const BinaryKernelParams& p, const int16_t* a, const int16_t* b, int16_t* out,
             size_t n, int32_t a_value, int32_t b_value) {
  const Requant4 ra = input_requant(p.a, p.left_shift);
  const Requant4 rb = input_requant(p.b, p.left_shift);
  const Requant4 ro = requant4_per_tensor(p.out.multiplier, p.out.shift);
  const int32x4_t av = vdupq_n_s32(a_value);
  const int32x4_t bv = vdupq_n_s32(b_value);
  const int16x8_t lo = vdupq_n_s16(static_cast<int16_t>(p.act_min));
  const int16x8_t hi = vdupq_n_s16(static_cast<int16_t>(p.act_max));
  // Eq. 8 saturated to int32 (vqadd / vqsub), then eq. 9's requant.
  auto combine = [&](int32x4_t x, int32x4_t y) {
    return requantize4_m0_nonneg(kSub ? vqsubq_s32(x, y) : vqaddq_s32(x, y), ro);
  };
  // 16 outputs from 16 readable elements of each contiguous operand.
  auto block = [&](const int16_t* pa, const int16_t* pb, int16_t* dst, int count) {
    int32x4_t a0 = av, a1 = av, a2 = av, a3 = av, b0 = bv, b1 = bv, b2 = bv, b3 = bv;
    if (!kAScalar) {
      rescale8(vld1q_s16(pa), ra, &a0, &a1);
      rescale8(vld1q_s16(pa + 8), ra, &a2, &a3);
    }
    if (!kBScalar) {
      rescale8(vld1q_s16(pb), rb, &b0, &b1);
      rescale8(vld1q_s16(pb + 8), rb, &b2, &b3);
    }
    store_16xi16_clamped(combine(a0, b0), combine(a1, b1), combine(a2, b2), combine(a3, b3), lo,
                         hi, dst, count);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace arm

void qs16_vadd_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a16 = static_cast<const int16_t*>(a);
  const auto* b16 = static_cast<const int16_t*>(b);
  auto* out16 = static_cast<int16_t*>(out);
  const bool subtract = p.op == BinaryOp::kSub;
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    constexpr bool kA = decltype(a_scalar)::value, kB = decltype(b_scalar)::value;
    if (subtract) {
      arm::add_run<kA, kB, true>(p, a16, b16, out16, n, av, bv);
    } else {
      arm::add_run<kA, kB, false>(p, a16, b16, out16, n, av, bv);
    }
  });
}

}  // namespace dyad
