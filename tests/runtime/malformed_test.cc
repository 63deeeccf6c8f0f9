// Malformed models: every corruption must fail with its specific status and
// a message naming the field at fault; byte-flip and truncation sweeps must
// never crash (these run under ASan/UBSan in CI).
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <thread>

#include "tests/runtime/runtime_test_util.h"

namespace dyad {
namespace test {
namespace {

using fb::DType;
using fb::OperatorOptions;

// A one-conv model whose every field a test can change.
struct ConvSpec {
  std::vector<int32_t> x_shape = {1, 8, 8, 3};
  std::vector<int32_t> w_shape = {8, 3, 3, 3};
  std::vector<int32_t> y_shape = {1, 8, 8, 8};
  DType x_dtype = DType::INT8;
  std::vector<int32_t> multiplier = std::vector<int32_t>(8, 1 << 30);
  std::vector<int8_t> shift = std::vector<int8_t>(8, -8);
  int32_t act_min = -128, act_max = 127;
  int32_t pad = 1;
  bool weights_constant = true;
  // Runs on the builder before finish(); gets (builder, x, w, b, y).
  std::function<void(ModelBuilder&, int32_t, int32_t, int32_t, int32_t)> edit;
};

std::vector<uint8_t> conv_model(const ConvSpec& s) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("input_x", s.x_shape, s.x_dtype, 0);
  const size_t w_bytes = 8 * 3 * 3 * 3;
  const int32_t w = s.weights_constant
                        ? m.constant("weights_w", s.w_shape, DType::INT8, random_s8(w_bytes, 1))
                        : m.tensor("weights_w", s.w_shape, DType::INT8);
  const int32_t bias = m.constant("bias_b", {8}, DType::INT32, random_s32(8, 2, -100, 100));
  const int32_t y = m.tensor("output_y", s.y_shape, DType::INT8, 0);
  auto o = fb::CreateConv2DOptions(b, 1, 1, 1, 1, s.pad, s.pad, s.pad, s.pad, 1,
                                   b.CreateVector(s.multiplier), b.CreateVector(s.shift),
                                   s.act_min, s.act_max);
  m.op("conv_op", OperatorOptions::Conv2DOptions, o.Union(), {x, w, bias}, {y});
  m.inputs(s.weights_constant ? std::vector<int32_t>{x} : std::vector<int32_t>{x, w});
  m.outputs({y});
  if (s.edit) s.edit(m, x, w, bias, y);
  return m.finish();
}

std::vector<uint8_t> conv_model_with(const std::function<void(ConvSpec&)>& change) {
  ConvSpec s;
  change(s);
  return conv_model(s);
}

void expect_load_error(const std::vector<uint8_t>& file, dyad_status status,
                       const std::string& substring) {
  Loaded l = load(file);
  EXPECT_EQ(l.status, status) << dyad_status_name(l.status) << ": " << l.message;
  EXPECT_NE(l.message.find(substring), std::string::npos)
      << "message '" << l.message << "' lacks '" << substring << "'";
  EXPECT_EQ(l.model, nullptr);
}

TEST(Malformed, BaseModelIsValid) {
  Loaded l = load(conv_model(ConvSpec()));
  EXPECT_EQ(l.status, DYAD_OK) << l.message;
}

TEST(Malformed, TruncatedFile) {
  const auto file = conv_model(ConvSpec());
  uint32_t fb_size = 0;
  std::memcpy(&fb_size, file.data(), 4);
  for (size_t len : {size_t{0}, size_t{3}, size_t{11}}) {
    expect_load_error(std::vector<uint8_t>(file.begin(), file.begin() + static_cast<long>(len)),
                      DYAD_ERROR_FORMAT, "truncated");
  }
  for (size_t len : {size_t{12}, size_t{100}, size_t{fb_size} + 3}) {
    expect_load_error(std::vector<uint8_t>(file.begin(), file.begin() + static_cast<long>(len)),
                      DYAD_ERROR_FORMAT, "size prefix");
  }
  // FlatBuffer intact, data segment cut: the buffers run past the end.
  expect_load_error(std::vector<uint8_t>(file.begin(), file.end() - 1), DYAD_ERROR_INVALID_MODEL,
                    "past the end");
}

TEST(Malformed, WrongIdentifier) {
  auto file = conv_model(ConvSpec());
  file[8] = 'X';
  expect_load_error(file, DYAD_ERROR_FORMAT, "identifier");
}

TEST(Malformed, WrongVersion) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) { m.set_version(2); };
  expect_load_error(conv_model(s), DYAD_ERROR_VERSION, "format version 2");
}

TEST(Malformed, GarbageFlatBuffer) {
  auto file = conv_model(ConvSpec());
  // Root offset pointing near the end of the FlatBuffer.
  uint32_t fb_size = 0;
  std::memcpy(&fb_size, file.data(), 4);
  const uint32_t bad_root = fb_size - 8;
  std::memcpy(file.data() + 4, &bad_root, 4);
  expect_load_error(file, DYAD_ERROR_FORMAT, "verifier");
  auto garbage = conv_model(ConvSpec());
  for (size_t i = 12; i < 60; ++i) garbage[i] = static_cast<uint8_t>(0xA5 ^ i);
  const Loaded l = load(garbage);
  EXPECT_NE(l.status, DYAD_OK);
}

TEST(Malformed, OpInputIndexOutOfRange) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t w, int32_t b, int32_t y) {
    m.op("bad_op", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(m.fbb()).Union(),
         {99}, {m.tensor("z", {1})});
    (void)w; (void)b; (void)y;
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "op 1 'bad_op' (Reshape): inputs[0] = 99");
}

TEST(Malformed, GraphInputOutOfRange) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) { m.inputs({42}); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "model inputs[0] = 42");
}

TEST(Malformed, GraphOutputOutOfRange) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t y) { m.outputs({y, -3}); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "model outputs[1] = -3");
}

TEST(Malformed, BufferIndexOutOfRange) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t w, int32_t, int32_t) { m.set_tensor_buffer(w, 7); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "tensor 1 'weights_w': buffer index 7");
}

TEST(Malformed, BufferBeyondEndOfFile) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) { m.set_buffer(0, 64 * 100, 216); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "buffer 0: offset 6400");
}

TEST(Malformed, BufferOffsetOverflow) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) {
    m.set_buffer(0, UINT64_MAX - 63, 216);  // a multiple of 64; offset + size wraps
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "past the end");
  ConvSpec s2;
  s2.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) {
    m.set_buffer(0, 0, UINT64_MAX);
  };
  expect_load_error(conv_model(s2), DYAD_ERROR_INVALID_MODEL, "past the end");
}

TEST(Malformed, MisalignedBufferOffset) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) { m.set_buffer(0, 32, 216); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "offset 32 is not a multiple of 64");
}

TEST(Malformed, ShapeByteSizeMismatch) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t) { m.set_buffer(0, 0, 200); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL,
                    "tensor 1 'weights_w': buffer 0 size 200 does not match");
}

TEST(Malformed, HugeDimensionsOverflow) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t x, int32_t, int32_t, int32_t) {
    m.set_tensor_shape(x, {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX});
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "tensor 0 'input_x': shape has more than");
  ConvSpec s2;
  s2.edit = [](ModelBuilder& m, int32_t, int32_t w, int32_t, int32_t) {
    m.set_tensor_shape(w, {1 << 16, 1 << 16, 1 << 16, 1 << 16});
  };
  expect_load_error(conv_model(s2), DYAD_ERROR_INVALID_MODEL, "'weights_w': shape has more than");
}

TEST(Malformed, RankAboveSix) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.x_shape = {1, 1, 1, 1, 1, 1, 1}; }),
                    DYAD_ERROR_INVALID_MODEL, "'input_x': shape rank 7 exceeds the maximum 6");
}

TEST(Malformed, ZeroOrNegativeDimension) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.y_shape = {1, 8, 0, 8}; }),
                    DYAD_ERROR_INVALID_MODEL, "'output_y': shape[2] = 0");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.x_shape = {1, -8, 8, 3}; }),
                    DYAD_ERROR_INVALID_MODEL, "'input_x': shape[1] = -8");
}

TEST(Malformed, InvalidDtypeEnum) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t x, int32_t, int32_t, int32_t) { m.set_tensor_dtype(x, 9); };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "'input_x': dtype 9 is not a known DType");
}

std::vector<uint8_t> two_op_model(bool cycle, bool produce_twice, bool unproduced) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {4});
  const int32_t a = m.tensor("a", {4});
  const int32_t c = m.tensor("c", {4});
  const int32_t orphan = m.tensor("orphan", {4});
  const std::vector<int8_t> table(256, 1);
  m.op("first", OperatorOptions::LutOptions, fb::CreateLutOptions(b, b.CreateVector(table)).Union(),
       {cycle ? c : (unproduced ? orphan : x)}, {a});
  m.op("second", OperatorOptions::LutOptions,
       fb::CreateLutOptions(b, b.CreateVector(table)).Union(), {a}, {produce_twice ? a : c});
  m.inputs({x});
  m.outputs({produce_twice ? a : c});
  return m.finish();
}

TEST(Malformed, CyclicGraph) {
  expect_load_error(two_op_model(true, false, false), DYAD_ERROR_INVALID_MODEL,
                    "graph has a cycle through op");
}

TEST(Malformed, TensorProducedTwice) {
  expect_load_error(two_op_model(false, true, false), DYAD_ERROR_INVALID_MODEL,
                    "tensor 1 'a' is produced twice: by op 0 'first' (Lut) and by op 1 'second'");
}

TEST(Malformed, ActivationNeverProduced) {
  expect_load_error(two_op_model(false, false, true), DYAD_ERROR_INVALID_MODEL,
                    "op 0 'first' (Lut) reads tensor 3 'orphan', which is neither");
}

TEST(Malformed, GraphOutputNeverProduced) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t y) {
    m.outputs({y, m.tensor("ghost", {2})});
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "graph output tensor 4 'ghost' is never produced");
}

TEST(Malformed, OpWritesConstantOrGraphInput) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t x, int32_t, int32_t b, int32_t y) {
    m.op("writer", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(m.fbb()).Union(),
         {y}, {b});
    (void)x;
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "op 1 'writer' (Reshape) writes constant tensor 2 'bias_b'");
  ConvSpec s2;
  s2.edit = [](ModelBuilder& m, int32_t x, int32_t, int32_t, int32_t y) {
    m.op("writer", OperatorOptions::ReshapeOptions, fb::CreateReshapeOptions(m.fbb()).Union(),
         {y}, {x});
  };
  expect_load_error(conv_model(s2), DYAD_ERROR_INVALID_MODEL, "writes graph input tensor 0 'input_x'");
}

TEST(Malformed, WrongDtypeForOp) {
  // INT16 (zero point 0) is a valid Conv2D input since W8A16; INT32 is not.
  expect_load_error(conv_model_with([](ConvSpec& s) { s.x_dtype = DType::INT32; }),
                    DYAD_ERROR_INVALID_MODEL,
                    "op 0 'conv_op' (Conv2D): input 0 (tensor 0 'input_x'): dtype INT32, expected "
                    "INT8 or INT16");
}

TEST(Malformed, WeightsNotConstant) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.weights_constant = false; }),
                    DYAD_ERROR_INVALID_MODEL, "input 1 (tensor 1 'weights_w') must be a constant");
}

TEST(Malformed, BadMultiplier) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.multiplier[3] = (1 << 30) - 1; }),
                    DYAD_ERROR_INVALID_MODEL, "multiplier[3]/shift[3]: invalid dyadic multiplier");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.multiplier[0] = -(1 << 30); }),
                    DYAD_ERROR_INVALID_MODEL, "multiplier[0]/shift[0]");
}

TEST(Malformed, BadShift) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.shift[5] = 31; }),
                    DYAD_ERROR_INVALID_MODEL, "multiplier[5]/shift[5]: invalid dyadic multiplier (M0=1073741824, shift=31)");
}

TEST(Malformed, PerChannelVectorWrongLength) {
  expect_load_error(conv_model_with([](ConvSpec& s) {
                      s.multiplier.resize(3);
                      s.shift.resize(3);
                    }),
                    DYAD_ERROR_INVALID_MODEL, "multiplier: length 3, expected 1 or 8");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.shift.resize(7); }),
                    DYAD_ERROR_INVALID_MODEL, "shift: length 7");
}

TEST(Malformed, ConvGeometryMismatch) {
  expect_load_error(conv_model_with([](ConvSpec& s) { s.pad = 0; }), DYAD_ERROR_INVALID_MODEL,
                    "output 0 (tensor 3 'output_y'): shape [1,8,8,8], expected [1,6,6,8]");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.w_shape = {8, 3, 3, 4}; }),
                    DYAD_ERROR_INVALID_MODEL, "buffer 0 size 216 does not match");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.w_shape = {8, 9, 3, 1}; }),
                    DYAD_ERROR_INVALID_MODEL, "expected last dim 3");
}

TEST(Malformed, MissingOptions) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t y) {
    m.op("no_options", OperatorOptions::NONE, 0, {y}, {m.tensor("z", {1, 8, 8, 8})});
  };
  expect_load_error(conv_model(s), DYAD_ERROR_INVALID_MODEL, "op 1 'no_options': options missing (type NONE)");
  ConvSpec s2;
  s2.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t y) {
    m.op("empty_options", OperatorOptions::ReshapeOptions, 0, {y}, {m.tensor("z", {512})});
  };
  expect_load_error(conv_model(s2), DYAD_ERROR_INVALID_MODEL, "'empty_options' (Reshape): options table missing");
}

TEST(Malformed, UnknownOpType) {
  ConvSpec s;
  s.edit = [](ModelBuilder& m, int32_t, int32_t, int32_t, int32_t y) {
    m.op("future_op", static_cast<OperatorOptions>(99), fb::CreateReshapeOptions(m.fbb()).Union(),
         {y}, {m.tensor("z", {512})});
  };
  const Loaded l = load(conv_model(s));
  // Either the verifier or the registry refuses it; never a crash.
  EXPECT_TRUE(l.status == DYAD_ERROR_UNSUPPORTED || l.status == DYAD_ERROR_FORMAT) << l.message;
}

std::vector<uint8_t> unary_model(OperatorOptions type, Offset<void> (*options)(ModelBuilder&),
                                 std::vector<int32_t> in_shape, std::vector<int32_t> out_shape,
                                 int32_t out_zp = 0) {
  ModelBuilder m;
  const int32_t x = m.tensor("x", in_shape);
  const int32_t y = m.tensor("y", out_shape, DType::INT8, out_zp);
  const Offset<void> o = options(m);
  m.op("the_op", type, o, {x}, {y});
  m.inputs({x});
  m.outputs({y});
  return m.finish();
}

TEST(Malformed, LutTableWrongLength) {
  expect_load_error(
      unary_model(OperatorOptions::LutOptions,
                  [](ModelBuilder& m) {
                    return fb::CreateLutOptions(m.fbb(), m.fbb().CreateVector(std::vector<int8_t>(255)))
                        .Union();
                  },
                  {4}, {4}),
      DYAD_ERROR_INVALID_MODEL, "op 0 'the_op' (Lut): table: length 255, expected 256");
}

TEST(Malformed, SoftmaxTableAndZeroPoint) {
  expect_load_error(
      unary_model(OperatorOptions::SoftmaxOptions,
                  [](ModelBuilder& m) {
                    return fb::CreateSoftmaxOptions(m.fbb(),
                                                    m.fbb().CreateVector(std::vector<int32_t>(256, 0)))
                        .Union();
                  },
                  {4}, {4}, -128),
      DYAD_ERROR_INVALID_MODEL, "exp_table[0] = 0, expected 2^23");
  expect_load_error(
      unary_model(OperatorOptions::SoftmaxOptions,
                  [](ModelBuilder& m) {
                    return fb::CreateSoftmaxOptions(m.fbb(), m.fbb().CreateVector(std::vector<int32_t>(256, 1 << 23))).Union();
                  },
                  {4}, {4}, 0),
      DYAD_ERROR_INVALID_MODEL, "softmax output must have zero_point -128");
}

TEST(Malformed, ConcatShapeMismatch) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", {2, 3});
  const int32_t c = m.tensor("c", {3, 3});
  const int32_t y = m.tensor("y", {2, 6});
  m.op("cat", OperatorOptions::ConcatOptions, fb::CreateConcatOptions(b, 1).Union(), {a, c}, {y});
  m.inputs({a, c});
  m.outputs({y});
  expect_load_error(m.finish(), DYAD_ERROR_INVALID_MODEL,
                    "input 1 (tensor 1 'c'): shape [3,3] does not match [2,6] except along axis 1");
}

TEST(Malformed, TransposePermNotPermutation) {
  expect_load_error(
      unary_model(OperatorOptions::TransposeOptions,
                  [](ModelBuilder& m) {
                    return fb::CreateTransposeOptions(m.fbb(), m.fbb().CreateVector(std::vector<int32_t>{0, 0, 1})).Union();
                  },
                  {2, 3, 4}, {2, 2, 3}),
      DYAD_ERROR_INVALID_MODEL, "perm[1] = 0: perm is not a permutation");
}

TEST(Malformed, SliceOutOfBounds) {
  expect_load_error(
      unary_model(OperatorOptions::SliceOptions,
                  [](ModelBuilder& m) {
                    return fb::CreateSliceOptions(m.fbb(), m.fbb().CreateVector(std::vector<int32_t>{0, 2}),
                                                  m.fbb().CreateVector(std::vector<int32_t>{1, 1}))
                        .Union();
                  },
                  {2, 4}, {2, 3}),
      DYAD_ERROR_INVALID_MODEL, "begin[1]=2 step[1]=1");
}

TEST(Malformed, ActMinAboveActMax) {
  expect_load_error(conv_model_with([](ConvSpec& s) {
                      s.act_min = 10;
                      s.act_max = 5;
                    }),
                    DYAD_ERROR_INVALID_MODEL, "act_min 10 > act_max 5");
  expect_load_error(conv_model_with([](ConvSpec& s) { s.act_max = 300; }),
                    DYAD_ERROR_INVALID_MODEL, "outside the INT8 output range");
}

TEST(Malformed, UnalignedCallerBuffer) {
  const auto file = conv_model(ConvSpec());
  AlignedBytes shifted(file, 8);
  dyad_model* m = nullptr;
  EXPECT_EQ(dyad_model_load_buffer(shifted.data(), shifted.size(), &m), DYAD_ERROR_ALIGNMENT);
  EXPECT_NE(std::string(dyad_last_error()).find("not 64-byte aligned"), std::string::npos);
  EXPECT_EQ(m, nullptr);
}

TEST(Malformed, MissingFileAndNullArguments) {
  dyad_model* m = nullptr;
  EXPECT_EQ(dyad_model_load_file("/nonexistent/dir/model.dyad", &m), DYAD_ERROR_IO);
  EXPECT_NE(std::string(dyad_last_error()).find("cannot open '/nonexistent/dir/model.dyad'"),
            std::string::npos);
  EXPECT_EQ(dyad_model_load_file(nullptr, &m), DYAD_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dyad_model_load_buffer(nullptr, 10, &m), DYAD_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dyad_session_run(nullptr), DYAD_ERROR_INVALID_ARGUMENT);
}

TEST(Malformed, ErrorIsThreadLocal) {
  dyad_model* m = nullptr;
  EXPECT_EQ(dyad_model_load_file("/nonexistent/a.dyad", &m), DYAD_ERROR_IO);
  std::string other;
  std::thread([&] { other = dyad_last_error(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_NE(std::string(dyad_last_error()), "");
}

// Loads (and if valid, runs) one variant; only crashes/sanitizer reports fail.
void load_and_maybe_run(const std::vector<uint8_t>& file, int* loaded) {
  Loaded l = load(file);
  if (l.status != DYAD_OK) {
    EXPECT_STRNE(l.message.c_str(), "") << dyad_status_name(l.status);
    return;
  }
  ++*loaded;
  dyad_session* s = nullptr;
  if (dyad_session_create(l.model.get(), nullptr, &s) != DYAD_OK) return;
  SessionPtr session(s);
  for (size_t i = 0; i < dyad_model_num_inputs(l.model.get()); ++i) {
    dyad_tensor_view v;
    ASSERT_EQ(dyad_session_input(s, i, &v), DYAD_OK);
    std::memset(v.data, 0x5A, v.size_bytes);
  }
  EXPECT_EQ(dyad_session_run(s), DYAD_OK);
}

TEST(Malformed, EveryByteFlippedNeverCrashes) {
  const auto file = small_cnn_model();
  int loaded = 0;
  for (size_t i = 0; i < file.size(); ++i) {
    auto variant = file;
    variant[i] ^= 0xFF;
    load_and_maybe_run(variant, &loaded);
  }
  // Flips in weights/tables still load: the sweep did exercise running.
  EXPECT_GT(loaded, 0);
}

TEST(Malformed, RandomByteValuesNeverCrash) {
  const auto file = small_cnn_model();
  std::mt19937 rng(1234);
  int loaded = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto variant = file;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      variant[rng() % variant.size()] = static_cast<uint8_t>(rng());
    }
    load_and_maybe_run(variant, &loaded);
  }
  EXPECT_GT(loaded, 0);
}

TEST(Malformed, EveryTruncationNeverCrashes) {
  const auto file = small_cnn_model();
  for (size_t len = 0; len < file.size(); ++len) {
    Loaded l = load(std::vector<uint8_t>(file.begin(), file.begin() + static_cast<long>(len)));
    EXPECT_NE(l.status, DYAD_OK) << "length " << len;
  }
}

}  // namespace
}  // namespace test
}  // namespace dyad
