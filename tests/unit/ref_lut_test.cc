// Tests of ref::lut_s8 / ref::lut_u8 (eq. 13): every one of the 256 inputs
// indexes the right entry, for a table built from a real function; and of
// ref::lut_s16 (eq. 13b) on all 65536 int16 inputs.
#include <cmath>
#include <algorithm>
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

// Eq. 13b by hand, in int64: T[j] + floor(((T[j+1] - T[j]) * t + 64) / 128).
int64_t Interpolate(const std::vector<int16_t>& table, int q) {
  const int64_t u = q + 32768, j = u / 128, t = u % 128;
  const int64_t d = int64_t{table[j + 1]} - table[j];
  int64_t num = d * t + 64, step = num / 128;
  if (num % 128 != 0 && num < 0) --step;  // floor, not truncation
  return table[j] + step;
}

TEST(RefLut, Int16InterpolatesEveryInput) {
  // Sample points at both int16 extremes and steep steps of both signs.
  std::vector<int16_t> table(513);
  for (int j = 0; j <= 512; ++j) table[j] = static_cast<int16_t>(j % 3 == 0 ? 32767 : j % 3 == 1 ? -32768 : (j * 97) % 2000);
  std::vector<int16_t> in(65536);
  for (int q = -32768; q <= 32767; ++q) in[q + 32768] = static_cast<int16_t>(q);
  std::vector<int16_t> out(in.size());
  ref::lut_s16(in.data(), static_cast<int64_t>(in.size()), table.data(), out.data());
  for (int q = -32768; q <= 32767; ++q) {
    const int64_t want = Interpolate(table, q);
    ASSERT_EQ(out[q + 32768], want) << "q " << q;
    const int j = (q + 32768) / 128;
    // Between its two samples, so never outside int16.
    EXPECT_GE(want, std::min(table[j], table[j + 1]));
    EXPECT_LE(want, std::max(table[j], table[j + 1]));
  }
  EXPECT_EQ(out[0], table[0]);         // q = -32768 is sample 0 itself
  EXPECT_EQ(out[32768], table[256]);   // q = 0 is sample 256
}

TEST(RefLut, Int16SigmoidWithinOneStep) {
  // Input S = 8/32767 (|x| <= 8), output S = 1/32767: interpolating 513
  // samples of a smooth function is within one output step of the correctly
  // rounded value everywhere.
  const double s_in = 8.0 / 32767, s_out = 1.0 / 32767;
  std::vector<int16_t> table(513);
  for (int j = 0; j <= 512; ++j) {
    const double x = s_in * (-32768.0 + 128.0 * j);
    table[j] = static_cast<int16_t>(golden::round_and_clamp(1.0 / (1.0 + std::exp(-x)) / s_out, 0, -32768, 32767));
  }
  std::vector<int16_t> in(65536), out(65536);
  for (int q = -32768; q <= 32767; ++q) in[q + 32768] = static_cast<int16_t>(q);
  ref::lut_s16(in.data(), 65536, table.data(), out.data());
  for (int q = -32768; q <= 32767; ++q) {
    const double exact = 1.0 / (1.0 + std::exp(-s_in * q)) / s_out;
    ASSERT_LE(std::fabs(out[q + 32768] - exact), 1.5) << "q " << q;
  }
}

}  // namespace
}  // namespace dyad
