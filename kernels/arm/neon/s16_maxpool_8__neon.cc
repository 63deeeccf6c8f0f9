// MaxPool primitive on int16 elements (W8A16 models), NEON (AArch64 and
// ARMv7): dst[i] = clamp(max over n source rows, lo, hi), 8 elements per step
// (smax .8h). A tail of a row >= 8 elements is one more overlapping step
// ending at the row's end (identical values; dst never overlaps a source);
// 4..7 elements use 4-element steps the same way; fewer are scalar.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

inline void max8(const int16_t* const* rows, int32_t n, int64_t i, int16x8_t lo, int16x8_t hi,
                 int16_t* dst) {
  int16x8_t m = vld1q_s16(rows[0] + i);
  for (int32_t k = 1; k < n; ++k) m = vmaxq_s16(m, vld1q_s16(rows[k] + i));
  vst1q_s16(dst + i, vminq_s16(vmaxq_s16(m, lo), hi));
}

inline void max4(const int16_t* const* rows, int32_t n, int64_t i, int16x4_t lo, int16x4_t hi,
                 int16_t* dst) {
  int16x4_t m = vld1_s16(rows[0] + i);
  for (int32_t k = 1; k < n; ++k) m = vmax_s16(m, vld1_s16(rows[k] + i));
  vst1_s16(dst + i, vmin_s16(vmax_s16(m, lo), hi));
}

}  // namespace

void s16_maxpool_8__neon(const int16_t* const* rows, int32_t n, int64_t length, int16_t lo,
                         int16_t hi, int16_t* dst) {
  if (length >= 8) {
    const int16x8_t vlo = vdupq_n_s16(lo), vhi = vdupq_n_s16(hi);
    int64_t i = 0;
    for (; i + 8 <= length; i += 8) max8(rows, n, i, vlo, vhi, dst);
    if (i < length) max8(rows, n, length - 8, vlo, vhi, dst);
    return;
  }
  if (length >= 4) {
    const int16x4_t vlo = vdup_n_s16(lo), vhi = vdup_n_s16(hi);
    max4(rows, n, 0, vlo, vhi, dst);
    if (length > 4) max4(rows, n, length - 4, vlo, vhi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    int16_t m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace pool_isa
}  // namespace dyad
