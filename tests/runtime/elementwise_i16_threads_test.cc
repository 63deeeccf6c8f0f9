// All-int16 Add / Sub / Mul through a session (W8A16 models): the same
// bytes on the reference path and every x86 / ARM path at 1, 2 and 3 threads
// (default and forced splits), the qs16_* kernels named in the profile, and
// a mixed int8 / int16 op left on the reference ("qs16_mul__reference").
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/test_models.h"

namespace dyad {
namespace test {
namespace {

using fb::DType;
using fb::OperatorOptions;

// a, b [1,64,64,24] int16, c [24] int16, e [1,64,64,1] int16, k [24] int8:
//   s = Add(a, b)          L = 15, converter-style multipliers (split form)
//   d = Sub(s, c)          per-channel broadcast
//   p = Mul(d, a)          same shapes, narrow clamp
//   q = Add(p, e)          per-pixel broadcast, L = 12 (64-bit SRDHM form)
//   r = Mul(q, k)          int16 x int8: stays on the reference
std::vector<uint8_t> int16_binary_model() {
  ModelBuilder m;
  auto& b = m.fbb();
  const std::vector<int32_t> full = {1, 64, 64, 24};
  const int32_t a = m.tensor("a", full, DType::INT16);
  const int32_t bb = m.tensor("b", full, DType::INT16);
  const int32_t c = m.tensor("c", {24}, DType::INT16);
  const int32_t e = m.tensor("e", {1, 64, 64, 1}, DType::INT16);
  const int32_t k = m.tensor("k", {24}, DType::INT8, 3);
  const int32_t s = m.tensor("s", full, DType::INT16);
  const int32_t d = m.tensor("d", full, DType::INT16);
  const int32_t p = m.tensor("p", full, DType::INT16);
  const int32_t q = m.tensor("q", full, DType::INT16);
  const int32_t r = m.tensor("r", full, DType::INT16);
  m.op("add", OperatorOptions::AddOptions,
       fb::CreateAddOptions(b, 15, 1073741824, 0, 1500000000, -1, 1300000000, -14, -32768, 32767)
           .Union(),
       {a, bb}, {s});
  m.op("sub", OperatorOptions::SubOptions,
       fb::CreateSubOptions(b, 15, 1400000000, -1, 1073741824, 0, 1200000000, -14, -30000, 31000)
           .Union(),
       {s, c}, {d});
  m.op("mul", OperatorOptions::MulOptions,
       fb::CreateMulOptions(b, 1400000000, -15, -20000, 25000).Union(), {d, a}, {p});
  m.op("add_pixel", OperatorOptions::AddOptions,
       fb::CreateAddOptions(b, 12, 1073741824, 0, 2000000000, -3, 1500000000, -11, -32768, 32767)
           .Union(),
       {p, e}, {q});
  m.op("mul_mixed", OperatorOptions::MulOptions,
       fb::CreateMulOptions(b, 1100000000, -7, -32768, 32767).Union(), {q, k}, {r});
  m.inputs({a, bb, c, e, k});
  m.outputs({s, d, p, q, r});
  return m.finish();
}

struct Result {
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<std::string> kernels;
};

Result run(dyad_model* model, const char* isa, int threads, bool split_everything,
           const std::vector<std::vector<uint8_t>>& inputs) {
  Result r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  for (size_t i = 0; i < dyad_session_num_ops(s.get()); ++i) {
    dyad_op_profile p;
    EXPECT_EQ(dyad_session_op_profile(s.get(), i, &p), DYAD_OK);
    r.kernels.push_back(p.kernel);
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(s.get(), i, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, inputs[i].size()) << "input " << i;
    if (v.size_bytes != inputs[i].size()) return r;
    std::memcpy(v.data, inputs[i].data(), v.size_bytes);
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

// n random int16 values (a quarter at the extremes) as bytes.
std::vector<uint8_t> random_s16_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> v(-32768, 32767), pick(0, 7);
  std::vector<int16_t> values(n);
  for (auto& x : values) {
    const int k = pick(rng);
    x = static_cast<int16_t>(k == 0 ? -32768 : k == 1 ? 32767 : v(rng));
  }
  std::vector<uint8_t> bytes(n * sizeof(int16_t));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

TEST(ElementwiseI16Threads, SameBytesOnEveryPathAndThreadCount) {
  Loaded l = load(int16_binary_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const size_t full = 64 * 64 * 24;
  std::vector<std::vector<uint8_t>> inputs = {
      random_s16_bytes(full, 81), random_s16_bytes(full, 82), random_s16_bytes(24, 83),
      random_s16_bytes(64 * 64, 84)};
  const std::vector<int8_t> k = random_s8(24, 85);
  inputs.emplace_back(k.begin(), k.end());
  const Result golden = run(l.model.get(), "reference", 1, false, inputs);
  ASSERT_EQ(golden.outputs.size(), 5u);
  // Not degenerate: every output spreads over int16 without clamping everywhere.
  for (size_t o = 0; o < golden.outputs.size(); ++o) {
    const std::vector<int16_t> v = values_of<int16_t>(golden.outputs[o]);
    int wide = 0, extreme = 0;
    for (int16_t x : v) {
      wide += x < -128 || x > 127;
      extreme += x == -32768 || x == 32767;
    }
    EXPECT_GT(wide, static_cast<int>(v.size()) / 2) << "output " << o;
    EXPECT_LT(extreme, static_cast<int>(v.size()) / 4) << "output " << o;
  }
  EXPECT_EQ(golden.kernels,
            (std::vector<std::string>{"qs16_add__reference", "qs16_sub__reference", "qs16_mul__reference",
                                      "qs16_add__reference", "qs16_mul__reference"}));
  int optimized_paths = 0;
  for (const char* isa : available_isas()) {
    const bool x86 = std::string(isa).find("avx") != std::string::npos;
    optimized_paths += std::string(isa) != "reference";
    for (int threads = 1; threads <= 3; ++threads) {
      for (bool split_everything : {false, true}) {
        const Result r = run(l.model.get(), isa, threads, split_everything, inputs);
        ASSERT_EQ(r.outputs.size(), golden.outputs.size());
        for (size_t i = 0; i < r.outputs.size(); ++i) {
          EXPECT_EQ(r.outputs[i], golden.outputs[i])
              << "isa " << isa << " threads " << threads << " split everything "
              << split_everything << " output " << i;
        }
        if (std::string(isa) != "reference") {
          // x86 paths run the AVX2 kernels, ARM paths the NEON ones; the
          // mixed int16 x int8 Mul stays on the reference.
          const std::string s = x86 ? "_16__avx2" : "_16__neon";
          EXPECT_EQ(r.kernels, (std::vector<std::string>{"qs16_vadd" + s, "qs16_vsub" + s,
                                                         "qs16_vmul" + s, "qs16_vadd" + s,
                                                         "qs16_mul__reference"}))
              << isa;
        }
      }
    }
  }
  RecordProperty("optimized_paths", optimized_paths);
}

}  // namespace
}  // namespace test
}  // namespace dyad
