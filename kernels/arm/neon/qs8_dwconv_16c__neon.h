// NEON depthwise conv (AArch64 and ARMv7): 16 channels per step, 4 int32x4
// accumulators per pixel, two pixels per call when the driver has them
// (sharing the weight and eq. 6 constant loads); each tap widens 16 input bytes to int16 (sxtl) and adds
// q * w with smlal against int16 weights packed once, so no product or sum
// can overflow before the int32 accumulator. The packed bias holds
// bias - Z_in * sum(w) (eq. 2). Eq. 6 epilogue from requant_neon.h.
// Weights and constants are packed per 16-channel block (arm_dwconv.h), so
// every load is at a fixed offset from the block. With n >= 16 the last
// block covers channels n - 16 .. n - 1 (it overlaps the one before and
// writes the same bytes again), so no load or store runs past a pixel;
// n < 16 goes through zero-padded copies.
// The same code reads int16 inputs (W8A16, zero point 0) and writes int16
// outputs: dwconv_16c<In, Out>, In / Out = int8_t or int16_t (int16 input:
// two 8-lane loads per tap instead of a load and two sxtl; int16 output:
// the int16 clamp and one sqxtn). qs16_dwconv_16c__neon.cc instantiates it.
// Only intrinsics that exist on both AArch64 and ARMv7. Included by the
// per-ISA files (anonymous namespace: compiled with each file's flags): the
// dotprod and i8mm paths run the same code, so a model prepared for them
// keeps its depthwise layers on this kernel.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/arm/arm_dwconv.h"
#include "kernels/arm/arm_microkernels.h"
#include "kernels/arm/requant_neon.h"

namespace dyad {
namespace arm {
namespace {

constexpr int32_t kChannels = kDwBlock;

// acc[0..3] += in[0..15] * w[0..15] for 16 int16 channels (lo: 0-7,
// hi: 8-15); w0, w1: the weights.
inline void tap16(int32x4_t (&acc)[4], int16x8_t lo, int16x8_t hi, int16x8_t w0, int16x8_t w1) {
  acc[0] = vmlal_s16(acc[0], vget_low_s16(lo), vget_low_s16(w0));
  acc[1] = vmlal_s16(acc[1], vget_high_s16(lo), vget_high_s16(w0));
  acc[2] = vmlal_s16(acc[2], vget_low_s16(hi), vget_low_s16(w1));
  acc[3] = vmlal_s16(acc[3], vget_high_s16(hi), vget_high_s16(w1));
}

// 16 channels of one tap as two int16x8: int8 widened (sxtl), int16 loaded.
inline void load16(const int8_t* in, int16x8_t* lo, int16x8_t* hi) {
  const int8x16_t v = vld1q_s8(in);
  *lo = vmovl_s8(vget_low_s8(v));
  *hi = vmovl_s8(vget_high_s8(v));
}
inline void load16(const int16_t* in, int16x8_t* lo, int16x8_t* hi) {
  *lo = vld1q_s16(in);
  *hi = vld1q_s16(in + 8);
}

// Eq. 6 constants of one 16-channel block, shared by the pixels of a call.
struct Requant16 {
  Requant4 q[4];
};

inline Requant16 load_requant16(const int32_t* block) {
  Requant16 r;
  for (int i = 0; i < 4; ++i) r.q[i] = load_requant4(block, kDwBlock, 4 * i);
  return r;
}

// Eq. 6 (kLeftShift: with the saturating left shift; without it, sqshl by
// 0 is the identity and is skipped), + Z_out (saturating like the
// reference's int64 sum), clamp to [lo, hi] (inside Out) and narrow to int16.
template <bool kLeftShift>
inline void requantize16(const int32x4_t (&acc)[4], const Requant16& rq, const OutputRange& range,
                         int16x4_t (&narrow)[4]) {
  for (int i = 0; i < 4; ++i) {
    int32x4_t v = acc[i];
    if (!kLeftShift) {
      // requantize4 without its sqshl: the same steps from SRDHM on.
      const int32x4_t high = vqrdmulhq_s32(v, rq.q[i].multiplier);
      const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, rq.q[i].neg_right), 31);
      v = vrshlq_s32(vqaddq_s32(high, fixup), rq.q[i].neg_right);
    } else {
      v = requantize4(v, rq.q[i]);
    }
    v = vminq_s32(vmaxq_s32(vqaddq_s32(v, range.zero_point), range.lo), range.hi);
    narrow[i] = vqmovn_s32(v);
  }
}

// Stores 16 requantized channels at dst (count < 16: through `copy`).
inline void store16(const int16x4_t (&narrow)[4], int8_t* dst, int count, int8_t* copy) {
  const int8x16_t bytes = vcombine_s8(vqmovn_s16(vcombine_s16(narrow[0], narrow[1])),
                                      vqmovn_s16(vcombine_s16(narrow[2], narrow[3])));
  if (count == kChannels) {
    vst1q_s8(dst, bytes);
  } else {
    vst1q_s8(copy, bytes);
    std::memcpy(dst, copy, static_cast<size_t>(count));
  }
}
inline void store16(const int16x4_t (&narrow)[4], int16_t* dst, int count, int16_t* copy) {
  const int16x8_t lo = vcombine_s16(narrow[0], narrow[1]);
  const int16x8_t hi = vcombine_s16(narrow[2], narrow[3]);
  if (count == kChannels) {
    vst1q_s16(dst, lo);
    vst1q_s16(dst + 8, hi);
  } else {
    vst1q_s16(copy, lo);
    vst1q_s16(copy + 8, hi);
    std::memcpy(dst, copy, static_cast<size_t>(count) * sizeof(int16_t));
  }
}

// One 16-channel block (packed constants and weights at `block`) of
// kPixels pixels: input channels from `at` of each tap of taps[p] (In
// elements), output to out[p] + at (Out elements; `store` of them, fewer
// than 16 through a copy). kTaps > 0 fixes the tap count so the loop unrolls.
template <typename In, typename Out, int kPixels, int kTaps, bool kLeftShift>
inline void block16(const DwPixel& px, const int32_t* block, const int8_t* const* const* taps,
                    int8_t* const* out, int32_t at, int32_t store, const OutputRange& range) {
  int32x4_t acc[kPixels][4];
  for (int i = 0; i < 4; ++i) {
    acc[0][i] = vld1q_s32(block + kArrayBias * kDwBlock + 4 * i);
    for (int p = 1; p < kPixels; ++p) acc[p][i] = acc[0][i];
  }
  const int16_t* w = reinterpret_cast<const int16_t*>(block + kNumPackedArrays * kDwBlock);
  const int32_t tap_count = kTaps > 0 ? kTaps : px.tap_count;
  In copy[kPixels][kChannels];
  for (int32_t t = 0; t < tap_count; ++t, w += kDwBlock) {
    const int16x8_t w0 = vld1q_s16(w);
    const int16x8_t w1 = vld1q_s16(w + 8);
    for (int p = 0; p < kPixels; ++p) {
      const In* in = reinterpret_cast<const In*>(taps[p][t]);
      int16x8_t lo, hi;
      if (store == kChannels) {
        load16(in + at, &lo, &hi);
      } else {  // fewer than 16 channels: a zero-padded copy (zero weights past n)
        std::memset(copy[p], 0, sizeof(copy[p]));
        std::memcpy(copy[p], in, static_cast<size_t>(store) * sizeof(In));
        load16(copy[p], &lo, &hi);
      }
      tap16(acc[p], lo, hi, w0, w1);
    }
  }
  const Requant16 rq = load_requant16(block);
  Out out_copy[kChannels];
  for (int p = 0; p < kPixels; ++p) {
    int16x4_t narrow[4];
    requantize16<kLeftShift>(acc[p], rq, range, narrow);
    store16(narrow, reinterpret_cast<Out*>(out[p]) + at, store, out_copy);
  }
}

// Every block of kPixels pixels. Block b < n / 16 holds channels
// 16b .. 16b + 15; with n % 16 != 0 one more block holds channels
// n - 16 .. n - 1 (n >= 16: overlapping the one before, writing the same
// bytes again) or 0 .. n - 1 zero-padded (n < 16).
template <typename In, typename Out, int kPixels, int kTaps, bool kLeftShift>
inline void all_blocks(const DwPixel& px, const OutputRange& range) {
  const int8_t* const* taps[2] = {px.taps, px.taps2};
  int8_t* out[2] = {px.out, px.out2};
  const int32_t full = px.n / kChannels;
  const int32_t* block = px.params;
  for (int32_t b = 0; b < full; ++b, block += px.block_words) {
    block16<In, Out, kPixels, kTaps, kLeftShift>(px, block, taps, out, b * kChannels, kChannels,
                                                 range);
  }
  if (px.n % kChannels != 0) {
    const bool wide = px.n >= kChannels;
    block16<In, Out, kPixels, kTaps, kLeftShift>(px, block, taps, out,
                                                 wide ? px.n - kChannels : 0,
                                                 wide ? kChannels : px.n, range);
  }
}

template <typename In, typename Out, int kTaps, bool kLeftShift>
inline void dispatch_pixels(const DwPixel& px, const OutputRange& range) {
  if (px.taps2 != nullptr) {
    all_blocks<In, Out, 2, kTaps, kLeftShift>(px, range);
  } else {
    all_blocks<In, Out, 1, kTaps, kLeftShift>(px, range);
  }
}

template <typename In, typename Out, bool kLeftShift>
inline void dispatch_taps(const DwPixel& px, const OutputRange& range) {
  if (px.tap_count == 9) {
    dispatch_pixels<In, Out, 9, kLeftShift>(px, range);
  } else if (px.tap_count == 25) {
    dispatch_pixels<In, Out, 25, kLeftShift>(px, range);
  } else {
    dispatch_pixels<In, Out, 0, kLeftShift>(px, range);
  }
}

// All channels of one output pixel, or of two (px.taps2 != null): In
// inputs, Out outputs (int8_t or int16_t each).
template <typename In = int8_t, typename Out = int8_t>
inline void dwconv_16c(const DwPixel& px) {
  const OutputRange range{vdupq_n_s32(px.zero_point), vdupq_n_s32(px.lo), vdupq_n_s32(px.hi)};
  if (px.any_left_shift) {
    dispatch_taps<In, Out, true>(px, range);
  } else {
    dispatch_taps<In, Out, false>(px, range);
  }
}

}  // namespace
}  // namespace arm
}  // namespace dyad
