// Regression tests for the accuracy problems found on the real models
// (docs/converter_quantization.md, "Accuracy fixes"): each graph reproduces one
// failure in miniature and checks the fix against the float executor.
#include "tests/converter_quant/quant_test_util.h"

namespace dyad::convert::testing {
namespace {

double MeanError(const Comparison& c) {
  double s = 0;
  for (size_t k = 0; k < c.ref.size(); ++k) s += double(c.got[k]) - c.ref[k];
  return s / double(c.ref.size());
}

// M-LSD's first depthwise layer: an edge filter whose large weights nearly
// cancel, on a Relu6 output with a large mean. Rounding the weights leaves a
// DC gain (here 40 - 40 + 0 instead of 40 - 39.9 + 0.07: -0.17), which the
// input's mean (5.5) turns into a -0.9 offset on every output.
Graph EdgeFilterGraph() {
  GraphBuilder b;
  b.In("x", {1, 1, 8, 16});
  Tensor w = Tensor::Float({1, 1, 1, 3}, 0.0f);
  w.f = {40.0f, -39.9f, 0.07f};
  b.Const("w", w);
  b.Add("Conv", {"x", "w"}, {"y"});
  b.Out("y");
  return b.g;
}

TEST(AccuracyFixes, WeightRoundingBiasIsRemovedFromConvBias) {
  QuantizeOptions off;
  off.weight_bias_correction = false;
  const Comparison without = QuantizeAndCompare(EdgeFilterGraph(), 5, 6, 8, 0, false, off);
  const Comparison with = QuantizeAndCompare(EdgeFilterGraph(), 5, 6);
  std::printf("mean error: %.3f without, %.3f with the correction (step %.3f)\n", MeanError(without),
              MeanError(with), with.out_scale);
  // Expected offset without: (-0.1 - 0.07) * 5.5 = -0.94 (hand-derived above).
  EXPECT_LT(MeanError(without), -0.6);
  EXPECT_LT(std::fabs(MeanError(with)), 0.15);
  EXPECT_GT(with.sqnr, without.sqnr + 3);
}

// Conv -> Relu6 -> depthwise where one channel of the first conv is tiny
// (<= 0.05 on a [0, 6] per-tensor grid: two levels) and the depthwise
// multiplies it by 100. Equalization through the Relu6 scales that channel up
// (the calibration data shows it never reaches 6).
Graph TinyChannelRelu6Graph() {
  GraphBuilder b;
  b.In("x", {1, 1, 6, 6});
  Tensor wa = Tensor::Float({2, 1, 1, 1}, 0.0f);
  wa.f = {5.0f, 0.05f};
  Tensor wb = Tensor::Float({2, 1, 1, 1}, 0.0f);
  wb.f = {1.0f, 100.0f};
  b.Const("wa", wa).Const("wb", wb);
  b.Const("lo", Tensor::Float({}, 0.0f)).Const("hi", Tensor::Float({}, 6.0f));
  b.Add("Conv", {"x", "wa"}, {"a"});
  b.Add("Clip", {"a", "lo", "hi"}, {"r"});
  Node& dw = b.Add("Conv", {"r", "wb"}, {"y"});
  dw.attrs["group"] = Attribute::Int(2);
  b.Out("y");
  return b.g;
}

TEST(AccuracyFixes, EqualizationPassesThroughRelu6WhereItDoesNotClip) {
  const Comparison plain = QuantizeAndCompare(TinyChannelRelu6Graph(), 0, 1);
  const Comparison eq = QuantizeAndCompare(TinyChannelRelu6Graph(), 0, 1, 8, 0, false, {}, true);
  std::printf("SQNR %.2f dB without, %.2f dB with equalization through Relu6\n", plain.sqnr, eq.sqnr);
  EXPECT_GT(eq.sqnr, plain.sqnr + 10);
  EXPECT_GE(eq.cosine, 0.999);
}

TEST(AccuracyFixes, Relu6EqualizationKeepsTheFloatFunction) {
  Graph g = TinyChannelRelu6Graph();
  const Tensor x = RandomTensor({1, 1, 6, 6}, 0, 1, 3);
  const Tensor before = RunGraph(g, {{"x", x}}).at("y");
  std::vector<TensorMap> samples;
  for (int k = 0; k < 4; ++k) samples.push_back({{"x", RandomTensor({1, 1, 6, 6}, 0, 1, 50 + k)}});
  RunOptions ro;
  ro.keep_all = true;
  std::map<std::string, Shape> shapes;
  for (const auto& [name, t] : RunGraph(g, samples[0], ro)) shapes[name] = t.shape;
  PrepareForQuantization(g, shapes, samples);
  bool equalized = false;
  for (const auto& [name, t] : g.constants) equalized = equalized || name.find("_w_eq") != std::string::npos;
  EXPECT_TRUE(equalized);
  const Tensor after = RunGraph(g, {{"x", x}}).at("y");
  ASSERT_EQ(before.f.size(), after.f.size());
  for (size_t k = 0; k < before.f.size(); ++k) EXPECT_NEAR(before.f[k], after.f[k], 1e-4) << k;
}

// A channel that saturates its Relu6 must not be rescaled: clip(x/s, 0, 6)
// differs from clip(x, 0, 6)/s once x > 6.
TEST(AccuracyFixes, SaturatingRelu6ChannelIsNotEqualized) {
  GraphBuilder b;
  b.In("x", {1, 1, 4, 4});
  Tensor wa = Tensor::Float({1, 1, 1, 1}, 0.0f);
  wa.f = {20.0f};  // x in [0, 1] -> up to 20, clipped at 6
  Tensor wb = Tensor::Float({1, 1, 1, 1}, 0.0f);
  wb.f = {0.01f};
  b.Const("wa", wa).Const("wb", wb);
  b.Const("lo", Tensor::Float({}, 0.0f)).Const("hi", Tensor::Float({}, 6.0f));
  b.Add("Conv", {"x", "wa"}, {"a"});
  b.Add("Clip", {"a", "lo", "hi"}, {"r"});
  b.Add("Conv", {"r", "wb"}, {"y"});
  b.Out("y");
  Graph g = b.g;
  std::vector<TensorMap> samples{{{"x", RandomTensor({1, 1, 4, 4}, 0, 1, 9)}}};
  RunOptions ro;
  ro.keep_all = true;
  std::map<std::string, Shape> shapes;
  for (const auto& [name, t] : RunGraph(g, samples[0], ro)) shapes[name] = t.shape;
  const Tensor before = RunGraph(g, samples[0]).at("y");
  PrepareForQuantization(g, shapes, samples);
  const Tensor after = RunGraph(g, samples[0]).at("y");
  for (size_t k = 0; k < before.f.size(); ++k) EXPECT_NEAR(before.f[k], after.f[k], 1e-6) << k;
}

}  // namespace
}  // namespace dyad::convert::testing
