// Tests of ref::resize (eqs. 17-18): hand-derived cases, then every mode,
// nearest rounding and coordinate mode against a straightforward double
// implementation of the ONNX Resize formulas. Nearest must match exactly
// (ties are decided on the exact rational coordinate; the double golden snaps
// coordinates within 1e-9 of a multiple of 1/2). Bilinear must satisfy the
// bound derived in resize.cc: |out - exact| <= 1/2 + 255/2048.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"

namespace dyad {
namespace {

constexpr double kResizeBilinearBound = 0.5 + 255.0 / 2048.0;

std::vector<int8_t> resize_run(ResizeParams p, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels);
  ref::resize(p, in.data(), out.data());
  return out;
}

// A 1 x 1 x in_w x 1 resize along W only.
ResizeParams resize_row(int32_t in_w, int32_t out_w, ResizeMode mode, CoordinateMode cm,
                        NearestRounding nr = NearestRounding::kRoundPreferFloor) {
  ResizeParams p;
  p.batch = 1;
  p.in_h = p.out_h = 1;
  p.in_w = in_w;
  p.out_w = out_w;
  p.channels = 1;
  p.mode = mode;
  p.coordinate_mode = cm;
  p.nearest_rounding = nr;
  return p;
}

TEST(RefResize, HandDerivedNearest) {
  // Asymmetric, scale 2, floor: plain pixel duplication.
  EXPECT_EQ(resize_run(resize_row(2, 4, ResizeMode::kNearest, CoordinateMode::kAsymmetric,
                                  NearestRounding::kFloor),
                       {10, 20}),
            (std::vector<int8_t>{10, 10, 20, 20}));
  // Asymmetric, scale 2: coordinates 0, .5, 1, 1.5, ..., 3.5 hit exact ties.
  const std::vector<int8_t> in = {0, 1, 2, 3};
  const struct {
    NearestRounding nr;
    std::vector<int8_t> want;
  } cases[] = {
      {NearestRounding::kRoundPreferFloor, {0, 0, 1, 1, 2, 2, 3, 3}},
      {NearestRounding::kRoundPreferCeil, {0, 1, 1, 2, 2, 3, 3, 3}},
      {NearestRounding::kFloor, {0, 0, 1, 1, 2, 2, 3, 3}},
      {NearestRounding::kCeil, {0, 1, 1, 2, 2, 3, 3, 3}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(resize_run(resize_row(4, 8, ResizeMode::kNearest, CoordinateMode::kAsymmetric, c.nr), in),
              c.want)
        << static_cast<int>(c.nr);
  }
  // Half-pixel downsample by 2: coordinates 2x + 1/2, ties again.
  EXPECT_EQ(resize_run(resize_row(4, 2, ResizeMode::kNearest, CoordinateMode::kHalfPixel,
                                  NearestRounding::kRoundPreferFloor),
                       in),
            (std::vector<int8_t>{0, 2}));
  EXPECT_EQ(resize_run(resize_row(4, 2, ResizeMode::kNearest, CoordinateMode::kHalfPixel,
                                  NearestRounding::kRoundPreferCeil),
                       in),
            (std::vector<int8_t>{1, 3}));
}

TEST(RefResize, HandDerivedBilinear) {
  // Half-pixel 2 -> 4: coordinates -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  EXPECT_EQ(resize_run(resize_row(2, 4, ResizeMode::kBilinear, CoordinateMode::kHalfPixel), {0, 100}),
            (std::vector<int8_t>{0, 25, 75, 100}));
  // Align corners 3 -> 5: coordinates 0, .5, 1, 1.5, 2.
  EXPECT_EQ(resize_run(resize_row(3, 5, ResizeMode::kBilinear, CoordinateMode::kAlignCorners),
                       {0, 10, 100}),
            (std::vector<int8_t>{0, 5, 10, 55, 100}));
  // Halves round away from zero on both signs.
  EXPECT_EQ(resize_run(resize_row(2, 3, ResizeMode::kBilinear, CoordinateMode::kAlignCorners), {-1, -2}),
            (std::vector<int8_t>{-1, -2, -2}));
  EXPECT_EQ(resize_run(resize_row(2, 3, ResizeMode::kBilinear, CoordinateMode::kAlignCorners), {1, 2}),
            (std::vector<int8_t>{1, 2, 2}));
  EXPECT_EQ(resize_run(resize_row(2, 4, ResizeMode::kBilinear, CoordinateMode::kHalfPixel), {-1, -2}),
            (std::vector<int8_t>{-1, -1, -2, -2}));
  // 2x2 -> 3x3 align corners: the centre is the mean of the four corners.
  ResizeParams p = resize_row(2, 3, ResizeMode::kBilinear, CoordinateMode::kAlignCorners);
  p.in_h = 2;
  p.out_h = 3;
  EXPECT_EQ(resize_run(p, {0, 40, 80, 120}),
            (std::vector<int8_t>{0, 20, 40, 40, 60, 80, 80, 100, 120}));
}

// ---- The double golden: ONNX Resize formulas, written directly.

double resize_golden_coordinate(CoordinateMode cm, int x, int in_len, int out_len, double scale) {
  switch (cm) {
    case CoordinateMode::kHalfPixel: return (x + 0.5) / scale - 0.5;
    case CoordinateMode::kAlignCorners:
      return out_len == 1 ? 0.0 : x * static_cast<double>(in_len - 1) / (out_len - 1);
    case CoordinateMode::kAsymmetric: return x / scale;
    case CoordinateMode::kPytorchHalfPixel: return out_len > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  }
  return 0.0;
}

int resize_golden_nearest(double c, NearestRounding nr, int in_len) {
  // Coordinates are rationals; undo float noise around integers and halves.
  const double twice = std::round(2.0 * c);
  if (std::fabs(2.0 * c - twice) < 1e-9) c = twice / 2.0;
  const bool tie = std::fabs(c - std::floor(c) - 0.5) < 1e-12;
  double i = 0;
  switch (nr) {
    case NearestRounding::kRoundPreferFloor: i = tie ? std::floor(c) : std::round(c); break;
    case NearestRounding::kRoundPreferCeil: i = tie ? std::ceil(c) : std::round(c); break;
    case NearestRounding::kFloor: i = std::floor(c); break;
    case NearestRounding::kCeil: i = std::ceil(c); break;
  }
  return static_cast<int>(std::min<double>(std::max<double>(i, 0.0), in_len - 1));
}

struct ResizeTap {
  int i0, i1;
  double w1;
};

ResizeTap resize_golden_linear(double c, int in_len) {
  c = std::min<double>(std::max(c, 0.0), in_len - 1);
  const int i0 = static_cast<int>(std::floor(c));
  return {i0, std::min(i0 + 1, in_len - 1), c - i0};
}

// Exact (double) output value of the resize, before any rounding.
std::vector<double> resize_golden(const ResizeParams& p, const std::vector<int8_t>& in) {
  const double sh = p.scale_h_num > 0 ? static_cast<double>(p.scale_h_num) / p.scale_h_den
                                      : static_cast<double>(p.out_h) / p.in_h;
  const double sw = p.scale_w_num > 0 ? static_cast<double>(p.scale_w_num) / p.scale_w_den
                                      : static_cast<double>(p.out_w) / p.in_w;
  std::vector<double> out;
  auto at = [&](int n, int y, int x, int c) {
    return static_cast<double>(in[((static_cast<size_t>(n) * p.in_h + y) * p.in_w + x) * p.channels + c]);
  };
  for (int n = 0; n < p.batch; ++n) {
    for (int y = 0; y < p.out_h; ++y) {
      for (int x = 0; x < p.out_w; ++x) {
        const double cy = resize_golden_coordinate(p.coordinate_mode, y, p.in_h, p.out_h, sh);
        const double cx = resize_golden_coordinate(p.coordinate_mode, x, p.in_w, p.out_w, sw);
        for (int c = 0; c < p.channels; ++c) {
          if (p.mode == ResizeMode::kNearest) {
            out.push_back(at(n, resize_golden_nearest(cy, p.nearest_rounding, p.in_h),
                             resize_golden_nearest(cx, p.nearest_rounding, p.in_w), c));
            continue;
          }
          const ResizeTap ty = resize_golden_linear(cy, p.in_h);
          const ResizeTap tx = resize_golden_linear(cx, p.in_w);
          const double top = (1 - tx.w1) * at(n, ty.i0, tx.i0, c) + tx.w1 * at(n, ty.i0, tx.i1, c);
          const double bottom = (1 - tx.w1) * at(n, ty.i1, tx.i0, c) + tx.w1 * at(n, ty.i1, tx.i1, c);
          out.push_back((1 - ty.w1) * top + ty.w1 * bottom);
        }
      }
    }
  }
  return out;
}

struct ResizeAxisCase {
  int32_t in, out, num, den;  // num = den = 0: scale = out / in
};

// Upsampling, downsampling, non-integer ratios, an explicit scale that is not
// out/in (ONNX: out = floor(in * scale)), and extents of 1.
const ResizeAxisCase kResizeAxisCases[] = {
    {4, 8, 0, 0}, {3, 7, 0, 0}, {8, 4, 0, 0}, {7, 3, 0, 0}, {5, 5, 0, 0}, {1, 4, 0, 0},
    {4, 1, 0, 0}, {3, 7, 5, 2}, {5, 11, 7, 3}, {9, 4, 1, 2}, {6, 9, 3, 2}, {10, 3, 1, 3},
};

TEST(RefResize, EveryModeAgainstDoubleOnnxFormulas) {
  std::mt19937 rng(21);
  const CoordinateMode coordinate_modes[] = {CoordinateMode::kHalfPixel, CoordinateMode::kAlignCorners,
                                             CoordinateMode::kAsymmetric,
                                             CoordinateMode::kPytorchHalfPixel};
  const NearestRounding roundings[] = {NearestRounding::kRoundPreferFloor,
                                       NearestRounding::kRoundPreferCeil, NearestRounding::kFloor,
                                       NearestRounding::kCeil};
  size_t bilinear_values = 0, bilinear_not_nearest_integer = 0;
  for (CoordinateMode cm : coordinate_modes) {
    for (int variant = 0; variant < 5; ++variant) {  // 4 nearest roundings + bilinear
      const bool bilinear = variant == 4;
      for (const ResizeAxisCase& h : kResizeAxisCases) {
        for (const ResizeAxisCase& w : kResizeAxisCases) {
          ResizeParams p;
          p.batch = 2;
          p.channels = 3;
          p.in_h = h.in;
          p.out_h = h.out;
          p.scale_h_num = h.num;
          p.scale_h_den = h.den;
          p.in_w = w.in;
          p.out_w = w.out;
          p.scale_w_num = w.num;
          p.scale_w_den = w.den;
          p.mode = bilinear ? ResizeMode::kBilinear : ResizeMode::kNearest;
          p.coordinate_mode = cm;
          p.nearest_rounding = bilinear ? NearestRounding::kRoundPreferFloor : roundings[variant];
          const auto in = golden::random_int8(
              rng, static_cast<size_t>(p.batch) * p.in_h * p.in_w * p.channels);
          const auto got = resize_run(p, in);
          const auto exact = resize_golden(p, in);
          // Any split of the output rows (as threads run it) gives the same bytes.
          std::vector<int8_t> split(got.size(), 0x55);
          const int64_t rows = int64_t{p.batch} * p.out_h;
          const int64_t cut = std::uniform_int_distribution<int64_t>(0, rows)(rng);
          ref::resize_rows(p, in.data(), split.data(), cut, rows);
          ref::resize_rows(p, in.data(), split.data(), 0, cut);
          ASSERT_EQ(split, got) << "rows split at " << cut;
          ASSERT_EQ(got.size(), exact.size());
          for (size_t i = 0; i < got.size(); ++i) {
            if (!bilinear) {
              ASSERT_EQ(got[i], exact[i]) << "cm " << static_cast<int>(cm) << " rounding "
                                          << variant << " h " << h.in << "->" << h.out << " w "
                                          << w.in << "->" << w.out << " i " << i;
              continue;
            }
            ASSERT_LE(std::fabs(got[i] - exact[i]), kResizeBilinearBound + 1e-9)
                << "cm " << static_cast<int>(cm) << " h " << h.in << "->" << h.out << " w "
                << w.in << "->" << w.out << " i " << i << " exact " << exact[i];
            ++bilinear_values;
            if (got[i] != golden::round_and_clamp(exact[i], 0, -128, 127)) {
              ++bilinear_not_nearest_integer;
            }
          }
        }
      }
    }
  }
  // Off by one from round(exact) only within 0.125 of a tie: rare.
  EXPECT_LT(bilinear_not_nearest_integer * 50, bilinear_values)
      << bilinear_not_nearest_integer << " of " << bilinear_values;
}

TEST(RefResize, LargeUpsampleStaysWithinBound) {
  // Many distinct fractional positions (scale 37/5) and extreme values, where
  // the 11-bit weight rounding matters most.
  std::mt19937 rng(22);
  for (CoordinateMode cm : {CoordinateMode::kHalfPixel, CoordinateMode::kAlignCorners,
                            CoordinateMode::kAsymmetric, CoordinateMode::kPytorchHalfPixel}) {
    ResizeParams p;
    p.in_h = 5;
    p.in_w = 6;
    p.out_h = 37;
    p.out_w = 44;
    p.scale_h_num = 37;
    p.scale_h_den = 5;
    p.channels = 2;
    p.mode = ResizeMode::kBilinear;
    p.coordinate_mode = cm;
    std::vector<int8_t> in(static_cast<size_t>(p.in_h) * p.in_w * p.channels);
    for (auto& v : in) v = golden::uniform_int(rng, 0, 1) ? 127 : -128;
    const auto got = resize_run(p, in);
    const auto exact = resize_golden(p, in);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_LE(std::fabs(got[i] - exact[i]), kResizeBilinearBound + 1e-9) << i;
    }
  }
}

}  // namespace
}  // namespace dyad
