// Sample loading (converter/cli/samples.cc): uint8 .npy samples are pixels and
// get the same normalization as images; calibration windows.
#include <gtest/gtest.h>

#include <filesystem>

#include "converter/cli/npy.h"
#include "converter/cli/samples.h"

namespace dyad::convert {
namespace {

namespace fs = std::filesystem;

class SamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dyad_samples_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SamplesTest, Uint8NpyInTheInputShapeIsNormalizedLikeAnImage) {
  NpyArray a;
  a.dtype = "u1";
  a.shape = {2, 2, 2, 3};  // two NHWC samples of the input shape
  for (int k = 0; k < 24; ++k) a.bytes.push_back(uint8_t(k * 10));
  const std::string path = (dir_ / "px.npy").string();
  WriteNpy(path, a);
  InputSpec spec;
  spec.name = "x";
  spec.shape = {1, 2, 2, 3};
  spec.nhwc = true;
  spec.mean = {100, 110, 120};
  spec.std = {2, 4, 5};
  const std::vector<Sample> s = LoadSamples(path, spec, 0);
  ASSERT_EQ(s.size(), 2u);
  for (size_t k = 0; k < 2; ++k)
    for (size_t e = 0; e < 12; ++e) {
      const float p = float((k * 12 + e) * 10);
      EXPECT_EQ(s[k].pixels[e], uint8_t(p));
      EXPECT_FLOAT_EQ(s[k].value.f[e], (p - spec.mean[e % 3]) / spec.std[e % 3]) << k << " " << e;
    }
  // Without mean/std the pixels are fed as 0..255 values.
  spec.mean.clear();
  spec.std.clear();
  EXPECT_FLOAT_EQ(LoadSamples(path, spec, 0)[1].value.f[5], 170.0f);
}

TEST_F(SamplesTest, WindowsPerImageAreBoundedAndCounted) {
  NpyArray a;
  a.dtype = "u1";
  a.shape = {3, 5, 5};  // a batch of grey images of another size: not windowed
  a.bytes.assign(75, 9);
  const std::string path = (dir_ / "imgs.npy").string();
  WriteNpy(path, a);
  InputSpec spec;
  spec.name = "x";
  spec.shape = {1, 4, 4, 1};
  spec.nhwc = true;
  EXPECT_EQ(LoadSamples(path, spec, 0, 8).size(), 3u);
  EXPECT_THROW(LoadSamples(path, spec, 0, 0), std::exception);
  EXPECT_THROW(LoadSamples(path, spec, 0, kImageWindows + 1), std::exception);
}

}  // namespace
}  // namespace dyad::convert
