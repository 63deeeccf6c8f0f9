// --weights int16 (SplitWeights, converter/quantize/weight_split.h): each
// Conv/Gemm becomes a high half on its own int8 grid plus the rounding
// residual, summed by an Add that carries the fused activation (eq. 21-22).
#include "converter/cli/convert_pipeline.h"
#include "quant_test_util.h"

namespace dyad::convert::testing {
namespace {

// x -> Conv 3x3 + Relu6 -> depthwise 3x3 + Relu -> Gemm -> y, with one
// channel of the first conv far outside Relu6 (its pre-activation is ~1000).
Graph SplitChain() {
  GraphBuilder b;
  b.In("x", {1, 3, 10, 10});
  Tensor w1 = RandomTensor({6, 3, 3, 3}, -0.5f, 0.5f, 11);
  for (int e = 0; e < 27; ++e) w1.f[e] = 40.0f;  // channel 0: always clipped at 6
  b.Const("w1", w1).Const("b1", RandomTensor({6}, -0.1f, 0.1f, 12));
  b.Const("w2", RandomTensor({6, 1, 3, 3}, -1.0f, 1.0f, 13));
  b.Const("w3", RandomTensor({600, 5}, -0.05f, 0.05f, 14)).Const("shape", Tensor::VectorInt64({1, 600}));
  b.Const("lo", Tensor::ScalarFloat(0.0f)).Const("hi", Tensor::ScalarFloat(6.0f));
  Node& c1 = b.Add("Conv", {"x", "w1", "b1"}, {"a"});
  c1.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Clip", {"a", "lo", "hi"}, {"r"});
  Node& dw = b.Add("Conv", {"r", "w2"}, {"d"});
  dw.attrs["group"] = Attribute::Int(6);
  dw.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Relu", {"d"}, {"e"});
  b.Add("Reshape", {"e", "shape"}, {"f"});
  b.Add("Gemm", {"f", "w3"}, {"y"});
  b.Out("y");
  return b.g;
}

// Prepared (fused) graph and a few input samples.
Graph Prepared(std::vector<TensorMap>* samples) {
  Graph g = SplitChain();
  for (int k = 0; k < 4; ++k) samples->push_back({{"x", RandomTensor({1, 3, 10, 10}, 0.0f, 1.0f, 200 + k)}});
  RunOptions ro;
  ro.keep_all = true;
  std::map<std::string, Shape> shapes;
  for (const auto& [name, t] : RunGraph(g, (*samples)[0], ro)) shapes[name] = t.shape;
  PrepareForQuantization(g, shapes);
  return g;
}

TEST(WeightSplit, HalvesSumToTheLayerAndTheHighHalfIsOnItsGrid) {
  std::vector<TensorMap> samples;
  Graph g = Prepared(&samples);
  const Graph before = g;
  EXPECT_EQ(SplitWeights(g, samples), 3);
  // The float function is unchanged (eq. 21, and eq. 22 on these inputs).
  for (int k = 0; k < 3; ++k) {
    const TensorMap in{{"x", RandomTensor({1, 3, 10, 10}, 0.0f, 1.0f, 300 + k)}};
    const Tensor y0 = RunGraph(before, in).at("y"), y1 = RunGraph(g, in).at("y");
    ASSERT_EQ(y0.f.size(), y1.f.size());
    for (size_t e = 0; e < y0.f.size(); ++e) EXPECT_NEAR(y0.f[e], y1.f[e], 1e-4f);
  }
  int adds = 0;
  for (const Node& n : g.nodes) {
    if (n.op == "Add") {
      ++adds;
      EXPECT_EQ(n.inputs[0], n.outputs[0] + "/hi");
      EXPECT_EQ(n.inputs[1], n.outputs[0] + "/lo");
    }
    if (n.name.size() < 3 || n.name.substr(n.name.size() - 3) != "/hi") continue;
    // Per output channel, W_hi / (max|W_hi| / 127) is an integer.
    const Tensor& w = *g.Constant(n.Input(1));
    const int64_t rows = n.op == "Gemm" ? w.shape[1] : w.shape[0];
    const int64_t per = w.size() / rows;
    for (int64_t r = 0; r < rows; ++r) {
      auto at = [&](int64_t i) { return n.op == "Gemm" ? w.f[i * rows + r] : w.f[r * per + i]; };
      float m = 0;
      for (int64_t i = 0; i < per; ++i) m = std::max(m, std::fabs(at(i)));
      for (int64_t i = 0; i < per; ++i) {
        const double q = at(i) / (m / 127.0);
        EXPECT_NEAR(q, std::round(q), 1e-3) << n.name << " row " << r;
      }
    }
  }
  EXPECT_EQ(adds, 3);
}

TEST(WeightSplit, TheHighHalfOfAFusedActivationIsClampedNearItsBounds) {
  std::vector<TensorMap> samples;
  Graph g = Prepared(&samples);
  SplitWeights(g, samples);
  const Node* hi = nullptr;
  for (const Node& n : g.nodes)
    if (n.outputs[0] == "r/hi") hi = &n;
  ASSERT_NE(hi, nullptr);
  // Relu6 on the sum -> Clip(-m, 6 + m) on the high half, m small next to 6:
  // the always-clipped channel (~1000 before the clip) no longer sets its range.
  EXPECT_EQ(hi->GetString("dyad.activation", ""), "Clip");
  EXPECT_LT(hi->GetFloat("dyad.act_min", -1e9f), 0.0f);
  EXPECT_GT(hi->GetFloat("dyad.act_min", -1e9f), -0.5f);
  EXPECT_GT(hi->GetFloat("dyad.act_max", 1e9f), 6.0f);
  EXPECT_LT(hi->GetFloat("dyad.act_max", 1e9f), 6.5f);
  const Tensor a = RunGraph(g, samples[0], {true, {}}).at("r/hi");
  for (float v : a.f) EXPECT_LE(v, 6.5f);
}

TEST(WeightSplit, W8A16WithSplitWeightsIsCloserToFloat) {
  const Comparison w8 = QuantizeAndCompare(SplitChain(), 0, 1, 8, 0, false, W8A16());
  const Comparison w16 = QuantizeAndCompare(SplitChain(), 0, 1, 8, 0, false, W8A16(), false, true);
  std::printf("split chain, int16 activations: int8 weights %.2f dB, split int16 weights %.2f dB\n", w8.sqnr, w16.sqnr);
  EXPECT_GE(w16.sqnr, w8.sqnr + 6.0);
}

// dyad-convert's closing hint names the worst output below cosine 0.99 and the
// next more accurate mode.
TEST(WeightSplit, AccuracyHintNamesTheNextMode) {
  TensorError good, bad;
  good.name = "boxes";
  good.cosine = 0.9995;
  bad.name = "scores";
  bad.cosine = 0.9412;
  ConvertConfig cfg;
  EXPECT_EQ(AccuracyHint({good}, cfg), "");
  const std::string h8 = AccuracyHint({good, bad}, cfg);
  EXPECT_NE(h8.find("'scores' is at cosine 0.9412"), std::string::npos) << h8;
  EXPECT_NE(h8.find("--activations int16"), std::string::npos) << h8;
  cfg.activations = "int16";
  EXPECT_NE(AccuracyHint({bad}, cfg).find("--weights int16"), std::string::npos);
  cfg.weights = "int16";
  const std::string h16 = AccuracyHint({bad}, cfg);
  EXPECT_EQ(h16.find("--weights"), std::string::npos) << h16;
  EXPECT_NE(h16.find("docs/converter_quantization.md"), std::string::npos) << h16;
}

}  // namespace
}  // namespace dyad::convert::testing
