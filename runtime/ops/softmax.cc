// Softmax over the last axis (eq. 14 / 14b), exp table built by the converter.
#include <algorithm>

#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct SoftmaxState : OpState {
  SoftmaxParams p;
};

constexpr int32_t kExpOne = 1 << 23;  // exp(0) in the table's 2^23 fixed point

// int8 in and out (eq. 14: output scale 1/256, Z = -128, 256 table entries)
// or int16 in and out (eq. 14b: Z = 0 both, output scale 1/32768, two
// 256-entry tables, fine then coarse, in one 512-entry array).
dyad_status verify_softmax(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  const TensorInfo* x = c.input(0);
  const bool int16 = x->dtype == DType::kInt16;
  const DType type = int16 ? DType::kInt16 : DType::kInt8;
  if (dyad_status s = expect_input_dtype(c, 0, type)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, type)) return s;
  if (x->shape.rank < 1) return c.fail("%s: rank 0, expected >= 1", io_name(c, true, 0).c_str());
  if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
  const int32_t out_zero_point = int16 ? 0 : -128;
  if (c.output(0)->zero_point != out_zero_point) {
    return c.fail("%s: zero_point %d, softmax output must have zero_point %d (scale %s)",
                  io_name(c, false, 0).c_str(), c.output(0)->zero_point, out_zero_point,
                  int16 ? "1/32768" : "1/256");
  }
  if (int16 && x->zero_point != 0) {
    return c.fail("%s: zero_point %d, an int16 softmax input must have zero_point 0",
                  io_name(c, true, 0).c_str(), x->zero_point);
  }
  const uint32_t entries = int16 ? 512 : 256;
  const auto* table = c.options<fb::SoftmaxOptions>()->exp_table();
  if (table == nullptr || table->size() != entries) {
    return c.fail("exp_table: length %u, expected %u for %s input", table ? table->size() : 0u,
                  entries, int16 ? "an int16" : "an int8");
  }
  // The row maximum contributes exp(0) = 2^23, so the sum is never 0.
  if (table->Get(0) != kExpOne) return c.fail("exp_table[0] = %d, expected 2^23", table->Get(0));
  if (int16 && table->Get(256) != kExpOne) {
    return c.fail("exp_table[256] = %d, expected 2^23", table->Get(256));
  }
  for (uint32_t i = 1; i < entries; ++i) {
    if (table->Get(i) < 0 || table->Get(i) > kExpOne) {
      return c.fail("exp_table[%u] = %d outside [0, 2^23]", i, table->Get(i));
    }
  }
  return DYAD_OK;
}

// Rows are independent: split them across the session's threads.
void run_softmax(const PreparedOp& op) {
  const SoftmaxParams& p = op.as<SoftmaxState>().p;
  op.parallel_for(p.rows, kMinElementsPerThread / std::max<int64_t>(1, p.cols) + 1,
                  [&](int64_t begin, int64_t end, int) {
                    ref::softmax_rows(p, static_cast<const int8_t*>(op.in[0]),
                                      static_cast<int8_t*>(op.out[0]), begin, end);
                  });
}
void run_softmax_s16(const PreparedOp& op) {
  const SoftmaxParams& p = op.as<SoftmaxState>().p;
  op.parallel_for(p.rows, kMinElementsPerThread / std::max<int64_t>(1, p.cols) + 1,
                  [&](int64_t begin, int64_t end, int) {
                    ref::softmax_s16_rows(p, static_cast<const int16_t*>(op.in[0]),
                                          static_cast<int16_t*>(op.out[0]), begin, end);
                  });
}

dyad_status prepare_softmax(const OpCheck& c, PreparedOp* op) {
  auto state = std::make_unique<SoftmaxState>();
  const Shape& x = c.input(0)->shape;
  const bool int16 = c.input(0)->dtype == DType::kInt16;
  state->p.cols = x.dims[x.rank - 1];
  state->p.rows = static_cast<int32_t>(x.elements() / state->p.cols);
  state->p.exp_table = c.options<fb::SoftmaxOptions>()->exp_table()->data();
  state->p.input_zero_point = c.input(0)->zero_point;
  op->macs = x.elements();
  op->kernel = int16 ? "qs16_softmax" : "qs8_softmax";
  op->state = std::move(state);
  op->run = int16 ? run_softmax_s16 : run_softmax;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kSoftmaxOp = {fb::OperatorOptions::SoftmaxOptions, "Softmax",
                                    verify_softmax, prepare_softmax};

}  // namespace rt
}  // namespace dyad
