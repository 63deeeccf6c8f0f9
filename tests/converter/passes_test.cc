// Each pass on a small graph built here: structure checked, and the float
// executor's outputs compared before and after the pass.
#include <gtest/gtest.h>

#include <cmath>

#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"
#include "tests/converter/graph_builder.h"

namespace dyad::convert {
namespace {

using testing::CountOp;
using testing::GraphBuilder;
using testing::RandomFloats;

TensorMap RandomInputs(const Graph& g, uint32_t seed) {
  TensorMap in;
  for (const auto& name : g.inputs) {
    const Shape& s = g.values.at(name).shape;
    in[name] = Tensor::Float(s, RandomFloats(NumElements(s), seed++, -4.0f, 4.0f));
  }
  return in;
}

// Applies `pass` and checks every graph output is unchanged (to float
// rounding); returns the pass's rewrite count.
template <typename Pass>
int ApplyAndCompare(Graph& g, Pass pass, float tol = 1e-4f) {
  const TensorMap in = RandomInputs(g, 7);
  const TensorMap before = RunGraph(g, in);
  const int changes = pass(g);
  const TensorMap after = RunGraph(g, in);
  for (const auto& o : g.outputs) {
    const Tensor& a = before.at(o);
    const Tensor& b = after.at(o);
    EXPECT_EQ(a.shape, b.shape) << o;
    if (a.shape != b.shape) continue;
    for (int64_t k = 0; k < a.size(); ++k) {
      if (std::isinf(a.AsDouble(k)) && a.AsDouble(k) == b.AsDouble(k)) continue;  // e.g. all-padding max windows
      EXPECT_NEAR(a.AsDouble(k), b.AsDouble(k), tol * (1.0 + std::fabs(a.AsDouble(k)))) << o << "[" << k << "]";
    }
  }
  return changes;
}

int InferAndFold(Graph& g) {
  InferShapes(g);
  return FoldConstants(g);
}

TEST(ConstantFolding, ShapeSubgraphFoldsAway) {
  GraphBuilder b;
  b.Input("x", {2, 3, 4, 4});
  b.Const("zero", Tensor::Int64({}, {0}));
  b.Const("axes0", Tensor::VectorInt64({0}));
  b.Const("minus1", Tensor::VectorInt64({-1}));
  b.Const("expect", Tensor::VectorInt64({2, 3, 4, 4}));
  b.Add("Shape", {"x"}, {"s"});
  b.Add("Gather", {"s", "zero"}, {"batch"});
  b.Add("Unsqueeze", {"batch", "axes0"}, {"batch1"});
  b.Add("Concat", {"batch1", "minus1"}, {"target"}).attrs["axis"] = Attribute::Int(0);
  b.Add("Cast", {"target"}, {"target64"}).attrs["to"] = Attribute::Int(7);
  b.Add("Reshape", {"x", "target64"}, {"flat"});
  // Equal/Where/ConstantOfShape on the shape: ones of shape [2] scale flat.
  b.Add("Equal", {"s", "expect"}, {"eq"});
  b.Add("Where", {"eq", "s", "expect"}, {"s2"});
  b.Add("Slice", {"s2", "axes0", "minus1"}, {"lead"});  // s2[0:-1] = [2,3,4]
  b.Add("Shape", {"lead"}, {"lead_len"});               // [3]
  auto& cos = b.Add("ConstantOfShape", {"lead_len"}, {"ones"});
  cos.attrs["value"].kind = Attribute::Kind::kTensor;
  cos.attrs["value"].t = Tensor::Float({1}, {1.0f});
  b.Add("ReduceSum", {"ones"}, {"three"}).attrs["keepdims"] = Attribute::Int(0);
  b.Add("Mul", {"flat", "three"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_GT(ApplyAndCompare(g, InferAndFold), 0);
  RemoveDeadNodes(g);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, "Reshape");
  EXPECT_EQ(g.Constant(g.nodes[0].inputs[1])->i, (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(g.nodes[1].op, "Mul");
  EXPECT_EQ(g.Constant(g.nodes[1].inputs[1])->f, (std::vector<float>{3.0f}));
}

TEST(ShapeInference, RecordsEveryTensor) {
  GraphBuilder b;
  b.Input("x", {1, 3, 9, 9}).RandomConst("w", {8, 3, 3, 3}, 1);
  auto& conv = b.Add("Conv", {"x", "w"}, {"c"});
  conv.attrs["strides"] = Attribute::Ints({2, 2});
  conv.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("GlobalAveragePool", {"c"}, {"p"});
  b.Add("Flatten", {"p"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(InferShapes(g), 3);
  EXPECT_EQ(g.values.at("c").shape, (Shape{1, 8, 5, 5}));
  EXPECT_EQ(g.values.at("p").shape, (Shape{1, 8, 1, 1}));
  EXPECT_EQ(g.values.at("y").shape, (Shape{1, 8}));
  EXPECT_EQ(InferShapes(g), 0);
}

TEST(DeadNodeRemoval, DropsBranchesNotReachingOutputs) {
  GraphBuilder b;
  b.Input("x", {4}).RandomConst("k", {4}, 2);
  b.Add("Relu", {"x"}, {"y"});
  b.Add("Mul", {"x", "k"}, {"unused"});
  b.Add("Sigmoid", {"unused"}, {"unused2"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, RemoveDeadNodes), 2);
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_FALSE(g.IsConstant("k"));
}

TEST(IdentityRemoval, RewiresReadersAndKeepsOutputNames) {
  GraphBuilder b;
  b.Input("x", {4});
  b.Add("Identity", {"x"}, {"i1"});
  b.Add("Relu", {"i1"}, {"r"});
  b.Add("Dropout", {"r"}, {"d"});
  b.Add("Sigmoid", {"d"}, {"s"});
  b.Add("Identity", {"s"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, RemoveIdentities), 3);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].inputs[0], "x");
  EXPECT_EQ(g.nodes[1].outputs[0], "y");
}

void AddBn(GraphBuilder& b, const std::string& in, const std::string& out, int64_t C, uint32_t seed) {
  b.RandomConst(out + "_s", {C}, seed, 0.5f, 2.0f).RandomConst(out + "_b", {C}, seed + 1);
  b.RandomConst(out + "_m", {C}, seed + 2).RandomConst(out + "_v", {C}, seed + 3, 0.1f, 3.0f);
  b.Add("BatchNormalization", {in, out + "_s", out + "_b", out + "_m", out + "_v"}, {out})
      .attrs["epsilon"] = Attribute::Flt(1e-3f);
}

TEST(BatchNormFolding, IntoGroupedConvWithBias) {
  GraphBuilder b;
  b.Input("x", {1, 4, 6, 6}).RandomConst("w", {6, 2, 3, 3}, 3).RandomConst("bias", {6}, 4);
  b.Add("Conv", {"x", "w", "bias"}, {"c"}).attrs["group"] = Attribute::Int(2);
  AddBn(b, "c", "y", 6, 10);
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldBatchNorm), 1);
  EXPECT_EQ(CountOp(g, "BatchNormalization"), 0);
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
}

TEST(BatchNormFolding, IntoConvWithoutBiasAndConvTranspose) {
  GraphBuilder b;
  b.Input("x", {1, 4, 5, 5}).RandomConst("w", {3, 4, 1, 1}, 5).RandomConst("wt", {3, 2, 3, 3}, 6);
  b.Add("Conv", {"x", "w"}, {"c"});
  AddBn(b, "c", "cb", 3, 20);
  b.Add("ConvTranspose", {"cb", "wt"}, {"t"}).attrs["strides"] = Attribute::Ints({2, 2});
  AddBn(b, "t", "y", 2, 30);
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldBatchNorm), 2);
  EXPECT_EQ(CountOp(g, "BatchNormalization"), 0);
}

TEST(BatchNormFolding, IntoGroupedConvTranspose) {
  GraphBuilder b;
  b.Input("x", {1, 4, 3, 3}).RandomConst("wt", {4, 3, 2, 2}, 8);
  b.Add("ConvTranspose", {"x", "wt"}, {"t"}).attrs["group"] = Attribute::Int(2);
  AddBn(b, "t", "y", 6, 40);
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldBatchNorm), 1);
}

TEST(BatchNormFolding, IntoGemmTransBWithBias) {
  GraphBuilder b;
  b.Input("x", {3, 5}).RandomConst("w", {4, 5}, 9).RandomConst("c", {4}, 10);
  auto& gemm = b.Add("Gemm", {"x", "w", "c"}, {"g"});
  gemm.attrs["transB"] = Attribute::Int(1);
  gemm.attrs["alpha"] = Attribute::Flt(0.5f);
  gemm.attrs["beta"] = Attribute::Flt(2.0f);
  AddBn(b, "g", "y", 4, 50);
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldBatchNorm), 1);
  EXPECT_EQ(CountOp(g, "BatchNormalization"), 0);
}

TEST(BatchNormFolding, SkipsSharedProducerOutput) {
  GraphBuilder b;
  b.Input("x", {1, 2, 3, 3}).RandomConst("w", {2, 2, 1, 1}, 11);
  b.Add("Conv", {"x", "w"}, {"c"});
  AddBn(b, "c", "y", 2, 60);
  b.Add("Relu", {"c"}, {"z"});
  b.Output("y").Output("z");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldBatchNorm), 0);
}

TEST(ActivationFusion, ReluAndClipBecomeMarks) {
  GraphBuilder b;
  b.Input("x", {1, 2, 4, 4}).RandomConst("w", {3, 2, 3, 3}, 12, -2, 2).RandomConst("w2", {3, 3, 1, 1}, 13, -2, 2);
  b.Const("lo", Tensor::ScalarFloat(0.0f)).Const("hi", Tensor::ScalarFloat(6.0f));
  b.Add("Conv", {"x", "w"}, {"c"});
  b.Add("Relu", {"c"}, {"r"});
  b.Add("Conv", {"r", "w2"}, {"c2"});
  b.Add("Clip", {"c2", "lo", "hi"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FuseActivations), 2);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].GetString("dyad.activation", ""), "Relu");
  EXPECT_EQ(g.nodes[1].GetString("dyad.activation", ""), "Clip");
  EXPECT_EQ(g.nodes[1].GetFloat("dyad.act_max", 0), 6.0f);
  EXPECT_EQ(g.nodes[1].outputs[0], "y");
}

TEST(ActivationFusion, SubAndMulProducersAndClipAboveZeroKept) {
  GraphBuilder b;
  b.Input("x", {2, 8}).Input("z", {2, 8});
  b.Const("lo", Tensor::ScalarFloat(0.5f)).Const("hi", Tensor::ScalarFloat(2.0f));
  b.Add("Sub", {"x", "z"}, {"s"});
  b.Add("Relu", {"s"}, {"r"});
  b.Add("Mul", {"r", "z"}, {"m"});
  b.Add("Clip", {"m", "lo", "hi"}, {"y"});  // lower bound > 0: left as a node
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FuseActivations), 1);
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].GetString("dyad.activation", ""), "Relu");
  EXPECT_EQ(CountOp(g, "Clip"), 1);
}

TEST(MatMulToGemm, ConstantAddBecomesBias) {
  GraphBuilder b;
  b.Input("x", {3, 5}).RandomConst("w", {5, 4}, 21, -1, 1).RandomConst("c", {4}, 22, -1, 1);
  b.RandomConst("w2", {4, 2}, 23, -1, 1).RandomConst("c2", {3, 2}, 24, -1, 1);
  b.Add("MatMul", {"x", "w"}, {"m"});
  b.Add("Add", {"c", "m"}, {"a"});
  b.Add("MatMul", {"a", "w2"}, {"m2"});
  b.Add("Add", {"m2", "c2"}, {"y"});  // [3, 2] addend: not a bias, stays an Add
  b.Output("y");
  Graph& g = b.graph();
  InferShapes(g);
  EXPECT_EQ(ApplyAndCompare(g, MatMulToGemm), 2);
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, "Gemm");
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(g.nodes[0].outputs[0], "a");
  EXPECT_EQ(g.nodes[1].op, "Gemm");
  EXPECT_EQ(g.nodes[1].inputs.size(), 2u);
  EXPECT_EQ(CountOp(g, "Add"), 1);
}

TEST(MatMulToGemm, BatchedOrActivationOperandsStay) {
  GraphBuilder b;
  b.Input("x", {2, 3, 5}).Input("p", {3, 5}).Input("q", {5, 4}).RandomConst("w", {5, 4}, 25, -1, 1);
  b.Add("MatMul", {"x", "w"}, {"y"});
  b.Add("MatMul", {"p", "q"}, {"z"});
  b.Output("y").Output("z");
  Graph& g = b.graph();
  InferShapes(g);
  EXPECT_EQ(ApplyAndCompare(g, MatMulToGemm), 0);
  EXPECT_EQ(CountOp(g, "MatMul"), 2);
}

TEST(ConstantFolding, GraphOutputNodesStay) {
  GraphBuilder b;
  b.Input("x", {2}).Const("a", Tensor::Float({2}, {1.0f, 2.0f})).Const("b", Tensor::Float({2}, {3.0f, 4.0f}));
  b.Add("Add", {"a", "b"}, {"c"});
  b.Add("Mul", {"c", "b"}, {"y"});
  b.Add("Add", {"x", "c"}, {"z"});
  b.Output("y").Output("z");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, InferAndFold), 1);
  EXPECT_EQ(CountOp(g, "Mul"), 1);  // writes graph output y: computed, not a constant
}

Graph HardSwishClipGraph(bool divide_last, bool use_mul_sixth) {
  GraphBuilder b;
  b.Input("x", {2, 8});
  b.Const("three", Tensor::ScalarFloat(3.0f)).Const("zero", Tensor::ScalarFloat(0.0f));
  b.Const("six", Tensor::ScalarFloat(6.0f)).Const("sixth", Tensor::ScalarFloat(1.0f / 6.0f));
  b.Add("Add", {"three", "x"}, {"a"});
  b.Add("Clip", {"a", "zero", "six"}, {"c"});
  if (divide_last) {
    b.Add("Mul", {"x", "c"}, {"m"});
    if (use_mul_sixth) b.Add("Mul", {"m", "sixth"}, {"y"}); else b.Add("Div", {"m", "six"}, {"y"});
  } else {
    if (use_mul_sixth) b.Add("Mul", {"sixth", "c"}, {"d"}); else b.Add("Div", {"c", "six"}, {"d"});
    b.Add("Mul", {"d", "x"}, {"y"});
  }
  b.Output("y");
  return b.graph();
}

TEST(HardSwishPattern, ClipFormsInEveryOrder) {
  for (bool divide_last : {true, false})
    for (bool mul_sixth : {true, false}) {
      Graph g = HardSwishClipGraph(divide_last, mul_sixth);
      EXPECT_EQ(ApplyAndCompare(g, RecognizeHardSwish, 1e-5f), 1) << divide_last << mul_sixth;
      ASSERT_EQ(g.nodes.size(), 1u);
      EXPECT_EQ(g.nodes[0].op, "HardSwish");
      EXPECT_EQ(g.nodes[0].inputs[0], "x");
      EXPECT_EQ(g.nodes[0].outputs[0], "y");
      EXPECT_TRUE(g.constants.empty());
    }
}

TEST(HardSwishPattern, HardSigmoidTimesX) {
  GraphBuilder b;
  b.Input("x", {3, 5});
  auto& hs = b.Add("HardSigmoid", {"x"}, {"h"});
  hs.attrs["alpha"] = Attribute::Flt(1.0f / 6.0f);
  b.Add("Mul", {"x", "h"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, RecognizeHardSwish, 1e-5f), 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "HardSwish");
}

TEST(HardSwishPattern, WrongConstantsAreLeftAlone) {
  GraphBuilder b;
  b.Input("x", {3, 5});
  b.Add("HardSigmoid", {"x"}, {"h"});  // default alpha 0.2: not HardSwish
  b.Add("Mul", {"x", "h"}, {"y"});
  b.Output("y");
  EXPECT_EQ(RecognizeHardSwish(b.graph()), 0);
}

TEST(PadFolding, IntoConvAndPools) {
  GraphBuilder b;
  b.Input("x", {1, 2, 6, 6}).RandomConst("w", {3, 2, 3, 3}, 14);
  b.Const("pads", Tensor::VectorInt64({0, 0, 1, 2, 0, 0, 2, 1}));
  b.Const("ninf", Tensor::ScalarFloat(-INFINITY));
  b.Add("Pad", {"x", "pads"}, {"p"});
  auto& conv = b.Add("Conv", {"p", "w"}, {"c"});
  conv.attrs["pads"] = Attribute::Ints({1, 0, 0, 1});
  b.Add("Pad", {"c", "pads"}, {"p2"});
  auto& ap = b.Add("AveragePool", {"p2"}, {"a"});
  ap.attrs["kernel_shape"] = Attribute::Ints({3, 3});
  ap.attrs["count_include_pad"] = Attribute::Int(1);
  b.Add("Pad", {"a", "pads", "ninf"}, {"p3"});
  b.Add("MaxPool", {"p3"}, {"y"}).attrs["kernel_shape"] = Attribute::Ints({2, 2});
  b.Output("y");
  Graph& g = b.graph();
  EXPECT_EQ(ApplyAndCompare(g, FoldPad), 3);
  EXPECT_EQ(CountOp(g, "Pad"), 0);
  EXPECT_EQ(g.nodes[0].GetInts("pads"), (std::vector<int64_t>{2, 2, 2, 2}));
}

TEST(PadFolding, NonZeroValueOrExcludedPadIsKept) {
  GraphBuilder b;
  b.Input("x", {1, 2, 6, 6}).RandomConst("w", {3, 2, 3, 3}, 15);
  b.Const("pads", Tensor::VectorInt64({0, 0, 1, 1, 0, 0, 1, 1})).Const("one", Tensor::ScalarFloat(1.0f));
  b.Add("Pad", {"x", "pads", "one"}, {"p"});
  b.Add("Conv", {"p", "w"}, {"c"});
  b.Add("Pad", {"c", "pads"}, {"p2"});
  b.Add("AveragePool", {"p2"}, {"y"}).attrs["kernel_shape"] = Attribute::Ints({3, 3});  // excludes pads
  b.Output("y");
  EXPECT_EQ(FoldPad(b.graph()), 0);
}

Graph DecomposedLayerNorm(bool pow_form, bool affine) {
  GraphBuilder b;
  b.Input("x", {2, 3, 8});
  b.Const("axes", Tensor::VectorInt64({-1})).Const("two", Tensor::ScalarFloat(2.0f));
  b.Const("eps", Tensor::ScalarFloat(1e-5f));
  b.RandomConst("gamma", {8}, 16).RandomConst("beta", {1, 1, 8}, 17);
  b.Add("ReduceMean", {"x", "axes"}, {"m"});
  b.Add("Sub", {"x", "m"}, {"d"});
  if (pow_form) b.Add("Pow", {"d", "two"}, {"p"}); else b.Add("Mul", {"d", "d"}, {"p"});
  b.Add("ReduceMean", {"p", "axes"}, {"v"});
  b.Add("Add", {"v", "eps"}, {"e"});
  b.Add("Sqrt", {"e"}, {"s"});
  b.Add("Div", {"d", "s"}, {affine ? "n" : "y"});
  if (affine) {
    b.Add("Mul", {"n", "gamma"}, {"g"});
    b.Add("Add", {"g", "beta"}, {"y"});
  }
  b.Output("y");
  return b.graph();
}

TEST(LayerNormRecognition, DecomposedFormsBecomeOneNode) {
  for (bool pow_form : {true, false})
    for (bool affine : {true, false}) {
      Graph g = DecomposedLayerNorm(pow_form, affine);
      EXPECT_EQ(ApplyAndCompare(g, RecognizeLayerNorm), 1);
      ASSERT_EQ(g.nodes.size(), 1u);
      EXPECT_EQ(g.nodes[0].op, "LayerNormalization");
      EXPECT_EQ(g.nodes[0].GetInt("axis", 0), 2);
      EXPECT_EQ(g.nodes[0].inputs.size(), affine ? 3u : 2u);
      EXPECT_EQ(g.nodes[0].outputs[0], "y");
    }
}

TEST(LayerNormRecognition, NonTrailingAxesAreLeftAlone) {
  Graph g = DecomposedLayerNorm(true, false);
  g.constants["axes"] = Tensor::VectorInt64({1});
  EXPECT_EQ(RecognizeLayerNorm(g), 0);
}

TEST(Pipeline, OptimizeGraphKeepsOutputs) {
  GraphBuilder b;
  b.Input("x", {1, 3, 8, 8}).RandomConst("w", {4, 3, 3, 3}, 18).RandomConst("fc", {4, 5}, 19);
  b.Const("pads", Tensor::VectorInt64({0, 0, 1, 1, 0, 0, 1, 1})).Const("zero", Tensor::Int64({}, {0}));
  b.Const("three", Tensor::ScalarFloat(3.0f)).Const("lo", Tensor::ScalarFloat(0.0f)).Const("six", Tensor::ScalarFloat(6.0f));
  b.Const("axes0", Tensor::VectorInt64({0})).Const("minus1", Tensor::VectorInt64({-1}));
  b.Add("Pad", {"x", "pads"}, {"p"});
  b.Add("Conv", {"p", "w"}, {"c"});
  AddBn(b, "c", "bn", 4, 70);
  b.Add("Add", {"bn", "three"}, {"a"});
  b.Add("Clip", {"a", "lo", "six"}, {"cl"});
  b.Add("Mul", {"bn", "cl"}, {"m"});
  b.Add("Div", {"m", "six"}, {"hs"});
  b.Add("GlobalAveragePool", {"hs"}, {"gp"});
  b.Add("Shape", {"gp"}, {"s"});
  b.Add("Gather", {"s", "zero"}, {"n"});
  b.Add("Unsqueeze", {"n", "axes0"}, {"n1"});
  b.Add("Concat", {"n1", "minus1"}, {"shape"}).attrs["axis"] = Attribute::Int(0);
  b.Add("Reshape", {"gp", "shape"}, {"flat"});
  b.Add("Dropout", {"flat"}, {"dr"});
  b.Add("MatMul", {"dr", "fc"}, {"mm"});
  b.Add("Relu", {"mm"}, {"y"});
  b.Output("y");
  Graph& g = b.graph();
  ApplyAndCompare(g, [](Graph& gr) { OptimizeGraph(gr); return 0; });
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op);
  // MatMul of the 2-D flattened features by a constant is a Gemm (MatMulToGemm).
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "HardSwish", "GlobalAveragePool", "Reshape", "Gemm"}));
  EXPECT_EQ(g.nodes.back().GetString("dyad.activation", ""), "Relu");
  EXPECT_EQ(g.values.at("y").shape, (Shape{1, 5}));
}


// Sigmoid heatmap, its 3x3 local-maximum mask through the same Reshape on
// both sides (M-LSD's form), times the heatmap.
Graph PeakMaskGraph(const char* f, bool pool_first, bool same_reshape) {
  GraphBuilder b;
  b.Input("x", {1, 1, 6, 7});
  b.Const("shape", Tensor::VectorInt64({1, 6, 7, 1}));
  b.Const("shape2", Tensor::VectorInt64({1, 6, 7, 1}));
  b.Add(f, {"x"}, {"s"});
  auto& pool = b.Add("MaxPool", {"s"}, {"m"});
  pool.attrs["kernel_shape"] = Attribute::Ints({3, 3});
  pool.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Reshape", {"s", "shape"}, {"rs"});
  b.Add("Reshape", {"m", same_reshape ? "shape" : "shape2"}, {"rm"});
  if (pool_first) b.Add("Equal", {"rm", "rs"}, {"eq"}); else b.Add("Equal", {"rs", "rm"}, {"eq"});
  b.Add("Cast", {"eq"}, {"mask"}).attrs["to"] = Attribute::Int(1);
  b.Add("Mul", {"rs", "mask"}, {"y"});
  b.Output("y");
  return b.graph();
}

TEST(PeakTest, MovesTheMaskBeforeAStrictlyIncreasingOp) {
  for (const char* f : {"Sigmoid", "Tanh", "Exp"})
    for (bool pool_first : {false, true}) {
      Graph g = PeakMaskGraph(f, pool_first, true);
      EXPECT_EQ(ApplyAndCompare(g, MovePeakTestBeforeMonotonicOp, 1e-6f), 1) << f << pool_first;
      // The MaxPool now reads x; f(x) is kept for the Mul.
      ASSERT_EQ(CountOp(g, "MaxPool"), 1);
      for (const Node& n : g.nodes) {
        if (n.op == "MaxPool") {
          EXPECT_EQ(n.inputs[0], "x");
        }
      }
      EXPECT_EQ(CountOp(g, f), 1);
      EXPECT_EQ(CountOp(g, "Reshape"), 3);  // f(x) for the Mul, x and MaxPool(x) for the test
    }
}

TEST(PeakTest, LeavesOtherFormsAlone) {
  // Relu is not strictly increasing (its plateau is part of the float model).
  Graph relu = PeakMaskGraph("Relu", false, true);
  EXPECT_EQ(MovePeakTestBeforeMonotonicOp(relu), 0);
  // Different layout ops on the two sides.
  Graph differ = PeakMaskGraph("Sigmoid", false, false);
  EXPECT_EQ(MovePeakTestBeforeMonotonicOp(differ), 0);
}

}  // namespace
}  // namespace dyad::convert
