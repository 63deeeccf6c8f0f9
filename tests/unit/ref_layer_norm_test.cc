// Tests of ref::layer_norm (eq. 15). Hand-derived rows (perfect-square
// variances, constant rows, negative multipliers), then random rows against a
// double golden: n = (q - mean) / sqrt(var + epsilon) with the population
// variance, g = Z_out + bias[c] + M[c]·2^12·n (M[c] the dyadic value), and the
// bound from layer_norm.cc plus eq. 6's rounding:
//   |out - clamp(g)| <= 1/2 + 2^-(r+1) + |M|·(1/2 + |n|·2^-17),  r = max(-shift, 0).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/common/quantize_multiplier.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"
#include "tests/unit/ref_split_check.h"

namespace dyad {
namespace {

struct LayerNormCase {
  int32_t rows = 1, cols = 0;
  int32_t zin = 0, zout = 0, epsilon = 1;
  std::vector<int32_t> m0;
  std::vector<int8_t> shift;
  std::vector<int32_t> bias;
  int32_t lo = -128, hi = 127;
};

std::vector<int8_t> layer_norm_run(const LayerNormCase& c, const std::vector<int8_t>& in) {
  LayerNormParams p;
  p.rows = c.rows;
  p.cols = c.cols;
  p.input_zero_point = c.zin;
  p.output_zero_point = c.zout;
  p.epsilon = c.epsilon;
  p.requant.multiplier = c.m0.data();
  p.requant.shift = c.shift.data();
  p.requant.count = static_cast<int32_t>(c.m0.size());
  p.bias = c.bias.empty() ? nullptr : c.bias.data();
  p.act_min = c.lo;
  p.act_max = c.hi;
  std::vector<int8_t> out(in.size());
  ref::layer_norm(p, in.data(), out.data());
  return out;
}

TEST(RefLayerNorm, HandDerivedPerfectSquare) {
  // Row {-3, 3}: mean 0, var 9, epsilon 16 -> sqrt(25) = 5, n = -/+0.6,
  // n_fixed = round(4096·0.6) = round(2457.6) = 2458; M = 2^-6 -> 38.40625 -> 38.
  LayerNormCase c;
  c.cols = 2;
  c.epsilon = 16;
  c.m0 = {1 << 30};
  c.shift = {-5};  // 2^30 · 2^(-5-31) = 2^-6
  EXPECT_EQ(layer_norm_run(c, {-3, 3}), (std::vector<int8_t>{-38, 38}));
  // The same row shifted by 100 (the mean cancels), with Z_out and bias.
  c.zin = 50;
  c.zout = -10;
  c.bias = {5, -5};
  EXPECT_EQ(layer_norm_run(c, {97, 103}), (std::vector<int8_t>{-43, 23}));
  // Negative multiplier (gamma < 0) flips the signs.
  c.m0 = {-(1 << 30)};
  c.bias = {};
  c.zout = 0;
  EXPECT_EQ(layer_norm_run(c, {-3, 3}), (std::vector<int8_t>{38, -38}));
  // Per channel: channel 0 has M = 2^-6, channel 1 has M = -2^-7 (2458/128 = 19.2 -> 19).
  c.m0 = {1 << 30, -(1 << 30)};
  c.shift = {-5, -6};
  EXPECT_EQ(layer_norm_run(c, {-3, 3}), (std::vector<int8_t>{-38, -19}));
}

TEST(RefLayerNorm, ExactTiesRoundAwayFromZero) {
  // Row {-a, a}, epsilon = 2^26 - a^2: var + epsilon = 2^26, n = -/+a/2^13, so
  // 2^12·n = -/+a/2 is an exact half for odd a: n_fixed = -/+round_away(a/2).
  // M = 1 (M0 = 2^30, shift 1) outputs n_fixed itself.
  LayerNormCase c;
  c.cols = 2;
  c.m0 = {1 << 30};
  c.shift = {1};
  c.epsilon = (1 << 26) - 1;
  EXPECT_EQ(layer_norm_run(c, {-1, 1}), (std::vector<int8_t>{-1, 1}));
  c.epsilon = (1 << 26) - 9;
  EXPECT_EQ(layer_norm_run(c, {-3, 3}), (std::vector<int8_t>{-2, 2}));
  c.epsilon = (1 << 26) - 25;
  EXPECT_EQ(layer_norm_run(c, {-5, 5}), (std::vector<int8_t>{-3, 3}));
}

TEST(RefLayerNorm, ConstantRowGivesBias) {
  LayerNormCase c;
  c.rows = 2;
  c.cols = 3;
  c.zout = 7;
  c.m0 = {1 << 30};
  c.shift = {0};
  c.bias = {1, -2, 200};
  // Variance 0: n = 0, out = Z_out + bias (clamped).
  EXPECT_EQ(layer_norm_run(c, {-128, -128, -128, 127, 127, 127}),
            (std::vector<int8_t>{8, 5, 127, 8, 5, 127}));
}

TEST(RefLayerNorm, ActivationClamp) {
  LayerNormCase c;
  c.cols = 2;
  c.epsilon = 16;
  c.m0 = {1 << 30};
  c.shift = {-5};
  c.lo = -20;
  c.hi = 30;
  EXPECT_EQ(layer_norm_run(c, {-3, 3}), (std::vector<int8_t>{-20, 30}));
}

void layer_norm_random_check(int32_t rows, int32_t cols, bool per_channel, uint32_t seed) {
  std::mt19937 rng(seed);
  size_t differs_from_rounded = 0;
  for (int trial = 0; trial < 6; ++trial) {
    LayerNormCase c;
    c.rows = rows;
    c.cols = cols;
    const double s_in = golden::uniform_real(rng, 0.005, 0.1);
    const double s_out = golden::uniform_real(rng, 0.01, 0.1);
    const int32_t extremes[3] = {-128, 127, 0};
    c.zin = trial < 3 ? extremes[trial] : golden::uniform_int(rng, -128, 127);
    c.zout = trial < 3 ? extremes[(trial + 1) % 3] : golden::uniform_int(rng, -128, 127);
    c.epsilon = std::max<int32_t>(1, static_cast<int32_t>(std::llround(1e-5 / (s_in * s_in))));
    if (trial == 4) c.epsilon = golden::uniform_int(rng, 1, 5000);  // large epsilon
    const int32_t channels = per_channel ? cols : 1;
    std::vector<double> m_real(channels);
    for (int32_t ch = 0; ch < channels; ++ch) {
      double gamma = golden::uniform_real(rng, 0.2, 2.0);
      if (golden::uniform_int(rng, 0, 3) == 0) gamma = -gamma;
      const DyadicMultiplier d = golden::dyadic(gamma / (s_out * 4096.0));
      c.m0.push_back(d.multiplier);
      c.shift.push_back(static_cast<int8_t>(d.shift));
      m_real[ch] = golden::dyadic_value(d.multiplier, d.shift);
    }
    for (int32_t ch = 0; ch < cols; ++ch) {
      c.bias.push_back(static_cast<int32_t>(std::llround(golden::uniform_real(rng, -1.0, 1.0) / s_out)));
    }
    if (trial == 5) {
      c.lo = c.zout;  // fused ReLU
    }
    // Rows with varied spread, including nearly constant ones.
    std::vector<int8_t> in(static_cast<size_t>(rows) * cols);
    for (int32_t r = 0; r < rows; ++r) {
      const int32_t spread = golden::uniform_int(rng, 0, 255);
      const int32_t lo = golden::uniform_int(rng, -128, 127 - spread);
      for (int32_t i = 0; i < cols; ++i) {
        in[static_cast<size_t>(r) * cols + i] = static_cast<int8_t>(golden::uniform_int(rng, lo, lo + spread));
      }
    }
    const auto out = layer_norm_run(c, in);
    for (int32_t r = 0; r < rows; ++r) {
      const int8_t* row = &in[static_cast<size_t>(r) * cols];
      double mean = 0;
      for (int32_t i = 0; i < cols; ++i) mean += row[i];
      mean /= cols;
      double var = 0;
      for (int32_t i = 0; i < cols; ++i) var += (row[i] - mean) * (row[i] - mean);
      var /= cols;
      for (int32_t i = 0; i < cols; ++i) {
        const int32_t ch = per_channel ? i : 0;
        const double n = (row[i] - mean) / std::sqrt(var + c.epsilon);
        const double g = c.zout + c.bias[i] + m_real[ch] * 4096.0 * n;
        const double clamped = std::min<double>(std::max<double>(g, c.lo), c.hi);
        const int right = std::max(-c.shift[per_channel ? i : 0], 0);
        const double bound = 0.5 + std::ldexp(0.5, -right) +
                             std::fabs(m_real[ch]) * (0.5 + std::fabs(n) * std::ldexp(1.0, -17));
        const int32_t got = out[static_cast<size_t>(r) * cols + i];
        ASSERT_LE(std::fabs(got - clamped), bound + 1e-9)
            << "trial " << trial << " row " << r << " col " << i << " g " << g;
        if (got != golden::round_and_clamp(g, 0, c.lo, c.hi)) ++differs_from_rounded;
      }
    }
  }
  // |M| < 1 here, so most outputs equal round(g); the rest are rounding ties.
  EXPECT_LT(differs_from_rounded * 5, static_cast<size_t>(rows) * cols * 6) << differs_from_rounded;
}

TEST(RefLayerNorm, RandomPerTensorMultiplier) { layer_norm_random_check(40, 64, false, 41); }
TEST(RefLayerNorm, RandomPerChannelMultiplier) { layer_norm_random_check(40, 48, true, 42); }
TEST(RefLayerNorm, RandomWideRows) { layer_norm_random_check(4, 3072, true, 43); }
TEST(RefLayerNorm, RandomTinyRows) { layer_norm_random_check(200, 2, true, 44); }

// layer_norm_rows: any range of rows writes exactly those rows, as layer_norm() does.
TEST(RefLayerNorm, AnyRowRangeMatchesWhole) {
  std::mt19937 rng(62);
  for (const auto& rc : {std::pair<int32_t, int32_t>{19, 7}, {30, 1}, {3, 200}}) {
    LayerNormCase c;
    c.rows = rc.first;
    c.cols = rc.second;
    c.zin = 4;
    c.zout = -3;
    c.epsilon = 5;
    for (int32_t i = 0; i < c.cols; ++i) {
      c.m0.push_back((i % 2 == 0 ? 1 : -1) * golden::uniform_int(rng, 1 << 30, INT32_MAX));
      c.shift.push_back(static_cast<int8_t>(golden::uniform_int(rng, -8, -4)));
      c.bias.push_back(golden::uniform_int(rng, -30, 30));
    }
    const auto in = golden::random_int8(rng, static_cast<size_t>(c.rows) * c.cols);
    const std::vector<int8_t> whole = layer_norm_run(c, in);
    LayerNormParams p;
    p.rows = c.rows;
    p.cols = c.cols;
    p.input_zero_point = c.zin;
    p.output_zero_point = c.zout;
    p.epsilon = c.epsilon;
    p.requant.multiplier = c.m0.data();
    p.requant.shift = c.shift.data();
    p.requant.count = c.cols;
    p.bias = c.bias.data();
    split_check::expect_ranges_match(
        p.rows, static_cast<size_t>(p.cols), std::vector<uint8_t>(whole.begin(), whole.end()),
        [&](int64_t b, int64_t e, uint8_t* out) {
          ref::layer_norm_rows(p, in.data(), reinterpret_cast<int8_t*>(out), b, e);
        },
        "layer_norm " + std::to_string(p.rows) + "x" + std::to_string(p.cols));
  }
}

}  // namespace
}  // namespace dyad
