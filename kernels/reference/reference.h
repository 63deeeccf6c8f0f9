// Portable reference kernels: the definition of correct output for every op.
// Simple loops, integer only, deliberately slow. Every SIMD kernel is tested
// bit-exact against these. The math is docs/quantization.md; each function
// names the equations it implements in its .cc file.
#pragma once

#include <cstdint>

#include "kernels/common/params.h"

namespace dyad {
namespace ref {

// Element types follow the params' dtype fields (int8 unless stated):
// input: int8_t* or int16_t* according to p.input_type; output: int8_t*,
// int16_t* or int32_t* according to p.output_type.
void conv2d(const ConvParams& p, const void* input, const int8_t* weights,
            const int32_t* bias, void* output);
void transpose_conv2d(const ConvParams& p, const void* input, const int8_t* weights,
                      const int32_t* bias, void* output);
void fully_connected(const FullyConnectedParams& p, const void* input,
                     const int8_t* weights, const int32_t* bias, void* output);
void matmul(const MatMulParams& p, const int8_t* a, const int8_t* b, int8_t* output);
// Output rows [row_begin, row_end) of batches * m (row r is row r % m of
// batch r / m; any split gives matmul()'s bytes).
void matmul_rows(const MatMulParams& p, const int8_t* a, const int8_t* b, int8_t* output,
                 int64_t row_begin, int64_t row_end);

// a, b, output: int8_t* or int16_t* according to p.a_type, p.b_type, p.output_type.
void add(const AddParams& p, const void* a, const void* b, void* output);
void sub(const AddParams& p, const void* a, const void* b, void* output);
void mul(const MulParams& p, const void* a, const void* b, void* output);

// input and output: int8_t* or int16_t* according to p.type.
void max_pool(const PoolParams& p, const void* input, void* output);
void average_pool(const PoolParams& p, const void* input, void* output);
void mean(const MeanParams& p, const void* input, void* output);

// Data movement on elements of `elem_size` bytes.
void concat(const ConcatParams& p, const void* const* inputs, const Shape* input_shapes,
            size_t elem_size, void* output);
// Split = one slice per output; the runtime calls slice() for each.
void slice(const SliceParams& p, const void* input, size_t elem_size, void* output);
void transpose(const TransposeParams& p, const void* input, size_t elem_size, void* output);
void pad(const PadParams& p, const void* input, size_t elem_size, void* output);
// The same ops restricted to output elements [begin, end) (row-major flat
// indices): each output element depends only on the inputs, so any split of
// [0, out elements) gives the whole op's bytes.
void concat_range(const ConcatParams& p, const void* const* inputs, const Shape* input_shapes,
                  size_t elem_size, void* output, int64_t begin, int64_t end);
void slice_range(const SliceParams& p, const void* input, size_t elem_size, void* output,
                 int64_t begin, int64_t end);
void transpose_range(const TransposeParams& p, const void* input, size_t elem_size, void* output,
                     int64_t begin, int64_t end);
void pad_range(const PadParams& p, const void* input, size_t elem_size, void* output,
               int64_t begin, int64_t end);

// input and output: int8_t* or int16_t* according to p.type.
void resize(const ResizeParams& p, const void* input, void* output);
// Eqs. 17-18: the bilinear taps of output index `index` along W (width) or H.
ResizeTap resize_bilinear_tap(const ResizeParams& p, bool width, int64_t index);
// Output rows [row_begin, row_end) of batch * out_h (each row depends only on
// the input: any split gives the bytes of resize()).
void resize_rows(const ResizeParams& p, const void* input, void* output, int64_t row_begin,
                 int64_t row_end);

// table: 256 entries; int8 input indexes table[q + 128], uint8 input table[q].
void lut_s8(const int8_t* input, int64_t count, const int8_t* table, int8_t* output);
void lut_u8(const uint8_t* input, int64_t count, const int8_t* table, int8_t* output);
// Eq. 13b: 513 samples T, 128 input steps apart, linearly interpolated.
void lut_s16(const int16_t* input, int64_t count, const int16_t* table, int16_t* output);

void softmax(const SoftmaxParams& p, const int8_t* input, int8_t* output);
void layer_norm(const LayerNormParams& p, const int8_t* input, int8_t* output);
// Rows [row_begin, row_end) of p.rows (each row is independent: any split
// gives the bytes of softmax() / layer_norm()).
// int16 in (Z = 0) and out (scale 1/32768, Z = 0), eq. 14b (512-entry table).
void softmax_s16_rows(const SoftmaxParams& p, const int16_t* input, int16_t* output,
                      int64_t row_begin, int64_t row_end);
void softmax_rows(const SoftmaxParams& p, const int8_t* input, int8_t* output, int64_t row_begin,
                  int64_t row_end);
void layer_norm_rows(const LayerNormParams& p, const int8_t* input, int8_t* output,
                     int64_t row_begin, int64_t row_end);
void requantize(const RequantizeParams& p, const void* input, void* output);
void prelu(const PReluParams& p, const int8_t* input, int8_t* output);
// Rows [row_begin, row_end) of p.rows (any split gives prelu()'s bytes).
void prelu_rows(const PReluParams& p, const int8_t* input, int8_t* output, int64_t row_begin,
                int64_t row_end);

}  // namespace ref
}  // namespace dyad
