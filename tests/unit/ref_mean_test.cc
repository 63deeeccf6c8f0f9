// ref::mean (eq. 12) against hand-derived cases (exact) and a double golden
// (mean of the dequantized values over the axes, quantized with S_out),
// within 1 LSB, over several axis sets.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

MeanParams make_mean(std::vector<int32_t> dims, std::vector<int> axes, double multiplier) {
  MeanParams p;
  p.in.rank = static_cast<int>(dims.size());
  for (int i = 0; i < p.in.rank; ++i) p.in.dims[i] = dims[i];
  for (int a : axes) p.reduce[a] = true;
  const DyadicMultiplier d = golden::dyadic(multiplier);
  p.multiplier = d.multiplier;
  p.shift = d.shift;
  return p;
}

std::vector<int8_t> run_mean(const MeanParams& p, const std::vector<int8_t>& in, size_t out_count) {
  std::vector<int8_t> out(out_count, 0x5a);
  ref::mean(p, in.data(), out.data());
  return out;
}

TEST(RefMean, Hand2x3) {
  const std::vector<int8_t> in{1, 2, 3, 4, 5, 6};  // [[1, 2, 3], [4, 5, 6]]
  // Axis 1: 6/3 = 2, 15/3 = 5.
  EXPECT_EQ(run_mean(make_mean({2, 3}, {1}, 1.0 / 3), in, 2), (std::vector<int8_t>{2, 5}));
  // Axis 0: 2.5, 3.5, 4.5 -> 3, 4, 5 (M = 0.5 exactly).
  EXPECT_EQ(run_mean(make_mean({2, 3}, {0}, 0.5), in, 3), (std::vector<int8_t>{3, 4, 5}));
  // Both: 21/6 = 3.5 -> 4.
  EXPECT_EQ(run_mean(make_mean({2, 3}, {0, 1}, 1.0 / 6), in, 1), (std::vector<int8_t>{4}));
  // No axis: each value times M (here S_in/S_out = 2) plus Z_out, clamped.
  MeanParams p = make_mean({2, 3}, {}, 2.0);
  p.output_zero_point = 117;
  EXPECT_EQ(run_mean(p, in, 6), (std::vector<int8_t>{119, 121, 123, 125, 127, 127}));
}

TEST(RefMean, HandZeroPointsAndNegativeTies) {
  // Real [[-1, -4], [-2, -6]] with Z_in = -100 (q = r - 100): axis 0 sums -3, -10.
  MeanParams p = make_mean({2, 2}, {0}, 0.5);
  p.input_zero_point = -100;
  p.output_zero_point = -128;
  const std::vector<int8_t> in{-101, -104, -102, -106};
  // -1.5 -> -1 (SRDHM rounds the tie up), -5; then + (-128), clamped at -128.
  EXPECT_EQ(run_mean(p, in, 2), (std::vector<int8_t>{-128, -128}));
  p.output_zero_point = 0;
  EXPECT_EQ(run_mean(p, in, 2), (std::vector<int8_t>{-1, -5}));
}

TEST(RefMean, HugeCountSaturatesInsteadOfWrapping) {
  // 9e6 values of real 255 (q = 127, Z_in = -128): the sum 2.295e9 exceeds
  // int32 (eq. 6 takes an int32; a verified model never gets here). It must
  // saturate to INT32_MAX (INT32_MAX / 9e6 = 238.6 -> 239 - 128 = 111), not
  // wrap to a negative sum (which would give -128).
  const int32_t n = 9000000;
  MeanParams p = make_mean({n}, {0}, 1.0 / n);
  p.input_zero_point = -128;
  p.output_zero_point = -128;
  const std::vector<int8_t> in(n, 127);
  EXPECT_EQ(run_mean(p, in, 1), (std::vector<int8_t>{111}));
}

// Golden over a 4-D tensor for any axis set.
void check_axes(std::vector<int32_t> dims, std::vector<int> axes, int32_t zin, int32_t zout, double ratio,
                uint32_t seed) {
  std::mt19937 rng(seed);
  const int rank = static_cast<int>(dims.size());
  size_t total = 1, count = 1;
  std::vector<bool> reduce(rank, false);
  for (int a : axes) reduce[a] = true;
  for (int d = 0; d < rank; ++d) {
    total *= dims[d];
    if (reduce[d]) count *= dims[d];
  }
  const double s_in = golden::uniform_real(rng, 0.01, 0.1);
  const double s_out = s_in / ratio;
  MeanParams p = make_mean(dims, axes, s_in / (s_out * static_cast<double>(count)));
  p.input_zero_point = zin;
  p.output_zero_point = zout;
  const auto in = golden::random_int8(rng, total);

  // Accumulate each input into its output slot (kept dims in order).
  const size_t out_count = total / count;
  std::vector<double> sums(out_count, 0.0);
  std::vector<int> idx(rank, 0);
  for (size_t i = 0; i < total; ++i) {
    size_t o = 0;
    for (int d = 0; d < rank; ++d) {
      if (!reduce[d]) o = o * dims[d] + idx[d];
    }
    sums[o] += dequantize_value(in[i], s_in, zin);
    for (int d = rank - 1; d >= 0; --d) {  // next row-major index
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  std::vector<int32_t> expected;
  for (double s : sums) expected.push_back(quantize_value(s / count, s_out, zout, -128, 127));
  const auto got = run_mean(p, in, out_count);
  ASSERT_TRUE(golden::within(got, expected, 1)) << "axes of size " << axes.size() << " seed " << seed;
  // Mean of 2 values is a tie half of the time, and eq. 4 rounds negative ties
  // up where the float golden rounds away from zero: allow up to a third.
  EXPECT_LE(golden::count_different(got, expected) * 3, out_count + 3)
      << "axes of size " << axes.size() << " zin " << zin << " ratio " << ratio;
}

TEST(RefMeanRandom, AxisSets) {
  const std::vector<int32_t> dims{2, 5, 6, 7};
  const std::vector<std::vector<int>> axis_sets = {{1, 2}, {3}, {0}, {0, 2}, {1, 3}, {0, 1, 2, 3}, {2}, {0, 1, 3}, {}};
  uint32_t seed = 40;
  for (const auto& axes : axis_sets) {
    check_axes(dims, axes, 3, -2, 1.0, seed++);
    check_axes(dims, axes, -128, 127, 0.7, seed++);
    check_axes(dims, axes, 127, -128, 4.0, seed++);  // clamps
  }
}

TEST(RefMeanRandom, OtherRanks) {
  check_axes({64}, {0}, 10, 0, 1.0, 1);
  check_axes({3, 1, 4, 2, 5}, {1, 3}, -7, 9, 1.5, 2);
  check_axes({2, 3, 2, 2, 3, 2}, {0, 2, 5}, 0, 0, 1.0, 3);
  check_axes({1, 14, 14, 32}, {1, 2}, -5, 12, 1.2, 4);  // GlobalAveragePool shape
}

}  // namespace
}  // namespace dyad
