// Parameter structs shared by every kernel (reference and SIMD). They hold
// plain integers and pointers into the model's constant data; the runtime
// fills them once at prepare time (runtime/ops/*.cc) from the FlatBuffer
// options, so kernels never see FlatBuffers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dyad {

constexpr int kMaxRank = 6;

enum class DType : int8_t { kInt8 = 0, kUInt8 = 1, kInt16 = 2, kInt32 = 3 };

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::kInt8:
    case DType::kUInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
  }
  return 0;
}

struct Shape {
  int rank = 0;
  int32_t dims[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t elements() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

// A per-channel (count = C) or per-tensor (count = 1) dyadic multiplier.
struct ChannelRequant {
  const int32_t* multiplier = nullptr;
  const int8_t* shift = nullptr;
  int32_t count = 1;
  int32_t m(int32_t c) const { return multiplier[count == 1 ? 0 : c]; }
  int s(int32_t c) const { return shift[count == 1 ? 0 : c]; }
};

// Conv2D and TransposeConv2D, NHWC activations, OHWI weights
// [out_c, kernel_h, kernel_w, in_c / groups], int32 bias [out_c] (may be null).
// Input dtype kInt8 (any zero point) or kInt16 (zero point 0; reference
// kernels only). Output dtype kInt8 / kInt16: requantized and clamped to
// [act_min, act_max]; kInt32: the raw accumulator plus bias, no
// requantization, no clamp.
struct ConvParams {
  int32_t batch = 1;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t out_h = 0, out_w = 0, out_c = 0;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  int32_t groups = 1;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  ChannelRequant requant;
  int32_t act_min = -128, act_max = 127;
  DType input_type = DType::kInt8;  // kInt8 or kInt16
  DType output_type = DType::kInt8;
};

// FullyConnected: x [rows, K] x weights [N, K]^T + bias [N] -> [rows, N].
// Input dtype kInt8 or kInt16 (zero point 0; reference kernel only).
struct FullyConnectedParams {
  int32_t rows = 1, k = 0, n = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  ChannelRequant requant;
  int32_t act_min = -128, act_max = 127;
  DType input_type = DType::kInt8;  // kInt8 or kInt16
  DType output_type = DType::kInt8;
};

// Batched MatMul of two int8 activations A [batch.., M, K] x B [batch.., K, N].
// Batch dims are given already broadcast to the output's rank - 2 dims.
struct MatMulParams {
  Shape a_batch, b_batch, out_batch;  // same rank; a/b dims are 1 or out's
  int32_t m = 0, k = 0, n = 0;
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0, shift = 0;
  int32_t act_min = -128, act_max = 127;
};

// Broadcasting binary ops. Shapes are padded to the same rank (= out.rank);
// input dims are 1 or equal to out's.
struct BinaryShapes {
  Shape a, b, out;
};

// Element types: each of a, b and the output is kInt8 or kInt16 (an int16
// tensor has zero point 0); the optimized kernels take int8 only.
struct AddParams {  // also Sub (negates the second rescaled input)
  BinaryShapes shapes;
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t left_shift = 20;
  int32_t a_multiplier = 0, a_shift = 0;
  int32_t b_multiplier = 0, b_shift = 0;
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t act_min = -128, act_max = 127;
  DType a_type = DType::kInt8, b_type = DType::kInt8, output_type = DType::kInt8;
};

struct MulParams {
  BinaryShapes shapes;
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t act_min = -128, act_max = 127;
  DType a_type = DType::kInt8, b_type = DType::kInt8, output_type = DType::kInt8;
};

// Pooling over H, W of NHWC.
struct PoolParams {
  int32_t batch = 1, in_h = 0, in_w = 0, channels = 0, out_h = 0, out_w = 0;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;  // MaxPool only
  int32_t pad_top = 0, pad_left = 0;
  bool count_include_pad = false;          // AveragePool only
  int32_t input_zero_point = 0, output_zero_point = 0;
  // AveragePool: multiplier/shift indexed by window count (length kernel_h*kernel_w + 1).
  const int32_t* count_multiplier = nullptr;
  const int8_t* count_shift = nullptr;
  int32_t act_min = -128, act_max = 127;
  DType type = DType::kInt8;  // input and output: kInt8, or kInt16 (reference only)
};

// Mean of an int8 (or int16, reference only) tensor over a set of axes.
struct MeanParams {
  Shape in;
  bool reduce[kMaxRank] = {false, false, false, false, false, false};
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0, shift = 0;  // S_in / (S_out * count)
  DType type = DType::kInt8;  // input and output
};

// Data movement ops work on raw bytes of any dtype.
struct ConcatParams {
  int32_t axis = 0;
  int32_t num_inputs = 0;
  Shape out;
};

struct SliceParams {
  Shape in, out;
  int32_t begin[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int32_t step[kMaxRank] = {1, 1, 1, 1, 1, 1};
};

struct TransposeParams {
  Shape in;
  int32_t perm[kMaxRank] = {0, 1, 2, 3, 4, 5};
};

struct PadParams {
  Shape in, out;
  int32_t before[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int32_t pad_value = 0;
};

enum class ResizeMode : int8_t { kNearest = 0, kBilinear = 1 };
enum class CoordinateMode : int8_t { kHalfPixel = 0, kAlignCorners = 1, kAsymmetric = 2, kPytorchHalfPixel = 3 };
enum class NearestRounding : int8_t { kRoundPreferFloor = 0, kRoundPreferCeil = 1, kFloor = 2, kCeil = 3 };

// Resize of H and W of NHWC int8 (or int16, reference only). Scale per axis
// is num/den (output/input).
struct ResizeParams {
  int32_t batch = 1, in_h = 0, in_w = 0, channels = 0, out_h = 0, out_w = 0;
  ResizeMode mode = ResizeMode::kNearest;
  CoordinateMode coordinate_mode = CoordinateMode::kHalfPixel;
  NearestRounding nearest_rounding = NearestRounding::kRoundPreferFloor;
  int32_t scale_h_num = 0, scale_h_den = 0, scale_w_num = 0, scale_w_den = 0;
  DType type = DType::kInt8;  // input and output
};

// One output index's bilinear taps along an axis (eq. 18): input indices i0,
// i1 and the weight of i1 in [0, 2^kResizeFracBits); i0 gets 2^F - w1.
constexpr int kResizeFracBits = 11;
struct ResizeTap {
  int32_t i0 = 0, i1 = 0, w1 = 0;
};

struct SoftmaxParams {
  int32_t rows = 0, cols = 0;
  // int8 in and out (eq. 14): 256 entries; int16 in and out (eq. 14b): 512,
  // exp at d = l (first 256) and at d = 256 h (last 256), multiplied.
  const int32_t* exp_table = nullptr;
  int32_t input_zero_point = 0;        // unused by the math (differences only)
};

struct LayerNormParams {
  int32_t rows = 0, cols = 0;
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t epsilon = 1;
  ChannelRequant requant;   // signed multipliers allowed
  const int32_t* bias = nullptr;
  int32_t act_min = -128, act_max = 127;
};

struct RequantizeParams {
  int64_t count = 0;
  DType input_type = DType::kInt8, output_type = DType::kInt8;
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0, shift = 0;
  int32_t act_min = -128, act_max = 127;
};

struct PReluParams {
  int64_t rows = 0;
  int32_t channels = 0;
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t positive_multiplier = 0, positive_shift = 0;
  ChannelRequant negative;  // signed multipliers allowed
};

}  // namespace dyad
