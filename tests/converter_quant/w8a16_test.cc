// W8A16 mode (QuantizeOptions::int16_activations): which tensors become
// int16, where int8-only ops get a Requantize, the accumulator limit on int16
// ranges, and that the written models run in libdyad closer to the float
// model than their int8 twins.
#include "quant_test_util.h"

namespace dyad::convert::testing {
namespace {

const QTensor& TensorNamed(const QModel& m, const std::string& name) {
  for (const auto& t : m.tensors)
    if (t.name == name) return t;
  ADD_FAILURE() << "no tensor " << name;
  return m.tensors.at(0);
}

const QOp* ProducerOf(const QModel& m, const std::string& tensor) {
  for (const auto& op : m.ops)
    for (int32_t o : op.outputs)
      if (m.tensors[o].name == tensor) return &op;
  return nullptr;
}

// x -> Conv 3x3 + Relu -> depthwise 3x3 -> Add(first conv) -> AveragePool ->
// Conv 1x1 -> y: every op here reads and writes int16.
Graph ConvChain() {
  GraphBuilder b;
  b.In("x", {1, 4, 12, 12});
  b.Const("w1", RandomTensor({8, 4, 3, 3}, -0.4f, 0.4f, 1)).Const("b1", RandomTensor({8}, -0.2f, 0.2f, 2));
  b.Const("w2", RandomTensor({8, 1, 3, 3}, -1.0f, 1.0f, 3));
  b.Const("w3", RandomTensor({6, 8, 1, 1}, -0.5f, 0.5f, 4));
  Node& c1 = b.Add("Conv", {"x", "w1", "b1"}, {"a"});
  c1.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Relu", {"a"}, {"r"});
  Node& dw = b.Add("Conv", {"r", "w2"}, {"d"});
  dw.attrs["group"] = Attribute::Int(8);
  dw.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Add", {"d", "r"}, {"s"});
  Node& pool = b.Add("AveragePool", {"s"}, {"p"});
  pool.attrs["kernel_shape"] = Attribute::Ints({2, 2});
  pool.attrs["strides"] = Attribute::Ints({2, 2});
  b.Add("Conv", {"p", "w3"}, {"y"});
  b.Out("y");
  return b.g;
}

TEST(W8A16, ConvChainIsInt16AndCloserToFloat) {
  const Comparison c8 = QuantizeAndCompare(ConvChain(), -1, 1);
  const Comparison c16 = QuantizeAndCompare(ConvChain(), -1, 1, 8, 0, false, W8A16());
  std::printf("conv chain: int8 activations %.2f dB (cosine %.6f), int16 activations %.2f dB (cosine %.6f)\n",
              c8.sqnr, c8.cosine, c16.sqnr, c16.cosine);
  // The input stays int8 (no --input-mean): every later tensor is int16.
  EXPECT_EQ(TensorNamed(c16.q.model, "x").dtype, fb::DType::INT8);
  for (const char* name : {"r", "d", "s", "p", "y"}) {
    EXPECT_EQ(c16.q.params.at(name).dtype, fb::DType::INT16) << name;
    EXPECT_EQ(c16.q.params.at(name).zero_point, 0) << name;
  }
  for (const auto& op : c16.q.model.ops) EXPECT_NE(op.type, fb::OperatorOptions::RequantizeOptions) << op.name;
  // Only the int8 input's rounding and the int8 weights are left.
  EXPECT_GE(c16.sqnr, c8.sqnr + 6.0);
  EXPECT_GE(c16.cosine, 0.9999);
}

TEST(W8A16, TablesInterpolateInt16) {
  GraphBuilder b;
  b.In("x", {1, 3, 6, 6}).Const("w1", RandomTensor({5, 3, 3, 3}, -0.5f, 0.5f, 5));
  b.Const("w2", RandomTensor({4, 5, 1, 1}, -0.5f, 0.5f, 6));
  Node& c1 = b.Add("Conv", {"x", "w1"}, {"a"});
  c1.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Add("Sigmoid", {"a"}, {"s"});  // eq. 13b: int16 in, int16 out
  b.Add("Conv", {"s", "w2"}, {"y"});
  b.Out("y");
  const Comparison c8 = QuantizeAndCompare(b.g, -2, 2);
  const Comparison c = QuantizeAndCompare(b.g, -2, 2, 8, 0, false, W8A16());
  std::printf("conv-sigmoid-conv: int8 %.2f dB, int16 %.2f dB (cosine %.6f)\n", c8.sqnr, c.sqnr, c.cosine);
  for (const char* name : {"a", "s", "y"}) EXPECT_EQ(c.q.params.at(name).dtype, fb::DType::INT16) << name;
  const QOp* lut = ProducerOf(c.q.model, "s");
  ASSERT_NE(lut, nullptr);
  EXPECT_EQ(lut->type, fb::OperatorOptions::LutOptions);
  EXPECT_EQ(c.q.model.tensors[lut->inputs[0]].name, "a");
  for (const auto& op : c.q.model.ops) EXPECT_NE(op.type, fb::OperatorOptions::RequantizeOptions) << op.name;
  EXPECT_GE(c.sqnr, c8.sqnr + 6.0);
  EXPECT_GE(c.cosine, 0.9999);
}

TEST(W8A16, Int8OnlyOpsReadARequantizedCopy) {
  GraphBuilder b;
  b.In("x", {1, 3, 4, 4}).Const("w1", RandomTensor({5, 3, 3, 3}, -0.5f, 0.5f, 5));
  Node& c1 = b.Add("Conv", {"x", "w1"}, {"a"});
  c1.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
  b.Const("slope", Tensor::Float({1}, {0.25f}));
  b.Add("Flatten", {"a"}, {"f"});
  b.Add("PRelu", {"f", "slope"}, {"y"});  // int8 only (eq. 19)
  b.Out("y");
  const Comparison c = QuantizeAndCompare(b.g, -2, 2, 8, 0, false, W8A16());
  std::printf("conv-prelu: %.2f dB, cosine %.6f\n", c.sqnr, c.cosine);
  EXPECT_EQ(c.q.params.at("a").dtype, fb::DType::INT16);
  EXPECT_EQ(c.q.params.at("f").dtype, fb::DType::INT16);
  EXPECT_EQ(c.q.params.at("y").dtype, fb::DType::INT8);
  EXPECT_EQ(TensorNamed(c.q.model, "f/int8").dtype, fb::DType::INT8);
  const QOp* to8 = ProducerOf(c.q.model, "f/int8");
  ASSERT_NE(to8, nullptr);
  EXPECT_EQ(to8->type, fb::OperatorOptions::RequantizeOptions);
  const QOp* prelu = ProducerOf(c.q.model, "y");
  ASSERT_NE(prelu, nullptr);
  EXPECT_EQ(c.q.model.tensors[prelu->inputs[0]].name, "f/int8");
  EXPECT_GE(c.cosine, 0.99);
}

// Eq. 14b: a Softmax reading an int16 group reads it as it is and writes
// int16 (scale 1/32768, Z = 0); one whose output a Conv reads stays int8
// (an int16 Conv input needs the accumulator limit of Int16Limit).
TEST(W8A16, SoftmaxIsInt16UnlessAConvReadsIt) {
  auto graph = [](bool conv_after) {
    GraphBuilder b;
    b.In("x", {1, 3, 4, 4}).Const("w1", RandomTensor({5, 3, 3, 3}, -0.5f, 0.5f, 5));
    b.Const("w2", RandomTensor({4, 80}, -0.5f, 0.5f, 6));
    Node& c1 = b.Add("Conv", {"x", "w1"}, {"a"});
    c1.attrs["pads"] = Attribute::Ints({1, 1, 1, 1});
    b.Add("Flatten", {"a"}, {"f"});
    b.Add("Softmax", {"f"}, {conv_after ? "s" : "y"});
    if (conv_after) {
      Node& g = b.Add("Gemm", {"s", "w2"}, {"y"});
      g.attrs["transB"] = Attribute::Int(1);
    }
    b.Out("y");
    return b.g;
  };
  const Comparison c16 = QuantizeAndCompare(graph(false), -2, 2, 8, 0, false, W8A16());
  const Comparison c8 = QuantizeAndCompare(graph(false), -2, 2);
  std::printf("conv-softmax: int8 %.2f dB, W8A16 %.2f dB (cosine %.6f)\n", c8.sqnr, c16.sqnr,
              c16.cosine);
  EXPECT_EQ(c16.q.params.at("f").dtype, fb::DType::INT16);
  EXPECT_EQ(c16.q.params.at("y").dtype, fb::DType::INT16);
  EXPECT_EQ(c16.q.params.at("y").zero_point, 0);
  EXPECT_DOUBLE_EQ(c16.q.params.at("y").scale, 1.0 / 32768);
  for (const auto& op : c16.q.model.ops) EXPECT_NE(op.type, fb::OperatorOptions::RequantizeOptions) << op.name;
  EXPECT_GE(c16.sqnr, c8.sqnr + 10.0);
  const Comparison gemm = QuantizeAndCompare(graph(true), -2, 2, 8, 0, false, W8A16());
  EXPECT_EQ(gemm.q.params.at("s").dtype, fb::DType::INT8);
  EXPECT_GE(gemm.cosine, 0.99);
}

TEST(W8A16, AveragesKeepTheirInputType) {
  // libdyad averages int8 -> int8 or int16 -> int16. PRelu writes int8, so
  // the GlobalAveragePool after it stays int8; a Mean over more than 65536
  // values stays int8 too (an int16 sum could saturate) and reads an int8
  // copy of its int16 input.
  GraphBuilder b;
  b.In("x", {1, 2, 260, 260}).Const("w1", RandomTensor({3, 2, 1, 1}, -1.0f, 1.0f, 9));
  b.Const("w2", RandomTensor({2, 3, 1, 1}, -1.0f, 1.0f, 10));
  b.Const("slope", Tensor::Float({1}, {0.25f}));
  b.Add("Conv", {"x", "w1"}, {"a"});
  b.Add("PRelu", {"a", "slope"}, {"s"});
  b.Add("GlobalAveragePool", {"s"}, {"g"});
  b.Add("GlobalAveragePool", {"a"}, {"m"});  // 67600 values
  b.Add("Conv", {"g", "w2"}, {"y"});
  b.Out("y").Out("m");
  const Comparison c = QuantizeAndCompare(b.g, -1, 1, 2, 0, false, W8A16());
  std::printf("prelu -> average: %.2f dB, cosine %.6f\n", c.sqnr, c.cosine);
  EXPECT_EQ(c.q.params.at("a").dtype, fb::DType::INT16);
  EXPECT_EQ(c.q.params.at("s").dtype, fb::DType::INT8);
  EXPECT_EQ(c.q.params.at("g").dtype, fb::DType::INT8);
  EXPECT_EQ(c.q.params.at("m").dtype, fb::DType::INT8);
  const QOp* mean = ProducerOf(c.q.model, "m");
  ASSERT_NE(mean, nullptr);
  EXPECT_EQ(c.q.model.tensors[mean->inputs[0]].dtype, fb::DType::INT8);
  EXPECT_GE(c.cosine, 0.99);
}

TEST(W8A16, AccumulatorLimitNarrowsTheInt16Range) {
  // A 1x1 conv over 1024 channels whose weights all have one magnitude: each
  // channel's sum |q_w| is near 127 * 1024, so its int16 input may hold only
  // about (2^30 - 2) / 130048 in magnitude, and the conv writing that input
  // clamps there.
  const int64_t cin = 1024;
  Tensor w = Tensor::Float({4, cin, 1, 1}, 0.0f);
  for (size_t k = 0; k < w.f.size(); ++k) w.f[k] = (k * 7 % 3 == 0) ? -0.01f : 0.01f;
  GraphBuilder b;
  b.In("x", {1, 2, 4, 4}).Const("w1", RandomTensor({int64_t(cin), 2, 1, 1}, -1.0f, 1.0f, 7)).Const("w2", w);
  b.Add("Conv", {"x", "w1"}, {"a"});
  b.Add("Conv", {"a", "w2"}, {"y"});
  b.Out("y");
  const Comparison c = QuantizeAndCompare(b.g, -1, 1, 8, 0, false, W8A16());
  const QParams& a = c.q.params.at("a");
  EXPECT_EQ(a.dtype, fb::DType::INT16);
  // The limit from the int8 weights actually written (after equalization).
  const QOp* conv = ProducerOf(c.q.model, "y");
  ASSERT_NE(conv, nullptr);
  const QTensor& wq = c.q.model.tensors[conv->inputs[1]];
  ASSERT_EQ(wq.data.size(), size_t(4 * cin));
  int64_t worst = 0;
  for (int64_t o = 0; o < 4; ++o) {
    int64_t sum = 0;
    for (int64_t i = 0; i < cin; ++i) sum += std::abs(int{static_cast<int8_t>(wq.data[o * cin + i])});
    worst = std::max(worst, sum);
  }
  EXPECT_GT(worst, 100000);
  EXPECT_EQ(a.limit, ((1 << 30) - 2) / worst);
  EXPECT_EQ(c.q.params.at("y").limit, 0);  // nothing reads y
  std::printf("limited int16 range (|q| <= %d, sum |w| %lld): %.2f dB, cosine %.6f\n", a.limit,
              static_cast<long long>(worst), c.sqnr, c.cosine);
  EXPECT_GE(c.cosine, 0.999);
}

TEST(W8A16, ConstantOperandsAreInt16) {
  GraphBuilder b;
  b.In("x", {1, 3, 4, 5}).Const("w", RandomTensor({3, 3, 1, 1}, -0.5f, 0.5f, 8));
  b.Const("c", Tensor::Float({3, 1, 1}, {0.5f, -1.0f, 2.0f}));
  b.Add("Conv", {"x", "w"}, {"a"});
  b.Add("Add", {"a", "c"}, {"s"});
  b.Add("Mul", {"s", "c"}, {"y"});
  b.Out("y");
  const Comparison c = QuantizeAndCompare(b.g, -1, 1, 8, 0, false, W8A16());
  std::printf("add/mul by constants in int16: %.2f dB, cosine %.6f\n", c.sqnr, c.cosine);
  int int16_constants = 0;
  for (const auto& t : c.q.model.tensors) int16_constants += t.is_constant && t.dtype == fb::DType::INT16;
  EXPECT_EQ(int16_constants, 2);
  EXPECT_GE(c.cosine, 0.9999);
}

TEST(W8A16, Int8ModeIsUnchanged) {
  const Comparison c = QuantizeAndCompare(ConvChain(), -1, 1);
  for (const auto& t : c.q.model.tensors) EXPECT_NE(t.dtype, fb::DType::INT16) << t.name;
}

}  // namespace
}  // namespace dyad::convert::testing
