// ISA-independent entry points of the optimized Mean (GlobalAveragePool),
// MaxPool and 256-entry table (Lut, 8-bit Requantize) kernels
// (docs/kernels.md, "Pooling, Mean, LUT, Requantize"). Like conv_kernels.h:
// prepare asks *_plan / *_can_use (false -> the reference kernel), run calls
// *_run on any split of [0, units) / [0, rows) / [0, count); each output's
// bytes do not depend on the split, so every thread count gives the same
// result. One SIMD family per architecture: AVX2 for every x86 path (kAvx2,
// kAvxVnni, kAvx512Vnni), NEON for every ARM path (kNeon, kNeonDot, kI8mm),
// always only when the path is built and the CPU supports it. Integer only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/dispatch.h"

namespace dyad {

// ---- Mean over one contiguous run of axes: the input is [outer][reduce][inner]
// (GlobalAveragePool over H, W of NHWC: outer = N, reduce = H*W, inner = C).
// Sums are int32: |sum(q - Z_in)| <= 255 * reduce < 2^31 for reduce <=
// kMeanMaxReduce, so no saturation can happen (the reference sums in int64
// and saturates; within the bound that is the same number).
constexpr int64_t kMeanMaxReduce = 8421504;  // floor((2^31 - 1) / 255)
constexpr int64_t kMeanChannelBlock = 32;    // channels per work unit

struct MeanPlan {
  Isa isa = Isa::kReference;
  int64_t outer = 0, reduce = 0, inner = 0;
  int64_t units = 0;  // outer * max(1, inner / kMeanChannelBlock)
  const char* kernel = "";
};
// False: use ref::mean (axes not one contiguous run, inner < 8, too many
// reduced elements — int16: more than 65536 —, or no optimized path for
// `isa`).
bool mean_plan(Isa isa, const MeanParams& p, MeanPlan* plan);
// input / output: int8 or int16 elements (p.type).
void mean_run(const MeanPlan& plan, const MeanParams& p, const void* input, void* output,
              int64_t unit_begin, int64_t unit_end);

// ---- MaxPool over H, W of NHWC (dilation, padding, act clamp as ref::max_pool);
// int8 or int16 data (p.type: input and output elements).
// One row = one output row of one image: rows = batch * out_h.
bool max_pool_can_use(Isa isa, const PoolParams& p);
const char* max_pool_kernel_name(Isa isa, DType type = DType::kInt8);
int64_t max_pool_rows(const PoolParams& p);
// Per-thread scratch (one vertical-max row plus a pointer list), 64-byte
// multiple; the block itself needs 8-byte alignment.
size_t max_pool_scratch_bytes(const PoolParams& p);
void max_pool_run(Isa isa, const PoolParams& p, const void* input, void* output,
                  void* scratch, int64_t row_begin, int64_t row_end);

// ---- 256-entry byte table: out[i] = table[in[i]] (the index is the raw byte).
// Lut of int8 input indexes T[q + 128]: pass lut_table_for_s8(T). Requantize
// of int8 / uint8 input to int8 output is a table too: requantize_table.
bool lut_can_use(Isa isa);
const char* lut_kernel_name(Isa isa);
void lut_run(Isa isa, const uint8_t* input, int64_t count, const uint8_t* table, int8_t* output);
// byte_table[b] = table[(b ^ 0x80)]: the entry of the int8 value with byte b.
void lut_table_for_s8(const int8_t* table, uint8_t* byte_table);
// byte_table[b] = ref::requantize of the input value with raw byte b. False
// (nothing written) unless input is int8/uint8 and output int8.
bool requantize_table(const RequantizeParams& p, uint8_t* byte_table);

// ---- Interpolated int16 table (eq. 13b, W8A16 models): out = ref::lut_s16.
// x86 paths: AVX2 gathers; ARM paths: NEON with scalar pair loads.
bool lut16_can_use(Isa isa);
const char* lut16_kernel_name(Isa isa);
void lut16_run(Isa isa, const int16_t* input, int64_t count, const int16_t* table, int16_t* output);

// ---- Bilinear Resize over H, W of NHWC, bit-exact with ref::resize (eq. 18).
// rows[out_h] and cols[out_w] are ref::resize_bilinear_tap of each output
// index, computed once at prepare. One row = one output row of one image:
// rows = batch * out_h. Needs channels >= kResizeBlock (the kernels' vector;
// a last partial block overlaps the one before) and int8 data.
constexpr int64_t kResizeBlock = 16;
bool resize_bilinear_can_use(Isa isa, const ResizeParams& p);
const char* resize_bilinear_kernel_name(Isa isa);
void resize_bilinear_run(Isa isa, const ResizeParams& p, const ResizeTap* rows,
                         const ResizeTap* cols, const int8_t* input, int8_t* output,
                         int64_t row_begin, int64_t row_end);

// ---- Per-ISA kernels (kernels/x86/avx2, kernels/x86/avx512vnni, kernels/arm/neon).
namespace pool_isa {

// Eq. 6 constants of a Mean: sum(q) + bias = sum(q - Z_in), bias = -reduce * Z_in.
struct MeanRequant {
  int32_t bias, multiplier, shift, zero_point;
};
// out[c] = clamp(Z_out + requant(sum_r in[r * stride + c] + bias)), c < channels.
using GavgpoolFn = void (*)(const int8_t* input, int64_t rows, int64_t stride, int64_t channels,
                            const MeanRequant& rq, int8_t* output);
// The same on int16 elements, clamped to int16.
using Gavgpool16Fn = void (*)(const int16_t* input, int64_t rows, int64_t stride, int64_t channels,
                              const MeanRequant& rq, int16_t* output);
// dst[i] = clamp(max_k rows[k][i], lo, hi) for i < length, n >= 1. dst must not
// overlap any source.
using MaxRowsFn = void (*)(const int8_t* const* rows, int32_t n, int64_t length, int8_t lo,
                           int8_t hi, int8_t* dst);
// The same on int16 elements (length counts elements).
using MaxRows16Fn = void (*)(const int16_t* const* rows, int32_t n, int64_t length, int16_t lo,
                             int16_t hi, int16_t* dst);
using LutFn = void (*)(const uint8_t* input, int64_t count, const uint8_t* table, int8_t* output);
using Lut16Fn = void (*)(const int16_t* input, int64_t count, const int16_t* table, int16_t* output);
// One output row of a bilinear resize: for x < out_w and c < channels
// (channels >= 16), out[x * channels + c] = eq. 18 of the input rows r0
// (weight 2^F - wy) and r1 (weight wy) at the columns of cols[x].
using ResizeRowFn = void (*)(const int8_t* r0, const int8_t* r1, int32_t wy, const ResizeTap* cols,
                             int32_t out_w, int64_t channels, int8_t* out);

void qs8_gavgpool_c32__avx2(const int8_t*, int64_t, int64_t, int64_t, const MeanRequant&, int8_t*);
void qs16_gavgpool_c16__avx2(const int16_t*, int64_t, int64_t, int64_t, const MeanRequant&, int16_t*);
void s8_maxpool_32__avx2(const int8_t* const*, int32_t, int64_t, int8_t, int8_t, int8_t*);
void s16_maxpool_16__avx2(const int16_t* const*, int32_t, int64_t, int16_t, int16_t, int16_t*);
void x8_lut_32__avx2(const uint8_t*, int64_t, const uint8_t*, int8_t*);
void s16_lut_interp_16__avx2(const int16_t*, int64_t, const int16_t*, int16_t*);
void qs8_resize_bilinear_16__avx2(const int8_t*, const int8_t*, int32_t, const ResizeTap*, int32_t,
                                  int64_t, int8_t*);
void x8_lut_64__avx512vbmi(const uint8_t*, int64_t, const uint8_t*, int8_t*);

void qs8_gavgpool_c16__neon(const int8_t*, int64_t, int64_t, int64_t, const MeanRequant&, int8_t*);
void qs16_gavgpool_c16__neon(const int16_t*, int64_t, int64_t, int64_t, const MeanRequant&, int16_t*);
void s8_maxpool_16__neon(const int8_t* const*, int32_t, int64_t, int8_t, int8_t, int8_t*);
void s16_maxpool_8__neon(const int16_t* const*, int32_t, int64_t, int16_t, int16_t, int16_t*);
void x8_lut_16__neon(const uint8_t*, int64_t, const uint8_t*, int8_t*);
void s16_lut_interp_16__neon(const int16_t*, int64_t, const int16_t*, int16_t*);
void qs8_resize_bilinear_16__neon(const int8_t*, const int8_t*, int32_t, const ResizeTap*, int32_t,
                                  int64_t, int8_t*);

}  // namespace pool_isa
}  // namespace dyad
