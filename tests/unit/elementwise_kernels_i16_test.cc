// The all-int16 Add / Sub / Mul kernels (qs16_vadd_16__avx2,
// qs16_vsub_16__avx2, qs16_vmul_16__avx2 on every x86 path;
// qs16_vadd_16__neon, qs16_vsub_16__neon, qs16_vmul_16__neon on every ARM
// path, through kernels/elementwise_kernels.h) against ref::add / ref::sub /
// ref::mul with int16 types, tolerance 0, on every path this build has and
// this CPU runs (skipped with the reason otherwise): flat lengths 1..70,
// scalar a / b, per-channel, per-pixel and middle-dim broadcasts, values at
// -32768 / -32767 / 32767, every left shift 0..15, multipliers 0 / 2^30 /
// INT32_MAX / random with left and right shifts, saturating sums, clamps,
// rounding ties of eq. 5 (half away from zero); each case whole and as
// random [begin, end) splits with guard elements around the output. Also:
// which operand types and parameters binary_can_use takes, and that the
// reference path keeps int16 on the reference kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

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

std::vector<int16_t> random_values(std::mt19937& rng, int64_t n) {
  // Half of the values at the int16 extremes (where the split form's bounds
  // and the saturations are tight), some small.
  std::uniform_int_distribution<int> v(-32768, 32767), small(-300, 300), pick(0, 7);
  std::vector<int16_t> r(static_cast<size_t>(n));
  for (auto& x : r) {
    const int k = pick(rng);
    const int value = k == 0   ? -32768
                      : k == 1 ? 32767
                      : k == 2 ? -32767
                      : k == 3 ? small(rng)
                               : v(rng);
    x = static_cast<int16_t>(value);
  }
  return r;
}

int32_t random_multiplier(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 6);
  switch (pick(rng)) {
    case 0: return 0;
    case 1: return 1 << 30;
    case 2: return INT32_MAX;
    case 3: return (1 << 30) | 0xFFFF;  // the split form's largest low part
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

void random_clamp(std::mt19937& rng, int32_t* lo, int32_t* hi) {
  std::uniform_int_distribution<int> pick(0, 2), v(-32768, 32767);
  *lo = -32768;
  *hi = 32767;
  if (pick(rng) == 0) {
    int32_t x = v(rng), y = v(rng);
    if (x > y) std::swap(x, y);
    *lo = x;
    *hi = y;
  }
}

AddParams int16_add(const BinaryShapes& s) {
  AddParams p;
  p.shapes = s;
  p.a_type = p.b_type = p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  p.left_shift = 15;
  return p;
}

MulParams int16_mul(const BinaryShapes& s) {
  MulParams p;
  p.shapes = s;
  p.a_type = p.b_type = p.output_type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  return p;
}

// Every optimized path: the x86 ones run the AVX2 kernels, the ARM ones the
// NEON kernels.
const Isa kPaths[] = {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni,
                      Isa::kNeon, Isa::kNeonDot, Isa::kI8mm};

// The profile name of the kernel `isa` runs for `op` ("qs16_vadd_16__neon", ...).
std::string kernel_name(Isa isa, const char* op) {
  const bool arm = isa == Isa::kNeon || isa == Isa::kNeonDot || isa == Isa::kI8mm;
  return std::string("qs16_") + op + "_16__" + (arm ? "neon" : "avx2");
}

class ElementwiseI16KernelTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_built(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " kernels are not built in this configuration";
    }
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not support " << isa_name(GetParam());
    }
  }

  // Runs the prepared kernel as `splits` random ranges and compares with
  // `expected`; guard elements on both sides must stay untouched.
  void check_run(const PreparedBinary& prepared, const std::vector<int16_t>& a,
                 const std::vector<int16_t>& b, const std::vector<int16_t>& expected, int splits,
                 std::mt19937& rng, const std::string& what) {
    ASSERT_NE(prepared.run, nullptr) << what;
    ASSERT_EQ(prepared.element_bytes, 2) << what;
    const int64_t n = binary_elements(prepared);
    ASSERT_EQ(n, static_cast<int64_t>(expected.size())) << what;
    constexpr int kGuard = 32;
    constexpr int16_t kFill = 0x5A5A;
    std::vector<int16_t> out(static_cast<size_t>(n + 2 * kGuard), kFill);
    std::vector<int64_t> cuts = {0, n};
    for (int s = 1; s < splits && n > 1; ++s) {
      cuts.push_back(std::uniform_int_distribution<int64_t>(0, n)(rng));
    }
    std::sort(cuts.begin(), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      binary_run(prepared, a.data(), b.data(), out.data() + kGuard, cuts[i], cuts[i + 1]);
    }
    for (int g = 0; g < kGuard; ++g) {
      ASSERT_EQ(out[static_cast<size_t>(g)], kFill) << what << ": write before the output";
      ASSERT_EQ(out[static_cast<size_t>(n + kGuard + g)], kFill)
          << what << ": write after the output";
    }
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[static_cast<size_t>(kGuard + i)], expected[static_cast<size_t>(i)])
          << what << ": element " << i << " of " << n << " (a " << a[static_cast<size_t>(i) % a.size()]
          << ", b " << b[static_cast<size_t>(i) % b.size()] << ")";
    }
  }

  void check_add_values(const AddParams& p, BinaryOp op, const std::vector<int16_t>& a,
                        const std::vector<int16_t>& b, std::mt19937& rng,
                        const std::string& what) {
    std::vector<int16_t> expected(static_cast<size_t>(p.shapes.out.elements()));
    if (op == BinaryOp::kSub) {
      ref::sub(p, a.data(), b.data(), expected.data());
    } else {
      ref::add(p, a.data(), b.data(), expected.data());
    }
    ASSERT_TRUE(binary_can_use(GetParam(), op, p)) << what;
    const PreparedBinary prepared = binary_prepare(GetParam(), op, p);
    EXPECT_EQ(std::string(prepared.kernel_name),
              kernel_name(GetParam(), op == BinaryOp::kSub ? "vsub" : "vadd"));
    for (int splits : {1, 3, 7}) check_run(prepared, a, b, expected, splits, rng, what);
  }

  void check_add(const AddParams& p, BinaryOp op, uint32_t seed, const std::string& what) {
    std::mt19937 rng(seed);
    const auto a = random_values(rng, p.shapes.a.elements());
    const auto b = random_values(rng, p.shapes.b.elements());
    check_add_values(p, op, a, b, rng, what);
  }

  void check_mul(const MulParams& p, uint32_t seed, const std::string& what) {
    std::mt19937 rng(seed);
    const auto a = random_values(rng, p.shapes.a.elements());
    const auto b = random_values(rng, p.shapes.b.elements());
    std::vector<int16_t> expected(static_cast<size_t>(p.shapes.out.elements()));
    ref::mul(p, a.data(), b.data(), expected.data());
    ASSERT_TRUE(binary_can_use(GetParam(), BinaryOp::kMul, p)) << what;
    const PreparedBinary prepared = binary_prepare(GetParam(), p);
    EXPECT_EQ(std::string(prepared.kernel_name), kernel_name(GetParam(), "vmul"));
    for (int splits : {1, 3, 7}) check_run(prepared, a, b, expected, splits, rng, what);
  }

  // Add, Sub and Mul on one shape triple with random (often extreme) parameters.
  void check_all_ops(const BinaryShapes& shapes, uint32_t seed, int param_sets) {
    std::mt19937 rng(seed);
    for (int k = 0; k < param_sets; ++k) {
      AddParams p = int16_add(shapes);
      // The converter's L = 15 (the split form) most of the time, any other
      // L <= 15 (the 64-bit SRDHM) otherwise.
      p.left_shift = k % 3 == 2 ? random_shift(rng, 0, 15) : 15;
      p.a_multiplier = random_multiplier(rng);
      p.b_multiplier = random_multiplier(rng);
      p.output_multiplier = random_multiplier(rng);
      // Typical Add parameters half of the time (input shifts <= 0), the
      // whole verifier range [-31, 30] otherwise (saturating sums).
      const bool wide = k % 2 == 1;
      p.a_shift = random_shift(rng, -31, wide ? 30 : 0);
      p.b_shift = random_shift(rng, -31, wide ? 30 : 0);
      p.output_shift = random_shift(rng, -31, 30);
      random_clamp(rng, &p.act_min, &p.act_max);
      const std::string what = "params " + std::to_string(k) + " seed " + std::to_string(seed) +
                               " L " + std::to_string(p.left_shift);
      check_add(p, BinaryOp::kAdd, seed + 7 * k, "add " + what);
      check_add(p, BinaryOp::kSub, seed + 7 * k + 1, "sub " + what);
      MulParams m = int16_mul(shapes);
      m.output_multiplier = p.output_multiplier;
      m.output_shift = p.output_shift;
      m.act_min = p.act_min;
      m.act_max = p.act_max;
      check_mul(m, seed + 7 * k + 2, "mul " + what);
    }
  }
};

TEST_P(ElementwiseI16KernelTest, FlatLengths) {
  for (int32_t n = 1; n <= 70; ++n) {
    check_all_ops(shapes_of({n}, {n}, {n}), 11000 + n, 3);
    if (HasFatalFailure()) return;
  }
  check_all_ops(shapes_of({1000}, {1000}, {1000}), 11999, 6);
}

TEST_P(ElementwiseI16KernelTest, ScalarOperand) {
  for (int32_t n : {1, 2, 7, 15, 16, 17, 31, 32, 33, 100}) {
    check_all_ops(shapes_of({1}, {n}, {n}), 12000 + n, 3);
    check_all_ops(shapes_of({n}, {1}, {n}), 12100 + n, 3);
    check_all_ops(shapes_of({2, 3, n}, {1, 1, 1}, {2, 3, n}), 12200 + n, 2);
    check_all_ops(shapes_of({3, 1, 1}, {3, 2, n}, {3, 2, n}), 12300 + n, 2);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseI16KernelTest, PerChannelPerPixelAndMiddleDims) {
  for (int32_t c : {1, 3, 8, 16, 24, 33, 96}) {
    check_all_ops(shapes_of({1, 4, 5, c}, {1, 1, 1, c}, {1, 4, 5, c}), 13000 + c, 2);
    check_all_ops(shapes_of({1, 1, 1, c}, {2, 3, 2, c}, {2, 3, 2, c}), 13100 + c, 2);
    check_all_ops(shapes_of({1, 4, 5, c}, {1, 4, 5, 1}, {1, 4, 5, c}), 13200 + c, 2);
    if (HasFatalFailure()) return;
  }
  // Short per-channel runs tiled into one long kernel run (<= 128 elements),
  // a repeated operand whose base moves with an outer dim, and runs longer
  // than half the tile (not tiled).
  for (int32_t c : {1, 3, 8, 13, 100, 128, 129}) {
    check_all_ops(shapes_of({1, 12, 20, c}, {1, 1, 1, c}, {1, 12, 20, c}), 13400 + c, 2);
    check_all_ops(shapes_of({1, 1, c}, {1, 70, c}, {1, 70, c}), 13500 + c, 2);
    check_all_ops(shapes_of({2, 40, c}, {2, 1, c}, {2, 40, c}), 13600 + c, 2);
    if (HasFatalFailure()) return;
  }
  check_all_ops(shapes_of({2, 1, 3, 5}, {2, 4, 1, 5}, {2, 4, 3, 5}), 13300, 8);
  check_all_ops(shapes_of({4, 1}, {1, 3}, {4, 3}), 13301, 8);
  check_all_ops(shapes_of({1}, {1}, {1}), 13302, 8);
  check_all_ops(shapes_of({}, {}, {}), 13303, 4);
}

TEST_P(ElementwiseI16KernelTest, RandomBroadcastRank1To6) {
  std::mt19937 rng(14000);
  for (int iter = 0; iter < 60; ++iter) {
    const int rank = std::uniform_int_distribution<int>(1, 6)(rng);
    std::vector<int32_t> out(static_cast<size_t>(rank)), a = out, b = out;
    for (int d = 0; d < rank; ++d) {
      out[static_cast<size_t>(d)] =
          std::uniform_int_distribution<int32_t>(1, rank > 3 ? 4 : 9)(rng);
      const int form = std::uniform_int_distribution<int>(0, 2)(rng);
      a[static_cast<size_t>(d)] = form == 1 ? 1 : out[static_cast<size_t>(d)];
      b[static_cast<size_t>(d)] = form == 2 ? 1 : out[static_cast<size_t>(d)];
    }
    check_all_ops(shapes_of(a, b, out), 14100 + iter, 1);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseI16KernelTest, LeftShiftsAndTypicalScales) {
  // Every L with converter-style parameters (the larger input at M = 1/2,
  // the other below), then saturating extremes and the smallest multipliers.
  for (int l = 0; l <= 15; ++l) {
    AddParams p = int16_add(shapes_of({3, 37}, {3, 37}, {3, 37}));
    p.left_shift = l;
    p.a_multiplier = 1 << 30;
    p.a_shift = 0;
    p.b_multiplier = 1500000000;
    p.b_shift = -2;
    p.output_multiplier = 1300000000;
    p.output_shift = 1 - l;
    const std::string ls = " left_shift " + std::to_string(l);
    check_add(p, BinaryOp::kAdd, 15100 + l, "add" + ls);
    check_add(p, BinaryOp::kSub, 15200 + l, "sub" + ls);
    p.a_multiplier = p.b_multiplier = p.output_multiplier = INT32_MAX;
    p.a_shift = p.b_shift = p.output_shift = 30;
    check_add(p, BinaryOp::kAdd, 15300 + l, "saturating add" + ls);
    check_add(p, BinaryOp::kSub, 15400 + l, "saturating sub" + ls);
    p.a_shift = p.b_shift = p.output_shift = -31;
    check_add(p, BinaryOp::kAdd, 15500 + l, "add shift -31" + ls);
    p.a_shift = p.b_shift = 1;  // left shifts on the inputs: never the split form
    p.output_shift = -l;
    check_add(p, BinaryOp::kSub, 15600 + l, "sub input shift 1" + ls);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseI16KernelTest, SplitFormOnlyAtLeftShift15) {
  for (int l = 0; l <= 15; ++l) {
    AddParams p = int16_add(shapes_of({4}, {4}, {4}));
    p.left_shift = l;
    p.a_multiplier = p.b_multiplier = p.output_multiplier = 1 << 30;
    p.b_shift = 1;
    const PreparedBinary r = binary_prepare(GetParam(), BinaryOp::kAdd, p);
    EXPECT_EQ(r.params.a.split, l == 15) << l;
    EXPECT_FALSE(r.params.b.split) << l;  // an input left shift
  }
}

// Every int16 value on both inputs through the split form (L = 15) with
// multipliers whose low 16 bits are 0xFFFF or 0 (the tight ends of its
// bounds) and ordinary ones, and through Mul: all 65536 values against a
// shuffled copy.
TEST_P(ElementwiseI16KernelTest, EveryInt16Value) {
  std::vector<int16_t> a(65536);
  std::iota(a.begin(), a.end(), int16_t{-32768});
  std::vector<int16_t> b = a;
  std::mt19937 rng(16000);
  std::shuffle(b.begin(), b.end(), rng);
  const BinaryShapes s = shapes_of({65536}, {65536}, {65536});
  const int32_t multipliers[] = {INT32_MAX, (1 << 30) | 0xFFFF, 1 << 30, 0x5555FFFF, 1518500250};
  for (int32_t ma : multipliers) {
    for (int32_t shift : {0, -1, -7}) {
      AddParams p = int16_add(s);
      p.a_multiplier = ma;
      p.a_shift = shift;
      p.b_multiplier = 1 << 30;
      p.b_shift = 0;
      p.output_multiplier = 1 << 30;
      p.output_shift = -14;
      const std::string what = "M0 " + std::to_string(ma) + " shift " + std::to_string(shift);
      ASSERT_TRUE(binary_prepare(GetParam(), BinaryOp::kAdd, p).params.a.split) << what;
      check_add_values(p, BinaryOp::kAdd, a, b, rng, "add " + what);
      check_add_values(p, BinaryOp::kSub, b, a, rng, "sub " + what);
      if (HasFatalFailure()) return;
    }
  }
  for (int32_t shift : {-31, -15, -14, 0, 3}) {
    MulParams m = int16_mul(s);
    m.output_multiplier = INT32_MAX;
    m.output_shift = shift;
    std::vector<int16_t> expected(65536);
    ref::mul(m, a.data(), b.data(), expected.data());
    ASSERT_TRUE(binary_can_use(GetParam(), BinaryOp::kMul, m));
    check_run(binary_prepare(GetParam(), m), a, b, expected, 3, rng,
              "mul shift " + std::to_string(shift));
    // -32768 * -32768 = 2^30, the largest product.
    std::vector<int16_t> lows(64, -32768);
    std::vector<int16_t> expected_lows(64);
    MulParams m64 = int16_mul(shapes_of({64}, {64}, {64}));
    m64.output_multiplier = INT32_MAX;
    m64.output_shift = shift;
    ref::mul(m64, lows.data(), lows.data(), expected_lows.data());
    check_run(binary_prepare(GetParam(), m64), lows, lows, expected_lows, 1, rng,
              "mul -32768^2 shift " + std::to_string(shift));
    if (HasFatalFailure()) return;
  }
}

// Eq. 5 ties: with M0 = 2^30 (M = 2^(shift - 1)) and small operands many
// results are exactly k + 1/2 after SRDHM, which RDBP must round away from
// zero (srshl alone rounds them up: the fix-up is what makes -0.5 -> -1).
// Mul of every a in [-1024, 1023] with b in [-5, 5]; Add / Sub with both
// inputs at M = 1/2 (shift 0) or 1/4 and the output shift -1..-12.
TEST_P(ElementwiseI16KernelTest, RoundingTiesAwayFromZero) {
  std::vector<int16_t> a, b;
  for (int x = -1024; x <= 1023; ++x) {
    for (int y = -5; y <= 5; ++y) {
      a.push_back(static_cast<int16_t>(x));
      b.push_back(static_cast<int16_t>(y));
    }
  }
  const int32_t n = static_cast<int32_t>(a.size());
  std::mt19937 rng(17000);
  for (int shift = -1; shift >= -12; --shift) {
    MulParams m = int16_mul(shapes_of({n}, {n}, {n}));
    m.output_multiplier = 1 << 30;
    m.output_shift = shift;
    std::vector<int16_t> expected(a.size());
    ref::mul(m, a.data(), b.data(), expected.data());
    ASSERT_TRUE(binary_can_use(GetParam(), BinaryOp::kMul, m));
    check_run(binary_prepare(GetParam(), m), a, b, expected, 3, rng,
              "mul tie shift " + std::to_string(shift));
    for (int l : {15, 4, 0}) {
      AddParams p = int16_add(shapes_of({n}, {n}, {n}));
      p.left_shift = l;
      p.a_multiplier = p.b_multiplier = p.output_multiplier = 1 << 30;
      p.a_shift = 0;
      p.b_shift = -1;
      p.output_shift = shift - l + 1;
      if (p.output_shift < -31) continue;
      const std::string what = " tie shift " + std::to_string(shift) + " L " + std::to_string(l);
      check_add_values(p, BinaryOp::kAdd, a, b, rng, "add" + what);
      check_add_values(p, BinaryOp::kSub, b, a, rng, "sub" + what);
      p.a_shift = -3;  // the input's own RDBP (eq. 7) has ties too
      check_add_values(p, BinaryOp::kSub, a, b, rng, "sub input shift -3" + what);
    }
    if (HasFatalFailure()) return;
  }
}

TEST_P(ElementwiseI16KernelTest, WhichParametersAreAccepted) {
  const Isa isa = GetParam();
  AddParams p = int16_add(shapes_of({8}, {8}, {8}));
  p.a_multiplier = p.b_multiplier = p.output_multiplier = 1 << 30;
  EXPECT_TRUE(binary_can_use(isa, BinaryOp::kAdd, p));
  EXPECT_TRUE(binary_can_use(isa, BinaryOp::kSub, p));
  AddParams q = p;
  q.left_shift = 16;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q));
  q = p;
  q.a_zero_point = 1;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q));
  q = p;
  q.output_zero_point = -1;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q));
  q = p;
  q.act_min = -32769;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q));
  q = p;
  q.act_max = 32768;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q));
  // Mixed int8 / int16 operands stay on the reference.
  for (int mask = 1; mask < 7; ++mask) {
    q = p;
    if (mask & 1) q.a_type = DType::kInt8;
    if (mask & 2) q.b_type = DType::kInt8;
    if (mask & 4) q.output_type = DType::kInt8;
    EXPECT_FALSE(binary_can_use(isa, BinaryOp::kAdd, q)) << mask;
    MulParams m = int16_mul(p.shapes);
    m.output_multiplier = 1 << 30;
    m.a_type = q.a_type;
    m.b_type = q.b_type;
    m.output_type = q.output_type;
    EXPECT_FALSE(binary_can_use(isa, BinaryOp::kMul, m)) << mask;
  }
  MulParams m = int16_mul(p.shapes);
  m.output_multiplier = 1 << 30;
  EXPECT_TRUE(binary_can_use(isa, BinaryOp::kMul, m));
  m.b_zero_point = 3;
  EXPECT_FALSE(binary_can_use(isa, BinaryOp::kMul, m));
}

INSTANTIATE_TEST_SUITE_P(Paths, ElementwiseI16KernelTest, ::testing::ValuesIn(kPaths),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

TEST(ElementwiseI16Kernel, ReferencePathKeepsInt16OnTheReference) {
  AddParams p = int16_add(shapes_of({8}, {8}, {8}));
  p.a_multiplier = p.b_multiplier = p.output_multiplier = 1 << 30;
  MulParams m = int16_mul(p.shapes);
  m.output_multiplier = 1 << 30;
  EXPECT_FALSE(binary_can_use(Isa::kReference, BinaryOp::kAdd, p));
  EXPECT_FALSE(binary_can_use(Isa::kReference, BinaryOp::kMul, m));
  EXPECT_EQ(binary_prepare(Isa::kReference, BinaryOp::kAdd, p).run, nullptr);
}

}  // namespace
}  // namespace dyad
