// Calibration ranges from hand-made distributions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "converter/calibrate/calibrate.h"
#include "converter/ir/error.h"
#include "converter/quantize/quant_math.h"

namespace dyad::convert {
namespace {

// A graph that is just its input (Identity), so the statistics are the data.
Graph IdentityGraph(Shape shape) {
  Graph g;
  g.inputs = {"x"};
  g.values["x"] = ValueInfo{DType::kFloat32, shape, true};
  Node n;
  n.name = "id";
  n.op = "Identity";
  n.inputs = {"x"};
  n.outputs = {"y"};
  g.nodes.push_back(n);
  g.outputs = {"y"};
  return g;
}

std::map<std::string, TensorStats> StatsOf(const std::vector<float>& data, CalibMethod m) {
  Graph g = IdentityGraph({int64_t(data.size())});
  Calibrator c(g);
  CalibOptions o;
  o.method = m;
  c.Run({{{"x", Tensor::Float({int64_t(data.size())}, data)}}}, o);
  return c.stats();
}

TEST(Calibrate, MinMaxIsTheDataRangeAndContainsZero) {
  auto s = StatsOf({1.0f, 2.0f, 3.5f}, CalibMethod::kMinMax);
  Range r = RangeFromStats(s.at("y"), CalibMethod::kMinMax, 99.99);
  EXPECT_EQ(r.lo, 0.0f);  // widened to contain 0
  EXPECT_EQ(r.hi, 3.5f);
}

TEST(Calibrate, PercentileAndEntropyAndMseClipARareOutlier) {
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(200000);
  for (float& x : v) x = d(rng);
  v[5] = 1000.0f;  // one outlier
  for (CalibMethod m : {CalibMethod::kPercentile, CalibMethod::kEntropy, CalibMethod::kMse}) {
    auto s = StatsOf(v, m);
    Range r = RangeFromStats(s.at("y"), m, 99.99);
    EXPECT_LT(r.hi, 100.0f) << CalibMethodName(m);
    EXPECT_GT(r.hi, 1.0f) << CalibMethodName(m);
    EXPECT_LE(r.lo, 0.0f) << CalibMethodName(m);
    EXPECT_LT(r.lo, -1.0f) << CalibMethodName(m);
  }
  Range mm = RangeFromStats(StatsOf(v, CalibMethod::kMinMax).at("y"), CalibMethod::kMinMax, 99.99);
  EXPECT_EQ(mm.hi, 1000.0f);
}

// Direct histogram over [lo, lo + n*w), as the former second pass built it.
std::vector<double> DirectHist(const std::vector<float>& v, double lo, double w, bool abs) {
  std::vector<double> h(TensorStats::kBins, 0.0);
  for (float x : v) {
    const double u = abs ? std::fabs(x) : x;
    h[std::clamp(static_cast<int>((u - lo) / w), 0, TensorStats::kBins - 1)] += 1;
  }
  return h;
}

// First bin where the cumulative count reaches `frac` of the total.
int QuantileBin(const std::vector<double>& h, double frac) {
  double total = 0, acc = 0;
  for (double c : h) total += c;
  for (size_t k = 0; k < h.size(); ++k)
    if ((acc += h[k]) >= frac * total) return static_cast<int>(k);
  return static_cast<int>(h.size()) - 1;
}

TEST(Calibrate, GrowingHistogramKeepsQuantilesWithinABin) {
  // Three batches, each with a wider spread: the range doubles twice.
  std::mt19937 rng(7);
  std::vector<float> all;
  Calibrator::GrowingHist g;
  float absmax = 0;
  double first_range = 0;
  for (float sigma : {1.0f, 3.0f, 11.0f}) {
    std::normal_distribution<float> d(0.5f, sigma);
    std::vector<float> batch(50000);
    float m = 0;
    for (float& x : batch) {
      x = d(rng);
      m = std::max(m, std::fabs(x));
    }
    g.Add(batch.data(), batch.size(), m);
    if (first_range == 0) first_range = g.range;
    absmax = std::max(absmax, m);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_GE(g.range, 4 * first_range);  // it doubled at least twice
  EXPECT_GE(g.range, absmax);
  std::vector<double> abs_h, signed_h;
  g.Spread(absmax, &abs_h, &signed_h);
  const double n = TensorStats::kBins;
  const auto want_abs = DirectHist(all, 0.0, absmax / n, true);
  const auto want_signed = DirectHist(all, -absmax, 2.0 * absmax / n, false);
  double total = 0;
  for (double c : signed_h) total += c;
  EXPECT_EQ(total, double(all.size()));
  for (double f : {0.001, 0.01, 0.25, 0.5, 0.9, 0.99, 0.9999}) {
    EXPECT_NEAR(QuantileBin(abs_h, f), QuantileBin(want_abs, f), 1) << f;
    EXPECT_NEAR(QuantileBin(signed_h, f), QuantileBin(want_signed, f), 1) << f;
  }
}

TEST(Calibrate, GrowingHistogramIsExactWhenTheFirstSampleHasTheRange) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> d(-3.0f, 5.0f);
  std::vector<float> a(20000), b(20000);
  for (float& x : a) x = d(rng);
  for (float& x : b) x = 0.5f * d(rng);
  a[3] = 6.0f;  // absmax of everything, in the first sample
  Calibrator::GrowingHist g;
  g.Add(a.data(), a.size(), 6.0f);
  g.Add(b.data(), b.size(), 2.5f);
  EXPECT_EQ(g.range, 6.0);
  std::vector<double> abs_h, signed_h;
  g.Spread(6.0f, &abs_h, &signed_h);
  std::vector<float> all = a;
  all.insert(all.end(), b.begin(), b.end());
  // Bin edges line up; only values within rounding of an edge may differ.
  const auto want = DirectHist(all, 0.0, 6.0 / TensorStats::kBins, true);
  double moved = 0;
  for (int k = 0; k < TensorStats::kBins; ++k) moved += std::fabs(abs_h[k] - want[k]);
  EXPECT_LE(moved, 4.0);
}

TEST(Calibrate, StatisticsDoNotDependOnTheThreadCount) {
  // A Relu after the input, so there are two tensors to share out.
  Graph g = IdentityGraph({2, 3, 40});
  g.nodes[0].op = "Relu";
  std::vector<TensorMap> samples;
  std::mt19937 rng(9);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (int k = 0; k < 7; ++k) {
    std::vector<float> v(240);
    for (float& x : v) x = d(rng) * float(1 + k);  // the range grows
    samples.push_back({{"x", Tensor::Float({2, 3, 40}, v)}});
  }
  std::vector<std::map<std::string, TensorStats>> got;
  for (size_t threads : {1, 2, 3}) {
    Calibrator c(g);
    CalibOptions o;
    o.threads = threads;
    c.Run(samples, o);
    got.push_back(c.stats());
  }
  for (size_t r = 1; r < got.size(); ++r)
    for (const auto& [name, s] : got[0]) {
      const TensorStats& t = got[r].at(name);
      EXPECT_EQ(s.min, t.min);
      EXPECT_EQ(s.max, t.max);
      EXPECT_EQ(s.abs_hist, t.abs_hist);
      EXPECT_EQ(s.signed_hist, t.signed_hist);
      EXPECT_EQ(s.reservoir, t.reservoir);
      EXPECT_EQ(s.channel_mean, t.channel_mean);
      EXPECT_EQ(s.seen, t.seen);
    }
}

TEST(Calibrate, ParseMethodRejectsUnknownNames) {
  EXPECT_EQ(ParseCalibMethod("entropy"), CalibMethod::kEntropy);
  EXPECT_THROW(ParseCalibMethod("kl"), ConvertError);
}

TEST(QuantMath, Int8ParamsRepresentZeroExactly) {
  QParams p = ChooseParams(-0.3f, 2.2f, fb::DType::INT8);
  EXPECT_NEAR(p.scale, 2.5 / 255, 1e-8);
  // 0.0 maps to the integer zero point (eq. 1): Z = round(-128 + 0.3/S) = -97.
  EXPECT_EQ(p.zero_point, -97);
  QParams p16 = ChooseParams(-1464.0f, 1.2f, fb::DType::INT16);
  EXPECT_EQ(p16.zero_point, 0);
  EXPECT_NEAR(p16.scale, 1464.0 / 32767, 1e-9);
}

TEST(QuantMath, LutIsTheRoundedFunction) {
  QParams in{fb::DType::INT8, 0.1, 0};
  QParams out{fb::DType::INT8, 1.0 / 256, -128};
  std::vector<int8_t> t = BuildLut([](double x) { return 1 / (1 + std::exp(-x)); }, in, out);
  // Index 128 is q = 0: sigmoid(0) = 0.5 -> 0.5 * 256 - 128 = 0.
  EXPECT_EQ(t[128], 0);
  // q = 127: sigmoid(12.7) ~ 0.999997 -> 255.99 -> clamps to 127.
  EXPECT_EQ(t[255], 127);
  // q = -10: sigmoid(-1) = 0.268941 -> 68.85 -> 69 - 128 = -59.
  EXPECT_EQ(t[118], -59);
}

}  // namespace
}  // namespace dyad::convert
