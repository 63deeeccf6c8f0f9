// A small but realistic int8 CNN written as a .dyad file, for tests, CI and
// the README until the converter produces real models:
//   input [1,H,W,3] -> conv 3x3 s2 (16, ReLU6) -> depthwise 3x3 (ReLU6)
//   -> conv 1x1 (16) -> add residual -> conv 1x1 (32, ReLU)
//   -> mean over H,W -> fully connected 10 -> softmax.
// Weights are deterministic pseudo-random (He-uniform, per-channel int8);
// activation scales follow the variance of that initialization, so outputs
// use the int8 range without saturating.
#pragma once

#include <cstdint>
#include <vector>

namespace dyad {
namespace tools {

struct TestModelOptions {
  int32_t height = 64;
  int32_t width = 64;
  uint64_t seed = 1;
};

// The complete .dyad file. Offline code: uses double for scales.
std::vector<uint8_t> build_test_model(const TestModelOptions& options);

}  // namespace tools
}  // namespace dyad
