// Tests of ref::softmax (eq. 14). Hand-derived rows, then random rows against
// (a) the real softmax in double, with the bound derived in softmax.cc:
//     |out + 128 - min(256 p, 255)| <= 1/2 + 2^-22 + 256 (n + 1) / (2^24 - n)
// and (b) the correctly rounded round(256 e / S) of the integer table, which
// the kernel must equal except when 256 e / S is within 2^-22 below a half.
// The int16 form (eq. 14b, ref::softmax_s16_rows) against the real softmax
// with its bound.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"
#include "tests/unit/ref_split_check.h"

namespace dyad {
namespace {

// T[d] = round(2^23 exp(-beta S_in d)) (schema/dyad.fbs).
std::vector<int32_t> softmax_table(double beta_times_scale) {
  std::vector<int32_t> t(256);
  for (int d = 0; d < 256; ++d) {
    t[d] = static_cast<int32_t>(std::llround(std::ldexp(std::exp(-beta_times_scale * d), 23)));
  }
  return t;
}

std::vector<int8_t> softmax_run(int32_t rows, int32_t cols, const std::vector<int32_t>& table,
                                const std::vector<int8_t>& in) {
  SoftmaxParams p;
  p.rows = rows;
  p.cols = cols;
  p.exp_table = table.data();
  std::vector<int8_t> out(in.size());
  ref::softmax(p, in.data(), out.data());
  return out;
}

TEST(RefSoftmax, HandDerivedRows) {
  const auto table = softmax_table(0.1);
  // Equal values: 256/n - 128. n = 1 -> 256 clamps to 127; n = 3 -> 85.33 -> 85.
  EXPECT_EQ(softmax_run(1, 1, table, {5}), (std::vector<int8_t>{127}));
  EXPECT_EQ(softmax_run(1, 2, table, {-7, -7}), (std::vector<int8_t>{0, 0}));
  EXPECT_EQ(softmax_run(1, 3, table, {9, 9, 9}), (std::vector<int8_t>{-43, -43, -43}));
  EXPECT_EQ(softmax_run(1, 4, table, {-128, -128, -128, -128}), (std::vector<int8_t>{-64, -64, -64, -64}));
  // A far-away element gets T[255] ~ 2^23 e^-25.5 ~ 0: out -128; the others share 256.
  EXPECT_EQ(softmax_run(2, 2, table, {127, -128, 0, 0}), (std::vector<int8_t>{127, -128, 0, 0}));
  // Exact tie: n = 512 equal values give 256/512 = 0.5, which rounds up to 1.
  EXPECT_EQ(softmax_run(1, 512, table, std::vector<int8_t>(512, 3)), std::vector<int8_t>(512, -127));
  // Exact table values: T = {2^23, 2^22, 2^21, ...}: row {0, -1} with beta S_in = ln 2
  // gives e = {2^23, 2^22}, S = 3·2^22, outputs 256·2/3 = 170.67 -> 171, 85.33 -> 85.
  EXPECT_EQ(softmax_run(1, 2, softmax_table(std::log(2.0)), {0, -1}), (std::vector<int8_t>{43, -43}));
}

TEST(RefSoftmax, ExactTieWithNonPowerOfTwoSum) {
  // A hand-made table: T[0] = 2^23, T[1] = 3·2^19, T[2] = 2^19. Row: one 0, one -1 and
  // 1517 values -2, so S = 2^23 + 3·2^19 + 1517·2^19 = 3·2^28 (not a power of two).
  // 256·3·2^19 / S = 1/2 exactly -> rounds up to 1 -> -127 (the reciprocal is rounded
  // up so that exact halves are not lost). 256·2^23 / S = 8/3 -> 3 -> -125;
  // 256·2^19 / S = 1/6 -> 0 -> -128.
  std::vector<int32_t> table(256, 0);
  table[0] = 1 << 23;
  table[1] = 3 << 19;
  table[2] = 1 << 19;
  std::vector<int8_t> row(1519, -2);
  row[0] = 0;
  row[1] = -1;
  const auto out = softmax_run(1, 1519, table, row);
  EXPECT_EQ(out[0], -125);
  EXPECT_EQ(out[1], -127);
  EXPECT_EQ(out[2], -128);
  EXPECT_EQ(out[1518], -128);
}

void softmax_random_check(int32_t rows, int32_t cols, double beta_times_scale, uint32_t seed,
                          int32_t spread) {
  std::mt19937 rng(seed);
  const auto table = softmax_table(beta_times_scale);
  std::vector<int8_t> in(static_cast<size_t>(rows) * cols);
  for (int32_t r = 0; r < rows; ++r) {
    const int32_t lo = golden::uniform_int(rng, -128, 127 - spread);
    for (int32_t i = 0; i < cols; ++i) {
      in[static_cast<size_t>(r) * cols + i] = static_cast<int8_t>(golden::uniform_int(rng, lo, lo + spread));
    }
  }
  const auto out = softmax_run(rows, cols, table, in);
  const double n = cols;
  const double bound = 0.5 + std::ldexp(1.0, -22) + 256.0 * (n + 1) / (std::ldexp(1.0, 24) - n);
  int64_t not_rounded = 0;
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* row = &in[static_cast<size_t>(r) * cols];
    const int32_t m = *std::max_element(row, row + cols);
    double real_sum = 0;
    int64_t table_sum = 0;
    for (int32_t i = 0; i < cols; ++i) {
      real_sum += std::exp(-beta_times_scale * (m - row[i]));
      table_sum += table[m - row[i]];
    }
    for (int32_t i = 0; i < cols; ++i) {
      const int32_t got = out[static_cast<size_t>(r) * cols + i] + 128;
      const double p = std::exp(-beta_times_scale * (m - row[i])) / real_sum;
      ASSERT_LE(std::fabs(got - std::min(256.0 * p, 255.0)), bound + 1e-12)
          << "row " << r << " col " << i << " p " << p;
      // (b): round(256 e / S) from the integer table, in exact integer math.
      const int64_t e = table[m - row[i]];
      const int64_t rounded = std::min<int64_t>((512 * e + table_sum) / (2 * table_sum), 255);
      if (got != rounded) {
        ++not_rounded;
        const double v = 256.0 * static_cast<double>(e) / static_cast<double>(table_sum);
        ASSERT_EQ(got, rounded + 1) << "row " << r << " col " << i;
        ASSERT_GE(v - std::floor(v), 0.5 - std::ldexp(1.0, -22) - 1e-12);
      }
    }
  }
  EXPECT_LE(not_rounded * 1000, int64_t{rows} * cols) << not_rounded;
}

TEST(RefSoftmax, RandomRowsSmallCols) { softmax_random_check(300, 10, 0.05, 31, 255); }
TEST(RefSoftmax, RandomRowsNarrowSpread) { softmax_random_check(200, 33, 0.02, 32, 20); }
TEST(RefSoftmax, RandomRowsSharpBeta) { softmax_random_check(200, 17, 0.5, 33, 40); }
TEST(RefSoftmax, RandomRowsManyCols) { softmax_random_check(8, 4096, 0.03, 34, 255); }
TEST(RefSoftmax, RandomRowsVocabulary) { softmax_random_check(2, 50000, 0.1, 35, 80); }

// softmax_rows: any range of rows writes exactly those rows, as softmax() does.
TEST(RefSoftmax, AnyRowRangeMatchesWhole) {
  std::mt19937 rng(61);
  const auto table = softmax_table(0.07);
  for (const auto& rc : {std::pair<int32_t, int32_t>{17, 9}, {40, 1}, {3, 300}, {1, 5}}) {
    SoftmaxParams p;
    p.rows = rc.first;
    p.cols = rc.second;
    p.exp_table = table.data();
    const auto in = golden::random_int8(rng, static_cast<size_t>(p.rows) * p.cols);
    std::vector<int8_t> whole(in.size());
    ref::softmax(p, in.data(), whole.data());
    split_check::expect_ranges_match(
        p.rows, static_cast<size_t>(p.cols), std::vector<uint8_t>(whole.begin(), whole.end()),
        [&](int64_t b, int64_t e, uint8_t* out) {
          ref::softmax_rows(p, in.data(), reinterpret_cast<int8_t*>(out), b, e);
        },
        "softmax " + std::to_string(p.rows) + "x" + std::to_string(p.cols));
  }
}

// Eq. 14b's table: exp at d = l, then at d = 256 h, 2^23 fixed point.
std::vector<int32_t> softmax_table16(double beta_times_scale) {
  std::vector<int32_t> t(512);
  for (int j = 0; j < 256; ++j) {
    t[j] = static_cast<int32_t>(std::llround(std::ldexp(std::exp(-beta_times_scale * j), 23)));
    t[256 + j] =
        static_cast<int32_t>(std::llround(std::ldexp(std::exp(-beta_times_scale * 256 * j), 23)));
  }
  return t;
}

// |e - 2^23 t| <= 3/2 per exponential (two rounded factors <= 1, one more
// rounding), so with the reciprocal's 2^-15:
//   |out - min(32768 p, 32767)| <= 1/2 + 2^-15 + 32768 * 1.5 (n + 1) / (2^23 - 1.5 n).
TEST(RefSoftmax, Int16RowsAgainstRealSoftmax) {
  std::mt19937 rng(36);
  for (double s : {1e-4, 6e-4, 3e-3}) {
    for (int32_t n : {1, 2, 5, 100, 1000}) {
      const std::vector<int32_t> table = softmax_table16(s);
      const int32_t rows = n > 100 ? 3 : 20;
      std::vector<int16_t> in(static_cast<size_t>(rows) * n);
      std::uniform_int_distribution<int> v(-32768, 32767), pick(0, 9);
      for (auto& x : in) {
        const int k = pick(rng);
        x = static_cast<int16_t>(k == 0 ? -32768 : (k == 1 ? 32767 : v(rng)));
      }
      SoftmaxParams p;
      p.rows = rows;
      p.cols = n;
      p.exp_table = table.data();
      std::vector<int16_t> out(in.size());
      ref::softmax_s16_rows(p, in.data(), out.data(), 0, rows);
      const double bound = 0.5 + std::ldexp(1.0, -15) + 32768.0 * 1.5 * (n + 1) / (std::ldexp(1.0, 23) - 1.5 * n);
      for (int32_t r = 0; r < rows; ++r) {
        const int16_t* q = &in[static_cast<size_t>(r) * n];
        const int32_t m = *std::max_element(q, q + n);
        double total = 0;
        for (int32_t i = 0; i < n; ++i) total += std::exp(-s * (m - q[i]));
        for (int32_t i = 0; i < n; ++i) {
          const double want = std::min(32768.0 * std::exp(-s * (m - q[i])) / total, 32767.0);
          ASSERT_LE(std::fabs(out[static_cast<size_t>(r) * n + i] - want), bound)
              << "scale " << s << " n " << n << " row " << r << " element " << i;
        }
      }
      // Rows are independent: a split gives the same values.
      std::vector<int16_t> split(in.size());
      ref::softmax_s16_rows(p, in.data(), split.data(), 0, rows / 2);
      ref::softmax_s16_rows(p, in.data(), split.data(), rows / 2, rows);
      ASSERT_EQ(split, out);
    }
  }
  // Two equal values: exactly one half each; one value: 32767 (1 clamped).
  const std::vector<int32_t> table = softmax_table16(1e-3);
  SoftmaxParams p;
  p.rows = 1;
  p.cols = 2;
  p.exp_table = table.data();
  const int16_t pair[2] = {-7, -7};
  int16_t out[2];
  ref::softmax_s16_rows(p, pair, out, 0, 1);
  EXPECT_EQ(out[0], 16384);
  EXPECT_EQ(out[1], 16384);
  p.cols = 1;
  ref::softmax_s16_rows(p, pair, out, 0, 1);
  EXPECT_EQ(out[0], 32767);
}

}  // namespace
}  // namespace dyad
