// Optimized Mean / MaxPool / table kernels (kernels/pool_kernels.h) against
// the reference kernels, tolerance 0, on every path this build and CPU run
// (others are skipped): random and edge shapes, channel counts around the
// vector widths, windows 1x1..5x5 and global, strides, dilation, padding on
// every side, zero points -128/127, extreme multipliers and shifts, and
// random splits of the work (any split must give the same bytes).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace {

class PoolKernels : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " kernels are not built in this configuration";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not support " << isa_name(GetParam());
    }
  }
};

int32_t uniform(std::mt19937& rng, int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
}

std::vector<int8_t> random_s8(std::mt19937& rng, size_t n, int mode) {
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    // 0: uniform; 1: all -128; 2: all 127; 3: mostly extremes.
    const int32_t r = mode == 1 ? -128 : mode == 2 ? 127
                      : mode == 3 ? (uniform(rng, 0, 3) == 0 ? uniform(rng, -128, 127)
                                                             : (uniform(rng, 0, 1) ? 127 : -128))
                                  : uniform(rng, -128, 127);
    x = static_cast<int8_t>(r);
  }
  return v;
}

// Splits [0, n) into random consecutive parts and calls fn on each.
template <typename F>
void random_split(std::mt19937& rng, int64_t n, F&& fn) {
  int64_t begin = 0;
  while (begin < n) {
    const int64_t end = std::min<int64_t>(n, begin + uniform(rng, 1, 4));
    fn(begin, end);
    begin = end;
  }
}

struct Requant {
  int32_t multiplier, shift;
};

Requant random_requant(std::mt19937& rng, int i) {
  static const Requant kEdges[] = {{1 << 30, 0},          {INT32_MAX, 0},       {1 << 30, -31},
                                   {INT32_MAX, -31},      {1 << 30, 30},        {INT32_MAX, 30},
                                   {1518500250, -7},      {0, 0},               {1073741825, 3},
                                   {2147483000, -1}};
  if (i < 10) return kEdges[i];
  return {uniform(rng, 1 << 30, INT32_MAX), uniform(rng, -31, 8)};
}

int32_t zero_point(std::mt19937& rng, int i) {
  return i % 3 == 0 ? -128 : i % 3 == 1 ? 127 : uniform(rng, -128, 127);
}

// ---------------------------------------------------------------- Mean

void check_mean(Isa isa, std::mt19937& rng, const Shape& shape, std::vector<int> axes, int i,
                bool expect_plan) {
  MeanParams p;
  p.in = shape;
  for (int a : axes) p.reduce[a] = true;
  p.input_zero_point = zero_point(rng, i);
  p.output_zero_point = zero_point(rng, i / 3);
  const Requant rq = random_requant(rng, i % 14);
  p.multiplier = rq.multiplier;
  p.shift = rq.shift;
  MeanPlan plan;
  const bool planned = mean_plan(isa, p, &plan);
  ASSERT_EQ(planned, expect_plan);
  if (!planned) return;
  const auto input = random_s8(rng, static_cast<size_t>(shape.elements()), i % 4);
  const size_t out_n = static_cast<size_t>(plan.outer * plan.inner);
  std::vector<int8_t> want(out_n, 0x5a), got(out_n, 0x5a);
  ref::mean(p, input.data(), want.data());
  random_split(rng, plan.units, [&](int64_t b, int64_t e) {
    mean_run(plan, p, input.data(), got.data(), b, e);
  });
  ASSERT_EQ(got, want) << "mean case " << i << " kernel " << plan.kernel << " zin "
                       << p.input_zero_point << " zout " << p.output_zero_point << " M0 "
                       << p.multiplier << " shift " << p.shift;
}

Shape shape_of(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

// int16 data (W8A16 models, Z = 0): the whole int16 range, the extremes
// often, up to the 65536-row limit.
void check_mean16(Isa isa, std::mt19937& rng, const Shape& shape, std::vector<int> axes, int i) {
  MeanParams p;
  p.type = DType::kInt16;
  p.in = shape;
  for (int a : axes) p.reduce[a] = true;
  const Requant rq = random_requant(rng, i % 14);
  p.multiplier = rq.multiplier;
  p.shift = rq.shift;
  MeanPlan plan;
  // Every path has an int16 Mean kernel; inner < 8 stays on ref::mean.
  int64_t inner = 1;
  for (int d = axes.back() + 1; d < shape.rank; ++d) inner *= shape.dims[d];
  const bool planned = mean_plan(isa, p, &plan);
  ASSERT_EQ(planned, inner >= 8) << "int16 mean case " << i << " inner " << inner;
  if (!planned) return;
  const bool arm = isa == Isa::kNeon || isa == Isa::kNeonDot || isa == Isa::kI8mm;
  EXPECT_STREQ(plan.kernel, arm ? "qs16_gavgpool_c16__neon" : "qs16_gavgpool_c16__avx2");
  std::vector<int16_t> input(static_cast<size_t>(shape.elements()));
  const bool extremes = i % 3 == 0;  // all one extreme: the largest sums
  for (auto& v : input) {
    v = static_cast<int16_t>(extremes ? (i % 2 ? 32767 : -32768) : uniform(rng, -32768, 32767));
  }
  const size_t out_n = static_cast<size_t>(plan.outer * plan.inner);
  std::vector<int16_t> want(out_n, 0x5a5a), got(out_n, 0x5a5a);
  ref::mean(p, input.data(), want.data());
  random_split(rng, plan.units, [&](int64_t b, int64_t e) {
    mean_run(plan, p, input.data(), got.data(), b, e);
  });
  ASSERT_EQ(got, want) << "int16 mean case " << i << " kernel " << plan.kernel << " M0 "
                       << p.multiplier << " shift " << p.shift;
}

TEST_P(PoolKernels, MeanInt16MatchesReference) {
  std::mt19937 rng(13);
  int i = 0;
  for (int32_t c = 8; c <= 70; ++c) {
    check_mean16(GetParam(), rng, shape_of({uniform(rng, 1, 2), uniform(rng, 1, 9), uniform(rng, 1, 9), c}),
                 {1, 2}, i++);
  }
  for (int32_t c : {16, 24, 96, 120, 33}) check_mean16(GetParam(), rng, shape_of({1, 6, 24, c}), {1, 2}, i++);
  check_mean16(GetParam(), rng, shape_of({1, 256, 256, 8}), {1, 2}, i++);  // 65536 rows, at the limit
  check_mean16(GetParam(), rng, shape_of({1, 256, 256, 8}), {1, 2}, 3 * 7);  // and all 32767
}

// Channel counts 1..40 around the 8 / 16-lane blocks (1..7: the plan refuses,
// ref::mean), odd and even row counts (the NEON kernel adds two rows per
// step), the whole int16 range and all-extreme inputs with every edge
// multiplier / shift, several images; then 65536 rows (the limit, where
// |sum| reaches 2^31) of every channel count around the blocks, all at
// -32768 (sum exactly -2^31) or 32767.
TEST_P(PoolKernels, MeanInt16ChannelsAndLargeReductions) {
  std::mt19937 rng(14);
  int i = 0;
  for (int32_t c = 1; c <= 40; ++c) {
    for (int k = 0; k < 4; ++k) {
      check_mean16(GetParam(), rng,
                   shape_of({uniform(rng, 1, 3), uniform(rng, 1, 7), uniform(rng, 1, 7), c}), {1, 2},
                   i++);
      if (HasFatalFailure()) return;
    }
  }
  // Case numbers pick the inputs (i % 3 == 0: all -32768 when i is even,
  // all 32767 when odd) and the multiplier (random_requant(i % 14)).
  for (int32_t rows : {1, 2, 3, 255, 256, 257, 4097}) {
    for (int k : {0, 3, 6, 9, 2, 4, 8, 11, 13}) {
      check_mean16(GetParam(), rng, shape_of({1, rows, 24}), {1}, k);
      check_mean16(GetParam(), rng, shape_of({2, rows, 17}), {1}, k);
    }
  }
  int k = 0;
  for (int32_t c : {8, 15, 16, 17, 24, 33}) {
    const int low[] = {0, 6, 12}, high[] = {3, 9, 15};
    check_mean16(GetParam(), rng, shape_of({1, 65536, c}), {1}, low[k % 3]);    // sum -2^31
    check_mean16(GetParam(), rng, shape_of({1, 65536, c}), {1}, high[k % 3]);   // all 32767
    check_mean16(GetParam(), rng, shape_of({1, 256, 256, c}), {1, 2}, 5 + k);  // random
    ++k;
    if (HasFatalFailure()) return;
  }
}

TEST_P(PoolKernels, MeanGlobalAveragePoolMatchesReference) {
  std::mt19937 rng(11);
  int i = 0;
  for (int32_t c = 8; c <= 100; ++c) {
    const int32_t h = uniform(rng, 1, 9), w = uniform(rng, 1, 9);
    check_mean(GetParam(), rng, shape_of({uniform(rng, 1, 2), h, w, c}), {1, 2}, i++, true);
  }
  for (int32_t c : {128, 160, 1280, 960, 33, 63, 65}) {
    check_mean(GetParam(), rng, shape_of({1, 7, 7, c}), {1, 2}, i++, true);
  }
  // Rows around the int16 pass (256 rows) and many rows.
  for (int32_t hw : {15, 16, 17, 40}) {
    for (int k = 0; k < 6; ++k) {
      check_mean(GetParam(), rng, shape_of({1, hw, hw, 40}), {1, 2}, i++, true);
    }
  }
  // Other contiguous runs of axes; inner < 8 and split runs use the reference.
  check_mean(GetParam(), rng, shape_of({3, 5, 24}), {1}, i++, true);
  check_mean(GetParam(), rng, shape_of({5, 24}), {0}, i++, true);
  check_mean(GetParam(), rng, shape_of({2, 3, 4, 9, 2}), {1, 2}, i++, true);
  check_mean(GetParam(), rng, shape_of({2, 3, 4, 5}), {1, 2}, i++, false);
  check_mean(GetParam(), rng, shape_of({2, 3, 4, 16}), {1, 3}, i++, false);
  check_mean(GetParam(), rng, shape_of({2, 3, 64}), {2}, i++, false);
}

TEST_P(PoolKernels, MeanExtremeSumsAndMultipliers) {
  std::mt19937 rng(12);
  for (int i = 0; i < 200; ++i) {
    const int32_t c = uniform(rng, 8, 70);
    check_mean(GetParam(), rng, shape_of({1, uniform(rng, 1, 20), uniform(rng, 1, 20), c}),
               {1, 2}, i, true);
  }
}

// ---------------------------------------------------------------- MaxPool

// Output size and validity as runtime/ops/pool.cc's verifier computes them.
bool make_pool(PoolParams* p, int32_t pad_bottom, int32_t pad_right) {
  const int32_t eh = p->dilation_h * (p->kernel_h - 1) + 1;
  const int32_t ew = p->dilation_w * (p->kernel_w - 1) + 1;
  if (p->pad_top >= eh || pad_bottom >= eh || p->pad_left >= ew || pad_right >= ew) return false;
  const int32_t span_h = p->in_h + p->pad_top + pad_bottom - eh;
  const int32_t span_w = p->in_w + p->pad_left + pad_right - ew;
  if (span_h < 0 || span_w < 0) return false;
  p->out_h = span_h / p->stride_h + 1;
  p->out_w = span_w / p->stride_w + 1;
  return true;
}

void check_max_pool(Isa isa, std::mt19937& rng, const PoolParams& p, int mode,
                    const std::string& what) {
  ASSERT_TRUE(max_pool_can_use(isa, p)) << what;
  const auto input = random_s8(
      rng, static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.channels), mode);
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.channels);
  std::vector<int8_t> want(out_n, 0x5a), got(out_n, 0x5a);
  ref::max_pool(p, input.data(), want.data());
  std::vector<uint64_t> scratch(max_pool_scratch_bytes(p) / 8 + 1);
  random_split(rng, max_pool_rows(p), [&](int64_t b, int64_t e) {
    max_pool_run(isa, p, input.data(), got.data(), scratch.data(), b, e);
  });
  ASSERT_EQ(got, want) << what << " kernel " << max_pool_kernel_name(isa);
}

TEST_P(PoolKernels, MaxPoolRandomGeometry) {
  std::mt19937 rng(21);
  static const int32_t kChannels[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 28, 31, 32, 33, 47, 64, 100};
  int done = 0;
  for (int i = 0; done < 400; ++i) {
    PoolParams p;
    p.batch = uniform(rng, 1, 2);
    p.in_h = uniform(rng, 1, 12);
    p.in_w = uniform(rng, 1, 12);
    p.channels = kChannels[i % 16];
    p.kernel_h = uniform(rng, 1, 5);
    p.kernel_w = uniform(rng, 1, 5);
    p.stride_h = uniform(rng, 1, 3);
    p.stride_w = uniform(rng, 1, 3);
    p.dilation_h = uniform(rng, 0, 3) == 0 ? 2 : 1;
    p.dilation_w = uniform(rng, 0, 3) == 0 ? 2 : 1;
    p.pad_top = uniform(rng, 0, 2);
    p.pad_left = uniform(rng, 0, 2);
    if (!make_pool(&p, uniform(rng, 0, 2), uniform(rng, 0, 2))) continue;
    p.input_zero_point = p.output_zero_point = zero_point(rng, i);
    switch (i % 4) {
      case 0: break;
      case 1: p.act_min = uniform(rng, -128, 0); p.act_max = uniform(rng, 0, 127); break;
      case 2: p.act_min = 0; break;
      case 3: p.act_min = p.act_max = uniform(rng, -128, 127); break;
    }
    check_max_pool(GetParam(), rng, p, i % 4, "case " + std::to_string(i));
    ++done;
  }
}

// int16 data (W8A16 models): values across the whole int16 range, the two
// extremes often, clamp bounds inside int16.
void check_max_pool16(Isa isa, std::mt19937& rng, const PoolParams& p, const std::string& what) {
  ASSERT_TRUE(max_pool_can_use(isa, p)) << what;
  const size_t in_n = static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.channels);
  std::vector<int16_t> input(in_n);
  for (auto& v : input) {
    const int32_t pick = uniform(rng, 0, 7);
    v = static_cast<int16_t>(pick == 0 ? -32768 : pick == 1 ? 32767 : uniform(rng, -32768, 32767));
  }
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.channels);
  std::vector<int16_t> want(out_n, 0x5a5a), got(out_n, 0x5a5a);
  ref::max_pool(p, input.data(), want.data());
  std::vector<uint64_t> scratch(max_pool_scratch_bytes(p) / 8 + 1);
  random_split(rng, max_pool_rows(p), [&](int64_t b, int64_t e) {
    max_pool_run(isa, p, input.data(), got.data(), scratch.data(), b, e);
  });
  ASSERT_EQ(got, want) << what << " kernel " << max_pool_kernel_name(isa, DType::kInt16);
}

TEST_P(PoolKernels, MaxPoolInt16RandomGeometry) {
  std::mt19937 rng(23);
  static const int32_t kChannels[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 28, 33, 47, 64};
  int done = 0;
  for (int i = 0; done < 300; ++i) {
    PoolParams p;
    p.type = DType::kInt16;
    p.batch = uniform(rng, 1, 2);
    p.in_h = uniform(rng, 1, 12);
    p.in_w = uniform(rng, 1, 12);
    p.channels = kChannels[i % 16];
    p.kernel_h = uniform(rng, 1, 5);
    p.kernel_w = uniform(rng, 1, 5);
    p.stride_h = uniform(rng, 1, 3);
    p.stride_w = uniform(rng, 1, 3);
    p.dilation_h = uniform(rng, 0, 3) == 0 ? 2 : 1;
    p.dilation_w = uniform(rng, 0, 3) == 0 ? 2 : 1;
    p.pad_top = uniform(rng, 0, 2);
    p.pad_left = uniform(rng, 0, 2);
    if (!make_pool(&p, uniform(rng, 0, 2), uniform(rng, 0, 2))) continue;
    p.act_min = -32768;
    p.act_max = 32767;
    switch (i % 4) {
      case 0: break;
      case 1: p.act_min = uniform(rng, -32768, 0); p.act_max = uniform(rng, 0, 32767); break;
      case 2: p.act_min = 0; break;
      case 3: p.act_min = p.act_max = uniform(rng, -32768, 32767); break;
    }
    check_max_pool16(GetParam(), rng, p, "case " + std::to_string(i));
    ++done;
  }
  // BlazeFace W8A16: 2x2 stride 2 over 64x64x28.
  PoolParams blaze;
  blaze.type = DType::kInt16;
  blaze.act_min = -32768;
  blaze.act_max = 32767;
  blaze.in_h = blaze.in_w = 64;
  blaze.channels = 28;
  blaze.kernel_h = blaze.kernel_w = blaze.stride_h = blaze.stride_w = 2;
  ASSERT_TRUE(make_pool(&blaze, 0, 0));
  check_max_pool16(GetParam(), rng, blaze, "blazeface int16");
}

TEST_P(PoolKernels, MaxPoolModelShapes) {
  std::mt19937 rng(22);
  PoolParams blaze;  // BlazeFace: 2x2 stride 2, 64x64x28
  blaze.in_h = blaze.in_w = 64;
  blaze.channels = 28;
  blaze.kernel_h = blaze.kernel_w = blaze.stride_h = blaze.stride_w = 2;
  ASSERT_TRUE(make_pool(&blaze, 0, 0));
  check_max_pool(GetParam(), rng, blaze, 0, "blazeface");
  PoolParams mlsd;  // M-LSD heat map: 3x3 stride 1 pad 1, 160x160x1
  mlsd.in_h = mlsd.in_w = 160;
  mlsd.channels = 1;
  mlsd.kernel_h = mlsd.kernel_w = 3;
  mlsd.pad_top = mlsd.pad_left = 1;
  ASSERT_TRUE(make_pool(&mlsd, 1, 1));
  check_max_pool(GetParam(), rng, mlsd, 0, "m-lsd");
  PoolParams global;  // global max over 7x7x100
  global.in_h = global.in_w = global.kernel_h = global.kernel_w = 7;
  global.channels = 100;
  ASSERT_TRUE(make_pool(&global, 0, 0));
  check_max_pool(GetParam(), rng, global, 3, "global");
}

// ---------------------------------------------------------------- Resize

// One bilinear Resize on `isa` (taps from ref::resize_bilinear_tap, rows in
// random splits) against ref::resize.
void check_resize(Isa isa, std::mt19937& rng, const ResizeParams& p, int data_mode,
                  const std::string& what) {
  ASSERT_TRUE(resize_bilinear_can_use(isa, p)) << what;
  const auto input = random_s8(
      rng, static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.channels), data_mode);
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.channels);
  std::vector<int8_t> want(out_n), got(out_n + 16, 0x5a);
  ref::resize(p, input.data(), want.data());
  std::vector<ResizeTap> rows(p.out_h), cols(p.out_w);
  for (int32_t i = 0; i < p.out_h; ++i) rows[i] = ref::resize_bilinear_tap(p, false, i);
  for (int32_t i = 0; i < p.out_w; ++i) cols[i] = ref::resize_bilinear_tap(p, true, i);
  random_split(rng, int64_t{p.batch} * p.out_h, [&](int64_t b, int64_t e) {
    resize_bilinear_run(isa, p, rows.data(), cols.data(), input.data(), got.data(), b, e);
  });
  for (size_t i = 0; i < out_n; ++i) {
    ASSERT_EQ(got[i], want[i]) << what << ": element " << i << " (pixel " << i / p.channels
                               << ", channel " << i % p.channels << ")";
  }
  for (size_t i = out_n; i < got.size(); ++i) ASSERT_EQ(got[i], 0x5a) << what << ": write past the end";
}

TEST_P(PoolKernels, ResizeBilinearMatchesReference) {
  std::mt19937 rng(31);
  static const int32_t kChannels[] = {16, 17, 24, 31, 32, 33, 64, 100};
  static const CoordinateMode kModes[] = {CoordinateMode::kHalfPixel, CoordinateMode::kAlignCorners,
                                          CoordinateMode::kAsymmetric,
                                          CoordinateMode::kPytorchHalfPixel};
  for (int i = 0; i < 160; ++i) {
    ResizeParams p;
    p.mode = ResizeMode::kBilinear;
    p.batch = uniform(rng, 1, 2);
    p.in_h = uniform(rng, 1, 9);
    p.in_w = uniform(rng, 1, 9);
    p.channels = kChannels[i % 8];
    p.coordinate_mode = kModes[(i / 8) % 4];
    // Up- and downscaling, integer and fractional factors, and sizes from
    // the scale alone (0/0: out/in).
    p.out_h = uniform(rng, 1, 20);
    p.out_w = uniform(rng, 1, 20);
    if (i % 3 == 0) {
      p.scale_h_num = p.out_h;
      p.scale_h_den = p.in_h;
      p.scale_w_num = uniform(rng, 1, 7);
      p.scale_w_den = uniform(rng, 1, 7);
    }
    check_resize(GetParam(), rng, p, i % 4, "case " + std::to_string(i));
  }
}

TEST_P(PoolKernels, ResizeBilinearModelShapes) {
  std::mt19937 rng(32);
  ResizeParams p;  // M-LSD decoder: 2x, half_pixel, 80x80x64 -> 160x160
  p.mode = ResizeMode::kBilinear;
  p.in_h = p.in_w = 80;
  p.out_h = p.out_w = 160;
  p.channels = 64;
  check_resize(GetParam(), rng, p, 0, "m-lsd 80x80x64");
  p.in_h = p.in_w = 80;  // 16 channels, the other M-LSD resize
  p.channels = 16;
  check_resize(GetParam(), rng, p, 3, "m-lsd 80x80x16");
}

// ---------------------------------------------------------------- Tables

std::vector<uint8_t> all_bytes_then_random(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = static_cast<uint8_t>(i < 512 ? i : static_cast<size_t>(uniform(rng, 0, 255)));
  }
  return v;
}

TEST_P(PoolKernels, LutMatchesReferenceForEveryByteAndLength) {
  ASSERT_TRUE(lut_can_use(GetParam()));
  std::mt19937 rng(31);
  for (int t = 0; t < 4; ++t) {
    std::vector<int8_t> table(256);
    for (int k = 0; k < 256; ++k) {
      table[static_cast<size_t>(k)] = static_cast<int8_t>(t == 0 ? k - 128 : uniform(rng, -128, 127));
    }
    uint8_t s8_table[256];
    lut_table_for_s8(table.data(), s8_table);
    const auto* u8_table = reinterpret_cast<const uint8_t*>(table.data());
    for (int64_t n : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 513, 1000, 4097}) {
      const auto in = all_bytes_then_random(rng, static_cast<size_t>(n));
      std::vector<int8_t> want(static_cast<size_t>(n)), got(static_cast<size_t>(n), 0x5a);
      ref::lut_u8(in.data(), n, table.data(), want.data());
      lut_run(GetParam(), in.data(), n, u8_table, got.data());
      ASSERT_EQ(got, want) << "u8 table " << t << " n " << n << " " << lut_kernel_name(GetParam());
      ref::lut_s8(reinterpret_cast<const int8_t*>(in.data()), n, table.data(), want.data());
      std::fill(got.begin(), got.end(), int8_t{0x5a});
      lut_run(GetParam(), in.data(), n, s8_table, got.data());
      ASSERT_EQ(got, want) << "s8 table " << t << " n " << n;
    }
  }
}

TEST_P(PoolKernels, Int16LutMatchesReferenceForEveryValueAndLength) {
  if (!lut16_can_use(GetParam())) {
    GTEST_SKIP() << isa_name(GetParam()) << " runs eq. 13b on the reference kernel";
  }
  std::mt19937 rng(32);
  for (int t = 0; t < 4; ++t) {
    // Smooth, steep (extremes next to each other) and random tables.
    std::vector<int16_t> table(513);
    for (int j = 0; j <= 512; ++j) {
      table[static_cast<size_t>(j)] = static_cast<int16_t>(
          t == 0 ? j * 128 - 32768 + (j == 512 ? -1 : 0)
                 : t == 1 ? (j % 2 ? 32767 : -32768) : uniform(rng, -32768, 32767));
    }
    std::vector<int64_t> lengths;
    for (int64_t n = 0; n <= 40; ++n) lengths.push_back(n);
    for (int64_t n : {63, 64, 65, 100, 65536, 65536 + 13}) lengths.push_back(n);
    for (int64_t n : lengths) {
      std::vector<int16_t> in(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        in[static_cast<size_t>(i)] =
            static_cast<int16_t>(i < 65536 ? i - 32768 : uniform(rng, -32768, 32767));
      }
      std::vector<int16_t> want(in.size()), got(in.size(), 0x5a5a);
      ref::lut_s16(in.data(), n, table.data(), want.data());
      lut16_run(GetParam(), in.data(), n, table.data(), got.data());
      ASSERT_EQ(got, want) << "table " << t << " n " << n << " " << lut16_kernel_name(GetParam());
    }
  }
}

TEST_P(PoolKernels, RequantizeTableMatchesReference) {
  std::mt19937 rng(41);
  const size_t n = 1000;
  const auto in = all_bytes_then_random(rng, n);
  for (int i = 0; i < 120; ++i) {
    RequantizeParams p;
    p.count = static_cast<int64_t>(n);
    p.input_type = i % 2 == 0 ? DType::kUInt8 : DType::kInt8;
    p.input_zero_point = p.input_type == DType::kUInt8
                             ? (i % 6 == 0 ? 0 : i % 6 == 2 ? 255 : uniform(rng, 0, 255))
                             : zero_point(rng, i / 2);
    p.output_zero_point = zero_point(rng, i / 6);
    const Requant rq = random_requant(rng, i % 14);
    p.multiplier = rq.multiplier;
    p.shift = rq.shift;
    if (i % 5 == 4) {
      p.act_min = uniform(rng, -128, 0);
      p.act_max = uniform(rng, 0, 127);
    }
    uint8_t table[256];
    ASSERT_TRUE(requantize_table(p, table));
    std::vector<int8_t> want(n), got(n, 0x5a);
    ref::requantize(p, in.data(), want.data());
    lut_run(GetParam(), in.data(), static_cast<int64_t>(n), table, got.data());
    ASSERT_EQ(got, want) << "requantize case " << i;
  }
  RequantizeParams to16;
  to16.output_type = DType::kInt16;
  uint8_t table[256];
  EXPECT_FALSE(requantize_table(to16, table));
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) {
  return isa_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(AllPaths, PoolKernels,
                         ::testing::Values(Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni,
                                           Isa::kNeon, Isa::kNeonDot, Isa::kI8mm),
                         isa_param_name);

TEST(PoolKernelsReference, ReferencePathHasNoOptimizedKernel) {
  ResizeParams r;
  r.mode = ResizeMode::kBilinear;
  r.in_h = r.in_w = r.out_h = r.out_w = 4;
  r.channels = 32;
  EXPECT_FALSE(resize_bilinear_can_use(Isa::kReference, r));
  MeanParams m;
  m.in = shape_of({1, 7, 7, 64});
  m.reduce[1] = m.reduce[2] = true;
  MeanPlan plan;
  EXPECT_FALSE(mean_plan(Isa::kReference, m, &plan));
  EXPECT_FALSE(lut_can_use(Isa::kReference));
  PoolParams p;
  p.in_h = p.in_w = p.out_h = p.out_w = p.channels = 4;
  EXPECT_FALSE(max_pool_can_use(Isa::kReference, p));
}

}  // namespace
}  // namespace dyad
