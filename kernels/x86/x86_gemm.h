// Internal interface between kernels/conv_kernels.cc (baseline flags) and the
// per-ISA GEMM files under kernels/x86/<isa>/ (compiled with their own -m
// flags). Nothing here is inline code, so no ISA-specific instruction can leak
// into baseline code through the linker's choice of an inline definition.
#pragma once

#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/conv_kernels.h"

namespace dyad {
namespace x86 {

// Tile of one ISA's microkernel: mr output rows x nr output channels, the
// reduction consumed kc elements at a time, weights of weight_bytes each.
struct TileShape {
  int32_t mr, nr, kc, weight_bytes;
  bool fold_u8_offset;  // vpdpbusd: activations fed as q + 128, fold into bias
};

// False if `isa` has no x86 GEMM kernel.
bool tile_shape(Isa isa, TileShape* out);

// One call computes output rows [row_begin, row_end) of a conv given as
// ConvParams (FullyConnected is passed as a 1x1 conv over a 1 x rows image).
struct GemmJob {
  const PackedGemm* packed;
  const ConvParams* conv;
  // Elements of conv->input_type: int8, or int16 (zero point 0) for the AVX2
  // GEMM and 16c2 depthwise kernels only (docs/kernels.md, "int16 inputs").
  const void* input;
  int8_t* output;  // elements of conv->output_type (the GEMMs: int8/16/32)
  void* scratch;
  int64_t row_begin, row_end;
};

// GEMM kernels (any conv but depthwise, and FC); one entry point per ISA
// for every output type (int8, int16: requantized; int32: raw accumulator).
// The AVX2 one also takes int16 inputs (vpmaddwd multiplies int16 pairs);
// the vpdpbusd kernels take int8 inputs only.
void qs8_gemm_4x16c2__avx2(const GemmJob& job);
void qs8_gemm_6x16c4__avxvnni(const GemmJob& job);
void qs8_gemm_8x32c4__avx512vnni(const GemmJob& job);
// Depthwise (one input and one output channel per group), any kernel size,
// stride, dilation and padding: AVX2, 2 taps per vpmaddwd lane, 16 channels
// per block; int8 or int16 input, int8 or int16 output.
void qs8_dwconv_16c2__avx2(const GemmJob& job);
// Depthwise, 4 taps (of one kernel column) per vpdpbusd lane, 32 channels
// per block (kernels/x86/dwconv_c4_ymm.h); PackedGemm::dw_taps_per_lane == 4.
void qs8_dwconv_32c4__avxvnni(const GemmJob& job);
// The same on 512-bit vectors, 64 channels per block (masked tail block).
void qs8_dwconv_64c4__avx512vnni(const GemmJob& job);
// Channel padding of the depthwise packed layouts: two taps per lane (the
// AVX2 16c2 kernel), four taps per lane (the 32c4 kernels).
constexpr int32_t kDepthwiseChannelTile = 16;
// The last 16c2 block of n > 16 channels with n % 16 <= 8 is a half block:
// channels n - 8 .. n - 1 in its first 8 slots, in channel order.
constexpr bool dwconv_pair_half_block(int32_t slot_begin, int32_t n) {
  return n > kDepthwiseChannelTile && slot_begin + kDepthwiseChannelTile > n &&
         n % kDepthwiseChannelTile <= kDepthwiseChannelTile / 2;
}
// 8 <= n < 16 channels: one block of two halves in channel order, channels
// 0 .. 7 in slots 0 .. 7 and n - 8 .. n - 1 in slots 8 .. 15 (overlapping
// when n < 16), so no load passes a pixel.
constexpr bool dwconv_pair_two_halves(int32_t n) {
  return n >= kDepthwiseChannelTile / 2 && n < kDepthwiseChannelTile;
}
// First channel of the 16c2 block whose packed slots start at slot_begin: the
// last block of n >= 16 channels ends at n (overlapping the one before).
constexpr int32_t dwconv_pair_block_channel(int32_t slot_begin, int32_t n) {
  return dwconv_pair_half_block(slot_begin, n)                                   ? n - 8
         : n >= kDepthwiseChannelTile && slot_begin + kDepthwiseChannelTile > n ? n - kDepthwiseChannelTile
                                                                                 : slot_begin;
}
// Scratch of the 16c2 driver (x86/dwconv_driver.h): tap steps, two tap
// lists, a row of Z_in, alignment slack. The row kernel's comes after it.
constexpr size_t dwconv_pixel_scratch_bytes(int32_t taps, int32_t n_padded) {
  return sizeof(int64_t) * 3 * (size_t(taps) + 1) + 2 * size_t(n_padded) + 64;
}
// Depthwise row kernel (AVX2, stride_w 1, int8 in and out): output rows'
// interior pixels as one run of W*C contiguous int8 values, 16 at a time,
// params and weight pairs tiled with period lcm(16, C); the edge pixels go
// through qs8_dwconv_16c2__avx2 (docs/kernels.md).
void qs8_dwconv_row16__avx2(const GemmJob& job);
// The row tiles extend kDwRowTail entries past the period, so a 16-wide
// load may start at any phase below it (the overlapping last step of a row).
constexpr int32_t kDwRowTail = 16;
constexpr int32_t kDepthwiseC4ChannelTile = 32;
constexpr int32_t kDepthwiseC64ChannelTile = 64;  // the 64c4 kernel
// The 32c4 kernels take output rows in runs of at most this many pixels.
constexpr int32_t kDwC4MaxRun = 64;

}  // namespace x86
}  // namespace dyad
