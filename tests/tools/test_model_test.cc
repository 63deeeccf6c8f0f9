// The generated test model loads in libdyad and produces a plausible softmax:
// probabilities that sum to ~1, not all equal, not one saturated class for
// every input (what wrong multipliers would give).
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "dyad/dyad.h"
#include "tools/test_model.h"

namespace dyad {
namespace tools {
namespace {

struct Aligned {
  void operator()(void* p) const { std::free(p); }
};

class TestModel : public ::testing::Test {
 protected:
  void SetUp() override {
    TestModelOptions options;
    options.height = 32;
    options.width = 32;
    const std::vector<uint8_t> bytes = build_test_model(options);
    size_ = bytes.size();
    buffer_.reset(std::aligned_alloc(64, (size_ + 63) / 64 * 64));
    std::memcpy(buffer_.get(), bytes.data(), size_);
    ASSERT_EQ(dyad_model_load_buffer(buffer_.get(), size_, &model_), DYAD_OK) << dyad_last_error();
  }
  void TearDown() override { dyad_model_free(model_); }

  std::unique_ptr<void, Aligned> buffer_;
  size_t size_ = 0;
  dyad_model* model_ = nullptr;
};

TEST_F(TestModel, LoadsWithExpectedGraph) {
  EXPECT_EQ(dyad_model_num_inputs(model_), 1u);
  EXPECT_EQ(dyad_model_num_outputs(model_), 1u);
  EXPECT_EQ(dyad_model_num_ops(model_), 8u);
  // 16*27 + 16*9 + 16*16 + 32*16 + 10*32 int8 weights, 16+16+16+32+10 int32 biases.
  EXPECT_GE(dyad_model_weights_bytes(model_), 1664u + 4u * 90u);
  ASSERT_NE(dyad_model_metadata(model_, "producer"), nullptr);
  EXPECT_STREQ(dyad_model_metadata(model_, "producer"), "dyad-make-test-model");
}

TEST_F(TestModel, SoftmaxOutputIsPlausible) {
  dyad_session* session = nullptr;
  ASSERT_EQ(dyad_session_create(model_, nullptr, &session), DYAD_OK) << dyad_last_error();
  dyad_tensor_view in, out;
  ASSERT_EQ(dyad_session_input(session, 0, &in), DYAD_OK);
  ASSERT_EQ(in.size_bytes, 32u * 32u * 3u);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 8; ++trial) {
    auto* x = static_cast<int8_t*>(in.data);
    for (size_t i = 0; i < in.size_bytes; ++i) x[i] = static_cast<int8_t>(rng() & 0xff);
    ASSERT_EQ(dyad_session_run(session), DYAD_OK) << dyad_last_error();
    ASSERT_EQ(dyad_session_output(session, 0, &out), DYAD_OK);
    ASSERT_EQ(out.size_bytes, 10u);
    const auto* y = static_cast<const int8_t*>(out.data);
    int sum = 0, distinct = 0, best = 0;
    std::set<int> values;
    for (int c = 0; c < 10; ++c) {
      sum += y[c] + 128;  // scale 1/256, zero point -128
      values.insert(y[c]);
      if (y[c] > y[best]) best = c;
    }
    distinct = static_cast<int>(values.size());
    EXPECT_NEAR(sum, 256, 12) << "probabilities must sum to ~1";
    EXPECT_GE(distinct, 3) << "softmax output nearly constant: saturated logits?";
    EXPECT_LT(y[best], 127) << "one class takes everything: saturated logits?";
  }
  dyad_session_free(session);
}

}  // namespace
}  // namespace tools
}  // namespace dyad
