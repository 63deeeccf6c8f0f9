// Reference kernels with int16 activations (zero point 0, "W8A16"): Conv2D,
// TransposeConv2D, FullyConnected, Add/Sub/Mul (all 8 int8/int16 type
// combinations), MaxPool, AveragePool, Mean and Resize, each checked exactly
// against a brute-force oracle written here: int64 sums saturated to int32
// once (eq. 2), and eq. 6 computed with plain int64 division instead of the
// kernels' bit tricks (SRDHM = floor((x·M0 + 2^30) / 2^31), then division by
// 2^r rounding half away from zero). Inputs include the int16 extremes
// (-32768, 32767), clamp bounds, and odd shapes.
//
// Plus scaling identities against the int8 path: an int16 input holding
// (q8 - Z)·256 gives exactly 256× the int8 accumulator (int32 output), and,
// when the int8 layer's shift s >= 8, exactly the int8 layer's output with
// shift s - 8 (the left shift then absorbs the factor before any rounding).
// For s < 8 the identity does NOT hold bit for bit: eq. 6 rounds twice
// (SRDHM ties up, then RDBP ties away from zero), and the int16 path rounds
// the same value on a grid 256× finer first; the test checks |diff| <= 1
// and that differences are rare.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/common/params.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace {

// ------------------------------------------------------------ oracle helpers

int64_t sat32(int64_t v) {
  return std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, v));
}

int64_t floor_div(int64_t x, int64_t d) {  // d > 0
  int64_t q = x / d;
  if (x % d != 0 && x < 0) --q;
  return q;
}

// Eq. 6 without Z_out and clamp, written independently of fixed_point.h.
// x is an int32 value; m0 in [2^30, 2^31).
int64_t oracle_requant(int64_t x, int32_t m0, int shift) {
  if (shift > 0) x = sat32(x * (int64_t{1} << shift));
  const int64_t high = floor_div(x * m0 + (int64_t{1} << 30), int64_t{1} << 31);
  const int r = shift > 0 ? 0 : -shift;
  if (r == 0) return high;
  const int64_t d = int64_t{1} << r;
  const int64_t mag = high >= 0 ? high : -high;
  const int64_t rounded = (mag + d / 2) / d;  // half away from zero
  return high >= 0 ? rounded : -rounded;
}

int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return std::min(hi, std::max(lo, v)); }

// 1/n as a dyadic multiplier M0 * 2^(shift - 31) (floor of M0; the oracle
// uses the same numbers, so only their validity matters).
void dyadic_reciprocal(int64_t n, int32_t* m0, int* shift) {
  int e = 0;
  while ((int64_t{1} << (e + 1)) <= n) ++e;  // 2^e <= n < 2^(e+1)
  if (n == (int64_t{1} << e)) {
    *m0 = 1 << 30;
    *shift = 1 - e;
  } else {
    *m0 = static_cast<int32_t>((int64_t{1} << (31 + e)) / n);  // in (2^30, 2^31)
    *shift = -e;
  }
}

int64_t type_lo(DType t) { return t == DType::kInt16 ? -32768 : t == DType::kInt8 ? -128 : INT32_MIN; }
int64_t type_hi(DType t) { return t == DType::kInt16 ? 32767 : t == DType::kInt8 ? 127 : INT32_MAX; }

// Random int16 values with about one in eight at an extreme.
std::vector<int16_t> random_i16(std::mt19937& rng, size_t n, int32_t lo = -32768,
                                int32_t hi = 32767) {
  std::uniform_int_distribution<int32_t> v(lo, hi);
  std::uniform_int_distribution<int32_t> pick(0, 15);
  std::vector<int16_t> r(n);
  for (auto& x : r) {
    const int32_t k = pick(rng);
    x = static_cast<int16_t>(k == 0 ? -32768 : k == 1 ? 32767 : k == 2 ? -32767 : v(rng));
    if (x < lo || x > hi) x = static_cast<int16_t>(v(rng));
  }
  return r;
}
std::vector<int8_t> random_i8(std::mt19937& rng, size_t n, int32_t lo = -128, int32_t hi = 127) {
  std::uniform_int_distribution<int32_t> v(lo, hi);
  std::vector<int8_t> r(n);
  for (auto& x : r) x = static_cast<int8_t>(v(rng));
  return r;
}

// Output buffer of any type widened to int64 (marker-filled first).
struct OutBuf {
  DType type;
  std::vector<int8_t> b8;
  std::vector<int16_t> b16;
  std::vector<int32_t> b32;
  OutBuf(DType t, size_t n) : type(t), b8(n, 0x5a), b16(n, 0x5a5a), b32(n, 0x5a5a5a5a) {}
  void* data() {
    return type == DType::kInt32   ? static_cast<void*>(b32.data())
           : type == DType::kInt16 ? static_cast<void*>(b16.data())
                                   : static_cast<void*>(b8.data());
  }
  std::vector<int64_t> widened() const {
    const size_t n = b8.size();
    std::vector<int64_t> r(n);
    for (size_t i = 0; i < n; ++i) {
      r[i] = type == DType::kInt32 ? b32[i] : type == DType::kInt16 ? b16[i] : b8[i];
    }
    return r;
  }
};

int64_t finish_acc(int64_t acc, DType out, const ChannelRequant& rq, int32_t c, int32_t zp,
                   int32_t lo, int32_t hi) {
  const int64_t a = sat32(acc);
  if (out == DType::kInt32) return a;
  const int64_t v = clamp64(zp + oracle_requant(a, rq.m(c), rq.s(c)), lo, hi);
  return clamp64(v, type_lo(out), type_hi(out));
}

// ------------------------------------------------------------ Conv2D

struct ConvCase {
  int32_t batch, in_h, in_w, in_c, out_c, kh, kw, stride_h, stride_w, dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right, groups;
  DType out;
};

struct ConvData {
  ConvParams p;
  std::vector<int16_t> x;
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  std::vector<int32_t> m0;
  std::vector<int8_t> shift;
};

ConvData make_conv(const ConvCase& c, bool transpose, uint32_t seed) {
  std::mt19937 rng(seed);
  ConvData d;
  ConvParams& p = d.p;
  p.batch = c.batch;
  p.in_h = c.in_h;
  p.in_w = c.in_w;
  p.in_c = c.in_c;
  p.out_c = c.out_c;
  p.kernel_h = c.kh;
  p.kernel_w = c.kw;
  p.stride_h = c.stride_h;
  p.stride_w = c.stride_w;
  p.dilation_h = c.dil_h;
  p.dilation_w = c.dil_w;
  p.pad_top = c.pad_top;
  p.pad_left = c.pad_left;
  p.groups = c.groups;
  p.input_type = DType::kInt16;
  p.output_type = c.out;
  if (!transpose) {
    p.out_h = (c.in_h + c.pad_top + c.pad_bottom - c.dil_h * (c.kh - 1) - 1) / c.stride_h + 1;
    p.out_w = (c.in_w + c.pad_left + c.pad_right - c.dil_w * (c.kw - 1) - 1) / c.stride_w + 1;
  } else {
    p.out_h = (c.in_h - 1) * c.stride_h + c.dil_h * (c.kh - 1) + 1 - c.pad_top - c.pad_bottom;
    p.out_w = (c.in_w - 1) * c.stride_w + c.dil_w * (c.kw - 1) + 1 - c.pad_left - c.pad_right;
  }
  d.x = random_i16(rng, static_cast<size_t>(c.batch) * c.in_h * c.in_w * c.in_c);
  d.w = random_i8(rng, static_cast<size_t>(c.out_c) * c.kh * c.kw * (c.in_c / c.groups), -127, 127);
  d.bias = std::vector<int32_t>(static_cast<size_t>(c.out_c));
  std::uniform_int_distribution<int32_t> bias(-3000000, 3000000);
  for (auto& b : d.bias) b = bias(rng);
  // Accumulators reach ~ sqrt(K) * 2^15 * 2^7: shifts that spread the output.
  const int base = c.out == DType::kInt16 ? -7 : -15;
  std::uniform_int_distribution<int32_t> m(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> s(base - 3, base + 1);
  for (int32_t i = 0; i < c.out_c; ++i) {
    d.m0.push_back(m(rng));
    d.shift.push_back(static_cast<int8_t>(s(rng)));
  }
  p.requant = ChannelRequant{d.m0.data(), d.shift.data(), c.out_c};
  if (c.out == DType::kInt16) {
    p.act_min = -30000;  // a clamp bound inside the type
    p.act_max = 32767;
  } else {
    p.act_min = -128;
    p.act_max = 100;
  }
  return d;
}

std::vector<int64_t> oracle_conv(const ConvData& d) {
  const ConvParams& p = d.p;
  const int32_t ipg = p.in_c / p.groups, opg = p.out_c / p.groups;
  std::vector<int64_t> r;
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t oy = 0; oy < p.out_h; ++oy)
      for (int32_t ox = 0; ox < p.out_w; ++ox)
        for (int32_t oc = 0; oc < p.out_c; ++oc) {
          int64_t acc = d.bias[oc];
          const int32_t g = oc / opg;
          for (int32_t ky = 0; ky < p.kernel_h; ++ky)
            for (int32_t kx = 0; kx < p.kernel_w; ++kx)
              for (int32_t ic = 0; ic < ipg; ++ic) {
                const int64_t iy = int64_t{oy} * p.stride_h + int64_t{ky} * p.dilation_h - p.pad_top;
                const int64_t ix = int64_t{ox} * p.stride_w + int64_t{kx} * p.dilation_w - p.pad_left;
                if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
                const int64_t xv = d.x[((b * p.in_h + iy) * p.in_w + ix) * p.in_c + g * ipg + ic];
                const int64_t wv = d.w[((oc * p.kernel_h + ky) * p.kernel_w + kx) * ipg + ic];
                acc += xv * wv;
              }
          r.push_back(finish_acc(acc, p.output_type, p.requant, oc, 0, p.act_min, p.act_max));
        }
  return r;
}

// Scatter form (independent of the kernel's gather loops).
std::vector<int64_t> oracle_transpose_conv(const ConvData& d) {
  const ConvParams& p = d.p;
  const int32_t ipg = p.in_c / p.groups, opg = p.out_c / p.groups;
  std::vector<int64_t> acc(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.out_c);
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t oy = 0; oy < p.out_h; ++oy)
      for (int32_t ox = 0; ox < p.out_w; ++ox)
        for (int32_t oc = 0; oc < p.out_c; ++oc)
          acc[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] = d.bias[oc];
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t iy = 0; iy < p.in_h; ++iy)
      for (int32_t ix = 0; ix < p.in_w; ++ix)
        for (int32_t oc = 0; oc < p.out_c; ++oc)
          for (int32_t ky = 0; ky < p.kernel_h; ++ky)
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t oy = iy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int32_t ox = ix * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (oy < 0 || oy >= p.out_h || ox < 0 || ox >= p.out_w) continue;
              const int32_t g = oc / opg;
              for (int32_t ic = 0; ic < ipg; ++ic) {
                acc[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] +=
                    int64_t{d.x[((b * p.in_h + iy) * p.in_w + ix) * p.in_c + g * ipg + ic]} *
                    d.w[((oc * p.kernel_h + ky) * p.kernel_w + kx) * ipg + ic];
              }
            }
  std::vector<int64_t> r(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int32_t oc = static_cast<int32_t>(i % static_cast<size_t>(p.out_c));
    r[i] = finish_acc(acc[i], p.output_type, p.requant, oc, 0, p.act_min, p.act_max);
  }
  return r;
}

const ConvCase kConvCases[] = {
    // batch in_h in_w in_c out_c kh kw sh sw dh dw pt pl pb pr groups out
    {1, 5, 7, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, DType::kInt16},
    {2, 6, 5, 8, 5, 3, 2, 2, 1, 1, 2, 0, 1, 2, 0, 1, DType::kInt8},
    {1, 7, 7, 6, 6, 3, 3, 1, 2, 2, 1, 2, 0, 1, 2, 6, DType::kInt16},  // depthwise
    {1, 4, 9, 6, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3, DType::kInt32},  // grouped 1x1
    {1, 3, 3, 17, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, DType::kInt16},
    {3, 1, 11, 5, 7, 1, 4, 1, 3, 1, 1, 0, 2, 0, 1, 1, DType::kInt8},
};

TEST(RefInt16Input, Conv2dMatchesOracle) {
  uint32_t seed = 100;
  for (const ConvCase& c : kConvCases) {
    const ConvData d = make_conv(c, false, seed++);
    OutBuf out(c.out, static_cast<size_t>(d.p.batch) * d.p.out_h * d.p.out_w * d.p.out_c);
    ref::conv2d(d.p, d.x.data(), d.w.data(), d.bias.data(), out.data());
    const std::vector<int64_t> got = out.widened();
    const std::vector<int64_t> want = oracle_conv(d);
    EXPECT_EQ(got, want) << "case seed " << seed - 1;
    // Not degenerate: values spread and not all clamped.
    int distinct_bounds = 0;
    for (int64_t v : want) distinct_bounds += v == d.p.act_min || v == d.p.act_max;
    if (c.out != DType::kInt32 && want.size() >= 16) {
      EXPECT_LT(distinct_bounds, static_cast<int>(want.size()) / 2);
    }
  }
}

TEST(RefInt16Input, TransposeConv2dMatchesOracle) {
  const ConvCase cases[] = {
      {1, 3, 4, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1, 1, DType::kInt16},
      {2, 2, 3, 4, 4, 2, 3, 1, 2, 2, 1, 0, 0, 0, 0, 2, DType::kInt8},
      {1, 4, 4, 3, 6, 3, 3, 2, 1, 1, 1, 0, 1, 1, 0, 1, DType::kInt32},
  };
  uint32_t seed = 200;
  for (const ConvCase& c : cases) {
    const ConvData d = make_conv(c, true, seed++);
    OutBuf out(c.out, static_cast<size_t>(d.p.batch) * d.p.out_h * d.p.out_w * d.p.out_c);
    ref::transpose_conv2d(d.p, d.x.data(), d.w.data(), d.bias.data(), out.data());
    EXPECT_EQ(out.widened(), oracle_transpose_conv(d)) << "case seed " << seed - 1;
  }
}

TEST(RefInt16Input, Conv2dSaturatesTheAccumulator) {
  // K = 3*3*64 = 576 taps of -32768 * -127: 2.4e9 > INT32_MAX, saturates to
  // INT32_MAX like the int8 reference; the opposite sign to INT32_MIN.
  ConvCase c{1, 3, 3, 64, 2, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, DType::kInt32};
  ConvData d = make_conv(c, false, 7);
  std::fill(d.x.begin(), d.x.end(), static_cast<int16_t>(-32768));
  for (size_t i = 0; i < d.w.size(); ++i) d.w[i] = i < d.w.size() / 2 ? -127 : 127;
  d.bias = {0, 0};
  OutBuf out(DType::kInt32, 2);
  ref::conv2d(d.p, d.x.data(), d.w.data(), d.bias.data(), out.data());
  EXPECT_EQ(out.widened(), (std::vector<int64_t>{INT32_MAX, INT32_MIN}));
  // int16 output of the saturated accumulator with M = 2^-16: +-2^31 * 2^-16
  // = 32768 / -32768, i.e. the int16 bounds (a wrapped accumulator would not be).
  d.m0 = {1 << 30, 1 << 30};
  d.shift = {-15, -15};
  d.p.requant = ChannelRequant{d.m0.data(), d.shift.data(), 2};
  d.p.output_type = DType::kInt16;
  d.p.act_min = -32768;
  d.p.act_max = 32767;
  OutBuf out16(DType::kInt16, 2);
  ref::conv2d(d.p, d.x.data(), d.w.data(), d.bias.data(), out16.data());
  EXPECT_EQ(out16.widened(), oracle_conv(d));
  EXPECT_EQ(out16.widened(), (std::vector<int64_t>{32767, -32768}));
}

// ------------------------------------------------------------ FullyConnected

TEST(RefInt16Input, FullyConnectedMatchesOracle) {
  struct Case {
    int32_t rows, k, n;
    DType out;
  };
  const Case cases[] = {{1, 1, 1, DType::kInt16}, {3, 37, 5, DType::kInt8},
                        {7, 64, 9, DType::kInt16}, {2, 13, 4, DType::kInt32},
                        {4, 600, 3, DType::kInt32}};
  uint32_t seed = 300;
  for (const Case& c : cases) {
    std::mt19937 rng(seed++);
    FullyConnectedParams p;
    p.rows = c.rows;
    p.k = c.k;
    p.n = c.n;
    p.input_type = DType::kInt16;
    p.output_type = c.out;
    const std::vector<int16_t> x = random_i16(rng, static_cast<size_t>(c.rows) * c.k);
    const std::vector<int8_t> w = random_i8(rng, static_cast<size_t>(c.n) * c.k, -127, 127);
    std::vector<int32_t> bias(static_cast<size_t>(c.n));
    for (auto& b : bias) b = std::uniform_int_distribution<int32_t>(-100000, 100000)(rng);
    std::vector<int32_t> m0(static_cast<size_t>(c.n));
    std::vector<int8_t> sh(static_cast<size_t>(c.n));
    for (int32_t i = 0; i < c.n; ++i) {
      m0[i] = std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng);
      sh[i] = static_cast<int8_t>(c.out == DType::kInt16 ? -8 + i % 3 : -16 + i % 3);
    }
    p.requant = ChannelRequant{m0.data(), sh.data(), c.n};
    p.act_min = c.out == DType::kInt16 ? -32768 : -100;
    p.act_max = c.out == DType::kInt16 ? 20000 : 127;
    OutBuf out(c.out, static_cast<size_t>(c.rows) * c.n);
    ref::fully_connected(p, x.data(), w.data(), bias.data(), out.data());
    std::vector<int64_t> want;
    for (int32_t r = 0; r < c.rows; ++r)
      for (int32_t n = 0; n < c.n; ++n) {
        int64_t acc = bias[n];
        for (int32_t k = 0; k < c.k; ++k) acc += int64_t{x[r * c.k + k]} * w[n * c.k + k];
        want.push_back(finish_acc(acc, c.out, p.requant, n, 0, p.act_min, p.act_max));
      }
    EXPECT_EQ(out.widened(), want) << "rows " << c.rows << " k " << c.k << " n " << c.n;
  }
}

// ------------------------------------------------------------ x256 identities

// int8 input with zero point z -> int16 input (q - z) * 256 (zero point 0).
std::vector<int16_t> times_256(const std::vector<int8_t>& q, int32_t z) {
  std::vector<int16_t> r(q.size());
  for (size_t i = 0; i < q.size(); ++i) r[i] = static_cast<int16_t>((q[i] - z) * 256);
  return r;
}

TEST(RefInt16Input, Conv2dTimes256Identity) {
  const int32_t z = -7;
  ConvCase c{2, 6, 5, 8, 6, 3, 3, 1, 2, 1, 1, 1, 1, 1, 0, 2, DType::kInt32};
  ConvData d = make_conv(c, false, 400);
  std::mt19937 rng(401);
  // |q - z| <= 128 and != +128 so that (q - z) * 256 fits int16.
  const std::vector<int8_t> x8 = random_i8(rng, d.x.size(), -128, z + 127);
  const std::vector<int16_t> x16 = times_256(x8, z);
  std::vector<int32_t> bias8 = d.bias, bias16 = d.bias;
  for (size_t i = 0; i < bias8.size(); ++i) {
    bias8[i] /= 256;
    bias16[i] = bias8[i] * 256;
  }
  ConvParams p8 = d.p, p16 = d.p;
  p8.input_type = DType::kInt8;
  p8.input_zero_point = z;
  p16.input_type = DType::kInt16;
  const size_t n = static_cast<size_t>(p8.batch) * p8.out_h * p8.out_w * p8.out_c;

  // Int32 output: exactly 256 times the int8 accumulator.
  OutBuf a8(DType::kInt32, n), a16(DType::kInt32, n);
  ref::conv2d(p8, x8.data(), d.w.data(), bias8.data(), a8.data());
  ref::conv2d(p16, x16.data(), d.w.data(), bias16.data(), a16.data());
  const std::vector<int64_t> acc8 = a8.widened(), acc16 = a16.widened();
  int64_t nonzero = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(acc16[i], 256 * acc8[i]) << i;
    nonzero += acc8[i] != 0;
  }
  EXPECT_GT(nonzero, static_cast<int64_t>(n) * 9 / 10);

  // Requantized, shift s >= 8 on the int8 side: s - 8 gives identical bytes.
  // (M >= 128 here, so only an int16 output is not all clamped.)
  std::vector<int32_t> m0(static_cast<size_t>(c.out_c));
  std::vector<int8_t> s8(m0.size()), s16(m0.size());
  for (size_t i = 0; i < m0.size(); ++i) {
    m0[i] = std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng);
    s8[i] = static_cast<int8_t>(8 + i % 3);
    s16[i] = static_cast<int8_t>(s8[i] - 8);
  }
  for (DType out : {DType::kInt16}) {
    p8.output_type = p16.output_type = out;
    p8.act_min = p16.act_min = static_cast<int32_t>(type_lo(out));
    p8.act_max = p16.act_max = static_cast<int32_t>(type_hi(out));
    p8.output_zero_point = p16.output_zero_point = out == DType::kInt8 ? 3 : 0;
    p8.requant = ChannelRequant{m0.data(), s8.data(), c.out_c};
    p16.requant = ChannelRequant{m0.data(), s16.data(), c.out_c};
    // Small weights keep the scaled-up (M >= 128) outputs mostly unclamped.
    std::vector<int8_t> w(d.w.size());
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i % 3) - 1);
    std::vector<int8_t> xs8 = random_i8(rng, x8.size(), z - 3, z + 3);
    const std::vector<int16_t> xs16 = times_256(xs8, z);
    const std::vector<int32_t> zero_bias(bias8.size(), 0);
    OutBuf o8(out, n), o16(out, n);
    ref::conv2d(p8, xs8.data(), w.data(), zero_bias.data(), o8.data());
    ref::conv2d(p16, xs16.data(), w.data(), zero_bias.data(), o16.data());
    EXPECT_EQ(o16.widened(), o8.widened()) << "output " << static_cast<int>(out);
    int interior = 0;
    for (int64_t v : o8.widened()) interior += v > type_lo(out) && v < type_hi(out);
    EXPECT_GT(interior, static_cast<int>(n) / 4) << "degenerate: everything clamps";
  }

  // Negative shifts (the usual case): the double rounding differs near ties,
  // so within 1 LSB and rarely different.
  for (size_t i = 0; i < m0.size(); ++i) {
    s8[i] = static_cast<int8_t>(-9 - static_cast<int>(i % 3));
    s16[i] = static_cast<int8_t>(s8[i] - 8);
  }
  p8.output_type = p16.output_type = DType::kInt16;
  p8.act_min = p16.act_min = -32768;
  p8.act_max = p16.act_max = 32767;
  p8.output_zero_point = p16.output_zero_point = 0;
  OutBuf o8(DType::kInt16, n), o16(DType::kInt16, n);
  ref::conv2d(p8, x8.data(), d.w.data(), bias8.data(), o8.data());
  ref::conv2d(p16, x16.data(), d.w.data(), bias16.data(), o16.data());
  const std::vector<int64_t> v8 = o8.widened(), v16 = o16.widened();
  size_t differ = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_LE(std::abs(v16[i] - v8[i]), 1) << i;
    differ += v16[i] != v8[i];
  }
  EXPECT_LT(differ, n / 20 + 1);
}

TEST(RefInt16Input, FullyConnectedTimes256Identity) {
  const int32_t z = 12;
  std::mt19937 rng(500);
  FullyConnectedParams p8;
  p8.rows = 5;
  p8.k = 71;
  p8.n = 6;
  p8.input_zero_point = z;
  p8.output_type = DType::kInt32;
  FullyConnectedParams p16 = p8;
  p16.input_zero_point = 0;
  p16.input_type = DType::kInt16;
  const std::vector<int8_t> x8 = random_i8(rng, static_cast<size_t>(p8.rows) * p8.k, z - 128, 127);
  const std::vector<int16_t> x16 = times_256(x8, z);
  const std::vector<int8_t> w = random_i8(rng, static_cast<size_t>(p8.n) * p8.k, -127, 127);
  std::vector<int32_t> bias8(static_cast<size_t>(p8.n)), bias16(bias8.size());
  for (size_t i = 0; i < bias8.size(); ++i) {
    bias8[i] = std::uniform_int_distribution<int32_t>(-5000, 5000)(rng);
    bias16[i] = bias8[i] * 256;
  }
  const size_t n = static_cast<size_t>(p8.rows) * p8.n;
  OutBuf a8(DType::kInt32, n), a16(DType::kInt32, n);
  ref::fully_connected(p8, x8.data(), w.data(), bias8.data(), a8.data());
  ref::fully_connected(p16, x16.data(), w.data(), bias16.data(), a16.data());
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(a16.widened()[i], 256 * a8.widened()[i]) << i;
  // Requantized with shift 9 / 1 (int8 / int16 input): identical.
  std::vector<int32_t> m0(bias8.size());
  for (auto& m : m0) m = std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng);
  const std::vector<int8_t> s8(m0.size(), 9), s16(m0.size(), 1);
  p8.requant = ChannelRequant{m0.data(), s8.data(), p8.n};
  p16.requant = ChannelRequant{m0.data(), s16.data(), p8.n};
  p8.output_type = p16.output_type = DType::kInt16;
  p8.act_min = p16.act_min = -32768;
  p8.act_max = p16.act_max = 32767;
  // Small accumulators: x close to z, bias 0.
  const std::vector<int8_t> xs8 = random_i8(rng, x8.size(), z - 2, z + 2);
  const std::vector<int16_t> xs16 = times_256(xs8, z);
  std::vector<int8_t> ws(w.size());
  for (size_t i = 0; i < ws.size(); ++i) ws[i] = static_cast<int8_t>(static_cast<int>(i % 5) - 2);
  OutBuf o8(DType::kInt16, n), o16(DType::kInt16, n);
  ref::fully_connected(p8, xs8.data(), ws.data(), nullptr, o8.data());
  ref::fully_connected(p16, xs16.data(), ws.data(), nullptr, o16.data());
  EXPECT_EQ(o16.widened(), o8.widened());
  int interior = 0;
  for (int64_t v : o8.widened()) interior += v > -32768 && v < 32767 && v != 0;
  EXPECT_GT(interior, static_cast<int>(n) / 3);
}

// ------------------------------------------------------------ Add / Sub / Mul

Shape shape_of(std::vector<int32_t> dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) s.dims[i] = dims[i];
  return s;
}

int64_t bcast_index(const Shape& in, const Shape& out, int64_t o) {
  int64_t index = 0, stride = 1;
  for (int d = out.rank - 1; d >= 0; --d) {
    const int64_t coord = o % out.dims[d];
    o /= out.dims[d];
    if (in.dims[d] != 1) index += coord * stride;
    stride *= in.dims[d];
  }
  return index;
}

// One int8 or int16 operand: its values widened, and its raw bytes.
struct Operand {
  DType type;
  int32_t zero_point;
  std::vector<int8_t> v8;
  std::vector<int16_t> v16;
  const void* data() const {
    return type == DType::kInt16 ? static_cast<const void*>(v16.data())
                                 : static_cast<const void*>(v8.data());
  }
  int64_t at(int64_t i) const { return type == DType::kInt16 ? v16[i] : v8[i]; }
};

Operand random_operand(std::mt19937& rng, DType t, size_t n) {
  Operand o;
  o.type = t;
  if (t == DType::kInt16) {
    o.zero_point = 0;
    o.v16 = random_i16(rng, n);
  } else {
    o.zero_point = std::uniform_int_distribution<int32_t>(-20, 20)(rng);
    o.v8 = random_i8(rng, n);
  }
  return o;
}

int bits(DType t) { return t == DType::kInt16 ? 15 : 7; }

class RefInt16Binary : public ::testing::TestWithParam<int> {};

TEST_P(RefInt16Binary, AddSubMulMatchOracle) {
  const int combo = GetParam();  // bits: a int16, b int16, out int16
  const DType ta = combo & 1 ? DType::kInt16 : DType::kInt8;
  const DType tb = combo & 2 ? DType::kInt16 : DType::kInt8;
  const DType to = combo & 4 ? DType::kInt16 : DType::kInt8;
  // {a, b}; the output is their broadcast.
  const std::vector<std::vector<std::vector<int32_t>>> shape_sets = {
      {{2, 1, 5, 7}, {1, 3, 1, 7}}, {{4, 9}, {4, 9}}, {{3, 1, 6}, {1}}, {{1, 5, 1}, {5, 4}}};
  std::mt19937 rng(600 + static_cast<uint32_t>(combo));
  std::uniform_int_distribution<int32_t> m(1 << 30, INT32_MAX);
  for (const auto& set : shape_sets) {
    Shape sa = shape_of(set[0]), sb = shape_of(set[1]);
    Shape so;
    so.rank = std::max(sa.rank, sb.rank);
    auto pad = [&](const Shape& s) {
      Shape r;
      r.rank = so.rank;
      for (int i = 0; i < so.rank; ++i) r.dims[i] = i < so.rank - s.rank ? 1 : s.dims[i - (so.rank - s.rank)];
      return r;
    };
    sa = pad(sa);
    sb = pad(sb);
    for (int i = 0; i < so.rank; ++i) so.dims[i] = std::max(sa.dims[i], sb.dims[i]);
    const Operand a = random_operand(rng, ta, static_cast<size_t>(sa.elements()));
    const Operand b = random_operand(rng, tb, static_cast<size_t>(sb.elements()));
    const int32_t out_zp = to == DType::kInt16 ? 0 : 5;
    const int32_t lo = to == DType::kInt16 ? -32000 : -128;
    const int32_t hi = to == DType::kInt16 ? 32767 : 120;
    const size_t n = static_cast<size_t>(so.elements());

    // Add and Sub (eqs. 7-9).
    AddParams ap;
    ap.shapes = BinaryShapes{sa, sb, so};
    ap.a_type = ta;
    ap.b_type = tb;
    ap.output_type = to;
    ap.a_zero_point = a.zero_point;
    ap.b_zero_point = b.zero_point;
    ap.output_zero_point = out_zp;
    ap.left_shift = (ta == DType::kInt16 || tb == DType::kInt16) ? 15 : 20;
    ap.a_multiplier = m(rng);
    ap.a_shift = -1;
    ap.b_multiplier = m(rng);
    ap.b_shift = -2;
    ap.output_multiplier = m(rng);
    ap.output_shift = bits(to) + 2 - std::max(bits(ta), bits(tb)) - ap.left_shift;
    ap.act_min = lo;
    ap.act_max = hi;
    for (bool subtract : {false, true}) {
      OutBuf got(to, n);
      if (subtract) {
        ref::sub(ap, a.data(), b.data(), got.data());
      } else {
        ref::add(ap, a.data(), b.data(), got.data());
      }
      std::vector<int64_t> want(n);
      int interior = 0;
      for (size_t o = 0; o < n; ++o) {
        const int64_t qa = a.at(bcast_index(sa, so, static_cast<int64_t>(o))) - a.zero_point;
        const int64_t qb = b.at(bcast_index(sb, so, static_cast<int64_t>(o))) - b.zero_point;
        const int64_t scale = int64_t{1} << ap.left_shift;
        const int64_t ra = oracle_requant(qa * scale, ap.a_multiplier, ap.a_shift);
        const int64_t rb = oracle_requant(qb * scale, ap.b_multiplier, ap.b_shift);
        const int64_t s = sat32(subtract ? ra - rb : ra + rb);
        want[o] = clamp64(out_zp + oracle_requant(s, ap.output_multiplier, ap.output_shift), lo, hi);
        interior += want[o] > lo && want[o] < hi;
      }
      EXPECT_EQ(got.widened(), want) << "combo " << combo << (subtract ? " sub" : " add");
      if (n >= 20) {
        EXPECT_GT(interior, static_cast<int>(n) / 4) << "combo " << combo;
      }
    }

    // Mul (eq. 10).
    MulParams mp;
    mp.shapes = ap.shapes;
    mp.a_type = ta;
    mp.b_type = tb;
    mp.output_type = to;
    mp.a_zero_point = a.zero_point;
    mp.b_zero_point = b.zero_point;
    mp.output_zero_point = out_zp;
    mp.output_multiplier = m(rng);
    mp.output_shift = bits(to) + 1 - bits(ta) - bits(tb);
    mp.act_min = lo;
    mp.act_max = hi;
    OutBuf got(to, n);
    ref::mul(mp, a.data(), b.data(), got.data());
    std::vector<int64_t> want(n);
    for (size_t o = 0; o < n; ++o) {
      const int64_t qa = a.at(bcast_index(sa, so, static_cast<int64_t>(o))) - a.zero_point;
      const int64_t qb = b.at(bcast_index(sb, so, static_cast<int64_t>(o))) - b.zero_point;
      want[o] = clamp64(out_zp + oracle_requant(qa * qb, mp.output_multiplier, mp.output_shift),
                        lo, hi);
    }
    EXPECT_EQ(got.widened(), want) << "combo " << combo << " mul";
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypeCombinations, RefInt16Binary, ::testing::Range(0, 8));

TEST(RefInt16Input, BinaryExtremes) {
  // -32768 and 32767 in both int16 inputs, left_shift 15: (q << 15) = -2^30
  // fits; the product -32768 * -32768 = 2^30 fits.
  const std::vector<int16_t> a = {-32768, -32768, 32767, 32767, 0, -1};
  const std::vector<int16_t> b = {-32768, 32767, -32768, 32767, -32768, 1};
  Shape s = shape_of({6});
  AddParams ap;
  ap.shapes = BinaryShapes{s, s, s};
  ap.a_type = ap.b_type = ap.output_type = DType::kInt16;
  ap.left_shift = 15;
  ap.a_multiplier = ap.b_multiplier = 1 << 30;  // 1/2 each
  ap.a_shift = ap.b_shift = 0;
  ap.output_multiplier = 1 << 30;  // 2^-14: a' + b' = (a + b) * 2^14 maps back to a + b
  ap.output_shift = -13;
  ap.act_min = -32768;
  ap.act_max = 32767;
  std::vector<int16_t> out(6);
  ref::add(ap, a.data(), b.data(), out.data());
  // a + b, clamped to int16.
  EXPECT_EQ(out, (std::vector<int16_t>{-32768, -1, -1, 32767, -32768, 0}));
  ref::sub(ap, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int16_t>{0, -32768, 32767, 0, 32767, -2}));
  MulParams mp;
  mp.shapes = ap.shapes;
  mp.a_type = mp.b_type = mp.output_type = DType::kInt16;
  mp.output_multiplier = 1 << 30;  // 2^-15
  mp.output_shift = -14;
  mp.act_min = -32768;
  mp.act_max = 32767;
  ref::mul(mp, a.data(), b.data(), out.data());
  // 2^30 / 2^15 = 32768 -> clamp 32767; -32768 * 32767 / 2^15 = -32767;
  // 32767^2 / 2^15 = 32766.00003 -> 32766; -1 / 2^15 -> 0.
  EXPECT_EQ(out, (std::vector<int16_t>{32767, -32767, -32767, 32766, 0, 0}));
}

// ------------------------------------------------------------ pools, Mean

PoolParams pool_params(int32_t batch, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw,
                       int32_t sh, int32_t sw, int32_t dh, int32_t dw, int32_t pt, int32_t pl,
                       int32_t pb, int32_t pr) {
  PoolParams p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.channels = c;
  p.kernel_h = kh;
  p.kernel_w = kw;
  p.stride_h = sh;
  p.stride_w = sw;
  p.dilation_h = dh;
  p.dilation_w = dw;
  p.pad_top = pt;
  p.pad_left = pl;
  p.out_h = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
  p.out_w = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
  p.type = DType::kInt16;
  p.act_min = -32768;
  p.act_max = 32767;
  return p;
}

TEST(RefInt16Input, MaxPoolMatchesOracle) {
  std::mt19937 rng(700);
  const PoolParams cases[] = {pool_params(1, 5, 6, 3, 2, 2, 2, 2, 1, 1, 0, 0, 1, 0),
                              pool_params(2, 7, 7, 5, 3, 3, 2, 1, 2, 1, 1, 2, 1, 0),
                              pool_params(1, 4, 9, 1, 3, 2, 1, 3, 1, 1, 2, 1, 2, 1)};
  for (PoolParams p : cases) {
    for (int clamp = 0; clamp < 2; ++clamp) {
      if (clamp) {
        p.act_min = -1000;
        p.act_max = 25000;
      }
      const std::vector<int16_t> x = random_i16(rng, static_cast<size_t>(p.batch) * p.in_h * p.in_w * p.channels);
      std::vector<int16_t> got(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels, 0x5a5a);
      ref::max_pool(p, x.data(), got.data());
      std::vector<int16_t> want;
      for (int32_t b = 0; b < p.batch; ++b)
        for (int32_t oy = 0; oy < p.out_h; ++oy)
          for (int32_t ox = 0; ox < p.out_w; ++ox)
            for (int32_t c = 0; c < p.channels; ++c) {
              int64_t best = INT64_MIN;
              for (int32_t ky = 0; ky < p.kernel_h; ++ky)
                for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
                  const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                  const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                  if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
                  best = std::max<int64_t>(best, x[((b * p.in_h + iy) * p.in_w + ix) * p.channels + c]);
                }
              want.push_back(static_cast<int16_t>(clamp64(best, p.act_min, p.act_max)));
            }
      EXPECT_EQ(got, want);
    }
  }
  // Every input -32768: the maximum is -32768 (not a smaller int8 initial value).
  PoolParams p = cases[0];
  const std::vector<int16_t> low(static_cast<size_t>(p.in_h) * p.in_w * p.channels, -32768);
  std::vector<int16_t> got(static_cast<size_t>(p.out_h) * p.out_w * p.channels, 0);
  ref::max_pool(p, low.data(), got.data());
  for (int16_t v : got) EXPECT_EQ(v, -32768);
}

TEST(RefInt16Input, AveragePoolMatchesOracle) {
  std::mt19937 rng(800);
  struct Case {
    PoolParams p;
    bool include_pad;
  };
  const Case cases[] = {{pool_params(1, 5, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), false},
                        {pool_params(2, 7, 4, 5, 2, 3, 2, 1, 1, 1, 1, 0, 0, 2), true},
                        {pool_params(1, 16, 16, 2, 16, 16, 1, 1, 1, 1, 0, 0, 0, 0), false}};
  for (Case cs : cases) {
    PoolParams p = cs.p;
    p.count_include_pad = cs.include_pad;
    const int32_t window = p.kernel_h * p.kernel_w;
    std::vector<int32_t> m0(static_cast<size_t>(window) + 1, 0);
    std::vector<int8_t> sh(m0.size(), 0);
    for (int32_t n = 1; n <= window; ++n) {
      int shift = 0;
      dyadic_reciprocal(n, &m0[n], &shift);
      sh[n] = static_cast<int8_t>(shift);
    }
    p.count_multiplier = m0.data();
    p.count_shift = sh.data();
    p.act_min = -30000;
    p.act_max = 32767;
    const std::vector<int16_t> x =
        random_i16(rng, static_cast<size_t>(p.batch) * p.in_h * p.in_w * p.channels);
    std::vector<int16_t> got(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels);
    ref::average_pool(p, x.data(), got.data());
    std::vector<int16_t> want;
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t oy = 0; oy < p.out_h; ++oy)
        for (int32_t ox = 0; ox < p.out_w; ++ox)
          for (int32_t c = 0; c < p.channels; ++c) {
            int64_t sum = 0;
            int32_t valid = 0;
            for (int32_t ky = 0; ky < p.kernel_h; ++ky)
              for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
                const int32_t iy = oy * p.stride_h - p.pad_top + ky;
                const int32_t ix = ox * p.stride_w - p.pad_left + kx;
                if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
                sum += x[((b * p.in_h + iy) * p.in_w + ix) * p.channels + c];
                ++valid;
              }
            const int32_t n = p.count_include_pad ? window : valid;
            want.push_back(static_cast<int16_t>(
                clamp64(oracle_requant(sat32(sum), m0[n], sh[n]), p.act_min, p.act_max)));
          }
    EXPECT_EQ(got, want) << "window " << window;
  }
  // All-extreme windows: the mean of -32768s is -32768 (no int32 overflow for
  // 256 positions: |sum| = 2^23).
  PoolParams p = cases[2].p;
  std::vector<int32_t> m0(257, 1 << 30);
  std::vector<int8_t> sh(257, -7);  // 2^30 * 2^(-7-31) = 1/256
  p.count_multiplier = m0.data();
  p.count_shift = sh.data();
  for (int16_t v : {int16_t{-32768}, int16_t{32767}}) {
    const std::vector<int16_t> x(static_cast<size_t>(p.in_h) * p.in_w * p.channels, v);
    std::vector<int16_t> got(2);
    ref::average_pool(p, x.data(), got.data());
    EXPECT_EQ(got, (std::vector<int16_t>{v, v}));
  }
}

TEST(RefInt16Input, MeanMatchesOracle) {
  std::mt19937 rng(900);
  struct Case {
    std::vector<int32_t> dims;
    std::vector<int> axes;
  };
  const Case cases[] = {{{2, 5, 7, 3}, {1, 2}}, {{3, 4, 6}, {0, 2}}, {{9, 33}, {1}},
                        {{1, 256, 256, 1}, {1, 2}}};
  for (const Case& cs : cases) {
    MeanParams p;
    p.in = shape_of(cs.dims);
    for (int a : cs.axes) p.reduce[a] = true;
    p.type = DType::kInt16;
    int64_t count = 1;
    for (int a : cs.axes) count *= cs.dims[static_cast<size_t>(a)];
    dyadic_reciprocal(count, &p.multiplier, &p.shift);
    const std::vector<int16_t> x = random_i16(rng, static_cast<size_t>(p.in.elements()));
    const int64_t out_count = p.in.elements() / count;
    std::vector<int16_t> got(static_cast<size_t>(out_count));
    ref::mean(p, x.data(), got.data());
    // Oracle: visit every input element once and add it to its output slot.
    std::vector<int64_t> sums(static_cast<size_t>(out_count), 0);
    for (int64_t i = 0; i < p.in.elements(); ++i) {
      int64_t rest = i, o = 0, o_stride = 1;
      for (int d = p.in.rank - 1; d >= 0; --d) {
        const int64_t coord = rest % p.in.dims[d];
        rest /= p.in.dims[d];
        if (!p.reduce[d]) {
          o += coord * o_stride;
          o_stride *= p.in.dims[d];
        }
      }
      sums[static_cast<size_t>(o)] += x[static_cast<size_t>(i)];
    }
    std::vector<int16_t> want;
    for (int64_t s : sums) {
      want.push_back(static_cast<int16_t>(clamp64(oracle_requant(sat32(s), p.multiplier, p.shift), -32768, 32767)));
    }
    EXPECT_EQ(got, want);
  }
  // 2^16 elements of -32768: sum -2^31 exactly, mean -32768.
  MeanParams p;
  p.in = shape_of({1, 256, 256, 1});
  p.reduce[1] = p.reduce[2] = true;
  p.type = DType::kInt16;
  p.multiplier = 1 << 30;
  p.shift = -15;  // 2^-16
  const std::vector<int16_t> x(65536, -32768);
  int16_t out = 0;
  ref::mean(p, x.data(), &out);
  EXPECT_EQ(out, -32768);
}

// ------------------------------------------------------------ Resize

ResizeParams resize_params(int32_t batch, int32_t ih, int32_t iw, int32_t c, int32_t oh,
                           int32_t ow, ResizeMode mode, CoordinateMode cm) {
  ResizeParams p;
  p.batch = batch;
  p.in_h = ih;
  p.in_w = iw;
  p.channels = c;
  p.out_h = oh;
  p.out_w = ow;
  p.mode = mode;
  p.coordinate_mode = cm;
  return p;
}

TEST(RefInt16Input, ResizeNearestIsBytewiseTheInt8Resize) {
  // Nearest only moves elements: the int16 result's low and high bytes are
  // the int8 resize of the input's low and high bytes.
  std::mt19937 rng(1000);
  const ResizeParams cases[] = {
      resize_params(1, 3, 5, 4, 7, 9, ResizeMode::kNearest, CoordinateMode::kHalfPixel),
      resize_params(2, 6, 4, 3, 3, 11, ResizeMode::kNearest, CoordinateMode::kAlignCorners),
      resize_params(1, 5, 5, 17, 10, 10, ResizeMode::kNearest, CoordinateMode::kAsymmetric)};
  for (ResizeParams p : cases) {
    for (NearestRounding r : {NearestRounding::kRoundPreferFloor, NearestRounding::kCeil}) {
      p.nearest_rounding = r;
      const size_t in_n = static_cast<size_t>(p.batch) * p.in_h * p.in_w * p.channels;
      const size_t out_n = static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels;
      const std::vector<int16_t> x = random_i16(rng, in_n);
      std::vector<int8_t> lo(in_n), hi(in_n);
      for (size_t i = 0; i < in_n; ++i) {
        const auto u = static_cast<uint16_t>(x[i]);
        lo[i] = static_cast<int8_t>(u & 0xff);
        hi[i] = static_cast<int8_t>(u >> 8);
      }
      ResizeParams p16 = p;
      p16.type = DType::kInt16;
      std::vector<int16_t> got(out_n);
      ref::resize(p16, x.data(), got.data());
      std::vector<int8_t> lo_out(out_n), hi_out(out_n);
      ref::resize(p, lo.data(), lo_out.data());
      ref::resize(p, hi.data(), hi_out.data());
      for (size_t i = 0; i < out_n; ++i) {
        const auto u = static_cast<uint16_t>(static_cast<uint8_t>(lo_out[i]) |
                                             (static_cast<uint8_t>(hi_out[i]) << 8));
        ASSERT_EQ(static_cast<int16_t>(u), got[i]) << i;
      }
    }
  }
}

TEST(RefInt16Input, ResizeBilinearMatchesOracle) {
  std::mt19937 rng(1100);
  const ResizeParams cases[] = {
      resize_params(1, 3, 5, 4, 7, 9, ResizeMode::kBilinear, CoordinateMode::kHalfPixel),
      resize_params(2, 6, 4, 3, 3, 11, ResizeMode::kBilinear, CoordinateMode::kAlignCorners),
      resize_params(1, 4, 4, 17, 8, 8, ResizeMode::kBilinear, CoordinateMode::kPytorchHalfPixel),
      resize_params(1, 5, 3, 2, 9, 4, ResizeMode::kBilinear, CoordinateMode::kAsymmetric)};
  for (ResizeParams p : cases) {
    p.type = DType::kInt16;
    const size_t in_n = static_cast<size_t>(p.batch) * p.in_h * p.in_w * p.channels;
    const std::vector<int16_t> x = random_i16(rng, in_n);
    std::vector<int16_t> got(static_cast<size_t>(p.batch) * p.out_h * p.out_w * p.channels);
    ref::resize(p, x.data(), got.data());
    // Oracle: the taps of eq. 18 (ref::resize_bilinear_tap, tested with the
    // int8 kernel), the blend in int64, one rounding half away from zero.
    std::vector<int16_t> want;
    const int64_t one = 1 << kResizeFracBits;
    for (int32_t b = 0; b < p.batch; ++b)
      for (int32_t y = 0; y < p.out_h; ++y) {
        const ResizeTap ty = ref::resize_bilinear_tap(p, false, y);
        for (int32_t xo = 0; xo < p.out_w; ++xo) {
          const ResizeTap tx = ref::resize_bilinear_tap(p, true, xo);
          for (int32_t c = 0; c < p.channels; ++c) {
            auto v = [&](int32_t iy, int32_t ix) {
              return int64_t{x[((b * p.in_h + iy) * p.in_w + ix) * p.channels + c]};
            };
            const int64_t sum = (one - ty.w1) * ((one - tx.w1) * v(ty.i0, tx.i0) + tx.w1 * v(ty.i0, tx.i1)) +
                                ty.w1 * ((one - tx.w1) * v(ty.i1, tx.i0) + tx.w1 * v(ty.i1, tx.i1));
            const int64_t d = one * one;
            const int64_t mag = sum >= 0 ? sum : -sum;
            const int64_t r = (mag + d / 2) / d;
            want.push_back(static_cast<int16_t>(clamp64(sum >= 0 ? r : -r, -32768, 32767)));
          }
        }
      }
    EXPECT_EQ(got, want);
    // Values inside int8's range: bit-identical with the int8 kernel.
    std::vector<int8_t> x8(in_n);
    std::vector<int16_t> x16(in_n);
    for (size_t i = 0; i < in_n; ++i) {
      x8[i] = static_cast<int8_t>(x[i] >> 8);
      x16[i] = x8[i];
    }
    ResizeParams p8 = p;
    p8.type = DType::kInt8;
    std::vector<int8_t> out8(got.size());
    std::vector<int16_t> out16(got.size());
    ref::resize(p8, x8.data(), out8.data());
    ref::resize(p, x16.data(), out16.data());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(out16[i], out8[i]) << i;
  }
  // Constant extreme images stay exactly constant (no overflow in the blend).
  ResizeParams p = cases[0];
  p.type = DType::kInt16;
  for (int16_t v : {int16_t{-32768}, int16_t{32767}}) {
    const std::vector<int16_t> x(static_cast<size_t>(p.in_h) * p.in_w * p.channels, v);
    std::vector<int16_t> got(static_cast<size_t>(p.out_h) * p.out_w * p.channels);
    ref::resize(p, x.data(), got.data());
    for (int16_t g : got) ASSERT_EQ(g, v);
  }
}

}  // namespace
}  // namespace dyad
