// Checks shared by the op families' verify() functions. Each returns DYAD_OK
// or a failure whose message names the op and the input/output/field at fault.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/common/fixed_point.h"
#include "runtime/ops/op.h"

namespace dyad {
namespace rt {

const char* dtype_name(DType t);
void dtype_range(DType t, int64_t* lo, int64_t* hi);
std::string shape_string(const Shape& s);
bool same_shape(const Shape& a, const Shape& b);
// "input 1 (tensor 7 'w')"; `is_input` picks inputs/outputs.
std::string io_name(const OpCheck& c, bool is_input, size_t i);

// Exactly n_out outputs and between min_in and max_in inputs, the first
// min_in of them present.
dyad_status expect_io(const OpCheck& c, size_t min_in, size_t max_in, size_t n_out);
dyad_status expect_input_dtype(const OpCheck& c, size_t i, DType t);
dyad_status expect_output_dtype(const OpCheck& c, size_t i, DType t);
dyad_status expect_input_rank(const OpCheck& c, size_t i, int rank);
dyad_status expect_output_rank(const OpCheck& c, size_t i, int rank);
dyad_status expect_input_constant(const OpCheck& c, size_t i);
// Input / output i is an INT8 activation (any zero point) or an INT16 one
// with zero point 0 (symmetric); anything else fails naming the tensor.
dyad_status expect_input_int8_or_int16(const OpCheck& c, size_t i);
dyad_status expect_output_int8_or_int16(const OpCheck& c, size_t i);
// Kernel-name prefix by the activation type: "qs16" for int16, else "qs8".
const char* quantized_prefix(DType t);
// Output i has the same shape as `expected`.
dyad_status expect_output_shape(const OpCheck& c, size_t i, const Shape& expected);

// A dyadic multiplier field (is_valid_multiplier).
dyad_status check_multiplier(const OpCheck& c, const char* field, int64_t m0, int64_t shift,
                             bool allow_negative = false);
// Per-channel vectors: lengths equal and `channels` or 1, every entry valid.
dyad_status check_channel_requant(const OpCheck& c, const char* m_field, const char* s_field,
                                  const flatbuffers::Vector<int32_t>* m,
                                  const flatbuffers::Vector<int8_t>* s, int64_t channels,
                                  bool allow_negative = false);
// act_min <= act_max, both inside the range of `out`.
dyad_status check_activation_range(const OpCheck& c, int32_t act_min, int32_t act_max, DType out);

// Numpy broadcasting of a and b; false if incompatible.
bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out);
// `s` left-padded with 1s to `rank` dims.
Shape pad_rank(const Shape& s, int rank);

// Fills a ChannelRequant from verified vectors.
ChannelRequant channel_requant(const flatbuffers::Vector<int32_t>* m,
                               const flatbuffers::Vector<int8_t>* s);

}  // namespace rt
}  // namespace dyad
