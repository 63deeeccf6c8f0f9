// Softmax over the last axis (eq. 14), exp table built by the converter.
#include <algorithm>

#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct SoftmaxState : OpState {
  SoftmaxParams p;
};

constexpr int32_t kExpOne = 1 << 23;  // exp(0) in the table's 2^23 fixed point

dyad_status verify_softmax(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_input_dtype(c, 0, DType::kInt8)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  const TensorInfo* x = c.input(0);
  if (x->shape.rank < 1) return c.fail("%s: rank 0, expected >= 1", io_name(c, true, 0).c_str());
  if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
  if (c.output(0)->zero_point != -128) {
    return c.fail("%s: zero_point %d, softmax output must have zero_point -128 (scale 1/256)",
                  io_name(c, false, 0).c_str(), c.output(0)->zero_point);
  }
  const auto* table = c.options<fb::SoftmaxOptions>()->exp_table();
  if (table == nullptr || table->size() != 256) {
    return c.fail("exp_table: length %u, expected 256", table ? table->size() : 0u);
  }
  // The row maximum contributes table[0] = 2^23, so the sum is never 0.
  if (table->Get(0) != kExpOne) return c.fail("exp_table[0] = %d, expected 2^23", table->Get(0));
  for (uint32_t i = 1; i < 256; ++i) {
    if (table->Get(i) < 0 || table->Get(i) > kExpOne) {
      return c.fail("exp_table[%u] = %d outside [0, 2^23]", i, table->Get(i));
    }
  }
  return DYAD_OK;
}

// Rows are independent: split them across the session's threads.
void run_softmax(const PreparedOp& op) {
  const SoftmaxParams& p = op.as<SoftmaxState>().p;
  const auto* x = static_cast<const int8_t*>(op.in[0]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  op.parallel_for(p.rows, kMinElementsPerThread / std::max<int64_t>(1, p.cols) + 1,
                  [&](int64_t begin, int64_t end, int) { ref::softmax_rows(p, x, y, begin, end); });
}

dyad_status prepare_softmax(const OpCheck& c, PreparedOp* op) {
  auto state = std::make_unique<SoftmaxState>();
  const Shape& x = c.input(0)->shape;
  state->p.cols = x.dims[x.rank - 1];
  state->p.rows = static_cast<int32_t>(x.elements() / state->p.cols);
  state->p.exp_table = c.options<fb::SoftmaxOptions>()->exp_table()->data();
  state->p.input_zero_point = c.input(0)->zero_point;
  op->macs = x.elements();
  op->kernel = "qs8_softmax";
  op->state = std::move(state);
  op->run = run_softmax;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kSoftmaxOp = {fb::OperatorOptions::SoftmaxOptions, "Softmax",
                                    verify_softmax, prepare_softmax};

}  // namespace rt
}  // namespace dyad
