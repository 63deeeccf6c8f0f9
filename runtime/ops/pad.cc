// Pad with a constant (in the input's integer domain); pads in ONNX order.
#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct PadState : OpState {
  PadParams p;
  size_t elem_size = 1;
  int64_t min_per_thread = 1;
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

// Output elements are independent: split them across the session's threads.
void run_pad(const PreparedOp& op) {
  const auto& s = op.as<PadState>();
  op.parallel_for(s.p.out.elements(), s.min_per_thread, [&](int64_t begin, int64_t end, int) {
    ref::pad_range(s.p, op.in[0], s.elem_size, op.out[0], begin, end);
  });
}

dyad_status prepare_pad(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::PadOptions>();
  auto state = std::make_unique<PadState>();
  state->p.in = c.input(0)->shape;
  state->p.out = c.output(0)->shape;
  for (int d = 0; d < state->p.in.rank; ++d) state->p.before[d] = o->pads()->Get(d);
  state->p.pad_value = o->pad_value();
  state->elem_size = dtype_size(c.input(0)->dtype);
  // Runs: the input's dims from the last padded one on (one memcpy, one fill each).
  const PadParams& p = state->p;
  int last_padded = 0;
  for (int d = 0; d < p.in.rank; ++d) {
    if (p.in.dims[d] != p.out.dims[d]) last_padded = d;
  }
  int64_t run = 1;
  for (int d = last_padded; d < p.in.rank; ++d) run *= p.in.dims[d];
  state->min_per_thread =
      min_copy_elements_per_thread(run * static_cast<int64_t>(state->elem_size));
  op->kernel = movement_prefix(c.input(0)->dtype) + "_pad";
  op->state = std::move(state);
  op->run = run_pad;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kPadOp = {fb::OperatorOptions::PadOptions, "Pad", verify_pad, prepare_pad};

}  // namespace rt
}  // namespace dyad
