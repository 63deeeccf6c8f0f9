// Shared helpers for the kernel unit tests: seeded random tensors, dyadic
// multipliers, the float ("golden") side of eq. 1 and eq. 6, and tolerant
// comparisons. Tests only: uses double freely.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/common/quantize_multiplier.h"

namespace dyad {
namespace golden {

// Runs a kernel whose output dtype is int8, int16 or int32 (conv, FC) into a
// buffer pre-filled with a marker, and widens the n outputs to int64.
template <typename Kernel>
std::vector<int64_t> run_widened(DType output_type, size_t n, Kernel&& kernel) {
  std::vector<int32_t> out32(n, 0x5a5a5a5a);
  std::vector<int16_t> out16(n, 0x5a5a);
  std::vector<int8_t> out8(n, 0x5a);
  void* out = output_type == DType::kInt32   ? static_cast<void*>(out32.data())
              : output_type == DType::kInt16 ? static_cast<void*>(out16.data())
                                             : static_cast<void*>(out8.data());
  kernel(out);
  std::vector<int64_t> result(n);
  for (size_t i = 0; i < n; ++i) {
    result[i] = output_type == DType::kInt32   ? out32[i]
                : output_type == DType::kInt16 ? out16[i]
                                               : out8[i];
  }
  return result;
}

inline int32_t uniform_int(std::mt19937& rng, int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
}

inline double uniform_real(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

inline std::vector<int8_t> random_int8(std::mt19937& rng, size_t n, int32_t lo = -128,
                                       int32_t hi = 127) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(uniform_int(rng, lo, hi));
  return v;
}

inline std::vector<int32_t> random_int32(std::mt19937& rng, size_t n, int32_t lo, int32_t hi) {
  std::vector<int32_t> v(n);
  for (auto& x : v) x = uniform_int(rng, lo, hi);
  return v;
}

// The real number a dyadic multiplier stands for: M0 * 2^(shift - 31).
inline double dyadic_value(int32_t multiplier, int shift) {
  return std::ldexp(static_cast<double>(multiplier), shift - 31);
}

// Dyadic form of `real`; fails the test if it is not representable.
inline DyadicMultiplier dyadic(double real) {
  DyadicMultiplier m;
  EXPECT_TRUE(quantize_multiplier(real, &m)) << "real multiplier " << real;
  return m;
}

// Float side of eq. 6: round_half_away(value) + zero_point, clamped.
inline int32_t round_and_clamp(double value, int32_t zero_point, int32_t lo, int32_t hi) {
  const double q = std::round(value) + zero_point;
  if (q < lo) return lo;
  if (q > hi) return hi;
  return static_cast<int32_t>(q);
}

// A set of per-channel (or per-tensor) dyadic multipliers in the layout of
// ChannelRequant, built from random real multipliers in [lo, hi).
struct Multipliers {
  std::vector<int32_t> m0;
  std::vector<int8_t> shift;
  double real(size_t c) const {
    const size_t i = m0.size() == 1 ? 0 : c;
    return dyadic_value(m0[i], shift[i]);
  }
};

inline Multipliers random_multipliers(std::mt19937& rng, size_t count, double lo, double hi) {
  Multipliers out;
  for (size_t i = 0; i < count; ++i) {
    // Log-uniform so small and large multipliers both occur.
    const double real = std::exp(uniform_real(rng, std::log(lo), std::log(hi)));
    const DyadicMultiplier d = dyadic(real);
    out.m0.push_back(d.multiplier);
    out.shift.push_back(static_cast<int8_t>(d.shift));
  }
  return out;
}

// Compares element by element; passes if every |actual - expected| <= tolerance.
// Reports the number of mismatches and the first few with their index.
template <typename A, typename E>
::testing::AssertionResult within(const std::vector<A>& actual, const std::vector<E>& expected,
                                  int64_t tolerance) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected " << expected.size();
  }
  std::ostringstream detail;
  size_t bad = 0;
  int64_t worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const int64_t diff = std::llabs(static_cast<int64_t>(actual[i]) - static_cast<int64_t>(expected[i]));
    if (diff > worst) worst = diff;
    if (diff > tolerance) {
      if (bad < 8) {
        detail << " [" << i << "] got " << static_cast<int64_t>(actual[i]) << " want "
               << static_cast<int64_t>(expected[i]) << ";";
      }
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << actual.size()
                                       << " elements differ by more than " << tolerance
                                       << " (worst " << worst << "):" << detail.str();
}

// Number of elements where actual and expected differ at all (to check that
// the 1-LSB tolerance is rarely used).
template <typename A, typename E>
size_t count_different(const std::vector<A>& actual, const std::vector<E>& expected) {
  size_t n = 0;
  for (size_t i = 0; i < actual.size() && i < expected.size(); ++i) {
    if (static_cast<int64_t>(actual[i]) != static_cast<int64_t>(expected[i])) ++n;
  }
  return n;
}

}  // namespace golden
}  // namespace dyad
