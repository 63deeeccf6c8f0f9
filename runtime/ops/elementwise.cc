// Broadcasting binary ops: Add, Sub (eq. 7-9) and Mul (eq. 10).
#include <limits>

#include "kernels/elementwise_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct AddState : OpState {
  AddParams p;
  bool subtract = false;
  bool same_shapes = false;  // no broadcasting: split flat across threads
  PreparedBinary fast;       // fast.run != null: the optimized kernel
};
struct MulState : OpState {
  MulParams p;
  bool same_shapes = false;
  PreparedBinary fast;
};

// The SIMD kernels take about a nanosecond per element: below this a
// hand-over to another thread costs more than it saves.
constexpr int64_t kMinSimdElementsPerThread = 1 << 14;

// Optimized kernels split every broadcast case over the flat output index.
void run_fast(const PreparedOp& op, const PreparedBinary& fast) {
  const auto* a = static_cast<const int8_t*>(op.in[0]);
  const auto* b = static_cast<const int8_t*>(op.in[1]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  op.parallel_for(binary_elements(fast), kMinSimdElementsPerThread,
                  [&](int64_t begin, int64_t end, int) { binary_run(fast, a, b, y, begin, end); });
}

// Without broadcasting every output element depends only on the inputs at
// its own index: run [begin, end) as a rank-1 op of that length.
template <typename Params>
Params flat_part(const Params& p, int64_t begin, int64_t end) {
  Params part = p;
  Shape flat;
  flat.rank = 1;
  flat.dims[0] = static_cast<int32_t>(end - begin);
  part.shapes.a = part.shapes.b = part.shapes.out = flat;
  return part;
}

// int8 a, b, y with y = broadcast(a, b).
dyad_status verify_binary_shapes(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 2, 2, 1)) return s;
  if (dyad_status s = expect_input_dtype(c, 0, DType::kInt8)) return s;
  if (dyad_status s = expect_input_dtype(c, 1, DType::kInt8)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  Shape out;
  if (!broadcast_shapes(c.input(0)->shape, c.input(1)->shape, &out)) {
    return c.fail("input shapes %s and %s do not broadcast",
                  shape_string(c.input(0)->shape).c_str(),
                  shape_string(c.input(1)->shape).c_str());
  }
  return expect_output_shape(c, 0, out);
}

BinaryShapes binary_shapes(const OpCheck& c) {
  BinaryShapes s;
  s.out = c.output(0)->shape;
  s.a = pad_rank(c.input(0)->shape, s.out.rank);
  s.b = pad_rank(c.input(1)->shape, s.out.rank);
  return s;
}

template <typename Options>
dyad_status verify_add_like(const OpCheck& c) {
  if (dyad_status s = verify_binary_shapes(c)) return s;
  const Options* o = c.options<Options>();
  // |q - Z| <= 255 scaled by 2^left_shift must fit int32.
  if (o->left_shift() < 0 || o->left_shift() > 22) {
    return c.fail("left_shift %d outside [0, 22]", o->left_shift());
  }
  if (dyad_status s = check_multiplier(c, "input1_multiplier/input1_shift",
                                       o->input1_multiplier(), o->input1_shift())) {
    return s;
  }
  if (dyad_status s = check_multiplier(c, "input2_multiplier/input2_shift",
                                       o->input2_multiplier(), o->input2_shift())) {
    return s;
  }
  if (dyad_status s = check_multiplier(c, "output_multiplier/output_shift",
                                       o->output_multiplier(), o->output_shift())) {
    return s;
  }
  return check_activation_range(c, o->act_min(), o->act_max(), DType::kInt8);
}

void run_add(const PreparedOp& op) {
  const auto& s = op.as<AddState>();
  if (s.fast.run != nullptr) {
    run_fast(op, s.fast);
    return;
  }
  const auto* a = static_cast<const int8_t*>(op.in[0]);
  const auto* b = static_cast<const int8_t*>(op.in[1]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  if (!s.same_shapes) {
    if (s.subtract) {
      ref::sub(s.p, a, b, y);
    } else {
      ref::add(s.p, a, b, y);
    }
    return;
  }
  op.parallel_for(s.p.shapes.out.elements(), kMinElementsPerThread,
                  [&](int64_t begin, int64_t end, int) {
                    const AddParams part = flat_part(s.p, begin, end);
                    if (s.subtract) {
                      ref::sub(part, a + begin, b + begin, y + begin);
                    } else {
                      ref::add(part, a + begin, b + begin, y + begin);
                    }
                  });
}

bool same_shapes(const BinaryShapes& s) {
  // Parts are rank-1 shapes, so the element count must fit one int32 dim.
  return same_shape(s.a, s.out) && same_shape(s.b, s.out) &&
         s.out.elements() <= std::numeric_limits<int32_t>::max();
}

template <typename Options>
dyad_status prepare_add_like(const OpCheck& c, PreparedOp* op, bool subtract) {
  const Options* o = c.options<Options>();
  auto state = std::make_unique<AddState>();
  AddParams& p = state->p;
  p.shapes = binary_shapes(c);
  p.a_zero_point = c.input(0)->zero_point;
  p.b_zero_point = c.input(1)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.left_shift = o->left_shift();
  p.a_multiplier = o->input1_multiplier();
  p.a_shift = o->input1_shift();
  p.b_multiplier = o->input2_multiplier();
  p.b_shift = o->input2_shift();
  p.output_multiplier = o->output_multiplier();
  p.output_shift = o->output_shift();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  state->subtract = subtract;
  state->same_shapes = same_shapes(p.shapes);
  const BinaryOp kind = subtract ? BinaryOp::kSub : BinaryOp::kAdd;
  if (binary_can_use(op->isa, kind, p)) state->fast = binary_prepare(op->isa, kind, p);
  op->macs = 0;
  op->kernel = state->fast.run != nullptr ? state->fast.kernel_name
                                          : (subtract ? "qs8_sub" : "qs8_add");
  op->state = std::move(state);
  op->run = run_add;
  return DYAD_OK;
}

dyad_status verify_mul(const OpCheck& c) {
  if (dyad_status s = verify_binary_shapes(c)) return s;
  const auto* o = c.options<fb::MulOptions>();
  if (dyad_status s = check_multiplier(c, "output_multiplier/output_shift",
                                       o->output_multiplier(), o->output_shift())) {
    return s;
  }
  return check_activation_range(c, o->act_min(), o->act_max(), DType::kInt8);
}

void run_mul(const PreparedOp& op) {
  const auto& s = op.as<MulState>();
  if (s.fast.run != nullptr) {
    run_fast(op, s.fast);
    return;
  }
  const auto* a = static_cast<const int8_t*>(op.in[0]);
  const auto* b = static_cast<const int8_t*>(op.in[1]);
  auto* y = static_cast<int8_t*>(op.out[0]);
  if (!s.same_shapes) {
    ref::mul(s.p, a, b, y);
    return;
  }
  op.parallel_for(s.p.shapes.out.elements(), kMinElementsPerThread,
                  [&](int64_t begin, int64_t end, int) {
                    ref::mul(flat_part(s.p, begin, end), a + begin, b + begin, y + begin);
                  });
}

dyad_status prepare_mul(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::MulOptions>();
  auto state = std::make_unique<MulState>();
  MulParams& p = state->p;
  p.shapes = binary_shapes(c);
  p.a_zero_point = c.input(0)->zero_point;
  p.b_zero_point = c.input(1)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.output_multiplier = o->output_multiplier();
  p.output_shift = o->output_shift();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  state->same_shapes = same_shapes(p.shapes);
  if (binary_can_use(op->isa, BinaryOp::kMul, p)) state->fast = binary_prepare(op->isa, p);
  op->macs = c.output(0)->shape.elements();
  op->kernel = state->fast.run != nullptr ? state->fast.kernel_name : "qs8_mul";
  op->state = std::move(state);
  op->run = run_mul;
  return DYAD_OK;
}

dyad_status verify_add(const OpCheck& c) { return verify_add_like<fb::AddOptions>(c); }
dyad_status verify_sub(const OpCheck& c) { return verify_add_like<fb::SubOptions>(c); }
dyad_status prepare_add(const OpCheck& c, PreparedOp* op) {
  return prepare_add_like<fb::AddOptions>(c, op, false);
}
dyad_status prepare_sub(const OpCheck& c, PreparedOp* op) {
  return prepare_add_like<fb::SubOptions>(c, op, true);
}

}  // namespace

extern const OpKernel kAddOp = {fb::OperatorOptions::AddOptions, "Add", verify_add, prepare_add};
extern const OpKernel kSubOp = {fb::OperatorOptions::SubOptions, "Sub", verify_sub, prepare_sub};
extern const OpKernel kMulOp = {fb::OperatorOptions::MulOptions, "Mul", verify_mul, prepare_mul};

}  // namespace rt
}  // namespace dyad
