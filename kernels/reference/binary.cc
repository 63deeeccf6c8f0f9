// Reference Add / Sub (eqs. 7-9) and Mul (eq. 10) with numpy broadcasting.
//   Add/Sub (the TFLite scheme):
//     a' = requant((q_a - Z_a) * 2^left_shift, M_a)        (eq. 7)
//     b' = requant((q_b - Z_b) * 2^left_shift, M_b)
//     s  = a' + b'   (Sub: a' - b'), saturated to int32     (eq. 8)
//     out = clamp(Z_out + requant(s, M_out), act_min, act_max)  (eq. 9)
//   Mul: out = clamp(Z_out + requant((q_a - Z_a)(q_b - Z_b), M), act_min, act_max)
// requant is eq. 6 (multiply_by_quantized_multiplier). The input shapes are
// padded to the output's rank; a dim of 1 is broadcast (stride 0).
// a, b and the output are each int8 or int16 (int16: Z = 0), fixed per call.
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

// Output element type's range: the final clamp keeps the narrowing cast
// defined even for act bounds wider than the type (which the verifier rejects).
template <typename T>
constexpr int32_t type_min() {
  return sizeof(T) == 1 ? -128 : -32768;
}
template <typename T>
constexpr int32_t type_max() {
  return sizeof(T) == 1 ? 127 : 32767;
}

// Element types TA, TB, TO: int8_t or int16_t each (an int16 tensor has
// Z = 0). With int16 inputs the verifier keeps left_shift <= 15, so
// (q - Z) * 2^L fits int32 unsaturated; the arithmetic is the same for every type.
template <typename TA, typename TB, typename TO>
void add_or_sub_typed(const AddParams& p, const TA* a, const TB* b, TO* output, bool subtract) {
  for_each_broadcast(p.shapes, [&](int64_t o, int64_t ia, int64_t ib) {
    const int64_t a1 = rescale_input(a[ia], p.a_zero_point, p.left_shift, p.a_multiplier, p.a_shift);
    const int64_t b1 = rescale_input(b[ib], p.b_zero_point, p.left_shift, p.b_multiplier, p.b_shift);
    const int32_t sum = saturate_to_i32(subtract ? a1 - b1 : a1 + b1);  // eq. 8
    output[o] = static_cast<TO>(clamp_i32(
        requantize_and_clamp(sum, p.output_multiplier, p.output_shift, p.output_zero_point,
                             p.act_min, p.act_max),
        type_min<TO>(), type_max<TO>()));
  });
}

template <typename TA, typename TB, typename TO>
void mul_typed(const MulParams& p, const TA* a, const TB* b, TO* output) {
  for_each_broadcast(p.shapes, [&](int64_t o, int64_t ia, int64_t ib) {
    // |q - Z| <= 255 (int8) or 32768 (int16, Z = 0): |product| <= 2^30, exact
    // in int32 (int64 and saturated only so an unverified Z cannot overflow).
    const int32_t product = saturate_to_i32((int64_t{a[ia]} - p.a_zero_point) *
                                            (int64_t{b[ib]} - p.b_zero_point));
    output[o] = static_cast<TO>(clamp_i32(
        requantize_and_clamp(product, p.output_multiplier, p.output_shift, p.output_zero_point,
                             p.act_min, p.act_max),
        type_min<TO>(), type_max<TO>()));
  });
}

// Calls fn(a, b, out) with the three pointers cast to their element types:
// one of the 8 instantiations, chosen once per call (not per element).
template <typename TA, typename TB, typename Fn>
void with_output_type(DType out_type, const TA* a, const TB* b, void* out, Fn&& fn) {
  if (out_type == DType::kInt16) {
    fn(a, b, static_cast<int16_t*>(out));
  } else {
    fn(a, b, static_cast<int8_t*>(out));
  }
}
template <typename TA, typename Fn>
void with_b_type(DType b_type, DType out_type, const TA* a, const void* b, void* out, Fn&& fn) {
  if (b_type == DType::kInt16) {
    with_output_type(out_type, a, static_cast<const int16_t*>(b), out, fn);
  } else {
    with_output_type(out_type, a, static_cast<const int8_t*>(b), out, fn);
  }
}
template <typename Fn>
void with_types(DType a_type, DType b_type, DType out_type, const void* a, const void* b,
                void* out, Fn&& fn) {
  if (a_type == DType::kInt16) {
    with_b_type(b_type, out_type, static_cast<const int16_t*>(a), b, out, fn);
  } else {
    with_b_type(b_type, out_type, static_cast<const int8_t*>(a), b, out, fn);
  }
}

void add_or_sub(const AddParams& p, const void* a, const void* b, void* output, bool subtract) {
  with_types(p.a_type, p.b_type, p.output_type, a, b, output,
             [&](const auto* ta, const auto* tb, auto* to) {
               add_or_sub_typed(p, ta, tb, to, subtract);
             });
}

}  // namespace

void add(const AddParams& p, const void* a, const void* b, void* output) {
  add_or_sub(p, a, b, output, /*subtract=*/false);
}

void sub(const AddParams& p, const void* a, const void* b, void* output) {
  add_or_sub(p, a, b, output, /*subtract=*/true);
}

void mul(const MulParams& p, const void* a, const void* b, void* output) {
  with_types(p.a_type, p.b_type, p.output_type, a, b, output,
             [&](const auto* ta, const auto* tb, auto* to) { mul_typed(p, ta, tb, to); });
}

}  // namespace ref
}  // namespace dyad
