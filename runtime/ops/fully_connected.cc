// FullyConnected: x [..., K] x weights [N, K]^T + bias [N] -> [..., N].
#include <algorithm>
#include <string>

#include "kernels/conv_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct FullyConnectedState : OpState {
  FullyConnectedParams p;
  // The model's shared packed weights when an optimized kernel runs it.
  std::shared_ptr<const PackedFullyConnected> packed;
};

// Kernel-name infix for the output type (docs/kernels.md): int8 none,
// "_i16out" / "_i32out" otherwise, e.g. "qs8_conv2d_i16out__avx2".
const char* output_type_suffix(DType t) {
  return t == DType::kInt16 ? "_i16out" : t == DType::kInt32 ? "_i32out" : "";
}

dyad_status verify_fc(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 2, 3, 1)) return s;
  const auto* o = c.options<fb::FullyConnectedOptions>();
  const TensorInfo* x = c.input(0);
  const TensorInfo* w = c.input(1);
  const TensorInfo* b = c.input(2);
  const TensorInfo* y = c.output(0);
  // x: INT8 (any zero point) or INT16 with zero point 0 (reference kernel).
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_input_dtype(c, 1, DType::kInt8)) return s;
  if (dyad_status s = expect_input_dtype(c, 2, DType::kInt32)) return s;
  if (dyad_status s = expect_input_rank(c, 1, 2)) return s;
  if (dyad_status s = expect_input_rank(c, 2, 1)) return s;
  if (dyad_status s = expect_input_constant(c, 1)) return s;
  if (dyad_status s = expect_input_constant(c, 2)) return s;
  if (x->shape.rank < 1) return c.fail("%s: rank 0, expected >= 1", io_name(c, true, 0).c_str());
  if (y->dtype != DType::kInt8 && y->dtype != DType::kInt16 && y->dtype != DType::kInt32) {
    return c.fail("%s: dtype %s, expected INT8, INT16 or INT32", io_name(c, false, 0).c_str(),
                  dtype_name(y->dtype));
  }
  if (w->zero_point != 0) {
    return c.fail("%s: weights zero_point %d, must be 0 (symmetric)", io_name(c, true, 1).c_str(),
                  w->zero_point);
  }
  const int32_t k = x->shape.dims[x->shape.rank - 1];
  const int32_t n = w->shape.dims[0];
  if (w->shape.dims[1] != k) {
    return c.fail("%s: weights shape %s, expected [N, %d] (inner dim K of the input)",
                  io_name(c, true, 1).c_str(), shape_string(w->shape).c_str(), k);
  }
  if (b != nullptr && b->shape.dims[0] != n) {
    return c.fail("%s: bias length %d, expected %d", io_name(c, true, 2).c_str(),
                  b->shape.dims[0], n);
  }
  Shape expected = x->shape;
  expected.dims[expected.rank - 1] = n;
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  if (y->dtype != DType::kInt32) {
    if (dyad_status s =
            check_channel_requant(c, "multiplier", "shift", o->multiplier(), o->shift(), n)) {
      return s;
    }
    if (dyad_status s = check_activation_range(c, o->act_min(), o->act_max(), y->dtype)) return s;
  }
  return DYAD_OK;
}

// Rows are independent (each is one x row times the weights), so any split
// of [0, rows) gives the same bytes.
void run_fc(const PreparedOp& op) {
  const auto& s = op.as<FullyConnectedState>();
  const void* x = op.in[0];  // int8 or int16 (p.input_type)
  const int64_t row_macs = std::max<int64_t>(1, int64_t{s.p.n} * s.p.k);
  if (s.packed != nullptr) {
    void* y = op.out[0];  // int8, int16 or int32 elements (p.output_type)
    op.parallel_for(s.p.rows, kMinPackedMacsPerThread / row_macs + 1,
                    [&](int64_t begin, int64_t end, int t) {
                      fully_connected_run(*s.packed, s.p, x, y, op.thread_scratch(t), begin,
                                          end);
                    });
    return;
  }
  const auto* w = static_cast<const int8_t*>(op.in[1]);
  const auto* b = op.in.size() > 2 ? static_cast<const int32_t*>(op.in[2]) : nullptr;
  const int64_t out_row = int64_t{s.p.n} * static_cast<int64_t>(dtype_size(s.p.output_type));
  const int64_t in_row = int64_t{s.p.k} * static_cast<int64_t>(dtype_size(s.p.input_type));
  op.parallel_for(s.p.rows, kMinMacsPerThread / row_macs + 1,
                  [&](int64_t begin, int64_t end, int) {
                    FullyConnectedParams part = s.p;
                    part.rows = static_cast<int32_t>(end - begin);
                    ref::fully_connected(part, static_cast<const uint8_t*>(x) + begin * in_row, w, b,
                                         static_cast<uint8_t*>(op.out[0]) + begin * out_row);
                  });
}

dyad_status prepare_fc(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::FullyConnectedOptions>();
  const TensorInfo* x = c.input(0);
  const TensorInfo* y = c.output(0);
  auto state = std::make_unique<FullyConnectedState>();
  FullyConnectedParams& p = state->p;
  p.k = x->shape.dims[x->shape.rank - 1];
  p.n = c.input(1)->shape.dims[0];
  p.rows = static_cast<int32_t>(x->shape.elements() / p.k);
  p.input_zero_point = x->zero_point;
  p.output_zero_point = y->zero_point;
  p.input_type = x->dtype;
  p.output_type = y->dtype;
  if (y->dtype != DType::kInt32) {
    p.requant = channel_requant(o->multiplier(), o->shift());
    p.act_min = o->act_min();
    p.act_max = o->act_max();
  }
  op->macs = int64_t{p.rows} * p.n * p.k;
  op->kernel = std::string(quantized_prefix(p.input_type)) + "_fully_connected" +
               output_type_suffix(p.output_type);
  if (op->isa != Isa::kReference && fully_connected_can_use(op->isa, p)) {
    const TensorInfo* b = c.input(2);
    // Packed once per (model, ISA): later sessions share the first one's copy.
    state->packed = shared_packed_weights(c.model(), c.index(), op->isa, [&] {
      return fully_connected_pack(
          op->isa, p, reinterpret_cast<const int8_t*>(c.input(1)->constant),
          b != nullptr ? reinterpret_cast<const int32_t*>(b->constant) : nullptr);
    });
    if (state->packed != nullptr) {
      op->scratch_bytes = fully_connected_scratch_bytes(*state->packed);
      // The packed kernel's path: kAvx2 for an int16 input in a VNNI session.
      op->kernel = op->kernel + "__" + isa_name(state->packed->isa);
    }
  }
  op->state = std::move(state);
  op->run = run_fc;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kFullyConnectedOp = {fb::OperatorOptions::FullyConnectedOptions,
                                           "FullyConnected", verify_fc, prepare_fc};

}  // namespace rt
}  // namespace dyad
