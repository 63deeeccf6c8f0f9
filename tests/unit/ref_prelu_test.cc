// Tests of ref::prelu (eq. 19): hand-derived slopes (positive, fractional,
// negative, per channel), and random double goldens within 1 LSB.
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

struct PReluCase {
  int64_t rows = 1;
  int32_t channels = 1;
  int32_t zin = 0, zout = 0;
  double positive = 1.0;
  std::vector<double> negative;  // real slopes (times S_in / S_out)
};

struct PReluPrepared {
  PReluParams params;
  std::vector<int32_t> m0;
  std::vector<int8_t> shift;
};

void prelu_prepare(const PReluCase& c, PReluPrepared* out) {
  PReluParams& p = out->params;
  p.rows = c.rows;
  p.channels = c.channels;
  p.input_zero_point = c.zin;
  p.output_zero_point = c.zout;
  const DyadicMultiplier pos = golden::dyadic(c.positive);
  p.positive_multiplier = pos.multiplier;
  p.positive_shift = pos.shift;
  for (double s : c.negative) {
    const DyadicMultiplier d = golden::dyadic(s);
    out->m0.push_back(d.multiplier);
    out->shift.push_back(static_cast<int8_t>(d.shift));
  }
  p.negative.multiplier = out->m0.data();
  p.negative.shift = out->shift.data();
  p.negative.count = static_cast<int32_t>(out->m0.size());
}

std::vector<int8_t> prelu_run(PReluCase c, const std::vector<int8_t>& in) {
  c.rows = static_cast<int64_t>(in.size()) / c.channels;
  PReluPrepared prepared;
  prelu_prepare(c, &prepared);
  std::vector<int8_t> out(in.size());
  ref::prelu(prepared.params, in.data(), out.data());
  return out;
}

TEST(RefPRelu, HandDerived) {
  PReluCase c;
  c.negative = {0.25};
  // x >= 0 passes through (M = 1); x < 0 times 1/4, halves away from zero.
  EXPECT_EQ(prelu_run(c, {0, 5, 127, -8, -7, -6, -1, -128}),
            (std::vector<int8_t>{0, 5, 127, -2, -2, -2, 0, -32}));
  // Negative slope -1/2 (M0 < 0): negative inputs become positive.
  c.negative = {-0.5};
  EXPECT_EQ(prelu_run(c, {-6, -5, -128, 4}), (std::vector<int8_t>{3, 3, 64, 4}));
  // Zero points -128 (input) and 127 (output), positive scale 1/2.
  c.zin = -128;
  c.zout = 127;
  c.positive = 0.5;
  c.negative = {0.25};
  EXPECT_EQ(prelu_run(c, {-128, -127, 127}), (std::vector<int8_t>{127, 127, 127}));
  c.zout = -128;
  // (q + 128)/2 - 128: q=-128 -> -128; -127 -> 0.5->1 -> -127; 127 -> 127.5 -> 128 -> 0
  EXPECT_EQ(prelu_run(c, {-128, -127, 127}), (std::vector<int8_t>{-128, -127, 0}));
  // Per channel slopes along the last axis: 2 rows x 3 channels.
  PReluCase pc;
  pc.rows = 2;
  pc.channels = 3;
  pc.negative = {0.5, 1.0, -1.0};
  EXPECT_EQ(prelu_run(pc, {-10, -10, -10, 10, -3, -128}), (std::vector<int8_t>{-5, -10, 10, 10, -3, 127}));
}

TEST(RefPRelu, RandomWithin1Lsb) {
  std::mt19937 rng(61);
  size_t differ = 0, total = 0;
  for (int trial = 0; trial < 60; ++trial) {
    PReluCase c;
    c.rows = golden::uniform_int(rng, 1, 20);
    c.channels = golden::uniform_int(rng, 1, 40);
    const int32_t extremes[3] = {-128, 127, 0};
    c.zin = trial < 3 ? extremes[trial] : golden::uniform_int(rng, -128, 127);
    c.zout = trial < 3 ? extremes[(trial + 1) % 3] : golden::uniform_int(rng, -128, 127);
    c.positive = golden::uniform_real(rng, 0.1, 3.0);
    const int32_t slopes = trial % 4 == 0 ? 1 : c.channels;
    for (int32_t i = 0; i < slopes; ++i) {
      double s = golden::uniform_real(rng, 0.01, 2.0) * c.positive;
      if (golden::uniform_int(rng, 0, 3) == 0) s = -s;
      c.negative.push_back(s);
    }
    PReluPrepared prepared;
    prelu_prepare(c, &prepared);
    const auto in = golden::random_int8(rng, static_cast<size_t>(c.rows * c.channels));
    std::vector<int8_t> out(in.size());
    ref::prelu(prepared.params, in.data(), out.data());
    std::vector<int32_t> want(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const int32_t ch = static_cast<int32_t>(i % static_cast<size_t>(c.channels));
      const int32_t x = in[i] - c.zin;
      const double m = x >= 0 ? golden::dyadic_value(prepared.params.positive_multiplier,
                                                     prepared.params.positive_shift)
                              : golden::dyadic_value(prepared.params.negative.m(ch),
                                                     prepared.params.negative.s(ch));
      want[i] = golden::round_and_clamp(x * m, c.zout, -128, 127);
    }
    ASSERT_TRUE(golden::within(out, want, 1)) << "trial " << trial;
    differ += golden::count_different(out, want);
    total += in.size();
  }
  EXPECT_LT(differ * 20, total) << differ;
}

// prelu_rows: any range of rows writes exactly those rows, as prelu() does.
TEST(RefPRelu, AnyRowRangeMatchesWhole) {
  std::mt19937 rng(63);
  for (const auto& rc : {std::pair<int64_t, int32_t>{21, 5}, {50, 1}, {2, 64}}) {
    PReluCase c;
    c.rows = rc.first;
    c.channels = rc.second;
    c.zin = -6;
    c.zout = 9;
    c.positive = 0.8;
    for (int32_t i = 0; i < c.channels; ++i) c.negative.push_back(golden::uniform_real(rng, -0.9, 0.9));
    PReluPrepared prepared;
    prelu_prepare(c, &prepared);
    const auto in = golden::random_int8(rng, static_cast<size_t>(c.rows) * c.channels);
    std::vector<int8_t> whole(in.size());
    ref::prelu(prepared.params, in.data(), whole.data());
    split_check::expect_ranges_match(
        c.rows, static_cast<size_t>(c.channels), std::vector<uint8_t>(whole.begin(), whole.end()),
        [&](int64_t b, int64_t e, uint8_t* out) {
          ref::prelu_rows(prepared.params, in.data(), reinterpret_cast<int8_t*>(out), b, e);
        },
        "prelu " + std::to_string(c.rows) + "x" + std::to_string(c.channels));
  }
}

}  // namespace
}  // namespace dyad
