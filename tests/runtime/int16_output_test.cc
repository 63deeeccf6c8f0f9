// Conv2D / FullyConnected with int16 and int32 outputs (the GEMM epilogue
// variants, docs/kernels.md): a whole model is byte-identical on every ISA
// path and for 1, 2 and 3 threads, and the optimized paths name the
// output type in the kernel ("qs8_conv2d_i16out__avx2").
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/test_models.h"

namespace dyad {
namespace test {
namespace {

Offset<fb::Conv2DOptions> conv_options(flatbuffers::FlatBufferBuilder& b, int32_t pad,
                                       int32_t channels, int8_t shift, uint32_t seed,
                                       int32_t act_min, int32_t act_max) {
  const auto m = random_s32(static_cast<size_t>(channels), seed, 1 << 30, INT32_MAX);
  const std::vector<int8_t> s(static_cast<size_t>(channels), shift);
  return fb::CreateConv2DOptions(b, 1, 1, 1, 1, pad, pad, pad, pad, 1, b.CreateVector(m),
                                 b.CreateVector(s), act_min, act_max);
}

// x [1,16,16,88] (BlazeFace's 16x16 head input) ->
//   head_a: conv 1x1 -> 32, int16, full int16 clamp
//   head_b: conv 3x3 pad 1 -> 6, int16, narrow clamp
//   head_c: conv 1x1 -> 2, int32 (raw accumulator)
//   fc_d:   FC 88 -> 96 over the 256 pixels, int16
//   fc_e:   FC 88 -> 17, int32
std::vector<uint8_t> wide_output_model() {
  using fb::DType;
  using fb::OperatorOptions;
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 16, 16, 88}, DType::INT8, 3);
  const int32_t wa = m.constant("wa", {32, 1, 1, 88}, DType::INT8, random_s8(32 * 88, 61, -127, 127));
  const int32_t ba = m.constant("ba", {32}, DType::INT32, random_s32(32, 62, -20000, 20000));
  const int32_t ya = m.tensor("ya", {1, 16, 16, 32}, DType::INT16, 0);
  m.op("head_a", OperatorOptions::Conv2DOptions,
       conv_options(b, 0, 32, -1, 63, -32768, 32767).Union(), {x, wa, ba}, {ya});
  const int32_t wb = m.constant("wb", {6, 3, 3, 88}, DType::INT8,
                                random_s8(6 * 9 * 88, 64, -127, 127));
  const int32_t bb = m.constant("bb", {6}, DType::INT32, random_s32(6, 65, -20000, 20000));
  const int32_t yb = m.tensor("yb", {1, 16, 16, 6}, DType::INT16, 0);
  m.op("head_b", OperatorOptions::Conv2DOptions,
       conv_options(b, 1, 6, -3, 66, -3000, 3000).Union(), {x, wb, bb}, {yb});
  const int32_t wc = m.constant("wc", {2, 1, 1, 88}, DType::INT8, random_s8(2 * 88, 67, -128, 127));
  const int32_t bc = m.constant("bc", {2}, DType::INT32, random_s32(2, 68, -20000, 20000));
  const int32_t yc = m.tensor("yc", {1, 16, 16, 2}, DType::INT32, 0);
  m.op("head_c", OperatorOptions::Conv2DOptions,
       conv_options(b, 0, 2, 0, 69, -128, 127).Union(), {x, wc, bc}, {yc});
  const int32_t wd = m.constant("wd", {96, 88}, DType::INT8, random_s8(96 * 88, 70, -127, 127));
  const int32_t bd = m.constant("bd", {96}, DType::INT32, random_s32(96, 71, -20000, 20000));
  const int32_t yd = m.tensor("yd", {1, 16, 16, 96}, DType::INT16, 0);
  m.op("fc_d", OperatorOptions::FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(
           b, b.CreateVector(random_s32(96, 72, 1 << 30, INT32_MAX)),
           b.CreateVector(std::vector<int8_t>(96, -1)), -32768, 32767)
           .Union(),
       {x, wd, bd}, {yd});
  const int32_t we = m.constant("we", {17, 88}, DType::INT8, random_s8(17 * 88, 73, -127, 127));
  const int32_t ye = m.tensor("ye", {1, 16, 16, 17}, DType::INT32, 0);
  m.op("fc_e", OperatorOptions::FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(b).Union(), {x, we}, {ye});
  m.inputs({x});
  m.outputs({ya, yb, yc, yd, ye});
  return m.finish();
}

struct Result {
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<std::string> kernels;
};

Result run(dyad_model* model, const char* isa, int threads, const std::vector<int8_t>& input,
           bool split_everything) {
  Result r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  for (size_t i = 0; i < dyad_session_num_ops(s.get()); ++i) {
    dyad_op_profile p;
    EXPECT_EQ(dyad_session_op_profile(s.get(), i, &p), DYAD_OK);
    r.kernels.push_back(p.kernel);
  }
  dyad_tensor_view v;
  EXPECT_EQ(dyad_session_input(s.get(), 0, &v), DYAD_OK);
  EXPECT_EQ(v.size_bytes, input.size());
  if (v.size_bytes != input.size()) return r;
  std::memcpy(v.data, input.data(), input.size());
  EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
  for (size_t i = 0; i < dyad_model_num_outputs(model); ++i) {
    dyad_tensor_view out;
    EXPECT_EQ(dyad_session_output(s.get(), i, &out), DYAD_OK);
    const auto* p = static_cast<const uint8_t*>(out.data);
    r.outputs.emplace_back(p, p + out.size_bytes);
  }
  return r;
}

TEST(WideOutput, IdenticalOnEveryIsaAndThreadCount) {
  Loaded l = load(wide_output_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const std::vector<int8_t> input = random_s8(16 * 16 * 88, 60);
  const Result golden = run(l.model.get(), "reference", 1, input, false);
  ASSERT_EQ(golden.outputs.size(), 5u);
  // Not degenerate: int16 outputs spread beyond int8 and do not all clamp.
  const std::vector<int16_t> a = values_of<int16_t>(golden.outputs[0]);
  int wide = 0, at_bound = 0;
  for (int16_t v : a) {
    wide += v < -128 || v > 127;
    at_bound += v == -32768 || v == 32767;
  }
  EXPECT_GT(wide, static_cast<int>(a.size()) / 2);
  EXPECT_LT(at_bound, static_cast<int>(a.size()) / 4);
  for (const char* isa : available_isas()) {
    for (int threads = 1; threads <= 3; ++threads) {
      for (bool split_everything : {false, true}) {
        const Result r = run(l.model.get(), isa, threads, input, split_everything);
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

TEST(WideOutput, KernelNamesSayTheOutputType) {
  Loaded l = load(wide_output_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const std::vector<int8_t> input = random_s8(16 * 16 * 88, 60);
  const char* expected[] = {"qs8_conv2d_i16out", "qs8_conv2d_i16out", "qs8_conv2d_i32out",
                            "qs8_fully_connected_i16out", "qs8_fully_connected_i32out"};
  for (const char* isa : available_isas()) {
    const Result r = run(l.model.get(), isa, 1, input, false);
    ASSERT_EQ(r.kernels.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      // Every built and supported path has an optimized GEMM for these.
      EXPECT_EQ(r.kernels[i], std::string(expected[i]) + "__" + isa) << "op " << i;
    }
  }
}

}  // namespace
}  // namespace test
}  // namespace dyad
