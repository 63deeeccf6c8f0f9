// Add and Sub (eqs. 7-9) on 16 int8 outputs per step with AVX2, bit-exact
// with ref::add / ref::sub. Sub is this kernel with a' - b' (kernel name
// "qs8_vsub_16__avx2"). Eq. 6 is kernels/x86/requant_ymm.h's, fed with
// per-tensor constants (BinaryRequant::lanes: 16 equal entries per array).
// With BinaryKernelParams::narrow all of eqs. 7-9 run in 16 int16 lanes
// (vpmulhrsw for SRDHM): no 64-bit products, one ymm per 16 outputs.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/common/binary_blocks.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/x86/avx2/binary_ymm.h"
#include "kernels/x86/requant_ymm.h"

namespace dyad {
namespace x86 {
namespace {

// Per-call constants of one input's eq. 7: its zero point and the rescale.
struct InputConstants {
  __m256i zero_point;
  RescaleConstants r;
  InputConstants(const BinaryRequant& q, int32_t zero, int32_t l)
      : zero_point(_mm256_set1_epi32(zero)), r(q, l) {}
};

// Eq. 7 on 8 sign-extended inputs. (q - Z) << L is exact and needs no
// saturation: |q - Z| <= 255 and L <= 22 give |x| <= 255 * 2^22 < 2^30.
inline __m256i rescale8(__m256i q, const InputConstants& c) {
  return rescale(_mm256_sub_epi32(q, c.zero_point), c.r);
}
inline __m256i rescale8_split(__m256i q, const InputConstants& c) {
  return rescale_split(_mm256_sub_epi32(q, c.zero_point), c.r);
}

// RDBP (eq. 5) on 16 int16 lanes, r <= 15, with |v| <= 32767 (set_narrow),
// in the sign form of requant_ymm.h.
// The converter's larger-scale input has M = 1/2 exactly (shift 0): that
// input skips it (a branch that goes the same way for a whole call).
struct Rdbp16 {
  __m256i half;
  __m128i shift;
  bool identity;
  explicit Rdbp16(const BinaryRequant& r) {
    const int right = -r.neg_right;
    half = _mm256_set1_epi16(static_cast<int16_t>((1 << right) >> 1));
    shift = _mm_cvtsi32_si128(right);
    identity = right == 0;
  }
  __m256i operator()(__m256i v) const {
    return identity ? v : rdbp_sign_epi16(v, half, shift);
  }
};

// Eq. 7 of one input in int16 lanes: t = (q - Z) << L (|t| <= 32640), then
// SRDHM(t, m * 2^16) = vpmulhrsw(t, m) = floor((t * m + 2^14) / 2^15)
// exactly (elementwise_kernels.cc, set_narrow), then RDBP.
struct NarrowInput {
  __m256i zero_point, high16;
  __m128i left_shift;
  Rdbp16 rdbp;
  NarrowInput(const BinaryRequant& r, int32_t zero, int32_t l)
      : zero_point(_mm256_set1_epi16(static_cast<int16_t>(zero))),
        high16(_mm256_set1_epi16(r.high16)),
        left_shift(_mm_cvtsi32_si128(l)),
        rdbp(r) {}
  __m256i operator()(__m256i q) const {
    const __m256i t = _mm256_sll_epi16(_mm256_sub_epi16(q, zero_point), left_shift);
    return rdbp(_mm256_mulhrs_epi16(t, high16));
  }
};

// The narrow form: 16 outputs per ymm, 32 per step. Eq. 8 is a plain int16 sum
// (set_narrow proved |a'| + |b'| <= 32767), eq. 9 is vpmulhrsw + RDBP, + Z_out
// with vpaddsw, then vpacksswb and the clamp in int8 (saturations are
// monotonic and the clamp range lies inside int8, so clamp(sat(x)) = clamp(x)).
template <bool kAScalar, bool kBScalar, bool kSubtract>
void add_run_narrow(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                    size_t n, int32_t a_value, int32_t b_value) {
  const NarrowInput ia(p.a, p.a_zero_point, p.left_shift);
  const NarrowInput ib(p.b, p.b_zero_point, p.left_shift);
  const __m256i av = _mm256_set1_epi16(static_cast<int16_t>(a_value));
  const __m256i bv = _mm256_set1_epi16(static_cast<int16_t>(b_value));
  const __m256i out_high16 = _mm256_set1_epi16(p.out.high16);
  const Rdbp16 out_rdbp(p.out);
  const __m256i out_zero_point = _mm256_set1_epi16(static_cast<int16_t>(p.output_zero_point));
  const __m256i lo = _mm256_set1_epi8(static_cast<int8_t>(p.act_min));
  const __m256i hi = _mm256_set1_epi8(static_cast<int8_t>(p.act_max));
  // 16 outputs as int16 (eqs. 7-9 and + Z_out) from 16 readable bytes of
  // each contiguous operand.
  auto block16 = [&](const int8_t* pa, const int8_t* pb) {
    const __m256i x = kAScalar ? av
                               : ia(_mm256_cvtepi8_epi16(
                                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(pa))));
    const __m256i y = kBScalar ? bv
                               : ib(_mm256_cvtepi8_epi16(
                                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(pb))));
    const __m256i s = kSubtract ? _mm256_sub_epi16(x, y) : _mm256_add_epi16(x, y);
    return _mm256_adds_epi16(out_rdbp(_mm256_mulhrs_epi16(s, out_high16)), out_zero_point);
  };
  auto clamp = [&](__m256i bytes) { return _mm256_min_epi8(_mm256_max_epi8(bytes, lo), hi); };
  // 32 outputs per step: one vpacksswb + vpermq and one clamp for both halves.
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i w0 = block16(a + (kAScalar ? 0 : i), b + (kBScalar ? 0 : i));
    const __m256i w1 = block16(a + (kAScalar ? 0 : i + 16), b + (kBScalar ? 0 : i + 16));
    const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packs_epi16(w0, w1), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), clamp(bytes));
  }
  for_each_block16<kAScalar, kBScalar>(a + (kAScalar ? 0 : i), b + (kBScalar ? 0 : i), out + i,
                                       n - i, [&](const int8_t* pa, const int8_t* pb, int8_t* dst,
                                                  int count) {
    store_16xi16_to_i8_clamped(dst, block16(pa, pb), _mm256_castsi256_si128(lo),
                               _mm256_castsi256_si128(hi), count);
  });
}

// A scalar operand (kAScalar / kBScalar) is already rescaled: a_value / b_value.
template <bool kAScalar, bool kBScalar>
void add_run(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n,
             int32_t a_value, int32_t b_value) {
  if (p.narrow) {
    if (p.op == BinaryOp::kSub) {
      add_run_narrow<kAScalar, kBScalar, true>(p, a, b, out, n, a_value, b_value);
    } else {
      add_run_narrow<kAScalar, kBScalar, false>(p, a, b, out, n, a_value, b_value);
    }
    return;
  }
  const InputConstants ca(p.a, p.a_zero_point, p.left_shift);
  const InputConstants cb(p.b, p.b_zero_point, p.left_shift);
  const __m256i av = _mm256_set1_epi32(a_value);
  const __m256i bv = _mm256_set1_epi32(b_value);
  const Epilogue eo{p.output_zero_point, p.act_min - p.output_zero_point,
                    p.act_max - p.output_zero_point, p.out.left > 0};
  const bool subtract = p.op == BinaryOp::kSub;
  const bool saturate = p.sum_may_saturate;
  const int32_t* lanes = &p.out.lanes[0][0];
  // 16 outputs per block from 16 readable bytes of each contiguous operand,
  // with the given eq. 7 (rescale) and eq. 8 (combine).
  auto run_blocks = [&](auto rescale, auto combine) {
    for_each_block16<kAScalar, kBScalar>(a, b, out, n, [&](const int8_t* pa, const int8_t* pb,
                                                           int8_t* dst, int count) {
      __m256i a0 = av, a1 = av, b0 = bv, b1 = bv;
      if (!kAScalar) {
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pa));
        a0 = rescale(_mm256_cvtepi8_epi32(q), ca);
        a1 = rescale(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)), ca);
      }
      if (!kBScalar) {
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pb));
        b0 = rescale(_mm256_cvtepi8_epi32(q), cb);
        b1 = rescale(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)), cb);
      }
      store_16xi8_clamped(dst, requantize_ymm_unclamped(combine(a0, b0), lanes, 16, 0, eo),
                          requantize_ymm_unclamped(combine(a1, b1), lanes, 16, 0, eo), eo, count);
    });
  };
  if (ca.r.split && cb.r.split && !saturate && !eo.any_left_shift) {
    // The usual case, straight-line: both inputs split, a plain int32 sum or
    // difference (a compile-time choice), no output left shift.
    auto split = [](__m256i q, const InputConstants& c) { return rescale8_split(q, c); };
    if (subtract) {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_sub_epi32(x, y); });
    } else {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_add_epi32(x, y); });
    }
    return;
  }
  run_blocks([](__m256i q, const InputConstants& c) { return rescale8(q, c); },
             [&](__m256i x, __m256i y) {
               if (saturate) return subtract ? sub_saturate(x, y) : add_saturate(x, y);
               return subtract ? _mm256_sub_epi32(x, y) : _mm256_add_epi32(x, y);
             });
}

}  // namespace
}  // namespace x86

void qs8_vadd_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a8 = static_cast<const int8_t*>(a);
  const auto* b8 = static_cast<const int8_t*>(b);
  auto* out8 = static_cast<int8_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    x86::add_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a8, b8, out8, n, av, bv);
  });
}

}  // namespace dyad
