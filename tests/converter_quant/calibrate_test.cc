// Calibration ranges from hand-made distributions.
#include <gtest/gtest.h>

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
