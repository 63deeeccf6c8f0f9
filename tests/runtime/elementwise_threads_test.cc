// Add / Sub / Mul through a session: every broadcast form gives the same
// bytes on every ISA path and at 1, 2 and 3 threads (default split and every
// op split), and the profile names the optimized kernel where one runs.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/test_models.h"

namespace dyad {
namespace test {
namespace {

using fb::OperatorOptions;

std::vector<uint8_t> binary_model(OperatorOptions type, const std::vector<int32_t>& a_shape,
                                  const std::vector<int32_t>& b_shape,
                                  const std::vector<int32_t>& out_shape) {
  ModelBuilder m;
  auto& b = m.fbb();
  const int32_t a = m.tensor("a", a_shape, fb::DType::INT8, -7);
  const int32_t c = m.tensor("b", b_shape, fb::DType::INT8, 12);
  const int32_t y = m.tensor("y", out_shape, fb::DType::INT8, -3);
  Offset<void> opts;
  if (type == OperatorOptions::AddOptions) {
    opts = fb::CreateAddOptions(b, 20, 1073741824, 0, 1500000000, -1, 1300000000, -19, -128, 127)
               .Union();
  } else if (type == OperatorOptions::SubOptions) {
    opts = fb::CreateSubOptions(b, 20, 1400000000, -1, 1073741824, 0, 1200000000, -19, -100, 110)
               .Union();
  } else {
    opts = fb::CreateMulOptions(b, 1400000000, -7, -128, 100).Union();
  }
  m.op("op", type, opts, {a, c}, {y});
  m.inputs({a, c});
  m.outputs({y});
  return m.finish();
}

struct Outcome {
  std::vector<uint8_t> output;
  std::string kernel;
};

Outcome run_once(dyad_model* model, const char* isa, int threads, bool split_everything,
                 const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
  Outcome r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  dyad_op_profile p;
  EXPECT_EQ(dyad_session_op_profile(s.get(), 0, &p), DYAD_OK);
  r.kernel = p.kernel;
  const std::vector<int8_t>* inputs[2] = {&a, &b};
  for (size_t i = 0; i < 2; ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(s.get(), i, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, inputs[i]->size());
    if (v.size_bytes != inputs[i]->size()) return r;
    std::memcpy(v.data, inputs[i]->data(), v.size_bytes);
  }
  EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
  dyad_tensor_view out;
  EXPECT_EQ(dyad_session_output(s.get(), 0, &out), DYAD_OK);
  const auto* bytes = static_cast<const uint8_t*>(out.data);
  r.output.assign(bytes, bytes + out.size_bytes);
  return r;
}

int64_t elements(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

void expect_same_everywhere(OperatorOptions type, const std::vector<int32_t>& a_shape,
                            const std::vector<int32_t>& b_shape,
                            const std::vector<int32_t>& out_shape) {
  const std::string what = std::string(fb::EnumNameOperatorOptions(type)) + " " +
                           std::to_string(elements(a_shape)) + "+" +
                           std::to_string(elements(b_shape)) + "->" +
                           std::to_string(elements(out_shape));
  Loaded l = load(binary_model(type, a_shape, b_shape, out_shape));
  ASSERT_EQ(l.status, DYAD_OK) << what << ": " << l.message;
  const auto a = random_s8(static_cast<size_t>(elements(a_shape)), 31);
  const auto b = random_s8(static_cast<size_t>(elements(b_shape)), 32);
  const Outcome golden = run_once(l.model.get(), "reference", 1, false, a, b);
  ASSERT_EQ(golden.output.size(), static_cast<size_t>(elements(out_shape))) << what;
  const char* family = type == OperatorOptions::AddOptions   ? "qs8_vadd_16__"
                       : type == OperatorOptions::SubOptions ? "qs8_vsub_16__"
                                                             : "qs8_vmul_16__";
  for (const char* isa : available_isas()) {
    for (int threads = 1; threads <= 3; ++threads) {
      for (bool split_everything : {false, true}) {
        const Outcome r = run_once(l.model.get(), isa, threads, split_everything, a, b);
        EXPECT_EQ(r.output, golden.output) << what << " isa " << isa << " threads " << threads
                                           << " split everything " << split_everything;
        if (std::string(isa) != "reference") {
          EXPECT_EQ(r.kernel.rfind(family, 0), 0u) << what << " isa " << isa << ": " << r.kernel;
        }
      }
    }
  }
}

const OperatorOptions kOps[] = {OperatorOptions::AddOptions, OperatorOptions::SubOptions,
                                OperatorOptions::MulOptions};

TEST(ElementwiseThreads, SameShapes) {
  for (OperatorOptions op : kOps) {
    expect_same_everywhere(op, {1, 64, 64, 24}, {1, 64, 64, 24}, {1, 64, 64, 24});
    expect_same_everywhere(op, {1, 8, 8, 96}, {1, 8, 8, 96}, {1, 8, 8, 96});
    expect_same_everywhere(op, {37}, {37}, {37});
  }
}

TEST(ElementwiseThreads, Broadcasts) {
  for (OperatorOptions op : kOps) {
    expect_same_everywhere(op, {1, 16, 16, 88}, {88}, {1, 16, 16, 88});       // per channel
    expect_same_everywhere(op, {1}, {1, 32, 32, 36}, {1, 32, 32, 36});        // scalar a
    expect_same_everywhere(op, {1, 32, 32, 36}, {1, 32, 32, 1}, {1, 32, 32, 36});  // per pixel
    expect_same_everywhere(op, {2, 1, 3, 5}, {2, 4, 1, 5}, {2, 4, 3, 5});     // middle dims
    expect_same_everywhere(op, {64, 1, 130}, {1, 65, 1}, {64, 65, 130});      // outer product
  }
}

}  // namespace
}  // namespace test
}  // namespace dyad
