// int16-input (W8A16) Conv2D / FullyConnected on the optimized x86 paths
// against ref::conv2d / ref::fully_connected, tolerance 0 (byte-identical
// outputs), on every x86 path this CPU runs. An int16 input runs the AVX2
// kernels on every path (the vpdpbusd kernels take int8 activations), so
// the AVX-VNNI / AVX-512 VNNI cases check that fallback; paths the build or
// the CPU lacks are reported as skipped, never faked.
//
// Data respect the converter's accumulator contract: per output channel
// |bias| + max|q_in| * sum|w| < 2^31 (the kernels accumulate in wrapping
// int32, the reference in int64 with saturation: equal under the bound).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// How the random data of one case is drawn.
struct Spec {
  int32_t in_lo = -32768, in_hi = 32767;  // input values (int16 input), or int8 ones
  double extreme_fraction = 0;            // inputs replaced by -32768 / 32767
  int32_t w_abs = 0;                      // |w| <= w_abs; 0: the largest the bound allows
  int32_t bias_abs = 1 << 20;
  double real_lo = 0, real_hi = 0;        // real multiplier range; 0: spread over the output
  bool per_channel = true;
  bool with_bias = true;
  const golden::Multipliers* fixed = nullptr;
};

const char* type_name(DType t) {
  return t == DType::kInt16 ? "int16" : t == DType::kInt32 ? "int32" : "int8";
}

std::string conv_name(const ConvParams& p) {
  std::ostringstream s;
  s << "b" << p.batch << " " << p.in_h << "x" << p.in_w << "x" << p.in_c << " -> " << p.out_h
    << "x" << p.out_w << "x" << p.out_c << " k" << p.kernel_h << "x" << p.kernel_w << " s"
    << p.stride_h << "," << p.stride_w << " d" << p.dilation_h << "," << p.dilation_w << " pad "
    << p.pad_top << "," << p.pad_left << " g" << p.groups << " in " << type_name(p.input_type)
    << " zout " << p.output_zero_point << " clamp [" << p.act_min << "," << p.act_max << "] out "
    << type_name(p.output_type);
  return s.str();
}

int32_t out_dim(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_before,
                int32_t pad_after) {
  return (in + pad_before + pad_after - (dilation * (kernel - 1) + 1)) / stride + 1;
}

void set_output(ConvParams* p, DType out) {
  p->output_type = out;
  p->output_zero_point = 0;
  p->act_min = out == DType::kInt16 ? -32768 : -128;
  p->act_max = out == DType::kInt16 ? 32767 : 127;
}

// int16 input, int8 output unless changed; full output range.
ConvParams make_conv(int32_t batch, int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_c,
                     int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_top,
                     int32_t pad_left, int32_t pad_bottom, int32_t pad_right, int32_t groups,
                     DType out = DType::kInt8) {
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
  p.input_type = DType::kInt16;
  p.input_zero_point = 0;
  set_output(&p, out);
  return p;
}

std::vector<int64_t> values(const uint8_t* bytes, int64_t count, DType type) {
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

// One case's data: input bytes (int8 or int16 elements), weights, bias and
// multipliers, with the accumulator bound checked on what was drawn.
struct CaseData {
  std::vector<uint8_t> input;
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  golden::Multipliers m;

  CaseData(std::mt19937& rng, const Spec& s, DType in_type, int64_t in_count, int32_t n,
           int64_t k, DType out_type) {
    const bool wide = in_type == DType::kInt16;
    const int32_t in_lo = wide ? s.in_lo : std::max(s.in_lo, -128);
    const int32_t in_hi = wide ? s.in_hi : std::min(s.in_hi, 127);
    const int64_t in_abs = std::max<int64_t>(1, std::max(std::abs(in_lo), std::abs(in_hi)));
    const int64_t in_abs_any = s.extreme_fraction > 0 ? 32768 : in_abs;
    // int8 inputs: a bias on the scale of their smaller accumulators.
    const int32_t bias_abs = wide ? s.bias_abs : std::min(s.bias_abs, 5000);
    int32_t w_abs = s.w_abs;
    if (w_abs == 0) {
      w_abs = static_cast<int32_t>(
          std::min<int64_t>(127, (kInt32Max - bias_abs) / (in_abs_any * k)));
    }
    EXPECT_GE(w_abs, 1) << "K " << k << " too large for the accumulator bound";
    input.resize(static_cast<size_t>(in_count) * (wide ? 2 : 1));
    for (int64_t i = 0; i < in_count; ++i) {
      int32_t v = golden::uniform_int(rng, in_lo, in_hi);
      if (s.extreme_fraction > 0 && golden::uniform_real(rng, 0, 1) < s.extreme_fraction) {
        v = golden::uniform_int(rng, 0, 1) ? 32767 : -32768;
      }
      if (wide) {
        const int16_t x = static_cast<int16_t>(v);
        std::memcpy(input.data() + 2 * i, &x, sizeof(x));
      } else {
        input[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
      }
    }
    weights = golden::random_int8(rng, static_cast<size_t>(n * k), -w_abs, w_abs);
    bias = golden::random_int32(rng, n, -bias_abs, bias_abs);
    // The converter's contract, on the data actually drawn.
    for (int32_t c = 0; c < n; ++c) {
      int64_t sum = 0;
      for (int64_t i = 0; i < k; ++i) sum += std::abs(int32_t{weights[c * k + i]});
      const int64_t b = s.with_bias ? std::abs(int64_t{bias[c]}) : 0;
      EXPECT_LE(b + in_abs_any * sum, kInt32Max) << "channel " << c;
    }
    if (s.fixed != nullptr) {
      m = *s.fixed;
    } else {
      double lo = s.real_lo, hi = s.real_hi;
      if (lo == 0) {
        const double in_std = std::max(1.0, (in_hi - in_lo) / 3.5);
        const double w_std = std::max(1.0, 2.0 * w_abs / 3.5);
        const double range = out_type == DType::kInt16 ? 40.0 * 256 : 40.0;
        const double target = range / (std::sqrt(static_cast<double>(k)) * w_std * in_std);
        lo = target / 4;
        hi = target * 4;
      }
      m = golden::random_multipliers(rng, s.per_channel ? n : 1, lo, hi);
    }
  }
  ChannelRequant requant() const {
    ChannelRequant r;
    r.multiplier = m.m0.data();
    r.shift = m.shift.data();
    r.count = static_cast<int32_t>(m.m0.size());
    return r;
  }
  const int32_t* bias_ptr(const Spec& s) const { return s.with_bias ? bias.data() : nullptr; }
};

class X86ConvI16Test : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " kernels are not built in this configuration";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not support " << isa_name(GetParam());
    }
  }

  // Runs the conv on the optimized path, split into `splits` random row
  // ranges (as threads would), and the reference; expects identical bytes
  // and no write outside the output.
  void check_conv(ConvParams p, const Spec& s, uint32_t seed, int splits = 1) {
    std::mt19937 rng(seed);
    const int64_t k = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
    const CaseData d(rng, s, p.input_type, int64_t{p.batch} * p.in_h * p.in_w * p.in_c, p.out_c,
                     k, p.output_type);
    p.requant = d.requant();
    const int64_t rows = conv2d_rows(p);
    const int64_t count = rows * p.out_c;
    const int64_t bytes = count * static_cast<int64_t>(dtype_size(p.output_type));
    std::vector<uint8_t> expected(bytes);
    ref::conv2d(p, d.input.data(), d.weights.data(), d.bias_ptr(s), expected.data());

    ASSERT_TRUE(conv2d_can_use(GetParam(), p)) << conv_name(p);
    const PackedConv packed = conv2d_pack(GetParam(), p, d.weights.data(), d.bias_ptr(s));
    ASSERT_TRUE(packed.valid());
    const bool dw = p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c;
    if (p.input_type == DType::kInt16 || (dw && p.output_type != DType::kInt8)) {
      EXPECT_EQ(packed.isa, Isa::kAvx2) << "int16 inputs run the AVX2 kernels";
    }
    std::vector<uint8_t> scratch(conv2d_scratch_bytes(packed));
    constexpr int kGuard = 64;
    std::vector<uint8_t> out(bytes + 2 * kGuard, uint8_t{0x5a});
    int64_t begin = 0;
    for (int i = 0; i < splits; ++i) {
      const int64_t end = i + 1 == splits ? rows : golden::uniform_int(rng, begin, rows);
      conv2d_run(packed, p, d.input.data(), out.data() + kGuard, scratch.data(), begin, end);
      begin = end;
    }
    for (int i = 0; i < kGuard; ++i) {
      ASSERT_EQ(out[i], 0x5a) << "write before the output: " << conv_name(p);
      ASSERT_EQ(out[kGuard + bytes + i], 0x5a) << "write after the output: " << conv_name(p);
    }
    const std::vector<int64_t> want = values(expected.data(), count, p.output_type);
    EXPECT_TRUE(golden::within(values(out.data() + kGuard, count, p.output_type), want, 0))
        << conv_name(p) << " seed " << seed;
    if (count >= 64 && s.real_lo == 0 && s.fixed == nullptr) {
      const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
      EXPECT_LT(*lo, *hi) << "degenerate case (all outputs equal): " << conv_name(p);
    }
  }

  void check_fc(int32_t rows, int32_t k, int32_t n, const Spec& s, uint32_t seed,
                DType out_type = DType::kInt8, int32_t z_out = 0, int32_t act_min = 0,
                int32_t act_max = 0) {
    std::mt19937 rng(seed);
    FullyConnectedParams p;
    p.rows = rows;
    p.k = k;
    p.n = n;
    p.input_type = DType::kInt16;
    p.input_zero_point = 0;
    p.output_type = out_type;
    p.output_zero_point = z_out;
    p.act_min = act_min != act_max ? act_min : out_type == DType::kInt16 ? -32768 : -128;
    p.act_max = act_min != act_max ? act_max : out_type == DType::kInt16 ? 32767 : 127;
    const CaseData d(rng, s, p.input_type, int64_t{rows} * k, n, k, out_type);
    p.requant = d.requant();
    const int64_t count = int64_t{rows} * n;
    const size_t elem = dtype_size(out_type);
    std::vector<uint8_t> expected(count * elem);
    ref::fully_connected(p, d.input.data(), d.weights.data(), d.bias_ptr(s), expected.data());

    ASSERT_TRUE(fully_connected_can_use(GetParam(), p));
    const PackedFullyConnected packed =
        fully_connected_pack(GetParam(), p, d.weights.data(), d.bias_ptr(s));
    ASSERT_TRUE(packed.valid());
    EXPECT_EQ(packed.isa, Isa::kAvx2);
    std::vector<uint8_t> scratch(fully_connected_scratch_bytes(packed));
    constexpr int kGuard = 64;
    std::vector<uint8_t> actual(count * elem + 2 * kGuard, uint8_t{0x5a});
    fully_connected_run(packed, p, d.input.data(), actual.data() + kGuard, scratch.data(), 0,
                        rows);
    for (int i = 0; i < kGuard; ++i) {
      ASSERT_EQ(actual[i], 0x5a);
      ASSERT_EQ(actual[kGuard + count * elem + i], 0x5a);
    }
    EXPECT_TRUE(golden::within(values(actual.data() + kGuard, count, out_type),
                               values(expected.data(), count, out_type), 0))
        << "fc rows " << rows << " k " << k << " n " << n << " seed " << seed << " out "
        << type_name(out_type);
  }
};

const DType kOutTypes[] = {DType::kInt8, DType::kInt16, DType::kInt32};

// K below, at and above the kernel's blocks (pairs of k, 16 lanes of a
// transform step), N around the 8/16-channel blocks, rows 1..9 (tiles of 4).
TEST_P(X86ConvI16Test, FullyConnectedShapes) {
  const int32_t ks[] = {1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 64, 255, 256, 257, 1001};
  const int32_t ns[] = {1, 7, 8, 9, 15, 16, 17, 24, 33, 64};
  uint32_t seed = 1;
  for (DType out : kOutTypes) {
    for (int32_t k : ks) {
      for (int32_t n : ns) {
        const int32_t rows = 1 + static_cast<int32_t>(seed % 9);
        check_fc(rows, k, n, Spec{}, seed++, out);
      }
    }
    for (int32_t rows = 1; rows <= 9; ++rows) check_fc(rows, 37, 40, Spec{}, seed++, out);
  }
}

TEST_P(X86ConvI16Test, PointwiseConv) {
  uint32_t seed = 100;
  for (DType out : kOutTypes) {
    // Even in_c: the tile rows are the input rows (no gather); odd: copied.
    for (int32_t in_c : {1, 2, 3, 15, 16, 17, 24, 64}) {
      for (int32_t out_c : {1, 8, 16, 17, 24, 40}) {
        check_conv(make_conv(1, 5, 7, in_c, out_c, 1, 1, 1, 0, 0, 0, 0, 1, out), Spec{}, seed++);
      }
    }
    // Batch 2, a strided 1x1 (gathered), groups with even and odd channels per group.
    check_conv(make_conv(2, 6, 5, 20, 18, 1, 1, 1, 0, 0, 0, 0, 1, out), Spec{}, seed++, 3);
    check_conv(make_conv(1, 9, 9, 20, 18, 1, 2, 1, 0, 0, 0, 0, 1, out), Spec{}, seed++);
    check_conv(make_conv(1, 6, 6, 12, 18, 1, 1, 1, 0, 0, 0, 0, 3, out), Spec{}, seed++, 2);
    check_conv(make_conv(1, 6, 6, 9, 18, 1, 1, 1, 0, 0, 0, 0, 3, out), Spec{}, seed++, 2);
  }
}

TEST_P(X86ConvI16Test, SpatialConvShapes) {
  uint32_t seed = 200;
  struct Case {
    int32_t batch, h, w, in_c, out_c, kernel, stride, dilation, pt, pl, pb, pr, groups;
  };
  const Case cases[] = {
      {1, 16, 16, 3, 32, 3, 2, 1, 0, 0, 1, 1, 1},  // RGB stem, K = 27, TF SAME padding
      {1, 15, 17, 3, 16, 3, 1, 1, 1, 1, 1, 1, 1},  // stem s1, odd sizes
      {1, 7, 9, 1, 8, 3, 1, 1, 1, 1, 1, 1, 1},     // K = 9
      {1, 7, 9, 2, 17, 3, 1, 1, 1, 1, 1, 1, 1},    // K = 18
      {1, 6, 6, 15, 16, 3, 1, 1, 0, 0, 0, 0, 1},   // valid padding, K = 135
      {1, 7, 7, 16, 24, 3, 1, 1, 1, 1, 1, 1, 1},   // K = 144
      {1, 7, 7, 17, 33, 3, 1, 1, 1, 1, 1, 1, 1},   // K = 153
      {2, 9, 7, 8, 40, 3, 2, 1, 1, 1, 1, 1, 1},    // batch 2, stride 2
      {1, 9, 9, 6, 20, 5, 1, 1, 2, 2, 2, 2, 1},    // 5x5
      {1, 11, 10, 7, 9, 5, 2, 1, 1, 2, 2, 1, 1},   // 5x5 s2 asymmetric
      {1, 10, 10, 4, 12, 3, 1, 2, 2, 2, 2, 2, 1},  // dilation 2
      {1, 12, 11, 4, 12, 3, 2, 3, 0, 3, 1, 0, 1},  // dilation 3, s2, odd padding
      {1, 6, 6, 12, 18, 3, 1, 1, 1, 1, 1, 1, 3},   // groups 3
      {1, 6, 5, 16, 64, 3, 1, 1, 1, 1, 1, 1, 4},   // groups 4
      {1, 5, 5, 6, 12, 3, 1, 1, 1, 1, 1, 1, 6},    // channel multiplier 2 (GEMM)
      {1, 4, 4, 64, 96, 3, 1, 1, 1, 1, 1, 1, 1},   // K = 576
      {1, 3, 3, 2, 5, 3, 1, 1, 2, 2, 2, 2, 1},     // padding past the input border
  };
  for (DType out : kOutTypes) {
    for (const Case& c : cases) {
      ConvParams p = make_conv(c.batch, c.h, c.w, c.in_c, c.out_c, c.kernel, c.stride, c.dilation,
                               c.pt, c.pl, c.pb, c.pr, c.groups, out);
      const int splits = 1 + static_cast<int>(seed % 3);
      check_conv(p, Spec{}, seed++, splits);
    }
  }
}

// Inputs at the int16 ends (all of them, or a third of them), weights at
// the largest |w| the bound allows, outputs saturating at both ends.
TEST_P(X86ConvI16Test, ExtremeInputs) {
  uint32_t seed = 300;
  for (DType out : kOutTypes) {
    for (int32_t v : {-32768, 32767}) {
      Spec s;
      s.in_lo = s.in_hi = v;
      s.real_lo = out == DType::kInt16 ? 1e-3 : 1e-5;
      s.real_hi = out == DType::kInt16 ? 1e-1 : 1e-3;
      check_conv(make_conv(1, 5, 5, 64, 20, 3, 1, 1, 1, 1, 1, 1, 1, out), s, seed++);
      check_conv(make_conv(1, 4, 6, 40, 24, 1, 1, 1, 0, 0, 0, 0, 1, out), s, seed++);
      check_fc(5, 300, 20, s, seed++, out);
    }
    Spec mixed;
    mixed.extreme_fraction = 0.3;
    check_conv(make_conv(1, 6, 7, 24, 37, 3, 1, 1, 1, 1, 1, 1, 1, out), mixed, seed++, 2);
    check_conv(make_conv(1, 6, 7, 32, 17, 1, 1, 1, 0, 0, 0, 0, 1, out), mixed, seed++, 2);
    check_fc(9, 517, 33, mixed, seed++, out);
  }
}

// Accumulators exactly at the converter's bound: every input -32768 and
// every weight -127 (or +127) give |acc| = 32768 * 127 * K + |bias| =
// 2^31 - 1 for K = 516 (bias 131071) and K = 515 (bias 4292607).
TEST_P(X86ConvI16Test, AccumulatorAtTheBound) {
  for (int32_t k : {516, 515}) {
    const int64_t products = int64_t{32768} * 127 * k;
    const int32_t bias_abs = static_cast<int32_t>(kInt32Max - products);
    for (int32_t sign : {-1, 1}) {
      golden::Multipliers m;
      m.m0.push_back(1 << 30);
      m.shift.push_back(-20);  // 2^-21: +-2^31 -> +-1024 (int16), saturating int8
      for (DType out : kOutTypes) {
        const int32_t n = 20;
        std::vector<int16_t> input(static_cast<size_t>(3) * k, int16_t{-32768});
        std::vector<int8_t> weights(static_cast<size_t>(n) * k, static_cast<int8_t>(-127 * sign));
        std::vector<int32_t> bias(n, sign * bias_abs);
        FullyConnectedParams p;
        p.rows = 3;
        p.k = k;
        p.n = n;
        p.input_type = DType::kInt16;
        p.output_type = out;
        p.act_min = out == DType::kInt16 ? -32768 : -128;
        p.act_max = out == DType::kInt16 ? 32767 : 127;
        p.requant.multiplier = m.m0.data();
        p.requant.shift = m.shift.data();
        const size_t bytes = size_t(p.rows) * n * dtype_size(out);
        std::vector<uint8_t> want(bytes), got(bytes, 0x5a);
        ref::fully_connected(p, input.data(), weights.data(), bias.data(), want.data());
        if (out == DType::kInt32) {
          int32_t first;
          std::memcpy(&first, want.data(), sizeof(first));
          EXPECT_EQ(first, sign * kInt32Max) << "the case must sit at the bound";
        }
        ASSERT_TRUE(fully_connected_can_use(GetParam(), p));
        const PackedFullyConnected packed =
            fully_connected_pack(GetParam(), p, weights.data(), bias.data());
        std::vector<uint8_t> scratch(fully_connected_scratch_bytes(packed));
        fully_connected_run(packed, p, input.data(), got.data(), scratch.data(), 0, p.rows);
        EXPECT_EQ(got, want) << "K " << k << " sign " << sign << " out " << type_name(out);
      }
    }
  }
}

// Output zero points and clamp ranges (narrow, single value, the ends),
// per-tensor multipliers, no bias.
TEST_P(X86ConvI16Test, ClampsAndZeroPoints) {
  uint32_t seed = 400;
  const int32_t clamps8[][3] = {{0, -10, 20}, {0, -128, -128}, {0, 127, 127}, {-12, -3, 3},
                                {5, -128, 0}, {127, -128, 127}, {-128, -128, 127}};
  for (const auto& c : clamps8) {
    ConvParams p = make_conv(1, 5, 5, 9, 19, 3, 2, 1, 1, 1, 1, 1, 1);
    p.output_zero_point = c[0];
    p.act_min = c[1];
    p.act_max = c[2];
    Spec s;
    s.real_lo = 1e-6;
    s.real_hi = 1e-5;
    check_conv(p, s, seed++);
  }
  const int32_t clamps16[][3] = {{0, -100, 100},       {0, -32768, -32768}, {0, 32767, 32767},
                                 {300, 0, 6000},       {-32768, -32768, 0}, {32767, -32768, 32767}};
  for (const auto& c : clamps16) {
    ConvParams p = make_conv(1, 6, 7, 24, 37, 1, 1, 1, 0, 0, 0, 0, 1, DType::kInt16);
    p.output_zero_point = c[0];
    p.act_min = c[1];
    p.act_max = c[2];
    Spec s;
    s.real_lo = 1e-4;
    s.real_hi = 1e-2;
    check_conv(p, s, seed++, 2);
  }
  Spec per_tensor;
  per_tensor.per_channel = false;
  per_tensor.with_bias = false;
  for (DType out : kOutTypes) {
    check_conv(make_conv(1, 6, 6, 12, 40, 3, 1, 1, 1, 1, 1, 1, 1, out), per_tensor, seed++);
    check_fc(9, 70, 35, per_tensor, seed++, out);
  }
  check_fc(9, 70, 35, Spec{}, seed++, DType::kInt16, 0, -1000, 1000);
  check_fc(9, 70, 35, Spec{}, seed++, DType::kInt8, -7, -100, 50);
}

// Per-channel multipliers with left shifts (M > 1: small inputs), left-shift
// saturation (large bias), and right shifts near -31.
TEST_P(X86ConvI16Test, LeftAndRightShifts) {
  uint32_t seed = 500;
  for (DType out : {DType::kInt8, DType::kInt16}) {
    Spec left;
    left.in_lo = -3;
    left.in_hi = 3;
    left.w_abs = 2;
    left.bias_abs = 20;
    left.real_lo = 1.5;
    left.real_hi = out == DType::kInt16 ? 3000 : 30;
    ConvParams p = make_conv(1, 6, 5, 8, 36, 3, 1, 1, 1, 1, 1, 1, 1, out);
    check_conv(p, left, seed++, 2);
    left.bias_abs = 1 << 30;
    left.real_lo = 100;
    left.real_hi = 1e6;
    check_conv(p, left, seed++);
    Spec right;
    right.real_lo = 1e-9;
    right.real_hi = 1e-8;
    check_conv(p, right, seed++);
    // Mixed left and right shifts across channels.
    std::mt19937 rng(seed);
    golden::Multipliers m;
    for (int c = 0; c < 36; ++c) {
      const golden::Multipliers one =
          golden::random_multipliers(rng, 1, c % 2 ? 1.5 : 1e-6, c % 2 ? 40 : 1e-4);
      m.m0.push_back(one.m0[0]);
      m.shift.push_back(one.shift[0]);
    }
    Spec mixed;
    mixed.in_lo = -40;
    mixed.in_hi = 40;
    mixed.w_abs = 3;
    mixed.bias_abs = 100;
    mixed.fixed = &m;
    check_conv(p, mixed, seed++, 3);
    check_conv(make_conv(1, 5, 6, 8, 36, 1, 1, 1, 0, 0, 0, 0, 1, out), mixed, seed++);
  }
}

// Any split of the output rows gives the bytes of one call.
TEST_P(X86ConvI16Test, RowRangeSplits) {
  for (uint32_t seed = 600; seed < 606; ++seed) {
    for (DType out : kOutTypes) {
      check_conv(make_conv(1, 9, 7, 11, 37, 3, 1, 1, 1, 1, 1, 1, 1, out), Spec{}, seed, 4);
      check_conv(make_conv(2, 5, 5, 24, 20, 1, 1, 1, 0, 0, 0, 0, 1, out), Spec{}, seed, 5);
    }
  }
}

// Depthwise (the AVX2 16c2 kernel): int16 -> int16 (W8A16), int16 -> int8
// and int8 -> int16; channel counts around the 8/16/32-lane blocks, 3x3 and
// 5x5, strides 1/2, odd widths, padding, dilation, batch 2, row splits.
TEST_P(X86ConvI16Test, DepthwiseShapes) {
  struct Types {
    DType in, out;
  };
  const Types types[] = {{DType::kInt16, DType::kInt16},
                         {DType::kInt16, DType::kInt8},
                         {DType::kInt8, DType::kInt16}};
  uint32_t seed = 700;
  for (const Types& t : types) {
    for (int32_t c = 1; c <= 40; ++c) {
      for (int32_t stride : {1, 2}) {
        ConvParams p = make_conv(1, 7, 9, c, c, 3, stride, 1, 1, 1, 1, 1, c, t.out);
        p.input_type = t.in;
        const int splits = 1 + static_cast<int>(seed % 3);
      check_conv(p, Spec{}, seed++, splits);
      }
    }
    for (int32_t c : {8, 16, 24, 40, 144}) {
      for (int32_t kernel : {3, 5}) {
        for (int32_t stride : {1, 2}) {
          for (int32_t in_w : {13, 18}) {
            const int32_t pad = kernel / 2;
            ConvParams p =
                make_conv(1, 6, in_w, c, c, kernel, stride, 1, pad, pad, pad, pad, c, t.out);
            p.input_type = t.in;
            check_conv(p, Spec{}, seed++, 5);
          }
        }
      }
      // Dilation 2, asymmetric padding, batch 2; a 2x2 image under a 3x3
      // kernel; 1x1 and 3x5 kernels.
      ConvParams p = make_conv(2, 7, 19, c, c, 3, 1, 2, 2, 0, 1, 3, c, t.out);
      p.input_type = t.in;
      check_conv(p, Spec{}, seed++, 4);
      p = make_conv(1, 2, 2, c, c, 3, 1, 1, 1, 1, 1, 1, c, t.out);
      p.input_type = t.in;
      check_conv(p, Spec{}, seed++);
      p = make_conv(1, 5, 7, c, c, 1, 1, 1, 0, 0, 0, 0, c, t.out);
      p.input_type = t.in;
      check_conv(p, Spec{}, seed++, 2);
      p = make_conv(1, 6, 9, c, c, 3, 1, 1, 1, 2, 1, 2, c, t.out);
      p.kernel_w = 5;
      p.input_type = t.in;
      check_conv(p, Spec{}, seed++, 2);
    }
    // M-LSD / MobileNet-like: 144 channels, 3x3 s1 and s2, odd widths.
    for (int32_t stride : {1, 2}) {
      ConvParams p = make_conv(1, 9, 11, 144, 144, 3, stride, 1, 1, 1, 1, 1, 144, t.out);
      p.input_type = t.in;
      check_conv(p, Spec{}, seed++, 3);
    }
  }
}

TEST_P(X86ConvI16Test, DepthwiseEdges) {
  uint32_t seed = 800;
  for (DType out : {DType::kInt16, DType::kInt8}) {
    for (int32_t c : {5, 21, 70}) {
      // Inputs at the int16 ends, saturating outputs.
      for (int32_t v : {-32768, 32767}) {
        Spec s;
        s.in_lo = s.in_hi = v;
        s.real_lo = out == DType::kInt16 ? 1e-3 : 1e-5;
        s.real_hi = out == DType::kInt16 ? 1e-1 : 1e-3;
        check_conv(make_conv(1, 6, 6, c, c, 3, 1, 1, 1, 1, 1, 1, c, out), s, seed++);
      }
      Spec mixed;
      mixed.extreme_fraction = 0.3;
      check_conv(make_conv(1, 7, 9, c, c, 5, 2, 1, 2, 2, 2, 2, c, out), mixed, seed++, 2);
      // Zero points and narrow clamps.
      ConvParams p = make_conv(1, 7, 7, c, c, 3, 1, 1, 1, 1, 1, 1, c, out);
      p.output_zero_point = out == DType::kInt16 ? 1000 : -20;
      p.act_min = out == DType::kInt16 ? -3000 : -50;
      p.act_max = out == DType::kInt16 ? 2500 : 60;
      check_conv(p, Spec{}, seed++, 2);
      // Left shifts (with saturation), right shifts near -31, per tensor, no bias.
      Spec left;
      left.in_lo = -3;
      left.in_hi = 3;
      left.w_abs = 2;
      left.bias_abs = 1 << 30;
      left.real_lo = 1.5;
      left.real_hi = 1e5;
      check_conv(make_conv(1, 5, 5, c, c, 3, 1, 1, 1, 1, 1, 1, c, out), left, seed++);
      Spec right;
      right.real_lo = 1e-9;
      right.real_hi = 1e-8;
      right.per_channel = false;
      right.with_bias = false;
      check_conv(make_conv(1, 5, 5, c, c, 3, 1, 1, 1, 1, 1, 1, c, out), right, seed++);
    }
  }
}

TEST_P(X86ConvI16Test, UnsupportedParametersFallBack) {
  const int32_t m = 1 << 30;
  const int8_t s = 0;
  ConvParams p = make_conv(1, 4, 4, 8, 8, 3, 1, 1, 1, 1, 1, 1, 1);
  p.requant.multiplier = &m;
  p.requant.shift = &s;
  EXPECT_TRUE(conv2d_can_use(GetParam(), p));
  p.input_zero_point = 1;  // int16 activations are symmetric
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.input_zero_point = 0;
  p.input_type = DType::kUInt8;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  p.input_type = DType::kInt32;
  EXPECT_FALSE(conv2d_can_use(GetParam(), p));
  // Depthwise: int8 / int16 outputs only.
  ConvParams dw = make_conv(1, 4, 4, 8, 8, 3, 1, 1, 1, 1, 1, 1, 8, DType::kInt16);
  dw.requant = p.requant;
  EXPECT_TRUE(conv2d_can_use(GetParam(), dw));
  dw.output_type = DType::kInt32;
  EXPECT_FALSE(conv2d_can_use(GetParam(), dw));
  FullyConnectedParams fc;
  fc.rows = 2;
  fc.k = 8;
  fc.n = 8;
  fc.input_type = DType::kInt16;
  fc.requant = p.requant;
  EXPECT_TRUE(fully_connected_can_use(GetParam(), fc));
  fc.input_zero_point = -1;
  EXPECT_FALSE(fully_connected_can_use(GetParam(), fc));
}

TEST(X86ConvI16Dispatch, NoPathClaimsAnInt16InputWithAZeroPoint) {
  // int16 activations are symmetric: a zero point other than 0 is refused
  // by every path (ARM's int16 kernels: tests/unit/arm_i16_test.cc).
  const int32_t m = 1 << 30;
  const int8_t s = 0;
  ConvParams p = make_conv(1, 4, 4, 8, 8, 1, 1, 1, 0, 0, 0, 0, 1);
  p.requant.multiplier = &m;
  p.requant.shift = &s;
  p.input_zero_point = 3;
  for (Isa isa : {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon,
                  Isa::kNeonDot, Isa::kI8mm}) {
    EXPECT_FALSE(conv2d_can_use(isa, p)) << isa_name(isa);
  }
  p.input_zero_point = 0;
  EXPECT_FALSE(conv2d_can_use(Isa::kReference, p));
}

INSTANTIATE_TEST_SUITE_P(X86, X86ConvI16Test,
                         ::testing::Values(Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace dyad
