// ARM int8 GEMM for Conv2D / FullyConnected (docs/kernels_arm.md): weights
// packed once at prepare time with the bias, the input zero-point term
// (eq. 2) and the eq. 6 constants folded in; at run time any split of the
// output rows gives bit-identical results (each row is computed alone).
//
// Use from kernels/conv_kernels.cc:
//   if (arm::conv_can_use(isa, p)) {
//     buffer of arm::conv_packed_bytes(isa, p) bytes (16-byte aligned or more);
//     arm::conv_pack(isa, p, weights, bias, buffer);      // prepare, once
//     scratch of arm::conv_scratch_bytes(buffer) bytes per thread;
//     arm::conv_run(buffer, p, input, output, scratch, row_begin, row_end);
//   }
// FullyConnected: the same functions on arm::conv_from_fully_connected(p).
// This header is plain C++; the NEON code lives in the per-ISA files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/dispatch.h"

namespace dyad {
namespace arm {

// One ISA's microkernel tile: mr output rows x nr output channels, the
// reduction consumed in blocks of kc int8 values (K is zero-padded to kc).
struct TileShape {
  int32_t mr, nr, kc;
};

// False if this build has no ARM GEMM kernel for `isa`.
bool tile_shape(Isa isa, TileShape* out);

// True if `isa`'s kernel is built, the CPU runs it, and `p` is a case it
// computes exactly: sane sizes, Z_in inside int8; int8 / int16 output with
// act bounds inside the output type and shifts in [-31, 30] (any int32
// multiplier works); or int32 output (raw accumulator, requant unused).
bool conv_can_use(Isa isa, const ConvParams& p);

// FullyConnected as a 1x1 convolution over a 1 x rows image.
ConvParams conv_from_fully_connected(const FullyConnectedParams& p);

// Size of the packed weights (header + per group, per nr-channel block:
// bias', M0, left shift, -right shift as int32[nr], then int8 weights
// [k_padded / kc][nr][kc]).
size_t conv_packed_bytes(Isa isa, const ConvParams& p);

// weights OHWI [out_c][kernel_h][kernel_w][in_c / groups]; bias may be null.
// bias'[c] = bias[c] - Z_in * sum_k w[c][k] (eq. 2), computed in int64 and
// wrapped to int32: the int32 accumulation below then equals the reference
// whenever the true accumulator fits int32, which the converter proves.
// `dst` must hold conv_packed_bytes(isa, p) bytes; it does not reference
// weights, bias or p.requant afterwards.
void conv_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias,
               void* dst);

// Isa the packed buffer was made for.
Isa packed_isa(const void* packed);

size_t conv_scratch_bytes(const void* packed);

// Output rows [row_begin, row_end) of conv2d_rows(p) = batch * out_h * out_w.
// `output` holds elements of p.output_type (int8, int16 or int32).
void conv_run(const void* packed, const ConvParams& p, const int8_t* input, void* output,
              void* scratch, int64_t row_begin, int64_t row_end);

}  // namespace arm
}  // namespace dyad
