// Depthwise conv for the neon path: the NEON kernel of
// kernels/arm/neon/qs8_dwconv_16c__neon.h compiled with this folder's flags
// (AArch64 -march=armv8-a, ARMv7 -mfpu=neon).
#include "kernels/arm/neon/qs8_dwconv_16c__neon.h"

namespace dyad {
namespace arm {

void qs8_dwconv_16c__neon(const DwPixel& px) { dwconv_16c(px); }

}  // namespace arm
}  // namespace dyad
