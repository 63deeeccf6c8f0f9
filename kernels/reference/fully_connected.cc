// Reference FullyConnected: eq. 2 (int32 accumulator with zero-point
// expansion and bias), eq. 6 (per-channel or per-tensor requantization),
// then the clamp. x [rows, K] (int8, or int16 with zero point 0) times
// weights [N, K]^T plus bias [N].
#include <cstdint>

#include "kernels/reference/ref_util.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

template <typename T>
void fully_connected_typed(const FullyConnectedParams& p, const T* input, const int8_t* weights,
                           const int32_t* bias, void* output) {
  for (int32_t r = 0; r < p.rows; ++r) {
    const T* x = input + int64_t{r} * p.k;
    for (int32_t n = 0; n < p.n; ++n) {
      const int8_t* w = weights + int64_t{n} * p.k;
      int64_t acc = bias != nullptr ? bias[n] : 0;  // int64: no UB even if unverified
      for (int32_t k = 0; k < p.k; ++k) {
        acc += (int64_t{x[k]} - p.input_zero_point) * w[k];
      }
      store_accumulator(p.output_type, p.requant, n, p.output_zero_point, p.act_min, p.act_max,
                        saturate_to_i32(acc), output, int64_t{r} * p.n + n);
    }
  }
}

}  // namespace

void fully_connected(const FullyConnectedParams& p, const void* input, const int8_t* weights,
                     const int32_t* bias, void* output) {
  if (p.input_type == DType::kInt16) {
    fully_connected_typed(p, static_cast<const int16_t*>(input), weights, bias, output);
  } else {
    fully_connected_typed(p, static_cast<const int8_t*>(input), weights, bias, output);
  }
}

}  // namespace ref
}  // namespace dyad
