// ref::fully_connected against hand-derived cases (exact) and a double golden
// (dequantize, dot products in double, quantize with S_out), within 1 LSB.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

std::vector<int64_t> run_fc(const FullyConnectedParams& p, const std::vector<int8_t>& input,
                            const std::vector<int8_t>& weights, const int32_t* bias) {
  const size_t n = static_cast<size_t>(p.rows) * p.n;
  return golden::run_widened(p.output_type, n, [&](void* out) {
    ref::fully_connected(p, input.data(), weights.data(), bias, out);
  });
}

TEST(RefFullyConnected, HandTwoRows) {
  // x (real) = [[1, 2, 3], [-1, 0, 4]] with Z_in = -20; W = [[1, 0, -1], [2, 2, 2]].
  FullyConnectedParams p;
  p.rows = 2;
  p.k = 3;
  p.n = 2;
  p.input_zero_point = -20;
  std::vector<int32_t> m0{1 << 30, 1 << 30};
  std::vector<int8_t> shift{1, 0};  // M = 1 and 0.5
  p.requant = ChannelRequant{m0.data(), shift.data(), 2};
  const std::vector<int8_t> x{-19, -18, -17, -21, -20, -16};
  const std::vector<int8_t> w{1, 0, -1, 2, 2, 2};
  const std::vector<int32_t> bias{10, -1};
  p.output_type = DType::kInt32;
  // Row 0: 1-3+10 = 8, 2*6-1 = 11; row 1: -1-4+10 = 5, 2*3-1 = 5.
  EXPECT_EQ(run_fc(p, x, w, bias.data()), (std::vector<int64_t>{8, 11, 5, 5}));
  EXPECT_EQ(run_fc(p, x, w, nullptr), (std::vector<int64_t>{-2, 12, -5, 6}));
  p.output_type = DType::kInt8;
  p.output_zero_point = -3;
  // 8*1-3 = 5; 11*0.5 = 5.5 -> 6, -3 -> 3; 5-3 = 2; 2.5 -> 3, -3 -> 0.
  EXPECT_EQ(run_fc(p, x, w, bias.data()), (std::vector<int64_t>{5, 3, 2, 0}));
  p.act_min = 1;  // clamp
  p.act_max = 4;
  EXPECT_EQ(run_fc(p, x, w, bias.data()), (std::vector<int64_t>{4, 3, 2, 1}));
}

TEST(RefFullyConnected, HandInt16Saturation) {
  FullyConnectedParams p;
  p.rows = 1;
  p.k = 4;
  p.n = 1;
  p.input_zero_point = 127;
  std::vector<int32_t> m0{1 << 30};
  std::vector<int8_t> shift{1};
  p.requant = ChannelRequant{m0.data(), shift.data(), 1};
  p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  // (q - 127) = -255 four times, weights 127: acc = -129540 -> clamp.
  EXPECT_EQ(run_fc(p, {-128, -128, -128, -128}, {127, 127, 127, 127}, nullptr)[0], -32768);
  const int32_t bias = 100000;
  EXPECT_EQ(run_fc(p, {-128, -128, -128, -128}, {127, 127, 127, 127}, &bias)[0], -29540);
}

struct FcCase {
  int rows = 5, k = 37, n = 11;
  int32_t zin = 7, zout = -9;
  bool per_channel = true, with_bias = true;
  DType type = DType::kInt8;
  int32_t act_min = -128, act_max = 127;
  double gain = 1.0;
};

void check_random(const FcCase& c, int seeds = 5) {
  size_t total = 0, differing = 0, clamped = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937 rng(77 + seed);
    FullyConnectedParams p;
    p.rows = c.rows;
    p.k = c.k;
    p.n = c.n;
    p.input_zero_point = c.zin;
    p.output_zero_point = c.zout;
    p.act_min = c.act_min;
    p.act_max = c.act_max;
    p.output_type = c.type;
    const auto x = golden::random_int8(rng, static_cast<size_t>(c.rows) * c.k);
    const auto w = golden::random_int8(rng, static_cast<size_t>(c.n) * c.k, -127, 127);
    std::vector<int32_t> bias;
    if (c.with_bias) bias = golden::random_int32(rng, c.n, -30000, 30000);
    const double target = (c.type == DType::kInt16 ? 8000.0 : 60.0) * c.gain;
    const double m = target / (74.0 * 73.0 * std::sqrt(static_cast<double>(c.k)));
    const auto mult = golden::random_multipliers(rng, c.per_channel ? c.n : 1, m / 3, m * 3);
    p.requant = ChannelRequant{mult.m0.data(), mult.shift.data(), static_cast<int32_t>(mult.m0.size())};
    const double s_in = golden::uniform_real(rng, 0.005, 0.1);
    const double s_out = golden::uniform_real(rng, 0.01, 0.5);

    std::vector<int64_t> expected;
    for (int r = 0; r < c.rows; ++r) {
      for (int j = 0; j < c.n; ++j) {
        const double s_w = mult.real(j) * s_out / s_in;
        double real = c.with_bias ? bias[j] * s_in * s_w : 0.0;
        for (int i = 0; i < c.k; ++i) {
          real += dequantize_value(x[static_cast<size_t>(r) * c.k + i], s_in, c.zin) *
                  (s_w * w[static_cast<size_t>(j) * c.k + i]);
        }
        expected.push_back(c.type == DType::kInt32 ? std::llround(real / (s_in * s_w))
                                                   : quantize_value(real, s_out, c.zout, c.act_min, c.act_max));
      }
    }
    const auto got = run_fc(p, x, w, bias.empty() ? nullptr : bias.data());
    ASSERT_TRUE(golden::within(got, expected, c.type == DType::kInt32 ? 0 : 1)) << "seed " << seed;
    total += got.size();
    differing += golden::count_different(got, expected);
    for (int64_t v : got) clamped += (v == c.act_min || v == c.act_max);
  }
  const size_t allowed = c.type == DType::kInt16 ? total / 4 : total / 50;
  EXPECT_LE(differing, allowed) << differing << " of " << total << " off by one";
  if (c.gain > 1.0) {
    EXPECT_GT(clamped, 0u);
  }
}

TEST(RefFullyConnectedRandom, PerChannel) { check_random(FcCase{}); }

TEST(RefFullyConnectedRandom, PerTensorNoBias) {
  FcCase c;
  c.per_channel = false;
  c.with_bias = false;
  check_random(c);
}

TEST(RefFullyConnectedRandom, SingleRowLongK) {
  FcCase c;
  c.rows = 1;
  c.k = 1024;
  c.n = 16;
  check_random(c);
}

TEST(RefFullyConnectedRandom, ExtremeZeroPointsAndClamp) {
  FcCase c;
  c.zin = -128;
  c.zout = 127;
  check_random(c);
  c.zin = 127;
  c.zout = -128;
  c.gain = 5.0;
  check_random(c);
  c.act_min = -128;  // ReLU: clamp at Z_out
  c.act_max = 127;
  c.zout = -20;
  c.act_min = -20;
  check_random(c);
}

TEST(RefFullyConnectedRandom, Int16AndInt32) {
  FcCase c;
  c.type = DType::kInt16;
  c.zout = 0;
  c.act_min = -32768;
  c.act_max = 32767;
  check_random(c);
  c.type = DType::kInt32;
  check_random(c);
}

}  // namespace
}  // namespace dyad
