// Mul (eq. 10) on 16 int16 outputs per step with NEON (AArch64 and ARMv7),
// a, b and the output all int16 with zero point 0, bit-exact with ref::mul.
// Serves every ARM path (neon, neondot, i8mm). |q_a|, |q_b| <= 2^15, so
// smull / smull2 (vmull_s16) give q_a * q_b exactly in int32 (|product| <=
// 2^30); eq. 6 is qs16_neon.h's requantize4_m0_nonneg (sqshl = SatShl,
// sqrdmulh = SRDHM eq. 4, the fix-up + srshl = RDBP eq. 5), then the
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

// The 8 products of x and y, two int32x4.
inline void mul8(int16x8_t x, int16x8_t y, int32x4_t* lo, int32x4_t* hi) {
  *lo = vmull_s16(vget_low_s16(x), vget_low_s16(y));
#if defined(__aarch64__)
  *hi = vmull_high_s16(x, y);
#else
  *hi = vmull_s16(vget_high_s16(x), vget_high_s16(y));
#endif
}

// A scalar operand (kAScalar / kBScalar) arrives as q - Z = q (int16 range):
// a_value / b_value.
template <bool kAScalar, bool kBScalar>
void mul_run(const BinaryKernelParams& p, const int16_t* a, const int16_t* b, int16_t* out,
             size_t n, int32_t a_value, int32_t b_value) {
  const Requant4 ro = requant4_per_tensor(p.out.multiplier, p.out.shift);
  const int16x8_t av = vdupq_n_s16(static_cast<int16_t>(a_value));
  const int16x8_t bv = vdupq_n_s16(static_cast<int16_t>(b_value));
  const int16x8_t lo = vdupq_n_s16(static_cast<int16_t>(p.act_min));
  const int16x8_t hi = vdupq_n_s16(static_cast<int16_t>(p.act_max));
  auto block = [&](const int16_t* pa, const int16_t* pb, int16_t* dst, int count) {
    int16x8_t a0 = av, a1 = av, b0 = bv, b1 = bv;
    if (!kAScalar) {
      a0 = vld1q_s16(pa);
      a1 = vld1q_s16(pa + 8);
    }
    if (!kBScalar) {
      b0 = vld1q_s16(pb);
      b1 = vld1q_s16(pb + 8);
    }
    int32x4_t p0, p1, p2, p3;
    mul8(a0, b0, &p0, &p1);
    mul8(a1, b1, &p2, &p3);
    store_16xi16_clamped(requantize4_m0_nonneg(p0, ro), requantize4_m0_nonneg(p1, ro),
                         requantize4_m0_nonneg(p2, ro), requantize4_m0_nonneg(p3, ro), lo, hi,
                         dst, count);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace arm

void qs16_vmul_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a16 = static_cast<const int16_t*>(a);
  const auto* b16 = static_cast<const int16_t*>(b);
  auto* out16 = static_cast<int16_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    arm::mul_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a16, b16, out16, n, av,
                                                                       bv);
  });
}

}  // namespace dyad
