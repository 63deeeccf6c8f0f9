// PRelu with a per-channel (last axis) negative slope (eq. 19).
#include <algorithm>

#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct PReluState : OpState {
  PReluParams p;
};

dyad_status verify_prelu(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_input_dtype(c, 0, DType::kInt8)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  const TensorInfo* x = c.input(0);
  if (x->shape.rank < 1) return c.fail("%s: rank 0, expected >= 1", io_name(c, true, 0).c_str());
  if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
  const auto* o = c.options<fb::PReluOptions>();
  if (dyad_status s = check_multiplier(c, "positive_multiplier/positive_shift",
                                       o->positive_multiplier(), o->positive_shift())) {
    return s;
  }
  return check_channel_requant(c, "negative_multiplier", "negative_shift",
                               o->negative_multiplier(), o->negative_shift(),
                               x->shape.dims[x->shape.rank - 1], true);
}

// Rows are independent: split them across the session's threads.
void run_prelu(const PreparedOp& op) {
  const PReluParams& p = op.as<PReluState>().p;
  const auto* x = static_cast<const int8_t*>(op.in[0]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  op.parallel_for(p.rows, kMinElementsPerThread / std::max<int64_t>(1, p.channels) + 1,
                  [&](int64_t begin, int64_t end, int) { ref::prelu_rows(p, x, y, begin, end); });
}

dyad_status prepare_prelu(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::PReluOptions>();
  auto state = std::make_unique<PReluState>();
  PReluParams& p = state->p;
  const Shape& x = c.input(0)->shape;
  p.channels = x.dims[x.rank - 1];
  p.rows = x.elements() / p.channels;
  p.input_zero_point = c.input(0)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.positive_multiplier = o->positive_multiplier();
  p.positive_shift = o->positive_shift();
  p.negative = channel_requant(o->negative_multiplier(), o->negative_shift());
  op->macs = x.elements();
  op->kernel = "qs8_prelu";
  op->state = std::move(state);
  op->run = run_prelu;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kPReluOp = {fb::OperatorOptions::PReluOptions, "PRelu", verify_prelu,
                                  prepare_prelu};

}  // namespace rt
}  // namespace dyad
