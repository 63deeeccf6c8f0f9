// Reshape: same bytes, new shape. Run as a copy (the planner does not alias).
#include <cstring>

#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct ReshapeState : OpState {
  size_t bytes = 0;
};

dyad_status verify_reshape(const OpCheck& c) {
  // An ONNX-style second input (the target shape) is allowed and ignored.
  if (dyad_status s = expect_io(c, 1, 2, 1)) return s;
  if (dyad_status s = expect_same_quantization(c, 0, 0)) return s;
  if (c.input(0)->shape.elements() != c.output(0)->shape.elements()) {
    return c.fail("input shape %s and output shape %s have different element counts",
                  shape_string(c.input(0)->shape).c_str(),
                  shape_string(c.output(0)->shape).c_str());
  }
  return DYAD_OK;
}

// One contiguous copy: split its bytes across the session's threads.
void run_reshape(const PreparedOp& op) {
  const auto* in = static_cast<const uint8_t*>(op.in[0]);
  auto* out = static_cast<uint8_t*>(op.out[0]);
  op.parallel_for(static_cast<int64_t>(op.as<ReshapeState>().bytes),
                  min_copy_elements_per_thread(int64_t{1} << 30),
                  [&](int64_t begin, int64_t end, int) {
                    std::memcpy(out + begin, in + begin, static_cast<size_t>(end - begin));
                  });
}

dyad_status prepare_reshape(const OpCheck& c, PreparedOp* op) {
  auto state = std::make_unique<ReshapeState>();
  state->bytes = static_cast<size_t>(c.output(0)->bytes);
  op->kernel = movement_prefix(c.output(0)->dtype) + "_copy";
  op->state = std::move(state);
  op->run = run_reshape;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kReshapeOp = {fb::OperatorOptions::ReshapeOptions, "Reshape",
                                    verify_reshape, prepare_reshape};

}  // namespace rt
}  // namespace dyad
