// Weight rounding for the layer's inputs (converter/quantize/weight_rounding.h):
// the factor it uses is the one GPTQ defines, the rounding lowers the output
// error on correlated inputs with a mean (where round-to-nearest leaves a DC
// error), and the conv patch moments follow the OHWI weight order.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "converter/quantize/weight_rounding.h"

namespace dyad::convert {
namespace {

// Inputs with a large common mean and strongly correlated neighbours, like
// image patches: x_e = 2 + s + 0.3 * n_e.
std::vector<std::vector<double>> CorrelatedInputs(int64_t k, int count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<std::vector<double>> xs(count, std::vector<double>(k));
  for (auto& x : xs) {
    const double s = d(rng);
    for (auto& v : x) v = 2.0 + s + 0.3 * d(rng);
  }
  return xs;
}

std::vector<double> Moments(const std::vector<std::vector<double>>& xs, int64_t k) {
  std::vector<double> h(k * k, 0.0);
  for (const auto& x : xs)
    for (int64_t a = 0; a < k; ++a)
      for (int64_t b = 0; b < k; ++b) h[a * k + b] += x[a] * x[b];
  return h;
}

double OutputError(const std::vector<std::vector<double>>& xs, const std::vector<float>& w,
                   const std::vector<int8_t>& q, double scale) {
  double e = 0;
  for (const auto& x : xs) {
    double d = 0;
    for (size_t i = 0; i < w.size(); ++i) d += (w[i] - q[i] * scale) * x[i];
    e += d * d;
  }
  return e;
}

TEST(WeightRounding, FactorIsTheUpperCholeskyOfTheDampedInverse) {
  const int64_t k = 6;
  const std::vector<double> h = Moments(CorrelatedInputs(k, 50, 1), k);
  const std::vector<double> u = PrepareRounding(h, k);
  // U is upper triangular and (U^T U) (H + 0.01 mean(diag H) I) = I.
  double mean_diag = 0;
  for (int64_t i = 0; i < k; ++i) mean_diag += h[i * k + i] / k;
  for (int64_t a = 0; a < k; ++a)
    for (int64_t b = 0; b < a; ++b) EXPECT_EQ(u[a * k + b], 0.0);
  for (int64_t a = 0; a < k; ++a)
    for (int64_t b = 0; b < k; ++b) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) {
        double hinv_ap = 0;  // (U^T U)[a][p]
        for (int64_t r = 0; r < k; ++r) hinv_ap += u[r * k + a] * u[r * k + p];
        s += hinv_ap * (h[p * k + b] + (p == b ? 0.01 * mean_diag : 0.0));
      }
      EXPECT_NEAR(s, a == b ? 1.0 : 0.0, 1e-9) << a << "," << b;
    }
}

TEST(WeightRounding, LowersTheOutputErrorOfCorrelatedInputs) {
  const int64_t k = 9;  // a 3x3 depthwise filter
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  const auto calib = CorrelatedInputs(k, 400, 4);
  const auto held_out = CorrelatedInputs(k, 400, 5);
  const std::vector<double> u = PrepareRounding(Moments(calib, k), k);
  double nearest_total = 0, rounded_total = 0;
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> w(k);
    float m = 0;
    for (auto& v : w) m = std::max(m, std::fabs(v = d(rng)));
    const double scale = m / 127.0 * 8;  // a coarse grid: rounding matters
    std::vector<int8_t> nearest(k), rounded(k);
    for (int64_t i = 0; i < k; ++i)
      nearest[i] = static_cast<int8_t>(std::clamp(std::round(w[i] / scale), -127.0, 127.0));
    RoundRow(u, k, w.data(), scale, rounded.data());
    for (int64_t i = 0; i < k; ++i) EXPECT_LE(std::abs(int{rounded[i]}), 127);
    nearest_total += OutputError(held_out, w, nearest, scale);
    rounded_total += OutputError(held_out, w, rounded, scale);
  }
  std::printf("held-out output error: nearest %.4g, rounded for the inputs %.4g (%.1fx lower)\n",
              nearest_total, rounded_total, nearest_total / rounded_total);
  EXPECT_LT(rounded_total, nearest_total / 4);
}

TEST(WeightRounding, ConvPatchesFollowTheOhwiOrder) {
  // One 2-channel 3x3 input, a 2x2 kernel with stride 1 and 1 pixel of top-left
  // padding, every output position sampled: H[e][e'] sums patch products
  // with e = (ky * 2 + kx) * 2 + channel.
  Tensor x = Tensor::Float({1, 2, 3, 3}, 0.0f);
  for (size_t i = 0; i < x.f.size(); ++i) x.f[i] = static_cast<float>(i + 1);
  ConvPatchGeometry g;
  g.kh = g.kw = 2;
  g.pt = g.pl = 1;
  g.out_h = g.out_w = 3;
  const InputMoments m = ConvInputMoments({&x}, g, 1000);
  ASSERT_EQ(m.k, 8);
  ASSERT_EQ(m.count, 9);
  std::vector<double> want(64, 0.0);
  for (int oy = 0; oy < 3; ++oy)
    for (int ox = 0; ox < 3; ++ox) {
      double p[8];
      for (int ky = 0; ky < 2; ++ky)
        for (int kx = 0; kx < 2; ++kx)
          for (int c = 0; c < 2; ++c) {
            const int iy = oy - 1 + ky, ix = ox - 1 + kx;
            p[(ky * 2 + kx) * 2 + c] = iy >= 0 && ix >= 0 ? x.f[(c * 3 + iy) * 3 + ix] : 0.0;
          }
      for (int a = 0; a < 8; ++a)
        for (int b = 0; b < 8; ++b) want[a * 8 + b] += p[a] * p[b];
    }
  EXPECT_EQ(m.h.at(0), want);
}

}  // namespace
}  // namespace dyad::convert
