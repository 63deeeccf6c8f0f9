// ref::conv2d against hand-derived cases (exact) and a double-precision
// golden (dequantize, convolve a zero-padded float tensor, quantize with
// S_out), within 1 LSB. The golden's weight scales are chosen so that
// S_in * S_w[c] / S_out is exactly the dyadic multiplier the kernel gets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

// Runs ref::conv2d and widens the output (int8 / int16 / int32) to int64.
std::vector<int64_t> run_conv(const ConvParams& p, const std::vector<int8_t>& input,
                              const std::vector<int8_t>& weights, const int32_t* bias) {
  const size_t n = static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.out_c;
  return golden::run_widened(p.output_type, n, [&](void* out) {
    ref::conv2d(p, input.data(), weights.data(), bias, out);
  });
}

// One 2x2 all-ones kernel over the 3x3 real image 1..9 (single channel).
struct TinyConv {
  ConvParams p;
  std::vector<int32_t> m0{1 << 30};  // M = 0.5
  std::vector<int8_t> shift{0};
  TinyConv() {
    p.in_h = p.in_w = 3;
    p.in_c = p.out_c = 1;
    p.kernel_h = p.kernel_w = 2;
    p.out_h = p.out_w = 2;
    p.requant = ChannelRequant{m0.data(), shift.data(), 1};
  }
};

std::vector<int8_t> image_1_to_9(int32_t zero_point) {
  std::vector<int8_t> v;
  for (int i = 1; i <= 9; ++i) v.push_back(static_cast<int8_t>(i + zero_point));
  return v;
}

TEST(RefConv2d, HandValid2x2) {
  TinyConv t;
  const std::vector<int8_t> w(4, 1);
  t.p.output_type = DType::kInt32;
  EXPECT_EQ(run_conv(t.p, image_1_to_9(0), w, nullptr), (std::vector<int64_t>{12, 16, 24, 28}));
  const int32_t bias = 10;
  EXPECT_EQ(run_conv(t.p, image_1_to_9(0), w, &bias), (std::vector<int64_t>{22, 26, 34, 38}));
  t.p.output_type = DType::kInt8;  // * 0.5
  EXPECT_EQ(run_conv(t.p, image_1_to_9(0), w, nullptr), (std::vector<int64_t>{6, 8, 12, 14}));
}

TEST(RefConv2d, HandAsymmetricPaddingUsesInputZeroPoint) {
  // pad_top 1, pad_left 0, (pad_bottom 0, pad_right 1), stride 2, Z_in = 5:
  // padded positions must add (Z_in - Z_in) * w = 0.
  TinyConv t;
  t.p.stride_h = t.p.stride_w = 2;
  t.p.pad_top = 1;
  t.p.input_zero_point = 5;
  t.p.output_type = DType::kInt32;
  const std::vector<int8_t> w(4, 1);
  // (0,0): 1+2; (0,1): 3; (1,0): 4+5+7+8; (1,1): 6+9.
  EXPECT_EQ(run_conv(t.p, image_1_to_9(5), w, nullptr), (std::vector<int64_t>{3, 3, 24, 15}));
  // Same with Z_in = -128 and Z_in = 127 - 9 (largest that fits 1..9).
  t.p.input_zero_point = -128;
  EXPECT_EQ(run_conv(t.p, image_1_to_9(-128), w, nullptr), (std::vector<int64_t>{3, 3, 24, 15}));
  t.p.input_zero_point = 118;
  EXPECT_EQ(run_conv(t.p, image_1_to_9(118), w, nullptr), (std::vector<int64_t>{3, 3, 24, 15}));
}

TEST(RefConv2d, HandDilation) {
  TinyConv t;
  t.p.dilation_h = t.p.dilation_w = 2;
  t.p.out_h = t.p.out_w = 1;
  t.p.output_type = DType::kInt32;
  // Taps 1, 3, 7, 9 with weights 1, -1, 2, 0.
  EXPECT_EQ(run_conv(t.p, image_1_to_9(0), {1, -1, 2, 0}, nullptr), (std::vector<int64_t>{12}));
}

TEST(RefConv2d, HandStrideAndDilationPerAxis) {
  // 1x3x3x1, kernel 1x2, stride (2, 1), dilation (1, 2): out 2x1.
  TinyConv t;
  t.p.kernel_h = 1;
  t.p.stride_h = 2;
  t.p.dilation_w = 2;
  t.p.out_h = 2;
  t.p.out_w = 1;
  t.p.output_type = DType::kInt32;
  // rows 0 and 2, taps x=0 and x=2: 1*1 + 3*10 = 31; 7 + 90 = 97.
  EXPECT_EQ(run_conv(t.p, image_1_to_9(0), {1, 10}, nullptr), (std::vector<int64_t>{31, 97}));
}

TEST(RefConv2d, HandDepthwiseChannelMultiplier) {
  // in_c 2, groups 2, out_c 4: output channel oc reads input channel oc / 2.
  TinyConv t;
  t.p.in_h = t.p.in_w = t.p.out_h = t.p.out_w = 1;
  t.p.kernel_h = t.p.kernel_w = 1;
  t.p.in_c = 2;
  t.p.out_c = 4;
  t.p.groups = 2;
  t.p.output_type = DType::kInt32;
  EXPECT_EQ(run_conv(t.p, {3, -4}, {1, 2, 3, -1}, nullptr), (std::vector<int64_t>{3, 6, -12, 4}));
}

TEST(RefConv2d, HandGroups) {
  // in_c 4, groups 2, out_c 2: oc 0 sees channels 0-1, oc 1 channels 2-3.
  TinyConv t;
  t.p.in_h = t.p.in_w = t.p.out_h = t.p.out_w = 1;
  t.p.kernel_h = t.p.kernel_w = 1;
  t.p.in_c = 4;
  t.p.out_c = 2;
  t.p.groups = 2;
  t.p.output_type = DType::kInt32;
  const std::vector<int32_t> bias{100, -100};
  EXPECT_EQ(run_conv(t.p, {1, 2, 3, 5}, {1, 1, 1, -1}, bias.data()), (std::vector<int64_t>{103, -102}));
}

TEST(RefConv2d, HandPerChannelRequantZeroPointAndClamp) {
  // Two output channels of the same 2x2 ones kernel; M = 0.5 and M = 2; Z_out = 100.
  TinyConv t;
  t.p.out_c = 2;
  t.p.output_zero_point = 100;
  std::vector<int32_t> m0{1 << 30, 1 << 30};
  std::vector<int8_t> shift{0, 2};
  t.p.requant = ChannelRequant{m0.data(), shift.data(), 2};
  t.p.input_zero_point = -128;
  const std::vector<int8_t> w(8, 1);
  EXPECT_EQ(run_conv(t.p, image_1_to_9(-128), w, nullptr),
            (std::vector<int64_t>{106, 124, 108, 127, 112, 127, 114, 127}));
  // ReLU6-like bounds: clamp to [100, 110].
  t.p.act_min = 100;
  t.p.act_max = 110;
  EXPECT_EQ(run_conv(t.p, image_1_to_9(-128), w, nullptr),
            (std::vector<int64_t>{106, 110, 108, 110, 110, 110, 110, 110}));
}

TEST(RefConv2d, HandRoundingTies) {
  // acc = +3 and -3 with M = 0.5: SRDHM rounds +1.5 -> 2 and -1.5 -> -1 (eq. 4,
  // half up like sqrdmulh), then Z_out is added.
  TinyConv t;
  t.p.in_h = t.p.in_w = t.p.out_h = t.p.out_w = 1;
  t.p.kernel_h = t.p.kernel_w = 1;
  t.p.in_c = 1;
  t.p.out_c = 2;
  const std::vector<int32_t> bias{0, -6};
  EXPECT_EQ(run_conv(t.p, {3}, {1, 1}, bias.data()), (std::vector<int64_t>{2, -1}));
  t.p.output_zero_point = -120;
  EXPECT_EQ(run_conv(t.p, {3}, {1, 1}, bias.data()), (std::vector<int64_t>{-118, -121}));
  // M = 0.25 (shift -1): RDBP rounds its tie away from zero: acc -6 -> -3 -> -1.5 -> -2.
  t.shift[0] = -1;
  t.p.output_zero_point = 0;
  const std::vector<int32_t> bias6{3, -9};  // acc 6 and -6
  EXPECT_EQ(run_conv(t.p, {3}, {1, 1}, bias6.data()), (std::vector<int64_t>{2, -2}));
}

TEST(RefConv2d, HandInt16Output) {
  // r = 255 twice (q = 127, Z_in = -128), weights 127: acc = 64770.
  TinyConv t;
  t.p.in_h = t.p.in_w = t.p.out_h = t.p.out_w = 1;
  t.p.kernel_h = t.p.kernel_w = 1;
  t.p.in_c = 2;
  t.p.out_c = 1;
  t.p.input_zero_point = -128;
  t.p.output_type = DType::kInt16;
  t.p.act_min = -32768;
  t.p.act_max = 32767;
  EXPECT_EQ(run_conv(t.p, {127, 127}, {127, 127}, nullptr)[0], 32385);  // * 0.5
  t.shift[0] = 1;                                                        // * 1
  EXPECT_EQ(run_conv(t.p, {127, 127}, {127, 127}, nullptr)[0], 32767);
  const int32_t bias = -100000;
  EXPECT_EQ(run_conv(t.p, {127, 127}, {127, 127}, &bias)[0], -32768);
  t.p.output_type = DType::kInt32;
  EXPECT_EQ(run_conv(t.p, {127, 127}, {127, 127}, &bias)[0], 64770 - 100000);
}

// ---- Random shapes against the double golden. ----

struct ConvCase {
  int batch = 1, in_h = 7, in_w = 6, in_c = 3, out_c = 4;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;
  int groups = 1;
  int32_t zin = 3, zout = -5;
  bool per_channel = true;
  DType type = DType::kInt8;
  int32_t act_min = -128, act_max = 127;
  double gain = 1.0;  // scales the multiplier: > 1 forces clamping
  bool with_bias = true;
};

struct GoldenConv {
  ConvParams p;
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias;
  golden::Multipliers mult;
  std::vector<int64_t> expected;
};

GoldenConv make_case(const ConvCase& c, uint32_t seed) {
  std::mt19937 rng(seed);
  GoldenConv g;
  ConvParams& p = g.p;
  p.batch = c.batch;
  p.in_h = c.in_h;
  p.in_w = c.in_w;
  p.in_c = c.in_c;
  p.out_c = c.out_c;
  p.kernel_h = c.kernel_h;
  p.kernel_w = c.kernel_w;
  p.stride_h = c.stride_h;
  p.stride_w = c.stride_w;
  p.dilation_h = c.dilation_h;
  p.dilation_w = c.dilation_w;
  p.pad_top = c.pad_top;
  p.pad_left = c.pad_left;
  p.groups = c.groups;
  p.out_h = (c.in_h + c.pad_top + c.pad_bottom - c.dilation_h * (c.kernel_h - 1) - 1) / c.stride_h + 1;
  p.out_w = (c.in_w + c.pad_left + c.pad_right - c.dilation_w * (c.kernel_w - 1) - 1) / c.stride_w + 1;
  p.input_zero_point = c.zin;
  p.output_zero_point = c.zout;
  p.act_min = c.act_min;
  p.act_max = c.act_max;
  p.output_type = c.type;

  const int icg = c.in_c / c.groups;
  const int ocg = c.out_c / c.groups;
  g.input = golden::random_int8(rng, static_cast<size_t>(c.batch) * c.in_h * c.in_w * c.in_c);
  g.weights = golden::random_int8(rng, static_cast<size_t>(c.out_c) * c.kernel_h * c.kernel_w * icg, -127, 127);
  // Accumulator spread ~ 74 * 73 * sqrt(K); aim the output at ~ +-60 (or int16's range).
  const double k = static_cast<double>(icg) * c.kernel_h * c.kernel_w;
  const double target = (c.type == DType::kInt16 ? 8000.0 : 60.0) * c.gain;
  const double m = target / (74.0 * 73.0 * std::sqrt(k));
  g.mult = golden::random_multipliers(rng, c.per_channel ? c.out_c : 1, m / 3, m * 3);
  p.requant = ChannelRequant{g.mult.m0.data(), g.mult.shift.data(), static_cast<int32_t>(g.mult.m0.size())};
  if (c.with_bias) g.bias = golden::random_int32(rng, c.out_c, -20000, 20000);

  // Float side: S_in random, S_out random, S_w[c] = M[c] * S_out / S_in.
  const double s_in = golden::uniform_real(rng, 0.005, 0.1);
  const double s_out = golden::uniform_real(rng, 0.01, 0.5);
  std::vector<double> s_w(c.out_c);
  for (int oc = 0; oc < c.out_c; ++oc) s_w[oc] = g.mult.real(oc) * s_out / s_in;

  // Zero-padded real input, large enough for every window.
  const int ph = std::max(c.pad_top + c.in_h, (p.out_h - 1) * c.stride_h + (c.kernel_h - 1) * c.dilation_h + 1);
  const int pw = std::max(c.pad_left + c.in_w, (p.out_w - 1) * c.stride_w + (c.kernel_w - 1) * c.dilation_w + 1);
  std::vector<double> padded(static_cast<size_t>(c.batch) * ph * pw * c.in_c, 0.0);
  for (int b = 0; b < c.batch; ++b)
    for (int y = 0; y < c.in_h; ++y)
      for (int x = 0; x < c.in_w; ++x)
        for (int ch = 0; ch < c.in_c; ++ch)
          padded[((static_cast<size_t>(b) * ph + y + c.pad_top) * pw + x + c.pad_left) * c.in_c + ch] =
              dequantize_value(g.input[((static_cast<size_t>(b) * c.in_h + y) * c.in_w + x) * c.in_c + ch],
                                       s_in, c.zin);

  for (int b = 0; b < c.batch; ++b)
    for (int oy = 0; oy < p.out_h; ++oy)
      for (int ox = 0; ox < p.out_w; ++ox)
        for (int oc = 0; oc < c.out_c; ++oc) {
          const int group = oc / ocg;
          double real = c.with_bias ? g.bias[oc] * s_in * s_w[oc] : 0.0;
          for (int ky = 0; ky < c.kernel_h; ++ky)
            for (int kx = 0; kx < c.kernel_w; ++kx)
              for (int ic = 0; ic < icg; ++ic) {
                const int y = oy * c.stride_h + ky * c.dilation_h;
                const int x = ox * c.stride_w + kx * c.dilation_w;
                const double in = padded[((static_cast<size_t>(b) * ph + y) * pw + x) * c.in_c + group * icg + ic];
                const double w = s_w[oc] * g.weights[((static_cast<size_t>(oc) * c.kernel_h + ky) * c.kernel_w + kx) * icg + ic];
                real += in * w;
              }
          if (c.type == DType::kInt32) {
            g.expected.push_back(std::llround(real / (s_in * s_w[oc])));
          } else {
            g.expected.push_back(quantize_value(real, s_out, c.zout, c.act_min, c.act_max));
          }
        }
  return g;
}

void check_random(const ConvCase& c, int seeds = 4) {
  size_t total = 0, differing = 0, clamped = 0;
  for (int s = 0; s < seeds; ++s) {
    const GoldenConv g = make_case(c, 1000 + s);
    const auto got = run_conv(g.p, g.input, g.weights, g.bias.empty() ? nullptr : g.bias.data());
    // int32 outputs are exact; requantized ones within 1 LSB (eq. 6's double rounding).
    ASSERT_TRUE(golden::within(got, g.expected, c.type == DType::kInt32 ? 0 : 1)) << "seed " << s;
    total += got.size();
    differing += golden::count_different(got, g.expected);
    for (int64_t v : got) clamped += (v == c.act_min || v == c.act_max);
  }
  // The 1-LSB slack is for near-ties only: rare for int8's small multipliers
  // (large right shift); int16's larger multipliers leave only a few bits
  // below the SRDHM rounding, so double rounding shows up more often there.
  const size_t allowed = c.type == DType::kInt16 ? total / 4 : total / 50;
  EXPECT_LE(differing, allowed) << differing << " of " << total << " off by one";
  if (c.gain > 1.0) {
    EXPECT_GT(clamped, 0u) << "case meant to hit the clamp did not";
  }
}

TEST(RefConv2dRandom, Basic3x3PerChannel) { check_random(ConvCase{}); }

TEST(RefConv2dRandom, PerTensor) {
  ConvCase c;
  c.per_channel = false;
  check_random(c);
}

TEST(RefConv2dRandom, AsymmetricPaddingStride2) {
  ConvCase c;
  c.in_h = 9;
  c.in_w = 8;
  c.stride_h = c.stride_w = 2;
  c.pad_top = 0;
  c.pad_left = 2;
  c.pad_bottom = 1;
  c.pad_right = 0;
  check_random(c);
}

TEST(RefConv2dRandom, DilationAndNonSquareKernel) {
  ConvCase c;
  c.in_h = 10;
  c.in_w = 9;
  c.kernel_h = 5;
  c.kernel_w = 3;
  c.stride_h = 2;
  c.dilation_h = 1;
  c.dilation_w = 3;
  c.pad_top = 2;
  c.pad_bottom = 1;
  c.pad_left = 3;
  c.pad_right = 2;
  check_random(c);
}

TEST(RefConv2dRandom, Groups) {
  ConvCase c;
  c.in_c = 6;
  c.out_c = 9;
  c.groups = 3;
  check_random(c);
}

TEST(RefConv2dRandom, Depthwise) {
  ConvCase c;
  c.in_c = c.out_c = c.groups = 8;
  c.stride_h = c.stride_w = 2;
  c.pad_top = c.pad_left = 0;
  check_random(c);
}

TEST(RefConv2dRandom, DepthwiseChannelMultiplier) {
  ConvCase c;
  c.in_c = c.groups = 4;
  c.out_c = 12;
  c.dilation_h = c.dilation_w = 2;
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = 2;
  check_random(c);
}

TEST(RefConv2dRandom, BatchAndPointwise) {
  ConvCase c;
  c.batch = 3;
  c.kernel_h = c.kernel_w = 1;
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = 0;
  c.in_c = 16;
  c.out_c = 5;
  check_random(c);
}

TEST(RefConv2dRandom, DeepAccumulator) {
  ConvCase c;
  c.in_c = 96;
  c.out_c = 6;
  c.in_h = c.in_w = 5;
  check_random(c, 2);
}

TEST(RefConv2dRandom, ExtremeZeroPoints) {
  ConvCase c;
  c.zin = -128;
  c.zout = 127;
  check_random(c);
  c.zin = 127;
  c.zout = -128;
  check_random(c);
}

TEST(RefConv2dRandom, ClampSaturation) {
  ConvCase c;
  c.gain = 6.0;
  check_random(c);
  c.act_min = -5;  // fused ReLU6-like range around Z_out
  c.act_max = 40;
  c.gain = 1.0;
  check_random(c);
}

TEST(RefConv2dRandom, Int16Output) {
  ConvCase c;
  c.type = DType::kInt16;
  c.zout = 0;
  c.act_min = -32768;
  c.act_max = 32767;
  check_random(c);
  c.gain = 8.0;
  check_random(c);
}

TEST(RefConv2dRandom, Int32Output) {
  ConvCase c;
  c.type = DType::kInt32;
  c.in_c = c.groups = 2;
  c.out_c = 6;
  check_random(c);
  c.with_bias = false;
  c.groups = 1;
  check_random(c);
}

TEST(RefConv2dRandom, NoBias) {
  ConvCase c;
  c.with_bias = false;
  check_random(c);
}

}  // namespace
}  // namespace dyad
