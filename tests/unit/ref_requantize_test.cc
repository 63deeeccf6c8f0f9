// Tests of ref::requantize (eq. 16) for every input dtype (int8, uint8, int16,
// int32) and output dtype (int8, int16): hand-derived exact cases, and double
// goldens round((q - Z_in)·M) + Z_out, clamped, within 1 LSB.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/common/quantize_multiplier.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

template <typename In, typename Out>
std::vector<Out> requantize_run(RequantizeParams p, const std::vector<In>& in) {
  p.count = static_cast<int64_t>(in.size());
  std::vector<Out> out(in.size());
  ref::requantize(p, in.data(), out.data());
  return out;
}

RequantizeParams requantize_params(DType in, DType out, int32_t zin, int32_t zout, double m) {
  RequantizeParams p;
  p.input_type = in;
  p.output_type = out;
  p.input_zero_point = zin;
  p.output_zero_point = zout;
  const DyadicMultiplier d = golden::dyadic(m);
  p.multiplier = d.multiplier;
  p.shift = d.shift;
  if (out == DType::kInt16) {
    p.act_min = -32768;
    p.act_max = 32767;
  }
  return p;
}

TEST(RefRequantize, HandDerived) {
  // Camera bytes: uint8 with Z_in = 128, M = 1 -> q - 128.
  auto p = requantize_params(DType::kUInt8, DType::kInt8, 128, 0, 1.0);
  EXPECT_EQ((requantize_run<uint8_t, int8_t>(p, {0, 1, 127, 128, 200, 255})),
            (std::vector<int8_t>{-128, -127, -1, 0, 72, 127}));
  // int8 -> int8 with M = 1/2 and zero points -128 / 127: halves round away from zero.
  p = requantize_params(DType::kInt8, DType::kInt8, -128, 127, 0.5);
  EXPECT_EQ((requantize_run<int8_t, int8_t>(p, {-128, -127, -125, 127})),
            (std::vector<int8_t>{127, 127, 127, 127}));
  p = requantize_params(DType::kInt8, DType::kInt8, 127, -128, 0.5);
  // (q - 127)/2 - 128: q=127 -> -128; q=126 -> -0.5 -> -1 -> -129 -> clamp -128; q=-128 -> -127.5 -> -128 -> -256 -> -128
  EXPECT_EQ((requantize_run<int8_t, int8_t>(p, {127, 126, -128})), (std::vector<int8_t>{-128, -128, -128}));
  // M = 1/2 is M0 = 2^30, shift 0: only SRDHM (eq. 4) rounds, and like gemmlowp it
  // sends positive halves up and negative halves toward zero: 1.5 -> 2, -1.5 -> -1.
  p = requantize_params(DType::kInt8, DType::kInt8, 0, 0, 0.5);
  EXPECT_EQ((requantize_run<int8_t, int8_t>(p, {3, -3, 5, -5, 4})), (std::vector<int8_t>{2, -1, 3, -2, 2}));
  // int16 -> int8 with M = 1/256 (M0 = 2^30, shift -7): RDBP (eq. 5) rounds halves away
  // from zero (128 -> 1, -384 -> -2); 127 is rounded twice: SRDHM gives round(63.5) = 64,
  // then RDBP(64, 7) = round(0.5) = 1.
  p = requantize_params(DType::kInt16, DType::kInt8, 0, 0, 1.0 / 256);
  EXPECT_EQ((requantize_run<int16_t, int8_t>(p, {256, -384, 32767, -32768, 127, 128, 126})),
            (std::vector<int8_t>{1, -2, 127, -128, 1, 1, 0}));
  // int32 accumulator -> int16 with M = 4 (positive shift).
  p = requantize_params(DType::kInt32, DType::kInt16, 0, 10, 4.0);
  EXPECT_EQ((requantize_run<int32_t, int16_t>(p, {1, -1000, 9000, -9000, 2147483647})),
            (std::vector<int16_t>{14, -3990, 32767, -32768, 32767}));
  // act bounds (fused ReLU6 in the output domain).
  p = requantize_params(DType::kInt8, DType::kInt8, 0, 0, 1.0);
  p.act_min = 0;
  p.act_max = 6;
  EXPECT_EQ((requantize_run<int8_t, int8_t>(p, {-5, 0, 3, 6, 100})), (std::vector<int8_t>{0, 0, 3, 6, 6}));
}

template <typename In, typename Out>
void requantize_random_check(DType in_type, DType out_type, int64_t in_lo, int64_t in_hi,
                             uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> value(in_lo, in_hi);
  const int32_t out_lo = out_type == DType::kInt16 ? -32768 : -128;
  const int32_t out_hi = out_type == DType::kInt16 ? 32767 : 127;
  size_t differ = 0, total = 0;
  for (int trial = 0; trial < 40; ++trial) {
    // Input zero point inside the input range (int32: a small one), output Z in range.
    const int32_t zin = in_type == DType::kInt32
                            ? golden::uniform_int(rng, -1000, 1000)
                            : static_cast<int32_t>(value(rng));
    const int32_t extremes[2] = {out_lo, out_hi};
    const int32_t zout = out_type == DType::kInt16 ? 0
                         : trial < 2            ? extremes[trial]
                                                : golden::uniform_int(rng, -128, 127);
    // Log-uniform multiplier, from heavy down-scaling to up-scaling (shift > 0).
    const double m = std::exp(golden::uniform_real(rng, std::log(1e-6), std::log(300.0)));
    RequantizeParams p = requantize_params(in_type, out_type, zin, zout, m);
    if (trial % 7 == 3) {
      p.act_min = golden::uniform_int(rng, out_lo, zout);
      p.act_max = golden::uniform_int(rng, zout, out_hi);
    }
    const double mv = golden::dyadic_value(p.multiplier, p.shift);
    std::vector<In> in(500);
    for (auto& v : in) v = static_cast<In>(value(rng));
    const auto out = requantize_run<In, Out>(p, in);
    std::vector<int32_t> want(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      want[i] = golden::round_and_clamp((static_cast<double>(in[i]) - zin) * mv, zout, p.act_min, p.act_max);
    }
    ASSERT_TRUE(golden::within(out, want, 1)) << "trial " << trial << " m " << m;
    differ += golden::count_different(out, want);
    total += in.size();
  }
  EXPECT_LT(differ * 20, total) << differ;
}

TEST(RefRequantize, RandomInt8ToInt8) {
  requantize_random_check<int8_t, int8_t>(DType::kInt8, DType::kInt8, -128, 127, 51);
}
TEST(RefRequantize, RandomUInt8ToInt8) {
  requantize_random_check<uint8_t, int8_t>(DType::kUInt8, DType::kInt8, 0, 255, 52);
}
TEST(RefRequantize, RandomInt16ToInt8) {
  requantize_random_check<int16_t, int8_t>(DType::kInt16, DType::kInt8, -32768, 32767, 53);
}
TEST(RefRequantize, RandomInt32ToInt8) {
  requantize_random_check<int32_t, int8_t>(DType::kInt32, DType::kInt8, -2000000, 2000000, 54);
}
TEST(RefRequantize, RandomInt8ToInt16) {
  requantize_random_check<int8_t, int16_t>(DType::kInt8, DType::kInt16, -128, 127, 55);
}
TEST(RefRequantize, RandomInt32ToInt16) {
  requantize_random_check<int32_t, int16_t>(DType::kInt32, DType::kInt16, -50000000, 50000000, 56);
}

}  // namespace
}  // namespace dyad
