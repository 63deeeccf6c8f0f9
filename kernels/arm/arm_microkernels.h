// Internal interface between kernels/arm/arm_gemm.cc (baseline flags) and
// the per-ISA microkernel files (their own -march flags). No inline code here,
// so no ISA-specific instruction can reach baseline code through the linker.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"

namespace dyad {
namespace arm {

// Per nr-channel block, int32[nr] arrays in this order, then the weights.
enum PackedArray : int {
  kArrayBias = 0,     // bias - Z_in * sum(w)   (eq. 2)
  kArrayMultiplier,   // M0                     (eq. 6)
  kArrayLeftShift,    // max(shift, 0)          (sqshl amount)
  kArrayNegRight,     // -max(-shift, 0)        (srshl amount)
  kNumPackedArrays
};

// mr rows (m <= mr valid) times all n channels of one group.
struct GemmStrip {
  int32_t m;                 // valid rows; rows m..mr-1 of `a` repeat row 0
  int32_t n;                 // channels of the group
  int32_t k;                 // reduction length; each a[r] has k readable elements
  const int8_t* const* a;    // mr row pointers (int16 elements for the qs16 kernel)
  const uint8_t* packed;     // first nr-channel block of the group
  size_t block_bytes;        // stride between blocks
  void* c;                   // output row 0, channel 0 of the group
  size_t c_stride;           // elements between output rows
  DType out_type;            // int8 / int16: requantized; int32: raw accumulator
  int32_t zero_point, lo, hi;
  bool weights_have_min;     // some weight is -128 (NEON mlal pairs unsafe)
};

// Defined only in builds that compile the matching file (DYAD_BUILT_*).
// Each handles every out_type with the same inner loop (the epilogue is a
// template argument inside).
void qs8_gemm_2x8c16__neon(const GemmStrip& s);      // AArch64 and ARMv7 NEON
void qs8_gemm_4x16c4__neondot(const GemmStrip& s);   // ARMv8.2 sdot
void qs8_gemm_4x16c8__i8mm(const GemmStrip& s);      // ARMv8.6 smmla
// int16 activations (zero point 0) x int16-widened weights, smlal by lane:
// every ARM path (AArch64 and ARMv7), packed as int16 [k_padded][16].
void qs16_gemm_4x16__neon(const GemmStrip& s);

}  // namespace arm
}  // namespace dyad
