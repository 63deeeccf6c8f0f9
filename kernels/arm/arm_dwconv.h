// ARM depthwise Conv2D (groups == in_c == out_c; int8 input and output, or
// int16 input with zero point 0 and int8 / int16 output), docs/kernels_arm.md:
// weights packed once with the bias, the input zero-point term (eq. 2) and
// the eq. 6 constants; at run time each output pixel lists the input pixel
// of every tap (taps in the padding read a row of Z_in bytes, which the
// folded bias cancels) and the NEON kernel runs all channels over the taps.
// Any split of the output rows gives bit-identical results.
//
// Use from kernels/conv_kernels.cc:
//   if (arm::dwconv_can_use(isa, p)) {
//     buffer of arm::dwconv_packed_bytes(p) bytes (16-byte aligned or more);
//     arm::dwconv_pack(isa, p, weights, bias, buffer);      // prepare, once
//     scratch of arm::dwconv_scratch_bytes(buffer) bytes per thread;
//     arm::dwconv_run(buffer, p, input, output, scratch, row_begin, row_end);
//   }
// This header is plain C++; the NEON code lives in the per-ISA files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/dispatch.h"

namespace dyad {
namespace arm {

// True if `p` is a depthwise conv that arm::conv_can_use accepts for `isa`
// (every ARM path has the depthwise kernels) with int8 input and output, or
// int16 input (zero point 0) and int8 / int16 output.
bool dwconv_can_use(Isa isa, const ConvParams& p);

// Header, then blocks of kDwBlock channels: int32[kDwBlock] arrays
// (PackedArray order of arm_microkernels.h), then int16 weights
// [kernel_h * kernel_w][kDwBlock]. Block b < n / 16 holds channels 16b..;
// when n % 16 != 0 a last block holds channels n - 16 .. n - 1 (n >= 16)
// or 0 .. n - 1 with zero weights after them (n < 16).
size_t dwconv_packed_bytes(const ConvParams& p);

// weights OHWI [out_c][kernel_h][kernel_w][1]; bias may be null.
void dwconv_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias,
                 void* dst);

size_t dwconv_scratch_bytes(const void* packed);

// Output pixels [row_begin, row_end) of batch * out_h * out_w. `input` and
// `output` hold elements of p.input_type / p.output_type.
void dwconv_run(const void* packed, const ConvParams& p, const int8_t* input, int8_t* output,
                void* scratch, int64_t row_begin, int64_t row_end);

// Internal: one output pixel for the per-ISA kernel files (no inline code
// here, so no ISA-specific instruction reaches baseline code).
constexpr int32_t kDwBlock = 16;

struct DwPixel {
  // Pointers are to bytes; the elements are int16 for the qs16 kernel.
  const int8_t* const* taps;  // tap_count input pixels (n readable elements each)
  int32_t tap_count;
  int32_t n;                  // channels
  const int32_t* params;      // first packed block
  int32_t block_words;        // int32 words per block
  bool any_left_shift;        // some channel has shift > 0
  int8_t* out;                // n elements of out_type
  const int8_t* const* taps2;  // a second pixel's taps, or null
  int8_t* out2;
  int32_t zero_point, lo, hi;
  DType out_type;             // qs16 kernel: int8 or int16; qs8: int8
};
// 16 channels at a time, one tap per step (kernels/arm/neon/
// qs8_dwconv_16c__neon.h), compiled once per ARM path's flags; defined only
// in builds that compile the matching file (DYAD_BUILT_*).
void qs8_dwconv_16c__neon(const DwPixel& px);     // AArch64 and ARMv7 NEON
void qs8_dwconv_16c__neondot(const DwPixel& px);  // ARMv8.2 dotprod path
void qs8_dwconv_16c__i8mm(const DwPixel& px);     // ARMv8.6 i8mm path
// int16 inputs (zero point 0), int8 or int16 outputs: every ARM path.
void qs16_dwconv_16c__neon(const DwPixel& px);

}  // namespace arm
}  // namespace dyad
