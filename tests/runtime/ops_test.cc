// One single-op model per op, run through libdyad and compared byte for byte
// with a direct call of the reference kernel on the same data, with params
// built here by hand: this tests the runtime's wiring (options -> params,
// tensor pointers, shapes), not the kernels' math (tests/unit does that).
#include <gtest/gtest.h>

#include "kernels/reference/reference.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/small_cnn.h"

namespace dyad {
namespace test {
namespace {

using fb::DType;
using fb::OperatorOptions;

std::vector<int32_t> multipliers(size_t n, uint32_t seed) {
  return random_s32(n, seed, 1 << 30, INT32_MAX);
}

void conv_case(bool depthwise, DType out_dtype) {
  const int cin = 4, cout = depthwise ? 4 : 6, groups = depthwise ? 4 : 1;
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 7, 6, cin}, DType::INT8, 3);
  const auto w = random_s8(static_cast<size_t>(cout * 3 * 2 * (cin / groups)), 2, -127, 127);
  const auto bias = random_s32(cout, 3, -1000, 1000);
  const auto mult = multipliers(cout, 4);
  const std::vector<int8_t> shift(cout, -9);
  const int32_t wt = m.constant("w", {cout, 3, 2, cin / groups}, DType::INT8, w);
  const int32_t bt = m.constant("b", {cout}, DType::INT32, bias);
  // stride 2x1, dilation 1x2, pads t1 l0 b1 r2: out_h = (7+2-2-1)/2+1 = 4, out_w = (6+2-2-1)/1+1 = 6
  const int32_t y = m.tensor("y", {2, 4, 6, cout}, out_dtype, out_dtype == DType::INT32 ? 0 : -4);
  auto o = fb::CreateConv2DOptions(b, 2, 1, 1, 2, 1, 0, 1, 2, groups, b.CreateVector(mult),
                                   b.CreateVector(shift), -100, 120);
  m.op("conv", OperatorOptions::Conv2DOptions, o.Union(), {x, wt, bt}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(2 * 7 * 6 * cin, 5);
  const auto file = m.finish();
  const auto out = run_model(file, {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);

  ConvParams p;
  p.batch = 2; p.in_h = 7; p.in_w = 6; p.in_c = cin;
  p.out_h = 4; p.out_w = 6; p.out_c = cout;
  p.kernel_h = 3; p.kernel_w = 2; p.stride_h = 2; p.stride_w = 1;
  p.dilation_h = 1; p.dilation_w = 2; p.pad_top = 1; p.pad_left = 0; p.groups = groups;
  p.input_zero_point = 3; p.output_zero_point = out_dtype == DType::INT32 ? 0 : -4;
  p.requant.multiplier = mult.data(); p.requant.shift = shift.data(); p.requant.count = cout;
  p.act_min = -100; p.act_max = 120;
  p.output_type = static_cast<dyad::DType>(out_dtype);
  std::vector<uint8_t> expected(out[0].size());
  ref::conv2d(p, in.data(), w.data(), bias.data(), expected.data());
  EXPECT_EQ(out[0], expected);
  for (const char* isa : available_isas()) {  // optimized paths: bit-exact
    const auto out_isa = run_model(file, {bytes_of(in)}, isa);
    ASSERT_EQ(out_isa.size(), 1u) << isa;
    EXPECT_EQ(out_isa[0], expected) << isa;
  }
}

TEST(RuntimeOps, Conv2D) { conv_case(false, DType::INT8); }
TEST(RuntimeOps, DepthwiseConv2D) { conv_case(true, DType::INT8); }
TEST(RuntimeOps, Conv2DInt16Output) { conv_case(false, DType::INT16); }
TEST(RuntimeOps, Conv2DInt32Output) { conv_case(false, DType::INT32); }

TEST(RuntimeOps, TransposeConv2D) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 3, 4, 2}, DType::INT8, -2);
  const auto w = random_s8(5 * 3 * 3 * 2, 7, -127, 127);
  const auto mult = multipliers(1, 8);
  const std::vector<int8_t> shift = {-8};
  const int32_t wt = m.constant("w", {5, 3, 3, 2}, DType::INT8, w);
  // out = (in-1)*2 + 3 - pads(1+0) = 6 (H) and (4-1)*2+3-1 = 8 (W), +1 output padding on H.
  const int32_t y = m.tensor("y", {1, 7, 8, 5}, DType::INT8, 6);
  auto o = fb::CreateTransposeConv2DOptions(b, 2, 2, 1, 1, 1, 1, 0, 0, 1, b.CreateVector(mult),
                                            b.CreateVector(shift));
  m.op("deconv", OperatorOptions::TransposeConv2DOptions, o.Union(), {x, wt, -1}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(3 * 4 * 2, 9);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  ConvParams p;
  p.in_h = 3; p.in_w = 4; p.in_c = 2; p.out_h = 7; p.out_w = 8; p.out_c = 5;
  p.kernel_h = 3; p.kernel_w = 3; p.stride_h = 2; p.stride_w = 2;
  p.pad_top = 1; p.pad_left = 1;
  p.input_zero_point = -2; p.output_zero_point = 6;
  p.requant.multiplier = mult.data(); p.requant.shift = shift.data(); p.requant.count = 1;
  std::vector<uint8_t> expected(out[0].size());
  ref::transpose_conv2d(p, in.data(), w.data(), nullptr, expected.data());
  EXPECT_EQ(out[0], expected);
}

TEST(RuntimeOps, FullyConnected) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 3, 16}, DType::INT8, 7);
  const auto w = random_s8(5 * 16, 10, -127, 127);
  const auto bias = random_s32(5, 11, -500, 500);
  const auto mult = multipliers(5, 12);
  const std::vector<int8_t> shift = {-7, -8, -9, -7, -6};
  const int32_t wt = m.constant("w", {5, 16}, DType::INT8, w);
  const int32_t bt = m.constant("b", {5}, DType::INT32, bias);
  const int32_t y = m.tensor("y", {2, 3, 5}, DType::INT8, -1);
  auto o = fb::CreateFullyConnectedOptions(b, b.CreateVector(mult), b.CreateVector(shift), -50, 90);
  m.op("fc", OperatorOptions::FullyConnectedOptions, o.Union(), {x, wt, bt}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(6 * 16, 13);
  const auto file = m.finish();
  const auto out = run_model(file, {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  FullyConnectedParams p;
  p.rows = 6; p.k = 16; p.n = 5; p.input_zero_point = 7; p.output_zero_point = -1;
  p.requant.multiplier = mult.data(); p.requant.shift = shift.data(); p.requant.count = 5;
  p.act_min = -50; p.act_max = 90;
  std::vector<uint8_t> expected(out[0].size());
  ref::fully_connected(p, in.data(), w.data(), bias.data(), expected.data());
  EXPECT_EQ(out[0], expected);
  for (const char* isa : available_isas()) {
    const auto out_isa = run_model(file, {bytes_of(in)}, isa);
    ASSERT_EQ(out_isa.size(), 1u) << isa;
    EXPECT_EQ(out_isa[0], expected) << isa;
  }
}

TEST(RuntimeOps, MatMulBroadcast) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", {2, 1, 3, 4}, DType::INT8, 1);
  const int32_t bb = m.tensor("b", {3, 4, 5}, DType::INT8, -3);
  const int32_t y = m.tensor("y", {2, 3, 3, 5}, DType::INT8, 2);
  auto o = fb::CreateMatMulOptions(b, 1234567890, -10, -128, 127);
  m.op("mm", OperatorOptions::MatMulOptions, o.Union(), {a, bb}, {y});
  m.inputs({a, bb});
  m.outputs({y});
  const auto in_a = random_s8(2 * 3 * 4, 14), in_b = random_s8(3 * 4 * 5, 15);
  const auto out = run_model(m.finish(), {bytes_of(in_a), bytes_of(in_b)});
  ASSERT_EQ(out.size(), 1u);
  MatMulParams p;
  p.a_batch = make_shape({2, 1}); p.b_batch = make_shape({1, 3}); p.out_batch = make_shape({2, 3});
  p.m = 3; p.k = 4; p.n = 5; p.a_zero_point = 1; p.b_zero_point = -3; p.output_zero_point = 2;
  p.multiplier = 1234567890; p.shift = -10;
  std::vector<int8_t> expected(out[0].size());
  ref::matmul(p, in_a.data(), in_b.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

void add_sub_case(bool sub) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", {2, 3, 4}, DType::INT8, 5);
  const int32_t c = m.constant("c", {3, 1}, DType::INT8, random_s8(3, 16), -9);
  const int32_t y = m.tensor("y", {2, 3, 4}, DType::INT8, -2);
  Offset<void> opts;
  if (sub) {
    opts = fb::CreateSubOptions(b, 20, 1073741824, -1, 1500000000, -2, 1300000000, -18, -120, 100)
               .Union();
  } else {
    opts = fb::CreateAddOptions(b, 20, 1073741824, -1, 1500000000, -2, 1300000000, -18, -120, 100)
               .Union();
  }
  m.op("op", sub ? OperatorOptions::SubOptions : OperatorOptions::AddOptions, opts, {a, c}, {y});
  m.inputs({a});
  m.outputs({y});
  const auto in = random_s8(24, 17);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  AddParams p;
  p.shapes.a = make_shape({2, 3, 4}); p.shapes.b = make_shape({1, 3, 1});
  p.shapes.out = make_shape({2, 3, 4});
  p.a_zero_point = 5; p.b_zero_point = -9; p.output_zero_point = -2; p.left_shift = 20;
  p.a_multiplier = 1073741824; p.a_shift = -1; p.b_multiplier = 1500000000; p.b_shift = -2;
  p.output_multiplier = 1300000000; p.output_shift = -18; p.act_min = -120; p.act_max = 100;
  const auto cdata = random_s8(3, 16);
  std::vector<int8_t> expected(24);
  if (sub) {
    ref::sub(p, in.data(), cdata.data(), expected.data());
  } else {
    ref::add(p, in.data(), cdata.data(), expected.data());
  }
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, AddBroadcast) { add_sub_case(false); }
TEST(RuntimeOps, SubBroadcast) { add_sub_case(true); }

TEST(RuntimeOps, MulBroadcast) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", {4, 1}, DType::INT8, 1);
  const int32_t c = m.tensor("c", {3}, DType::INT8, -1);
  const int32_t y = m.tensor("y", {4, 3}, DType::INT8, 0);
  m.op("mul", OperatorOptions::MulOptions, fb::CreateMulOptions(b, 1400000000, -7).Union(),
       {a, c}, {y});
  m.inputs({a, c});
  m.outputs({y});
  const auto ia = random_s8(4, 18), ic = random_s8(3, 19);
  const auto out = run_model(m.finish(), {bytes_of(ia), bytes_of(ic)});
  ASSERT_EQ(out.size(), 1u);
  MulParams p;
  p.shapes.a = make_shape({4, 1}); p.shapes.b = make_shape({1, 3}); p.shapes.out = make_shape({4, 3});
  p.a_zero_point = 1; p.b_zero_point = -1; p.output_multiplier = 1400000000; p.output_shift = -7;
  std::vector<int8_t> expected(12);
  ref::mul(p, ia.data(), ic.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, MaxPool) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 9, 8, 3}, DType::INT8, 4);
  // (9+1+1-3)/2+1 = 5, (8+0+1-3)/2+1 = 4 (dilation 1)
  const int32_t y = m.tensor("y", {1, 5, 4, 3}, DType::INT8, 4);
  auto o = fb::CreateMaxPoolOptions(b, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, -128, 100);
  m.op("pool", OperatorOptions::MaxPoolOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(9 * 8 * 3, 20);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  PoolParams p;
  p.in_h = 9; p.in_w = 8; p.channels = 3; p.out_h = 5; p.out_w = 4;
  p.kernel_h = 3; p.kernel_w = 3; p.stride_h = 2; p.stride_w = 2; p.pad_top = 1; p.pad_left = 0;
  p.input_zero_point = 4; p.output_zero_point = 4; p.act_min = -128; p.act_max = 100;
  std::vector<int8_t> expected(out[0].size());
  ref::max_pool(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, AveragePool) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 5, 5, 2}, DType::INT8, -3);
  const int32_t y = m.tensor("y", {2, 3, 3, 2}, DType::INT8, 2);
  std::vector<int32_t> mult = {0};
  std::vector<int8_t> shift = {0};
  const auto ms = multipliers(9, 21);
  for (int i = 1; i <= 9; ++i) {
    mult.push_back(ms[static_cast<size_t>(i - 1)]);
    shift.push_back(static_cast<int8_t>(-i / 3));
  }
  // (5+1+1-3)/2+1 = 3
  auto o = fb::CreateAveragePoolOptions(b, 3, 3, 2, 2, 1, 1, 1, 1, false, b.CreateVector(mult),
                                        b.CreateVector(shift));
  m.op("pool", OperatorOptions::AveragePoolOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(100, 22);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  PoolParams p;
  p.batch = 2; p.in_h = 5; p.in_w = 5; p.channels = 2; p.out_h = 3; p.out_w = 3;
  p.kernel_h = 3; p.kernel_w = 3; p.stride_h = 2; p.stride_w = 2; p.pad_top = 1; p.pad_left = 1;
  p.input_zero_point = -3; p.output_zero_point = 2;
  p.count_multiplier = mult.data(); p.count_shift = shift.data();
  std::vector<int8_t> expected(out[0].size());
  ref::average_pool(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, Mean) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 4, 3, 5}, DType::INT8, 6);
  const int32_t y = m.tensor("y", {2, 5}, DType::INT8, -6);
  auto o = fb::CreateMeanOptions(b, b.CreateVector(std::vector<int32_t>{1, 2}), false,
                                 1431655765, -3);
  m.op("gap", OperatorOptions::MeanOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(120, 23);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  MeanParams p;
  p.in = make_shape({2, 4, 3, 5});
  p.reduce[1] = p.reduce[2] = true;
  p.input_zero_point = 6; p.output_zero_point = -6; p.multiplier = 1431655765; p.shift = -3;
  std::vector<int8_t> expected(10);
  ref::mean(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, ConcatInt16) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", {2, 3, 2}, DType::INT16);
  const std::vector<int16_t> cdata = {1, -2, 3, -4, 5, -6, 7, -8};
  const int32_t c = m.constant("c", {2, 1, 4}, DType::INT16, cdata);
  (void)c;
  const int32_t d = m.tensor("d", {2, 3, 2}, DType::INT16);
  const int32_t y = m.tensor("y", {2, 3, 4}, DType::INT16);
  m.op("cat", OperatorOptions::ConcatOptions, fb::CreateConcatOptions(b, 2).Union(), {a, d}, {y});
  m.inputs({a, d});
  m.outputs({y});
  std::vector<int16_t> ia(12), id(12);
  for (int i = 0; i < 12; ++i) {
    ia[static_cast<size_t>(i)] = static_cast<int16_t>(1000 + i);
    id[static_cast<size_t>(i)] = static_cast<int16_t>(-2000 - i);
  }
  const auto out = run_model(m.finish(), {bytes_of(ia), bytes_of(id)});
  ASSERT_EQ(out.size(), 1u);
  // Hand-derived: each row of 4 is two of a then two of d.
  std::vector<int16_t> expected;
  for (int r = 0; r < 6; ++r) {
    expected.push_back(ia[static_cast<size_t>(2 * r)]);
    expected.push_back(ia[static_cast<size_t>(2 * r + 1)]);
    expected.push_back(id[static_cast<size_t>(2 * r)]);
    expected.push_back(id[static_cast<size_t>(2 * r + 1)]);
  }
  EXPECT_EQ(values_of<int16_t>(out[0]), expected);
}

TEST(RuntimeOps, Split) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 5}, DType::INT8, 1);
  const int32_t y0 = m.tensor("y0", {2, 2}, DType::INT8, 1);
  const int32_t y1 = m.tensor("y1", {2, 3}, DType::INT8, 1);
  m.op("split", OperatorOptions::SplitOptions, fb::CreateSplitOptions(b, 1).Union(), {x}, {y0, y1});
  m.inputs({x});
  m.outputs({y1, y0});
  const std::vector<int8_t> in = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14};
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values_of<int8_t>(out[0]), (std::vector<int8_t>{2, 3, 4, 12, 13, 14}));
  EXPECT_EQ(values_of<int8_t>(out[1]), (std::vector<int8_t>{0, 1, 10, 11}));
}

TEST(RuntimeOps, SliceWithNegativeStep) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {3, 6}, DType::INT8);
  const int32_t y = m.tensor("y", {2, 3}, DType::INT8);
  auto o = fb::CreateSliceOptions(b, b.CreateVector(std::vector<int32_t>{1, 5}),
                                  b.CreateVector(std::vector<int32_t>{1, -2}));
  m.op("slice", OperatorOptions::SliceOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  std::vector<int8_t> in(18);
  for (int i = 0; i < 18; ++i) in[static_cast<size_t>(i)] = static_cast<int8_t>(i);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  // rows 1,2; cols 5,3,1
  EXPECT_EQ(values_of<int8_t>(out[0]), (std::vector<int8_t>{11, 9, 7, 17, 15, 13}));
}

TEST(RuntimeOps, Reshape) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 3, 4}, DType::INT32);
  const int32_t y = m.tensor("y", {6, 4}, DType::INT32);
  m.op("reshape", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(b).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s32(24, 24, INT32_MIN, INT32_MAX);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of<int32_t>(out[0]), in);
}

TEST(RuntimeOps, Transpose) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 3, 4}, DType::INT8);
  const int32_t y = m.tensor("y", {4, 2, 3}, DType::INT8);
  auto o = fb::CreateTransposeOptions(b, b.CreateVector(std::vector<int32_t>{2, 0, 1}));
  m.op("transpose", OperatorOptions::TransposeOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(24, 25);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  std::vector<int8_t> expected(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        expected[static_cast<size_t>((k * 2 + i) * 3 + j)] = in[static_cast<size_t>((i * 3 + j) * 4 + k)];
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, Pad) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 2}, DType::INT8, -7);
  const int32_t y = m.tensor("y", {3, 5}, DType::INT8, -7);
  auto o = fb::CreatePadOptions(b, b.CreateVector(std::vector<int32_t>{1, 2, 0, 1}), -7);
  m.op("pad", OperatorOptions::PadOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const std::vector<int8_t> in = {1, 2, 3, 4};
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of<int8_t>(out[0]),
            (std::vector<int8_t>{-7, -7, -7, -7, -7, -7, -7, 1, 2, -7, -7, -7, 3, 4, -7}));
}

void resize_case(fb::ResizeMode mode) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 3, 4, 2}, DType::INT8, 2);
  const int32_t y = m.tensor("y", {1, 6, 7, 2}, DType::INT8, 2);
  auto o = fb::CreateResizeOptions(b, mode, fb::CoordinateMode::HALF_PIXEL,
                                   fb::NearestRounding::ROUND_PREFER_CEIL, 2, 1, 0, 0);
  m.op("resize", OperatorOptions::ResizeOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(24, 26);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  ResizeParams p;
  p.in_h = 3; p.in_w = 4; p.channels = 2; p.out_h = 6; p.out_w = 7;
  p.mode = static_cast<ResizeMode>(mode);
  p.coordinate_mode = CoordinateMode::kHalfPixel;
  p.nearest_rounding = NearestRounding::kRoundPreferCeil;
  p.scale_h_num = 2; p.scale_h_den = 1;
  std::vector<int8_t> expected(out[0].size());
  ref::resize(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, ResizeNearest) { resize_case(fb::ResizeMode::NEAREST); }
TEST(RuntimeOps, ResizeBilinear) { resize_case(fb::ResizeMode::BILINEAR); }

void lut_case(DType in_dtype) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {3, 5}, in_dtype, in_dtype == DType::UINT8 ? 128 : 0);
  const int32_t y = m.tensor("y", {3, 5}, DType::INT8);
  const auto table = random_s8(256, 27);
  m.op("lut", OperatorOptions::LutOptions, fb::CreateLutOptions(b, b.CreateVector(table)).Union(),
       {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(15, 28);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  std::vector<int8_t> expected(15);
  for (size_t i = 0; i < 15; ++i) {
    const int index = in_dtype == DType::UINT8 ? static_cast<uint8_t>(in[i]) : in[i] + 128;
    expected[i] = table[static_cast<size_t>(index)];  // eq. 13, by hand
  }
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, LutInt8) { lut_case(DType::INT8); }
TEST(RuntimeOps, LutUInt8) { lut_case(DType::UINT8); }

TEST(RuntimeOps, Softmax) {
  const SmallCnn c = small_cnn_data();
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {3, 10}, DType::INT8, 5);
  const int32_t y = m.tensor("y", {3, 10}, DType::INT8, -128);
  m.op("softmax", OperatorOptions::SoftmaxOptions,
       fb::CreateSoftmaxOptions(b, b.CreateVector(c.exp_table)).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(30, 29);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  SoftmaxParams p;
  p.rows = 3; p.cols = 10; p.exp_table = c.exp_table.data(); p.input_zero_point = 5;
  std::vector<int8_t> expected(30);
  ref::softmax(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, LayerNorm) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {4, 6}, DType::INT8, 3);
  const int32_t y = m.tensor("y", {4, 6}, DType::INT8, -2);
  std::vector<int32_t> mult = multipliers(6, 30);
  mult[2] = -mult[2];  // negative gamma
  const std::vector<int8_t> shift(6, -3);
  const auto bias = random_s32(6, 31, -20, 20);
  auto o = fb::CreateLayerNormOptions(b, 4, b.CreateVector(mult), b.CreateVector(shift),
                                      b.CreateVector(bias), -128, 127);
  m.op("ln", OperatorOptions::LayerNormOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(24, 32);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  LayerNormParams p;
  p.rows = 4; p.cols = 6; p.input_zero_point = 3; p.output_zero_point = -2; p.epsilon = 4;
  p.requant.multiplier = mult.data(); p.requant.shift = shift.data(); p.requant.count = 6;
  p.bias = bias.data();
  std::vector<int8_t> expected(24);
  ref::layer_norm(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, RequantizeUInt8ToInt8) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 8}, DType::UINT8, 128);
  const int32_t y = m.tensor("y", {2, 8}, DType::INT8, 1);
  m.op("rq", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, 1610612736, 0, -128, 127).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(16, 33);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  RequantizeParams p;
  p.count = 16; p.input_type = dyad::DType::kUInt8; p.output_type = dyad::DType::kInt8;
  p.input_zero_point = 128; p.output_zero_point = 1; p.multiplier = 1610612736; p.shift = 0;
  std::vector<int8_t> expected(16);
  ref::requantize(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

TEST(RuntimeOps, RequantizeEightBitToInt16OnEveryPath) {
  // Every raw byte through int8 -> int16 and uint8 -> int16 (the W8A16 pixel
  // input and widened int8 tensors): the optimized paths' 256-entry table
  // gives the reference's values, at both clamp extremes too.
  for (const DType in_type : {DType::INT8, DType::UINT8}) {
    for (const int32_t shift : {-3, 4}) {
      ModelBuilder m;
      auto& b = m.fbb();
      const int32_t zp = in_type == DType::UINT8 ? 128 : -5;
      const int32_t x = m.tensor("x", {256}, in_type, zp);
      const int32_t y = m.tensor("y", {256}, DType::INT16, 0);
      m.op("rq", OperatorOptions::RequantizeOptions,
           fb::CreateRequantizeOptions(b, 1518500250, shift, -30000, 30000).Union(), {x}, {y});
      m.inputs({x});
      m.outputs({y});
      const auto file = m.finish();
      std::vector<uint8_t> in(256);
      for (int i = 0; i < 256; ++i) in[i] = static_cast<uint8_t>(i);
      RequantizeParams p;
      p.count = 256;
      p.input_type = in_type == DType::UINT8 ? dyad::DType::kUInt8 : dyad::DType::kInt8;
      p.output_type = dyad::DType::kInt16;
      p.input_zero_point = zp;
      p.multiplier = 1518500250;
      p.shift = shift;
      p.act_min = -30000;
      p.act_max = 30000;
      std::vector<int16_t> expected(256);
      ref::requantize(p, in.data(), expected.data());
      for (const char* isa : available_isas()) {
        const auto out = run_model(file, {in}, isa);
        ASSERT_EQ(out.size(), 1u) << isa;
        EXPECT_EQ(values_of<int16_t>(out[0]), expected) << isa << " shift " << shift;
      }
    }
  }
}

TEST(RuntimeOps, RequantizeInt32ToInt16) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {5}, DType::INT32, 0);
  const int32_t y = m.tensor("y", {5}, DType::INT16, 0);
  m.op("rq", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, 1073741824, -4, -32768, 32767).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const std::vector<int32_t> in = {0, 32, -32, 1000000, -1000000};
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  // M = 2^30 * 2^(-4-31) = 2^-5: 32 -> 1, 1e6/32 = 31250.
  EXPECT_EQ(values_of<int16_t>(out[0]), (std::vector<int16_t>{0, 1, -1, 31250, -31250}));
}

TEST(RuntimeOps, PRelu) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 2, 3}, DType::INT8, -1);
  const int32_t y = m.tensor("y", {2, 2, 3}, DType::INT8, 4);
  const std::vector<int32_t> neg = {1200000000, -1300000000, 0};
  const std::vector<int8_t> neg_shift = {-2, -1, 0};
  auto o = fb::CreatePReluOptions(b, 1500000000, 0, b.CreateVector(neg), b.CreateVector(neg_shift));
  m.op("prelu", OperatorOptions::PReluOptions, o.Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  const auto in = random_s8(12, 34);
  const auto out = run_model(m.finish(), {bytes_of(in)});
  ASSERT_EQ(out.size(), 1u);
  PReluParams p;
  p.rows = 4; p.channels = 3; p.input_zero_point = -1; p.output_zero_point = 4;
  p.positive_multiplier = 1500000000; p.positive_shift = 0;
  p.negative.multiplier = neg.data(); p.negative.shift = neg_shift.data(); p.negative.count = 3;
  std::vector<int8_t> expected(12);
  ref::prelu(p, in.data(), expected.data());
  EXPECT_EQ(values_of<int8_t>(out[0]), expected);
}

}  // namespace
}  // namespace test
}  // namespace dyad
