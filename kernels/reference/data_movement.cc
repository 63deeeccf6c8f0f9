// Reference data movement: Concat, Slice (also Split), Transpose, Pad.
// No arithmetic on values, so no equation: every op copies elements of
// `elem_size` bytes (int8/uint8/int16/int32 tensors share these kernels);
// inputs and output share one quantization (DESIGN.md §3, scale-preserving ops).
// Each op also has a *_range form that writes only output elements
// [begin, end); every output element depends on the inputs alone, so any
// split of [0, count) into ranges gives the whole op's bytes (the runtime
// splits them across threads).
#include <algorithm>
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

// memcpy for the short runs of channel concats (a few to a few dozen bytes per
// pixel), where a library call per run costs more than the copy: fixed-size
// (possibly overlapping) moves the compiler inlines.
void copy_run(uint8_t* out, const uint8_t* in, size_t n) {
  if (n > 32) {
    std::memcpy(out, in, n);
  } else if (n >= 16) {
    std::memcpy(out, in, 16);
    std::memcpy(out + n - 16, in + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(out, in, 8);
    std::memcpy(out + n - 8, in + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(out, in, 4);
    std::memcpy(out + n - 4, in + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = in[i];
  }
}

template <typename T>
void copy_strided_as(const uint8_t* in, int64_t step, int64_t n, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out + i * int64_t{sizeof(T)}, in + i * step * int64_t{sizeof(T)}, sizeof(T));
  }
}

// n elements from `in` (every `step` elements) to contiguous `out`.
void copy_strided(const uint8_t* in, int64_t step, int64_t n, size_t elem_size, uint8_t* out) {
  if (step == 1) {
    copy_run(out, in, static_cast<size_t>(n) * elem_size);
    return;
  }
  switch (elem_size) {
    case 1: copy_strided_as<uint8_t>(in, step, n, out); return;
    case 2: copy_strided_as<uint16_t>(in, step, n, out); return;
    case 4: copy_strided_as<uint32_t>(in, step, n, out); return;
    case 8: copy_strided_as<uint64_t>(in, step, n, out); return;
    default:
      for (int64_t i = 0; i < n; ++i) {
        std::memcpy(out + static_cast<size_t>(i) * elem_size,
                    in + static_cast<size_t>(i * step) * elem_size, elem_size);
      }
  }
}

// Output elements [begin, end) of `out`, where the input offset (in elements)
// of output multi-index i is sum_d (base[d] + i_d * step[d]). Walks the last
// dim in runs, so a unit inner step is one memcpy per output row.
void strided_copy_range(const Shape& out, const int64_t* base, const int64_t* step,
                        const void* input, size_t elem_size, void* output, int64_t begin,
                        int64_t end);

// The same copy on fewer, longer rows: dims of extent 1 are dropped, and an
// output dim is merged into the one before when the input walks both as one
// (step[d - 1] == step[d] * dims[d]); output element indices are unchanged.
// Rows of 2, 4 or 8 contiguous bytes then become single elements of that
// size (when the range holds whole rows): a channel Slice of an NHWC tensor
// is one strided loop instead of a copy call per pixel.
void strided_copy_range_merged(const Shape& out, const int64_t* base, const int64_t* step,
                               const void* input, size_t elem_size, void* output, int64_t begin,
                               int64_t end) {
  Shape m;
  m.rank = 0;
  int64_t m_step[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t m_base[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t offset = 0;
  for (int d = 0; d < out.rank; ++d) {
    offset += base[d];
    if (out.dims[d] == 1) continue;
    if (m.rank > 0 && m_step[m.rank - 1] == step[d] * out.dims[d]) {
      m.dims[m.rank - 1] *= out.dims[d];
      m_step[m.rank - 1] = step[d];
      continue;
    }
    m.dims[m.rank] = out.dims[d];
    m_step[m.rank] = step[d];
    ++m.rank;
  }
  if (m.rank == 0) {  // one element (every dim 1): keep its offset
    m.rank = 1;
    m.dims[0] = 1;
    m_step[0] = 1;
  }
  m_base[0] = offset;
  const int last = m.rank - 1;
  if (m.rank >= 2 && m_step[last] == 1) {
    const int64_t row = m.dims[last];
    const int64_t bytes = row * static_cast<int64_t>(elem_size);
    if ((bytes == 2 || bytes == 4 || bytes == 8) && begin % row == 0 && end % row == 0) {
      bool whole = (m_base[0] * static_cast<int64_t>(elem_size)) % bytes == 0;
      for (int d = 0; d < last; ++d) {
        whole = whole && (m_step[d] * static_cast<int64_t>(elem_size)) % bytes == 0;
      }
      if (whole) {
        for (int d = 0; d < last; ++d) m_step[d] = m_step[d] * static_cast<int64_t>(elem_size) / bytes;
        m_base[0] = m_base[0] * static_cast<int64_t>(elem_size) / bytes;
        m.rank = last;
        strided_copy_range(m, m_base, m_step, input, static_cast<size_t>(bytes), output,
                           begin / row, end / row);
        return;
      }
    }
  }
  strided_copy_range(m, m_base, m_step, input, elem_size, output, begin, end);
}

void strided_copy_range(const Shape& out, const int64_t* base, const int64_t* step,
                        const void* input, size_t elem_size, void* output, int64_t begin,
                        int64_t end) {
  if (begin >= end) return;
  const auto* in = static_cast<const uint8_t*>(input);
  auto* o = static_cast<uint8_t*>(output) + static_cast<size_t>(begin) * elem_size;
  if (out.rank == 0) {  // one element
    std::memcpy(o, in, elem_size);
    return;
  }
  const int last = out.rank - 1;
  int32_t index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t offset = 0;
  int64_t rest = begin;
  for (int d = last; d >= 0; --d) {
    index[d] = static_cast<int32_t>(rest % out.dims[d]);
    rest /= out.dims[d];
    offset += base[d] + index[d] * step[d];
  }
  for (int64_t left = end - begin; left > 0;) {
    const int64_t n = std::min<int64_t>(out.dims[last] - index[last], left);
    copy_strided(in + offset * static_cast<int64_t>(elem_size), step[last], n, elem_size, o);
    o += static_cast<size_t>(n) * elem_size;
    left -= n;
    // Next row: back to the start of the last dim, then carry like an odometer.
    offset -= index[last] * step[last];
    index[last] = 0;
    for (int d = last - 1; d >= 0; --d) {
      ++index[d];
      offset += step[d];
      if (index[d] < out.dims[d]) break;
      offset -= step[d] * out.dims[d];
      index[d] = 0;
    }
  }
}

// The constant, written as one element of the tensor's dtype.
void pad_value_bytes(int32_t pad_value, size_t elem_size, uint8_t* value) {
  std::memset(value, 0, 4);
  if (elem_size == 1) {
    value[0] = static_cast<uint8_t>(pad_value);  // int8 and uint8 share the low byte
  } else if (elem_size == 2) {
    const int16_t v = static_cast<int16_t>(pad_value);
    std::memcpy(value, &v, 2);
  } else if (elem_size == 4) {
    std::memcpy(value, &pad_value, 4);
  }
}

void fill(uint8_t* out, int64_t n, const uint8_t* value, size_t elem_size) {
  if (n <= 0) return;
  if (elem_size == 1) {
    std::memset(out, value[0], static_cast<size_t>(n));
    return;
  }
  const size_t bytes = elem_size < 4 ? elem_size : 4;
  for (int64_t i = 0; i < n; ++i) std::memcpy(out + static_cast<size_t>(i) * elem_size, value, bytes);
}

}  // namespace

void concat(const ConcatParams& p, const void* const* inputs, const Shape* input_shapes,
            size_t elem_size, void* output) {
  concat_range(p, inputs, input_shapes, elem_size, output, 0, p.out.elements());
}

void concat_range(const ConcatParams& p, const void* const* inputs, const Shape* input_shapes,
                  size_t elem_size, void* output, int64_t begin, int64_t end) {
  // The output is `outer` rows (dims before axis); each row is input 0's
  // block, then input 1's, ... (each input's dims from axis on, contiguous).
  // Blocks of the first inputs are kept on the stack (no allocation in run()).
  const auto block_of = [&](int32_t i) {
    int64_t b = 1;
    for (int d = p.axis; d < input_shapes[i].rank; ++d) b *= input_shapes[i].dims[d];
    return b;
  };
  constexpr int32_t kCached = 16;
  int64_t cached[kCached];
  const auto block = [&](int32_t i) { return i < kCached ? cached[i] : block_of(i); };
  int64_t row_elements = 0;
  for (int32_t i = 0; i < p.num_inputs; ++i) {
    const int64_t b = block_of(i);
    if (i < kCached) cached[i] = b;
    row_elements += b;
  }
  if (row_elements == 0 || begin >= end) return;
  int64_t row = begin / row_elements;
  int64_t skip = begin - row * row_elements;  // elements of the first row before begin
  auto* out = static_cast<uint8_t*>(output) + static_cast<size_t>(begin) * elem_size;
  for (int64_t left = end - begin; left > 0; ++row, skip = 0) {
    for (int32_t i = 0; i < p.num_inputs && left > 0; ++i) {
      const int64_t b = block(i);
      if (skip >= b) {
        skip -= b;
        continue;
      }
      const int64_t n = std::min(b - skip, left);
      const auto* in = static_cast<const uint8_t*>(inputs[i]);
      copy_run(out, in + static_cast<size_t>(row * b + skip) * elem_size,
               static_cast<size_t>(n) * elem_size);
      out += static_cast<size_t>(n) * elem_size;
      left -= n;
      skip = 0;
    }
  }
}

void slice(const SliceParams& p, const void* input, size_t elem_size, void* output) {
  slice_range(p, input, elem_size, output, 0, p.out.elements());
}

void slice_range(const SliceParams& p, const void* input, size_t elem_size, void* output,
                 int64_t begin, int64_t end) {
  int64_t in_stride[kMaxRank];
  row_major_strides(p.in, in_stride);
  int64_t base[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t step[kMaxRank] = {0, 0, 0, 0, 0, 0};
  for (int d = 0; d < p.out.rank; ++d) {
    base[d] = int64_t{p.begin[d]} * in_stride[d];
    step[d] = int64_t{p.step[d]} * in_stride[d];  // negative steps walk backwards
  }
  strided_copy_range_merged(p.out, base, step, input, elem_size, output, begin, end);
}

void transpose(const TransposeParams& p, const void* input, size_t elem_size, void* output) {
  transpose_range(p, input, elem_size, output, 0, p.in.elements());
}

void transpose_range(const TransposeParams& p, const void* input, size_t elem_size, void* output,
                     int64_t begin, int64_t end) {
  int64_t in_stride[kMaxRank];
  row_major_strides(p.in, in_stride);
  Shape out_shape;
  out_shape.rank = p.in.rank;
  int64_t base[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t step[kMaxRank] = {0, 0, 0, 0, 0, 0};
  for (int d = 0; d < p.in.rank; ++d) {
    out_shape.dims[d] = p.in.dims[p.perm[d]];  // out dim d walks input dim perm[d]
    step[d] = in_stride[p.perm[d]];
  }
  strided_copy_range_merged(out_shape, base, step, input, elem_size, output, begin, end);
}

void pad(const PadParams& p, const void* input, size_t elem_size, void* output) {
  pad_range(p, input, elem_size, output, 0, p.out.elements());
}

void pad_range(const PadParams& p, const void* input, size_t elem_size, void* output,
               int64_t begin, int64_t end) {
  if (begin >= end) return;
  uint8_t value[4];
  pad_value_bytes(p.pad_value, elem_size, value);
  // Dims after the last padded one are equal in input and output, so the
  // input block from the last padded dim on is one contiguous run in the
  // output. The output is then rows (one per index of the dims before the
  // last padded one): each row is the constant, except the input's run when
  // the row's index lies inside the input (NHWC padded on H, W: one row per
  // output H, holding one input row of W*C elements).
  int last_padded = -1;
  for (int d = 0; d < p.in.rank; ++d) {
    if (p.in.dims[d] != p.out.dims[d]) last_padded = d;
  }
  const int outer_rank = last_padded < 0 ? 0 : last_padded;
  int64_t row_elements = 1;  // output elements per row
  int64_t run = 1;           // input elements per row
  for (int d = outer_rank; d < p.out.rank; ++d) {
    row_elements *= p.out.dims[d];
    run *= p.in.dims[d];
  }
  int64_t run_start = 0;  // where the run starts inside its row
  if (p.out.rank > 0) {
    int64_t inner_stride = 1;
    for (int d = outer_rank + 1; d < p.out.rank; ++d) inner_stride *= p.out.dims[d];
    run_start = int64_t{p.before[outer_rank]} * inner_stride;
  }
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t row = begin / row_elements; row * row_elements < end; ++row) {
    const int64_t row_first = row * row_elements;
    const int64_t lo = std::max(begin, row_first);
    const int64_t hi = std::min(end, row_first + row_elements);
    // The input row this output row holds, if any.
    int64_t in_row = 0;
    bool inside = true;
    int64_t rest = row;
    int64_t in_row_stride = 1;
    for (int d = outer_rank - 1; d >= 0; --d) {
      const int64_t i = rest % p.out.dims[d] - p.before[d];
      rest /= p.out.dims[d];
      if (i < 0 || i >= p.in.dims[d]) inside = false;
      in_row += i * in_row_stride;
      in_row_stride *= p.in.dims[d];
    }
    int64_t run_lo = hi, run_hi = hi;  // the run's part of [lo, hi); empty if outside
    if (inside && run > 0) {
      run_lo = std::min(hi, std::max(lo, row_first + run_start));
      run_hi = std::max(run_lo, std::min(hi, row_first + run_start + run));
    }
    fill(out + static_cast<size_t>(lo) * elem_size, run_lo - lo, value, elem_size);
    if (run_hi > run_lo) {
      const int64_t src = in_row * run + (run_lo - row_first - run_start);
      std::memcpy(out + static_cast<size_t>(run_lo) * elem_size,
                  in + static_cast<size_t>(src) * elem_size,
                  static_cast<size_t>(run_hi - run_lo) * elem_size);
    }
    fill(out + static_cast<size_t>(run_hi) * elem_size, hi - run_hi, value, elem_size);
  }
}

}  // namespace ref
}  // namespace dyad
