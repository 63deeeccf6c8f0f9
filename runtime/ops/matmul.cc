// MatMul of two int8 tensors A [..., M, K] x B [..., K, N] with batch broadcast.
#include <algorithm>

#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct MatMulState : OpState {
  MatMulParams p;
};

Shape batch_dims(const Shape& s) {
  Shape r;
  r.rank = s.rank - 2;
  for (int i = 0; i < r.rank; ++i) r.dims[i] = s.dims[i];
  return r;
}

dyad_status verify_matmul(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 2, 2, 1)) return s;
  const auto* o = c.options<fb::MatMulOptions>();
  for (size_t i = 0; i < 2; ++i) {
    if (dyad_status s = expect_input_dtype(c, i, DType::kInt8)) return s;
    if (c.input(i)->shape.rank < 2) {
      return c.fail("%s: rank %d, expected >= 2", io_name(c, true, i).c_str(),
                    c.input(i)->shape.rank);
    }
  }
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  const Shape& a = c.input(0)->shape;
  const Shape& b = c.input(1)->shape;
  const int32_t k = a.dims[a.rank - 1];
  if (b.dims[b.rank - 2] != k) {
    return c.fail("inner dims differ: A %s has K=%d, B %s has K=%d", shape_string(a).c_str(), k,
                  shape_string(b).c_str(), b.dims[b.rank - 2]);
  }
  Shape batch;
  if (!broadcast_shapes(batch_dims(a), batch_dims(b), &batch)) {
    return c.fail("batch dims of A %s and B %s do not broadcast", shape_string(a).c_str(),
                  shape_string(b).c_str());
  }
  Shape expected = batch;
  expected.rank = batch.rank + 2;
  expected.dims[batch.rank] = a.dims[a.rank - 2];
  expected.dims[batch.rank + 1] = b.dims[b.rank - 1];
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  if (dyad_status s = check_multiplier(c, "multiplier/shift", o->multiplier(), o->shift())) {
    return s;
  }
  return check_activation_range(c, o->act_min(), o->act_max(), DType::kInt8);
}

// Output rows (batch x M) are independent: split them across the session's threads.
void run_matmul(const PreparedOp& op) {
  const MatMulParams& p = op.as<MatMulState>().p;
  const auto* a = static_cast<const int8_t*>(op.in[0]);
  const auto* b = static_cast<const int8_t*>(op.in[1]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  const int64_t row_macs = std::max<int64_t>(1, int64_t{p.n} * p.k);
  op.parallel_for(p.out_batch.elements() * p.m, kMinMacsPerThread / row_macs + 1,
                  [&](int64_t begin, int64_t end, int) {
                    ref::matmul_rows(p, a, b, y, begin, end);
                  });
}

dyad_status prepare_matmul(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::MatMulOptions>();
  const Shape& a = c.input(0)->shape;
  const Shape& b = c.input(1)->shape;
  const Shape& y = c.output(0)->shape;
  auto state = std::make_unique<MatMulState>();
  MatMulParams& p = state->p;
  p.out_batch = batch_dims(y);
  p.a_batch = pad_rank(batch_dims(a), p.out_batch.rank);
  p.b_batch = pad_rank(batch_dims(b), p.out_batch.rank);
  p.m = a.dims[a.rank - 2];
  p.k = a.dims[a.rank - 1];
  p.n = b.dims[b.rank - 1];
  p.a_zero_point = c.input(0)->zero_point;
  p.b_zero_point = c.input(1)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.multiplier = o->multiplier();
  p.shift = o->shift();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  op->macs = p.out_batch.elements() * p.m * p.n * p.k;
  op->kernel = "qs8_matmul";
  op->state = std::move(state);
  op->run = run_matmul;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kMatMulOp = {fb::OperatorOptions::MatMulOptions, "MatMul", verify_matmul,
                                   prepare_matmul};

}  // namespace rt
}  // namespace dyad
