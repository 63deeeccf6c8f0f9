// Mean, MaxPool, Lut and Requantize through the runtime: on every available
// ISA path and at 1, 2 and 3 threads (default split and every op split), the
// output bytes equal the reference path's, and optimized paths name the
// kernel they run.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dyad/dyad.hpp"
#include "tests/runtime/runtime_test_util.h"

namespace dyad {
namespace test {
namespace {

using fb::DType;
using fb::OperatorOptions;

struct Result {
  std::vector<uint8_t> output;
  std::string kernel;
};

Result run_once(dyad_model* model, const char* isa, int threads, bool split_everything,
                const std::vector<uint8_t>& input) {
  Result r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  dyad_op_profile p;
  EXPECT_EQ(dyad_session_op_profile(s.get(), 0, &p), DYAD_OK);
  r.kernel = p.kernel;
  dyad_tensor_view v;
  EXPECT_EQ(dyad_session_input(s.get(), 0, &v), DYAD_OK);
  EXPECT_EQ(v.size_bytes, input.size());
  if (v.size_bytes != input.size()) return r;
  std::memcpy(v.data, input.data(), input.size());
  EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
  dyad_tensor_view out;
  EXPECT_EQ(dyad_session_output(s.get(), 0, &out), DYAD_OK);
  const auto* bytes = static_cast<const uint8_t*>(out.data);
  r.output.assign(bytes, bytes + out.size_bytes);
  return r;
}

// `optimized`: the kernel name prefix an optimized path must show.
void expect_identical(const std::vector<uint8_t>& file, size_t input_bytes, const char* what,
                      const char* optimized) {
  Loaded l = load(file);
  ASSERT_EQ(l.status, DYAD_OK) << what << ": " << l.message;
  for (uint32_t seed : {1u, 2u}) {
    const auto x = random_s8(input_bytes, seed);
    const std::vector<uint8_t> input(reinterpret_cast<const uint8_t*>(x.data()),
                                     reinterpret_cast<const uint8_t*>(x.data()) + x.size());
    const Result golden = run_once(l.model.get(), "reference", 1, false, input);
    ASSERT_FALSE(golden.output.empty());
    bool varied = false;
    for (uint8_t b : golden.output) varied |= b != golden.output[0];
    EXPECT_TRUE(varied) << what;
    for (const char* isa : available_isas()) {
      for (int threads = 1; threads <= 3; ++threads) {
        for (bool split : {false, true}) {
          const Result r = run_once(l.model.get(), isa, threads, split, input);
          EXPECT_EQ(r.output, golden.output)
              << what << " isa " << isa << " threads " << threads << " split " << split
              << " kernel " << r.kernel;
          if (std::string(isa) != "reference") {
            EXPECT_EQ(r.kernel.rfind(optimized, 0), 0u) << what << " isa " << isa << ": " << r.kernel;
          }
        }
      }
    }
  }
}

std::vector<uint8_t> max_pool_model(std::vector<int32_t> in, std::vector<int32_t> out, int k,
                                    int stride, int pad, int act_min) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", in, DType::INT8, -3);
  const int32_t y = m.tensor("y", out, DType::INT8, -3);
  m.op("pool", OperatorOptions::MaxPoolOptions,
       fb::CreateMaxPoolOptions(b, k, k, stride, stride, 1, 1, pad, pad, pad, pad, act_min, 127)
           .Union(),
       {x}, {y});
  m.inputs({x});
  m.outputs({y});
  return m.finish();
}

TEST(PoolThreads, MaxPoolBlazeFace2x2Stride2) {
  expect_identical(max_pool_model({1, 64, 64, 28}, {1, 32, 32, 28}, 2, 2, 0, -128),
                   64 * 64 * 28, "maxpool 2x2s2", "s8_maxpool_");
}

TEST(PoolThreads, MaxPoolHeatMap3x3Pad1) {
  expect_identical(max_pool_model({1, 40, 40, 1}, {1, 40, 40, 1}, 3, 1, 1, -128), 40 * 40,
                   "maxpool 3x3s1p1 c1", "s8_maxpool_");
}

TEST(PoolThreads, MaxPoolOddShapeWithClamp) {
  // (17 + 2 - 3) / 2 + 1 = 9, (19 + 2 - 3) / 2 + 1 = 10
  expect_identical(max_pool_model({2, 17, 19, 33}, {2, 9, 10, 33}, 3, 2, 1, 0), 2 * 17 * 19 * 33,
                   "maxpool odd", "s8_maxpool_");
}

std::vector<uint8_t> mean_model(std::vector<int32_t> in, std::vector<int32_t> out, bool keep) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", in, DType::INT8, 5);
  const int32_t y = m.tensor("y", out, DType::INT8, -7);
  m.op("gap", OperatorOptions::MeanOptions,
       fb::CreateMeanOptions(b, b.CreateVector(std::vector<int32_t>{1, 2}), keep, 1402438301, -5)
           .Union(),
       {x}, {y});
  m.inputs({x});
  m.outputs({y});
  return m.finish();
}

TEST(PoolThreads, MeanGlobalAveragePool7x7x1280) {
  expect_identical(mean_model({1, 7, 7, 1280}, {1, 1280}, false), 7 * 7 * 1280, "gap 1280",
                   "qs8_gavgpool_");
}

TEST(PoolThreads, MeanKeepDimsOddChannels) {
  expect_identical(mean_model({2, 5, 6, 44}, {2, 1, 1, 44}, true), 2 * 5 * 6 * 44, "gap 44",
                   "qs8_gavgpool_");
}

std::vector<uint8_t> lut_model(DType dtype, int32_t count) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, count}, dtype, 0);
  const int32_t y = m.tensor("y", {1, count}, DType::INT8, 0);
  const auto table = random_s8(256, 77);
  m.op("lut", OperatorOptions::LutOptions, fb::CreateLutOptions(b, b.CreateVector(table)).Union(),
       {x}, {y});
  m.inputs({x});
  m.outputs({y});
  return m.finish();
}

TEST(PoolThreads, LutInt8) {
  expect_identical(lut_model(DType::INT8, 33 * 33 * 7 + 5), 33 * 33 * 7 + 5, "lut s8", "x8_lut_");
}

TEST(PoolThreads, LutUInt8) {
  expect_identical(lut_model(DType::UINT8, 20001), 20001, "lut u8", "x8_lut_");
}

std::vector<uint8_t> requantize_model(DType dtype, int32_t zin, int32_t multiplier,
                                      int32_t shift) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t x = m.tensor("x", {1, 128, 128, 3}, dtype, zin);
  const int32_t y = m.tensor("y", {1, 128, 128, 3}, DType::INT8, -9);
  m.op("rq", OperatorOptions::RequantizeOptions,
       fb::CreateRequantizeOptions(b, multiplier, shift, -100, 127).Union(), {x}, {y});
  m.inputs({x});
  m.outputs({y});
  return m.finish();
}

TEST(PoolThreads, RequantizeUInt8Image) {
  const char* prefix = "qu8_requantize_via_x8_lut_";
  expect_identical(requantize_model(DType::UINT8, 0, 1300000000, 0), 128 * 128 * 3, "rq u8 z0",
                   prefix);
  expect_identical(requantize_model(DType::UINT8, 255, 1073741824, 1), 128 * 128 * 3,
                   "rq u8 z255", prefix);
}

TEST(PoolThreads, RequantizeInt8) {
  expect_identical(requantize_model(DType::INT8, -128, 2147483000, -3), 128 * 128 * 3, "rq s8",
                   "qs8_requantize_via_x8_lut_");
}

}  // namespace
}  // namespace test
}  // namespace dyad
