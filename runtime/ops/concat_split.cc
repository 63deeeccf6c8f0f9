// Concat along an axis, and Split (run as one slice per output).
#include <algorithm>
#include <vector>

#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct ConcatState : OpState {
  ConcatParams p;
  std::vector<Shape> input_shapes;
  size_t elem_size = 1;
  int64_t min_per_thread = 1;
};

struct SplitState : OpState {
  std::vector<SliceParams> slices;  // one per output
  std::vector<int64_t> first;       // flat index of each output's first element, then the total
  size_t elem_size = 1;
  int64_t min_per_thread = 1;
};

// `parts` all have `whole`'s rank and dims except along axis, where they sum to it.
dyad_status verify_parts(const OpCheck& c, bool parts_are_inputs, int32_t axis) {
  const TensorInfo* whole = parts_are_inputs ? c.output(0) : c.input(0);
  const size_t n = parts_are_inputs ? c.num_inputs() : c.num_outputs();
  if (axis < 0 || axis >= whole->shape.rank) {
    return c.fail("axis %d outside [0, %d)", axis, whole->shape.rank);
  }
  int64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const TensorInfo* part = parts_are_inputs ? c.input(i) : c.output(i);
    if (part == nullptr) return c.fail("%s is absent", io_name(c, parts_are_inputs, i).c_str());
    if (dyad_status s = parts_are_inputs ? expect_same_quantization(c, i, 0)
                                         : expect_same_quantization(c, 0, i)) {
      return s;
    }
    bool ok = part->shape.rank == whole->shape.rank;
    for (int d = 0; ok && d < whole->shape.rank; ++d) {
      if (d != axis && part->shape.dims[d] != whole->shape.dims[d]) ok = false;
    }
    if (!ok) {
      return c.fail("%s: shape %s does not match %s except along axis %d",
                    io_name(c, parts_are_inputs, i).c_str(), shape_string(part->shape).c_str(),
                    shape_string(whole->shape).c_str(), axis);
    }
    sum += part->shape.dims[axis];
  }
  if (sum != whole->shape.dims[axis]) {
    return c.fail("extents along axis %d sum to %lld, expected %d", axis,
                  static_cast<long long>(sum), whole->shape.dims[axis]);
  }
  return DYAD_OK;
}

dyad_status verify_concat(const OpCheck& c) {
  if (c.num_inputs() < 1) return c.fail("needs at least one input");
  if (dyad_status s = expect_io(c, c.num_inputs(), c.num_inputs(), 1)) return s;
  return verify_parts(c, true, c.options<fb::ConcatOptions>()->axis());
}

// Output elements are independent copies: split them across the session's threads.
void run_concat(const PreparedOp& op) {
  const auto& s = op.as<ConcatState>();
  op.parallel_for(s.p.out.elements(), s.min_per_thread, [&](int64_t begin, int64_t end, int) {
    ref::concat_range(s.p, op.in.data(), s.input_shapes.data(), s.elem_size, op.out[0], begin,
                      end);
  });
}

dyad_status prepare_concat(const OpCheck& c, PreparedOp* op) {
  auto state = std::make_unique<ConcatState>();
  state->p.axis = c.options<fb::ConcatOptions>()->axis();
  state->p.num_inputs = static_cast<int32_t>(c.num_inputs());
  state->p.out = c.output(0)->shape;
  for (size_t i = 0; i < c.num_inputs(); ++i) state->input_shapes.push_back(c.input(i)->shape);
  state->elem_size = dtype_size(c.output(0)->dtype);
  // Contiguous runs are each input's block per row: use their average length.
  int64_t row_elements = 1;
  for (int d = state->p.axis; d < state->p.out.rank; ++d) row_elements *= state->p.out.dims[d];
  state->min_per_thread = min_copy_elements_per_thread(
      row_elements * static_cast<int64_t>(state->elem_size) / state->p.num_inputs);
  op->kernel = movement_prefix(c.output(0)->dtype) + "_concat";
  op->state = std::move(state);
  op->run = run_concat;
  return DYAD_OK;
}

dyad_status verify_split(const OpCheck& c) {
  if (c.num_outputs() < 1) return c.fail("needs at least one output");
  if (dyad_status s = expect_io(c, 1, 1, c.num_outputs())) return s;
  return verify_parts(c, false, c.options<fb::SplitOptions>()->axis());
}

// One range over all outputs' elements (one fork/join), each part slicing
// the outputs it overlaps.
void run_split(const PreparedOp& op) {
  const auto& s = op.as<SplitState>();
  op.parallel_for(s.first.back(), s.min_per_thread, [&](int64_t begin, int64_t end, int) {
    for (size_t i = 0; i < s.slices.size(); ++i) {
      const int64_t lo = std::max(begin, s.first[i]);
      const int64_t hi = std::min(end, s.first[i + 1]);
      if (lo < hi) {
        ref::slice_range(s.slices[i], op.in[0], s.elem_size, op.out[i], lo - s.first[i],
                         hi - s.first[i]);
      }
    }
  });
}

dyad_status prepare_split(const OpCheck& c, PreparedOp* op) {
  const int32_t axis = c.options<fb::SplitOptions>()->axis();
  auto state = std::make_unique<SplitState>();
  int32_t begin = 0;
  state->first.push_back(0);
  for (size_t i = 0; i < c.num_outputs(); ++i) {
    SliceParams p;
    p.in = c.input(0)->shape;
    p.out = c.output(i)->shape;
    p.begin[axis] = begin;
    begin += p.out.dims[axis];
    state->slices.push_back(p);
    state->first.push_back(state->first.back() + p.out.elements());
  }
  state->elem_size = dtype_size(c.input(0)->dtype);
  // Each output's rows are contiguous runs (dims from axis on).
  const Shape& x = c.input(0)->shape;
  int64_t row_elements = 1;
  for (int d = axis; d < x.rank; ++d) row_elements *= x.dims[d];
  state->min_per_thread = min_copy_elements_per_thread(
      row_elements * static_cast<int64_t>(state->elem_size) /
      static_cast<int64_t>(c.num_outputs()));
  op->kernel = movement_prefix(c.input(0)->dtype) + "_split";
  op->state = std::move(state);
  op->run = run_split;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kConcatOp = {fb::OperatorOptions::ConcatOptions, "Concat", verify_concat,
                                   prepare_concat};
extern const OpKernel kSplitOp = {fb::OperatorOptions::SplitOptions, "Split", verify_split,
                                  prepare_split};

}  // namespace rt
}  // namespace dyad
