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

// One output row of 8 channels of type Out from the accumulators a0
// (channels 0-3) and a1 (4-7), `count` (<= 8) of them stored. int8 / int16:
// eq. 6 with q0 / q1, + Z_out (saturating), clamp to [lo, hi] (inside the
// type, so the saturating narrows never clip); int32: the raw accumulator.
inline void store_acc8(int8_t* dst, int32x4_t a0, int32x4_t a1, const Requant4& q0,
                       const Requant4& q1, const OutputRange& range, int count) {
  store_row8(requantize4(a0, q0), requantize4(a1, q1), range, dst, count);
}
inline void store_acc8(int16_t* dst, int32x4_t a0, int32x4_t a1, const Requant4& q0,
                       const Requant4& q1, const OutputRange& range, int count) {
  const int32x4_t v0 =
      vminq_s32(vmaxq_s32(vqaddq_s32(requantize4(a0, q0), range.zero_point), range.lo), range.hi);
  const int32x4_t v1 =
      vminq_s32(vmaxq_s32(vqaddq_s32(requantize4(a1, q1), range.zero_point), range.lo), range.hi);
  const int16x8_t out = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
  if (count == 8) {
    vst1q_s16(dst, out);
  } else {
    int16_t tmp[8];
    vst1q_s16(tmp, out);
    std::memcpy(dst, tmp, static_cast<size_t>(count) * sizeof(int16_t));
  }
}
inline void store_acc8(int32_t* dst, int32x4_t a0, int32x4_t a1, const Requant4& /*q0*/,
                       const Requant4& /*q1*/, const OutputRange& /*range*/, int count) {
  if (count == 8) {
    vst1q_s32(dst, a0);
    vst1q_s32(dst + 4, a1);
  } else {
    int32_t tmp[8];
    vst1q_s32(tmp, a0);
    vst1q_s32(tmp + 4, a1);
    std::memcpy(dst, tmp, static_cast<size_t>(count) * sizeof(int32_t));
  }
}

// Epilogue of a 4-row x 16-channel tile (the sdot and smmla kernels):
// rows[r][i] holds channels 4i..4i+3 of row r, bias included; the block's
// eq. 6 constants are at `params`. Stores the first s.m rows and the first
// s.n - n0 (<= 16) channels as Out.
template <typename Out>
inline void store_tile_4x16(const int32x4_t (&rows)[4][4], const int32_t* params,
                            const GemmStrip& s, int32_t n0, const OutputRange& range) {
  constexpr int kNR = 16;
  const Requant4 q0 = load_requant4(params, kNR, 0);
  const Requant4 q1 = load_requant4(params, kNR, 4);
  const Requant4 q2 = load_requant4(params, kNR, 8);
  const Requant4 q3 = load_requant4(params, kNR, 12);
  const int count = s.n - n0 < kNR ? s.n - n0 : kNR;
  const int count_lo = count < 8 ? count : 8;
  const int count_hi = count - count_lo;
  Out* c = static_cast<Out*>(s.c) + n0;
  for (int r = 0; r < s.m; ++r) {
    Out* dst = c + static_cast<size_t>(r) * s.c_stride;
    store_acc8(dst, rows[r][0], rows[r][1], q0, q1, range, count_lo);
    if (count_hi > 0) store_acc8(dst + 8, rows[r][2], rows[r][3], q2, q3, range, count_hi);
  }
}

// Calls Kernel::template run<Out>(s) for s.out_type's element type.
template <typename Kernel>
inline void run_for_output(const GemmStrip& s) {
  switch (s.out_type) {
    case DType::kInt16: Kernel::template run<int16_t>(s); return;
    case DType::kInt32: Kernel::template run<int32_t>(s); return;
    default: Kernel::template run<int8_t>(s); return;
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
