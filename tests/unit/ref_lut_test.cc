// Tests of ref::lut_s8 / ref::lut_u8 (eq. 13): every one of the 256 inputs
// indexes the right entry, for a table built from a real function.
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

TEST(RefLut, SignedInputIndexesQPlus128) {
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>(127 - i);  // reversal
  std::vector<int8_t> in(256);
  for (int i = 0; i < 256; ++i) in[i] = static_cast<int8_t>(i - 128);
  std::vector<int8_t> out(256);
  ref::lut_s8(in.data(), 256, table.data(), out.data());
  for (int i = 0; i < 256; ++i) EXPECT_EQ(out[i], 127 - i) << "q " << i - 128;
  EXPECT_EQ(out.front(), 127);  // q = -128 -> T[0]
  EXPECT_EQ(out.back(), -128);  // q = 127 -> T[255]
}

TEST(RefLut, UnsignedInputIndexesQ) {
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>((i * 37) % 256 - 128);
  std::vector<uint8_t> in = {0, 1, 128, 254, 255, 7};
  std::vector<int8_t> out(in.size());
  ref::lut_u8(in.data(), static_cast<int64_t>(in.size()), table.data(), out.data());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], table[in[i]]);
}

TEST(RefLut, SigmoidTableMatchesDoubleGolden) {
  // Input S = 0.1, Z = -10; output S = 1/256, Z = -128 (the usual sigmoid output).
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) {
    const double x = 0.1 * ((i - 128) + 10);  // dequantized input
    const double y = 1.0 / (1.0 + std::exp(-x));
    table[i] = static_cast<int8_t>(golden::round_and_clamp(y * 256.0, -128, -128, 127));
  }
  std::vector<int8_t> in = {-128, -10, 0, 50, 127};
  std::vector<int8_t> out(in.size());
  ref::lut_s8(in.data(), static_cast<int64_t>(in.size()), table.data(), out.data());
  // sigmoid(-11.8) ~ 7.5e-6 -> -128; sigmoid(0) = 0.5 -> 0; sigmoid(1) -> 187.1 -> 59;
  // sigmoid(6) -> 255.4 -> 127; sigmoid(13.7) -> 127 (clamped).
  EXPECT_EQ(out, (std::vector<int8_t>{-128, 0, 59, 127, 127}));
}

}  // namespace
}  // namespace dyad
