// Requantize (eq. 16): change scale/zero point/dtype; quantizes uint8 camera input.
// 8-bit input has only 256 possible inputs: prepare evaluates the reference
// on each into a table (bit-exact by construction). int8 output runs the
// byte-table kernel of kernels/pool_kernels.h; int16 output (W8A16 models:
// the pixel input, a widened int8 tensor) a plain indexed load, on every path.
#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct RequantizeState : OpState {
  RequantizeParams p;
  Isa table_isa = Isa::kReference;  // kReference: ref::requantize
  uint8_t byte_table[256] = {};
  bool wide_table = false;  // 8-bit input, int16 output: wide[raw byte]
  int16_t wide[256] = {};
};

dyad_status verify_requantize(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  const TensorInfo* y = c.output(0);
  if (y->dtype != DType::kInt8 && y->dtype != DType::kInt16) {
    return c.fail("%s: dtype %s, expected INT8 or INT16", io_name(c, false, 0).c_str(),
                  dtype_name(y->dtype));
  }
  if (dyad_status s = expect_output_shape(c, 0, c.input(0)->shape)) return s;
  const auto* o = c.options<fb::RequantizeOptions>();
  if (dyad_status s = check_multiplier(c, "multiplier/shift", o->multiplier(), o->shift())) {
    return s;
  }
  return check_activation_range(c, o->act_min(), o->act_max(), y->dtype);
}

// Elementwise (eq. 16): any split of the elements is exact.
void run_requantize(const PreparedOp& op) {
  const auto& s = op.as<RequantizeState>();
  const RequantizeParams& p = s.p;
  if (s.table_isa != Isa::kReference) {
    op.parallel_for(p.count, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) {
      lut_run(s.table_isa, static_cast<const uint8_t*>(op.in[0]) + begin, end - begin,
              s.byte_table, static_cast<int8_t*>(op.out[0]) + begin);
    });
    return;
  }
  if (s.wide_table) {
    const auto* x = static_cast<const uint8_t*>(op.in[0]);
    auto* y = static_cast<int16_t*>(op.out[0]);
    op.parallel_for(p.count, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) y[i] = s.wide[x[i]];
    });
    return;
  }
  const auto in_size = static_cast<int64_t>(dtype_size(p.input_type));
  const auto out_size = static_cast<int64_t>(dtype_size(p.output_type));
  op.parallel_for(p.count, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) {
    RequantizeParams part = p;
    part.count = end - begin;
    ref::requantize(part, static_cast<const uint8_t*>(op.in[0]) + begin * in_size,
                    static_cast<uint8_t*>(op.out[0]) + begin * out_size);
  });
}

dyad_status prepare_requantize(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::RequantizeOptions>();
  auto state = std::make_unique<RequantizeState>();
  RequantizeParams& p = state->p;
  p.count = c.input(0)->shape.elements();
  p.input_type = c.input(0)->dtype;
  p.output_type = c.output(0)->dtype;
  p.input_zero_point = c.input(0)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.multiplier = o->multiplier();
  p.shift = o->shift();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  static const char* const kPrefix[] = {"qs8", "qu8", "qs16", "qs32"};
  op->kernel = std::string(kPrefix[static_cast<int>(p.input_type)]) + "_requantize";
  if (op->isa != Isa::kReference && lut_can_use(op->isa) &&
      requantize_table(p, state->byte_table)) {
    state->table_isa = op->isa;
    op->kernel += std::string("_via_") + lut_kernel_name(op->isa);
  } else if (op->isa != Isa::kReference && p.output_type == DType::kInt16 &&
             (p.input_type == DType::kInt8 || p.input_type == DType::kUInt8)) {
    // The reference on each of the 256 raw bytes.
    RequantizeParams one = p;
    one.count = 1;
    for (int b = 0; b < 256; ++b) {
      const auto byte = static_cast<uint8_t>(b);
      ref::requantize(one, &byte, &state->wide[b]);
    }
    state->wide_table = true;
    op->kernel += "__s16_table";  // portable C++: an indexed load on every path
  }
  op->state = std::move(state);
  op->run = run_requantize;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kRequantizeOp = {fb::OperatorOptions::RequantizeOptions, "Requantize",
                                       verify_requantize, prepare_requantize};

}  // namespace rt
}  // namespace dyad
