// ref::transpose_conv2d against hand-derived cases (exact) and a double
// golden written in scatter form (every input pixel times every tap lands on
// oy = iy*stride - pad_top + ky*dilation), within 1 LSB.
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

std::vector<int64_t> run_tconv(const ConvParams& p, const std::vector<int8_t>& input,
                               const std::vector<int8_t>& weights, const int32_t* bias) {
  const size_t n = static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.out_c;
  return golden::run_widened(p.output_type, n, [&](void* out) {
    ref::transpose_conv2d(p, input.data(), weights.data(), bias, out);
  });
}

// 2x2 real input [[1, 2], [3, 4]], one channel, 2x2 kernel, int32 output.
struct TinyTConv {
  ConvParams p;
  std::vector<int32_t> m0{1 << 30};
  std::vector<int8_t> shift{1};  // M = 1
  TinyTConv() {
    p.in_h = p.in_w = 2;
    p.in_c = p.out_c = 1;
    p.kernel_h = p.kernel_w = 2;
    p.requant = ChannelRequant{m0.data(), shift.data(), 1};
    p.output_type = DType::kInt32;
  }
};

TEST(RefTransposeConv2d, HandStride2TilesTheKernel) {
  TinyTConv t;
  t.p.stride_h = t.p.stride_w = 2;
  t.p.out_h = t.p.out_w = 4;
  t.p.input_zero_point = -10;
  // Each input value times the kernel [[1, 2], [3, 4]] fills its own 2x2 block.
  EXPECT_EQ(run_tconv(t.p, {-9, -8, -7, -6}, {1, 2, 3, 4}, nullptr),
            (std::vector<int64_t>{1, 2, 2, 4,  //
                                  3, 4, 6, 8,  //
                                  3, 6, 4, 8,  //
                                  9, 12, 12, 16}));
}

TEST(RefTransposeConv2d, HandStride1OverlapAndPaddingCrop) {
  TinyTConv t;
  t.p.out_h = t.p.out_w = 3;
  const std::vector<int8_t> ones(4, 1);
  // Full output of ones-kernel: [[1,3,2],[4,10,6],[3,7,4]].
  EXPECT_EQ(run_tconv(t.p, {1, 2, 3, 4}, ones, nullptr),
            (std::vector<int64_t>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
  // pad_top 1, pad_left 1: the output window starts at (1, 1).
  t.p.pad_top = t.p.pad_left = 1;
  t.p.out_h = t.p.out_w = 2;
  EXPECT_EQ(run_tconv(t.p, {1, 2, 3, 4}, ones, nullptr), (std::vector<int64_t>{10, 6, 7, 4}));
  // Asymmetric: pad_top 1, pad_left 0, out 2x3.
  t.p.pad_left = 0;
  t.p.out_w = 3;
  EXPECT_EQ(run_tconv(t.p, {1, 2, 3, 4}, ones, nullptr), (std::vector<int64_t>{4, 10, 6, 3, 7, 4}));
}

TEST(RefTransposeConv2d, HandDilationAndBias) {
  TinyTConv t;
  t.p.in_h = t.p.in_w = 1;
  t.p.dilation_h = t.p.dilation_w = 2;
  t.p.out_h = t.p.out_w = 3;
  const int32_t bias = 7;
  // Input 5, taps land on the corners; the rest is bias only.
  EXPECT_EQ(run_tconv(t.p, {5}, {1, 2, 3, 4}, &bias),
            (std::vector<int64_t>{12, 7, 17, 7, 7, 7, 22, 7, 27}));
}

TEST(RefTransposeConv2d, HandGroupsAndRequant) {
  TinyTConv t;
  t.p.in_h = t.p.in_w = t.p.out_h = t.p.out_w = 1;
  t.p.kernel_h = t.p.kernel_w = 1;
  t.p.in_c = t.p.out_c = t.p.groups = 2;
  EXPECT_EQ(run_tconv(t.p, {2, 3}, {4, 5}, nullptr), (std::vector<int64_t>{8, 15}));
  // int8 with M = 4 and Z_out = 90: 8*4+90 = 122, 15*4+90 -> 127.
  t.shift[0] = 3;
  t.p.output_type = DType::kInt8;
  t.p.output_zero_point = 90;
  EXPECT_EQ(run_tconv(t.p, {2, 3}, {4, 5}, nullptr), (std::vector<int64_t>{122, 127}));
}

TEST(RefTransposeConv2d, HandContributionsOutsideOutputDropped) {
  // Stride 2, out 3x3 (smaller than the full 4x4): row/column 3 dropped.
  TinyTConv t;
  t.p.stride_h = t.p.stride_w = 2;
  t.p.out_h = t.p.out_w = 3;
  EXPECT_EQ(run_tconv(t.p, {1, 2, 3, 4}, {1, 2, 3, 4}, nullptr),
            (std::vector<int64_t>{1, 2, 2, 3, 4, 6, 3, 6, 4}));
}

// ---- Random shapes against the scatter-form double golden. ----

struct TConvCase {
  int batch = 1, in_h = 4, in_w = 5, in_c = 3, out_c = 4;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 2, stride_w = 2, dilation_h = 1, dilation_w = 1;
  int pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;
  int extra_h = 1, extra_w = 0;  // output_padding
  int groups = 1;
  int32_t zin = -3, zout = 4;
  bool per_channel = true;
  DType type = DType::kInt8;
  int32_t act_min = -128, act_max = 127;
  double gain = 1.0;
};

void check_random(const TConvCase& c, int seeds = 4) {
  size_t total = 0, differing = 0, clamped = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937 rng(500 + seed);
    ConvParams p;
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
    p.out_h = (c.in_h - 1) * c.stride_h + c.dilation_h * (c.kernel_h - 1) + 1 - c.pad_top - c.pad_bottom + c.extra_h;
    p.out_w = (c.in_w - 1) * c.stride_w + c.dilation_w * (c.kernel_w - 1) + 1 - c.pad_left - c.pad_right + c.extra_w;
    p.input_zero_point = c.zin;
    p.output_zero_point = c.zout;
    p.act_min = c.act_min;
    p.act_max = c.act_max;
    p.output_type = c.type;
    const int icg = c.in_c / c.groups;
    const int ocg = c.out_c / c.groups;
    const auto input = golden::random_int8(rng, static_cast<size_t>(c.batch) * c.in_h * c.in_w * c.in_c);
    const auto weights =
        golden::random_int8(rng, static_cast<size_t>(c.out_c) * c.kernel_h * c.kernel_w * icg, -127, 127);
    const auto bias = golden::random_int32(rng, c.out_c, -20000, 20000);
    // Each output sums about icg * kh * kw / (stride_h * stride_w) products.
    const double k = std::max(1.0, static_cast<double>(icg) * c.kernel_h * c.kernel_w / (c.stride_h * c.stride_w));
    const double target = (c.type == DType::kInt16 ? 8000.0 : 60.0) * c.gain;
    const double m = target / (74.0 * 73.0 * std::sqrt(k));
    const auto mult = golden::random_multipliers(rng, c.per_channel ? c.out_c : 1, m / 3, m * 3);
    p.requant = ChannelRequant{mult.m0.data(), mult.shift.data(), static_cast<int32_t>(mult.m0.size())};

    const double s_in = golden::uniform_real(rng, 0.005, 0.1);
    const double s_out = golden::uniform_real(rng, 0.01, 0.5);
    std::vector<double> s_w(c.out_c);
    for (int oc = 0; oc < c.out_c; ++oc) s_w[oc] = mult.real(oc) * s_out / s_in;

    // Scatter: start from the bias, add every input x tap where it lands.
    const size_t n = static_cast<size_t>(c.batch) * p.out_h * p.out_w * c.out_c;
    std::vector<double> real(n);
    for (size_t i = 0; i < n; ++i) {
      const int oc = static_cast<int>(i % c.out_c);
      real[i] = bias[oc] * s_in * s_w[oc];
    }
    for (int b = 0; b < c.batch; ++b)
      for (int iy = 0; iy < c.in_h; ++iy)
        for (int ix = 0; ix < c.in_w; ++ix)
          for (int oc = 0; oc < c.out_c; ++oc)
            for (int ky = 0; ky < c.kernel_h; ++ky)
              for (int kx = 0; kx < c.kernel_w; ++kx) {
                const int oy = iy * c.stride_h - c.pad_top + ky * c.dilation_h;
                const int ox = ix * c.stride_w - c.pad_left + kx * c.dilation_w;
                if (oy < 0 || oy >= p.out_h || ox < 0 || ox >= p.out_w) continue;
                const int group = oc / ocg;
                for (int ic = 0; ic < icg; ++ic) {
                  const double in = dequantize_value(
                      input[((static_cast<size_t>(b) * c.in_h + iy) * c.in_w + ix) * c.in_c + group * icg + ic], s_in,
                      c.zin);
                  const double w =
                      s_w[oc] * weights[((static_cast<size_t>(oc) * c.kernel_h + ky) * c.kernel_w + kx) * icg + ic];
                  real[((static_cast<size_t>(b) * p.out_h + oy) * p.out_w + ox) * c.out_c + oc] += in * w;
                }
              }
    std::vector<int64_t> expected(n);
    for (size_t i = 0; i < n; ++i) {
      const int oc = static_cast<int>(i % c.out_c);
      expected[i] = c.type == DType::kInt32 ? std::llround(real[i] / (s_in * s_w[oc]))
                                            : quantize_value(real[i], s_out, c.zout, c.act_min, c.act_max);
    }
    const auto got = run_tconv(p, input, weights, bias.data());
    ASSERT_TRUE(golden::within(got, expected, c.type == DType::kInt32 ? 0 : 1)) << "seed " << seed;
    total += n;
    differing += golden::count_different(got, expected);
    for (int64_t v : got) clamped += (v == c.act_min || v == c.act_max);
  }
  const size_t allowed = c.type == DType::kInt16 ? total / 4 : total / 50;
  EXPECT_LE(differing, allowed) << differing << " of " << total << " off by one";
  if (c.gain > 1.0) {
    EXPECT_GT(clamped, 0u);
  }
}

TEST(RefTransposeConv2dRandom, Stride2Pad1) { check_random(TConvCase{}); }

TEST(RefTransposeConv2dRandom, Stride1PerTensor) {
  TConvCase c;
  c.stride_h = c.stride_w = 1;
  c.extra_h = 0;
  c.per_channel = false;
  check_random(c);
}

TEST(RefTransposeConv2dRandom, AsymmetricPaddingMixedStrides) {
  TConvCase c;
  c.stride_h = 3;
  c.stride_w = 2;
  c.kernel_h = 4;
  c.kernel_w = 2;
  c.pad_top = 2;
  c.pad_left = 0;
  c.pad_bottom = 0;
  c.pad_right = 1;
  c.extra_h = 2;
  c.extra_w = 1;
  check_random(c);
}

TEST(RefTransposeConv2dRandom, Dilation) {
  TConvCase c;
  c.dilation_h = 2;
  c.dilation_w = 3;
  c.pad_top = 3;
  c.pad_right = 2;
  check_random(c);
}

TEST(RefTransposeConv2dRandom, GroupsAndDepthwiseMultiplier) {
  TConvCase c;
  c.in_c = 6;
  c.out_c = 4;
  c.groups = 2;
  check_random(c);
  c.in_c = c.groups = 3;
  c.out_c = 6;
  check_random(c);
}

TEST(RefTransposeConv2dRandom, BatchAndZeroPoints) {
  TConvCase c;
  c.batch = 2;
  c.zin = -128;
  c.zout = 127;
  check_random(c);
  c.zin = 127;
  c.zout = -128;
  check_random(c);
}

TEST(RefTransposeConv2dRandom, ClampInt16Int32) {
  TConvCase c;
  c.gain = 6.0;
  check_random(c);
  c.type = DType::kInt16;
  c.zout = 0;
  c.act_min = -32768;
  c.act_max = 32767;
  c.gain = 1.0;
  check_random(c);
  c.gain = 8.0;
  check_random(c);
  c.type = DType::kInt32;  // raw accumulator: no clamp
  c.gain = 1.0;
  check_random(c);
}

}  // namespace
}  // namespace dyad
