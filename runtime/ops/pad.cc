// Pad with a constant (in the input's integer domain); pads in ONNX order.
#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct PadState : OpState {
  PadParams p;
  size_t elem_size = 1;
};

dyad_status verify_pad(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_same_quantization(c, 0, 0)) return s;
  const TensorInfo* x = c.input(0);
  const auto* o = c.options<fb::PadOptions>();
  const auto* pads = o->pads();
  const int rank = x->shape.rank;
  if (pads == nullptr || static_cast<int>(pads->size()) != 2 * rank) {
    return c.fail("pads: length %u, expected 2*rank = %d", pads ? pads->size() : 0u, 2 * rank);
  }
  Shape expected = x->shape;
  for (int d = 0; d < rank; ++d) {
    const int64_t before = pads->Get(d), after = pads->Get(d + rank);
    if (before < 0 || after < 0) return c.fail("pads[%d]/pads[%d] must be >= 0", d, d + rank);
    const int64_t extent = x->shape.dims[d] + before + after;
    if (extent > INT32_MAX) return c.fail("pads along axis %d overflow the extent", d);
    expected.dims[d] = static_cast<int32_t>(extent);
  }
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  int64_t lo = 0, hi = 0;
  dtype_range(x->dtype, &lo, &hi);
  if (o->pad_value() < lo || o->pad_value() > hi) {
    return c.fail("pad_value %d outside the %s range", o->pad_value(), dtype_name(x->dtype));
  }
  return DYAD_OK;
}

void run_pad(const PreparedOp& op) {
  const auto& s = op.as<PadState>();
  ref::pad(s.p, op.in[0], s.elem_size, op.out[0]);
}

dyad_status prepare_pad(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::PadOptions>();
  auto state = std::make_unique<PadState>();
  state->p.in = c.input(0)->shape;
  state->p.out = c.output(0)->shape;
  for (int d = 0; d < state->p.in.rank; ++d) state->p.before[d] = o->pads()->Get(d);
  state->p.pad_value = o->pad_value();
  state->elem_size = dtype_size(c.input(0)->dtype);
  op->kernel = movement_prefix(c.input(0)->dtype) + "_pad";
  op->state = std::move(state);
  op->run = run_pad;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kPadOp = {fb::OperatorOptions::PadOptions, "Pad", verify_pad, prepare_pad};

}  // namespace rt
}  // namespace dyad
