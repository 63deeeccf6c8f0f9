// Lut: 256-entry int8 table for nonlinear unary ops (eq. 13), or for int16
// input and output 513 interpolated samples (eq. 13b; AVX2 on x86 paths).
// The optimized kernel (kernels/pool_kernels.h) indexes by the raw byte: int8
// input gets the table rotated by 128 at prepare.
#include <cstring>

#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct LutState : OpState {
  const int8_t* table = nullptr;
  const int16_t* table16 = nullptr;  // int16 input: eq. 13b
  Isa isa16 = Isa::kReference;       // its kernel (kReference: ref::lut_s16)
  int64_t count = 0;
  bool unsigned_input = false;
  Isa isa = Isa::kReference;  // kReference: ref::lut_*
  uint8_t byte_table[256] = {};
};

dyad_status verify_lut(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  const TensorInfo* x = c.input(0);
  if (x->dtype == DType::kInt16) {
    if (dyad_status s = expect_output_dtype(c, 0, DType::kInt16)) return s;
    if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
    if (x->zero_point != 0 || c.output(0)->zero_point != 0) {
      return c.fail("int16 input and output need zero_point 0, got %d and %d", x->zero_point,
                    c.output(0)->zero_point);
    }
    const auto* table16 = c.options<fb::LutOptions>()->table16();
    if (table16 == nullptr || table16->size() != 513) {
      return c.fail("table16: length %u, expected 513 (int16 input)", table16 ? table16->size() : 0u);
    }
    return DYAD_OK;
  }
  if (x->dtype != DType::kInt8 && x->dtype != DType::kUInt8) {
    return c.fail("%s: dtype %s, expected INT8, UINT8 or INT16", io_name(c, true, 0).c_str(),
                  dtype_name(x->dtype));
  }
  if (dyad_status s = expect_output_dtype(c, 0, DType::kInt8)) return s;
  if (dyad_status s = expect_output_shape(c, 0, x->shape)) return s;
  const auto* table = c.options<fb::LutOptions>()->table();
  if (table == nullptr || table->size() != 256) {
    return c.fail("table: length %u, expected 256", table ? table->size() : 0u);
  }
  return DYAD_OK;
}

void run_lut(const PreparedOp& op) {
  const auto& s = op.as<LutState>();
  if (s.table16 != nullptr) {
    const auto* x = static_cast<const int16_t*>(op.in[0]);
    auto* y = static_cast<int16_t*>(op.out[0]);
    op.parallel_for(s.count, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) {
      if (s.isa16 != Isa::kReference) {
        lut16_run(s.isa16, x + begin, end - begin, s.table16, y + begin);
      } else {
        ref::lut_s16(x + begin, end - begin, s.table16, y + begin);
      }
    });
    return;
  }
  auto* y = static_cast<int8_t*>(op.out[0]);
  // One table look-up per element: any split of the elements is exact.
  op.parallel_for(s.count, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) {
    if (s.isa != Isa::kReference) {
      lut_run(s.isa, static_cast<const uint8_t*>(op.in[0]) + begin, end - begin, s.byte_table,
              y + begin);
    } else if (s.unsigned_input) {
      ref::lut_u8(static_cast<const uint8_t*>(op.in[0]) + begin, end - begin, s.table, y + begin);
    } else {
      ref::lut_s8(static_cast<const int8_t*>(op.in[0]) + begin, end - begin, s.table, y + begin);
    }
  });
}

dyad_status prepare_lut(const OpCheck& c, PreparedOp* op) {
  auto state = std::make_unique<LutState>();
  state->count = c.input(0)->shape.elements();
  if (c.input(0)->dtype == DType::kInt16) {
    // Flatbuffers vectors of short are little-endian int16, 2-byte aligned.
    state->table16 = c.options<fb::LutOptions>()->table16()->data();
    op->kernel = "s16_lut";
    if (op->isa != Isa::kReference && lut16_can_use(op->isa)) {
      state->isa16 = op->isa;
      op->kernel = lut16_kernel_name(op->isa);
    }
    op->state = std::move(state);
    op->run = run_lut;
    return DYAD_OK;
  }
  state->table = c.options<fb::LutOptions>()->table()->data();
  state->unsigned_input = c.input(0)->dtype == DType::kUInt8;
  op->kernel = state->unsigned_input ? "u8_lut" : "s8_lut";
  if (op->isa != Isa::kReference && lut_can_use(op->isa)) {
    state->isa = op->isa;
    if (state->unsigned_input) {
      std::memcpy(state->byte_table, state->table, 256);
    } else {
      lut_table_for_s8(state->table, state->byte_table);
    }
    op->kernel = lut_kernel_name(op->isa);
  }
  op->state = std::move(state);
  op->run = run_lut;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kLutOp = {fb::OperatorOptions::LutOptions, "Lut", verify_lut, prepare_lut};

}  // namespace rt
}  // namespace dyad
