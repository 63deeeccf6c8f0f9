// ref::max_pool (exact against a naive max) and ref::average_pool (eq. 11)
// against hand-derived cases (exact) and a double golden (mean of the
// dequantized window, quantized with S_out), within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

PoolParams square_pool(int in, int kernel, int stride, int pad, int out) {
  PoolParams p;
  p.in_h = p.in_w = in;
  p.channels = 1;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = pad;
  p.out_h = p.out_w = out;
  return p;
}

std::vector<int8_t> run_max(const PoolParams& p, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels, 0x5a);
  ref::max_pool(p, in.data(), out.data());
  return out;
}

std::vector<int8_t> iota_4x4(int first, int step) {
  std::vector<int8_t> v;
  for (int i = 0; i < 16; ++i) v.push_back(static_cast<int8_t>(first + step * i));
  return v;
}

TEST(RefMaxPool, Hand2x2Stride2) {
  EXPECT_EQ(run_max(square_pool(4, 2, 2, 0, 2), iota_4x4(0, 1)), (std::vector<int8_t>{5, 7, 13, 15}));
}

TEST(RefMaxPool, HandPaddingIsIgnored) {
  // All values negative and decreasing: a padded position read as 0 (or as
  // Z_in = 0) would win; the max must come from real positions only.
  PoolParams p = square_pool(4, 2, 2, 1, 3);
  const auto in = iota_4x4(-5, -5);  // -5, -10, ..., -80
  // Windows (rows, cols): (-1..0, -1..0) -> only (0,0) = -5; (-1..0, 1..2) -> (0,1) = -10; ...
  EXPECT_EQ(run_max(p, in), (std::vector<int8_t>{-5, -10, -20, -25, -30, -40, -65, -70, -80}));
}

TEST(RefMaxPool, HandDilation) {
  PoolParams p = square_pool(4, 2, 1, 0, 2);
  p.dilation_h = p.dilation_w = 2;
  // Taps (y, x), (y, x+2), (y+2, x), (y+2, x+2): max is the last.
  EXPECT_EQ(run_max(p, iota_4x4(0, 1)), (std::vector<int8_t>{10, 11, 14, 15}));
}

TEST(RefMaxPool, HandClamp) {
  PoolParams p = square_pool(4, 2, 2, 0, 2);
  p.act_min = 6;
  p.act_max = 12;
  EXPECT_EQ(run_max(p, iota_4x4(0, 1)), (std::vector<int8_t>{6, 7, 12, 12}));
}

// Naive max pool on an explicitly padded copy (padding = "not a value").
std::vector<int8_t> golden_max(const PoolParams& p, const std::vector<int8_t>& in) {
  std::vector<int8_t> out;
  for (int b = 0; b < p.batch; ++b)
    for (int oy = 0; oy < p.out_h; ++oy)
      for (int ox = 0; ox < p.out_w; ++ox)
        for (int c = 0; c < p.channels; ++c) {
          int best = -1000;
          for (int ky = 0; ky < p.kernel_h; ++ky)
            for (int kx = 0; kx < p.kernel_w; ++kx) {
              const int y = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
              const int x = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
              if (y >= 0 && y < p.in_h && x >= 0 && x < p.in_w) {
                best = std::max<int>(best, in[((static_cast<size_t>(b) * p.in_h + y) * p.in_w + x) * p.channels + c]);
              }
            }
          out.push_back(static_cast<int8_t>(std::min(std::max(best, p.act_min), p.act_max)));
        }
  return out;
}

TEST(RefMaxPoolRandom, ShapesPaddingDilationClamp) {
  struct Case { int batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, lo, hi; };
  const Case cases[] = {
      {1, 8, 8, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, -128, 127},
      {2, 7, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, -128, 127},
      {1, 9, 6, 4, 3, 2, 1, 2, 2, 1, 2, 0, 1, 1, -128, 127},
      {3, 5, 5, 2, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, -20, 90},
      {1, 10, 10, 8, 2, 3, 3, 2, 3, 2, 0, 1, 2, 0, -128, 127},
  };
  std::mt19937 rng(11);
  for (const Case& k : cases) {
    PoolParams p;
    p.batch = k.batch;
    p.in_h = k.h;
    p.in_w = k.w;
    p.channels = k.c;
    p.kernel_h = k.kh;
    p.kernel_w = k.kw;
    p.stride_h = k.sh;
    p.stride_w = k.sw;
    p.dilation_h = k.dh;
    p.dilation_w = k.dw;
    p.pad_top = k.pt;
    p.pad_left = k.pl;
    p.out_h = (k.h + k.pt + k.pb - k.dh * (k.kh - 1) - 1) / k.sh + 1;
    p.out_w = (k.w + k.pl + k.pr - k.dw * (k.kw - 1) - 1) / k.sw + 1;
    p.act_min = k.lo;
    p.act_max = k.hi;
    const auto in = golden::random_int8(rng, static_cast<size_t>(k.batch) * k.h * k.w * k.c);
    EXPECT_EQ(run_max(p, in), golden_max(p, in)) << "case h=" << k.h << " kh=" << k.kh;
  }
}

// ---- AveragePool ----

// count_multiplier[c] = S_in / (S_out * c), as the converter builds it.
struct CountTable {
  std::vector<int32_t> m0;
  std::vector<int8_t> shift;
  CountTable(int window, double s_in_over_s_out) : m0(window + 1, 0), shift(window + 1, 0) {
    for (int c = 1; c <= window; ++c) {
      const DyadicMultiplier d = golden::dyadic(s_in_over_s_out / c);
      m0[c] = d.multiplier;
      shift[c] = static_cast<int8_t>(d.shift);
    }
  }
  void attach(PoolParams* p) const {
    p->count_multiplier = m0.data();
    p->count_shift = shift.data();
  }
};

std::vector<int8_t> run_avg(const PoolParams& p, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels, 0x5a);
  ref::average_pool(p, in.data(), out.data());
  return out;
}

TEST(RefAveragePool, Hand3x3Pad1ExcludeAndIncludePad) {
  // Real image 1..9 (Z_in = 10), 3x3 window, stride 1, pad 1, S_in = S_out.
  PoolParams p = square_pool(3, 3, 1, 1, 3);
  p.input_zero_point = 10;
  CountTable table(9, 1.0);
  table.attach(&p);
  std::vector<int8_t> in;
  for (int i = 1; i <= 9; ++i) in.push_back(static_cast<int8_t>(i + 10));
  // Sums 12, 21, 16 / 27, 45, 33 / 24, 39, 28 over counts 4, 6, 4 / 6, 9, 6 / 4, 6, 4.
  // The ties 3.5, 4.5, 5.5, 6.5 come out rounded up (SRDHM lands just under a
  // whole number, then RDBP's tie rounds away from zero).
  EXPECT_EQ(run_avg(p, in), (std::vector<int8_t>{3, 4, 4, 5, 5, 6, 6, 7, 7}));
  p.count_include_pad = true;  // always / 9
  EXPECT_EQ(run_avg(p, in), (std::vector<int8_t>{1, 2, 2, 3, 5, 4, 3, 4, 3}));
  // Z_out and clamp.
  p.output_zero_point = -126;
  p.act_max = -123;
  EXPECT_EQ(run_avg(p, in), (std::vector<int8_t>{-125, -124, -124, -123, -123, -123, -123, -123, -123}));
}

TEST(RefAveragePool, HandNegativeValuesAndScale) {
  // 2x6 image, 2x2 window, stride 2, Z_in = 0, S_in / S_out = 2 (M[4] = 0.5).
  PoolParams p = square_pool(2, 2, 2, 0, 1);
  p.in_w = 6;
  p.out_w = 3;
  CountTable table(4, 2.0);
  table.attach(&p);
  const std::vector<int8_t> in{-1, -2, 4, 4, -2, -2,  //
                               -3, -4, 4, 5, -2, -3};
  // Sums -10, 17, -9: -5; 8.5 -> 9; -4.5 -> -4 (SRDHM's tie rounds up, eq. 4;
  // round-half-away in float would say -5: the 1-LSB tolerance of the goldens).
  EXPECT_EQ(run_avg(p, in), (std::vector<int8_t>{-5, 9, -4}));
}

struct AvgCase {
  int batch = 1, h = 7, w = 8, c = 3, kh = 3, kw = 3, sh = 2, sw = 2;
  int pt = 1, pl = 1, pb = 1, pr = 1;
  bool include_pad = false;
  int32_t zin = 5, zout = -7;
  int32_t lo = -128, hi = 127;
  double s_ratio = 1.3;  // S_in / S_out
};

void check_avg(const AvgCase& k, int seeds = 4) {
  size_t total = 0, differing = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937 rng(900 + seed);
    PoolParams p;
    p.batch = k.batch;
    p.in_h = k.h;
    p.in_w = k.w;
    p.channels = k.c;
    p.kernel_h = k.kh;
    p.kernel_w = k.kw;
    p.stride_h = k.sh;
    p.stride_w = k.sw;
    p.pad_top = k.pt;
    p.pad_left = k.pl;
    p.out_h = (k.h + k.pt + k.pb - k.kh) / k.sh + 1;
    p.out_w = (k.w + k.pl + k.pr - k.kw) / k.sw + 1;
    p.count_include_pad = k.include_pad;
    p.input_zero_point = k.zin;
    p.output_zero_point = k.zout;
    p.act_min = k.lo;
    p.act_max = k.hi;
    const double s_in = golden::uniform_real(rng, 0.01, 0.1);
    const double s_out = s_in / k.s_ratio;
    CountTable table(k.kh * k.kw, s_in / s_out);
    table.attach(&p);
    const auto in = golden::random_int8(rng, static_cast<size_t>(k.batch) * k.h * k.w * k.c);

    std::vector<int32_t> expected;
    for (int b = 0; b < k.batch; ++b)
      for (int oy = 0; oy < p.out_h; ++oy)
        for (int ox = 0; ox < p.out_w; ++ox)
          for (int c = 0; c < k.c; ++c) {
            double sum = 0.0;
            int valid = 0;
            for (int ky = 0; ky < k.kh; ++ky)
              for (int kx = 0; kx < k.kw; ++kx) {
                const int y = oy * k.sh + ky - k.pt;
                const int x = ox * k.sw + kx - k.pl;
                if (y < 0 || y >= k.h || x < 0 || x >= k.w) continue;
                sum += dequantize_value(in[((static_cast<size_t>(b) * k.h + y) * k.w + x) * k.c + c], s_in, k.zin);
                ++valid;
              }
            const double mean = sum / (k.include_pad ? k.kh * k.kw : valid);
            expected.push_back(quantize_value(mean, s_out, k.zout, k.lo, k.hi));
          }
    const auto got = run_avg(p, in);
    ASSERT_TRUE(golden::within(got, expected, 1)) << "seed " << seed;
    total += got.size();
    differing += golden::count_different(got, expected);
  }
  // Averages of small windows often sit exactly on .5: allow those to differ.
  EXPECT_LE(differing * 5, total) << differing << " of " << total << " off by one";
}

TEST(RefAveragePoolRandom, PadExcluded) { check_avg(AvgCase{}); }

TEST(RefAveragePoolRandom, PadIncluded) {
  AvgCase k;
  k.include_pad = true;
  check_avg(k);
}

TEST(RefAveragePoolRandom, AsymmetricPaddingBatch) {
  AvgCase k;
  k.batch = 2;
  k.kh = 2;
  k.kw = 4;
  k.sh = 1;
  k.sw = 3;
  k.pt = 1;
  k.pl = 0;
  k.pb = 0;
  k.pr = 2;
  check_avg(k);
  k.include_pad = true;
  check_avg(k);
}

TEST(RefAveragePoolRandom, GlobalLargeWindow) {
  AvgCase k;
  k.h = k.kh = 14;
  k.w = k.kw = 14;
  k.pt = k.pl = k.pb = k.pr = 0;
  k.c = 16;
  check_avg(k);
}

TEST(RefAveragePoolRandom, ZeroPointsAndClamp) {
  AvgCase k;
  k.zin = -128;
  k.zout = 127;
  k.s_ratio = 0.5;
  check_avg(k);
  k.zin = 127;
  k.zout = -128;
  k.s_ratio = 3.0;  // output range too narrow: clamps
  check_avg(k);
  k.zin = 0;
  k.zout = 0;
  k.lo = 0;  // fused ReLU
  k.hi = 50;
  check_avg(k);
}

}  // namespace
}  // namespace dyad
