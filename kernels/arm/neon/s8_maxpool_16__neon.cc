// MaxPool primitive, NEON (AArch64 and ARMv7): dst[i] = clamp(max over n
// source rows, lo, hi), 16 bytes per step (smax). A tail of a row >= 16 bytes
// is one more overlapping step ending at the row's end (identical bytes; dst
// never overlaps a source); 8..15 bytes use 8-byte steps the same way; fewer
// are scalar.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

inline void max16(const int8_t* const* rows, int32_t n, int64_t i, int8x16_t lo, int8x16_t hi,
                  int8_t* dst) {
  int8x16_t m = vld1q_s8(rows[0] + i);
  for (int32_t k = 1; k < n; ++k) m = vmaxq_s8(m, vld1q_s8(rows[k] + i));
  vst1q_s8(dst + i, vminq_s8(vmaxq_s8(m, lo), hi));
}

inline void max8(const int8_t* const* rows, int32_t n, int64_t i, int8x8_t lo, int8x8_t hi,
                 int8_t* dst) {
  int8x8_t m = vld1_s8(rows[0] + i);
  for (int32_t k = 1; k < n; ++k) m = vmax_s8(m, vld1_s8(rows[k] + i));
  vst1_s8(dst + i, vmin_s8(vmax_s8(m, lo), hi));
}

}  // namespace

void s8_maxpool_16__neon(const int8_t* const* rows, int32_t n, int64_t length, int8_t lo,
                         int8_t hi, int8_t* dst) {
  if (length >= 16) {
    const int8x16_t vlo = vdupq_n_s8(lo), vhi = vdupq_n_s8(hi);
    int64_t i = 0;
    for (; i + 16 <= length; i += 16) max16(rows, n, i, vlo, vhi, dst);
    if (i < length) max16(rows, n, length - 16, vlo, vhi, dst);
    return;
  }
  if (length >= 8) {
    const int8x8_t vlo = vdup_n_s8(lo), vhi = vdup_n_s8(hi);
    max8(rows, n, 0, vlo, vhi, dst);
    if (length > 8) max8(rows, n, length - 8, vlo, vhi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    int8_t m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace pool_isa
}  // namespace dyad
