// Tests of ref::add / ref::sub (eqs. 7-9) and ref::mul (eq. 10): hand-derived
// exact cases, and double-precision goldens (dequantize, compute, quantize by
// eq. 1) on random broadcast shapes, allowing at most 1 LSB.
#include <algorithm>
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

Shape binary_shape(std::vector<int32_t> dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) s.dims[i] = dims[i];
  return s;
}

// Index into an input of shape `in` for output flat index o (independent of
// the kernel's odometer: plain division per dim).
int64_t binary_broadcast_index(const Shape& in, const Shape& out, int64_t o) {
  int64_t index = 0;
  int64_t in_stride = 1;
  for (int d = out.rank - 1; d >= 0; --d) {
    const int64_t coord = o % out.dims[d];
    o /= out.dims[d];
    if (in.dims[d] != 1) index += coord * in_stride;
    in_stride *= in.dims[d];
  }
  return index;
}

struct BinaryQuant {
  double sa, sb, sout;
  int32_t za, zb, zout;
};

// The TFLite Add/Sub parameters for the given scales (left_shift = 20).
AddParams binary_add_params(const BinaryShapes& shapes, const BinaryQuant& q) {
  AddParams p;
  p.shapes = shapes;
  p.a_zero_point = q.za;
  p.b_zero_point = q.zb;
  p.output_zero_point = q.zout;
  p.left_shift = 20;
  const double twice_max = 2.0 * std::max(q.sa, q.sb);
  const DyadicMultiplier ma = golden::dyadic(q.sa / twice_max);
  const DyadicMultiplier mb = golden::dyadic(q.sb / twice_max);
  const DyadicMultiplier mo = golden::dyadic(twice_max / (std::ldexp(1.0, 20) * q.sout));
  p.a_multiplier = ma.multiplier;
  p.a_shift = ma.shift;
  p.b_multiplier = mb.multiplier;
  p.b_shift = mb.shift;
  p.output_multiplier = mo.multiplier;
  p.output_shift = mo.shift;
  return p;
}

MulParams binary_mul_params(const BinaryShapes& shapes, const BinaryQuant& q) {
  MulParams p;
  p.shapes = shapes;
  p.a_zero_point = q.za;
  p.b_zero_point = q.zb;
  p.output_zero_point = q.zout;
  const DyadicMultiplier m = golden::dyadic(q.sa * q.sb / q.sout);
  p.output_multiplier = m.multiplier;
  p.output_shift = m.shift;
  return p;
}

enum class BinaryOp { kAdd, kSub, kMul };

std::vector<int32_t> binary_golden(BinaryOp op, const BinaryShapes& s, const BinaryQuant& q,
                                   const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                                   int32_t lo, int32_t hi) {
  std::vector<int32_t> out(static_cast<size_t>(s.out.elements()));
  for (int64_t o = 0; o < s.out.elements(); ++o) {
    const double ra = dequantize_value(a[binary_broadcast_index(s.a, s.out, o)], q.sa, q.za);
    const double rb = dequantize_value(b[binary_broadcast_index(s.b, s.out, o)], q.sb, q.zb);
    const double r = op == BinaryOp::kAdd ? ra + rb : (op == BinaryOp::kSub ? ra - rb : ra * rb);
    out[o] = quantize_value(r, q.sout, q.zout, lo, hi);
  }
  return out;
}

std::vector<int8_t> binary_run(BinaryOp op, const BinaryShapes& s, const BinaryQuant& q,
                               const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                               int32_t lo = -128, int32_t hi = 127) {
  std::vector<int8_t> out(static_cast<size_t>(s.out.elements()));
  if (op == BinaryOp::kMul) {
    MulParams p = binary_mul_params(s, q);
    p.act_min = lo;
    p.act_max = hi;
    ref::mul(p, a.data(), b.data(), out.data());
  } else {
    AddParams p = binary_add_params(s, q);
    p.act_min = lo;
    p.act_max = hi;
    if (op == BinaryOp::kAdd) {
      ref::add(p, a.data(), b.data(), out.data());
    } else {
      ref::sub(p, a.data(), b.data(), out.data());
    }
  }
  return out;
}

TEST(RefBinary, AddUnitScalesIsExactSum) {
  // S = 1 everywhere: M_a = M_b = 1/2, M_out = 2^-19, so out = Z_out + (a-Za) + (b-Zb).
  const BinaryShapes s{binary_shape({5}), binary_shape({5}), binary_shape({5})};
  const BinaryQuant q{1.0, 1.0, 1.0, 0, 0, 0};
  const std::vector<int8_t> a = {1, 2, 3, 100, -100};
  const std::vector<int8_t> b = {10, 20, -30, 100, -100};
  EXPECT_EQ(binary_run(BinaryOp::kAdd, s, q, a, b), (std::vector<int8_t>{11, 22, -27, 127, -128}));
  EXPECT_EQ(binary_run(BinaryOp::kSub, s, q, a, b), (std::vector<int8_t>{-9, -18, 33, 0, 0}));
  // Zero points shift inputs and output: (a+5) + (b-3) - 10 with Za=-5... written out.
  const BinaryQuant qz{1.0, 1.0, 1.0, -128, 127, 10};
  const std::vector<int8_t> a2 = {-128, -100, 0, 127, -128};
  const std::vector<int8_t> b2 = {127, 100, 127, 127, 0};
  // (a+128) + (b-127) + 10: 10, 11, 138->127, 265->127, -117
  EXPECT_EQ(binary_run(BinaryOp::kAdd, s, qz, a2, b2),
            (std::vector<int8_t>{10, 11, 127, 127, -117}));
  // (a+128) - (b-127) + 10: 10, 65, 138->127, 265->127, 393->127
  EXPECT_EQ(binary_run(BinaryOp::kSub, s, qz, a2, b2),
            (std::vector<int8_t>{10, 65, 127, 127, 127}));
}

TEST(RefBinary, AddExactHalvesRoundAwayFromZero) {
  // S_out = 2: out = (a + b) / 2 with M_out = 2^-20; odd sums are exact halves,
  // which eq. 6's final RDBP rounds away from zero.
  const BinaryShapes s{binary_shape({6}), binary_shape({6}), binary_shape({6})};
  const BinaryQuant q{1.0, 1.0, 2.0, 0, 0, 0};
  EXPECT_EQ(binary_run(BinaryOp::kAdd, s, q, {1, -1, 3, -3, 2, -2}, {0, 0, 0, 0, 1, -1}),
            (std::vector<int8_t>{1, -1, 2, -2, 2, -2}));
  EXPECT_EQ(binary_run(BinaryOp::kSub, s, q, {1, -1, 3, -3, 2, -2}, {0, 0, 0, 0, -1, 1}),
            (std::vector<int8_t>{1, -1, 2, -2, 2, -2}));
}

TEST(RefBinary, AddActivationClamp) {
  const BinaryShapes s{binary_shape({4}), binary_shape({4}), binary_shape({4})};
  const BinaryQuant q{1.0, 1.0, 1.0, 0, 0, 0};
  // ReLU6-style clamp to [0, 6] in the output domain.
  EXPECT_EQ(binary_run(BinaryOp::kAdd, s, q, {-5, 1, 3, 4}, {2, 2, 2, 4}, 0, 6),
            (std::vector<int8_t>{0, 3, 5, 6}));
}

TEST(RefBinary, MulUnitScalesIsExactProduct) {
  const BinaryShapes s{binary_shape({5}), binary_shape({5}), binary_shape({5})};
  const BinaryQuant q{1.0, 1.0, 1.0, 0, 0, 0};  // M = 1: M0 = 2^30, shift = 1
  EXPECT_EQ(binary_run(BinaryOp::kMul, s, q, {3, -5, 20, -128, 11}, {4, 6, 20, 127, -11}),
            (std::vector<int8_t>{12, -30, 127, -128, -121}));
  // M = 1/4 (M0 = 2^30, shift = -1): eq. 6 rounds twice. 6/4: SRDHM gives 3, RDBP(3, 1)
  // = 1.5 -> 2; -6/4 -> -2 (away from zero); 5/4: SRDHM(5, 2^30) = round(2.5) = 3, then
  // RDBP(3, 1) = 2 (TFLite's double rounding, not round(1.25) = 1).
  const BinaryQuant quarter{1.0, 1.0, 4.0, 0, 0, 0};
  EXPECT_EQ(binary_run(BinaryOp::kMul, s, quarter, {3, -3, 5, 2, -2}, {2, 2, 1, 3, 3}),
            (std::vector<int8_t>{2, -2, 2, 2, -2}));
}

TEST(RefBinary, BroadcastScalarRowColumnHandDerived) {
  const BinaryQuant q{1.0, 1.0, 1.0, 0, 0, 0};
  // [2,3] + scalar [1,1]
  BinaryShapes s{binary_shape({2, 3}), binary_shape({1, 1}), binary_shape({2, 3})};
  EXPECT_EQ(binary_run(BinaryOp::kAdd, s, q, {1, 2, 3, 4, 5, 6}, {10}),
            (std::vector<int8_t>{11, 12, 13, 14, 15, 16}));
  // [2,3] - row [1,3]
  s = {binary_shape({2, 3}), binary_shape({1, 3}), binary_shape({2, 3})};
  EXPECT_EQ(binary_run(BinaryOp::kSub, s, q, {1, 2, 3, 4, 5, 6}, {1, 2, 3}),
            (std::vector<int8_t>{0, 0, 0, 3, 3, 3}));
  // column [2,1] * row [1,3] -> outer product [2,3]
  s = {binary_shape({2, 1}), binary_shape({1, 3}), binary_shape({2, 3})};
  EXPECT_EQ(binary_run(BinaryOp::kMul, s, q, {2, -3}, {1, 2, 3}),
            (std::vector<int8_t>{2, 4, 6, -3, -6, -9}));
  // scalar on the left: [1] - [3]
  s = {binary_shape({1}), binary_shape({3}), binary_shape({3})};
  EXPECT_EQ(binary_run(BinaryOp::kSub, s, q, {5}, {1, 2, 3}), (std::vector<int8_t>{4, 3, 2}));
}

struct BinaryShapeCase {
  std::vector<int32_t> a, b, out;
};

std::vector<BinaryShapeCase> binary_shape_cases() {
  return {
      {{7}, {7}, {7}},
      {{3, 5}, {3, 5}, {3, 5}},
      {{3, 5}, {1, 1}, {3, 5}},                   // scalar
      {{1, 1}, {3, 5}, {3, 5}},                   // scalar on the left
      {{4, 6}, {1, 6}, {4, 6}},                   // row
      {{4, 6}, {4, 1}, {4, 6}},                   // column
      {{4, 1}, {1, 6}, {4, 6}},                   // outer
      {{2, 5, 7, 16}, {2, 1, 1, 16}, {2, 5, 7, 16}},  // squeeze-excite (NHWC channel-wise)
      {{1, 1, 1, 16}, {1, 5, 7, 16}, {1, 5, 7, 16}},
      {{2, 3, 1, 4, 1}, {1, 3, 5, 1, 2}, {2, 3, 5, 4, 2}},
      {{2, 1, 3, 1, 2, 3}, {1, 2, 1, 2, 2, 1}, {2, 2, 3, 2, 2, 3}},
  };
}

void binary_random_check(BinaryOp op, uint32_t seed) {
  std::mt19937 rng(seed);
  size_t total_off_by_one = 0;
  size_t total = 0;
  for (const BinaryShapeCase& c : binary_shape_cases()) {
    for (int trial = 0; trial < 12; ++trial) {
      const BinaryShapes s{binary_shape(c.a), binary_shape(c.b), binary_shape(c.out)};
      BinaryQuant q;
      q.sa = golden::uniform_real(rng, 0.002, 0.2);
      q.sb = golden::uniform_real(rng, 0.002, 0.2);
      q.sout = op == BinaryOp::kMul ? q.sa * q.sb * golden::uniform_real(rng, 20.0, 300.0)
                                    : golden::uniform_real(rng, 0.004, 0.3);
      // Extreme zero points in the first trials, random afterwards.
      const int32_t extremes[3] = {-128, 127, 0};
      q.za = trial < 3 ? extremes[trial] : golden::uniform_int(rng, -128, 127);
      q.zb = trial < 3 ? extremes[(trial + 1) % 3] : golden::uniform_int(rng, -128, 127);
      q.zout = trial < 3 ? extremes[(trial + 2) % 3] : golden::uniform_int(rng, -128, 127);
      int32_t lo = -128, hi = 127;
      if (trial == 5) {
        lo = q.zout;  // fused ReLU
      } else if (trial == 6) {
        lo = golden::uniform_int(rng, -128, 0);
        hi = golden::uniform_int(rng, 1, 127);
      }
      const auto a = golden::random_int8(rng, static_cast<size_t>(s.a.elements()));
      const auto b = golden::random_int8(rng, static_cast<size_t>(s.b.elements()));
      const auto got = binary_run(op, s, q, a, b, lo, hi);
      const auto want = binary_golden(op, s, q, a, b, lo, hi);
      ASSERT_TRUE(golden::within(got, want, 1))
          << "op " << static_cast<int>(op) << " shape case out rank " << s.out.rank << " trial "
          << trial;
      total_off_by_one += golden::count_different(got, want);
      total += got.size();
    }
  }
  // The 1-LSB allowance is for rounding ties only: it must be rare.
  EXPECT_LT(total_off_by_one * 50, total) << total_off_by_one << " of " << total;
}

TEST(RefBinary, AddRandomBroadcastWithin1Lsb) { binary_random_check(BinaryOp::kAdd, 101); }
TEST(RefBinary, SubRandomBroadcastWithin1Lsb) { binary_random_check(BinaryOp::kSub, 202); }
TEST(RefBinary, MulRandomBroadcastWithin1Lsb) { binary_random_check(BinaryOp::kMul, 303); }

TEST(RefBinary, SaturatesAtBothEnds) {
  // Output scale much smaller than the inputs': nearly everything saturates.
  const BinaryShapes s{binary_shape({256}), binary_shape({256}), binary_shape({256})};
  std::vector<int8_t> a(256), b(256);
  for (int i = 0; i < 256; ++i) {
    a[i] = static_cast<int8_t>(i - 128);
    b[i] = static_cast<int8_t>(127 - i);
  }
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul}) {
    // Mul: Z_b = 0 so that b - Z_b changes sign and products reach both ends.
    const BinaryQuant q{0.5, 0.25, op == BinaryOp::kMul ? 0.01 : 0.02, -128,
                        op == BinaryOp::kMul ? 0 : 127, -128};
    const auto got = binary_run(op, s, q, a, b);
    EXPECT_TRUE(golden::within(got, binary_golden(op, s, q, a, b, -128, 127), 1));
    EXPECT_NE(std::count(got.begin(), got.end(), int8_t{127}), 0);
    EXPECT_NE(std::count(got.begin(), got.end(), int8_t{-128}), 0);
  }
}

}  // namespace
}  // namespace dyad
