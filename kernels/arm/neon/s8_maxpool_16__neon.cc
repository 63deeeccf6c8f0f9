// MaxPool primitives, NEON (AArch64 and ARMv7): dst[i] = clamp(max over n
// source rows, lo, hi). int8 (s8_maxpool_16__neon, smax .16b) and int16 data
// (s16_maxpool_8__neon, smax .8h, W8A16 models) share one body: 16 bytes per
// step; a tail of a row of at least 8 bytes is one more overlapping step
// ending at the row's end (identical values; dst never overlaps a source)
// with the 16- or 8-byte vector; shorter rows are scalar.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

// The element type's loads, max/min and stores on 16- and 8-byte vectors.
template <typename T>
struct Lanes;
template <>
struct Lanes<int8_t> {
  using Q = int8x16_t;
  using D = int8x8_t;
  static Q loadq(const int8_t* p) { return vld1q_s8(p); }
  static D loadd(const int8_t* p) { return vld1_s8(p); }
  static Q max(Q a, Q b) { return vmaxq_s8(a, b); }
  static D max(D a, D b) { return vmax_s8(a, b); }
  static Q min(Q a, Q b) { return vminq_s8(a, b); }
  static D min(D a, D b) { return vmin_s8(a, b); }
  static Q dupq(int8_t v) { return vdupq_n_s8(v); }
  static D dupd(int8_t v) { return vdup_n_s8(v); }
  static void store(int8_t* p, Q v) { vst1q_s8(p, v); }
  static void store(int8_t* p, D v) { vst1_s8(p, v); }
};
template <>
struct Lanes<int16_t> {
  using Q = int16x8_t;
  using D = int16x4_t;
  static Q loadq(const int16_t* p) { return vld1q_s16(p); }
  static D loadd(const int16_t* p) { return vld1_s16(p); }
  static Q max(Q a, Q b) { return vmaxq_s16(a, b); }
  static D max(D a, D b) { return vmax_s16(a, b); }
  static Q min(Q a, Q b) { return vminq_s16(a, b); }
  static D min(D a, D b) { return vmin_s16(a, b); }
  static Q dupq(int16_t v) { return vdupq_n_s16(v); }
  static D dupd(int16_t v) { return vdup_n_s16(v); }
  static void store(int16_t* p, Q v) { vst1q_s16(p, v); }
  static void store(int16_t* p, D v) { vst1_s16(p, v); }
};

template <typename T, bool kQuad>
inline void max_step(const T* const* rows, int32_t n, int64_t i, T lo, T hi, T* dst) {
  using L = Lanes<T>;
  if constexpr (kQuad) {
    typename L::Q m = L::loadq(rows[0] + i);
    for (int32_t k = 1; k < n; ++k) m = L::max(m, L::loadq(rows[k] + i));
    L::store(dst + i, L::min(L::max(m, L::dupq(lo)), L::dupq(hi)));
  } else {
    typename L::D m = L::loadd(rows[0] + i);
    for (int32_t k = 1; k < n; ++k) m = L::max(m, L::loadd(rows[k] + i));
    L::store(dst + i, L::min(L::max(m, L::dupd(lo)), L::dupd(hi)));
  }
}

template <typename T>
void max_rows(const T* const* rows, int32_t n, int64_t length, T lo, T hi, T* dst) {
  constexpr int64_t kQ = 16 / sizeof(T), kD = 8 / sizeof(T);
  if (length >= kQ) {
    int64_t i = 0;
    for (; i + kQ <= length; i += kQ) max_step<T, true>(rows, n, i, lo, hi, dst);
    if (i < length) max_step<T, true>(rows, n, length - kQ, lo, hi, dst);
    return;
  }
  if (length >= kD) {
    max_step<T, false>(rows, n, 0, lo, hi, dst);
    if (length > kD) max_step<T, false>(rows, n, length - kD, lo, hi, dst);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    T m = rows[0][i];
    for (int32_t k = 1; k < n; ++k) m = rows[k][i] > m ? rows[k][i] : m;
    dst[i] = m < lo ? lo : (m > hi ? hi : m);
  }
}

}  // namespace

void s8_maxpool_16__neon(const int8_t* const* rows, int32_t n, int64_t length, int8_t lo,
                         int8_t hi, int8_t* dst) {
  max_rows(rows, n, length, lo, hi, dst);
}

void s16_maxpool_8__neon(const int16_t* const* rows, int32_t n, int64_t length, int16_t lo,
                         int16_t hi, int16_t* dst) {
  max_rows(rows, n, length, lo, hi, dst);
}

}  // namespace pool_isa
}  // namespace dyad
