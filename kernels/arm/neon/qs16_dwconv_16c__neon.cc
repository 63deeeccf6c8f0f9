// Depthwise conv with int16 inputs (W8A16, zero point 0) for every ARM path:
// the NEON kernel of qs8_dwconv_16c__neon.h with int16 loads (two 8-lane
// loads per tap, no widening) and an int16 or int8 output. Compiled with
// this folder's flags (AArch64 -march=armv8-a, ARMv7 -mfpu=neon).
#include "kernels/arm/neon/qs8_dwconv_16c__neon.h"

namespace dyad {
namespace arm {

void qs16_dwconv_16c__neon(const DwPixel& px) {
  if (px.out_type == DType::kInt16) {
    dwconv_16c<int16_t, int16_t>(px);
  } else {
    dwconv_16c<int16_t, int8_t>(px);
  }
}

}  // namespace arm
}  // namespace dyad
