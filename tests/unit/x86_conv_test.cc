// Optimized x86 Conv2D / FullyConnected (kernels/conv_kernels.h) against the
// reference kernels, tolerance 0, on every x86 path this CPU runs. Paths the
// build or the CPU lacks are reported as skipped.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

// How the random data of one case is drawn.
struct DataSpec {
  int32_t in_lo = -128, in_hi = 127;    // input values
  int32_t w_lo = -127, w_hi = 127;      // weight values
  int32_t bias_lo = -5000, bias_hi = 5000;
  double real_lo = 0, real_hi = 0;      // real multiplier range; 0: derived from K
  bool per_channel = true;
  bool with_bias = true;
  const golden::Multipliers* fixed = nullptr;  // use these multipliers as given
};

struct Requant {
  golden::Multipliers m;
  ChannelRequant view() const {
    ChannelRequant r;
    r.multiplier = m.m0.data();
    r.shift = m.shift.data();
    r.count = static_cast<int32_t>(m.m0.size());
    return r;
  }
};

// Multipliers that spread eq. 2's accumulator (std ~ sqrt(K) * 74 * w_std)
// over the int8 range (int16 outputs: 256 times wider), unless the spec
// gives its own range.
Requant make_requant(std::mt19937& rng, const DataSpec& d, int32_t channels, int64_t k,
                     DType out = DType::kInt8) {
  if (d.fixed != nullptr) return Requant{*d.fixed};
  double lo = d.real_lo, hi = d.real_hi;
  if (lo == 0) {
    const double w_std = std::max(1.0, (d.w_hi - d.w_lo) / 3.5);
    const double in_std = std::max(1.0, (d.in_hi - d.in_lo) / 3.5);
    const double range = out == DType::kInt16 ? 40.0 * 256 : 40.0;
    const double target = range / (std::sqrt(static_cast<double>(k)) * w_std * in_std);
    lo = target / 4;
    hi = target * 4;
  }
  Requant r;
  r.m = golden::random_multipliers(rng, d.per_channel ? channels : 1, lo, hi);
  return r;
}

const char* out_type_name(DType t) {
  return t == DType::kInt16 ? "int16" : t == DType::kInt32 ? "int32" : "int8";
}

std::string conv_name(const ConvParams& p) {
  std::ostringstream s;
  s << "b" << p.batch << " " << p.in_h << "x" << p.in_w << "x" << p.in_c << " -> " << p.out_h
    << "x" << p.out_w << "x" << p.out_c << " k" << p.kernel_h << "x" << p.kernel_w << " s"
    << p.stride_h << "," << p.stride_w << " d" << p.dilation_h << "," << p.dilation_w << " pad "
    << p.pad_top << "," << p.pad_left << " g" << p.groups << " zin " << p.input_zero_point
    << " zout " << p.output_zero_point << " clamp [" << p.act_min << "," << p.act_max << "] out "
    << out_type_name(p.output_type);
  return s.str();
}

// Output size for the given padding on the top/left and `extra` on the
// bottom/right (asymmetric padding).
int32_t out_dim(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_before,
                int32_t pad_after) {
  const int32_t span = dilation * (kernel - 1) + 1;
  return (in + pad_before + pad_after - span) / stride + 1;
}

ConvParams make_conv(int32_t batch, int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_c,
                     int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_top,
                     int32_t pad_left, int32_t pad_bottom, int32_t pad_right, int32_t groups) {
  ConvParams p;
  p.batch = batch;
  p.in_h = in_h;
  p.in_w = in_w;
  p.in_c = in_c;
  p.out_c = out_c;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = pad_top;
  p.pad_left = pad_left;
  p.groups = groups;
  p.out_h = out_dim(in_h, kernel, stride, dilation, pad_top, pad_bottom);
  p.out_w = out_dim(in_w, kernel, stride, dilation, pad_left, pad_right);
  return p;
}

// The output bytes as values of `type` (int8, int16 or int32).
std::vector<int64_t> output_values(const uint8_t* bytes, int64_t count, DType type) {
  std::vector<int64_t> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    if (type == DType::kInt16) {
      int16_t x;
      std::memcpy(&x, bytes + 2 * i, sizeof(x));
      v[i] = x;
    } else if (type == DType::kInt32) {
      int32_t x;
      std::memcpy(&x, bytes + 4 * i, sizeof(x));
      v[i] = x;
    } else {
      v[i] = static_cast<int8_t>(bytes[i]);
    }
  }
  return v;
}

class X86ConvTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " kernels are not built in this configuration";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not support " << isa_name(GetParam());
    }
  }

  // Runs one conv on the optimized path (split into `splits` row ranges, as
  // threads would) and the reference; expects identical bytes and no write
  // outside the output.
  void check_conv(ConvParams p, const DataSpec& d, uint32_t seed, int splits = 1) {
    std::mt19937 rng(seed);
    const int64_t in_count = int64_t{p.batch} * p.in_h * p.in_w * p.in_c;
    const int64_t k = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
    const std::vector<int8_t> input = golden::random_int8(rng, in_count, d.in_lo, d.in_hi);
    const std::vector<int8_t> weights = golden::random_int8(rng, p.out_c * k, d.w_lo, d.w_hi);
    const std::vector<int32_t> bias = golden::random_int32(rng, p.out_c, d.bias_lo, d.bias_hi);
    const Requant rq = make_requant(rng, d, p.out_c, k, p.output_type);
    p.requant = rq.view();
    const int32_t* bias_ptr = d.with_bias ? bias.data() : nullptr;

    const int64_t rows = conv2d_rows(p);
    const int64_t out_count = rows * p.out_c;
    const int64_t out_bytes = out_count * static_cast<int64_t>(dtype_size(p.output_type));
    std::vector<uint8_t> expected_bytes(out_bytes);
    ref::conv2d(p, input.data(), weights.data(), bias_ptr, expected_bytes.data());

    ASSERT_TRUE(conv2d_can_use(GetParam(), p)) << conv_name(p);
    const PackedConv packed = conv2d_pack(GetParam(), p, weights.data(), bias_ptr);
    ASSERT_TRUE(packed.valid());
    std::vector<uint8_t> scratch(conv2d_scratch_bytes(packed));
    constexpr int kGuard = 64;
    std::vector<uint8_t> out(out_bytes + 2 * kGuard, uint8_t{0x5a});
    int64_t begin = 0;
    for (int s = 0; s < splits; ++s) {
      const int64_t end = s + 1 == splits ? rows : golden::uniform_int(rng, begin, rows);
      conv2d_run(packed, p, input.data(), out.data() + kGuard, scratch.data(), begin, end);
      begin = end;
    }
    for (int i = 0; i < kGuard; ++i) {
      ASSERT_EQ(out[i], 0x5a) << "write before the output";
      ASSERT_EQ(out[kGuard + out_bytes + i], 0x5a) << "write after the output";
    }
    const std::vector<int64_t> actual = output_values(out.data() + kGuard, out_count, p.output_type);
    const std::vector<int64_t> expected =
        output_values(expected_bytes.data(), out_count, p.output_type);
    EXPECT_TRUE(golden::within(actual, expected, 0)) << conv_name(p) << " seed " << seed;
    // The case must exercise the requantization, not just one clamp bound.
    const auto [lo, hi] = std::minmax_element(expected.begin(), expected.end());
    if (out_count >= 64 && d.real_lo == 0) {
      EXPECT_LT(*lo, *hi) << "degenerate case (all outputs equal): " << conv_name(p);
    }
  }

  void check_fc(int32_t rows, int32_t k, int32_t n, const DataSpec& d, uint32_t seed,
                int32_t z_in = 3, int32_t z_out = -5, DType out_type = DType::kInt8,
                int32_t act_min = -128, int32_t act_max = 127) {
    std::mt19937 rng(seed);
    FullyConnectedParams p;
    p.rows = rows;
    p.k = k;
    p.n = n;
    p.input_zero_point = z_in;
    p.output_zero_point = z_out;
    p.output_type = out_type;
    p.act_min = act_min;
    p.act_max = act_max;
    const std::vector<int8_t> input = golden::random_int8(rng, int64_t{rows} * k, d.in_lo, d.in_hi);
    const std::vector<int8_t> weights = golden::random_int8(rng, int64_t{n} * k, d.w_lo, d.w_hi);
    const std::vector<int32_t> bias = golden::random_int32(rng, n, d.bias_lo, d.bias_hi);
    const Requant rq = make_requant(rng, d, n, k, out_type);
    p.requant = rq.view();
    const int32_t* bias_ptr = d.with_bias ? bias.data() : nullptr;
    const int64_t count = int64_t{rows} * n;
    const size_t elem = dtype_size(out_type);
    std::vector<uint8_t> expected(count * elem);
    ref::fully_connected(p, input.data(), weights.data(), bias_ptr, expected.data());

    ASSERT_TRUE(fully_connected_can_use(GetParam(), p));
    const PackedFullyConnected packed =
        fully_connected_pack(GetParam(), p, weights.data(), bias_ptr);
    ASSERT_TRUE(packed.valid());
    std::vector<uint8_t> scratch(fully_connected_scratch_bytes(packed));
    std::vector<uint8_t> actual(count * elem, uint8_t{0x5a});
    fully_connected_run(packed, p, input.data(), actual.data(), scratch.data(), 0, rows);
    EXPECT_TRUE(golden::within(output_values(actual.data(), count, out_type),
                               output_values(expected.data(), count, out_type), 0))
        << "fc rows " << rows << " k " << k << " n " << n << " seed " << seed << " out "
        << out_type_name(out_type);
  }
};

// K below, at and above every block size (2, 4) and unroll; N and rows around
// every tile size (16, 32 channels; 4, 6, 8 rows).
TEST_P(X86ConvTest, FullyConnectedShapes) {
  const int32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 255, 256, 257, 1001};
  const int32_t ns[] = {1, 5, 15, 16, 17, 31, 32, 33, 47, 64, 100};
  const int32_t rows[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 17};
  uint32_t seed = 1;
  for (int32_t k : ks) {
    for (int32_t n : ns) {
      const int32_t r = rows[(seed * 7) % (sizeof(rows) / sizeof(rows[0]))];
      check_fc(r, k, n, DataSpec{}, seed++);
    }
  }
  for (int32_t r : rows) check_fc(r, 37, 40, DataSpec{}, seed++);
}

TEST_P(X86ConvTest, FullyConnectedZeroPointsAndNoBias) {
  DataSpec no_bias;
  no_bias.with_bias = false;
  check_fc(9, 70, 35, no_bias, 11, -128, 127);
  check_fc(9, 70, 35, DataSpec{}, 12, 127, -128);
  DataSpec per_tensor;
  per_tensor.per_channel = false;
  check_fc(5, 300, 20, per_tensor, 13, 0, 0);
}

TEST_P(X86ConvTest, PointwiseConv) {
  uint32_t seed = 100;
  for (int32_t in_c : {1, 3, 8, 13, 24, 64}) {
    for (int32_t out_c : {1, 7, 16, 24, 33, 64}) {
      ConvParams p = make_conv(1, 5, 7, in_c, out_c, 1, 1, 1, 0, 0, 0, 0, 1);
      p.input_zero_point = -7;
      p.output_zero_point = 9;
      check_conv(p, DataSpec{}, seed++);
    }
  }
  // Batch 2, and a strided 1x1 (not the contiguous fast path).
  check_conv(make_conv(2, 6, 5, 20, 18, 1, 1, 1, 0, 0, 0, 0, 1), DataSpec{}, seed++);
  check_conv(make_conv(1, 9, 9, 20, 18, 1, 2, 1, 0, 0, 0, 0, 1), DataSpec{}, seed++);
}

TEST_P(X86ConvTest, SpatialConvShapes) {
  uint32_t seed = 200;
  struct Case {
    int32_t batch, h, w, in_c, out_c, kernel, stride, dilation, pt, pl, pb, pr, groups;
  };
  const Case cases[] = {
      {1, 8, 8, 3, 32, 3, 2, 1, 0, 0, 1, 1, 1},    // stem-like, asymmetric (TF SAME) padding
      {1, 7, 9, 16, 16, 3, 1, 1, 1, 1, 1, 1, 1},
      {1, 6, 6, 5, 17, 3, 1, 1, 0, 0, 0, 0, 1},    // valid padding
      {2, 9, 7, 8, 40, 3, 2, 1, 1, 1, 1, 1, 1},    // batch 2, stride 2
      {1, 9, 9, 6, 20, 5, 1, 1, 2, 2, 2, 2, 1},    // 5x5
      {1, 11, 10, 7, 9, 5, 2, 1, 1, 2, 2, 1, 1},   // 5x5 s2 asymmetric
      {1, 10, 10, 4, 12, 3, 1, 2, 2, 2, 2, 2, 1},  // dilation 2
      {1, 12, 11, 4, 12, 3, 2, 3, 0, 3, 1, 0, 1},  // dilation 3, s2, odd padding
      {1, 6, 6, 12, 18, 3, 1, 1, 1, 1, 1, 1, 3},   // groups 3
      {1, 6, 5, 16, 64, 3, 1, 1, 1, 1, 1, 1, 4},   // groups 4, 16 per group
      {1, 7, 7, 24, 24, 3, 1, 1, 1, 1, 1, 1, 24},  // depthwise 3x3 s1
      {1, 8, 8, 17, 17, 3, 2, 1, 0, 0, 1, 1, 17},  // depthwise s2, odd channels
      {1, 5, 5, 6, 12, 3, 1, 1, 1, 1, 1, 1, 6},    // channel multiplier 2
      {1, 4, 4, 64, 96, 3, 1, 1, 1, 1, 1, 1, 1},   // K = 576
      {1, 3, 3, 2, 5, 3, 1, 1, 2, 2, 2, 2, 1},     // padding larger than input border
  };
  for (const Case& c : cases) {
    ConvParams p = make_conv(c.batch, c.h, c.w, c.in_c, c.out_c, c.kernel, c.stride, c.dilation,
                             c.pt, c.pl, c.pb, c.pr, c.groups);
    p.input_zero_point = static_cast<int32_t>(seed % 21) - 10;
    p.output_zero_point = static_cast<int32_t>(seed % 13) - 6;
    check_conv(p, DataSpec{}, seed++);
  }
}

// Depthwise (its own kernels): channel counts around the 8/16-lane vectors,
// 3x3 and 5x5, strides 1/2, dilation, asymmetric padding, row splits.
TEST_P(X86ConvTest, DepthwiseShapes) {
  uint32_t seed = 250;
  for (int32_t c : {2, 7, 8, 9, 15, 16, 17, 24, 25, 31, 33, 40, 144}) {
    for (int32_t stride : {1, 2}) {
      ConvParams p = make_conv(1, 9, 8, c, c, 3, stride, 1, 1, 1, 1, 1, c);
      p.input_zero_point = static_cast<int32_t>(seed % 31) - 15;
      p.output_zero_point = static_cast<int32_t>(seed % 17) - 8;
      check_conv(p, DataSpec{}, seed++, 2);
    }
  }
  check_conv(make_conv(2, 11, 9, 24, 24, 5, 1, 1, 2, 2, 2, 2, 24), DataSpec{}, seed++);
  check_conv(make_conv(1, 12, 12, 20, 20, 5, 2, 1, 1, 2, 2, 1, 20), DataSpec{}, seed++);
  check_conv(make_conv(1, 12, 12, 18, 18, 3, 1, 2, 2, 2, 2, 2, 18), DataSpec{}, seed++);
  check_conv(make_conv(1, 8, 8, 40, 40, 3, 2, 1, 0, 0, 1, 1, 40), DataSpec{}, seed++, 3);
  check_conv(make_conv(1, 2, 2, 16, 16, 3, 1, 1, 1, 1, 1, 1, 16), DataSpec{}, seed++);
  // Zero points at the ends, narrow clamp, positive shifts.
  ConvParams p = make_conv(1, 7, 7, 21, 21, 3, 1, 1, 1, 1, 1, 1, 21);
  p.input_zero_point = -128;
  p.output_zero_point = 127;
  p.act_min = -20;
  p.act_max = 90;
  check_conv(p, DataSpec{}, seed++);
  p.input_zero_point = 127;
  p.output_zero_point = -128;
  check_conv(p, DataSpec{}, seed++);
  DataSpec small;
  small.in_lo = -2;
  small.in_hi = 2;
  small.w_lo = -3;
  small.w_hi = 3;
  small.real_lo = 2;
  small.real_hi = 20;
  small.bias_lo = -(1 << 28);
  small.bias_hi = 1 << 28;
  p.input_zero_point = 0;
  p.output_zero_point = 0;
  p.act_min = -128;
  p.act_max = 127;
  check_conv(p, small, seed++);
  DataSpec extreme;
  extreme.in_lo = extreme.in_hi = -128;
  extreme.w_lo = extreme.w_hi = -128;
  extreme.real_lo = 1e-5;
  extreme.real_hi = 1e-4;
  p.input_zero_point = 127;
  check_conv(p, extreme, seed++);
}

// Shapes aimed at the VNNI depthwise layout (4 taps of one kernel column per
// lane, 32-channel blocks, the last block overlapping the one before, rows
// in runs of 64 pixels): channel counts around 32 and 64, kernel heights
// past 4 (two tap groups per column), non-square kernels, 1x1, rows wider
// than a run, dilation with stride, padding on every side, row splits that
// cut output rows anywhere.
// Rows wide enough for the driver's interior path (x86/dwconv_driver.h):
// tap lists moved by one column step, two pixels per kernel call, an odd
// interior length, padding rows above and below, and row ranges that start
// and end inside a row (splits), so a pair never crosses a range end.
TEST_P(X86ConvTest, DepthwiseInteriorPixelPairs) {
  uint32_t seed = 900;
  for (int32_t c : {8, 16, 24, 40, 144}) {
    for (int32_t kernel : {3, 5}) {
      for (int32_t stride : {1, 2}) {
        for (int32_t in_w : {13, 18}) {
          const int32_t pad = kernel / 2;
          check_conv(make_conv(1, 6, in_w, c, c, kernel, stride, 1, pad, pad, pad, pad, c),
                     DataSpec{}, seed++, 5);
        }
      }
    }
    // Dilation 2, no left padding, asymmetric right padding; batch 2.
    check_conv(make_conv(2, 7, 19, c, c, 3, 1, 2, 2, 0, 1, 3, c), DataSpec{}, seed++, 4);
  }
}

TEST_P(X86ConvTest, DepthwiseColumnGroups) {
  uint32_t seed = 900;
  for (int32_t c : {1, 3, 31, 32, 33, 48, 63, 64, 65, 96, 97}) {
    for (int32_t stride : {1, 2}) {
      ConvParams p = make_conv(1, 7, 10, c, c, 3, stride, 1, 1, 1, 1, 1, c);
      p.input_zero_point = static_cast<int32_t>(seed % 29) - 14;
      p.output_zero_point = static_cast<int32_t>(seed % 11) - 5;
      check_conv(p, DataSpec{}, seed++, 3);
    }
  }
  // kernel_h x kernel_w, non-square: out sizes recomputed for each.
  const int32_t kernels[][2] = {{1, 1}, {2, 2}, {4, 4}, {5, 5}, {7, 7}, {3, 5}, {5, 3}, {9, 1}, {1, 4}};
  for (const auto& k : kernels) {
    for (int32_t stride : {1, 2}) {
      ConvParams p = make_conv(2, 11, 12, 40, 40, 1, stride, 1, 0, 0, 0, 0, 40);
      p.kernel_h = k[0];
      p.kernel_w = k[1];
      p.pad_top = k[0] / 2;
      p.pad_left = (k[1] - 1) / 2;
      p.out_h = out_dim(p.in_h, k[0], stride, 1, p.pad_top, k[0] - 1 - k[0] / 2);
      p.out_w = out_dim(p.in_w, k[1], stride, 1, p.pad_left, k[1] / 2 + 1);
      p.input_zero_point = static_cast<int32_t>(seed % 23) - 11;
      p.output_zero_point = static_cast<int32_t>(seed % 7) - 3;
      check_conv(p, DataSpec{}, seed++, 4);
    }
  }
  // Rows wider than one run (64 outputs), stride 1 and 2.
  check_conv(make_conv(1, 3, 150, 36, 36, 3, 1, 1, 1, 1, 1, 1, 36), DataSpec{}, seed++, 5);
  check_conv(make_conv(1, 4, 200, 33, 33, 3, 2, 1, 0, 0, 1, 1, 33), DataSpec{}, seed++, 5);
  // Dilation 2 with stride 2; padding larger than the kernel reach.
  check_conv(make_conv(1, 13, 13, 34, 34, 3, 2, 2, 2, 2, 2, 2, 34), DataSpec{}, seed++, 2);
  check_conv(make_conv(1, 3, 4, 32, 32, 3, 1, 1, 3, 2, 3, 4, 32), DataSpec{}, seed++);
  // Zero points -128 / 127 with saturating outputs on 64+ channels, and
  // positive shifts (the left-shift epilogue) on the overlapping layout.
  for (const auto& z : {std::pair<int, int>{-128, 127}, std::pair<int, int>{127, -128}}) {
    ConvParams p = make_conv(1, 6, 6, 70, 70, 3, 1, 1, 1, 1, 1, 1, 70);
    p.input_zero_point = z.first;
    p.output_zero_point = z.second;
    DataSpec sat;
    sat.real_lo = 1e-3;  // outputs pile up at both bounds
    sat.real_hi = 3e-2;
    check_conv(p, sat, seed++, 2);
  }
  ConvParams p = make_conv(1, 5, 5, 40, 40, 3, 1, 1, 1, 1, 1, 1, 40);
  DataSpec left;
  left.in_lo = -3;
  left.in_hi = 3;
  left.w_lo = -2;
  left.w_hi = 2;
  left.real_lo = 1.5;
  left.real_hi = 30;
  left.bias_lo = -100;
  left.bias_hi = 100;
  check_conv(p, left, seed++);
}

TEST_P(X86ConvTest, ZeroPointExtremesAndClamps) {
  uint32_t seed = 300;
  const int32_t zps[][2] = {{-128, -128}, {-128, 127}, {127, -128}, {127, 127}, {0, 0}};
  for (const auto& z : zps) {
    ConvParams p = make_conv(1, 7, 6, 10, 21, 3, 1, 1, 1, 1, 1, 1, 1);
    p.input_zero_point = z[0];
    p.output_zero_point = z[1];
    DataSpec d;
    d.real_lo = 1e-5;  // outputs pile up at the bounds: fine here
    d.real_hi = 1e-3;
    check_conv(p, d, seed++);
  }
  // Narrow and ReLU6-like clamp ranges.
  const int32_t clamps[][2] = {{-10, 20}, {-128, -128}, {127, 127}, {-3, 3}, {-128, 0}};
  for (const auto& c : clamps) {
    ConvParams p = make_conv(1, 5, 5, 9, 19, 3, 2, 1, 1, 1, 1, 1, 1);
    p.input_zero_point = 5;
    p.output_zero_point = -12;
    p.act_min = c[0];
    p.act_max = c[1];
    DataSpec d;
    d.real_lo = 1e-4;
    d.real_hi = 1e-3;
    check_conv(p, d, seed++);
  }
}

TEST_P(X86ConvTest, PerTensorMultiplierAndNoBias) {
  DataSpec d;
  d.per_channel = false;
  check_conv(make_conv(1, 6, 6, 12, 40, 3, 1, 1, 1, 1, 1, 1, 1), d, 400);
  d.with_bias = false;
  check_conv(make_conv(1, 6, 6, 12, 40, 1, 1, 1, 0, 0, 0, 0, 1), d, 401);
}

// Positive shifts (M > 1): small weights and inputs near Z_in; a large bias
// makes the saturating left shift saturate in some channels.
TEST_P(X86ConvTest, PositiveShiftsAndLeftShiftSaturation) {
  DataSpec d;
  d.in_lo = -3;
  d.in_hi = 3;
  d.w_lo = -2;
  d.w_hi = 2;
  d.bias_lo = -20;
  d.bias_hi = 20;
  d.real_lo = 1.5;
  d.real_hi = 30;
  ConvParams p = make_conv(1, 6, 5, 8, 36, 3, 1, 1, 1, 1, 1, 1, 1);
  check_conv(p, d, 500);
  d.bias_lo = -(1 << 30);
  d.bias_hi = 1 << 30;
  d.real_lo = 100;
  d.real_hi = 1e6;
  check_conv(p, d, 501);
  // Shifts at both ends of the allowed range.
  d = DataSpec{};
  d.real_lo = 1e-9;  // shift near -31: everything rounds to 0 or +-1
  d.real_hi = 1e-8;
  check_conv(p, d, 502);
}

// Multipliers outside the verifier's normalized range (small or negative M0)
// with large left shifts: only these expose the exact value of a saturated
// left shift (INT32_MAX, not INT32_MAX rounded down to a multiple of 2^shift).
TEST_P(X86ConvTest, UnnormalizedMultipliersWithLeftShift) {
  std::mt19937 rng(550);
  golden::Multipliers m;
  for (int c = 0; c < 40; ++c) {
    const int32_t magnitude = golden::uniform_int(rng, 1, 7);
    m.m0.push_back(c % 3 == 0 ? -magnitude : magnitude);
    m.shift.push_back(static_cast<int8_t>(golden::uniform_int(rng, 20, 30)));
  }
  DataSpec d;
  d.fixed = &m;
  d.real_lo = 1;  // no degenerate-output check
  d.bias_lo = -(1 << 30);
  d.bias_hi = 1 << 30;
  check_conv(make_conv(1, 5, 6, 8, 40, 3, 1, 1, 1, 1, 1, 1, 1), d, 551);
  d.bias_lo = -3000;
  d.bias_hi = 3000;
  check_conv(make_conv(1, 5, 6, 8, 40, 1, 1, 1, 0, 0, 0, 0, 1), d, 552);
}

// Extreme values: all inputs at -128/127 against weights -128/127 (the
// accumulator extremes of eq. 2) and large biases.
TEST_P(X86ConvTest, SaturatingValues) {
  uint32_t seed = 600;
  for (int32_t in_v : {-128, 127}) {
    for (int32_t w_v : {-128, 127}) {
      for (int32_t z_in : {-128, 127}) {
        DataSpec d;
        d.in_lo = d.in_hi = in_v;
        d.w_lo = d.w_hi = w_v;
        d.bias_lo = -(1 << 24);
        d.bias_hi = 1 << 24;
        d.real_lo = 1e-7;
        d.real_hi = 1e-4;
        ConvParams p = make_conv(1, 5, 5, 64, 20, 3, 1, 1, 1, 1, 1, 1, 1);
        p.input_zero_point = z_in;
        check_conv(p, d, seed++);
      }
    }
  }
  DataSpec wide;
  wide.w_lo = -128;
  check_conv(make_conv(1, 4, 4, 300, 33, 3, 1, 1, 1, 1, 1, 1, 1), wide, seed++);
}

// Any split of the output rows (as the thread pool makes) gives the same bytes.
TEST_P(X86ConvTest, RowRangeSplits) {
  for (uint32_t seed = 700; seed < 710; ++seed) {
    check_conv(make_conv(1, 9, 7, 11, 37, 3, 1, 1, 1, 1, 1, 1, 1), DataSpec{}, seed, 4);
    check_conv(make_conv(2, 5, 5, 24, 20, 1, 1, 1, 0, 0, 0, 0, 1), DataSpec{}, seed, 3);
  }
}

// int16 / int32 outputs (the GEMM epilogue variants): K below, at and above
// every block, N and rows around every tile, on FC and conv shapes.
TEST_P(X86ConvTest, WideOutputShapes) {
  const int32_t ks[] = {1, 3, 4, 5, 8, 17, 64, 96, 257};
  const int32_t ns[] = {1, 2, 6, 8, 15, 16, 17, 24, 31, 32, 33, 96};
  const int32_t rows[] = {1, 3, 4, 5, 6, 7, 8, 9, 17};
  uint32_t seed = 1100;
  for (DType out : {DType::kInt16, DType::kInt32}) {
    const int32_t lo = out == DType::kInt16 ? -32768 : 0, hi = out == DType::kInt16 ? 32767 : 0;
    for (int32_t k : ks) {
      for (int32_t n : ns) {
        const int32_t r = rows[(seed * 7) % (sizeof(rows) / sizeof(rows[0]))];
        check_fc(r, k, n, DataSpec{}, seed++, 3, 0, out, lo, hi);
      }
    }
    // BlazeFace-like heads (1x1, int16 out) and spatial / grouped convs.
    struct Case {
      int32_t h, w, in_c, out_c, kernel, stride, pad, groups;
    };
    const Case cases[] = {{8, 8, 96, 96, 1, 1, 0, 1},  {16, 16, 88, 32, 1, 1, 0, 1},
                          {8, 8, 96, 6, 1, 1, 0, 1},   {5, 7, 88, 2, 1, 1, 0, 1},
                          {7, 9, 16, 33, 3, 1, 1, 1},  {9, 7, 8, 40, 3, 2, 1, 1},
                          {6, 6, 12, 18, 3, 1, 1, 3},  {6, 5, 16, 64, 3, 1, 1, 4},
                          {9, 9, 20, 18, 1, 2, 0, 1}};
    for (const Case& c : cases) {
      ConvParams p = make_conv(1, c.h, c.w, c.in_c, c.out_c, c.kernel, c.stride, 1, c.pad, c.pad,
                               c.pad, c.pad, c.groups);
      p.output_type = out;
      p.act_min = lo == 0 ? -128 : lo;
      p.act_max = hi == 0 ? 127 : hi;
      p.input_zero_point = static_cast<int32_t>(seed % 21) - 10;
      check_conv(p, DataSpec{}, seed++, 3);
    }
  }
}

// int16 output: zero points, clamps at the int16 extremes and narrow ones,
// saturating values, positive shifts (left-shift epilogue), per-tensor, no bias.
TEST_P(X86ConvTest, Int16OutputEdges) {
  uint32_t seed = 1200;
  const int32_t zps[][2] = {{-128, 0}, {127, 0}, {-128, 300}, {127, -32768}, {0, 32767}};
  for (const auto& z : zps) {
    ConvParams p = make_conv(1, 6, 7, 24, 37, 1, 1, 1, 0, 0, 0, 0, 1);
    p.output_type = DType::kInt16;
    p.act_min = -32768;
    p.act_max = 32767;
    p.input_zero_point = z[0];
    p.output_zero_point = z[1];
    DataSpec d;
    d.real_lo = 0.5;  // outputs pile up at both int16 bounds
    d.real_hi = 40;
    check_conv(p, d, seed++, 2);
  }
  const int32_t clamps[][2] = {{-100, 100}, {-32768, -32768}, {32767, 32767}, {0, 6000},
                               {-128, 127}, {-32768, 0}};
  for (const auto& c : clamps) {
    ConvParams p = make_conv(1, 5, 5, 9, 19, 3, 2, 1, 1, 1, 1, 1, 1);
    p.output_type = DType::kInt16;
    p.input_zero_point = 5;
    p.output_zero_point = -12;
    p.act_min = c[0];
    p.act_max = c[1];
    DataSpec d;
    d.real_lo = 1e-2;
    d.real_hi = 1;
    check_conv(p, d, seed++);
  }
  // Saturating accumulators: all inputs / weights at the int8 extremes.
  for (int32_t in_v : {-128, 127}) {
    for (int32_t w_v : {-128, 127}) {
      DataSpec d;
      d.in_lo = d.in_hi = in_v;
      d.w_lo = d.w_hi = w_v;
      d.bias_lo = -(1 << 24);
      d.bias_hi = 1 << 24;
      d.real_lo = 1e-4;
      d.real_hi = 1e-1;
      ConvParams p = make_conv(1, 5, 5, 64, 20, 3, 1, 1, 1, 1, 1, 1, 1);
      p.output_type = DType::kInt16;
      p.act_min = -32768;
      p.act_max = 32767;
      p.input_zero_point = in_v == -128 ? 127 : -128;
      check_conv(p, d, seed++);
    }
  }
  // Positive shifts, with saturation of the left shift.
  DataSpec left;
  left.in_lo = -3;
  left.in_hi = 3;
  left.w_lo = -2;
  left.w_hi = 2;
  left.bias_lo = -20;
  left.bias_hi = 20;
  left.real_lo = 1.5;
  left.real_hi = 3000;
  ConvParams p = make_conv(1, 6, 5, 8, 36, 3, 1, 1, 1, 1, 1, 1, 1);
  p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  check_conv(p, left, seed++, 2);
  left.bias_lo = -(1 << 30);
  left.bias_hi = 1 << 30;
  left.real_lo = 100;
  left.real_hi = 1e6;
  check_conv(p, left, seed++);
  DataSpec per_tensor;
  per_tensor.per_channel = false;
  per_tensor.with_bias = false;
  check_conv(p, per_tensor, seed++);
  check_fc(9, 70, 35, per_tensor, seed++, -128, 0, DType::kInt16, -32768, 32767);
  check_fc(9, 70, 35, DataSpec{}, seed++, 127, 0, DType::kInt16, -1000, 1000);
}

// int32 output: the raw accumulator, with zero points at the ends, no bias,
// large biases and extreme inputs (still inside int32).
TEST_P(X86ConvTest, Int32OutputEdges) {
  uint32_t seed = 1300;
  for (int32_t z_in : {-128, 127}) {
    DataSpec d;
    d.in_lo = d.in_hi = z_in == -128 ? 127 : -128;
    d.w_lo = d.w_hi = -128;
    d.bias_lo = -(1 << 28);
    d.bias_hi = 1 << 28;
    d.real_lo = 1;  // no degenerate-output check
    ConvParams p = make_conv(1, 5, 5, 64, 20, 3, 1, 1, 1, 1, 1, 1, 1);
    p.output_type = DType::kInt32;
    p.input_zero_point = z_in;
    check_conv(p, d, seed++, 2);
  }
  DataSpec no_bias;
  no_bias.with_bias = false;
  ConvParams p = make_conv(2, 5, 6, 13, 45, 3, 2, 1, 1, 0, 1, 1, 1);
  p.output_type = DType::kInt32;
  p.input_zero_point = -7;
  check_conv(p, no_bias, seed++, 3);
  check_fc(13, 300, 70, no_bias, seed++, -128, 0, DType::kInt32, 0, 0);
}

// Any split of the rows gives the same bytes for int16 / int32 outputs too.
TEST_P(X86ConvTest, WideOutputRowSplits) {
  for (uint32_t seed = 1400; seed < 1406; ++seed) {
    for (DType out : {DType::kInt16, DType::kInt32}) {
      ConvParams p = make_conv(1, 9, 7, 11, 37, 3, 1, 1, 1, 1, 1, 1, 1);
      p.output_type = out;
      p.act_min = -20000;
      p.act_max = 20000;
      check_conv(p, DataSpec{}, seed, 4);
      ConvParams q = make_conv(2, 5, 5, 96, 96, 1, 1, 1, 0, 0, 0, 0, 1);
      q.output_type = out;
      q.act_min = -32768;
      q.act_max = 32767;
      check_conv(q, DataSpec{}, seed, 5);
    }
  }
}

TEST_P(X86ConvTest, UnsupportedParametersFallBack) {
  const int32_t m = 1 << 30;
  const int8_t s = 0;
  ConvParams p = make_conv(1, 4, 4, 8, 8, 3, 1, 1, 1, 1, 1, 1, 1);
  p.requant.multiplier = &m;
  p.requant.shift = &s;
  EXPECT_TRUE(conv2d_can_use(GetParam(), p));
  p.output_type = DType::kInt16;
  EXPECT_TRUE(conv2d_can_use(GetParam(), p));
  p.act_min = -32769;  // outside int16
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.act_min = -128;
  p.output_zero_point = 40000;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.output_zero_point = 0;
  p.output_type = DType::kInt32;
  EXPECT_TRUE(conv2d_can_use(GetParam(), p));
  // Depthwise kernels store int8 or int16 (the AVX2 kernel on every path), not int32.
  ConvParams dw = make_conv(1, 4, 4, 8, 8, 3, 1, 1, 1, 1, 1, 1, 8);
  dw.requant = p.requant;
  dw.output_type = DType::kInt16;
  dw.act_min = -32768;
  dw.act_max = 32767;
  EXPECT_TRUE(conv2d_can_use(GetParam(), dw));
  dw.output_type = DType::kInt32;
  EXPECT_FALSE(conv2d_can_use(GetParam(), dw));
  p.output_type = DType::kUInt8;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.output_type = DType::kInt8;
  p.act_max = 128;  // outside int8
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.act_max = 127;
  p.act_min = 10;
  p.act_max = 5;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.act_min = -128;
  p.act_max = 127;
  p.groups = 3;  // 8 channels do not split into 3 groups
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.groups = 1;
  const int8_t bad_shift = 31;
  p.requant.shift = &bad_shift;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
}

// The AVX2 depthwise row kernel (x86/avx2/qs8_dwconv_row16__avx2.cc: stride_w
// 1, int8 in and out, C <= 40; edge pixels and short runs on the pixel
// kernel). Every channel count 1..40 (tiling periods lcm(16, C) from 16 to
// 624) and larger ones on the pixel path, 3x3 and 5x5, stride 1 and 2,
// narrow widths 1..9 (runs under 16 outputs or none) and wide rows (64, 96)
// with padding 0/1/2 and asymmetric, 4 row ranges cut at random (threads),
// guard bytes around the output (check_conv). On VNNI paths these run their
// own kernels.
TEST_P(X86ConvTest, DepthwiseRowKernelChannels) {
  uint32_t seed = 3000;
  const int32_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 2, 1, 0}, {2, 0, 0, 1}};
  std::vector<int32_t> channels;
  for (int32_t c = 1; c <= 40; ++c) channels.push_back(c);
  for (int32_t c : {64, 88, 104, 200}) channels.push_back(c);
  for (int32_t c : channels) {
    for (int32_t kernel : {3, 5}) {
      for (int32_t stride : {1, 2}) {
        const int32_t pad = kernel / 2;
        const int32_t narrow = 1 + static_cast<int32_t>(seed % 9);
        ConvParams p = make_conv(1, 5, narrow, c, c, kernel, stride, 1, pad, pad, pad, pad, c);
        p.input_zero_point = static_cast<int32_t>(seed % 37) - 18;
        p.output_zero_point = static_cast<int32_t>(seed % 19) - 9;
        check_conv(p, DataSpec{}, seed++, 4);
        const auto& pd = pads[seed % 5];
        const int32_t wide = seed % 2 == 0 ? 64 : 96;
        p = make_conv(1, 6, wide, c, c, kernel, stride, 1, pd[0], pd[1], pd[2], pd[3], c);
        p.input_zero_point = static_cast<int32_t>(seed % 41) - 20;
        p.output_zero_point = static_cast<int32_t>(seed % 23) - 11;
        check_conv(p, DataSpec{}, seed++, 4);
      }
    }
  }
}

// Row-kernel shapes beyond the channel sweep: PPOCR's 2x1 stride (stride_h
// 2, stride_w 1), dilation in either direction, batch 2 (runs cross the
// image boundary between ranges), non-square kernels, every width 1..9 at
// 8 channels, zero points at the ends with saturating outputs, narrow
// clamps, positive shifts, and the row kernel's dispatch and profile tag.
TEST_P(X86ConvTest, DepthwiseRowKernelShapes) {
  uint32_t seed = 4000;
  for (int32_t c : {3, 8, 24, 40}) {
    for (int32_t kernel : {3, 5}) {
      ConvParams p = make_conv(1, 12, 40, c, c, kernel, 1, 1, kernel / 2, kernel / 2, kernel / 2,
                               kernel / 2, c);
      p.stride_h = 2;  // 2x1
      p.out_h = out_dim(p.in_h, kernel, 2, 1, kernel / 2, kernel / 2);
      check_conv(p, DataSpec{}, seed++, 4);
      p = make_conv(2, 9, 30, c, c, kernel, 1, 2, 2, 2, 2, 2, c);  // dilation 2, batch 2
      check_conv(p, DataSpec{}, seed++, 4);
      p.dilation_h = 1;
      p.out_h = out_dim(p.in_h, kernel, 1, 1, 2, 2);
      check_conv(p, DataSpec{}, seed++, 4);
      p = make_conv(2, 5, 33, c, c, kernel, 1, 1, 0, 1, 2, 0, c);  // batch 2, asymmetric
      check_conv(p, DataSpec{}, seed++, 7);
    }
    ConvParams p = make_conv(1, 6, 50, c, c, 1, 1, 1, 0, 0, 0, 0, c);
    for (const auto& k : {std::pair<int, int>{1, 1}, {1, 3}, {3, 1}, {2, 4}, {7, 7}}) {
      p.kernel_h = k.first;
      p.kernel_w = k.second;
      p.pad_top = k.first / 2;
      p.pad_left = (k.second - 1) / 2;
      p.out_h = out_dim(p.in_h, k.first, 1, 1, p.pad_top, k.first - 1 - k.first / 2);
      p.out_w = out_dim(p.in_w, k.second, 1, 1, p.pad_left, k.second / 2);
      check_conv(p, DataSpec{}, seed++, 3);
    }
  }
  for (int32_t w = 1; w <= 9; ++w) {
    for (int32_t kernel : {3, 5}) {
      check_conv(make_conv(1, 4, w, 8, 8, kernel, 1, 1, kernel / 2, kernel / 2, kernel / 2,
                           kernel / 2, 8),
                 DataSpec{}, seed++, 3);
    }
  }
  for (int32_t c : {5, 16, 24, 37}) {
    for (const auto& z : {std::pair<int, int>{-128, 127}, std::pair<int, int>{127, -128}}) {
      ConvParams p = make_conv(1, 6, 64, c, c, 3, 1, 1, 1, 1, 1, 1, c);
      p.input_zero_point = z.first;
      p.output_zero_point = z.second;
      DataSpec sat;
      sat.real_lo = 1e-3;  // outputs pile up at both bounds
      sat.real_hi = 3e-2;
      check_conv(p, sat, seed++, 4);
      p.act_min = -20;  // narrow clamp
      p.act_max = 35;
      check_conv(p, DataSpec{}, seed++, 4);
    }
    ConvParams p = make_conv(1, 5, 64, c, c, 5, 1, 1, 2, 2, 2, 2, c);
    DataSpec left;  // positive shifts (the saturating left-shift epilogue)
    left.in_lo = -3;
    left.in_hi = 3;
    left.w_lo = -3;
    left.w_hi = 3;
    left.real_lo = 2;
    left.real_hi = 40;
    left.bias_lo = -(1 << 26);
    left.bias_hi = 1 << 26;
    check_conv(p, left, seed++, 4);
    DataSpec per_tensor;
    per_tensor.per_channel = false;
    per_tensor.with_bias = false;
    check_conv(p, per_tensor, seed++, 4);
  }
  // Which kernel runs: the row kernel on the AVX2 path only for stride_w 1,
  // int8 in and out, C <= 40 and rows with an interior run.
  const int32_t m0 = 1 << 30;
  const int8_t shift = -8;
  auto tag = [&](ConvParams p) {
    p.requant.multiplier = &m0;
    p.requant.shift = &shift;
    p.requant.count = 1;
    const std::vector<int8_t> w(size_t(p.out_c) * p.kernel_h * p.kernel_w, 1);
    const PackedConv packed = conv2d_pack(GetParam(), p, w.data(), nullptr);
    return std::string(packed.valid() ? conv2d_kernel_tag(packed) : "invalid");
  };
  const std::string row = GetParam() == Isa::kAvx2 ? "_row16" : "";
  EXPECT_EQ(tag(make_conv(1, 8, 64, 24, 24, 3, 1, 1, 1, 1, 1, 1, 24)), row);
  EXPECT_EQ(tag(make_conv(1, 8, 64, 40, 40, 5, 1, 1, 2, 2, 2, 2, 40)), row);
  EXPECT_EQ(tag(make_conv(1, 8, 64, 41, 41, 3, 1, 1, 1, 1, 1, 1, 41)), "");
  EXPECT_EQ(tag(make_conv(1, 8, 64, 24, 24, 3, 2, 1, 1, 1, 1, 1, 24)), "");  // stride_w 2
  EXPECT_EQ(tag(make_conv(1, 8, 2, 4, 4, 3, 1, 1, 1, 1, 1, 1, 4)), "");      // no interior run
  ConvParams i16 = make_conv(1, 8, 64, 24, 24, 3, 1, 1, 1, 1, 1, 1, 24);
  i16.output_type = DType::kInt16;
  i16.act_min = -32768;
  i16.act_max = 32767;
  EXPECT_EQ(tag(i16), "");  // W8A16 stays on the pixel kernel
}

TEST(X86ConvDispatch, ReferenceHasNoOptimizedKernel) {
  ConvParams p = make_conv(1, 4, 4, 8, 8, 1, 1, 1, 0, 0, 0, 0, 1);
  const int32_t m = 1 << 30;
  const int8_t s = 0;
  p.requant.multiplier = &m;
  p.requant.shift = &s;
  EXPECT_FALSE(conv2d_can_use(Isa::kReference, p));
  // A path that is not built in this binary never claims a layer.
  if (!isa_built(Isa::kNeon)) {
    EXPECT_FALSE(conv2d_can_use(Isa::kNeon, p));
  }
  EXPECT_FALSE(conv2d_pack(Isa::kReference, p, nullptr, nullptr).valid());
}

INSTANTIATE_TEST_SUITE_P(X86, X86ConvTest,
                         ::testing::Values(Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace dyad
