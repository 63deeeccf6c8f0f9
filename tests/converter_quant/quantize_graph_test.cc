// Small graphs -> quantize -> libdyad: the dequantized output must be close to
// the float executor's. Tolerances: cosine >= 0.999 and a max error of a few
// output steps (weights and inputs are rounded too, so not 1/2 step).
#include <array>

#include "quant_test_util.h"

namespace dyad::convert::testing {
namespace {

Tensor Weights(Shape shape, uint32_t seed, float scale = 0.3f) { return RandomTensor(shape, -scale, scale, seed); }

TEST(QuantizeGraph, ConvReluNchwInput) {
  GraphBuilder b;
  b.In("x", {1, 3, 12, 10}).Const("w", Weights({8, 3, 3, 3}, 1)).Const("bias", Weights({8}, 2));
  Node& n = b.Add("Conv", {"x", "w", "bias"}, {"y"});
  n.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  n.attrs["strides"] = Attribute::Ints({2, 1});
  b.Add("Relu", {"y"}, {"z"});
  b.Out("z");
  Comparison c = QuantizeAndCompare(b.g, -1, 1);
  std::printf("conv+relu: cosine %.6f, max err %.4f (%.2f steps)\n", c.cosine, c.max_err, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 4 * c.out_scale);
  // Relu was fused: every output is >= 0 after dequantization.
  for (float v : c.got) EXPECT_GE(v, 0.0f);
}

TEST(QuantizeGraph, DepthwiseConv) {
  GraphBuilder b;
  b.In("x", {1, 4, 9, 9}).Const("w", Weights({4, 1, 3, 3}, 3, 1.0f));
  Node& n = b.Add("Conv", {"x", "w"}, {"y"});
  n.attrs["group"] = Attribute::Int(4);
  n.attrs["auto_pad"] = Attribute::Str("SAME_UPPER");
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -2, 2);
  std::printf("depthwise: cosine %.6f, max err %.2f steps\n", c.cosine, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 4 * c.out_scale);
}

TEST(QuantizeGraph, AddOfTwoBranchesWithFusedRelu) {
  GraphBuilder b;
  b.In("x", {1, 4, 6, 6}).Const("w1", Weights({4, 4, 1, 1}, 4)).Const("w2", Weights({4, 4, 3, 3}, 5, 0.2f));
  b.Add("Conv", {"x", "w1"}, {"a"});
  Node& n = b.Add("Conv", {"x", "w2"}, {"b"});
  n.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Add", {"a", "b"}, {"s"});
  b.Add("Relu", {"s"}, {"y"});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -1, 1);
  std::printf("add: cosine %.6f, max err %.2f steps\n", c.cosine, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 4 * c.out_scale);
}

// int8 Add parameters: L = 7 with 15-bit multipliers (the kernels' 16-bit
// form) when the inputs' scales are within 4x of the output's, else L = 20.
TEST(QuantizeGraph, AddParametersTakeTheSixteenBitFormWhenExactEnough) {
  auto add_options = [](const Comparison& c) {
    std::array<int32_t, 4> r{};
    int adds = 0;
    for (const fb::Operator* op : *fb::GetSizePrefixedModel(c.bytes.data())->operators()) {
      if (const fb::AddOptions* a = op->options_as_AddOptions()) {
        r = {a->left_shift(), a->input1_multiplier(), a->input2_multiplier(), a->output_multiplier()};
        ++adds;
      }
    }
    EXPECT_EQ(adds, 1);
    return r;
  };
  {
    GraphBuilder b;
    b.In("x", {1, 4, 6, 6}).Const("w1", Weights({4, 4, 1, 1}, 4)).Const("w2", Weights({4, 4, 1, 1}, 5));
    b.Add("Conv", {"x", "w1"}, {"a"});
    b.Add("Conv", {"x", "w2"}, {"b"});
    b.Add("Add", {"a", "b"}, {"y"});
    b.Out("y");
    const Comparison c = QuantizeAndCompare(b.g, -1, 1);
    const auto o = add_options(c);
    EXPECT_EQ(o[0], 7);
    for (int k = 1; k < 4; ++k) EXPECT_EQ(o[k] & 0xFFFF, 0) << k;
    EXPECT_GE(c.cosine, 0.999);
    EXPECT_LE(c.max_err, 2 * c.out_scale);
  }
  {
    // a + (-0.999 a): the sum's range is 1000x below its inputs'.
    GraphBuilder b;
    b.In("x", {1, 2, 4, 4}).Const("w1", Tensor::Float({2, 2, 1, 1}, {1.0f, 0.0f, 0.0f, 1.0f}));
    b.Const("w2", Tensor::Float({2, 2, 1, 1}, {-0.999f, 0.0f, 0.0f, -0.999f}));
    b.Add("Conv", {"x", "w1"}, {"a"});
    b.Add("Conv", {"x", "w2"}, {"b"});
    b.Add("Add", {"a", "b"}, {"y"});
    b.Out("y");
    const Comparison c = QuantizeAndCompare(b.g, -1, 1);
    EXPECT_EQ(add_options(c)[0], 20);
  }
}

TEST(QuantizeGraph, AddMulSubByConstants) {
  GraphBuilder b;
  b.In("x", {1, 3, 4, 5}).Const("c", Tensor::Float({3, 1, 1}, {0.5f, -1.0f, 2.0f}));
  b.Const("k", Tensor::ScalarFloat(3.0f)).Const("d", Tensor::ScalarFloat(4.0f));
  b.Add("Add", {"x", "c"}, {"a"});
  b.Add("Mul", {"a", "k"}, {"m"});
  b.Add("Div", {"m", "d"}, {"q"});
  b.Add("Sub", {"q", "c"}, {"y"});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -1, 1);
  std::printf("add/mul/div/sub by constants: cosine %.6f, max err %.2f steps\n", c.cosine, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 4 * c.out_scale);
}

TEST(QuantizeGraph, ConcatOnChannelsThenAveragePool) {
  GraphBuilder b;
  b.In("x", {1, 2, 8, 8}).Const("w", Weights({3, 2, 1, 1}, 6));
  b.Add("Conv", {"x", "w"}, {"a"});
  b.Add("Concat", {"x", "a"}, {"c"}).attrs["axis"] = Attribute::Int(1);
  Node& p = b.Add("AveragePool", {"c"}, {"y"});
  p.attrs["kernel_shape"] = Attribute::Ints({3, 3});
  p.attrs["strides"] = Attribute::Ints({2, 2});
  p.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -1, 1);
  std::printf("concat+avgpool: cosine %.6f, max err %.2f steps\n", c.cosine, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 3 * c.out_scale);
}

TEST(QuantizeGraph, MaxPoolFlattenGemmSoftmax) {
  GraphBuilder b;
  b.In("x", {1, 3, 4, 4}).Const("w", Weights({5, 12}, 7, 0.5f)).Const("bias", Weights({5}, 8));
  Node& p = b.Add("MaxPool", {"x"}, {"p"});
  p.attrs["kernel_shape"] = Attribute::Ints({2, 2});
  p.attrs["strides"] = Attribute::Ints({2, 2});
  b.Add("Flatten", {"p"}, {"f"});
  b.Add("Gemm", {"f", "w", "bias"}, {"g"}).attrs["transB"] = Attribute::Int(1);
  b.Add("Softmax", {"g"}, {"y"});
  b.Out("g").Out("y");
  Comparison logits = QuantizeAndCompare(b.g, -1, 1, 8, 0);
  Comparison probs = QuantizeAndCompare(b.g, -1, 1, 8, 1);
  std::printf("gemm: cosine %.6f (%.2f steps); softmax: cosine %.6f, max err %.4f\n", logits.cosine,
              logits.max_err / logits.out_scale, probs.cosine, probs.max_err);
  EXPECT_GE(logits.cosine, 0.999);
  EXPECT_LE(logits.max_err, 3 * logits.out_scale);
  EXPECT_GE(probs.cosine, 0.999);
  EXPECT_LE(probs.max_err, 3.0 / 256.0 + 0.02);  // output step 1/256 plus the logits' error
}

TEST(QuantizeGraph, SigmoidAndHardSwishTables) {
  GraphBuilder b;
  b.In("x", {1, 2, 3, 8});
  b.Add("Sigmoid", {"x"}, {"s"});
  b.Add("HardSwish", {"x"}, {"h"});
  b.Out("s").Out("h");
  for (size_t k = 0; k < 2; ++k) {
    Comparison c = QuantizeAndCompare(b.g, -6, 6, 8, k);
    std::printf("lut %zu: cosine %.6f, max err %.2f steps\n", k, c.cosine, c.max_err / c.out_scale);
    EXPECT_GE(c.cosine, 0.999);
    // Eq. 13: the table is the rounded function of the quantized input; the
    // input's own rounding adds at most |f'| * S_in / 2.
    EXPECT_LE(c.max_err, 2 * c.out_scale);
  }
}

TEST(QuantizeGraph, ResizeNearestAndBilinear) {
  for (const char* mode : {"nearest", "linear"}) {
    GraphBuilder b;
    b.In("x", {1, 3, 5, 4}).Const("scales", Tensor::Float({4}, {1, 1, 2, 2}));
    Node& n = b.Add("Resize", {"x", "", "scales"}, {"y"});
    n.attrs["mode"] = Attribute::Str(mode);
    n.attrs["coordinate_transformation_mode"] = Attribute::Str(std::string(mode) == "linear" ? "half_pixel" : "asymmetric");
    n.attrs["nearest_mode"] = Attribute::Str("floor");
    b.Out("y");
    Comparison c = QuantizeAndCompare(b.g, -1, 1);
    std::printf("resize %s: cosine %.6f, max err %.2f steps\n", mode, c.cosine, c.max_err / c.out_scale);
    EXPECT_GE(c.cosine, 0.999) << mode;
    EXPECT_LE(c.max_err, 2 * c.out_scale) << mode;
  }
}

TEST(QuantizeGraph, TransposesThatUndoTheLayoutCancel) {
  // NHWC input -> Transpose to NCHW -> Conv -> Transpose back -> Reshape.
  GraphBuilder b;
  b.In("x", {1, 6, 6, 3}).Const("w", Weights({4, 3, 3, 3}, 9)).Const("shape", Tensor::VectorInt64({1, 144}));
  b.Add("Transpose", {"x"}, {"t"}).attrs["perm"] = Attribute::Ints({0, 3, 1, 2});
  b.Add("Conv", {"t", "w"}, {"c"}).attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Transpose", {"c"}, {"u"}).attrs["perm"] = Attribute::Ints({0, 2, 3, 1});
  b.Add("Reshape", {"u", "shape"}, {"y"});
  b.Out("y");
  QuantizeOptions qo;
  qo.input_nhwc["x"] = true;
  Graph g = b.g;
  // QuantizeAndCompare marks 4-D inputs NCHW; use the NHWC option here.
  const std::string in = "x";
  std::vector<TensorMap> samples;
  for (int k = 0; k < 4; ++k) samples.push_back({{in, RandomTensor({1, 6, 6, 3}, -1, 1, k)}});
  Calibrator cal(g);
  CalibOptions co;
  co.method = CalibMethod::kMinMax;
  cal.Run(samples, co);
  QuantizeResult q = Quantize(g, cal.stats(), cal.Ranges(co), qo);
  size_t transposes = 0;
  for (const auto& op : q.model.ops) transposes += op.type == fb::OperatorOptions::TransposeOptions;
  EXPECT_EQ(transposes, 0u);
  DyadExec exec(SerializeModel(q.model));
  Sample s;
  s.value = RandomTensor({1, 6, 6, 3}, -1, 1, 42);
  const Tensor ref = RunGraph(g, {{in, s.value}}).at("y");
  const auto got = exec.Run({&s});
  EXPECT_GE(Cosine(ref.f, got[0].value), 0.999);
}

TEST(QuantizeGraph, ReshapeOfNhwcStoredTensorGetsARealTranspose) {
  GraphBuilder b;
  b.In("x", {1, 2, 3, 4}).Const("w", Weights({3, 2, 1, 1}, 10, 1.0f)).Const("shape", Tensor::VectorInt64({1, 36}));
  b.Add("Conv", {"x", "w"}, {"c"});
  b.Add("Reshape", {"c", "shape"}, {"y"});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -1, 1);
  size_t transposes = 0;
  for (const auto& op : c.q.model.ops) transposes += op.type == fb::OperatorOptions::TransposeOptions;
  EXPECT_EQ(transposes, 1u);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 3 * c.out_scale);
}

TEST(QuantizeGraph, LargeRangeOutputBecomesInt16) {
  // A detection-head-like output: -40 * x^4 for x in [-2.5, 2.5] spans about
  // [-1560, 0] with most values near 0, where an int8 step (~6) erases them.
  GraphBuilder b;
  b.In("x", {1, 1, 8, 8});
  b.Add("Mul", {"x", "x"}, {"x2"});
  b.Add("Mul", {"x2", "x2"}, {"x4"});
  b.Const("w", Tensor::Float({1, 1, 1, 1}, {-40.0f}));
  b.Add("Conv", {"x4", "w"}, {"y"});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, -2.5f, 2.5f, 8, 0, true);
  ASSERT_EQ(c.q.int16.size(), 1u);
  EXPECT_LT(c.q.int16[0].sqnr_int8_db, 40.0);
  EXPECT_GT(c.q.int16[0].sqnr_int16_db, c.q.int16[0].sqnr_int8_db + 20);
  EXPECT_EQ(c.q.model.tensors[c.q.model.outputs[0]].dtype, fb::DType::INT16);
  // The end-to-end error is now the int8 x^4 input's, far below one int8 output step.
  std::printf("int16 head: int8 SQNR %.1f dB -> int16 %.1f dB; max err %.3f (int8 step %.2f)\n",
              c.q.int16[0].sqnr_int8_db, c.q.int16[0].sqnr_int16_db, c.max_err, 1560.0 / 255);
  EXPECT_GE(c.cosine, 0.999);
}

TEST(QuantizeGraph, AccumulatorOverflowIsRefusedNamingTheLayer) {
  GraphBuilder b;
  // K = 70000 inputs: 127 * 256 * K exceeds 2^31.
  b.In("x", {1, 70000});
  b.Const("w", Tensor::Float({70000, 1}, 1.0f));
  b.Add("MatMul", {"x", "w"}, {"y"}).name = "huge_fc";
  b.Out("y");
  try {
    QuantizeAndCompare(b.g, 0, 1, 1);
    FAIL() << "expected a ConvertError";
  } catch (const ConvertError& e) {
    EXPECT_NE(std::string(e.what()).find("huge_fc"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("overflow"), std::string::npos) << e.what();
  }
}

TEST(QuantizeGraph, UnsupportedOpIsRefusedNamingNodeAndOp) {
  GraphBuilder b;
  b.In("x", {1, 4});
  b.Add("Det", {"x"}, {"y"}).name = "my_det";
  b.Out("y");
  Calibrator cal(b.g);
  try {
    QuantizeAndCompare(b.g, 0, 1, 1);
    FAIL() << "expected a ConvertError";
  } catch (const ConvertError& e) {
    EXPECT_NE(std::string(e.what()).find("my_det"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Det"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dyad::convert::testing

namespace dyad::convert::testing {
namespace {

// MobileNet-style: Relu6 input (Z = -128), 32 channels whose weight scales
// differ by 100x (folded BatchNorm), bias, padding 1, fused Relu6.
TEST(QuantizeGraph, DepthwiseRelu6WithWideChannelScales) {
  GraphBuilder b;
  Tensor w = RandomTensor({32, 1, 3, 3}, -1, 1, 21);
  for (int c = 0; c < 32; ++c)
    for (int k = 0; k < 9; ++k) w.f[c * 9 + k] *= std::pow(10.0f, (c % 5) - 2.0f);
  b.In("x", {1, 32, 10, 10}).Const("w", w).Const("bias", RandomTensor({32}, -0.5, 0.5, 22));
  Node& n = b.Add("Conv", {"x", "w", "bias"}, {"y"});
  n.attrs["group"] = Attribute::Int(32);
  n.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  n.attrs["dyad.activation"] = Attribute::Str("Clip");
  n.attrs["dyad.act_min"] = Attribute::Flt(0.0f);
  n.attrs["dyad.act_max"] = Attribute::Flt(6.0f);
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, 0, 6);
  std::printf("depthwise relu6: cosine %.6f, SQNR %.1f dB, max err %.2f steps\n", c.cosine, c.sqnr, c.max_err / c.out_scale);
  // Channels with 10x-100x weights amplify the input's rounding (S_in / 2 per
  // tap) by their weights, so the bound is per channel: sum|w| * S_in / 2 plus
  // a few output steps.
  const double s_in = 6.0 / 255;
  for (int ch = 0; ch < 32; ++ch) {
    double l1 = 0;
    for (int k = 0; k < 9; ++k) l1 += std::fabs(w.f[ch * 9 + k]);
    for (int k = 0; k < 100; ++k)
      EXPECT_LE(std::fabs(c.ref[ch * 100 + k] - c.got[ch * 100 + k]), l1 * s_in / 2 * 1.02 + 4 * c.out_scale) << "channel " << ch;
  }
  EXPECT_GE(c.cosine, 0.999);
}

TEST(QuantizeGraph, PointwiseConvOnWideInput) {
  GraphBuilder b;
  b.In("x", {1, 32, 6, 6}).Const("w", RandomTensor({16, 32, 1, 1}, -1, 1, 23)).Const("bias", RandomTensor({16}, -1, 1, 24));
  b.Add("Conv", {"x", "w", "bias"}, {"y"});
  b.Out("y");
  Comparison c = QuantizeAndCompare(b.g, 0, 6);
  std::printf("pointwise: cosine %.6f, SQNR %.1f dB, max err %.2f steps\n", c.cosine, c.sqnr, c.max_err / c.out_scale);
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.max_err, 4 * c.out_scale);
}

}  // namespace
}  // namespace dyad::convert::testing
