// int16 activations (W8A16: zero point 0, int8 weights) on the ARM paths:
// qs16_gemm_4x16__neon (Conv2D and FullyConnected) and qs16_dwconv_16c__neon
// (depthwise) through the conv entry points (kernels/conv_kernels.h) against
// ref::conv2d / ref::fully_connected, tolerance 0, for every ARM path this
// build has and the CPU (or qemu's -cpu) runs. Weights keep the converter's
// bound |bias| + max|q_in| * sum|w| < 2^31 per channel (some cases sit on
// it), so the int32 accumulator is exact.
#if defined(__aarch64__) || defined(__arm__)

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

constexpr int64_t kAccLimit = (int64_t{1} << 31) - 1;

struct Layer {
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  golden::Multipliers m;
};

int64_t value_at(const std::vector<uint8_t>& bytes, size_t i, DType type) {
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

std::string name(const ConvParams& p) {
  std::ostringstream s;
  s << "b" << p.batch << " " << p.in_h << "x" << p.in_w << "x" << p.in_c << " -> " << p.out_c
    << " k" << p.kernel_h << "x" << p.kernel_w << " s" << p.stride_h << " d" << p.dilation_h
    << " pad " << p.pad_top << "," << p.pad_left << " g" << p.groups << " -> " << p.out_h << "x"
    << p.out_w << " out " << static_cast<int>(p.output_type) << " zout " << p.output_zero_point
    << " clamp [" << p.act_min << "," << p.act_max << "]";
  return s.str();
}

ConvParams conv(int32_t batch, int32_t h, int32_t w, int32_t in_c, int32_t out_c, int32_t kh,
                int32_t kw, int32_t stride, int32_t dilation, int32_t groups,
                const int32_t (&pads)[4]) {
  ConvParams p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.in_c = in_c;
  p.out_c = out_c;
  p.groups = groups;
  p.kernel_h = kh;
  p.kernel_w = kw;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = pads[0];
  p.pad_left = pads[1];
  p.out_h = (h + pads[0] + pads[2] - dilation * (kh - 1) - 1) / stride + 1;
  p.out_w = (w + pads[1] + pads[3] - dilation * (kw - 1) - 1) / stride + 1;
  p.input_type = DType::kInt16;
  p.input_zero_point = 0;
  return p;
}

ConvParams dw(int32_t h, int32_t w, int32_t c, int32_t k, int32_t stride,
              const int32_t (&pads)[4], int32_t batch = 1, int32_t dilation = 1) {
  return conv(batch, h, w, c, c, k, k, stride, dilation, c, pads);
}

// How a case's data is drawn.
struct Data {
  int32_t in_lo = -32768, in_hi = 32767;
  int32_t w_lo = -127, w_hi = 127;
  bool extreme_inputs = false;  // mostly -32768 / 32767 / -32767
  double scale = 0;             // real multiplier; 0: spread outputs over the type
  bool positive_shifts = false;  // multipliers > 1 (left shifts)
};

class ArmInt16Test : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << ": not built for this target";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << ": this CPU (or qemu -cpu) lacks the instructions";
    }
  }

  std::mt19937 rng_{4242};
  int32_t uniform(int32_t lo, int32_t hi) { return golden::uniform_int(rng_, lo, hi); }

  std::vector<int16_t> random_input(size_t n, const Data& d) {
    std::vector<int16_t> v(n);
    for (auto& x : v) {
      if (d.extreme_inputs) {
        const int r = uniform(0, 3);
        x = static_cast<int16_t>(r == 0 ? -32768 : r == 1 ? 32767 : r == 2 ? -32767
                                                                            : uniform(d.in_lo, d.in_hi));
      } else {
        x = static_cast<int16_t>(uniform(d.in_lo, d.in_hi));
      }
    }
    return v;
  }

  // Weights in [w_lo, w_hi], scaled down per channel until the converter's
  // bound holds; bias inside what is left.
  Layer random_layer(const ConvParams& p, const Data& d) {
    Layer l;
    const int32_t k = p.kernel_h * p.kernel_w * (p.in_c / p.groups);
    const int64_t max_in = std::max<int64_t>(std::abs(int64_t{d.in_lo}), std::abs(int64_t{d.in_hi}));
    l.weights.resize(static_cast<size_t>(p.out_c) * k);
    l.bias.resize(p.out_c);
    for (int32_t c = 0; c < p.out_c; ++c) {
      int8_t* w = l.weights.data() + static_cast<size_t>(c) * k;
      int64_t sum_abs = 0;
      for (int32_t i = 0; i < k; ++i) {
        w[i] = static_cast<int8_t>(uniform(d.w_lo, d.w_hi));
        sum_abs += std::abs(int64_t{w[i]});
      }
      while (max_in * sum_abs > kAccLimit - 1000) {  // halve until it fits
        sum_abs = 0;
        for (int32_t i = 0; i < k; ++i) {
          w[i] = static_cast<int8_t>(w[i] / 2);
          sum_abs += std::abs(int64_t{w[i]});
        }
      }
      const int64_t room = std::min<int64_t>(kAccLimit - max_in * sum_abs, 1 << 24);
      l.bias[c] = static_cast<int32_t>(uniform(-static_cast<int32_t>(room), static_cast<int32_t>(room)));
    }
    double lo, hi;
    if (d.scale > 0) {
      lo = d.scale;
      hi = d.scale * 1.5;
    } else if (d.positive_shifts) {
      lo = 2;
      hi = 60;
    } else {
      // Accumulator std ~ sqrt(k) * |in| * |w| / 3.
      const double in_std = (double(d.in_hi) - d.in_lo) / 3.5, w_std = (double(d.w_hi) - d.w_lo) / 3.5;
      const double acc = std::sqrt(static_cast<double>(k)) * in_std * w_std + 1;
      const double target = p.output_type == DType::kInt16 ? 10000.0 : 60.0;
      lo = target / acc / 4;
      hi = target / acc * 4;
    }
    l.m = golden::random_multipliers(rng_, static_cast<size_t>(p.out_c), lo, hi);
    return l;
  }

  // Runs p through conv2d_* in `splits` random row ranges, compares with
  // ref::conv2d; nothing written past the output.
  void check(ConvParams p, const std::vector<int16_t>& input, const Layer& l, int splits = 3,
             bool expect_depthwise = false) {
    const Isa isa = GetParam();
    p.requant = ChannelRequant{l.m.m0.data(), l.m.shift.data(),
                               static_cast<int32_t>(l.m.m0.size())};
    ASSERT_TRUE(conv2d_can_use(isa, p)) << name(p);
    const PackedConv packed = conv2d_pack(isa, p, l.weights.data(), l.bias.data());
    ASSERT_TRUE(packed.valid()) << name(p);
    EXPECT_EQ(packed.depthwise, expect_depthwise) << name(p);
    std::vector<uint8_t> scratch(conv2d_scratch_bytes(packed) + 1);
    const int64_t rows = conv2d_rows(p);
    const size_t out_size = static_cast<size_t>(rows) * p.out_c;
    const size_t out_bytes = out_size * dtype_size(p.output_type);
    std::vector<uint8_t> got(out_bytes + 32, 0x55), want(out_bytes, 0x33);
    ref::conv2d(p, input.data(), l.weights.data(), l.bias.data(), want.data());
    std::vector<int64_t> cuts = {0, rows};
    for (int s = 1; s < splits; ++s) cuts.push_back(uniform(0, static_cast<int32_t>(rows)));
    std::sort(cuts.begin(), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      // Odd scratch offset: the drivers align what they need themselves.
      conv2d_run(packed, p, reinterpret_cast<const int8_t*>(input.data()), got.data(),
                 scratch.data() + 1, cuts[i], cuts[i + 1]);
    }
    int mismatches = 0;
    for (size_t i = 0; i < out_size && mismatches < 5; ++i) {
      const int64_t g = value_at(got, i, p.output_type), w = value_at(want, i, p.output_type);
      if (g != w) {
        ++mismatches;
        ADD_FAILURE() << name(p) << ": element " << i << " (row " << i / p.out_c << ", channel "
                      << i % p.out_c << ") got " << g << " want " << w;
      }
    }
    for (size_t i = out_bytes; i < got.size(); ++i) {
      ASSERT_EQ(got[i], 0x55) << name(p) << ": write past the output";
    }
  }

  void random_case(ConvParams p, const Data& d = Data{}, int splits = 3) {
    const Layer l = random_layer(p, d);
    const auto input = random_input(
        static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.in_c), d);
    const bool depthwise = p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c;
    check(p, input, l, splits, depthwise && depthwise_expected(p));
  }

  // Depthwise layers go to qs16_dwconv_16c__neon for int8 / int16 outputs
  // (int32: the qs16 GEMM, groups of one channel).
  static bool depthwise_expected(const ConvParams& p) { return p.output_type != DType::kInt32; }

  // FullyConnected through fully_connected_*, against ref::fully_connected.
  void check_fc(int32_t rows, int32_t k, int32_t n, DType out, const Data& d,
                int32_t act_min, int32_t act_max, int32_t z_out, bool per_channel) {
    const Isa isa = GetParam();
    FullyConnectedParams fc;
    fc.rows = rows;
    fc.k = k;
    fc.n = n;
    fc.input_type = DType::kInt16;
    fc.output_type = out;
    fc.output_zero_point = z_out;
    fc.act_min = act_min;
    fc.act_max = act_max;
    ConvParams shape = conv(1, 1, rows, k, n, 1, 1, 1, 1, 1, {0, 0, 0, 0});
    shape.output_type = out;
    Layer l = random_layer(shape, d);
    if (!per_channel) {
      l.m.m0.resize(1);
      l.m.shift.resize(1);
    }
    fc.requant = ChannelRequant{l.m.m0.data(), l.m.shift.data(),
                                static_cast<int32_t>(l.m.m0.size())};
    const auto input = random_input(static_cast<size_t>(rows) * k, d);
    std::ostringstream what;
    what << "fc rows " << rows << " k " << k << " n " << n << " out " << static_cast<int>(out)
         << " clamp [" << act_min << "," << act_max << "] zout " << z_out;
    ASSERT_TRUE(fully_connected_can_use(isa, fc)) << what.str();
    const PackedFullyConnected packed =
        fully_connected_pack(isa, fc, l.weights.data(), l.bias.data());
    ASSERT_TRUE(packed.valid()) << what.str();
    std::vector<uint8_t> scratch(fully_connected_scratch_bytes(packed) + 1);
    const size_t out_bytes = static_cast<size_t>(rows) * n * dtype_size(out);
    std::vector<uint8_t> got(out_bytes + 32, 0x55), want(out_bytes, 0x33);
    ref::fully_connected(fc, input.data(), l.weights.data(), l.bias.data(), want.data());
    const int32_t split = uniform(0, rows);
    const auto* in = reinterpret_cast<const int8_t*>(input.data());
    fully_connected_run(packed, fc, in, got.data(), scratch.data() + 1, 0, split);
    fully_connected_run(packed, fc, in, got.data(), scratch.data() + 1, split, rows);
    int mismatches = 0;
    for (size_t i = 0; i < static_cast<size_t>(rows) * n && mismatches < 5; ++i) {
      const int64_t g = value_at(got, i, out), w = value_at(want, i, out);
      if (g != w) {
        ++mismatches;
        ADD_FAILURE() << what.str() << ": element " << i << " got " << g << " want " << w;
      }
    }
    for (size_t i = out_bytes; i < got.size(); ++i) {
      ASSERT_EQ(got[i], 0x55) << what.str() << ": write past the output";
    }
  }
};

const DType kOutTypes[] = {DType::kInt8, DType::kInt16, DType::kInt32};

int32_t type_min(DType t) { return t == DType::kInt16 ? -32768 : -128; }
int32_t type_max(DType t) { return t == DType::kInt16 ? 32767 : 127; }

// K below, at and above the 8-wide K block and the tail; rows 1..9 (partial
// and whole 4-row tiles); n around the 16-channel block.
TEST_P(ArmInt16Test, FullyConnectedShapesAroundTheTile) {
  const int32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 25, 31, 32, 33, 64, 100, 257};
  const int32_t ns[] = {1, 3, 8, 15, 16, 17, 31, 33};
  int i = 0;
  for (DType out : kOutTypes) {
    for (int32_t k : ks) {
      for (int32_t rows = 1; rows <= 9; ++rows, ++i) {
        check_fc(rows, k, ns[i % 8], out, Data{}, type_min(out), type_max(out),
                 out == DType::kInt32 ? 0 : uniform(-20, 20), i % 2 == 0);
      }
    }
  }
}

TEST_P(ArmInt16Test, FullyConnectedExtremeInputsShiftsClamps) {
  Data extreme;
  extreme.extreme_inputs = true;
  for (DType out : kOutTypes) {
    check_fc(7, 300, 37, out, extreme, type_min(out), type_max(out), 0, true);
    check_fc(5, 1001, 20, out, extreme, type_min(out), type_max(out), 0, false);
  }
  Data left;  // small accumulators, multipliers > 1: left shifts
  left.in_lo = -40;
  left.in_hi = 40;
  left.w_lo = -3;
  left.w_hi = 3;
  left.positive_shifts = true;
  check_fc(9, 40, 19, DType::kInt8, left, -128, 127, 3, true);
  check_fc(9, 40, 19, DType::kInt16, left, -32768, 32767, -300, true);
  const int32_t clamps8[][2] = {{0, 127}, {-128, 6}, {-3, -3}, {0, 6}};
  for (const auto& c : clamps8) check_fc(6, 29, 13, DType::kInt8, Data{}, c[0], c[1], 4, false);
  const int32_t clamps16[][2] = {{0, 32767}, {-100, 100}, {-32768, -32768}, {0, 6000}};
  for (const auto& c : clamps16) {
    check_fc(6, 29, 13, DType::kInt16, Data{}, c[0], c[1], -7, true);
  }
}

TEST_P(ArmInt16Test, FullyConnectedRowsOneToNine) {
  for (int32_t rows = 1; rows <= 9; ++rows) {
    for (DType out : kOutTypes) {
      check_fc(rows, 64 + rows, 16 * (rows % 3) + rows, out, Data{}, type_min(out), type_max(out),
               0, rows % 2 == 1);
    }
  }
}

// |bias| + 32768 * sum|w| = 2^31 - 1 exactly: every product at its extreme,
// all of one sign, the sum ending on INT32_MAX / INT32_MIN + 1.
TEST_P(ArmInt16Test, AccumulatorAtTheBound) {
  struct Bound {
    int16_t in;
    int8_t w;
    int32_t k, bias;
  };
  // 516 * 32768 * 127 = 2147352576, + 131071 = 2^31 - 1.
  // 511 * 32768 * 128 = 2^31 - 2^22, + 2^22 - 1 = 2^31 - 1.
  const Bound bounds[] = {{-32768, -127, 516, 131071}, {-32768, 127, 516, -131071},
                          {32767, 127, 516, 131071},   {-32768, -128, 511, 4194303},
                          {32767, -128, 511, -4194303}};
  for (const Bound& b : bounds) {
    for (DType out : kOutTypes) {
      ConvParams p = conv(1, 1, 6, b.k, 20, 1, 1, 1, 1, 1, {0, 0, 0, 0});
      p.output_type = out;
      if (out != DType::kInt32) {
        p.act_min = type_min(out);
        p.act_max = type_max(out);
      }
      Layer l;
      l.weights.assign(static_cast<size_t>(20) * b.k, b.w);
      l.bias.assign(20, b.bias);
      for (int32_t c = 0; c < 20; ++c) {
        // Some channels a little inside the bound (one weight zero).
        if (c % 3 == 1) l.weights[static_cast<size_t>(c) * b.k + c] = 0;
      }
      l.m = golden::random_multipliers(rng_, 20, out == DType::kInt16 ? 1e-5 : 2e-8,
                                       out == DType::kInt16 ? 2e-5 : 5e-8);
      std::vector<int16_t> input(static_cast<size_t>(6) * b.k, b.in);
      check(p, input, l, 2);
    }
  }
}

TEST_P(ArmInt16Test, Conv2dStridesPaddingDilationGroupsBatch) {
  struct Case {
    int32_t batch, h, w, in_c, out_c, kh, kw, stride, dilation, groups;
    int32_t pads[4];
  };
  const Case cases[] = {
      {1, 7, 9, 3, 8, 3, 3, 2, 1, 1, {1, 1, 1, 1}},     // stem-like 3x3 s2
      {2, 6, 5, 16, 17, 3, 3, 1, 1, 1, {1, 1, 1, 1}},   // 3x3 s1 same padding, batch 2
      {1, 8, 8, 24, 9, 1, 1, 1, 1, 1, {0, 0, 0, 0}},    // pointwise
      {1, 9, 7, 5, 12, 1, 1, 2, 1, 1, {1, 1, 1, 1}},    // 1x1 stride 2 with padding taps
      {1, 10, 10, 8, 8, 3, 3, 1, 2, 1, {2, 2, 2, 2}},   // dilated
      {1, 6, 6, 12, 18, 3, 3, 1, 1, 3, {1, 1, 1, 1}},   // grouped
      {2, 7, 5, 20, 40, 3, 3, 2, 1, 4, {0, 1, 1, 0}},   // grouped, asymmetric padding
      {1, 5, 11, 7, 33, 5, 3, 1, 1, 1, {2, 1, 2, 1}},   // 5x3, odd K
      {1, 6, 6, 64, 32, 1, 1, 1, 1, 1, {0, 0, 0, 0}},   // K = 64
  };
  for (DType out : kOutTypes) {
    for (const Case& c : cases) {
      ConvParams p = conv(c.batch, c.h, c.w, c.in_c, c.out_c, c.kh, c.kw, c.stride, c.dilation,
                          c.groups, c.pads);
      p.output_type = out;
      if (out != DType::kInt32) {
        p.act_min = type_min(out);
        p.act_max = type_max(out);
        p.output_zero_point = uniform(-10, 10);
      }
      random_case(p);
      Data extreme;
      extreme.extreme_inputs = true;
      random_case(p, extreme, 4);
    }
  }
  // Positive shifts and clamps on a 3x3 conv.
  Data left;
  left.in_lo = -30;
  left.in_hi = 30;
  left.w_lo = -2;
  left.w_hi = 2;
  left.positive_shifts = true;
  ConvParams p = conv(1, 6, 7, 5, 19, 3, 3, 1, 1, 1, {1, 1, 1, 1});
  random_case(p, left);
  p.act_min = -20;
  p.act_max = 90;
  random_case(p);
  p.output_type = DType::kInt16;
  p.act_min = -1000;
  p.act_max = 30000;
  random_case(p, left);
}

TEST_P(ArmInt16Test, RejectsWhatItCannotComputeExactly) {
  const Isa isa = GetParam();
  int32_t m = 1 << 30;
  int8_t s = 0;
  ConvParams p = conv(1, 4, 4, 8, 8, 1, 1, 1, 1, 1, {0, 0, 0, 0});
  p.requant = ChannelRequant{&m, &s, 1};
  EXPECT_TRUE(conv2d_can_use(isa, p));
  p.input_zero_point = 1;  // int16 inputs are symmetric
  EXPECT_FALSE(conv2d_can_use(isa, p));
  p.input_zero_point = 0;
  p.input_type = DType::kInt32;
  EXPECT_FALSE(conv2d_can_use(isa, p));
  p.input_type = DType::kInt16;
  p.output_type = DType::kInt16;
  p.act_min = -32769;
  EXPECT_FALSE(conv2d_can_use(isa, p));
}

// Depthwise: every channel count 1..40 and 144 (16-channel blocks, the
// overlapping last block, < 16 through copies), 3x3 / 5x5, strides 1 / 2,
// odd widths, int16 and int8 outputs, rows split in up to 5 ranges.
TEST_P(ArmInt16Test, DepthwiseChannelsKernelsStrides) {
  std::vector<int32_t> channels;
  for (int32_t c = 1; c <= 40; ++c) channels.push_back(c);
  channels.push_back(144);
  int i = 0;
  for (int32_t c : channels) {
    for (DType out : {DType::kInt16, DType::kInt8}) {
      ++i;
      const int32_t k = i % 3 == 0 ? 5 : 3;
      const int32_t stride = i % 2 + 1;
      const int32_t pad = k / 2;
      ConvParams p = dw(7, 9 + 2 * (i % 3), c, k, stride, {pad, pad, pad, pad});
      p.output_type = out;
      p.act_min = type_min(out);
      p.act_max = type_max(out);
      p.output_zero_point = uniform(-5, 5);
      Data d;
      d.extreme_inputs = i % 4 == 0;
      random_case(p, d, 1 + i % 5);
    }
  }
}

TEST_P(ArmInt16Test, DepthwisePaddingDilationBatchClampsShifts) {
  const int32_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 0, 2}, {0, 3, 3, 0}};
  for (DType out : {DType::kInt16, DType::kInt8}) {
    for (int32_t k : {3, 5}) {
      for (int32_t stride : {1, 2}) {
        for (const auto& pad : pads) {
          ConvParams p = dw(9, 11, 24, k, stride, pad, 2);
          p.output_type = out;
          p.act_min = type_min(out);
          p.act_max = type_max(out);
          random_case(p, Data{}, 4);
        }
      }
    }
    ConvParams p = dw(12, 13, 33, 3, 2, {2, 2, 2, 2}, 1, 2);  // dilation 2
    p.output_type = out;
    p.act_min = type_min(out);
    p.act_max = type_max(out);
    random_case(p);
    // Padding wider than the kernel reach: whole windows of zeros.
    p = dw(3, 4, 20, 3, 1, {3, 2, 3, 4});
    p.output_type = out;
    p.act_min = type_min(out);
    p.act_max = type_max(out);
    random_case(p);
    // Clamps, extreme inputs with the largest weights, left shifts.
    p = dw(6, 7, 40, 3, 1, {1, 1, 1, 1});
    p.output_type = out;
    p.act_min = out == DType::kInt16 ? -1000 : -20;
    p.act_max = out == DType::kInt16 ? 25000 : 90;
    p.output_zero_point = 3;
    random_case(p);
    Data extreme;
    extreme.extreme_inputs = true;
    extreme.w_lo = -128;
    random_case(p, extreme);
    Data left;
    left.in_lo = -30;
    left.in_hi = 30;
    left.w_lo = -2;
    left.w_hi = 2;
    left.positive_shifts = true;
    random_case(p, left);
  }
  // MobileNet-like shape, many row splits; and wide rows for the walker's
  // interior steps.
  ConvParams p = dw(14, 14, 144, 3, 2, {0, 0, 1, 1});
  p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  random_case(p, Data{}, 7);
  p = dw(5, 25, 40, 5, 1, {2, 2, 2, 2});
  p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  random_case(p, Data{}, 5);
}

// Any split of the output rows gives identical bytes (the check above
// compares with the reference; here whole-range against many pieces).
TEST_P(ArmInt16Test, DepthwiseRowSplitsIdentical) {
  ConvParams p = dw(10, 13, 37, 3, 1, {1, 1, 1, 1});
  p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  for (int splits : {1, 2, 9, 40}) random_case(p, Data{}, splits);
}

INSTANTIATE_TEST_SUITE_P(Arm, ArmInt16Test,
                         ::testing::Values(Isa::kNeon, Isa::kNeonDot, Isa::kI8mm),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace dyad

#endif  // __aarch64__ || __arm__
