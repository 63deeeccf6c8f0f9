// Reference batched MatMul of two int8 activations: eq. 20
// (acc = sum_k (a - Z_a)(b - Z_b)), eq. 6 (per-tensor requantization), then
// Z_out and the clamp. Batch dims broadcast: a dim of 1 in A or B is reused
// for every index of the output's dim.
#include <algorithm>
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

// Offset (in matrices) of output batch `out_index` inside an operand whose
// batch dims are `dims` (each 1 or equal to the output's).
int64_t broadcast_batch_offset(const Shape& dims, const Shape& out_dims, int64_t out_index) {
  int64_t offset = 0;
  int64_t stride = 1;
  for (int d = out_dims.rank - 1; d >= 0; --d) {
    const int64_t i = out_index % out_dims.dims[d];
    out_index /= out_dims.dims[d];
    if (dims.dims[d] != 1) offset += i * stride;
    stride *= dims.dims[d];
  }
  return offset;
}

}  // namespace

void matmul(const MatMulParams& p, const int8_t* a, const int8_t* b, int8_t* output) {
  matmul_rows(p, a, b, output, 0, p.out_batch.elements() * p.m);  // 1 batch for rank 0
}

void matmul_rows(const MatMulParams& p, const int8_t* a, const int8_t* b, int8_t* output,
                 int64_t row_begin, int64_t row_end) {
  if (p.m <= 0 || row_begin >= row_end) return;
  const int64_t a_matrix = int64_t{p.m} * p.k;
  const int64_t b_matrix = int64_t{p.k} * p.n;
  const int64_t out_matrix = int64_t{p.m} * p.n;
  for (int64_t batch = row_begin / p.m; batch * p.m < row_end; ++batch) {
    const int8_t* a_mat = a + broadcast_batch_offset(p.a_batch, p.out_batch, batch) * a_matrix;
    const int8_t* b_mat = b + broadcast_batch_offset(p.b_batch, p.out_batch, batch) * b_matrix;
    int8_t* out_mat = output + batch * out_matrix;
    const int64_t first = std::max<int64_t>(0, row_begin - batch * p.m);
    const int64_t last = std::min<int64_t>(p.m, row_end - batch * p.m);
    for (int64_t i = first; i < last; ++i) {
      for (int32_t j = 0; j < p.n; ++j) {
        // |a - Z_a| and |b - Z_b| can both reach 255: int64 then saturate.
        int64_t acc = 0;
        for (int32_t k = 0; k < p.k; ++k) {
          acc += int64_t{a_mat[int64_t{i} * p.k + k] - p.a_zero_point} *
                 (b_mat[int64_t{k} * p.n + j] - p.b_zero_point);
        }
        const int32_t v = requantize_and_clamp(saturate_to_i32(acc), p.multiplier, p.shift,
                                               p.output_zero_point, p.act_min, p.act_max);
        out_mat[int64_t{i} * p.n + j] = static_cast<int8_t>(clamp_i32(v, -128, 127));
      }
    }
  }
}

}  // namespace ref
}  // namespace dyad
