// ref::matmul (eq. 20 + eq. 6) against hand-derived cases (exact) and a double
// golden with explicit broadcasting of the batch dims, within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"
#include "tests/unit/ref_split_check.h"

namespace dyad {
namespace {

Shape make_shape(std::vector<int32_t> dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (int i = 0; i < s.rank; ++i) s.dims[i] = dims[i];
  return s;
}

TEST(RefMatMul, HandSingle) {
  MatMulParams p;
  p.m = p.k = p.n = 2;
  p.multiplier = 1 << 30;
  p.shift = 1;  // M = 1
  p.a_zero_point = 1;
  p.b_zero_point = -1;
  // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]] in real terms.
  const std::vector<int8_t> a{2, 3, 4, 5}, b{4, 5, 6, 7};
  std::vector<int8_t> out(4);
  ref::matmul(p, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{19, 22, 43, 50}));
  // M = 4, Z_out = -100: 76-100, 88-100, 172-100, 200-100.
  p.shift = 3;
  p.output_zero_point = -100;
  ref::matmul(p, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-24, -12, 72, 100}));
  p.act_min = -20;
  p.act_max = 80;
  ref::matmul(p, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-20, -12, 72, 80}));
}

TEST(RefMatMul, HandBroadcastBatch) {
  // A has 2 batches, B has 1 (broadcast): out batch i = A_i x B.
  MatMulParams p;
  p.a_batch = make_shape({2});
  p.b_batch = make_shape({1});
  p.out_batch = make_shape({2});
  p.m = 1;
  p.k = 2;
  p.n = 1;
  p.multiplier = 1 << 30;
  p.shift = 1;
  const std::vector<int8_t> a{1, 2, 3, 4}, b{10, -1};
  std::vector<int8_t> out(2);
  ref::matmul(p, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{8, 26}));
  // Now B has 2 batches and A is broadcast.
  p.a_batch = make_shape({1});
  p.b_batch = make_shape({2});
  const std::vector<int8_t> b2{1, 1, 2, -1};
  ref::matmul(p, a.data(), b2.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{3, 0}));
}

TEST(RefMatMul, HandExtremeZeroPointsSaturate) {
  // (127 - (-128)) * (-128 - 127) * 3 = -195075: clamps to -128 with M = 1.
  MatMulParams p;
  p.m = p.n = 1;
  p.k = 3;
  p.multiplier = 1 << 30;
  p.shift = 1;
  p.a_zero_point = -128;
  p.b_zero_point = 127;
  const std::vector<int8_t> a{127, 127, 127}, b{-128, -128, -128};
  int8_t out = 0;
  ref::matmul(p, a.data(), b.data(), &out);
  EXPECT_EQ(out, -128);
  // With M = 2^-11 (shift -10): -195075 / 2048 = -95.25 -> -95.
  p.shift = -10;
  ref::matmul(p, a.data(), b.data(), &out);
  EXPECT_EQ(out, -95);
}

struct MatMulCase {
  std::vector<int32_t> a_batch, b_batch;  // same rank; out = elementwise max
  int m = 5, k = 13, n = 7;
  int32_t za = 3, zb = -11, zout = 2;
  int32_t act_min = -128, act_max = 127;
  double gain = 1.0;
};

void check_random(const MatMulCase& c, int seeds = 4) {
  size_t total = 0, differing = 0, clamped = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937 rng(31 + seed);
    MatMulParams p;
    std::vector<int32_t> out_dims;
    for (size_t d = 0; d < c.a_batch.size(); ++d) out_dims.push_back(std::max(c.a_batch[d], c.b_batch[d]));
    p.a_batch = make_shape(c.a_batch);
    p.b_batch = make_shape(c.b_batch);
    p.out_batch = make_shape(out_dims);
    p.m = c.m;
    p.k = c.k;
    p.n = c.n;
    p.a_zero_point = c.za;
    p.b_zero_point = c.zb;
    p.output_zero_point = c.zout;
    p.act_min = c.act_min;
    p.act_max = c.act_max;
    const double m = 60.0 * c.gain / (74.0 * 74.0 * std::sqrt(static_cast<double>(c.k)));
    const auto mult = golden::random_multipliers(rng, 1, m / 3, m * 3);
    p.multiplier = mult.m0[0];
    p.shift = mult.shift[0];

    const size_t a_batches = p.a_batch.elements(), b_batches = p.b_batch.elements();
    const size_t out_batches = p.out_batch.elements();
    const auto a = golden::random_int8(rng, a_batches * c.m * c.k);
    const auto b = golden::random_int8(rng, b_batches * c.k * c.n);
    const double s_a = golden::uniform_real(rng, 0.01, 0.1);
    const double s_out = golden::uniform_real(rng, 0.01, 0.5);
    const double s_b = mult.real(0) * s_out / s_a;

    std::vector<int64_t> expected;
    for (size_t ob = 0; ob < out_batches; ++ob) {
      // Multi-index of ob, then each operand's index with size-1 dims pinned to 0.
      std::vector<size_t> idx(out_dims.size());
      size_t rest = ob;
      for (int d = static_cast<int>(out_dims.size()) - 1; d >= 0; --d) {
        idx[d] = rest % out_dims[d];
        rest /= out_dims[d];
      }
      size_t ai = 0, bi = 0;
      for (size_t d = 0; d < out_dims.size(); ++d) {
        ai = ai * c.a_batch[d] + (c.a_batch[d] == 1 ? 0 : idx[d]);
        bi = bi * c.b_batch[d] + (c.b_batch[d] == 1 ? 0 : idx[d]);
      }
      for (int i = 0; i < c.m; ++i) {
        for (int j = 0; j < c.n; ++j) {
          double real = 0.0;
          for (int kk = 0; kk < c.k; ++kk) {
            real += dequantize_value(a[(ai * c.m + i) * c.k + kk], s_a, c.za) *
                    dequantize_value(b[(bi * c.k + kk) * c.n + j], s_b, c.zb);
          }
          expected.push_back(quantize_value(real, s_out, c.zout, c.act_min, c.act_max));
        }
      }
    }
    std::vector<int8_t> got(out_batches * c.m * c.n);
    ref::matmul(p, a.data(), b.data(), got.data());
    ASSERT_TRUE(golden::within(got, expected, 1)) << "seed " << seed;
    total += got.size();
    differing += golden::count_different(got, expected);
    for (int8_t v : got) clamped += (v == c.act_min || v == c.act_max);
  }
  EXPECT_LE(differing * 50, total) << differing << " of " << total << " off by one";
  if (c.gain > 1.0) {
    EXPECT_GT(clamped, 0u);
  }
}

TEST(RefMatMulRandom, NoBatch) { check_random(MatMulCase{}); }

TEST(RefMatMulRandom, SameBatch) {
  MatMulCase c;
  c.a_batch = c.b_batch = {3};
  check_random(c);
}

TEST(RefMatMulRandom, BroadcastBothWays) {
  MatMulCase c;
  c.a_batch = {2, 1, 3};
  c.b_batch = {1, 4, 3};
  check_random(c);
  c.a_batch = {1, 2};
  c.b_batch = {3, 1};
  check_random(c);
}

TEST(RefMatMulRandom, ZeroPointsAndClamp) {
  MatMulCase c;
  c.za = -128;
  c.zb = 127;
  c.zout = 127;
  check_random(c);
  c.za = 127;
  c.zb = -128;
  c.zout = -128;
  c.gain = 5.0;
  check_random(c);
}

TEST(RefMatMulRandom, LongK) {
  MatMulCase c;
  c.m = 2;
  c.n = 3;
  c.k = 2000;
  check_random(c, 2);
}

// matmul_rows: any range of output rows (batch x M) writes exactly those rows,
// as matmul() does, also across broadcast batch boundaries.
TEST(RefMatMul, AnyRowRangeMatchesWhole) {
  std::mt19937 rng(64);
  struct Case {
    std::vector<int32_t> a_batch, b_batch;
    int m, k, n;
  };
  const Case cases[] = {{{}, {}, 9, 6, 5},
                        {{3}, {3}, 4, 7, 3},
                        {{2, 1}, {1, 3}, 3, 5, 4},
                        {{1}, {4}, 1, 9, 6},
                        {{5}, {1}, 2, 3, 1}};
  for (const Case& c : cases) {
    MatMulParams p;
    std::vector<int32_t> out_dims;
    for (size_t d = 0; d < c.a_batch.size(); ++d) out_dims.push_back(std::max(c.a_batch[d], c.b_batch[d]));
    p.a_batch = make_shape(c.a_batch);
    p.b_batch = make_shape(c.b_batch);
    p.out_batch = make_shape(out_dims);
    p.m = c.m;
    p.k = c.k;
    p.n = c.n;
    p.a_zero_point = 5;
    p.b_zero_point = -7;
    p.output_zero_point = 3;
    p.multiplier = 1500000000;
    p.shift = -9;
    const auto a = golden::random_int8(rng, static_cast<size_t>(p.a_batch.elements()) * c.m * c.k);
    const auto b = golden::random_int8(rng, static_cast<size_t>(p.b_batch.elements()) * c.k * c.n);
    const int64_t rows = p.out_batch.elements() * c.m;
    std::vector<int8_t> whole(static_cast<size_t>(rows) * c.n);
    ref::matmul(p, a.data(), b.data(), whole.data());
    split_check::expect_ranges_match(
        rows, static_cast<size_t>(c.n), std::vector<uint8_t>(whole.begin(), whole.end()),
        [&](int64_t begin, int64_t end, uint8_t* out) {
          ref::matmul_rows(p, a.data(), b.data(), reinterpret_cast<int8_t*>(out), begin, end);
        },
        "matmul rows " + std::to_string(rows));
  }
}

}  // namespace
}  // namespace dyad
