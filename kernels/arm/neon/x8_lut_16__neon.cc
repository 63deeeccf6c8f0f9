// 256-entry byte table, NEON: out[i] = table[in[i]], 16 bytes per step.
// AArch64: tbl over the first 64 entries, then tbx (which leaves lanes with an
// out-of-range index unchanged) over each further 64 with index - 64k.
// ARMv7: the same with vtbl4/vtbx4 over 32-entry tables, 8 bytes at a time.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

#if defined(__aarch64__)
struct Tables {
  uint8x16x4_t t[4];
  explicit Tables(const uint8_t* table) {
    for (int k = 0; k < 4; ++k) t[k] = vld1q_u8_x4(table + 64 * k);
  }
};

inline uint8x16_t lookup16(const Tables& tb, uint8x16_t x) {
  const uint8x16_t step = vdupq_n_u8(64);
  uint8x16_t y = vqtbl4q_u8(tb.t[0], x);
  x = vsubq_u8(x, step);
  y = vqtbx4q_u8(y, tb.t[1], x);
  x = vsubq_u8(x, step);
  y = vqtbx4q_u8(y, tb.t[2], x);
  x = vsubq_u8(x, step);
  return vqtbx4q_u8(y, tb.t[3], x);
}
#else
struct Tables {
  uint8x8x4_t t[8];
  explicit Tables(const uint8_t* table) {
    for (int k = 0; k < 8; ++k) {
      for (int j = 0; j < 4; ++j) t[k].val[j] = vld1_u8(table + 32 * k + 8 * j);
    }
  }
};

inline uint8x8_t lookup8(const Tables& tb, uint8x8_t x) {
  const uint8x8_t step = vdup_n_u8(32);
  uint8x8_t y = vtbl4_u8(tb.t[0], x);
  for (int k = 1; k < 8; ++k) {
    x = vsub_u8(x, step);
    y = vtbx4_u8(y, tb.t[k], x);
  }
  return y;
}

inline uint8x16_t lookup16(const Tables& tb, uint8x16_t x) {
  return vcombine_u8(lookup8(tb, vget_low_u8(x)), lookup8(tb, vget_high_u8(x)));
}
#endif

}  // namespace

void x8_lut_16__neon(const uint8_t* input, int64_t count, const uint8_t* table, int8_t* output) {
  const Tables tb(table);
  auto* out = reinterpret_cast<uint8_t*>(output);
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) vst1q_u8(out + i, lookup16(tb, vld1q_u8(input + i)));
  if (i == count) return;
  uint8_t tmp[16] = {};
  const auto rest = static_cast<size_t>(count - i);
  std::memcpy(tmp, input + i, rest);
  vst1q_u8(tmp, lookup16(tb, vld1q_u8(tmp)));
  std::memcpy(out + i, tmp, rest);
}

}  // namespace pool_isa
}  // namespace dyad
