// Eq. 6 on int32x4 lanes, bit-exact with multiply_by_quantized_multiplier
// (kernels/common/fixed_point.h), plus the output zero point, clamp and
// narrowing store. Included only by the per-ISA files (anonymous namespace:
// each copy is compiled with its own file's flags).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/arm/arm_microkernels.h"

namespace dyad {
namespace arm {
namespace {

// Per-channel constants of 4 consecutive channels of a packed block.
struct Requant4 {
  int32x4_t multiplier, left, neg_right;
};

inline Requant4 load_requant4(const int32_t* params, int nr, int offset) {
  return Requant4{vld1q_s32(params + kArrayMultiplier * nr + offset),
                  vld1q_s32(params + kArrayLeftShift * nr + offset),
                  vld1q_s32(params + kArrayNegRight * nr + offset)};
}

inline int32x4_t requantize4(int32x4_t acc, const Requant4& q) {
  // SatLeftShift: sqshl saturates exactly like saturating_left_shift.
  const int32x4_t x = vqshlq_s32(acc, q.left);
  // SRDHM (eq. 4): sqrdmulh is (2xM + 2^31) >> 32 saturated, i.e. the exact
  // product rounded half up. saturating_rounding_doubling_high_mul's signed
  // nudge with truncating division is the same function (for a negative
  // half, (ab + 1 - 2^30) / 2^31 truncates up), so no fix-up is needed; the
  // tie tests in arm_gemm_test.cc pin this down.
  const int32x4_t high = vqrdmulhq_s32(x, q.multiplier);
  // RDBP (eq. 5): srshl by -e rounds half up; subtracting 1 from negative
  // values first (only when e > 0: neg_right has its sign bit set) makes it
  // round half away from zero. vqadd keeps INT32_MIN exact.
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, q.neg_right), 31);
  return vrshlq_s32(vqaddq_s32(high, fixup), q.neg_right);
}

struct OutputRange {
  int32x4_t zero_point, lo, hi;
};

inline OutputRange output_range(const GemmStrip& s) {
  return OutputRange{vdupq_n_s32(s.zero_point), vdupq_n_s32(s.lo), vdupq_n_s32(s.hi)};
}

// Z_out + requant (saturating like the reference's int64 sum), clamp to
// [lo, hi] (inside int8), narrow 8 channels, store `count` of them.
inline void store_row8(int32x4_t v0, int32x4_t v1, const OutputRange& range, int8_t* dst,
                       int count) {
  v0 = vminq_s32(vmaxq_s32(vqaddq_s32(v0, range.zero_point), range.lo), range.hi);
  v1 = vminq_s32(vmaxq_s32(vqaddq_s32(v1, range.zero_point), range.lo), range.hi);
  const int8x8_t out = vqmovn_s16(vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1)));
  if (count == 8) {
    vst1_s8(dst, out);
  } else {
    int8_t tmp[8];
    vst1_s8(tmp, out);
    std::memcpy(dst, tmp, static_cast<size_t>(count));
  }
}

// The last k % block bytes of each row, zero-padded to a whole block, so the
// kernels never read past a row (the packed weights there are zero anyway).
template <int kRows, int kBlock>
struct RowTails {
  alignas(16) int8_t bytes[kRows][kBlock];
  int32_t begin;  // first k of the tail
  int32_t length;
  RowTails(const GemmStrip& s) {
    begin = s.k - s.k % kBlock;
    length = s.k - begin;
    std::memset(bytes, 0, sizeof(bytes));
    if (length == 0) return;
    for (int r = 0; r < kRows; ++r) {
      std::memcpy(bytes[r], s.a[r] + begin, static_cast<size_t>(length));
    }
  }
};

}  // namespace
}  // namespace arm
}  // namespace dyad
