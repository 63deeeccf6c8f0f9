#include "tests/runtime/test_models.h"

#include <cmath>
#include <cstring>
#include <random>

#include "kernels/common/quantize_multiplier.h"
#include "tests/runtime/small_cnn.h"

namespace dyad {
namespace test {

int32_t ModelBuilder::tensor(const std::string& name, const std::vector<int32_t>& shape,
                             fb::DType dtype, int32_t zero_point) {
  tensors_.push_back({name, shape, static_cast<int8_t>(dtype), zero_point, -1});
  return static_cast<int32_t>(tensors_.size() - 1);
}

int32_t ModelBuilder::constant(const std::string& name, const std::vector<int32_t>& shape,
                               fb::DType dtype, const void* data, size_t bytes,
                               int32_t zero_point) {
  const int32_t buffer = writer_.add_buffer(data, bytes);
  tensors_.push_back({name, shape, static_cast<int8_t>(dtype), zero_point, buffer});
  return static_cast<int32_t>(tensors_.size() - 1);
}

void ModelBuilder::op(const std::string& name, fb::OperatorOptions type, Offset<void> options,
                      const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs) {
  ops_.push_back({name, type, options, inputs, outputs});
}

std::vector<uint8_t> ModelBuilder::finish() {
  auto& b = fbb_;
  std::vector<Offset<fb::Buffer>> buffers;
  for (size_t i = 0; i < writer_.placements().size(); ++i) {
    uint64_t offset = writer_.placements()[i].offset, size = writer_.placements()[i].size;
    for (const BufferOverride& o : buffer_overrides_) {
      if (o.index == static_cast<int32_t>(i)) {
        offset = o.offset;
        size = o.size;
      }
    }
    buffers.push_back(fb::CreateBuffer(b, offset, size));
  }
  std::vector<Offset<fb::Tensor>> tensors;
  for (const TensorSpec& t : tensors_) {
    auto name = b.CreateString(t.name);
    auto shape = b.CreateVector(t.shape);
    fb::TensorBuilder tb(b);
    tb.add_name(name);
    tb.add_shape(shape);
    tb.add_dtype(static_cast<fb::DType>(t.dtype));
    tb.add_zero_point(t.zero_point);
    tb.add_scale(0.5f);
    tb.add_buffer(t.buffer);
    tensors.push_back(tb.Finish());
  }
  std::vector<Offset<fb::Operator>> ops;
  for (const OpSpec& o : ops_) {
    ops.push_back(fb::CreateOperator(b, b.CreateString(o.name), b.CreateVector(o.inputs),
                                     b.CreateVector(o.outputs), o.type, o.options));
  }
  std::vector<Offset<fb::Metadata>> metadata;
  for (const auto& kv : metadata_) {
    metadata.push_back(fb::CreateMetadata(b, b.CreateString(kv.first), b.CreateString(kv.second)));
  }
  auto root = fb::CreateModel(b, version_, b.CreateVector(tensors), b.CreateVector(buffers),
                              b.CreateVector(ops), b.CreateVector(inputs_),
                              b.CreateVector(outputs_), b.CreateVector(metadata));
  return writer_.finish(b, root);
}

AlignedBytes::AlignedBytes(const std::vector<uint8_t>& bytes, size_t offset)
    : offset_(offset), size_(bytes.size()) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, bytes.size() + offset + 64) != 0) std::abort();
  base_ = static_cast<uint8_t*>(p);
  if (!bytes.empty()) std::memcpy(base_ + offset, bytes.data(), bytes.size());
}

Loaded load(const std::vector<uint8_t>& file) {
  Loaded r;
  r.bytes = std::make_unique<AlignedBytes>(file);
  dyad_model* m = nullptr;
  r.status = dyad_model_load_buffer(r.bytes->data(), r.bytes->size(), &m);
  r.message = dyad_last_error();
  r.model.reset(m);
  return r;
}

std::vector<int8_t> random_s8(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<int32_t> random_s32(size_t n, uint32_t seed, int32_t lo, int32_t hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(lo, hi);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

SmallCnn small_cnn_data() {
  SmallCnn c;
  c.w1 = random_s8(8 * 3 * 3 * 3, 11, -127, 127);
  c.b1 = random_s32(8, 12, -2000, 2000);
  c.m1 = random_s32(8, 13, 1 << 30, INT32_MAX);
  c.s1.assign(8, -8);
  c.w2 = random_s8(8 * 3 * 3 * 1, 14, -127, 127);
  c.b2 = random_s32(8, 15, -500, 500);
  c.m2 = random_s32(8, 16, 1 << 30, INT32_MAX);
  c.s2.assign(8, -7);
  for (int count = 0; count <= 4; ++count) {
    DyadicMultiplier m;
    quantize_multiplier(count == 0 ? 0.0 : 1.0 / count, &m);
    c.pool_m.push_back(m.multiplier);
    c.pool_s.push_back(static_cast<int8_t>(m.shift));
  }
  c.w3 = random_s8(10 * 128, 17, -127, 127);
  c.b3 = random_s32(10, 18, -3000, 3000);
  c.m3 = {1518500250};
  c.s3 = {-7};
  for (int d = 0; d < 256; ++d) {
    c.exp_table.push_back(static_cast<int32_t>(std::lround(std::ldexp(std::exp(-0.1 * d), 23))));
  }
  return c;
}

std::vector<uint8_t> build_small_cnn(const SmallCnn& c) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 8, 8, 3}, fb::DType::INT8, c.zp_x);
  const int32_t w1 = m.constant("w1", {8, 3, 3, 3}, fb::DType::INT8, c.w1);
  const int32_t b1 = m.constant("b1", {8}, fb::DType::INT32, c.b1);
  const int32_t y1 = m.tensor("y1", {1, 8, 8, 8}, fb::DType::INT8, c.zp_y1);
  const int32_t w2 = m.constant("w2", {8, 3, 3, 1}, fb::DType::INT8, c.w2);
  const int32_t b2 = m.constant("b2", {8}, fb::DType::INT32, c.b2);
  const int32_t y2 = m.tensor("y2", {1, 8, 8, 8}, fb::DType::INT8, c.zp_y2);
  const int32_t y3 = m.tensor("y3", {1, 8, 8, 8}, fb::DType::INT8, c.zp_y3);
  const int32_t y4 = m.tensor("y4", {1, 4, 4, 8}, fb::DType::INT8, c.zp_y4);
  const int32_t y5 = m.tensor("y5", {1, 128}, fb::DType::INT8, c.zp_y4);
  const int32_t w3 = m.constant("w3", {10, 128}, fb::DType::INT8, c.w3);
  const int32_t b3 = m.constant("b3", {10}, fb::DType::INT32, c.b3);
  const int32_t y6 = m.tensor("y6", {1, 10}, fb::DType::INT8, c.zp_y6);
  const int32_t y7 = m.tensor("probs", {1, 10}, fb::DType::INT8, -128);
  auto conv1 = fb::CreateConv2DOptions(b, 1, 1, 1, 1, 1, 1, 1, 1, 1, b.CreateVector(c.m1),
                                       b.CreateVector(c.s1), -128, 127);
  m.op("conv1", fb::OperatorOptions::Conv2DOptions, conv1.Union(), {x, w1, b1}, {y1});
  auto conv2 = fb::CreateConv2DOptions(b, 1, 1, 1, 1, 1, 1, 1, 1, 8, b.CreateVector(c.m2),
                                       b.CreateVector(c.s2), c.zp_y2, 127);
  m.op("dw2", fb::OperatorOptions::Conv2DOptions, conv2.Union(), {y1, w2, b2}, {y2});
  auto add = fb::CreateAddOptions(b, 20, c.add_m1, c.add_s1, c.add_m2, c.add_s2, c.add_mo,
                                  c.add_so, -128, 127);
  m.op("add3", fb::OperatorOptions::AddOptions, add.Union(), {y1, y2}, {y3});
  auto pool = fb::CreateAveragePoolOptions(b, 2, 2, 2, 2, 0, 0, 0, 0, false,
                                           b.CreateVector(c.pool_m), b.CreateVector(c.pool_s));
  m.op("pool4", fb::OperatorOptions::AveragePoolOptions, pool.Union(), {y3}, {y4});
  m.op("flatten", fb::OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(b).Union(), {y4},
       {y5});
  auto fc = fb::CreateFullyConnectedOptions(b, b.CreateVector(c.m3), b.CreateVector(c.s3));
  m.op("fc6", fb::OperatorOptions::FullyConnectedOptions, fc.Union(), {y5, w3, b3}, {y6});
  auto sm = fb::CreateSoftmaxOptions(b, b.CreateVector(c.exp_table));
  m.op("softmax", fb::OperatorOptions::SoftmaxOptions, sm.Union(), {y6}, {y7});
  m.inputs({x});
  m.outputs({y7});
  m.metadata("producer", "dyad tests");
  return m.finish();
}

std::vector<uint8_t> small_cnn_model() { return build_small_cnn(small_cnn_data()); }

std::vector<uint8_t> all_ops_model() {
  using fb::OperatorOptions;
  ModelBuilder m;
  auto& b = m.fbb();
  auto ints = [&](std::vector<int32_t> v) { return b.CreateVector(v); };
  const int32_t m0 = 1 << 30;
  const int32_t x = m.tensor("x", {1, 6, 6, 4});
  const int32_t t1 = m.tensor("t1", {1, 6, 6, 4});
  m.op("transpose", OperatorOptions::TransposeOptions,
       fb::CreateTransposeOptions(b, ints({0, 2, 1, 3})).Union(), {x}, {t1});
  const int32_t t2 = m.tensor("t2", {1, 8, 8, 4});
  m.op("pad", OperatorOptions::PadOptions,
       fb::CreatePadOptions(b, ints({0, 1, 1, 0, 0, 1, 1, 0}), 0).Union(), {t1}, {t2});
  const int32_t t3 = m.tensor("t3", {1, 4, 4, 4});
  m.op("maxpool", OperatorOptions::MaxPoolOptions,
       fb::CreateMaxPoolOptions(b, 2, 2, 2, 2).Union(), {t2}, {t3});
  const int32_t t4 = m.tensor("t4", {1, 8, 8, 4});
  m.op("resize", OperatorOptions::ResizeOptions, fb::CreateResizeOptions(b).Union(), {t3}, {t4});
  const int32_t t5 = m.tensor("t5", {1, 4, 4, 4});
  m.op("slice", OperatorOptions::SliceOptions,
       fb::CreateSliceOptions(b, ints({0, 0, 1, 0}), ints({1, 2, 2, 1})).Union(), {t4}, {t5});
  const int32_t t6a = m.tensor("t6a", {1, 4, 4, 1});
  const int32_t t6b = m.tensor("t6b", {1, 4, 4, 3});
  m.op("split", OperatorOptions::SplitOptions, fb::CreateSplitOptions(b, 3).Union(), {t5},
       {t6a, t6b});
  const int32_t t7 = m.tensor("t7", {1, 4, 4, 4});
  m.op("concat", OperatorOptions::ConcatOptions, fb::CreateConcatOptions(b, 3).Union(),
       {t6b, t6a}, {t7});
  const int32_t t8 = m.tensor("t8", {1, 4, 4, 4});
  m.op("mul", OperatorOptions::MulOptions, fb::CreateMulOptions(b, m0, -6).Union(), {t7, t5},
       {t8});
  const int32_t t9 = m.tensor("t9", {1, 4, 4, 4});
  m.op("sub", OperatorOptions::SubOptions,
       fb::CreateSubOptions(b, 20, m0, 0, m0, 0, m0, -20).Union(), {t8, t7}, {t9});
  const auto w = random_s8(4 * 2 * 2 * 4, 41, -127, 127);
  const int32_t wt = m.constant("deconv_w", {4, 2, 2, 4}, fb::DType::INT8, w);
  const int32_t t10 = m.tensor("t10", {1, 8, 8, 4});
  m.op("deconv", OperatorOptions::TransposeConv2DOptions,
       fb::CreateTransposeConv2DOptions(b, 2, 2, 1, 1, 0, 0, 0, 0, 1,
                                        ints({m0}), b.CreateVector(std::vector<int8_t>{-7}))
           .Union(),
       {t9, wt, -1}, {t10});
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[static_cast<size_t>(i)] = static_cast<int8_t>((i * 7) % 256 - 128);
  const int32_t t11 = m.tensor("t11", {1, 8, 8, 4});
  m.op("lut", OperatorOptions::LutOptions, fb::CreateLutOptions(b, b.CreateVector(table)).Union(),
       {t10}, {t11});
  const int32_t t12 = m.tensor("t12", {1, 4});
  m.op("mean", OperatorOptions::MeanOptions,
       fb::CreateMeanOptions(b, ints({1, 2}), false, m0, -5).Union(), {t11}, {t12});
  const int32_t t13 = m.tensor("t13", {1, 4});
  m.op("layernorm", OperatorOptions::LayerNormOptions,
       fb::CreateLayerNormOptions(b, 3, ints({m0, -m0, m0, m0}),
                                  b.CreateVector(std::vector<int8_t>{-6, -6, -5, -7}),
                                  ints({1, -2, 3, 0}))
           .Union(),
       {t12}, {t13});
  const int32_t t14 = m.tensor("t14", {1, 4});
  m.op("prelu", OperatorOptions::PReluOptions,
       fb::CreatePReluOptions(b, m0, 0, ints({m0}), b.CreateVector(std::vector<int8_t>{-2}))
           .Union(),
       {t13}, {t14});
  const int32_t t15 = m.tensor("t15", {4, 1});
  m.op("reshape", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(b).Union(), {t14},
       {t15});
  const int32_t t16 = m.tensor("t16", {4, 4});
  m.op("matmul", OperatorOptions::MatMulOptions, fb::CreateMatMulOptions(b, m0, -3).Union(),
       {t15, t14}, {t16});
  const int32_t t17 = m.tensor("t17", {4, 4}, fb::DType::INT16);
  m.op("requantize", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, m0, 4, -32768, 32767).Union(), {t16}, {t17});
  m.inputs({x});
  m.outputs({t17});
  return m.finish();
}

std::vector<uint8_t> chain_model(int n) {
  ModelBuilder m;
  auto& b = m.fbb();
  int32_t prev = m.tensor("t0", {1, 64, 64, 8});
  m.inputs({prev});
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[static_cast<size_t>(i)] = static_cast<int8_t>(127 - i);
  for (int i = 1; i <= n; ++i) {
    const int32_t next = m.tensor("t" + std::to_string(i), {1, 64, 64, 8});
    auto lut = fb::CreateLutOptions(b, b.CreateVector(table));
    m.op("lut" + std::to_string(i), fb::OperatorOptions::LutOptions, lut.Union(), {prev}, {next});
    prev = next;
  }
  m.outputs({prev});
  return m.finish();
}

}  // namespace test
}  // namespace dyad
