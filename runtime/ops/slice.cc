// Slice: per axis a start and a non-zero step; the output shape gives the count.
#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct SliceState : OpState {
  SliceParams p;
  size_t elem_size = 1;
  int64_t min_per_thread = 1;
};

dyad_status verify_slice(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_same_quantization(c, 0, 0)) return s;
  const Shape& x = c.input(0)->shape;
  const Shape& y = c.output(0)->shape;
  if (y.rank != x.rank) return c.fail("output rank %d differs from input rank %d", y.rank, x.rank);
  const auto* o = c.options<fb::SliceOptions>();
  const auto* begin = o->begin();
  const auto* step = o->step();
  if (begin == nullptr || static_cast<int>(begin->size()) != x.rank) {
    return c.fail("begin: length %u, expected the rank %d", begin ? begin->size() : 0u, x.rank);
  }
  if (step == nullptr || static_cast<int>(step->size()) != x.rank) {
    return c.fail("step: length %u, expected the rank %d", step ? step->size() : 0u, x.rank);
  }
  for (int d = 0; d < x.rank; ++d) {
    const int64_t b = begin->Get(d);
    const int64_t st = step->Get(d);
    if (st == 0) return c.fail("step[%d] is 0", d);
    const int64_t last = b + (int64_t{y.dims[d]} - 1) * st;
    if (b < 0 || b >= x.dims[d] || last < 0 || last >= x.dims[d]) {
      return c.fail("begin[%d]=%lld step[%d]=%lld: %d elements run outside the input extent %d",
                    d, static_cast<long long>(b), d, static_cast<long long>(st), y.dims[d],
                    x.dims[d]);
    }
  }
  return DYAD_OK;
}

// Output elements are independent: split them across the session's threads.
void run_slice(const PreparedOp& op) {
  const auto& s = op.as<SliceState>();
  op.parallel_for(s.p.out.elements(), s.min_per_thread, [&](int64_t begin, int64_t end, int) {
    ref::slice_range(s.p, op.in[0], s.elem_size, op.out[0], begin, end);
  });
}

dyad_status prepare_slice(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::SliceOptions>();
  auto state = std::make_unique<SliceState>();
  state->p.in = c.input(0)->shape;
  state->p.out = c.output(0)->shape;
  for (int d = 0; d < state->p.in.rank; ++d) {
    state->p.begin[d] = o->begin()->Get(d);
    state->p.step[d] = o->step()->Get(d);
  }
  state->elem_size = dtype_size(c.input(0)->dtype);
  // A unit step on the last axis copies whole output rows at once.
  const SliceParams& p = state->p;
  const int64_t run = p.out.rank > 0 && p.step[p.out.rank - 1] == 1 ? p.out.dims[p.out.rank - 1] : 1;
  state->min_per_thread =
      min_copy_elements_per_thread(run * static_cast<int64_t>(state->elem_size));
  op->kernel = movement_prefix(c.input(0)->dtype) + "_slice";
  op->state = std::move(state);
  op->run = run_slice;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kSliceOp = {fb::OperatorOptions::SliceOptions, "Slice", verify_slice,
                                  prepare_slice};

}  // namespace rt
}  // namespace dyad
