// Offline helpers (converter and tests only): turn a real multiplier into
// dyad's dyadic form and quantize reals by the spec. They use double, so they
// must never be included by runtime/ or by kernels/**/*.cc (the no-float check
// on libdyad would catch it).
#pragma once

#include <cmath>
#include <cstdint>

namespace dyad {

struct DyadicMultiplier {
  int32_t multiplier = 0;  // M0 in [2^30, 2^31) (or 0); negative when real < 0
  int32_t shift = 0;       // real = M0 * 2^(shift - 31)
};

// Eq. 6's (M0, shift) for a real multiplier. Returns false if |real| cannot be
// represented with shift in [-31, 30] without becoming 0 (then M0 = 0, shift = 0;
// a tiny multiplier is treated as zero, which is the closest representable value).
// significant_bits < 31 rounds M0 to a multiple of 2^(31 - significant_bits)
// (15: the 16-bit Add form, BinaryKernelParams::narrow in elementwise_kernels.h).
inline bool quantize_multiplier(double real, DyadicMultiplier* out, int significant_bits = 31) {
  *out = DyadicMultiplier{};
  if (real == 0.0 || !std::isfinite(real)) return real == 0.0;
  const bool negative = real < 0;
  int exponent = 0;
  const double fraction = std::frexp(std::fabs(real), &exponent);  // [0.5, 1)
  const int drop = 31 - significant_bits;
  int64_t m0 = static_cast<int64_t>(std::llround(fraction * static_cast<double>(int64_t{1} << significant_bits)))
               << drop;
  if (m0 == (int64_t{1} << 31)) {
    m0 /= 2;
    ++exponent;
  }
  if (exponent > 30) return false;
  if (exponent < -31) {
    // Below the representable range: round to zero or to the smallest value.
    return true;
  }
  out->multiplier = static_cast<int32_t>(negative ? -m0 : m0);
  out->shift = exponent;
  return true;
}

// q = clamp(round_half_away(real / scale) + zero_point, lo, hi)  (eq. 1 inverted).
inline int32_t quantize_value(double real, double scale, int32_t zero_point, int32_t lo, int32_t hi) {
  const double q = std::round(real / scale) + zero_point;
  if (q < lo) return lo;
  if (q > hi) return hi;
  return static_cast<int32_t>(q);
}

inline double dequantize_value(int32_t q, double scale, int32_t zero_point) {
  return scale * (static_cast<double>(q) - zero_point);
}

}  // namespace dyad
