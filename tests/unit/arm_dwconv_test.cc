// ARM depthwise conv (kernels/arm/arm_dwconv.h) through the conv entry
// points (kernels/conv_kernels.h) against ref::conv2d, tolerance 0, for
// every ARM path this build has and the CPU (or qemu's -cpu) runs; the
// others are reported skipped. Channel counts 1..97 around the 16-channel
// step (and its overlapping last step), 3x3 / 5x5, strides 1 and 2,
// dilation, padding on every side, zero points at the int8 ends, saturating
// outputs, positive and extreme shifts, rows split anywhere.
#if defined(__aarch64__) || defined(__arm__)

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

struct Data {
  int32_t in_lo = -128, in_hi = 127, w_lo = -128, w_hi = 127;
  double real_lo = 0, real_hi = 0;  // 0: spread the outputs over int8
  bool with_bias = true;
};

// Depthwise conv: `pads` = top, left, bottom, right.
ConvParams dw(int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw, int32_t stride,
              int32_t dilation, const int32_t (&pads)[4], int32_t batch = 1) {
  ConvParams p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.in_c = p.out_c = p.groups = c;
  p.kernel_h = kh;
  p.kernel_w = kw;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = pads[0];
  p.pad_left = pads[1];
  p.out_h = (h + pads[0] + pads[2] - dilation * (kh - 1) - 1) / stride + 1;
  p.out_w = (w + pads[1] + pads[3] - dilation * (kw - 1) - 1) / stride + 1;
  return p;
}

std::string name(const ConvParams& p) {
  std::ostringstream s;
  s << "b" << p.batch << " " << p.in_h << "x" << p.in_w << "x" << p.in_c << " k" << p.kernel_h
    << "x" << p.kernel_w << " s" << p.stride_h << " d" << p.dilation_h << " pad " << p.pad_top
    << "," << p.pad_left << " -> " << p.out_h << "x" << p.out_w << " zin " << p.input_zero_point
    << " zout " << p.output_zero_point << " clamp [" << p.act_min << "," << p.act_max << "]";
  return s.str();
}

class ArmDwconvTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << ": not built for this target";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << ": this CPU (or qemu -cpu) lacks the instructions";
    }
  }

  // Runs p on the ARM depthwise path in `splits` random row ranges and the
  // reference; identical bytes, nothing written past the output.
  void check(ConvParams p, const Data& d, uint32_t seed, int splits = 2) {
    std::mt19937 rng(seed);
    const int64_t taps = int64_t{p.kernel_h} * p.kernel_w;
    const auto input = golden::random_int8(
        rng, static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.in_c), d.in_lo, d.in_hi);
    const auto weights =
        golden::random_int8(rng, static_cast<size_t>(p.out_c * taps), d.w_lo, d.w_hi);
    const auto bias = golden::random_int32(rng, static_cast<size_t>(p.out_c), -20000, 20000);
    double lo = d.real_lo, hi = d.real_hi;
    if (lo == 0) {  // accumulator std ~ sqrt(taps) * 74 * 74
      const double target = 40.0 / (std::sqrt(static_cast<double>(taps)) * 74 * 74);
      lo = target / 4;
      hi = target * 4;
    }
    const golden::Multipliers m = golden::random_multipliers(rng, p.out_c, lo, hi);
    p.requant.multiplier = m.m0.data();
    p.requant.shift = m.shift.data();
    p.requant.count = p.out_c;
    const int32_t* b = d.with_bias ? bias.data() : nullptr;
    const Isa isa = GetParam();
    ASSERT_TRUE(conv2d_can_use(isa, p)) << name(p);
    const PackedConv packed = conv2d_pack(isa, p, weights.data(), b);
    ASSERT_TRUE(packed.valid()) << name(p);
    // One channel is a plain conv (groups == 1): the GEMM path.
    if (p.groups > 1) {
      ASSERT_TRUE(packed.depthwise) << name(p) << ": not on the depthwise kernel";
    }
    std::vector<uint8_t> scratch(conv2d_scratch_bytes(packed) + 1);
    const int64_t rows = conv2d_rows(p);
    const size_t out_size = static_cast<size_t>(rows * p.out_c);
    std::vector<int8_t> got(out_size + 32, 0x55), want(out_size);
    ref::conv2d(p, input.data(), weights.data(), b, want.data());
    std::vector<int64_t> cuts = {0, rows};
    for (int s = 1; s < splits; ++s) cuts.push_back(golden::uniform_int(rng, 0, rows));
    std::sort(cuts.begin(), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      // Odd scratch offset: the driver must align what it needs itself.
      conv2d_run(packed, p, input.data(), got.data(), scratch.data() + 1, cuts[i], cuts[i + 1]);
    }
    int mismatches = 0;
    for (size_t i = 0; i < out_size && mismatches < 5; ++i) {
      if (got[i] != want[i]) {
        ++mismatches;
        ADD_FAILURE() << name(p) << ": element " << i << " (pixel " << i / p.out_c
                      << ", channel " << i % p.out_c << ") got " << int(got[i]) << " want "
                      << int(want[i]);
      }
    }
    for (size_t i = out_size; i < got.size(); ++i) {
      ASSERT_EQ(got[i], 0x55) << name(p) << ": write past the output";
    }
  }
};

TEST_P(ArmDwconvTest, EveryChannelCount) {
  uint32_t seed = 1;
  for (int32_t c = 1; c <= 97; ++c) {
    const int32_t kernel = c % 3 == 0 ? 5 : 3;
    const int32_t stride = c % 2 + 1;
    ConvParams p = dw(7, 6, c, kernel, kernel, stride, 1, {1, 2, 2, 1});
    p.input_zero_point = c % 5 == 0 ? -128 : c % 7 == 0 ? 127 : static_cast<int32_t>(c % 11) - 5;
    p.output_zero_point = static_cast<int32_t>(c % 13) - 6;
    check(p, Data{}, seed++, 3);
  }
}

TEST_P(ArmDwconvTest, KernelsStridesPaddingDilation) {
  uint32_t seed = 200;
  const int32_t kernels[][2] = {{3, 3}, {5, 5}, {1, 1}, {3, 5}, {7, 7}, {2, 4}};
  const int32_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 0, 2}, {0, 3, 3, 0}};
  for (const auto& k : kernels) {
    for (int32_t stride : {1, 2}) {
      for (const auto& pad : pads) {
        ConvParams p = dw(9, 10, 24, k[0], k[1], stride, 1, pad, 2);
        p.input_zero_point = static_cast<int32_t>(seed % 19) - 9;
        check(p, Data{}, seed++, 4);
      }
    }
  }
  check(dw(12, 12, 33, 3, 3, 2, 2, {2, 2, 2, 2}), Data{}, seed++);
  check(dw(11, 13, 17, 3, 3, 1, 3, {3, 1, 3, 3}), Data{}, seed++);
  // Padding wider than the kernel reach: whole windows of Z_in.
  check(dw(3, 4, 20, 3, 3, 1, 1, {3, 2, 3, 4}), Data{}, seed++);
}

TEST_P(ArmDwconvTest, ZeroPointsSaturationAndShifts) {
  uint32_t seed = 500;
  for (int32_t z_in : {-128, 127}) {
    for (int32_t z_out : {-128, 127}) {
      ConvParams p = dw(6, 6, 40, 3, 3, 1, 1, {1, 1, 1, 1});
      p.input_zero_point = z_in;
      p.output_zero_point = z_out;
      Data sat;
      sat.real_lo = 1e-3;  // outputs pile up at both int8 ends
      sat.real_hi = 3e-2;
      check(p, sat, seed++);
      p.act_min = -20;
      p.act_max = 90;
      check(p, Data{}, seed++);
    }
  }
  // Positive shifts (the saturating left shift) on small accumulators.
  ConvParams p = dw(5, 5, 21, 3, 3, 1, 1, {1, 1, 1, 1});
  Data left;
  left.in_lo = -3;
  left.in_hi = 3;
  left.w_lo = -2;
  left.w_hi = 2;
  left.real_lo = 2;
  left.real_hi = 30;
  check(p, left, seed++);
  // All -128 inputs and weights: the largest products.
  Data extreme;
  extreme.in_lo = extreme.in_hi = -128;
  extreme.w_lo = extreme.w_hi = -128;
  extreme.real_lo = 1e-6;
  extreme.real_hi = 1e-5;
  extreme.with_bias = false;
  p = dw(5, 5, 35, 5, 5, 1, 1, {2, 2, 2, 2});
  p.input_zero_point = 127;
  check(p, extreme, seed++);
  // MobileNet-like shape, many row splits.
  check(dw(14, 14, 144, 3, 3, 2, 1, {0, 0, 1, 1}), Data{}, seed++, 7);
}

// Rows wide enough for the tap walker's interior steps
// (kernels/common/dw_tap_walker.h): long interior runs of odd and even
// length, padding rows above and below, dilation, and row ranges that
// start and end inside a row.
TEST_P(ArmDwconvTest, WideRowsInteriorSteps) {
  uint32_t seed = 900;
  for (int32_t c : {8, 24, 40}) {
    for (int32_t kernel : {3, 5}) {
      for (int32_t stride : {1, 2}) {
        for (int32_t in_w : {17, 24}) {
          const int32_t pad = kernel / 2;
          check(dw(5, in_w, c, kernel, kernel, stride, 1, {pad, pad, pad, pad}), Data{}, seed++, 5);
        }
      }
    }
    check(dw(7, 21, c, 3, 3, 1, 2, {2, 0, 1, 3}, 2), Data{}, seed++, 4);
  }
}

INSTANTIATE_TEST_SUITE_P(Arm, ArmDwconvTest,
                         ::testing::Values(Isa::kNeon, Isa::kNeonDot, Isa::kI8mm),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace dyad

#endif  // __aarch64__ || __arm__
