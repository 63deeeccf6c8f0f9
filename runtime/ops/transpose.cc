// Transpose: out.dims[i] = in.dims[perm[i]].
#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct TransposeState : OpState {
  TransposeParams p;
  size_t elem_size = 1;
  int64_t min_per_thread = 1;
};

dyad_status verify_transpose(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_same_quantization(c, 0, 0)) return s;
  const Shape& x = c.input(0)->shape;
  const auto* perm = c.options<fb::TransposeOptions>()->perm();
  if (perm == nullptr || static_cast<int>(perm->size()) != x.rank) {
    return c.fail("perm: length %u, expected the rank %d", perm ? perm->size() : 0u, x.rank);
  }
  bool seen[kMaxRank] = {false, false, false, false, false, false};
  Shape expected;
  expected.rank = x.rank;
  for (int i = 0; i < x.rank; ++i) {
    const int32_t p = perm->Get(i);
    if (p < 0 || p >= x.rank || seen[p]) {
      return c.fail("perm[%d] = %d: perm is not a permutation of [0, %d)", i, p, x.rank);
    }
    seen[p] = true;
    expected.dims[i] = x.dims[p];
  }
  return expect_output_shape(c, 0, expected);
}

// Output elements are independent: split them across the session's threads.
void run_transpose(const PreparedOp& op) {
  const auto& s = op.as<TransposeState>();
  op.parallel_for(s.p.in.elements(), s.min_per_thread, [&](int64_t begin, int64_t end, int) {
    ref::transpose_range(s.p, op.in[0], s.elem_size, op.out[0], begin, end);
  });
}

dyad_status prepare_transpose(const OpCheck& c, PreparedOp* op) {
  const auto* perm = c.options<fb::TransposeOptions>()->perm();
  auto state = std::make_unique<TransposeState>();
  state->p.in = c.input(0)->shape;
  for (int i = 0; i < state->p.in.rank; ++i) state->p.perm[i] = perm->Get(i);
  state->elem_size = dtype_size(c.input(0)->dtype);
  // A kept last axis copies whole output rows at once.
  const TransposeParams& p = state->p;
  const int last = p.in.rank - 1;
  const int64_t run = last >= 0 && p.perm[last] == last ? p.in.dims[last] : 1;
  state->min_per_thread =
      min_copy_elements_per_thread(run * static_cast<int64_t>(state->elem_size));
  op->kernel = movement_prefix(c.input(0)->dtype) + "_transpose";
  op->state = std::move(state);
  op->run = run_transpose;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kTransposeOp = {fb::OperatorOptions::TransposeOptions, "Transpose",
                                      verify_transpose, prepare_transpose};

}  // namespace rt
}  // namespace dyad
