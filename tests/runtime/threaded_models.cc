#include "tests/runtime/threaded_models.h"

#include "tests/runtime/test_models.h"
#ifdef DYAD_HAVE_TOOLS_TEST_MODEL
#include "tools/test_model.h"
#endif

namespace dyad {
namespace test {
namespace {

Offset<fb::Conv2DOptions> conv_options(flatbuffers::FlatBufferBuilder& b, int32_t stride,
                                       int32_t pad, int32_t groups, int32_t channels,
                                       int8_t shift, uint32_t seed, int32_t act_min,
                                       int32_t act_max) {
  const auto m = random_s32(static_cast<size_t>(channels), seed, 1 << 30, INT32_MAX);
  const std::vector<int8_t> s(static_cast<size_t>(channels), shift);
  return fb::CreateConv2DOptions(b, stride, stride, 1, 1, pad, pad, pad, pad, groups,
                                 b.CreateVector(m), b.CreateVector(s), act_min, act_max);
}

}  // namespace

std::vector<uint8_t> conv_heavy_model() {
  using fb::DType;
  using fb::OperatorOptions;
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {2, 24, 24, 16}, DType::INT8, 3);
  const int32_t w1 = m.constant("w1", {32, 3, 3, 16}, DType::INT8,
                                 random_s8(32 * 9 * 16, 41, -127, 127));
  const int32_t b1 = m.constant("b1", {32}, DType::INT32, random_s32(32, 42, -5000, 5000));
  const int32_t y1 = m.tensor("y1", {2, 24, 24, 32}, DType::INT8, -10);
  m.op("conv1", OperatorOptions::Conv2DOptions,
       conv_options(b, 1, 1, 1, 32, -11, 43, -10, 127).Union(), {x, w1, b1}, {y1});
  const int32_t w2 = m.constant("w2", {32, 3, 3, 1}, DType::INT8,
                                 random_s8(32 * 9, 44, -127, 127));
  const int32_t b2 = m.constant("b2", {32}, DType::INT32, random_s32(32, 45, -500, 500));
  const int32_t y2 = m.tensor("y2", {2, 12, 12, 32}, DType::INT8, 5);
  m.op("dw2", OperatorOptions::Conv2DOptions,
       conv_options(b, 2, 1, 32, 32, -8, 46, -128, 127).Union(), {y1, w2, b2}, {y2});
  const int32_t w3 = m.constant("w3", {32, 1, 1, 32}, DType::INT8,
                                 random_s8(32 * 32, 47, -127, 127));
  const int32_t b3 = m.constant("b3", {32}, DType::INT32, random_s32(32, 48, -3000, 3000));
  const int32_t y3 = m.tensor("y3", {2, 12, 12, 32}, DType::INT8, -2);
  m.op("conv3", OperatorOptions::Conv2DOptions,
       conv_options(b, 1, 0, 1, 32, -10, 49, -128, 127).Union(), {y2, w3, b3}, {y3});
  const int32_t y4 = m.tensor("y4", {2, 12, 12, 32}, DType::INT8, 1);
  m.op("add4", OperatorOptions::AddOptions,
       fb::CreateAddOptions(b, 20, 1073741824, -1, 1717986918, -2, 1288490189, -19).Union(),
       {y2, y3}, {y4});
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) {
    table[static_cast<size_t>(i)] = static_cast<int8_t>((i * 37 + 11) % 256 - 128);
  }
  const int32_t y5 = m.tensor("y5", {2, 12, 12, 32}, DType::INT8, 0);
  m.op("lut5", OperatorOptions::LutOptions, fb::CreateLutOptions(b, b.CreateVector(table)).Union(),
       {y4}, {y5});
  const int32_t y6 = m.tensor("y6", {2, 12, 12, 32}, DType::INT8, 4);
  m.op("requant6", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, 1518500250, 0).Union(), {y5}, {y6});
  const int32_t w7 = m.constant("w7", {8, 1, 1, 32}, DType::INT8,
                                 random_s8(8 * 32, 50, -127, 127));
  const int32_t y7 = m.tensor("y7", {2, 12, 12, 8}, DType::INT16, 0);
  m.op("conv7_int16", OperatorOptions::Conv2DOptions,
       conv_options(b, 1, 0, 1, 8, -4, 51, -32768, 32767).Union(), {y6, w7}, {y7});
  const int32_t y8 = m.tensor("y8", {2, 4608}, DType::INT8, 4);
  m.op("flatten", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(b).Union(), {y6}, {y8});
  const int32_t w9 = m.constant("w9", {64, 4608}, DType::INT8,
                                 random_s8(64 * 4608, 52, -127, 127));
  const int32_t b9 = m.constant("b9", {64}, DType::INT32, random_s32(64, 53, -9000, 9000));
  const int32_t y9 = m.tensor("y9", {2, 64}, DType::INT8, -3);
  auto fc = fb::CreateFullyConnectedOptions(
      b, b.CreateVector(random_s32(64, 54, 1 << 30, INT32_MAX)),
      b.CreateVector(std::vector<int8_t>(64, -14)));
  m.op("fc9", OperatorOptions::FullyConnectedOptions, fc.Union(), {y8, w9, b9}, {y9});
  m.inputs({x});
  m.outputs({y9, y7});
  return m.finish();
}

std::vector<uint8_t> tools_test_cnn() {
#ifdef DYAD_HAVE_TOOLS_TEST_MODEL
  tools::TestModelOptions o;
  o.height = 64;
  o.width = 64;
  return tools::build_test_model(o);
#else
  return {};
#endif
}

}  // namespace test
}  // namespace dyad
