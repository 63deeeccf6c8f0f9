// kernels/common/fixed_point.h (eq. 4, 5, 6) against gemmlowp's fixedpoint.h,
// the independent oracle, on edge values and >= 10^6 random inputs, exact.
// Also the offline helpers of quantize_multiplier.h.
#include "kernels/common/fixed_point.h"

#include <gemmlowp/fixedpoint/fixedpoint.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "kernels/common/quantize_multiplier.h"

namespace dyad {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int kRandomCount = 1000000;

// INT32_MIN/MAX (and neighbours), 0, +-1, and +-2^k, +-2^k +- 1 for every k.
std::vector<int32_t> edge_values() {
  std::vector<int64_t> wide = {kMin, int64_t{kMin} + 1, kMax, int64_t{kMax} - 1, 0, 1, -1};
  for (int k = 1; k <= 31; ++k) {
    const int64_t p = int64_t{1} << k;
    for (int64_t v : {p, p - 1, p + 1, -p, -p + 1, -p - 1}) wide.push_back(v);
  }
  std::vector<int32_t> out;
  for (int64_t v : wide) {
    if (v >= kMin && v <= kMax) out.push_back(static_cast<int32_t>(v));
  }
  return out;
}

// gemmlowp's saturating left shift takes its exponent as a template argument:
// a table of its 32 instantiations.
using ShiftFn = int32_t (*)(int32_t);
template <size_t... E>
std::vector<ShiftFn> make_left_shift_table(std::index_sequence<E...>) {
  return {&gemmlowp::SaturatingRoundingMultiplyByPOT<static_cast<int>(E), int32_t>...};
}
const std::vector<ShiftFn>& gemmlowp_left_shift() {
  static const std::vector<ShiftFn> table = make_left_shift_table(std::make_index_sequence<32>());
  return table;
}

// gemmlowp composition of eq. 6 (saturating left shift, SRDHM, RDBP).
int32_t oracle_multiply(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t shifted = gemmlowp_left_shift()[left](x);
  return gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(shifted, multiplier),
                                       right);
}

TEST(FixedPoint, SrdhmEdgePairsMatchGemmlowp) {
  const auto edges = edge_values();
  for (int32_t a : edges) {
    for (int32_t b : edges) {
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b),
                gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
          << a << " * " << b;
    }
  }
}

TEST(FixedPoint, SrdhmHandValues) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);  // the one overflow
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMax), -kMax);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);  // 0.5 * 0.5
  // Ties round half up (toward +inf), exactly like NEON sqrdmulh: gemmlowp's
  // negative nudge 1 - 2^30 plus truncating division gives -1.5 -> -1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);    // 0.5 -> 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);  // -2.5 -> -2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, 1 << 29), -2);  // -1.75 -> -2
}

TEST(FixedPoint, SrdhmRandomMatchesGemmlowp) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> small(-100000, 100000);
  for (int i = 0; i < kRandomCount; ++i) {
    // Mix full-range operands with small accumulators times full multipliers.
    const int32_t a = (i & 1) ? any(rng) : small(rng);
    const int32_t b = any(rng);
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b),
              gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
        << a << " * " << b;
  }
}

TEST(FixedPoint, RdbpEveryExponentMatchesGemmlowp) {
  for (int32_t x : edge_values()) {
    for (int e = 0; e <= 31; ++e) {
      ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e)) << x << " >> " << e;
    }
  }
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  for (int i = 0; i < kRandomCount; ++i) {
    const int32_t x = any(rng);
    const int e = i % 32;
    ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e)) << x << " >> " << e;
  }
}

TEST(FixedPoint, RdbpHandValues) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(rounding_divide_by_pot(7, 0), 7);
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(1 << 30, 31), 1);  // exactly 0.5 -> 1
  EXPECT_EQ(rounding_divide_by_pot(-(1 << 30), 31), -1);
}

TEST(FixedPoint, SaturatingLeftShiftMatchesGemmlowp) {
  for (int32_t x : edge_values()) {
    for (int e = 0; e <= 31; ++e) {
      ASSERT_EQ(saturating_left_shift(x, e), gemmlowp_left_shift()[e](x)) << x << " << " << e;
    }
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  for (int i = 0; i < kRandomCount; ++i) {
    // Shift a random value right first so that both in-range and saturating cases occur.
    const int e = i % 32;
    const int32_t x = any(rng) >> (i / 32 % 32);
    ASSERT_EQ(saturating_left_shift(x, e), gemmlowp_left_shift()[e](x)) << x << " << " << e;
  }
  EXPECT_EQ(saturating_left_shift(1, 31), kMax);
  EXPECT_EQ(saturating_left_shift(-1, 31), kMin);
  EXPECT_EQ(saturating_left_shift(-3, 2), -12);
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierEdgesMatchGemmlowp) {
  std::vector<int32_t> multipliers = {0, 1 << 30, (1 << 30) + 1, kMax, kMax - 1, 1518500250};
  for (int32_t x : edge_values()) {
    for (int32_t m : multipliers) {
      for (int shift = -31; shift <= 30; ++shift) {
        ASSERT_EQ(multiply_by_quantized_multiplier(x, m, shift), oracle_multiply(x, m, shift))
            << x << " * " << m << " shift " << shift;
        // Signed multipliers (LayerNorm / PRelu) follow the same definition.
        ASSERT_EQ(multiply_by_quantized_multiplier(x, -m, shift), oracle_multiply(x, -m, shift))
            << x << " * " << -m << " shift " << shift;
      }
    }
  }
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierRandomMatchesGemmlowp) {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> acc(-(1 << 22), 1 << 22);
  std::uniform_int_distribution<int32_t> m0(1 << 30, kMax);
  std::uniform_int_distribution<int> shifts(-31, 30);
  for (int i = 0; i < kRandomCount; ++i) {
    const int32_t x = (i & 1) ? any(rng) : acc(rng);
    const int32_t m = m0(rng);
    const int shift = shifts(rng);
    ASSERT_EQ(multiply_by_quantized_multiplier(x, m, shift), oracle_multiply(x, m, shift))
        << x << " * " << m << " shift " << shift;
  }
}

// Independent of gemmlowp: where nothing saturates, eq. 6 is within 1 of the
// exact rational x * M0 * 2^(shift - 31) (two roundings of at most 1/2 each).
TEST(FixedPoint, MultiplyByQuantizedMultiplierWithinOneOfExact) {
  std::mt19937 rng(77);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_int_distribution<int32_t> m0(1 << 30, kMax);
  std::uniform_int_distribution<int> shifts(-31, 6);
  int exact = 0;
  for (int i = 0; i < kRandomCount; ++i) {
    const int32_t x = acc(rng);
    const int32_t m = m0(rng);
    const int shift = shifts(rng);
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    // |x| <= 2^24, m < 2^31, left <= 6: every term fits int64 (no __int128,
    // which 32-bit ARM lacks).
    const int64_t numerator = int64_t{x} * m * (int64_t{1} << left);
    const int64_t denominator = int64_t{1} << (31 + right);
    const int32_t got = multiply_by_quantized_multiplier(x, m, shift);
    int64_t error = int64_t{got} * denominator - numerator;
    if (error < 0) error = -error;
    ASSERT_LE(error, denominator) << x << " * " << m << " shift " << shift;
    if (2 * error <= denominator) ++exact;  // correctly rounded
  }
  // Double rounding only bites near ties: nearly every result is correctly rounded.
  EXPECT_GT(exact, kRandomCount * 97 / 100);
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierHandValues) {
  EXPECT_EQ(multiply_by_quantized_multiplier(100, 1 << 30, 0), 50);  // M = 0.5
  EXPECT_EQ(multiply_by_quantized_multiplier(3, 1 << 30, 0), 2);     // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, 1 << 30, 0), -1);  // SRDHM tie: half up
  EXPECT_EQ(multiply_by_quantized_multiplier(100, 1 << 30, 3), 400);  // M = 4
  // The double rounding of eq. 6: 5 * 0.25 = 1.25, but SRDHM rounds 2.5 up to
  // 3 and RDBP then rounds 1.5 up to 2.
  EXPECT_EQ(multiply_by_quantized_multiplier(5, 1 << 30, -1), 2);
  // acc * 2^30 saturates to INT32_MAX / INT32_MIN before the multiply by 0.5.
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 20, 1 << 30, 30), 1 << 30);
  EXPECT_EQ(multiply_by_quantized_multiplier(-(1 << 20), 1 << 30, 30), -(1 << 30));
  // RDBP ties round away from zero: -3 * 0.5 = -1.5 at the SRDHM stage is exact
  // with shift -1 (M = 0.25): SRDHM(-6, 2^30) = -3, RDBP(-3, 1) = -1.5 -> -2.
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, 1 << 30, -1), -2);
  EXPECT_EQ(multiply_by_quantized_multiplier(12345, 0, 5), 0);
}

TEST(FixedPoint, ClampI32) {
  EXPECT_EQ(clamp_i32(5, -3, 3), 3);
  EXPECT_EQ(clamp_i32(-5, -3, 3), -3);
  EXPECT_EQ(clamp_i32(2, -3, 3), 2);
}

TEST(FixedPoint, IsValidMultiplier) {
  EXPECT_TRUE(is_valid_multiplier(0, 0));
  EXPECT_TRUE(is_valid_multiplier(0, -31));
  EXPECT_TRUE(is_valid_multiplier(int64_t{1} << 30, 30));
  EXPECT_TRUE(is_valid_multiplier(kMax, -31));
  EXPECT_FALSE(is_valid_multiplier((int64_t{1} << 30) - 1, 0));
  EXPECT_FALSE(is_valid_multiplier(int64_t{1} << 31, 0));
  EXPECT_FALSE(is_valid_multiplier(int64_t{1} << 30, 31));
  EXPECT_FALSE(is_valid_multiplier(int64_t{1} << 30, -32));
  EXPECT_FALSE(is_valid_multiplier(0, 31));
  EXPECT_FALSE(is_valid_multiplier(-(int64_t{1} << 30), 0));
  EXPECT_TRUE(is_valid_multiplier(-(int64_t{1} << 30), 0, /*allow_negative=*/true));
  EXPECT_TRUE(is_valid_multiplier(-int64_t{kMax}, 0, true));
  EXPECT_FALSE(is_valid_multiplier(-(int64_t{1} << 31), 0, true));
  EXPECT_FALSE(is_valid_multiplier(-((int64_t{1} << 30) - 1), 0, true));
}

TEST(QuantizeMultiplier, RoundTripIsAccurateAndValid) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> log2_range(-60.0, 29.9);
  for (int i = 0; i < 200000; ++i) {
    const double real = std::exp2(log2_range(rng)) * ((i & 1) ? -1.0 : 1.0);
    DyadicMultiplier d;
    ASSERT_TRUE(quantize_multiplier(real, &d)) << real;
    if (std::fabs(real) < std::ldexp(0.5, -31)) {
      // Below the smallest representable magnitude: treated as zero.
      EXPECT_EQ(d.multiplier, 0) << real;
      EXPECT_EQ(d.shift, 0) << real;
      continue;
    }
    ASSERT_TRUE(is_valid_multiplier(d.multiplier, d.shift, /*allow_negative=*/true)) << real;
    ASSERT_EQ(d.multiplier < 0, real < 0) << real;
    const double back = std::ldexp(static_cast<double>(d.multiplier), d.shift - 31);
    // M0 is rounded to 31 bits: relative error at most 2^-31.
    ASSERT_LE(std::fabs(back - real), std::fabs(real) * std::ldexp(1.0, -31)) << real;
  }
}

TEST(QuantizeMultiplier, FifteenSignificantBits) {
  // The 16-bit Add form's multipliers: M0 a multiple of 2^16, still in
  // [2^30, 2^31), relative error at most 2^-15; rounding up to 2^31
  // renormalizes.
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> log2_range(-20.0, 20.0);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::exp2(log2_range(rng));
    DyadicMultiplier d;
    ASSERT_TRUE(quantize_multiplier(real, &d, 15)) << real;
    ASSERT_EQ(d.multiplier & 0xFFFF, 0) << real;
    ASSERT_TRUE(is_valid_multiplier(d.multiplier, d.shift)) << real;
    const double back = std::ldexp(static_cast<double>(d.multiplier), d.shift - 31);
    ASSERT_LE(std::fabs(back - real), real * std::ldexp(1.0, -15)) << real;
  }
  DyadicMultiplier d;
  ASSERT_TRUE(quantize_multiplier(0.99999, &d, 15));  // 0.99999 * 2^15 rounds to 2^15
  EXPECT_EQ(d.multiplier, 1 << 30);
  EXPECT_EQ(d.shift, 1);
}

TEST(QuantizeMultiplier, HandValues) {
  DyadicMultiplier d;
  ASSERT_TRUE(quantize_multiplier(0.5, &d));
  EXPECT_EQ(d.multiplier, 1 << 30);
  EXPECT_EQ(d.shift, 0);
  ASSERT_TRUE(quantize_multiplier(1.0, &d));
  EXPECT_EQ(d.multiplier, 1 << 30);
  EXPECT_EQ(d.shift, 1);
  ASSERT_TRUE(quantize_multiplier(0.75, &d));
  EXPECT_EQ(d.multiplier, 3 << 29);
  EXPECT_EQ(d.shift, 0);
  // A fraction that rounds up to 2^31 renormalizes to 2^30 with shift + 1.
  ASSERT_TRUE(quantize_multiplier(1.0 - std::ldexp(1.0, -40), &d));
  EXPECT_EQ(d.multiplier, 1 << 30);
  EXPECT_EQ(d.shift, 1);
  ASSERT_TRUE(quantize_multiplier(0.0, &d));
  EXPECT_EQ(d.multiplier, 0);
  EXPECT_EQ(d.shift, 0);
  ASSERT_TRUE(quantize_multiplier(-0.25, &d));
  EXPECT_EQ(d.multiplier, -(1 << 30));
  EXPECT_EQ(d.shift, -1);
  // 2^30 needs shift 31: out of range.
  EXPECT_FALSE(quantize_multiplier(std::ldexp(1.0, 30), &d));
  // Largest representable: just under 2^30.
  ASSERT_TRUE(quantize_multiplier(std::ldexp(0.75, 30), &d));
  EXPECT_EQ(d.shift, 30);
  // Smallest: 2^-32 = 0.5 * 2^-31.
  ASSERT_TRUE(quantize_multiplier(std::ldexp(1.0, -32), &d));
  EXPECT_EQ(d.multiplier, 1 << 30);
  EXPECT_EQ(d.shift, -31);
  EXPECT_FALSE(quantize_multiplier(std::nan(""), &d));
  EXPECT_FALSE(quantize_multiplier(INFINITY, &d));
}

TEST(QuantizeMultiplier, QuantizeAndDequantizeValue) {
  EXPECT_EQ(quantize_value(1.25, 0.5, 3, -128, 127), 6);     // 2.5 -> 3, + 3
  EXPECT_EQ(quantize_value(-1.25, 0.5, 3, -128, 127), 0);    // -2.5 -> -3, + 3
  EXPECT_EQ(quantize_value(100.0, 0.1, 0, -128, 127), 127);  // clamp
  EXPECT_EQ(quantize_value(-100.0, 0.1, 0, -128, 127), -128);
  EXPECT_DOUBLE_EQ(dequantize_value(13, 0.5, 3), 5.0);
}

}  // namespace
}  // namespace dyad
