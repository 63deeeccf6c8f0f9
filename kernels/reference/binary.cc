// Reference Add / Sub (eqs. 7-9) and Mul (eq. 10) with numpy broadcasting.
//   Add/Sub (the TFLite scheme):
//     a' = requant((q_a - Z_a) * 2^left_shift, M_a)        (eq. 7)
//     b' = requant((q_b - Z_b) * 2^left_shift, M_b)
//     s  = a' + b'   (Sub: a' - b'), saturated to int32     (eq. 8)
//     out = clamp(Z_out + requant(s, M_out), act_min, act_max)  (eq. 9)
//   Mul: out = clamp(Z_out + requant((q_a - Z_a)(q_b - Z_b), M), act_min, act_max)
// requant is eq. 6 (multiply_by_quantized_multiplier). The input shapes are
// padded to the output's rank; a dim of 1 is broadcast (stride 0).
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

// Element strides of `in` seen through the output's index space: 0 where the
// input dim is 1 (broadcast).
void broadcast_strides(const Shape& in, const Shape& out, int64_t* strides) {
  int64_t stride = 1;
  for (int d = out.rank - 1; d >= 0; --d) {
    strides[d] = in.dims[d] == 1 ? 0 : stride;
    stride *= in.dims[d];
  }
}

// Calls fn(output_index, a_index, b_index) for every output element, in order.
template <typename Fn>
void for_each_broadcast(const BinaryShapes& s, Fn fn) {
  const int rank = s.out.rank;
  int64_t a_stride[kMaxRank];
  int64_t b_stride[kMaxRank];
  broadcast_strides(s.a, s.out, a_stride);
  broadcast_strides(s.b, s.out, b_stride);
  const int64_t count = s.out.elements();
  int32_t index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t a_off = 0;
  int64_t b_off = 0;
  for (int64_t o = 0; o < count; ++o) {
    fn(o, a_off, b_off);
    // Odometer increment over the output's dims, last dim fastest.
    for (int d = rank - 1; d >= 0; --d) {
      ++index[d];
      a_off += a_stride[d];
      b_off += b_stride[d];
      if (index[d] < s.out.dims[d]) break;
      a_off -= a_stride[d] * s.out.dims[d];
      b_off -= b_stride[d] * s.out.dims[d];
      index[d] = 0;
    }
  }
}

// Eq. 7: one input moved into the common 2^left_shift-scaled domain.
int32_t rescale_input(int32_t q, int32_t zero_point, int left_shift, int32_t multiplier,
                      int shift) {
  const int32_t shifted = saturating_left_shift(q - zero_point, left_shift);
  return multiply_by_quantized_multiplier(shifted, multiplier, shift);
}

void add_or_sub(const AddParams& p, const int8_t* a, const int8_t* b, int8_t* output,
                bool subtract) {
  for_each_broadcast(p.shapes, [&](int64_t o, int64_t ia, int64_t ib) {
    const int64_t a1 = rescale_input(a[ia], p.a_zero_point, p.left_shift, p.a_multiplier, p.a_shift);
    const int64_t b1 = rescale_input(b[ib], p.b_zero_point, p.left_shift, p.b_multiplier, p.b_shift);
    const int32_t sum = saturate_to_i32(subtract ? a1 - b1 : a1 + b1);  // eq. 8
    output[o] = static_cast<int8_t>(clamp_i32(
        requantize_and_clamp(sum, p.output_multiplier, p.output_shift, p.output_zero_point,
                             p.act_min, p.act_max),
        -128, 127));
  });
}

}  // namespace

void add(const AddParams& p, const int8_t* a, const int8_t* b, int8_t* output) {
  add_or_sub(p, a, b, output, /*subtract=*/false);
}

void sub(const AddParams& p, const int8_t* a, const int8_t* b, int8_t* output) {
  add_or_sub(p, a, b, output, /*subtract=*/true);
}

void mul(const MulParams& p, const int8_t* a, const int8_t* b, int8_t* output) {
  for_each_broadcast(p.shapes, [&](int64_t o, int64_t ia, int64_t ib) {
    // |product| <= 255 * 255: exact in int32.
    const int32_t product = (a[ia] - p.a_zero_point) * (b[ib] - p.b_zero_point);
    output[o] = static_cast<int8_t>(clamp_i32(
        requantize_and_clamp(product, p.output_multiplier, p.output_shift, p.output_zero_point,
                             p.act_min, p.act_max),
        -128, 127));
  });
}

}  // namespace ref
}  // namespace dyad
