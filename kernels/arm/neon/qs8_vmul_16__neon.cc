// Mul (eq. 10) on 16 int8 outputs per step with NEON (AArch64 and ARMv7),
// bit-exact with ref::mul. Eq. 6 is requant_neon.h's requantize4, its output
// stage store_row8.
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

// A scalar operand (kAScalar / kBScalar) arrives as q - Z: a_value / b_value
// (in [-255, 255], so it fits int16).
template <bool kAScalar, bool kBScalar>
void mul_run(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n,
             int32_t a_value, int32_t b_value) {
  const int8x8_t za = vdup_n_s8(static_cast<int8_t>(p.a_zero_point));
  const int8x8_t zb = vdup_n_s8(static_cast<int8_t>(p.b_zero_point));
  const int16x8_t av = vdupq_n_s16(static_cast<int16_t>(a_value));
  const int16x8_t bv = vdupq_n_s16(static_cast<int16_t>(b_value));
  const Requant4 ro{vdupq_n_s32(p.out.multiplier), vdupq_n_s32(p.out.left),
                    vdupq_n_s32(p.out.neg_right)};
  const OutputRange range{vdupq_n_s32(p.output_zero_point), vdupq_n_s32(p.act_min),
                          vdupq_n_s32(p.act_max)};
  // q - Z in int16 for 8 outputs; the product of two is exact in int32
  // (|product| <= 255 * 255).
  auto eight = [&](int16x8_t x, int16x8_t y, int8_t* dst, int count) {
    const int32x4_t lo = vmull_s16(vget_low_s16(x), vget_low_s16(y));
    const int32x4_t hi = vmull_s16(vget_high_s16(x), vget_high_s16(y));
    store_row8(requantize4(lo, ro), requantize4(hi, ro), range, dst, count);
  };
  auto block = [&](const int8_t* pa, const int8_t* pb, int8_t* dst, int count) {
    int16x8_t a0 = av, a1 = av, b0 = bv, b1 = bv;
    if (!kAScalar) {
      const int8x16_t q = vld1q_s8(pa);
      a0 = vsubl_s8(vget_low_s8(q), za);
      a1 = vsubl_s8(vget_high_s8(q), za);
    }
    if (!kBScalar) {
      const int8x16_t q = vld1q_s8(pb);
      b0 = vsubl_s8(vget_low_s8(q), zb);
      b1 = vsubl_s8(vget_high_s8(q), zb);
    }
    eight(a0, b0, dst, count < 8 ? count : 8);
    if (count > 8) eight(a1, b1, dst + 8, count - 8);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace arm

void qs8_vmul_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a8 = static_cast<const int8_t*>(a);
  const auto* b8 = static_cast<const int8_t*>(b);
  auto* out8 = static_cast<int8_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    arm::mul_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a8, b8, out8, n, av, bv);
  });
}

}  // namespace dyad
