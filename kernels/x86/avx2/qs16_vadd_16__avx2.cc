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
#include "kernels/x86/avx2/binary_ymm.h"
#include "kernels/x86/requant_ymm.h"

namespace dyad {
namespace x86 {
namespace {

// A scalar operand (kAScalar / kBScalar) is already rescaled: a_value / b_value.
template <bool kAScalar, bool kBScalar>
void add_run(const BinaryKernelParams& p, const int16_t* a, const int16_t* b, int16_t* out,
             size_t n, int32_t a_value, int32_t b_value) {
  const RescaleConstants ca(p.a, p.left_shift);
  const RescaleConstants cb(p.b, p.left_shift);
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
    auto split = [](__m256i x, const RescaleConstants& c) { return rescale_split(x, c); };
    if (subtract) {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_sub_epi32(x, y); });
    } else {
      run_blocks(split, [](__m256i x, __m256i y) { return _mm256_add_epi32(x, y); });
    }
    return;
  }
  run_blocks([](__m256i x, const RescaleConstants& c) { return rescale(x, c); },
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
