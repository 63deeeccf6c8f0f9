// Add and Sub (eqs. 7-9) on 16 int16 outputs per step with AVX2, a, b and
// the output all int16 with zero point 0, bit-exact with ref::add / ref::sub.
// Sub is this kernel with a' - b' (kernel name "qs16_vsub_16__avx2").
//
// Eq. 7: x = q, |x| <= 2^15 and L <= 15 (binary_can_use), so x << L is
// exact (|x * 2^L| <= 2^30). Its SRDHM is either
//  - the int32 split form (BinaryRequant::split), valid only for L = 15 (the
//    converter's value) and an input shift <= 0: with k = 16,
//    x * (M0 >> 16) + ((x * (M0 & 0xFFFF) + 2^15) >> 16), every term inside
//    int32 (proof at set_split in elementwise_kernels.cc), or
//  - the 64-bit-product SRDHM of requant_ymm.h (any L <= 15, any input shift,
//    saturating left shift included).
// Eq. 8 saturates only when prepare finds max|a'| + max|b'| > INT32_MAX over
// q in [-32768, 32767] (sum_may_saturate). Eq. 9 is requant_ymm.h's eq. 6;
// the clamp runs after the saturating pack to int16.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/common/binary_blocks.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/x86/avx2/qs16_binary_ymm.h"
#include "kernels/x86/requant_ymm.h"

namespace dyad {
namespace x86 {
namespace {

// Per-call constants of one input's eq. 7.
struct InputConstants16 {
  __m256i high, low, round, right_mask, right_half;
  __m128i left_shift, split_bits, right_shift;
  bool split;
  Epilogue e;
  const int32_t* lanes;
  InputConstants16(const BinaryRequant& r, int32_t l) {
    high = _mm256_set1_epi32(r.split_high);
    low = _mm256_set1_epi32(r.split_low);
    round = _mm256_set1_epi32(r.split_round);
    const int32_t right = -r.neg_right;
    right_mask = _mm256_set1_epi32(static_cast<int32_t>((uint32_t{1} << right) - 1));
    right_half = _mm256_set1_epi32(static_cast<int32_t>(((uint32_t{1} << right) - 1) >> 1));
    left_shift = _mm_cvtsi32_si128(l);
    split_bits = _mm_cvtsi32_si128(r.split_bits);
    right_shift = _mm_cvtsi32_si128(right);
    split = r.split;
    e = Epilogue{0, 0, 0, r.left > 0};
    lanes = &r.lanes[0][0];
  }
};

// Eq. 7 on 8 sign-extended int16 inputs, split form (L = 15, shift <= 0),
// branch-free: the RDBP runs even when its shift is 0, where it is the
// identity (mask 0, so no remainder exceeds the threshold).
inline __m256i rescale8_split(__m256i x, const InputConstants16& c) {
  __m256i v = _mm256_add_epi32(
      _mm256_mullo_epi32(x, c.high),
      _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(x, c.low), c.round), c.split_bits));
  const __m256i remainder = _mm256_and_si256(v, c.right_mask);
  const __m256i threshold =
      _mm256_sub_epi32(c.right_half, _mm256_cmpgt_epi32(_mm256_setzero_si256(), v));
  v = _mm256_sra_epi32(v, c.right_shift);
  return _mm256_sub_epi32(v, _mm256_cmpgt_epi32(remainder, threshold));
}

// Eq. 7, either form.
inline __m256i rescale8(__m256i x, const InputConstants16& c) {
  if (c.split) return rescale8_split(x, c);
  return requantize_ymm_unclamped(_mm256_sll_epi32(x, c.left_shift), c.lanes, 16, 0, c.e);
}

// Eq. 8 saturated to int32 (the reference sums in int64 and saturates):
// on overflow the result takes the sign of `a`.
inline __m256i saturate_on_overflow(__m256i a, __m256i sum, __m256i overflow) {
  const __m256i saturated =
      _mm256_xor_si256(_mm256_srai_epi32(a, 31), _mm256_set1_epi32(INT32_MAX));
  return _mm256_blendv_epi8(sum, saturated, _mm256_srai_epi32(overflow, 31));
}
inline __m256i add_saturate(__m256i a, __m256i b) {
  const __m256i s = _mm256_add_epi32(a, b);
  return saturate_on_overflow(a, s, _mm256_and_si256(_mm256_xor_si256(a, s), _mm256_xor_si256(b, s)));
}
inline __m256i sub_saturate(__m256i a, __m256i b) {
  const __m256i s = _mm256_sub_epi32(a, b);
  return saturate_on_overflow(a, s, _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, s)));
}

// A scalar operand (kAScalar / kBScalar) is already rescaled: a_value / b_value.
template <bool kAScalar, bool kBScalar>
void add_run(const BinaryKernelParams& p, const int16_t* a, const int16_t* b, int16_t* out,
             size_t n, int32_t a_value, int32_t b_value) {
  const InputConstants16 ca(p.a, p.left_shift);
  const InputConstants16 cb(p.b, p.left_shift);
  const __m256i av = _mm256_set1_epi32(a_value);
  const __m256i bv = _mm256_set1_epi32(b_value);
  const Epilogue eo{0, 0, 0, p.out.left > 0};
  const __m256i lo = _mm256_set1_epi16(static_cast<int16_t>(p.act_min));
  const __m256i hi = _mm256_set1_epi16(static_cast<int16_t>(p.act_max));
  const bool subtract = p.op == BinaryOp::kSub;
  const bool saturate = p.sum_may_saturate;
  const int32_t* lanes = &p.out.lanes[0][0];
  // 16 outputs per block from 16 readable elements of each contiguous
  // operand, with the given eq. 7 (rescale) and eq. 8 (combine).
  auto run_blocks = [&](auto rescale, auto combine) {
    for_each_block16<kAScalar, kBScalar>(a, b, out, n, [&](const int16_t* pa, const int16_t* pb,
                                                           int16_t* dst, int count) {
      __m256i a0 = av, a1 = av, b0 = bv, b1 = bv;
      if (!kAScalar) {
        load_16xi16(pa, &a0, &a1);
        a0 = rescale(a0, ca);
        a1 = rescale(a1, ca);
      }
      if (!kBScalar) {
        load_16xi16(pb, &b0, &b1);
        b0 = rescale(b0, cb);
        b1 = rescale(b1, cb);
      }
      store_16xi16_clamped(dst, requantize_ymm_unclamped(combine(a0, b0), lanes, 16, 0, eo),
                           requantize_ymm_unclamped(combine(a1, b1), lanes, 16, 0, eo), lo, hi,
                           count);
    });
  };
  if (ca.split && cb.split && !saturate) {
    // The usual case (L = 15, input multipliers below 1), straight-line: both
    // inputs split, a plain int32 sum or difference (a compile-time choice).
    auto split = [](__m256i x, const InputConstants16& c) { return rescale8_split(x, c); };
    if (subtract) {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_sub_epi32(x, y); });
    } else {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_add_epi32(x, y); });
    }
    return;
  }
  run_blocks([](__m256i x, const InputConstants16& c) { return rescale8(x, c); },
             [&](__m256i x, __m256i y) {
               if (saturate) return subtract ? sub_saturate(x, y) : add_saturate(x, y);
               return subtract ? _mm256_sub_epi32(x, y) : _mm256_add_epi32(x, y);
             });
}

}  // namespace
}  // namespace x86

void qs16_vadd_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a16 = static_cast<const int16_t*>(a);
  const auto* b16 = static_cast<const int16_t*>(b);
  auto* out16 = static_cast<int16_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    x86::add_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a16, b16, out16, n, av,
                                                                       bv);
  });
}

}  // namespace dyad
