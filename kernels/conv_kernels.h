// ISA-independent entry points of the optimized Conv2D / FullyConnected
// kernels (docs/kernels.md). The runtime calls, at prepare time:
//   conv2d_can_use(isa, p)  -> if false, use ref::conv2d
//   conv2d_pack(isa, p, weights, bias) once (weights, bias, zero-point
//   correction and requantization constants in the kernel's layout)
//   conv2d_scratch_bytes(packed) per thread (any alignment; not shared
//   between concurrent calls)
// and at run time conv2d_run(packed, p, in, out, scratch, row_begin, row_end)
// on any split of the output rows [0, conv2d_rows(p)) (one row = one output
// pixel, batch included); each row's result does not depend on the split, so
// any thread count gives bit-identical output. FullyConnected is the same with
// rows = p.rows. `input` holds elements of p.input_type: int8 (any zero
// point) or int16 (zero point 0, W8A16; x86 only, run by the AVX2 kernels
// even when a VNNI path is requested: the packed object's isa says which).
// `output` holds elements of p.output_type: int8, int16
// (requantized, Z_out and clamp inside int16) or int32 (the raw accumulator),
// all from the same packed weights and inner loop (the GEMM epilogue differs;
// depthwise convs: int8 or int16). Unsupported parameters report false from
// *_can_use and fall back to the reference kernels. A pack that failed
// (allocation) returns !valid(): the runtime then uses the reference kernel too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/dispatch.h"

namespace dyad {

// Owns one 64-byte aligned heap block. Move-only.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Weights of one conv / FC layer packed for one ISA's GEMM microkernel.
// Layout (per group, per block of `nr` output channels): kPackedParamArrays
// int32 arrays of nr entries (see PackedParam), then the weights as
// [k_padded / kc][nr][kc] elements of `weight_bytes` bytes each.
struct PackedGemm {
  // The path whose kernels run it: the requested one, or kAvx2 for an int16
  // input (and a depthwise int16 output) on a VNNI path (conv2d_can_use).
  Isa isa = Isa::kReference;
  int32_t groups = 0;
  int32_t n = 0, n_padded = 0;  // output channels per group
  int32_t k = 0, k_padded = 0;  // reduction length per group
  int32_t nr = 0, kc = 0, mr = 0;
  int32_t weight_bytes = 1;     // 1 (int8) or 2 (int16, AVX2)
  size_t block_bytes = 0;       // one nr-channel block: params + weights
  size_t group_bytes = 0;
  bool any_left_shift = false;  // some channel has shift > 0
  // Depthwise layout (groups == in_c == out_c): the PackedParam arrays of
  // n_padded entries, then int32 weights. dw_taps_per_lane == 1:
  // [k = taps][n_padded], the weight in the low 16 bits. == 4 (VNNI paths):
  // [kernel_w * ceil(kernel_h / 4)][n_padded] lanes of 4 int8 taps (4
  // consecutive ky of one kx), channels in the
  // kernel's slot order (x86/dwconv_c4_ymm.h), params in that order too.
  bool depthwise = false;
  int32_t dw_taps_per_lane = 1;
  size_t scratch = 0;  // dw_taps_per_lane == 4: scratch bytes per thread;
                       // dw_row_period > 0: the row kernel's extra scratch
  // AVX2 row kernel (x86/avx2/qs8_dwconv_row16__avx2.cc), 0 if unused: the
  // period P = lcm(16, C) of the row-tiled params and weight pairs stored
  // at buffer + dw_row_offset (docs/kernels.md, "Depthwise row kernel").
  int32_t dw_row_period = 0;
  size_t dw_row_offset = 0;
  // ARM builds: the buffer is kernels/arm/arm_gemm.h's packed layout.
  bool arm_layout = false;
  AlignedBuffer buffer;
  bool valid() const { return buffer.data() != nullptr; }
};
using PackedConv = PackedGemm;
using PackedFullyConnected = PackedGemm;

// Per-channel int32 arrays at the head of each packed block, in this order.
enum PackedParam : int {
  kPackedBias = 0,      // bias, minus (128 + Z_in) * sum(w) on VNNI paths (eq. 2)
  kPackedMultiplier,    // M0
  kPackedLeftShift,     // max(shift, 0)
  kPackedLeftLo,        // INT32_MIN >> left: below it the left shift saturates
  kPackedLeftHi,        // INT32_MAX >> left: above it the left shift saturates
  kPackedLeftLowBits,   // 2^left - 1 (turns the shifted clamp into INT32_MAX)
  kPackedRightShift,    // max(-shift, 0)
  kPackedRightHalf,     // 2^right >> 1: RDBP's rounding term (0 when right = 0)
  kPackedParamArrays
};

// True if `isa` has an optimized kernel in this build, the CPU runs it, and
// the parameters are ones it handles exactly.
bool conv2d_can_use(Isa isa, const ConvParams& p);
// weights OHWI [out_c][kernel_h][kernel_w][in_c / groups]; bias may be null.
// The returned object does not reference weights/bias/requant afterwards.
PackedConv conv2d_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias);
int64_t conv2d_rows(const ConvParams& p);
size_t conv2d_scratch_bytes(const PackedConv& packed);
// Which kernel of the packed path runs the layer, for the op profile: "" or
// a tag such as "_row16" (the AVX2 depthwise row kernel).
const char* conv2d_kernel_tag(const PackedConv& packed);
void conv2d_run(const PackedConv& packed, const ConvParams& p, const void* input,
                void* output, void* scratch, int64_t row_begin, int64_t row_end);

bool fully_connected_can_use(Isa isa, const FullyConnectedParams& p);
PackedFullyConnected fully_connected_pack(Isa isa, const FullyConnectedParams& p,
                                          const int8_t* weights, const int32_t* bias);
size_t fully_connected_scratch_bytes(const PackedFullyConnected& packed);
void fully_connected_run(const PackedFullyConnected& packed, const FullyConnectedParams& p,
                         const void* input, void* output, void* scratch,
                         int64_t row_begin, int64_t row_end);

}  // namespace dyad
