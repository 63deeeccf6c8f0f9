// Reference data movement: Concat, Slice (also Split), Transpose, Pad.
// No arithmetic on values, so no equation: every op copies elements of
// `elem_size` bytes (int8/uint8/int16/int32 tensors share these kernels);
// inputs and output share one quantization (DESIGN.md §3, scale-preserving ops).
#include <cstdint>
#include <cstring>

#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

void row_major_strides(const Shape& s, int64_t* strides) {
  int64_t stride = 1;
  for (int d = s.rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= s.dims[d];
  }
}

// Calls fn(output_index, input_offset) for every element of `out`, where the
// input offset of output index i is sum_d (base[d] + i_d * step[d]).
template <typename Fn>
void for_each_strided(const Shape& out, const int64_t* base, const int64_t* step, Fn fn) {
  const int64_t count = out.elements();
  int64_t start = 0;
  for (int d = 0; d < out.rank; ++d) start += base[d];
  int32_t index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t offset = start;
  for (int64_t o = 0; o < count; ++o) {
    fn(o, offset);
    for (int d = out.rank - 1; d >= 0; --d) {
      ++index[d];
      offset += step[d];
      if (index[d] < out.dims[d]) break;
      offset -= step[d] * out.dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace

void concat(const ConcatParams& p, const void* const* inputs, const Shape* input_shapes,
            size_t elem_size, void* output) {
  // outer = product of dims before axis; each input contributes a contiguous
  // block of (its dims from axis on) per outer index.
  int64_t outer = 1;
  for (int d = 0; d < p.axis; ++d) outer *= p.out.dims[d];
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < outer; ++o) {
    for (int32_t i = 0; i < p.num_inputs; ++i) {
      int64_t block = 1;
      for (int d = p.axis; d < input_shapes[i].rank; ++d) block *= input_shapes[i].dims[d];
      const size_t bytes = static_cast<size_t>(block) * elem_size;
      const auto* in = static_cast<const uint8_t*>(inputs[i]);
      if (bytes != 0) std::memcpy(out, in + static_cast<size_t>(o) * bytes, bytes);
      out += bytes;
    }
  }
}

void slice(const SliceParams& p, const void* input, size_t elem_size, void* output) {
  int64_t in_stride[kMaxRank];
  row_major_strides(p.in, in_stride);
  int64_t base[kMaxRank];
  int64_t step[kMaxRank];
  for (int d = 0; d < p.out.rank; ++d) {
    base[d] = int64_t{p.begin[d]} * in_stride[d];
    step[d] = int64_t{p.step[d]} * in_stride[d];  // negative steps walk backwards
  }
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for_each_strided(p.out, base, step, [&](int64_t o, int64_t offset) {
    std::memcpy(out + o * elem_size, in + offset * elem_size, elem_size);
  });
}

void transpose(const TransposeParams& p, const void* input, size_t elem_size, void* output) {
  int64_t in_stride[kMaxRank];
  row_major_strides(p.in, in_stride);
  Shape out_shape;
  out_shape.rank = p.in.rank;
  int64_t base[kMaxRank];
  int64_t step[kMaxRank];
  for (int d = 0; d < p.in.rank; ++d) {
    out_shape.dims[d] = p.in.dims[p.perm[d]];  // out dim d walks input dim perm[d]
    base[d] = 0;
    step[d] = in_stride[p.perm[d]];
  }
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for_each_strided(out_shape, base, step, [&](int64_t o, int64_t offset) {
    std::memcpy(out + o * elem_size, in + offset * elem_size, elem_size);
  });
}

void pad(const PadParams& p, const void* input, size_t elem_size, void* output) {
  // The constant, written as one element of the tensor's dtype.
  uint8_t value[4] = {0, 0, 0, 0};
  if (elem_size == 1) {
    value[0] = static_cast<uint8_t>(p.pad_value);  // int8 and uint8 share the low byte
  } else if (elem_size == 2) {
    const int16_t v = static_cast<int16_t>(p.pad_value);
    std::memcpy(value, &v, 2);
  } else if (elem_size == 4) {
    std::memcpy(value, &p.pad_value, 4);
  }
  auto* out = static_cast<uint8_t*>(output);
  const int64_t out_count = p.out.elements();
  if (elem_size == 1) {
    std::memset(out, value[0], static_cast<size_t>(out_count));
  } else {
    for (int64_t o = 0; o < out_count; ++o) {
      std::memcpy(out + o * elem_size, value, elem_size < 4 ? elem_size : 4);
    }
  }
  // Then every input element lands at its index + before (in output strides).
  // Dims after the last padded one are equal in input and output, so the
  // input block from that dim on is one contiguous run in the output too:
  // copy it whole for each index of the dims before (NHWC padded on H, W:
  // one memcpy of W*C elements per input row).
  int last_padded = -1;
  for (int d = 0; d < p.in.rank; ++d) {
    if (p.in.dims[d] != p.out.dims[d]) last_padded = d;
  }
  const int outer_rank = last_padded < 0 ? 0 : last_padded;
  int64_t run = 1;
  for (int d = outer_rank; d < p.in.rank; ++d) run *= p.in.dims[d];
  int64_t out_stride[kMaxRank];
  row_major_strides(p.out, out_stride);
  Shape outer;
  outer.rank = outer_rank;
  int64_t base[kMaxRank];
  int64_t start = 0;
  for (int d = 0; d < p.in.rank; ++d) start += int64_t{p.before[d]} * out_stride[d];
  for (int d = 0; d < outer_rank; ++d) {
    outer.dims[d] = p.in.dims[d];
    base[d] = 0;
  }
  const auto* in = static_cast<const uint8_t*>(input);
  const size_t run_bytes = static_cast<size_t>(run) * elem_size;
  if (run_bytes == 0) return;
  for_each_strided(outer, base, out_stride, [&](int64_t i, int64_t offset) {
    std::memcpy(out + (start + offset) * elem_size, in + i * run * elem_size, run_bytes);
  });
}

}  // namespace ref
}  // namespace dyad
