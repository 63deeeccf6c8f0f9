// Depthwise conv for the neondot path: the NEON kernel of
// kernels/arm/neon/qs8_dwconv_16c__neon.h compiled with this folder's flags
// (-march=armv8.2-a+dotprod).
#include "kernels/arm/neon/qs8_dwconv_16c__neon.h"

namespace dyad {
namespace arm {

void qs8_dwconv_16c__neondot(const DwPixel& px) { dwconv_16c(px); }

}  // namespace arm
}  // namespace dyad
