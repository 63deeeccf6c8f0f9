// Broadcasting binary ops: Add, Sub (eq. 7-9) and Mul (eq. 10). Each of a, b
// and the output is int8 or int16 (zero point 0); the optimized kernels take
// all-int8 ops and (x86) all-int16 ops (binary_can_use), mixed ones run on the
// reference kernels.
#include <limits>
#include <string>

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
// a, b and y are all int8 or all int16 (binary_can_use); binary_run reads the
// element type from `fast`.
void run_fast(const PreparedOp& op, const PreparedBinary& fast) {
  const void* a = op.in[0];
  const void* b = op.in[1];
  void* y = op.out[0];
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

// a, b, y each INT8 or INT16 (zero point 0), with y = broadcast(a, b).
dyad_status verify_binary_shapes(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 2, 2, 1)) return s;
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_input_int8_or_int16(c, 1)) return s;
  if (dyad_status s = expect_output_int8_or_int16(c, 0)) return s;
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
  // |q - Z| scaled by 2^left_shift must fit int32: |q - Z| <= 255 for int8
  // (L <= 22), |q| <= 2^15 for int16 (L <= 15).
  const bool int16_input =
      c.input(0)->dtype == DType::kInt16 || c.input(1)->dtype == DType::kInt16;
  const int32_t max_left_shift = int16_input ? 15 : 22;
  if (o->left_shift() < 0 || o->left_shift() > max_left_shift) {
    if (int16_input) {
      const size_t i = c.input(0)->dtype == DType::kInt16 ? 0 : 1;
      return c.fail("left_shift %d outside [0, 15] (the maximum with an INT16 input, %s)",
                    o->left_shift(), io_name(c, true, i).c_str());
    }
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
  return check_activation_range(c, o->act_min(), o->act_max(), c.output(0)->dtype);
}

// Byte offset of element `index` of an int8 / int16 tensor.
template <typename P>
P* at(P* base, DType type, int64_t index) {
  return base + index * static_cast<int64_t>(dtype_size(type));
}

void run_add(const PreparedOp& op) {
  const auto& s = op.as<AddState>();
  if (s.fast.run != nullptr) {
    run_fast(op, s.fast);
    return;
  }
  const auto* a = static_cast<const uint8_t*>(op.in[0]);
  const auto* b = static_cast<const uint8_t*>(op.in[1]);
  auto* y = static_cast<uint8_t*>(op.out[0]);
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
                    const uint8_t* pa = at(a, s.p.a_type, begin);
                    const uint8_t* pb = at(b, s.p.b_type, begin);
                    uint8_t* py = at(y, s.p.output_type, begin);
                    if (s.subtract) {
                      ref::sub(part, pa, pb, py);
                    } else {
                      ref::add(part, pa, pb, py);
                    }
                  });
}

// kInt16 if any of a, b and the output is int16 (the kernel-name prefix).
template <typename Params>
DType widest(const Params& p) {
  return p.a_type == DType::kInt16 || p.b_type == DType::kInt16 ||
                 p.output_type == DType::kInt16
             ? DType::kInt16
             : DType::kInt8;
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
  p.a_type = c.input(0)->dtype;
  p.b_type = c.input(1)->dtype;
  p.output_type = c.output(0)->dtype;
  state->subtract = subtract;
  state->same_shapes = same_shapes(p.shapes);
  const BinaryOp kind = subtract ? BinaryOp::kSub : BinaryOp::kAdd;
  if (binary_can_use(op->isa, kind, p)) state->fast = binary_prepare(op->isa, kind, p);
  op->macs = 0;
  // Reference kernel: "qs16_add" when any operand is int16.
  op->kernel = state->fast.run != nullptr
                   ? state->fast.kernel_name
                   : std::string(quantized_prefix(widest(p))) + (subtract ? "_sub" : "_add");
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
  return check_activation_range(c, o->act_min(), o->act_max(), c.output(0)->dtype);
}

void run_mul(const PreparedOp& op) {
  const auto& s = op.as<MulState>();
  if (s.fast.run != nullptr) {
    run_fast(op, s.fast);
    return;
  }
  const auto* a = static_cast<const uint8_t*>(op.in[0]);
  const auto* b = static_cast<const uint8_t*>(op.in[1]);
  auto* y = static_cast<uint8_t*>(op.out[0]);
  if (!s.same_shapes) {
    ref::mul(s.p, a, b, y);
    return;
  }
  op.parallel_for(s.p.shapes.out.elements(), kMinElementsPerThread,
                  [&](int64_t begin, int64_t end, int) {
                    ref::mul(flat_part(s.p, begin, end), at(a, s.p.a_type, begin),
                             at(b, s.p.b_type, begin), at(y, s.p.output_type, begin));
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
  p.a_type = c.input(0)->dtype;
  p.b_type = c.input(1)->dtype;
  p.output_type = c.output(0)->dtype;
  state->same_shapes = same_shapes(p.shapes);
  if (binary_can_use(op->isa, BinaryOp::kMul, p)) state->fast = binary_prepare(op->isa, p);
  op->macs = c.output(0)->shape.elements();
  op->kernel = state->fast.run != nullptr ? state->fast.kernel_name
                                          : std::string(quantized_prefix(widest(p))) + "_mul";
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
