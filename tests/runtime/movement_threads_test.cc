// Concat, Split, Pad, Slice, Transpose, Reshape, Softmax, LayerNorm, PRelu and
// MatMul through a session: at 1, 2 and 3 threads (default split and every op
// split into as many parts as threads) and on every available ISA path, every
// output's bytes equal the reference path's at 1 thread.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/small_cnn.h"

namespace dyad {
namespace test {
namespace {

using fb::DType;
using fb::OperatorOptions;

using Bytes = std::vector<uint8_t>;

std::vector<Bytes> run_once(dyad_model* model, const char* isa, int threads,
                            bool split_everything, const std::vector<Bytes>& inputs) {
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return {};
  for (size_t i = 0; i < inputs.size(); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(s.get(), i, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, inputs[i].size()) << "input " << i;
    if (v.size_bytes != inputs[i].size()) return {};
    std::memcpy(v.data, inputs[i].data(), v.size_bytes);
  }
  // Outputs start as garbage that differs per run, so a byte no part writes shows.
  for (size_t i = 0; i < dyad_model_num_outputs(model); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_output(s.get(), i, &v), DYAD_OK);
    std::memset(v.data, 0x11 * (threads + (split_everything ? 4 : 0)), v.size_bytes);
  }
  EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
  std::vector<Bytes> outputs;
  for (size_t i = 0; i < dyad_model_num_outputs(model); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_output(s.get(), i, &v), DYAD_OK);
    const auto* p = static_cast<const uint8_t*>(v.data);
    outputs.emplace_back(p, p + v.size_bytes);
  }
  return outputs;
}

void expect_same_everywhere(const Bytes& file, const std::vector<Bytes>& inputs,
                            const std::string& what) {
  Loaded l = load(file);
  ASSERT_EQ(l.status, DYAD_OK) << what << ": " << l.message;
  const std::vector<Bytes> golden = run_once(l.model.get(), "reference", 1, false, inputs);
  ASSERT_FALSE(golden.empty()) << what;
  for (const Bytes& out : golden) {
    bool varied = false;
    for (uint8_t b : out) varied |= b != out[0];
    EXPECT_TRUE(varied) << what << ": constant output tests little";
  }
  for (const char* isa : available_isas()) {
    for (int threads = 1; threads <= 3; ++threads) {
      for (bool split : {false, true}) {
        EXPECT_EQ(run_once(l.model.get(), isa, threads, split, inputs), golden)
            << what << " isa " << isa << " threads " << threads << " split everything " << split;
      }
    }
  }
}

int64_t count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

size_t dtype_bytes(DType t) {
  return t == DType::INT16 ? 2 : t == DType::INT32 ? 4 : 1;
}

Bytes random_bytes(const std::vector<int32_t>& shape, DType t, uint32_t seed) {
  const auto v = random_s8(static_cast<size_t>(count(shape)) * dtype_bytes(t), seed);
  return Bytes(reinterpret_cast<const uint8_t*>(v.data()),
               reinterpret_cast<const uint8_t*>(v.data()) + v.size());
}

void concat_case(const std::vector<std::vector<int32_t>>& parts, int axis, DType t) {
  ModelBuilder m;
  auto& b = m.fbb();
  std::vector<int32_t> ins;
  std::vector<Bytes> data;
  std::vector<int32_t> out_shape = parts[0];
  out_shape[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    ins.push_back(m.tensor("x" + std::to_string(i), parts[i], t, 3));
    data.push_back(random_bytes(parts[i], t, static_cast<uint32_t>(40 + i)));
    out_shape[static_cast<size_t>(axis)] += parts[i][static_cast<size_t>(axis)];
  }
  const int32_t y = m.tensor("y", out_shape, t, 3);
  m.op("cat", OperatorOptions::ConcatOptions, fb::CreateConcatOptions(b, axis).Union(), ins, {y});
  m.inputs(ins);
  m.outputs({y});
  expect_same_everywhere(m.finish(), data, "concat axis " + std::to_string(axis));
}

TEST(MovementThreads, Concat) {
  concat_case({{1, 64, 64, 24}, {1, 64, 64, 4}}, 3, DType::INT8);  // BlazeFace Concat_8
  concat_case({{1, 512, 16}, {1, 384, 16}}, 1, DType::INT16);       // one outer row
  concat_case({{2, 3, 40, 7}, {2, 5, 40, 7}, {2, 1, 40, 7}}, 1, DType::INT32);
  concat_case({{3, 5}, {4, 5}}, 0, DType::INT8);                     // tiny
}

void split_case(const std::vector<int32_t>& in_shape, int axis, const std::vector<int32_t>& sizes,
                DType t) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", in_shape, t, -5);
  std::vector<int32_t> outs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int32_t> s = in_shape;
    s[static_cast<size_t>(axis)] = sizes[i];
    outs.push_back(m.tensor("y" + std::to_string(i), s, t, -5));
  }
  m.op("split", OperatorOptions::SplitOptions, fb::CreateSplitOptions(b, axis).Union(), {x}, outs);
  m.inputs({x});
  m.outputs(outs);
  expect_same_everywhere(m.finish(), {random_bytes(in_shape, t, 50)},
                         "split axis " + std::to_string(axis));
}

TEST(MovementThreads, Split) {
  split_case({1, 48, 48, 32}, 3, {16, 16}, DType::INT8);
  split_case({2, 30, 20, 6}, 1, {7, 20, 3}, DType::INT16);
  split_case({9, 4}, 0, {2, 7}, DType::INT8);
}

void pad_case(const std::vector<int32_t>& in_shape, const std::vector<int32_t>& pads, DType t,
              int32_t value) {
  ModelBuilder m;
  auto& b = m.fbb();
  std::vector<int32_t> out_shape = in_shape;
  for (size_t d = 0; d < in_shape.size(); ++d) out_shape[d] += pads[d] + pads[d + in_shape.size()];
  const int32_t x = m.tensor("x", in_shape, t, 0);
  const int32_t y = m.tensor("y", out_shape, t, 0);
  m.op("pad", OperatorOptions::PadOptions, fb::CreatePadOptions(b, b.CreateVector(pads), value).Union(),
       {x}, {y});
  m.inputs({x});
  m.outputs({y});
  expect_same_everywhere(m.finish(), {random_bytes(in_shape, t, 60)}, "pad");
}

TEST(MovementThreads, Pad) {
  pad_case({1, 64, 64, 24}, {0, 1, 1, 0, 0, 2, 2, 0}, DType::INT8, -128);  // H, W
  pad_case({1, 32, 32, 28}, {0, 0, 0, 0, 0, 0, 0, 4}, DType::INT8, 5);     // channels
  pad_case({2, 20, 30, 3}, {1, 2, 0, 1, 0, 1, 3, 2}, DType::INT16, -300);  // every axis
}

void slice_case(const std::vector<int32_t>& in_shape, const std::vector<int32_t>& begin,
                const std::vector<int32_t>& step, const std::vector<int32_t>& out_shape, DType t) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", in_shape, t, 1);
  const int32_t y = m.tensor("y", out_shape, t, 1);
  m.op("slice", OperatorOptions::SliceOptions,
       fb::CreateSliceOptions(b, b.CreateVector(begin), b.CreateVector(step)).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  expect_same_everywhere(m.finish(), {random_bytes(in_shape, t, 70)}, "slice");
}

TEST(MovementThreads, Slice) {
  slice_case({1, 64, 64, 32}, {0, 1, 0, 4}, {1, 1, 1, 1}, {1, 63, 64, 20}, DType::INT8);
  slice_case({1, 64, 64, 32}, {0, 63, 1, 31}, {1, -2, 2, -3}, {1, 32, 32, 11}, DType::INT8);
  slice_case({4, 50, 60}, {1, 0, 10}, {1, 1, 1}, {3, 50, 40}, DType::INT32);
}

void transpose_case(const std::vector<int32_t>& in_shape, const std::vector<int32_t>& perm,
                    DType t) {
  ModelBuilder m;
  auto& b = m.fbb();
  std::vector<int32_t> out_shape;
  for (int32_t p : perm) out_shape.push_back(in_shape[static_cast<size_t>(p)]);
  const int32_t x = m.tensor("x", in_shape, t, 2);
  const int32_t y = m.tensor("y", out_shape, t, 2);
  m.op("transpose", OperatorOptions::TransposeOptions,
       fb::CreateTransposeOptions(b, b.CreateVector(perm)).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  expect_same_everywhere(m.finish(), {random_bytes(in_shape, t, 80)}, "transpose");
}

TEST(MovementThreads, Transpose) {
  transpose_case({1, 24, 48, 48}, {0, 2, 3, 1}, DType::INT8);   // NCHW -> NHWC
  transpose_case({2, 30, 40, 6}, {1, 0, 2, 3}, DType::INT16);   // last axis kept
  transpose_case({3, 7, 5}, {2, 0, 1}, DType::INT32);
}

void reshape_case(const std::vector<int32_t>& in_shape, const std::vector<int32_t>& out_shape,
                  DType t) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", in_shape, t, 0);
  const int32_t y = m.tensor("y", out_shape, t, 0);
  m.op("reshape", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(b).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  expect_same_everywhere(m.finish(), {random_bytes(in_shape, t, 90)}, "reshape");
}

TEST(MovementThreads, Reshape) {
  reshape_case({1, 128, 128, 24}, {1, 16384, 24}, DType::INT8);
  reshape_case({1, 16, 16, 6}, {1, 512, 3}, DType::INT16);
  reshape_case({3, 5}, {15}, DType::INT32);
}

TEST(MovementThreads, Softmax) {
  const SmallCnn c = small_cnn_data();
  for (const auto& shape : {std::vector<int32_t>{256, 100}, std::vector<int32_t>{2, 3, 7}}) {
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("x", shape, DType::INT8, 5);
    const int32_t y = m.tensor("y", shape, DType::INT8, -128);
    m.op("softmax", OperatorOptions::SoftmaxOptions,
         fb::CreateSoftmaxOptions(b, b.CreateVector(c.exp_table)).Union(), {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_same_everywhere(m.finish(), {random_bytes(shape, DType::INT8, 100)}, "softmax");
  }
}

TEST(MovementThreads, LayerNorm) {
  for (const auto& shape : {std::vector<int32_t>{1, 196, 96}, std::vector<int32_t>{5, 8}}) {
    const int32_t ch = shape.back();
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("x", shape, DType::INT8, 3);
    const int32_t y = m.tensor("y", shape, DType::INT8, -2);
    std::vector<int32_t> mult = random_s32(static_cast<size_t>(ch), 110, 1 << 30, INT32_MAX);
    mult[1] = -mult[1];  // negative gamma
    const std::vector<int8_t> shift(static_cast<size_t>(ch), -5);
    const auto bias = random_s32(static_cast<size_t>(ch), 111, -20, 20);
    m.op("ln", OperatorOptions::LayerNormOptions,
         fb::CreateLayerNormOptions(b, 4, b.CreateVector(mult), b.CreateVector(shift),
                                    b.CreateVector(bias), -128, 127)
             .Union(),
         {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_same_everywhere(m.finish(), {random_bytes(shape, DType::INT8, 112)}, "layer norm");
  }
}

TEST(MovementThreads, PRelu) {
  for (const auto& shape : {std::vector<int32_t>{1, 48, 48, 24}, std::vector<int32_t>{3, 5}}) {
    const int32_t ch = shape.back();
    ModelBuilder m;
    auto& b = m.fbb();
    const int32_t x = m.tensor("x", shape, DType::INT8, -1);
    const int32_t y = m.tensor("y", shape, DType::INT8, 4);
    std::vector<int32_t> neg = random_s32(static_cast<size_t>(ch), 120, 1 << 30, INT32_MAX);
    neg[0] = -neg[0];
    const std::vector<int8_t> neg_shift(static_cast<size_t>(ch), -2);
    m.op("prelu", OperatorOptions::PReluOptions,
         fb::CreatePReluOptions(b, 1500000000, 0, b.CreateVector(neg), b.CreateVector(neg_shift))
             .Union(),
         {x}, {y});
    m.inputs({x});
    m.outputs({y});
    expect_same_everywhere(m.finish(), {random_bytes(shape, DType::INT8, 121)}, "prelu");
  }
}

void matmul_case(const std::vector<int32_t>& a_shape, const std::vector<int32_t>& b_shape,
                 const std::vector<int32_t>& out_shape) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", a_shape, DType::INT8, 1);
  const int32_t bb = m.tensor("b", b_shape, DType::INT8, -3);
  const int32_t y = m.tensor("y", out_shape, DType::INT8, 2);
  m.op("mm", OperatorOptions::MatMulOptions, fb::CreateMatMulOptions(b, 1234567890, -10, -128, 127).Union(),
       {a, bb}, {y});
  m.inputs({a, bb});
  m.outputs({y});
  expect_same_everywhere(m.finish(),
                         {random_bytes(a_shape, DType::INT8, 130), random_bytes(b_shape, DType::INT8, 131)},
                         "matmul");
}

TEST(MovementThreads, MatMul) {
  matmul_case({4, 64, 32}, {4, 32, 48}, {4, 64, 48});
  matmul_case({2, 1, 3, 40}, {3, 40, 5}, {2, 3, 3, 5});  // broadcast batch
  matmul_case({1, 200, 64}, {64, 64}, {1, 200, 64});     // B without batch dims
}

}  // namespace
}  // namespace test
}  // namespace dyad
