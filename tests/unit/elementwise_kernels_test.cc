// Optimized Add / Sub / Mul (kernels/elementwise_kernels.h) against
// ref::add / ref::sub / ref::mul with tolerance 0, on every path this build
// has and this CPU runs: flat lengths 1..200, every broadcast form (scalar a
// or b, per-channel vector, middle dims, random rank 1..6), extreme zero
// points, left shifts, multipliers, shifts and clamps; each case also run as
// split ranges (as threads would) with guard bytes around the output. The
// 16-bit form of Add/Sub (BinaryKernelParams::narrow) on its own parameters
// and at its int16 bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/fixed_point.h"
#include "kernels/dispatch.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace {

Shape shape_of(const std::vector<int32_t>& dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) s.dims[i] = dims[i];
  return s;
}

BinaryShapes shapes_of(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                       const std::vector<int32_t>& out) {
  return BinaryShapes{shape_of(a), shape_of(b), shape_of(out)};
}

std::vector<int8_t> random_bytes(std::mt19937& rng, int64_t n) {
  // A third of the values at the int8 extremes, where saturation happens.
  std::uniform_int_distribution<int> v(-128, 127), pick(0, 5);
  std::vector<int8_t> r(static_cast<size_t>(n));
  for (auto& x : r) {
    const int k = pick(rng);
    x = static_cast<int8_t>(k == 0 ? -128 : (k == 1 ? 127 : v(rng)));
  }
  return r;
}

int32_t random_multiplier(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 5);
  switch (pick(rng)) {
    case 0: return 0;
    case 1: return 1 << 30;
    case 2: return INT32_MAX;
    default: return std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng);
  }
}

int32_t random_shift(std::mt19937& rng, int lo, int hi) {
  std::uniform_int_distribution<int> pick(0, 3);
  const int k = pick(rng);
  if (k == 0) return lo;
  if (k == 1) return hi;
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

int32_t random_zero_point(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 3), v(-128, 127);
  const int k = pick(rng);
  return k == 0 ? -128 : (k == 1 ? 127 : v(rng));
}

void random_clamp(std::mt19937& rng, int32_t* lo, int32_t* hi) {
  std::uniform_int_distribution<int> pick(0, 2), v(-128, 127);
  *lo = -128;
  *hi = 127;
  if (pick(rng) == 0) {
    int32_t x = v(rng), y = v(rng);
    if (x > y) std::swap(x, y);
    *lo = x;
    *hi = y;
  }
}

class ElementwiseKernelTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " kernels are not built in this configuration";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not support " << isa_name(GetParam());
    }
  }

  // Runs the prepared kernel as `splits` ranges and compares with `expected`.
  void check_run(const PreparedBinary& prepared, const std::vector<int8_t>& a,
                 const std::vector<int8_t>& b, const std::vector<int8_t>& expected, int splits,
                 std::mt19937& rng, const std::string& what) {
    ASSERT_NE(prepared.run, nullptr) << what;
    const int64_t n = binary_elements(prepared);
    ASSERT_EQ(n, static_cast<int64_t>(expected.size())) << what;
    constexpr int kGuard = 32;
    std::vector<int8_t> out(static_cast<size_t>(n + 2 * kGuard), 0x5A);
    // Split points: random, sorted.
    std::vector<int64_t> cuts = {0, n};
    for (int s = 1; s < splits && n > 1; ++s) {
      cuts.push_back(std::uniform_int_distribution<int64_t>(0, n)(rng));
    }
    std::sort(cuts.begin(), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      binary_run(prepared, a.data(), b.data(), out.data() + kGuard, cuts[i], cuts[i + 1]);
    }
    for (int g = 0; g < kGuard; ++g) {
      ASSERT_EQ(out[static_cast<size_t>(g)], 0x5A) << what << ": write before the output";
      ASSERT_EQ(out[static_cast<size_t>(n + kGuard + g)], 0x5A) << what << ": write after the output";
    }
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[static_cast<size_t>(kGuard + i)], expected[static_cast<size_t>(i)])
          << what << ": element " << i << " of " << n;
    }
  }

  void check_add(const AddParams& p, BinaryOp op, uint32_t seed, const std::string& what) {
    std::mt19937 rng(seed);
    const auto a = random_bytes(rng, p.shapes.a.elements());
    const auto b = random_bytes(rng, p.shapes.b.elements());
    check_add(p, op, a, b, rng, what);
  }
  void check_add(const AddParams& p, BinaryOp op, const std::vector<int8_t>& a,
                 const std::vector<int8_t>& b, std::mt19937& rng, const std::string& what) {
    std::vector<int8_t> expected(static_cast<size_t>(p.shapes.out.elements()));
    if (op == BinaryOp::kSub) {
      ref::sub(p, a.data(), b.data(), expected.data());
    } else {
      ref::add(p, a.data(), b.data(), expected.data());
    }
    ASSERT_TRUE(binary_can_use(GetParam(), op, p)) << what;
    const PreparedBinary prepared = binary_prepare(GetParam(), op, p);
    for (int splits : {1, 3}) check_run(prepared, a, b, expected, splits, rng, what);
  }

  void check_mul(const MulParams& p, uint32_t seed, const std::string& what) {
    std::mt19937 rng(seed);
    const auto a = random_bytes(rng, p.shapes.a.elements());
    const auto b = random_bytes(rng, p.shapes.b.elements());
    std::vector<int8_t> expected(static_cast<size_t>(p.shapes.out.elements()));
    ref::mul(p, a.data(), b.data(), expected.data());
    ASSERT_TRUE(binary_can_use(GetParam(), BinaryOp::kMul, p)) << what;
    const PreparedBinary prepared = binary_prepare(GetParam(), p);
    for (int splits : {1, 3}) check_run(prepared, a, b, expected, splits, rng, what);
  }

  // All three ops on one shape triple with random (often extreme) parameters.
  void check_all_ops(const BinaryShapes& shapes, uint32_t seed, int param_sets) {
    std::mt19937 rng(seed);
    for (int k = 0; k < param_sets; ++k) {
      AddParams p;
      p.shapes = shapes;
      p.a_zero_point = random_zero_point(rng);
      p.b_zero_point = random_zero_point(rng);
      p.output_zero_point = random_zero_point(rng);
      p.left_shift = random_shift(rng, 0, 22);
      p.a_multiplier = random_multiplier(rng);
      p.b_multiplier = random_multiplier(rng);
      p.output_multiplier = random_multiplier(rng);
      // Typical Add parameters half of the time (shifts <= 0 on the inputs),
      // the whole verifier range [-31, 30] otherwise.
      const bool wide = k % 2 == 1;
      p.a_shift = random_shift(rng, -31, wide ? 30 : 0);
      p.b_shift = random_shift(rng, -31, wide ? 30 : 0);
      p.output_shift = random_shift(rng, -31, 30);
      random_clamp(rng, &p.act_min, &p.act_max);
      const std::string what = "params " + std::to_string(k) + " seed " + std::to_string(seed);
      check_add(p, BinaryOp::kAdd, seed + 7 * k, "add " + what);
      check_add(p, BinaryOp::kSub, seed + 7 * k + 1, "sub " + what);
      MulParams m;
      m.shapes = shapes;
      m.a_zero_point = p.a_zero_point;
      m.b_zero_point = p.b_zero_point;
      m.output_zero_point = p.output_zero_point;
      m.output_multiplier = p.output_multiplier;
      m.output_shift = p.output_shift;
      m.act_min = p.act_min;
      m.act_max = p.act_max;
      check_mul(m, seed + 7 * k + 2, "mul " + what);
    }
  }
};

TEST_P(ElementwiseKernelTest, FlatLengths) {
  for (int32_t n = 1; n <= 200; ++n) {
    check_all_ops(shapes_of({n}, {n}, {n}), 1000 + n, 2);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseKernelTest, ScalarOperand) {
  for (int32_t n : {1, 2, 7, 15, 16, 17, 31, 32, 33, 100, 200}) {
    check_all_ops(shapes_of({1}, {n}, {n}), 2000 + n, 3);
    check_all_ops(shapes_of({n}, {1}, {n}), 2100 + n, 3);
    check_all_ops(shapes_of({2, 3, n}, {1, 1, 1}, {2, 3, n}), 2200 + n, 2);
    check_all_ops(shapes_of({3, 1, 1}, {3, 2, n}, {3, 2, n}), 2300 + n, 2);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseKernelTest, PerChannelAndMiddleDims) {
  for (int32_t c : {1, 3, 8, 16, 24, 33, 96}) {
    check_all_ops(shapes_of({1, 4, 5, c}, {1, 1, 1, c}, {1, 4, 5, c}), 3000 + c, 2);
    check_all_ops(shapes_of({1, 1, 1, c}, {2, 3, 2, c}, {2, 3, 2, c}), 3100 + c, 2);
    check_all_ops(shapes_of({1, 4, 5, c}, {1, 4, 5, 1}, {1, 4, 5, c}), 3200 + c, 2);
    if (HasFatalFailure()) return;
  }
  // Many short per-channel runs (tiled into one long kernel run), a repeated
  // operand whose base moves with an outer dim, and runs longer than half
  // the tile (not tiled).
  for (int32_t c : {1, 3, 8, 13, 100, 129}) {
    check_all_ops(shapes_of({1, 12, 20, c}, {1, 1, 1, c}, {1, 12, 20, c}), 3400 + c, 2);
    check_all_ops(shapes_of({1, 1, c}, {1, 70, c}, {1, 70, c}), 3500 + c, 2);
    check_all_ops(shapes_of({2, 40, c}, {2, 1, c}, {2, 40, c}), 3600 + c, 2);
    if (HasFatalFailure()) return;
  }
  check_all_ops(shapes_of({2, 1, 3, 5}, {2, 4, 1, 5}, {2, 4, 3, 5}), 3300, 8);
  check_all_ops(shapes_of({4, 1}, {1, 3}, {4, 3}), 3301, 8);
  check_all_ops(shapes_of({1}, {1}, {1}), 3302, 8);
  check_all_ops(shapes_of({}, {}, {}), 3303, 4);
  check_all_ops(shapes_of({1, 1, 7}, {1, 1, 1}, {1, 1, 7}), 3304, 4);
}

TEST_P(ElementwiseKernelTest, RandomBroadcastRank1To6) {
  std::mt19937 rng(4000);
  for (int iter = 0; iter < 120; ++iter) {
    const int rank = std::uniform_int_distribution<int>(1, 6)(rng);
    std::vector<int32_t> out(static_cast<size_t>(rank)), a = out, b = out;
    for (int d = 0; d < rank; ++d) {
      out[static_cast<size_t>(d)] = std::uniform_int_distribution<int32_t>(1, rank > 3 ? 4 : 9)(rng);
      // Each dim: both full, a broadcast, or b broadcast.
      const int form = std::uniform_int_distribution<int>(0, 2)(rng);
      a[static_cast<size_t>(d)] = form == 1 ? 1 : out[static_cast<size_t>(d)];
      b[static_cast<size_t>(d)] = form == 2 ? 1 : out[static_cast<size_t>(d)];
    }
    check_all_ops(shapes_of(a, b, out), 4100 + iter, 1);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseKernelTest, LeftShiftsAndTypicalScales) {
  // Every left shift with the TFLite-style parameters (larger input at
  // M = 1/2, the other below), plus saturating extremes.
  std::mt19937 rng(5000);
  for (int l = 0; l <= 22; ++l) {
    AddParams p;
    p.shapes = shapes_of({3, 37}, {3, 37}, {3, 37});
    p.left_shift = l;
    p.a_zero_point = -128;
    p.b_zero_point = 127;
    p.output_zero_point = 5;
    p.a_multiplier = 1 << 30;
    p.a_shift = 0;
    p.b_multiplier = 1500000000;
    p.b_shift = -2;
    p.output_multiplier = 1300000000;
    p.output_shift = -l + 1 > 30 ? 30 : -l + 1;
    check_add(p, BinaryOp::kAdd, 5100 + l, "add left_shift " + std::to_string(l));
    check_add(p, BinaryOp::kSub, 5200 + l, "sub left_shift " + std::to_string(l));
    p.a_multiplier = p.b_multiplier = p.output_multiplier = INT32_MAX;
    p.a_shift = p.b_shift = p.output_shift = 30;
    check_add(p, BinaryOp::kAdd, 5300 + l, "saturating add left_shift " + std::to_string(l));
    check_add(p, BinaryOp::kSub, 5400 + l, "saturating sub left_shift " + std::to_string(l));
    p.a_shift = p.b_shift = p.output_shift = -31;
    check_add(p, BinaryOp::kAdd, 5500 + l, "add shift -31 left_shift " + std::to_string(l));
    if (HasFatalFailure()) return;
  }
}

// Parameters of the 16-bit form (BinaryKernelParams::narrow): L <= 7,
// multipliers with 16 low zero bits, right shifts <= 15. Random ones, the
// converter's (L = 7, larger input at M = 1/2), and sums at the int16 bound.
int32_t narrow_multiplier(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 5);
  switch (pick(rng)) {
    case 0: return 0;
    case 1: return 1 << 30;
    case 2: return 0x7FFF0000;
    case 3: return std::uniform_int_distribution<int32_t>(1, 0x7FFF)(rng) << 16;  // unnormalized
    default: return std::uniform_int_distribution<int32_t>(0x4000, 0x7FFF)(rng) << 16;
  }
}

// max |a'| over int8 inputs (eq. 7; monotone, so the extremes are at -128 / 127).
int64_t max_rescaled(int32_t zero_point, int left_shift, int32_t m, int32_t shift) {
  int64_t best = 0;
  for (int32_t q : {-128, 127}) {
    const int64_t v = multiply_by_quantized_multiplier(saturating_left_shift(q - zero_point, left_shift), m, shift);
    best = std::max(best, v < 0 ? -v : v);
  }
  return best;
}

TEST_P(ElementwiseKernelTest, NarrowAddSub) {
  std::mt19937 rng(6000);
  int narrow = 0, total = 0;
  for (int k = 0; k < 400; ++k) {
    AddParams p;
    const int32_t n = std::uniform_int_distribution<int32_t>(1, 80)(rng);
    p.shapes = k % 4 == 3 ? shapes_of({1}, {n}, {n}) : (k % 4 == 2 ? shapes_of({n}, {1}, {n})
                                                                   : shapes_of({n}, {n}, {n}));
    p.a_zero_point = random_zero_point(rng);
    p.b_zero_point = random_zero_point(rng);
    p.output_zero_point = random_zero_point(rng);
    p.left_shift = random_shift(rng, 0, 7);
    p.a_multiplier = narrow_multiplier(rng);
    p.b_multiplier = narrow_multiplier(rng);
    p.output_multiplier = narrow_multiplier(rng);
    p.a_shift = random_shift(rng, -15, 0);
    p.b_shift = random_shift(rng, -15, 0);
    p.output_shift = random_shift(rng, -15, 0);
    random_clamp(rng, &p.act_min, &p.act_max);
    const bool fits = max_rescaled(p.a_zero_point, p.left_shift, p.a_multiplier, p.a_shift) +
                          max_rescaled(p.b_zero_point, p.left_shift, p.b_multiplier, p.b_shift) <=
                      32767;
    EXPECT_EQ(binary_prepare(GetParam(), BinaryOp::kAdd, p).params.narrow, fits) << "params " << k;
    narrow += fits;
    ++total;
    check_add(p, BinaryOp::kAdd, 6100 + k, "narrow add " + std::to_string(k));
    check_add(p, BinaryOp::kSub, 6200 + k, "narrow sub " + std::to_string(k));
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(narrow, total / 4) << "too few parameter sets took the 16-bit form";
  // The converter's parameters: L = 7, the larger-scale input at M = 1/2.
  for (int32_t zb : {-128, 0, 127}) {
    AddParams p;
    p.shapes = shapes_of({3, 45}, {3, 45}, {3, 45});
    p.left_shift = 7;
    p.a_zero_point = -128;
    p.b_zero_point = zb;
    p.output_zero_point = -3;
    p.a_multiplier = 1 << 30;
    p.b_multiplier = 0x5A5A0000;
    p.b_shift = -2;
    p.output_multiplier = 0x6B6B0000;
    p.output_shift = -5;
    ASSERT_TRUE(binary_prepare(GetParam(), BinaryOp::kAdd, p).params.narrow);
    check_add(p, BinaryOp::kAdd, 6300 + zb, "converter-style add");
    check_add(p, BinaryOp::kSub, 6400 + zb, "converter-style sub");
  }
  // |a'| + |b'| at 32767 (16-bit form) and just above it (int32 form): a at
  // L = 7, x = 255, M = 0x7FFF0000 gives 32639; b's multiplier is searched
  // so that max|b'| is 128, then 129.
  for (int64_t want : {128, 129}) {
    AddParams p;
    p.shapes = shapes_of({64}, {64}, {64});
    p.left_shift = 7;
    p.a_zero_point = p.b_zero_point = -128;
    p.a_multiplier = 0x7FFF0000;
    p.output_multiplier = 0x7FFF0000;
    p.output_shift = -8;
    p.b_shift = -7;
    bool found = false;
    for (int32_t m = 0x4000; m <= 0x7FFF && !found; ++m) {
      if (max_rescaled(-128, 7, m << 16, -7) == want) {
        p.b_multiplier = m << 16;
        found = true;
      }
    }
    ASSERT_TRUE(found) << want;
    ASSERT_EQ(max_rescaled(-128, 7, p.a_multiplier, 0), 32639);
    EXPECT_EQ(binary_prepare(GetParam(), BinaryOp::kAdd, p).params.narrow, want == 128);
    // Both inputs at their extreme (x = 255) in every lane: the largest sum.
    std::mt19937 rng(6500);
    const std::vector<int8_t> top(64, 127);
    check_add(p, BinaryOp::kAdd, top, top, rng, "bound add");
    check_add(p, BinaryOp::kSub, 6600 + static_cast<uint32_t>(want), "bound sub");
  }
}

// Mul with 15-bit multipliers (the narrow form: one int32 multiply for
// SRDHM): random parameters, and the largest products (+-255 * 255) at
// the largest multiplier with no right shift.
TEST_P(ElementwiseKernelTest, NarrowMul) {
  std::mt19937 rng(7000);
  for (int k = 0; k < 300; ++k) {
    MulParams p;
    const int32_t n = std::uniform_int_distribution<int32_t>(1, 80)(rng);
    p.shapes = k % 4 == 3 ? shapes_of({1}, {n}, {n}) : (k % 4 == 2 ? shapes_of({n}, {1}, {n})
                                                                   : shapes_of({n}, {n}, {n}));
    p.a_zero_point = random_zero_point(rng);
    p.b_zero_point = random_zero_point(rng);
    p.output_zero_point = random_zero_point(rng);
    p.output_multiplier = narrow_multiplier(rng);
    p.output_shift = random_shift(rng, -31, k % 8 == 0 ? 2 : 0);
    random_clamp(rng, &p.act_min, &p.act_max);
    EXPECT_EQ(binary_prepare(GetParam(), p).params.narrow, p.output_shift <= 0) << "params " << k;
    check_mul(p, 7100 + k, "narrow mul " + std::to_string(k));
    if (HasFatalFailure()) return;
  }
  for (int32_t za : {-128, 127}) {
    MulParams p;
    p.shapes = shapes_of({64}, {64}, {64});
    p.a_zero_point = za;
    p.b_zero_point = -128;
    p.output_multiplier = 0x7FFF0000;
    p.output_shift = 0;
    p.act_min = -128;
    p.act_max = 127;
    ASSERT_TRUE(binary_prepare(GetParam(), p).params.narrow);
    std::mt19937 r(7200);
    // q_a at its far end from Z_a, q_b = 127: |p| = 255 * 255 in every lane.
    const std::vector<int8_t> qa(64, static_cast<int8_t>(za == -128 ? 127 : -128)), qb(64, 127);
    std::vector<int8_t> expected(64);
    ref::mul(p, qa.data(), qb.data(), expected.data());
    check_run(binary_prepare(GetParam(), p), qa, qb, expected, 1, r, "largest products");
    p.output_shift = -15;
    check_mul(p, 7300 + static_cast<uint32_t>(za + 128), "narrow mul shift -15");
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, ElementwiseKernelTest,
                         ::testing::Values(Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon,
                                           Isa::kNeonDot, Isa::kI8mm),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

TEST(ElementwiseKernel, ReferencePathHasNoKernel) {
  AddParams p;
  p.shapes = shapes_of({4}, {4}, {4});
  p.a_multiplier = p.b_multiplier = p.output_multiplier = 1 << 30;
  EXPECT_FALSE(binary_can_use(Isa::kReference, BinaryOp::kAdd, p));
  EXPECT_EQ(binary_prepare(Isa::kReference, BinaryOp::kAdd, p).run, nullptr);
}

}  // namespace
}  // namespace dyad
