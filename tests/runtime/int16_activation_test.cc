// INT16 activations (zero point 0) between ops ("W8A16", docs/format.md): a
// model Requantize(int8 -> int16) -> Conv -> Add -> MaxPool -> AveragePool ->
// Resize (bilinear and nearest) -> Concat -> Conv (int16 -> int8), plus
// depthwise Conv, Mul, Sub with mixed int8/int16 operands, Mean, FC,
// TransposeConv, Pad, Slice, Transpose and Requantize (int16 -> int8) on int16
// data. Every intermediate tensor is also a graph output, so each op of the
// main chain is checked against a direct reference-kernel call on its actual
// inputs; the whole model is byte-identical on every ISA path (int16 data
// falls back to the reference kernels) and for 1, 2 and 3 threads; the
// profile names the int16 kernels; and the verifier's errors for bad int16
// use name the op and the tensor.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "kernels/reference/reference.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/test_models.h"

namespace dyad {
namespace test {
namespace {

using fb::OperatorOptions;

// Every number of the model, shared by the builder and the reference checks.
struct W8A16 {
  // Requantize x8 (int8, Z = 3) -> r16 (int16): M = 256.
  int32_t rq_m = 1 << 30, rq_shift = 9;
  // conv1: r16 [1,8,8,4] 3x3 pad 1 -> c1 [1,8,8,24] int16.
  std::vector<int8_t> w1 = random_s8(24 * 9 * 4, 11, -127, 127);
  std::vector<int32_t> b1 = random_s32(24, 12, -200000, 200000);
  std::vector<int32_t> m1 = random_s32(24, 13, 1 << 30, INT32_MAX);
  std::vector<int8_t> s1 = std::vector<int8_t>(24, -10);
  // conv2: x16 [1,8,8,4] 1x1 -> c2 [1,8,8,24] int16.
  std::vector<int8_t> w2 = random_s8(24 * 4, 14, -127, 127);
  std::vector<int32_t> m2 = random_s32(24, 15, 1 << 30, INT32_MAX);
  std::vector<int8_t> s2 = std::vector<int8_t>(24, -7);
  // add: c1 + c2 -> a1 int16, left_shift 15.
  int32_t add_m1 = 1 << 30, add_s1 = -1, add_m2 = 1610612736, add_s2 = -1;
  int32_t add_mo = 1 << 30, add_so = -13;
  // avgpool 3x3 pad 1: 1/n per count.
  std::vector<int32_t> avg_m = {0, 1 << 30, 1 << 30, 1431655765, 1 << 30, 1717986918,
                                1431655765, 1227133513, 1 << 30, 1908874354};
  std::vector<int8_t> avg_s = {0, 1, 0, -1, -1, -2, -2, -2, -2, -3};
  // conv3: k1 [1,8,8,72] 1x1 -> y [1,8,8,16] int8, Z = -3.
  std::vector<int8_t> w3 = random_s8(16 * 72, 16, -127, 127);
  std::vector<int32_t> b3 = random_s32(16, 17, -100000, 100000);
  std::vector<int32_t> m3 = random_s32(16, 18, 1 << 30, INT32_MAX);
  std::vector<int8_t> s3 = std::vector<int8_t>(16, -18);
  // depthwise 3x3 on a1 -> d1 int16; mul(d1, c2) -> mu int8 (Z = -5);
  // sub(mu, c1) -> su int16; mean(a1) -> me int16; fc(me) -> f1 int16;
  // tconv(m1) -> tc int16 -> pad -> slice -> transpose; requantize(tr) -> int8.
  std::vector<int8_t> wd = random_s8(24 * 9, 19, -127, 127);
  std::vector<int32_t> md = random_s32(24, 20, 1 << 30, INT32_MAX);
  std::vector<int8_t> sd = std::vector<int8_t>(24, -6);
  std::vector<int8_t> wf = random_s8(10 * 24, 21, -127, 127);
  std::vector<int32_t> mf = random_s32(10, 22, 1 << 30, INT32_MAX);
  std::vector<int8_t> sf = std::vector<int8_t>(10, -5);
  std::vector<int8_t> sf2 = std::vector<int8_t>(10, -19);
  std::vector<int8_t> wt = random_s8(8 * 9 * 24, 23, -127, 127);
  std::vector<int32_t> mt = random_s32(8, 24, 1 << 30, INT32_MAX);
  std::vector<int8_t> st = std::vector<int8_t>(8, -9);
};

// Output indices of the model (graph outputs, in this order).
enum Out { kR16, kC1, kC2, kA1, kM1, kP1, kU1, kU2, kK1, kY, kD1, kMu, kSu, kMe, kF1, kTr, kT8, kF2 };
constexpr size_t kNumOutputs = 18;

std::vector<uint8_t> w8a16_model(const W8A16& v) {
  using fb::DType;
  ModelBuilder m;
  auto& b = m.fbb();
  auto ints = [&](const std::vector<int32_t>& x) { return b.CreateVector(x); };
  auto bytes = [&](const std::vector<int8_t>& x) { return b.CreateVector(x); };
  const int32_t x8 = m.tensor("x8", {1, 8, 8, 4}, DType::INT8, 3);
  const int32_t x16 = m.tensor("x16", {1, 8, 8, 4}, DType::INT16, 0);
  const int32_t r16 = m.tensor("r16", {1, 8, 8, 4}, DType::INT16, 0);
  m.op("req_in", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, v.rq_m, v.rq_shift, -32768, 32767).Union(), {x8}, {r16});
  const int32_t w1 = m.constant("w1", {24, 3, 3, 4}, DType::INT8, v.w1);
  const int32_t b1 = m.constant("b1", {24}, DType::INT32, v.b1);
  const int32_t c1 = m.tensor("c1", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("conv1", OperatorOptions::Conv2DOptions,
       fb::CreateConv2DOptions(b, 1, 1, 1, 1, 1, 1, 1, 1, 1, ints(v.m1), bytes(v.s1), -32768, 32767)
           .Union(),
       {r16, w1, b1}, {c1});
  const int32_t w2 = m.constant("w2", {24, 1, 1, 4}, DType::INT8, v.w2);
  const int32_t c2 = m.tensor("c2", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("conv2", OperatorOptions::Conv2DOptions,
       fb::CreateConv2DOptions(b, 1, 1, 1, 1, 0, 0, 0, 0, 1, ints(v.m2), bytes(v.s2), -20000, 32767)
           .Union(),
       {x16, w2}, {c2});
  const int32_t a1 = m.tensor("a1", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("add", OperatorOptions::AddOptions,
       fb::CreateAddOptions(b, 15, v.add_m1, v.add_s1, v.add_m2, v.add_s2, v.add_mo, v.add_so,
                            -32768, 32767)
           .Union(),
       {c1, c2}, {a1});
  const int32_t m1 = m.tensor("m1", {1, 4, 4, 24}, DType::INT16, 0);
  m.op("maxpool", OperatorOptions::MaxPoolOptions,
       fb::CreateMaxPoolOptions(b, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, -32768, 32767).Union(), {a1},
       {m1});
  const int32_t p1 = m.tensor("p1", {1, 4, 4, 24}, DType::INT16, 0);
  m.op("avgpool", OperatorOptions::AveragePoolOptions,
       fb::CreateAveragePoolOptions(b, 3, 3, 1, 1, 1, 1, 1, 1, false, ints(v.avg_m),
                                    bytes(v.avg_s), -32768, 32767)
           .Union(),
       {m1}, {p1});
  const int32_t u1 = m.tensor("u1", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("resize_bilinear", OperatorOptions::ResizeOptions,
       fb::CreateResizeOptions(b, fb::ResizeMode::BILINEAR).Union(), {p1}, {u1});
  const int32_t u2 = m.tensor("u2", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("resize_nearest", OperatorOptions::ResizeOptions, fb::CreateResizeOptions(b).Union(), {m1},
       {u2});
  const int32_t k1 = m.tensor("k1", {1, 8, 8, 72}, DType::INT16, 0);
  m.op("concat", OperatorOptions::ConcatOptions, fb::CreateConcatOptions(b, 3).Union(),
       {u1, u2, a1}, {k1});
  const int32_t w3 = m.constant("w3", {16, 1, 1, 72}, DType::INT8, v.w3);
  const int32_t b3 = m.constant("b3", {16}, DType::INT32, v.b3);
  const int32_t y = m.tensor("y", {1, 8, 8, 16}, DType::INT8, -3);
  m.op("conv3", OperatorOptions::Conv2DOptions,
       fb::CreateConv2DOptions(b, 1, 1, 1, 1, 0, 0, 0, 0, 1, ints(v.m3), bytes(v.s3), -128, 127)
           .Union(),
       {k1, w3, b3}, {y});
  // Side branches.
  const int32_t wd = m.constant("wd", {24, 3, 3, 1}, DType::INT8, v.wd);
  const int32_t d1 = m.tensor("d1", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("dwconv", OperatorOptions::Conv2DOptions,
       fb::CreateConv2DOptions(b, 1, 1, 1, 1, 1, 1, 1, 1, 24, ints(v.md), bytes(v.sd), -32768,
                               32767)
           .Union(),
       {a1, wd}, {d1});
  const int32_t mu = m.tensor("mu", {1, 8, 8, 24}, DType::INT8, -5);
  m.op("mul", OperatorOptions::MulOptions, fb::CreateMulOptions(b, 1 << 30, -21, -128, 127).Union(),
       {d1, c2}, {mu});
  const int32_t su = m.tensor("su", {1, 8, 8, 24}, DType::INT16, 0);
  m.op("sub", OperatorOptions::SubOptions,
       fb::CreateSubOptions(b, 12, 1 << 30, -1, 1 << 30, -1, 1 << 30, -10, -32768, 32767).Union(),
       {mu, c1}, {su});
  const int32_t me = m.tensor("me", {1, 1, 1, 24}, DType::INT16, 0);
  m.op("mean", OperatorOptions::MeanOptions,
       fb::CreateMeanOptions(b, ints({1, 2}), true, 1 << 30, -5).Union(), {a1}, {me});
  const int32_t wf = m.constant("wf", {10, 24}, DType::INT8, v.wf);
  const int32_t f1 = m.tensor("f1", {1, 1, 1, 10}, DType::INT16, 0);
  m.op("fc", OperatorOptions::FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(b, ints(v.mf), bytes(v.sf), -32768, 32767).Union(),
       {me, wf}, {f1});
  const int32_t wt = m.constant("wt", {8, 3, 3, 24}, DType::INT8, v.wt);
  const int32_t tc = m.tensor("tc", {1, 8, 8, 8}, DType::INT16, 0);
  m.op("tconv", OperatorOptions::TransposeConv2DOptions,
       fb::CreateTransposeConv2DOptions(b, 2, 2, 1, 1, 1, 1, 1, 1, 1, ints(v.mt), bytes(v.st),
                                        -32768, 32767)
           .Union(),
       {m1, wt}, {tc});
  const int32_t pd = m.tensor("pd", {1, 10, 9, 8}, DType::INT16, 0);
  m.op("pad", OperatorOptions::PadOptions,
       fb::CreatePadOptions(b, ints({0, 1, 0, 0, 0, 1, 1, 0}), 0).Union(), {tc}, {pd});
  const int32_t sl = m.tensor("sl", {1, 5, 9, 8}, DType::INT16, 0);
  m.op("slice", OperatorOptions::SliceOptions,
       fb::CreateSliceOptions(b, ints({0, 1, 0, 0}), ints({1, 2, 1, 1})).Union(), {pd}, {sl});
  const int32_t tr = m.tensor("tr", {1, 9, 5, 8}, DType::INT16, 0);
  m.op("transpose", OperatorOptions::TransposeOptions,
       fb::CreateTransposeOptions(b, ints({0, 2, 1, 3})).Union(), {sl}, {tr});
  const int32_t t8 = m.tensor("t8", {1, 9, 5, 8}, DType::INT8, 2);
  m.op("req_out", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, 1 << 30, -7, -128, 127).Union(), {tr}, {t8});
  // FC over the 64 pixels of a1 (rows split across threads), int8 output.
  const int32_t f2 = m.tensor("f2", {1, 8, 8, 10}, DType::INT8, 1);
  m.op("fc_rows", OperatorOptions::FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(b, ints(v.mf), bytes(v.sf2), -128, 127).Union(),
       {a1, wf}, {f2});
  m.inputs({x8, x16});
  m.outputs({r16, c1, c2, a1, m1, p1, u1, u2, k1, y, d1, mu, su, me, f1, tr, t8, f2});
  return m.finish();
}

struct Result {
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<std::string> kernels;
};

Result run(dyad_model* model, const char* isa, int threads, bool split_everything,
           const std::vector<int8_t>& x8, const std::vector<int16_t>& x16) {
  Result r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  for (size_t i = 0; i < dyad_session_num_ops(s.get()); ++i) {
    dyad_op_profile p;
    EXPECT_EQ(dyad_session_op_profile(s.get(), i, &p), DYAD_OK);
    r.kernels.push_back(std::string(p.name) + "=" + p.kernel);
  }
  const std::vector<uint8_t> in[2] = {bytes_of(x8), bytes_of(x16)};
  for (size_t i = 0; i < 2; ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(s.get(), i, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, in[i].size());
    if (v.size_bytes != in[i].size()) return r;
    std::memcpy(v.data, in[i].data(), in[i].size());
  }
  EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
  for (size_t i = 0; i < dyad_model_num_outputs(model); ++i) {
    dyad_tensor_view out;
    EXPECT_EQ(dyad_session_output(s.get(), i, &out), DYAD_OK);
    const auto* p = static_cast<const uint8_t*>(out.data);
    r.outputs.emplace_back(p, p + out.size_bytes);
  }
  return r;
}

std::vector<int16_t> random_s16(size_t n, uint32_t seed) {
  const std::vector<int32_t> v = random_s32(n, seed, -32768, 32767);
  std::vector<int16_t> r(v.begin(), v.end());
  for (size_t i = 0; i < r.size(); i += 17) r[i] = i % 2 ? 32767 : -32768;  // extremes
  return r;
}

ConvParams conv_params(int32_t h, int32_t w, int32_t cin, int32_t cout, int32_t k, int32_t pad,
                       int32_t groups, const std::vector<int32_t>& m,
                       const std::vector<int8_t>& s, int32_t lo, int32_t hi, DType out) {
  ConvParams p;
  p.in_h = p.out_h = h;
  p.in_w = p.out_w = w;
  p.in_c = cin;
  p.out_c = cout;
  p.kernel_h = p.kernel_w = k;
  p.pad_top = p.pad_left = pad;
  p.groups = groups;
  p.input_type = DType::kInt16;
  p.output_type = out;
  p.requant = ChannelRequant{m.data(), s.data(), static_cast<int32_t>(m.size())};
  p.act_min = lo;
  p.act_max = hi;
  return p;
}

class W8A16Test : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = w8a16_model(v_);
    loaded_ = load(file_);
    ASSERT_EQ(loaded_.status, DYAD_OK) << loaded_.message;
  }
  W8A16 v_;
  std::vector<uint8_t> file_;
  Loaded loaded_;
  std::vector<int8_t> x8_ = random_s8(8 * 8 * 4, 31);
  std::vector<int16_t> x16_ = random_s16(8 * 8 * 4, 32);
};

TEST_F(W8A16Test, EachOpMatchesTheReferenceKernel) {
  const Result r = run(loaded_.model.get(), "reference", 1, false, x8_, x16_);
  ASSERT_EQ(r.outputs.size(), kNumOutputs);
  auto i16 = [&](Out o) { return values_of<int16_t>(r.outputs[o]); };

  // Requantize int8 -> int16.
  RequantizeParams rq;
  rq.count = 8 * 8 * 4;
  rq.input_type = DType::kInt8;
  rq.output_type = DType::kInt16;
  rq.input_zero_point = 3;
  rq.multiplier = v_.rq_m;
  rq.shift = v_.rq_shift;
  rq.act_min = -32768;
  rq.act_max = 32767;
  std::vector<int16_t> want(8 * 8 * 4);
  ref::requantize(rq, x8_.data(), want.data());
  EXPECT_EQ(i16(kR16), want);

  // conv1 (3x3, bias) and conv2 (1x1, no bias, narrow clamp).
  const ConvParams p1 = conv_params(8, 8, 4, 24, 3, 1, 1, v_.m1, v_.s1, -32768, 32767, DType::kInt16);
  std::vector<int16_t> c1(8 * 8 * 24), c2(8 * 8 * 24);
  ref::conv2d(p1, i16(kR16).data(), v_.w1.data(), v_.b1.data(), c1.data());
  EXPECT_EQ(i16(kC1), c1);
  const ConvParams p2 = conv_params(8, 8, 4, 24, 1, 0, 1, v_.m2, v_.s2, -20000, 32767, DType::kInt16);
  ref::conv2d(p2, x16_.data(), v_.w2.data(), nullptr, c2.data());
  EXPECT_EQ(i16(kC2), c2);

  // add (int16 + int16 -> int16, left_shift 15).
  AddParams ap;
  ap.shapes.a = ap.shapes.b = ap.shapes.out = make_shape({1, 8, 8, 24});
  ap.a_type = ap.b_type = ap.output_type = DType::kInt16;
  ap.left_shift = 15;
  ap.a_multiplier = v_.add_m1;
  ap.a_shift = v_.add_s1;
  ap.b_multiplier = v_.add_m2;
  ap.b_shift = v_.add_s2;
  ap.output_multiplier = v_.add_mo;
  ap.output_shift = v_.add_so;
  ap.act_min = -32768;
  ap.act_max = 32767;
  std::vector<int16_t> a1(8 * 8 * 24);
  ref::add(ap, c1.data(), c2.data(), a1.data());
  EXPECT_EQ(i16(kA1), a1);

  // maxpool 2x2/2, avgpool 3x3 pad 1.
  PoolParams mp;
  mp.in_h = mp.in_w = 8;
  mp.channels = 24;
  mp.out_h = mp.out_w = 4;
  mp.kernel_h = mp.kernel_w = mp.stride_h = mp.stride_w = 2;
  mp.type = DType::kInt16;
  mp.act_min = -32768;
  mp.act_max = 32767;
  std::vector<int16_t> m1(4 * 4 * 24), p1v(4 * 4 * 24);
  ref::max_pool(mp, a1.data(), m1.data());
  EXPECT_EQ(i16(kM1), m1);
  PoolParams ag = mp;
  ag.in_h = ag.in_w = 4;
  ag.kernel_h = ag.kernel_w = 3;
  ag.stride_h = ag.stride_w = 1;
  ag.pad_top = ag.pad_left = 1;
  ag.count_multiplier = v_.avg_m.data();
  ag.count_shift = v_.avg_s.data();
  ref::average_pool(ag, m1.data(), p1v.data());
  EXPECT_EQ(i16(kP1), p1v);

  // resize bilinear (p1) and nearest (m1), 4x4 -> 8x8.
  ResizeParams rp;
  rp.in_h = rp.in_w = 4;
  rp.out_h = rp.out_w = 8;
  rp.channels = 24;
  rp.type = DType::kInt16;
  rp.mode = ResizeMode::kBilinear;
  std::vector<int16_t> u1(8 * 8 * 24), u2(8 * 8 * 24);
  ref::resize(rp, p1v.data(), u1.data());
  EXPECT_EQ(i16(kU1), u1);
  rp.mode = ResizeMode::kNearest;
  ref::resize(rp, m1.data(), u2.data());
  EXPECT_EQ(i16(kU2), u2);

  // concat along C, then conv3 (int16 -> int8).
  ConcatParams cp;
  cp.axis = 3;
  cp.num_inputs = 3;
  cp.out = make_shape({1, 8, 8, 72});
  const void* parts[3] = {u1.data(), u2.data(), a1.data()};
  const Shape part_shapes[3] = {make_shape({1, 8, 8, 24}), make_shape({1, 8, 8, 24}),
                                make_shape({1, 8, 8, 24})};
  std::vector<int16_t> k1(8 * 8 * 72);
  ref::concat(cp, parts, part_shapes, sizeof(int16_t), k1.data());
  EXPECT_EQ(i16(kK1), k1);
  ConvParams p3 = conv_params(8, 8, 72, 16, 1, 0, 1, v_.m3, v_.s3, -128, 127, DType::kInt8);
  p3.output_zero_point = -3;
  std::vector<int8_t> y(8 * 8 * 16);
  ref::conv2d(p3, k1.data(), v_.w3.data(), v_.b3.data(), y.data());
  EXPECT_EQ(r.outputs[kY], bytes_of(y));

  // fc_rows: int16 a1 rows -> int8.
  FullyConnectedParams fp;
  fp.rows = 64;
  fp.k = 24;
  fp.n = 10;
  fp.input_type = DType::kInt16;
  fp.output_zero_point = 1;
  fp.requant = ChannelRequant{v_.mf.data(), v_.sf2.data(), 10};
  std::vector<int8_t> f2(64 * 10);
  ref::fully_connected(fp, a1.data(), v_.wf.data(), nullptr, f2.data());
  EXPECT_EQ(r.outputs[kF2], bytes_of(f2));
  int f2_interior = 0;
  for (int8_t x : f2) f2_interior += x > -128 && x < 127;
  EXPECT_GT(f2_interior, 64 * 10 / 2);

  // Not degenerate: the int16 tensors use their range, the int8 output spreads.
  int wide = 0;
  for (int16_t x : a1) wide += x < -128 || x > 127;
  EXPECT_GT(wide, static_cast<int>(a1.size()) / 2);
  int interior = 0;
  for (int8_t x : y) interior += x > -128 && x < 127;
  EXPECT_GT(interior, static_cast<int>(y.size()) / 2);
}

TEST_F(W8A16Test, IdenticalOnEveryIsaAndThreadCount) {
  const Result golden = run(loaded_.model.get(), "reference", 1, false, x8_, x16_);
  ASSERT_EQ(golden.outputs.size(), kNumOutputs);
  for (const char* isa : available_isas()) {
    for (int threads = 1; threads <= 3; ++threads) {
      for (bool split_everything : {false, true}) {
        const Result r = run(loaded_.model.get(), isa, threads, split_everything, x8_, x16_);
        ASSERT_EQ(r.outputs.size(), golden.outputs.size());
        for (size_t i = 0; i < r.outputs.size(); ++i) {
          EXPECT_EQ(r.outputs[i], golden.outputs[i])
              << "isa " << isa << " threads " << threads << " split everything "
              << split_everything << " output " << i;
        }
      }
    }
  }
}

TEST_F(W8A16Test, Int16OpsReportInt16Kernels) {
  // The reference path reports these names; every other path the same op
  // with a qs16_ / s16_ / x16_ kernel (the reference one, or an optimized
  // int16 kernel where the path has one).
  const std::vector<std::string> expected = {
      "conv1=qs16_conv2d_i16out__reference",
      "conv2=qs16_conv2d_i16out__reference",
      "add=qs16_add__reference",
      "maxpool=s16_max_pool__reference",
      "avgpool=qs16_average_pool__reference",
      "resize_bilinear=qs16_resize_bilinear__reference",
      "resize_nearest=s16_resize_nearest__reference",
      "concat=x16_concat__reference",
      "conv3=qs16_conv2d__reference",
      "dwconv=qs16_dwconv2d_i16out__reference",
      "mul=qs16_mul__reference",
      "sub=qs16_sub__reference",
      "mean=qs16_mean__reference",
      "fc=qs16_fully_connected_i16out__reference",
      "fc_rows=qs16_fully_connected__reference",
      "tconv=qs16_transpose_conv2d_i16out__reference",
      "pad=x16_pad__reference",
      "slice=x16_slice__reference",
      "transpose=x16_transpose__reference",
  };
  for (const char* isa : available_isas()) {
    const bool reference = std::string(isa) == "reference";
    const Result r = run(loaded_.model.get(), isa, 1, false, x8_, x16_);
    for (const std::string& e : expected) {
      // "op=prefix_": the op name and the kernel's element-type prefix.
      const std::string head = e.substr(0, e.find('_', e.find('=')) + 1);
      bool found = false;
      for (const std::string& k : r.kernels) found = found || (reference ? k == e : k.rfind(head, 0) == 0);
      EXPECT_TRUE(found) << "isa " << isa << ": no op reports " << (reference ? e : head + "...");
    }
  }
}

// ---- Verification errors name the op and the tensor.

void expect_load_error(const std::vector<uint8_t>& file, const std::string& substring) {
  Loaded l = load(file);
  EXPECT_EQ(l.status, DYAD_ERROR_INVALID_MODEL) << l.message;
  EXPECT_NE(l.message.find(substring), std::string::npos)
      << "message '" << l.message << "' lacks '" << substring << "'";
}

TEST(W8A16Errors, Int16InputWithNonzeroZeroPoint) {
  using fb::DType;
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("act16", {1, 4, 4, 2}, DType::INT16, 5);
  const int32_t w = m.constant("w", {3, 1, 1, 2}, DType::INT8, random_s8(6, 1, -127, 127));
  const int32_t y = m.tensor("y", {1, 4, 4, 3}, DType::INT8, 0);
  m.op("conv_zp", OperatorOptions::Conv2DOptions,
       fb::CreateConv2DOptions(b, 1, 1, 1, 1, 0, 0, 0, 0, 1,
                               b.CreateVector(std::vector<int32_t>{1 << 30}),
                               b.CreateVector(std::vector<int8_t>{-10}))
           .Union(),
       {x, w}, {y});
  m.inputs({x});
  m.outputs({y});
  expect_load_error(m.finish(),
                    "op 0 'conv_zp' (Conv2D): input 0 (tensor 0 'act16'): INT16 tensor with "
                    "zero_point 5; INT16 activations must have zero_point 0");
}

TEST(W8A16Errors, AddLeftShiftTooLargeForInt16) {
  using fb::DType;
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a8", {1, 4}, DType::INT8, 0);
  const int32_t c = m.tensor("c16", {1, 4}, DType::INT16, 0);
  const int32_t y = m.tensor("y", {1, 4}, DType::INT16, 0);
  m.op("add_ls", OperatorOptions::AddOptions,
       fb::CreateAddOptions(b, 20, 1 << 30, -1, 1 << 30, -1, 1 << 30, -10, -32768, 32767).Union(),
       {a, c}, {y});
  m.inputs({a, c});
  m.outputs({y});
  expect_load_error(m.finish(),
                    "op 0 'add_ls' (Add): left_shift 20 outside [0, 15] (the maximum with an "
                    "INT16 input, input 1 (tensor 1 'c16'))");
}

TEST(W8A16Errors, Int16LutNeedsInt16OutputAnd513Samples) {
  using fb::DType;
  {  // int16 input, int8 output: no implicit requantization.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("act16", {1, 4}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {1, 4}, DType::INT8, 0);
    m.op("lut16", OperatorOptions::LutOptions,
         fb::CreateLutOptions(b, 0, b.CreateVector(std::vector<int16_t>(513, 1))).Union(), {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "op 0 'lut16' (Lut): output 0 (tensor 1 'y'): dtype INT8, expected INT16");
  }
  {  // the int8 table only: eq. 13b needs table16.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("act16", {1, 4}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {1, 4}, DType::INT16, 0);
    m.op("lut16", OperatorOptions::LutOptions,
         fb::CreateLutOptions(b, b.CreateVector(std::vector<int8_t>(256, 1))).Union(), {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "op 0 'lut16' (Lut): table16: length 0, expected 513 (int16 input)");
  }
  {  // 512 samples.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("act16", {1, 4}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {1, 4}, DType::INT16, 0);
    m.op("lut16", OperatorOptions::LutOptions,
         fb::CreateLutOptions(b, 0, b.CreateVector(std::vector<int16_t>(512, 1))).Union(), {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "table16: length 512, expected 513");
  }
}

TEST(W8A16Errors, MixedDtypesAndInt16Limits) {
  using fb::DType;
  {  // MaxPool int16 -> int8: no implicit requantization.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("p16", {1, 4, 4, 2}, DType::INT16, 0);
    const int32_t y = m.tensor("p8", {1, 2, 2, 2}, DType::INT8, 0);
    m.op("mp", OperatorOptions::MaxPoolOptions, fb::CreateMaxPoolOptions(b, 2, 2, 2, 2).Union(),
         {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "op 0 'mp' (MaxPool): output 0 (tensor 1 'p8'): dtype INT8, "
                                  "expected INT16");
  }
  {  // AveragePool over more than 2^16 int16 positions.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("big16", {1, 300, 300, 1}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {1, 1, 1, 1}, DType::INT16, 0);
    std::vector<int32_t> mult(90001, 1 << 30);
    std::vector<int8_t> sh(90001, -16);
    m.op("gap", OperatorOptions::AveragePoolOptions,
         fb::CreateAveragePoolOptions(b, 300, 300, 1, 1, 0, 0, 0, 0, false, b.CreateVector(mult),
                                      b.CreateVector(sh), -32768, 32767)
             .Union(),
         {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "op 0 'gap' (AveragePool): kernel_h*kernel_w = 90000");
  }
  {  // Mean over more than 2^16 int16 elements; act bounds outside int8 for an int8 output.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("big16", {1, 300, 300, 1}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {1, 1, 1, 1}, DType::INT16, 0);
    m.op("mean", OperatorOptions::MeanOptions,
         fb::CreateMeanOptions(b, b.CreateVector(std::vector<int32_t>{1, 2}), true, 1 << 30, -16)
             .Union(),
         {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_load_error(m.finish(), "op 0 'mean' (Mean): 90000 reduced elements");
  }
  {  // Mul int16 x int16 -> int8 with act bounds of int16.
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t a = m.tensor("a", {4}, DType::INT16, 0);
    const int32_t c = m.tensor("c", {4}, DType::INT16, 0);
    const int32_t y = m.tensor("y", {4}, DType::INT8, 0);
    m.op("mul", OperatorOptions::MulOptions,
         fb::CreateMulOptions(b, 1 << 30, -20, -32768, 32767).Union(), {a, c}, {y});
    m.inputs({a, c});
    m.outputs({y});
    expect_load_error(m.finish(), "act_min/act_max [-32768, 32767] outside the INT8 output range");
  }
  // Softmax: int8 -> int8 or int16 -> int16 (eq. 14b: Z = 0, 512 entries).
  auto softmax_model = [](DType out_type, int32_t in_zero_point, int32_t out_zero_point,
                          size_t entries) {
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("s16", {1, 4}, DType::INT16, in_zero_point);
    const int32_t y = m.tensor("y", {1, 4}, out_type, out_zero_point);
    std::vector<int32_t> table(entries, 1 << 23);
    m.op("sm", OperatorOptions::SoftmaxOptions,
         fb::CreateSoftmaxOptions(b, b.CreateVector(table)).Union(), {x}, {y});
    m.inputs({x});
    m.outputs({y});
    return m.finish();
  };
  expect_load_error(softmax_model(DType::INT8, 0, -128, 512),
                    "op 0 'sm' (Softmax): output 0 (tensor 1 'y'): dtype INT8, expected INT16");
  expect_load_error(softmax_model(DType::INT16, 0, 0, 256),
                    "exp_table: length 256, expected 512 for an int16 input");
  expect_load_error(softmax_model(DType::INT16, 3, 0, 512),
                    "an int16 softmax input must have zero_point 0");
  expect_load_error(softmax_model(DType::INT16, 0, -128, 512),
                    "softmax output must have zero_point 0 (scale 1/32768)");
}

}  // namespace
}  // namespace test
}  // namespace dyad
