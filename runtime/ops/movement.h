// Helpers of the data-movement ops (any dtype, scale preserving).
#pragma once

#include <string>

#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {

// Input i has the output's dtype and zero point (no rescaling happens).
dyad_status expect_same_quantization(const OpCheck& c, size_t input, size_t output);
// "x8", "x16", "x32": kernel name prefix by element size.
std::string movement_prefix(DType t);
// Output elements per thread below which a copy stays on one thread. Copies
// in long contiguous runs (memcpy speed) need more elements to pay for a
// fork/join than element-by-element ones. Only the number of parts depends
// on it, never the bytes.
int64_t min_copy_elements_per_thread(int64_t run_bytes);

}  // namespace rt
}  // namespace dyad
