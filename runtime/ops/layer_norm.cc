// LayerNorm over the last axis (eq. 15).
#include <algorithm>

#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct LayerNormState : OpState {
  LayerNormParams p;
};

dyad_status verify_layer_norm(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_input_dtype(c, 0, DType::kInt8)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  const TensorInfo* x = c.input(0);
  if (x->shape.rank < 1) return c.fail("%s: rank 0, expected >= 1", io_name(c, true, 0).c_str());
  if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
  const auto* o = c.options<fb::LayerNormOptions>();
  const int32_t channels = x->shape.dims[x->shape.rank - 1];
  if (o->epsilon() < 1) return c.fail("epsilon %d, must be >= 1", o->epsilon());
  if (dyad_status s = check_channel_requant(c, "multiplier", "shift", o->multiplier(), o->shift(),
                                            channels, true)) {
    return s;
  }
  const auto* bias = o->bias();
  if (bias == nullptr || static_cast<int32_t>(bias->size()) != channels) {
    return c.fail("bias: length %u, expected %d (channels)", bias ? bias->size() : 0u, channels);
  }
  return check_activation_range(c, o->act_min(), o->act_max(), DType::kInt8);
}

// Rows are independent: split them across the session's threads.
void run_layer_norm(const PreparedOp& op) {
  const LayerNormParams& p = op.as<LayerNormState>().p;
  const auto* x = static_cast<const int8_t*>(op.in[0]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  op.parallel_for(p.rows, kMinElementsPerThread / std::max<int64_t>(1, p.cols) + 1,
                  [&](int64_t begin, int64_t end, int) {
                    ref::layer_norm_rows(p, x, y, begin, end);
                  });
}

dyad_status prepare_layer_norm(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::LayerNormOptions>();
  auto state = std::make_unique<LayerNormState>();
  LayerNormParams& p = state->p;
  const Shape& x = c.input(0)->shape;
  p.cols = x.dims[x.rank - 1];
  p.rows = static_cast<int32_t>(x.elements() / p.cols);
  p.input_zero_point = c.input(0)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.epsilon = o->epsilon();
  p.requant = channel_requant(o->multiplier(), o->shift());
  p.bias = o->bias()->data();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  op->macs = 2 * x.elements();
  op->kernel = "qs8_layer_norm";
  op->state = std::move(state);
  op->run = run_layer_norm;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kLayerNormOp = {fb::OperatorOptions::LayerNormOptions, "LayerNorm",
                                      verify_layer_norm, prepare_layer_norm};

}  // namespace rt
}  // namespace dyad
