// ARM GEMM kernels (kernels/arm) against the reference FullyConnected and
// Conv2D, tolerance 0, for every path this build has and the CPU (or qemu's
// -cpu) runs; the others are reported skipped with the reason.
#if defined(__aarch64__) || defined(__arm__)

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/arm/arm_gemm.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace {

// Weights, bias and eq. 6 constants of one layer (per channel or per tensor).
struct Layer {
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  std::vector<int32_t> multiplier;
  std::vector<int8_t> shift;
};

// Element i of an output of `type` (int8, int16 or int32) as an int64.
int64_t output_value(const std::vector<uint8_t>& bytes, size_t i, DType type) {
  if (type == DType::kInt16) {
    int16_t v;
    std::memcpy(&v, bytes.data() + 2 * i, sizeof(v));
    return v;
  }
  if (type == DType::kInt32) {
    int32_t v;
    std::memcpy(&v, bytes.data() + 4 * i, sizeof(v));
    return v;
  }
  return static_cast<int8_t>(bytes[i]);
}

class ArmGemmTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    const Isa isa = GetParam();
    arm::TileShape tile;
    if (!arm::tile_shape(isa, &tile)) {
      GTEST_SKIP() << isa_name(isa) << ": not built for this target";
    }
    if (!isa_supported(isa)) {
      GTEST_SKIP() << isa_name(isa) << ": this CPU (or qemu -cpu) lacks the instructions";
    }
  }

  std::mt19937 rng_{12345};

  int32_t uniform(int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng_);
  }
  std::vector<int8_t> random_bytes(size_t n, int lo = -128, int hi = 127) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(uniform(lo, hi));
    return v;
  }
  // Multipliers in [2^30, 2^31) and shifts mostly in the usual range, with
  // the extremes mixed in.
  void random_requant(Layer* l, int32_t count, bool positive_shifts) {
    l->multiplier.resize(count);
    l->shift.resize(count);
    for (int32_t i = 0; i < count; ++i) {
      l->multiplier[i] = uniform(1 << 30, INT32_MAX);
      const int r = uniform(0, 9);
      l->shift[i] = static_cast<int8_t>(r == 0 ? -31 : r == 1 ? (positive_shifts ? 30 : -1)
                                               : positive_shifts ? uniform(-4, 6)
                                                                 : uniform(-14, -6));
    }
  }

  // Packs for GetParam(), runs the rows in two pieces (split at `split`),
  // compares with ref::conv2d.
  void check_conv(const ConvParams& p, const std::vector<int8_t>& input, const Layer& l,
                  const std::string& what, int64_t split = -1) {
    const Isa isa = GetParam();
    ASSERT_TRUE(arm::conv_can_use(isa, p)) << what;
    std::vector<uint8_t> packed(arm::conv_packed_bytes(isa, p));
    arm::conv_pack(isa, p, l.weights.data(), l.bias.empty() ? nullptr : l.bias.data(),
                   packed.data());
    EXPECT_EQ(arm::packed_isa(packed.data()), isa);
    std::vector<int8_t> scratch(arm::conv_scratch_bytes(packed.data()));
    const int64_t rows = int64_t{p.batch} * p.out_h * p.out_w;
    const size_t out_size = static_cast<size_t>(rows) * p.out_c;
    const size_t out_bytes = out_size * dtype_size(p.output_type);
    std::vector<uint8_t> got(out_bytes + 16, 0x55), want(out_bytes, 0x33);
    if (split < 0 || split > rows) split = rows / 2;
    arm::conv_run(packed.data(), p, input.data(), got.data(), scratch.data(), 0, split);
    arm::conv_run(packed.data(), p, input.data(), got.data(), scratch.data(), split, rows);
    ref::conv2d(p, input.data(), l.weights.data(), l.bias.empty() ? nullptr : l.bias.data(),
                want.data());
    int mismatches = 0;
    for (size_t i = 0; i < out_size && mismatches < 5; ++i) {
      const int64_t g = output_value(got, i, p.output_type);
      const int64_t w = output_value(want, i, p.output_type);
      if (g != w) {
        ++mismatches;
        ADD_FAILURE() << what << ": element " << i << " (row " << i / p.out_c << ", channel "
                      << i % p.out_c << ") got " << g << " want " << w;
      }
    }
    for (size_t i = out_bytes; i < got.size(); ++i) {
      ASSERT_EQ(got[i], 0x55) << what << ": write past the output";
    }
  }

  void check_fc(const FullyConnectedParams& fc, const std::vector<int8_t>& input, const Layer& l,
                const std::string& what, int64_t split = -1) {
    // Also cross-check the FC reference itself against conv2d's view.
    const ConvParams p = arm::conv_from_fully_connected(fc);
    std::vector<uint8_t> want_fc(static_cast<size_t>(fc.rows) * fc.n * dtype_size(fc.output_type));
    std::vector<uint8_t> want_conv(want_fc.size());
    ref::fully_connected(fc, input.data(), l.weights.data(),
                         l.bias.empty() ? nullptr : l.bias.data(), want_fc.data());
    ref::conv2d(p, input.data(), l.weights.data(), l.bias.empty() ? nullptr : l.bias.data(),
                want_conv.data());
    ASSERT_EQ(want_fc, want_conv) << what;
    check_conv(p, input, l, what, split);
  }

  // A random FC layer of the given shape; int16 outputs take multipliers
  // 2^8 larger (positive shifts) so values spread over int16.
  void random_fc(int32_t rows, int32_t n, int32_t k, bool per_channel, int32_t z_in,
                 int32_t z_out, bool with_min_weight, const std::string& tag,
                 DType out_type = DType::kInt8, int32_t act_min = -128, int32_t act_max = 127) {
    Layer l;
    l.weights = random_bytes(static_cast<size_t>(n) * k, with_min_weight ? -128 : -127, 127);
    l.bias.resize(n);
    for (auto& b : l.bias) b = uniform(-(1 << 20), 1 << 20);
    random_requant(&l, per_channel ? n : 1, false);
    if (out_type == DType::kInt16) {
      for (auto& sh : l.shift) sh = static_cast<int8_t>(sh > -24 ? sh + 8 : sh);
    }
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = z_in;
    fc.output_zero_point = z_out;
    fc.output_type = out_type;
    fc.act_min = act_min;
    fc.act_max = act_max;
    fc.requant.multiplier = l.multiplier.data();
    fc.requant.shift = l.shift.data();
    fc.requant.count = per_channel ? n : 1;
    const auto input = random_bytes(static_cast<size_t>(rows) * k);
    check_fc(fc, input, l,
             tag + " rows=" + std::to_string(rows) + " n=" + std::to_string(n) +
                 " k=" + std::to_string(k) + " z_in=" + std::to_string(z_in) +
                 " z_out=" + std::to_string(z_out) + " out=" +
                 std::to_string(static_cast<int>(out_type)),
             uniform(0, rows));
  }
};

TEST_P(ArmGemmTest, FullyConnectedShapesAroundTheTile) {
  // K below, at and above every block size (4, 8, 16) and the 16-wide main
  // loop; M and N partial and whole tiles.
  const int32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 31, 32, 33, 47, 64, 100};
  const int32_t rows_list[] = {1, 2, 3, 4, 5, 7, 9};
  const int32_t ns[] = {1, 3, 7, 8, 9, 16, 17, 30};
  for (int32_t k : ks) {
    for (int32_t rows : rows_list) {
      const int32_t n = ns[uniform(0, 7)];
      random_fc(rows, n, k, rows % 2 == 0, uniform(-128, 127), uniform(-128, 127), false, "grid");
    }
  }
}

TEST_P(ArmGemmTest, FullyConnectedExtremeZeroPointsAndMinWeight) {
  const int32_t zs[] = {-128, 127, 0};
  for (int32_t z_in : zs) {
    for (int32_t z_out : zs) {
      for (bool per_channel : {false, true}) {
        for (bool min_weight : {false, true}) {
          random_fc(uniform(1, 11), uniform(1, 40), uniform(1, 300), per_channel, z_in, z_out,
                    min_weight, min_weight ? "with -128 weights" : "symmetric weights");
        }
      }
    }
  }
}

TEST_P(ArmGemmTest, FullyConnectedLargeRandom) {
  random_fc(64, 64, 512, true, 3, -5, false, "large");
  random_fc(37, 45, 1001, false, -128, 127, true, "large odd");
}

// Weights and inputs all -128: two products sum to 32768, one more than
// int16 holds (the NEON path must notice the -128 weights at pack time).
TEST_P(ArmGemmTest, MinTimesMinProducts) {
  for (int32_t z_in : {0, -128, 5}) {
    const int32_t rows = 3, n = 9, k = 40;
    Layer l;
    l.weights.assign(static_cast<size_t>(n) * k, -128);
    for (int32_t c = 0; c < n; ++c) l.weights[static_cast<size_t>(c) * k + c] = 127;
    l.bias.assign(n, -3);
    l.multiplier.assign(1, 1 << 30);
    l.shift.assign(1, -14);
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = z_in;
    fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), 1};
    check_fc(fc, std::vector<int8_t>(static_cast<size_t>(rows) * k, -128), l,
             "min x min, z_in " + std::to_string(z_in));
  }
}

// Every accumulator at its extreme: all products (-128 - 127) * 127 or
// (127 - (-128)) * -128, plus positive shifts that saturate the left shift.
TEST_P(ArmGemmTest, SaturatingAccumulatorsAndShifts) {
  for (int variant = 0; variant < 4; ++variant) {
    const int32_t rows = 5, n = 11, k = 777;
    Layer l;
    l.weights.assign(static_cast<size_t>(n) * k, static_cast<int8_t>(variant % 2 ? -128 : 127));
    l.bias.resize(n);
    for (int32_t c = 0; c < n; ++c) l.bias[c] = c * 1000 - 5000;
    l.multiplier.resize(n);
    l.shift.resize(n);
    for (int32_t c = 0; c < n; ++c) {
      l.multiplier[c] = c % 2 ? INT32_MAX : (1 << 30);
      l.shift[c] = static_cast<int8_t>(variant < 2 ? 30 - 3 * c : -31 + c);
    }
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = variant % 2 ? -128 : 127;
    fc.output_zero_point = variant < 2 ? 127 : -128;
    fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), n};
    std::vector<int8_t> input(static_cast<size_t>(rows) * k,
                              static_cast<int8_t>(variant % 2 ? 127 : -128));
    for (size_t i = 0; i < input.size(); i += 7) input[i] = static_cast<int8_t>(i % 256 - 128);
    check_fc(fc, input, l, "saturating variant " + std::to_string(variant));
  }
}

// Exact halves: M0 = 2^30 halves the accumulator (SRDHM ties on odd values)
// and shifts -1..-3 put RDBP on ties. Eq. 4 rounds a half up (like sqrdmulh),
// eq. 5 rounds a half away from zero (unlike srshl).
TEST_P(ArmGemmTest, RoundingTiesAwayFromZero) {
  const int32_t rows = 4, n = 8, k = 1;
  Layer l;
  l.weights.resize(n);
  for (int32_t c = 0; c < n; ++c) l.weights[c] = static_cast<int8_t>(c % 2 ? 1 : -1);
  l.bias.assign(n, 0);
  l.multiplier.assign(n, 1 << 30);
  l.shift.resize(n);
  for (int32_t c = 0; c < n; ++c) l.shift[c] = static_cast<int8_t>(-(c / 2));
  FullyConnectedParams fc;
  fc.rows = rows;
  fc.n = n;
  fc.k = k;
  fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), n};
  for (int32_t x0 = -128; x0 <= 124; x0 += 4) {
    std::vector<int8_t> input = {static_cast<int8_t>(x0), static_cast<int8_t>(x0 + 1),
                                 static_cast<int8_t>(x0 + 2), static_cast<int8_t>(x0 + 3)};
    check_fc(fc, input, l, "ties from " + std::to_string(x0));
  }
  // Hand-derived goldens, independent of the reference: channel 1 (w = 1,
  // M = 0.5) and channel 3 (w = 1, M = 0.25).
  const Isa isa = GetParam();
  const ConvParams p = arm::conv_from_fully_connected(fc);
  std::vector<uint8_t> packed(arm::conv_packed_bytes(isa, p));
  arm::conv_pack(isa, p, l.weights.data(), l.bias.data(), packed.data());
  std::vector<int8_t> scratch(arm::conv_scratch_bytes(packed.data()));
  const std::vector<int8_t> input = {-7, -5, 5, 6};
  std::vector<int8_t> out(static_cast<size_t>(rows) * n);
  arm::conv_run(packed.data(), p, input.data(), out.data(), scratch.data(), 0, rows);
  EXPECT_EQ(out[0 * n + 1], -3);  // -3.5 (eq. 4: half up)
  EXPECT_EQ(out[1 * n + 1], -2);  // -2.5
  EXPECT_EQ(out[2 * n + 1], 3);   //  2.5
  EXPECT_EQ(out[3 * n + 1], 3);   //  3
  // Channel 3 (M0 = 2^30, shift -1): eq. 4 then eq. 5 by 1 bit.
  EXPECT_EQ(out[0 * n + 3], -2);  // -3.5 -> -3, then -1.5 -> -2 (away from 0)
  EXPECT_EQ(out[1 * n + 3], -1);  // -2.5 -> -2, then -1
  EXPECT_EQ(out[2 * n + 3], 2);   //  2.5 ->  3, then 1.5 -> 2
  EXPECT_EQ(out[3 * n + 3], 2);   //  3, then 1.5 -> 2
  // Channel 5 (shift -2): -3.5 -> -3, then -0.75 -> -1.
  EXPECT_EQ(out[0 * n + 5], -1);
}

// The epilogue over the whole int32 range: acc = bias + (x - Z_in) * 1 with
// bias anywhere in int32, every shift in [-31, 30], any int32 multiplier.
TEST_P(ArmGemmTest, RequantizationOverFullInt32Range) {
  const int32_t rows = 9, n = 64, k = 1;
  for (int round = 0; round < 20; ++round) {
    Layer l;
    l.weights.assign(n, 1);
    l.bias.resize(n);
    l.multiplier.resize(n);
    l.shift.resize(n);
    for (int32_t c = 0; c < n; ++c) {
      const int32_t magnitude = uniform(0, 3);
      const int32_t limit = magnitude == 0 ? 300 : magnitude == 1 ? (1 << 16)
                                                                   : INT32_MAX - 256;
      l.bias[c] = uniform(-limit, limit);
      const int kind = uniform(0, 9);
      l.multiplier[c] = kind == 0 ? 0 : kind == 1 ? uniform(INT32_MIN, INT32_MAX)
                                                  : uniform(1 << 30, INT32_MAX);
      l.shift[c] = static_cast<int8_t>(uniform(-31, 30));
    }
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = uniform(-128, 127);
    fc.output_zero_point = uniform(-128, 127);
    fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), n};
    check_fc(fc, random_bytes(rows), l, "full range round " + std::to_string(round));
  }
}

TEST_P(ArmGemmTest, ClampRanges) {
  const int32_t ranges[][2] = {{0, 127}, {-128, 6}, {0, 6}, {-3, -3}, {-128, 127}};
  for (const auto& range : ranges) {
    Layer l;
    const int32_t rows = 6, n = 13, k = 29;
    l.weights = random_bytes(static_cast<size_t>(n) * k, -127, 127);
    l.bias.assign(n, 77);
    random_requant(&l, 1, false);
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = -9;
    fc.output_zero_point = 4;
    fc.act_min = range[0];
    fc.act_max = range[1];
    fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), 1};
    check_fc(fc, random_bytes(static_cast<size_t>(rows) * k), l,
             "clamp [" + std::to_string(range[0]) + ", " + std::to_string(range[1]) + "]");
  }
}

TEST_P(ArmGemmTest, Conv2dStridesPaddingGroups) {
  struct Case {
    int32_t batch, in_h, in_w, in_c, out_c, kh, kw, stride, pad, dilation, groups;
  };
  const Case cases[] = {
      {1, 7, 9, 3, 8, 3, 3, 2, 1, 1, 1},    // stem-like 3x3 s2
      {2, 6, 5, 16, 17, 3, 3, 1, 1, 1, 1},  // 3x3 s1 same padding, batch 2
      {1, 8, 8, 24, 9, 1, 1, 1, 0, 1, 1},   // pointwise
      {1, 9, 7, 5, 12, 1, 1, 2, 1, 1, 1},   // 1x1 stride 2 with padding taps
      {1, 10, 10, 8, 8, 3, 3, 1, 2, 2, 1},  // dilated
      {1, 6, 6, 12, 18, 3, 3, 1, 1, 1, 3},  // grouped
      {1, 5, 5, 8, 8, 5, 5, 2, 2, 1, 8},    // depthwise through the GEMM
  };
  for (const Case& c : cases) {
    ConvParams p;
    p.batch = c.batch;
    p.in_h = c.in_h;
    p.in_w = c.in_w;
    p.in_c = c.in_c;
    p.out_c = c.out_c;
    p.kernel_h = c.kh;
    p.kernel_w = c.kw;
    p.stride_h = p.stride_w = c.stride;
    p.pad_top = p.pad_left = c.pad;
    p.dilation_h = p.dilation_w = c.dilation;
    p.groups = c.groups;
    p.out_h = (c.in_h + 2 * c.pad - c.dilation * (c.kh - 1) - 1) / c.stride + 1;
    p.out_w = (c.in_w + 2 * c.pad - c.dilation * (c.kw - 1) - 1) / c.stride + 1;
    p.input_zero_point = uniform(-128, 127);
    p.output_zero_point = uniform(-128, 127);
    Layer l;
    l.weights = random_bytes(static_cast<size_t>(c.out_c) * c.kh * c.kw * (c.in_c / c.groups));
    l.bias.resize(c.out_c);
    for (auto& b : l.bias) b = uniform(-50000, 50000);
    random_requant(&l, c.out_c, false);
    p.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), c.out_c};
    const auto input = random_bytes(static_cast<size_t>(c.batch) * c.in_h * c.in_w * c.in_c);
    check_conv(p, input, l,
               "conv " + std::to_string(c.kh) + "x" + std::to_string(c.kw) + " s" +
                   std::to_string(c.stride) + " g" + std::to_string(c.groups),
               uniform(0, p.batch * p.out_h * p.out_w));
  }
}

// int16 / int32 outputs (the epilogue variants): K, M and N around every
// tile, zero points at the ends, with and without -128 weights.
TEST_P(ArmGemmTest, WideOutputShapesAroundTheTile) {
  const int32_t ks[] = {1, 3, 4, 5, 8, 9, 15, 16, 17, 33, 96, 100};
  const int32_t rows_list[] = {1, 2, 3, 4, 5, 9};
  const int32_t ns[] = {1, 2, 6, 8, 9, 16, 17, 33};
  for (DType out : {DType::kInt16, DType::kInt32}) {
    for (int32_t k : ks) {
      for (int32_t rows : rows_list) {
        random_fc(rows, ns[uniform(0, 7)], k, rows % 2 == 0, uniform(-128, 127), 0, k % 3 == 0,
                  "wide grid", out, -32768, 32767);
      }
    }
    for (int32_t z_in : {-128, 127}) {
      random_fc(7, 37, 200, true, z_in, 0, true, "wide z_in", out, -32768, 32767);
    }
  }
  // int16: Z_out away from 0 and narrow / extreme clamps.
  const int32_t clamps[][2] = {{-32768, 32767}, {-100, 100}, {-32768, -32768}, {32767, 32767},
                               {0, 6000}, {-128, 127}};
  for (const auto& c : clamps) {
    random_fc(6, 21, 50, true, uniform(-128, 127), uniform(-300, 300), false, "int16 clamp",
              DType::kInt16, c[0], c[1]);
  }
}

// int16 output over the whole int32 accumulator range, every shift, any
// multiplier, Z_out anywhere in int16 (saturating Z_out add, int16 clamps).
TEST_P(ArmGemmTest, Int16RequantizationOverFullInt32Range) {
  const int32_t rows = 9, n = 40, k = 1;
  for (int round = 0; round < 10; ++round) {
    Layer l;
    l.weights = std::vector<int8_t>(static_cast<size_t>(n), 1);
    l.bias.resize(n);
    l.multiplier.resize(n);
    l.shift.resize(n);
    for (int32_t c = 0; c < n; ++c) {
      l.bias[c] = uniform(-(INT32_MAX - 256), INT32_MAX - 256);
      l.multiplier[c] = uniform(0, 9) == 0 ? uniform(INT32_MIN, INT32_MAX)
                                           : uniform(1 << 30, INT32_MAX);
      l.shift[c] = static_cast<int8_t>(uniform(-31, 30));
    }
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.n = n;
    fc.k = k;
    fc.input_zero_point = uniform(-128, 127);
    fc.output_zero_point = uniform(-32768, 32767);
    fc.output_type = DType::kInt16;
    fc.act_min = -32768;
    fc.act_max = 32767;
    fc.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), n};
    check_fc(fc, random_bytes(rows), l, "int16 full range round " + std::to_string(round));
  }
}

TEST_P(ArmGemmTest, WideOutputConv2d) {
  struct Case {
    int32_t in_h, in_w, in_c, out_c, k, stride, pad, groups;
  };
  const Case cases[] = {{8, 8, 96, 96, 1, 1, 0, 1}, {6, 6, 88, 32, 1, 1, 0, 1},
                        {8, 8, 96, 6, 1, 1, 0, 1},  {5, 7, 88, 2, 1, 1, 0, 1},
                        {7, 9, 16, 17, 3, 1, 1, 1}, {9, 7, 5, 12, 1, 2, 1, 1},
                        {6, 6, 12, 18, 3, 1, 1, 3}};
  for (DType out : {DType::kInt16, DType::kInt32}) {
    for (const Case& c : cases) {
      ConvParams p;
      p.in_h = c.in_h;
      p.in_w = c.in_w;
      p.in_c = c.in_c;
      p.out_c = c.out_c;
      p.kernel_h = p.kernel_w = c.k;
      p.stride_h = p.stride_w = c.stride;
      p.pad_top = p.pad_left = c.pad;
      p.groups = c.groups;
      p.out_h = (c.in_h + 2 * c.pad - c.k) / c.stride + 1;
      p.out_w = (c.in_w + 2 * c.pad - c.k) / c.stride + 1;
      p.input_zero_point = uniform(-128, 127);
      p.output_type = out;
      p.act_min = -32768;
      p.act_max = 32767;
      Layer l;
      l.weights = random_bytes(static_cast<size_t>(c.out_c) * c.k * c.k * (c.in_c / c.groups));
      l.bias.resize(c.out_c);
      for (auto& b : l.bias) b = uniform(-50000, 50000);
      random_requant(&l, c.out_c, true);
      p.requant = ChannelRequant{l.multiplier.data(), l.shift.data(), c.out_c};
      const auto input = random_bytes(static_cast<size_t>(c.in_h) * c.in_w * c.in_c);
      check_conv(p, input, l,
                 "wide conv " + std::to_string(c.k) + "x" + std::to_string(c.k) + " n" +
                     std::to_string(c.out_c) + " out " + std::to_string(static_cast<int>(out)),
                 uniform(0, p.out_h * p.out_w));
    }
  }
}

TEST_P(ArmGemmTest, RejectsWhatItCannotComputeExactly) {
  const Isa isa = GetParam();
  int32_t m = 1 << 30;
  int8_t s = 0;
  FullyConnectedParams fc;
  fc.rows = 1;
  fc.n = 1;
  fc.k = 1;
  fc.requant = ChannelRequant{&m, &s, 1};
  EXPECT_TRUE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.output_type = DType::kInt32;  // raw accumulator: any requant
  EXPECT_TRUE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.output_type = DType::kInt16;
  EXPECT_TRUE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.act_min = -32769;  // outside int16
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.act_min = -128;
  fc.output_type = DType::kUInt8;
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.output_type = DType::kInt8;
  fc.act_max = 128;  // outside int8
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.act_max = 127;
  s = -32;
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  s = 0;
  fc.input_zero_point = 200;  // padding bytes could not hold it
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
  fc.input_zero_point = 0;
  fc.act_min = 5;
  fc.act_max = 4;
  EXPECT_FALSE(arm::conv_can_use(isa, arm::conv_from_fully_connected(fc)));
}

INSTANTIATE_TEST_SUITE_P(Paths, ArmGemmTest,
                         ::testing::Values(Isa::kNeon, Isa::kNeonDot, Isa::kI8mm),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace dyad

#endif  // defined(__aarch64__) || defined(__arm__)
