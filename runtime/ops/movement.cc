#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {

dyad_status expect_same_quantization(const OpCheck& c, size_t input, size_t output) {
  const TensorInfo* x = c.input(input);
  const TensorInfo* y = c.output(output);
  if (x->dtype != y->dtype) {
    return c.fail("%s: dtype %s differs from %s dtype %s", io_name(c, true, input).c_str(),
                  dtype_name(x->dtype), io_name(c, false, output).c_str(), dtype_name(y->dtype));
  }
  if (x->zero_point != y->zero_point) {
    return c.fail("%s: zero_point %d differs from %s zero_point %d (needs a Requantize)",
                  io_name(c, true, input).c_str(), x->zero_point,
                  io_name(c, false, output).c_str(), y->zero_point);
  }
  return DYAD_OK;
}

std::string movement_prefix(DType t) { return "x" + std::to_string(8 * dtype_size(t)); }

int64_t min_copy_elements_per_thread(int64_t run_bytes) {
  // Measured on BlazeFace's channel concats (runs of 12-48 bytes): parts of
  // 4 Ki elements are already faster on 2 threads than one part.
  const int64_t factor = run_bytes / 32;
  return kMinElementsPerThread * (factor < 1 ? 1 : factor > 16 ? 16 : factor);
}

}  // namespace rt
}  // namespace dyad
