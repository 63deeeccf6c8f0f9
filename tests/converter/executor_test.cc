// Opset-dependent import forms run through the float executor, against
// hand-derived results.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"
#include "tests/converter/graph_builder.h"
#include "tests/converter/onnx_builder.h"

namespace dyad::convert {
namespace {

using testing::OnnxBuilder;

Tensor RunOne(const OnnxBuilder& b, const Tensor& x, const std::string& in = "x", const std::string& out = "y") {
  Graph g = ImportOnnxBytes(b.Bytes());
  return RunGraph(g, {{in, x}}).at(out);
}

void ExpectFloats(const Tensor& t, const std::vector<float>& want, float tol = 1e-6f) {
  ASSERT_EQ(t.f.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(t.f[k], want[k], tol) << "element " << k;
}

TEST(OpsetForms, ClipAttributesBeforeOpset11) {
  OnnxBuilder b(6);
  b.Input("x", {4}).Output("y");
  auto& n = b.Node("Clip", {"x"}, {"y"});
  OnnxBuilder::AttrFloat(n, "min", -1.0f);
  OnnxBuilder::AttrFloat(n, "max", 2.5f);
  ExpectFloats(RunOne(b, Tensor::Float({4}, {-3, 0.5f, 2, 9})), {-1, 0.5f, 2, 2.5f});
}

TEST(OpsetForms, PadAttributesBeforeOpset11) {
  OnnxBuilder b(2);
  b.Input("x", {1, 2}).Output("y");
  auto& n = b.Node("Pad", {"x"}, {"y"});
  OnnxBuilder::AttrInts(n, "pads", {0, 1, 1, 0});
  OnnxBuilder::AttrFloat(n, "value", 7.0f);
  Tensor y = RunOne(b, Tensor::Float({1, 2}, {1, 2}));
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  ExpectFloats(y, {7, 1, 2, 7, 7, 7});
}

TEST(OpsetForms, SqueezeUnsqueezeAxesAttributeBeforeOpset13) {
  OnnxBuilder b(11);
  b.Input("x", {1, 3, 1}).Output("y");
  OnnxBuilder::AttrInts(b.Node("Squeeze", {"x"}, {"s"}), "axes", {0});
  OnnxBuilder::AttrInts(b.Node("Unsqueeze", {"s"}, {"y"}), "axes", {0, 3});
  Tensor y = RunOne(b, Tensor::Float({1, 3, 1}, {1, 2, 3}));
  EXPECT_EQ(y.shape, (Shape{1, 3, 1, 1}));
}

TEST(OpsetForms, SplitAttributeBeforeOpset13) {
  OnnxBuilder b(11);
  b.Input("x", {5}).Output("a").Output("b");
  OnnxBuilder::AttrInts(b.Node("Split", {"x"}, {"a", "b"}), "split", {2, 3});
  Graph g = ImportOnnxBytes(b.Bytes());
  TensorMap out = RunGraph(g, {{"x", Tensor::Float({5}, {1, 2, 3, 4, 5})}});
  ExpectFloats(out.at("a"), {1, 2});
  ExpectFloats(out.at("b"), {3, 4, 5});
}

TEST(OpsetForms, SliceAttributesBeforeOpset10) {
  OnnxBuilder b(9);
  b.Input("x", {2, 4}).Output("y");
  auto& n = b.Node("Slice", {"x"}, {"y"});
  OnnxBuilder::AttrInts(n, "starts", {1});
  OnnxBuilder::AttrInts(n, "ends", {100});
  OnnxBuilder::AttrInts(n, "axes", {1});
  ExpectFloats(RunOne(b, Tensor::Float({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7})), {1, 2, 3, 5, 6, 7});
}

TEST(OpsetForms, ReduceMeanAxesAttributeBeforeOpset18) {
  OnnxBuilder b(13);
  b.Input("x", {2, 2}).Output("y");
  auto& n = b.Node("ReduceMean", {"x"}, {"y"});
  OnnxBuilder::AttrInts(n, "axes", {1});
  OnnxBuilder::AttrInt(n, "keepdims", 0);
  Tensor y = RunOne(b, Tensor::Float({2, 2}, {1, 3, 10, 20}));
  EXPECT_EQ(y.shape, (Shape{2}));
  ExpectFloats(y, {2, 15});
}

TEST(OpsetForms, ReduceMeanAxesInputAtOpset18) {
  OnnxBuilder b(18);
  b.Input("x", {2, 2}).InitInt64("axes", {0}).Output("y");
  b.Node("ReduceMean", {"x", "axes"}, {"y"});
  ExpectFloats(RunOne(b, Tensor::Float({2, 2}, {1, 3, 10, 20})), {5.5f, 11.5f});
}

// Softmax over [1,2,2] with axis=1: opset 11 normalizes over the flattened
// last two dims (4 values), opset 13 over axis 1 only (pairs).
TEST(OpsetForms, SoftmaxCoercionBeforeOpset13) {
  const std::vector<float> x = {0, 1, 2, 3};
  for (int64_t opset : {11, 13}) {
    OnnxBuilder b(opset);
    b.Input("x", {1, 2, 2}).Output("y");
    OnnxBuilder::AttrInt(b.Node("Softmax", {"x"}, {"y"}), "axis", 1);
    Tensor y = RunOne(b, Tensor::Float({1, 2, 2}, x));
    std::vector<float> want(4);
    if (opset == 11) {
      double s = 0;
      for (float v : x) s += std::exp(v);
      for (int k = 0; k < 4; ++k) want[k] = static_cast<float>(std::exp(x[k]) / s);
    } else {
      for (int c = 0; c < 2; ++c) {  // pairs (x[c], x[c+2]) along axis 1
        double s = std::exp(x[c]) + std::exp(x[c + 2]);
        want[c] = static_cast<float>(std::exp(x[c]) / s);
        want[c + 2] = static_cast<float>(std::exp(x[c + 2]) / s);
      }
    }
    ExpectFloats(y, want);
  }
}

TEST(OpsetForms, UpsampleBecomesAsymmetricNearestResize) {
  OnnxBuilder b(9);
  b.Input("x", {1, 1, 1, 2}).InitFloat("scales", {4}, {1, 1, 2, 2}).Output("y");
  OnnxBuilder::AttrString(b.Node("Upsample", {"x", "scales"}, {"y"}), "mode", "nearest");
  Graph g = ImportOnnxBytes(b.Bytes());
  EXPECT_EQ(g.nodes[0].op, "Resize");
  Tensor y = RunGraph(g, {{"x", Tensor::Float({1, 1, 1, 2}, {1, 2})}}).at("y");
  EXPECT_EQ(y.shape, (Shape{1, 1, 2, 4}));
  ExpectFloats(y, {1, 1, 2, 2, 1, 1, 2, 2});
}

TEST(OpsetForms, ConstantNodesBecomeConstants) {
  OnnxBuilder b(13);
  b.Input("x", {2}).Output("y");
  auto& c = b.Node("Constant", {}, {"c"});
  auto* a = c.add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(10);
  a->add_floats(20);
  b.Node("Add", {"x", "c"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes());
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_TRUE(g.IsConstant("c"));
  ExpectFloats(RunGraph(g, {{"x", Tensor::Float({2}, {1, 2})}}).at("y"), {11, 22});
}

// A dynamic batch fixed by --input-shape lets the exported shape subgraph
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) fold to a constant.
TEST(OpsetForms, DynamicBatchShapeSubgraphFolds) {
  OnnxBuilder b(13);
  b.Input("x", {-1, 3, 4}).InitInt64("minus1", {-1}).InitInt64("axes", {0}).Output("y");
  auto& idx = b.Node("Constant", {}, {"zero"});
  auto* a = idx.add_attribute();
  a->set_name("value_int");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(0);
  b.Node("Shape", {"x"}, {"s"});
  b.Node("Gather", {"s", "zero"}, {"n"});
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"});
  OnnxBuilder::AttrInt(b.Node("Concat", {"n1", "minus1"}, {"shape"}), "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"y"});
  ImportOptions options;
  options.input_shapes["x"] = ParseInputShape("x:2x3x4").shape;
  Graph g = ImportOnnxBytes(b.Bytes(), options);
  OptimizeGraph(g);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Reshape");
  EXPECT_EQ(g.Constant(g.nodes[0].inputs[1])->i, (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(g.values.at("y").shape, (Shape{2, 12}));
  std::vector<float> x(24);
  for (int k = 0; k < 24; ++k) x[k] = static_cast<float>(k);
  ExpectFloats(RunGraph(g, {{"x", Tensor::Float({2, 3, 4}, x)}}).at("y"), x);
}

TEST(Executor, MissingInputAndBadShapeAreErrors) {
  OnnxBuilder b(13);
  b.Input("x", {2}).Output("y");
  b.Node("Relu", {"x"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes());
  EXPECT_THROW(RunGraph(g, {}), ConvertError);
  EXPECT_THROW(RunGraph(g, {{"x", Tensor::Float({3}, 0.0f)}}), ConvertError);
}

// Naive 2-D convolution straight from the ONNX definition (independent of
// the executor's tiled, channel-blocked loops).
std::vector<float> NaiveConv2d(const Tensor& x, const Tensor& w, const std::vector<float>& bias, int64_t group,
                               int64_t stride, int64_t dil, const std::vector<int64_t>& pads, Shape* out_shape) {
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t M = w.shape[0], Cg = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  const int64_t OH = (H + pads[0] + pads[2] - (dil * (KH - 1) + 1)) / stride + 1;
  const int64_t OW = (W + pads[1] + pads[3] - (dil * (KW - 1) + 1)) / stride + 1;
  *out_shape = {N, M, OH, OW};
  std::vector<float> y(N * M * OH * OW);
  const int64_t Mg = M / group;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = bias[m];
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * stride - pads[0] + kh * dil, iw = ow * stride - pads[1] + kw * dil;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += static_cast<double>(x.f[((n * C + (m / Mg) * Cg + c) * H + ih) * W + iw]) *
                       w.f[((m * Cg + c) * KH + kh) * KW + kw];
              }
          y[((n * M + m) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
  return y;
}

TEST(Executor, ConvMatchesNaiveLoops) {
  struct Case { int64_t C, M, group, k, stride, dil, H, W; std::vector<int64_t> pads; };
  const Case cases[] = {
      {8, 8, 1, 3, 1, 1, 9, 11, {1, 1, 1, 1}}, {8, 12, 2, 3, 2, 1, 10, 7, {0, 1, 2, 0}},
      {6, 6, 6, 3, 1, 2, 8, 8, {2, 2, 2, 2}},  {5, 4, 1, 1, 1, 1, 3, 70, {0, 0, 0, 0}},
      {4, 8, 2, 5, 3, 1, 13, 12, {2, 1, 0, 3}}, {3, 16, 1, 3, 2, 1, 33, 33, {1, 1, 1, 1}},
      // Dense, unit column stride (the register-blocked path): rows wider
      // than 16 and not a multiple of it, channel counts not a multiple of
      // 4, dilation, asymmetric pads, a padded 1x1 and a 5x5.
      {7, 6, 1, 3, 1, 2, 12, 37, {2, 2, 2, 2}}, {5, 9, 1, 5, 1, 1, 20, 21, {2, 1, 2, 3}},
      {6, 5, 1, 1, 1, 1, 9, 17, {1, 0, 1, 2}},  {16, 12, 1, 1, 1, 1, 5, 5, {0, 0, 0, 0}},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    const Tensor x = Tensor::Float({2, c.C, c.H, c.W}, testing::RandomFloats(2 * c.C * c.H * c.W, seed++));
    const Tensor w = Tensor::Float({c.M, c.C / c.group, c.k, c.k},
                                   testing::RandomFloats(c.M * (c.C / c.group) * c.k * c.k, seed++));
    const Tensor b = Tensor::Float({c.M}, testing::RandomFloats(c.M, seed++));
    Node n;
    n.name = "conv";
    n.op = "Conv";
    n.attrs["group"] = Attribute::Int(c.group);
    n.attrs["strides"] = Attribute::Ints({c.stride, c.stride});
    n.attrs["dilations"] = Attribute::Ints({c.dil, c.dil});
    n.attrs["pads"] = Attribute::Ints(c.pads);
    Shape want_shape;
    const std::vector<float> want = NaiveConv2d(x, w, b.f, c.group, c.stride, c.dil, c.pads, &want_shape);
    const Tensor y = EvalNode(n, {&x, &w, &b})[0];
    ASSERT_EQ(y.shape, want_shape);
    ExpectFloats(y, want, 1e-4f);
  }
}

TEST(Executor, FusedActivationMarkClamps) {
  Node n;
  n.name = "add";
  n.op = "Add";
  n.inputs = {"a", "b"};
  n.outputs = {"y"};
  n.attrs["dyad.activation"] = Attribute::Str("Clip");
  n.attrs["dyad.act_min"] = Attribute::Flt(0.0f);
  n.attrs["dyad.act_max"] = Attribute::Flt(6.0f);
  Tensor a = Tensor::Float({3}, {-5, 3, 10}), b = Tensor::Float({3}, {1, 1, 1});
  ExpectFloats(EvalNode(n, {&a, &b})[0], {0, 4, 6});
}

}  // namespace
}  // namespace dyad::convert
