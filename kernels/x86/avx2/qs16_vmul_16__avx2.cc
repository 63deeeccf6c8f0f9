// Mul (eq. 10) on 16 int16 outputs per step with AVX2, a, b and the output
// all int16 with zero point 0, bit-exact with ref::mul. |q_a|, |q_b| <= 2^15,
// so q_a * q_b is exact in int32 (|product| <= 2^30, vpmulld); eq. 6 is
// requant_ymm.h's 64-bit-product SRDHM, the clamp runs after the saturating
// pack to int16.
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

// A scalar operand (kAScalar / kBScalar) arrives as q (Z = 0): a_value / b_value.
template <bool kAScalar, bool kBScalar>
void mul_run(const BinaryKernelParams& p, const int16_t* a, const int16_t* b, int16_t* out,
             size_t n, int32_t a_value, int32_t b_value) {
  const __m256i av = _mm256_set1_epi32(a_value);
  const __m256i bv = _mm256_set1_epi32(b_value);
  const Epilogue eo{0, 0, 0, p.out.left > 0};
  const __m256i lo = _mm256_set1_epi16(static_cast<int16_t>(p.act_min));
  const __m256i hi = _mm256_set1_epi16(static_cast<int16_t>(p.act_max));
  const int32_t* lanes = &p.out.lanes[0][0];
  auto block = [&](const int16_t* pa, const int16_t* pb, int16_t* dst, int count) {
    __m256i a0 = av, a1 = av, b0 = bv, b1 = bv;
    if (!kAScalar) load_16xi16(pa, &a0, &a1);
    if (!kBScalar) load_16xi16(pb, &b0, &b1);
    const __m256i y0 = requantize_ymm_unclamped(_mm256_mullo_epi32(a0, b0), lanes, 16, 0, eo);
    const __m256i y1 = requantize_ymm_unclamped(_mm256_mullo_epi32(a1, b1), lanes, 16, 0, eo);
    store_16xi16_clamped(dst, y0, y1, lo, hi, count);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace x86

void qs16_vmul_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a16 = static_cast<const int16_t*>(a);
  const auto* b16 = static_cast<const int16_t*>(b);
  auto* out16 = static_cast<int16_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    x86::mul_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a16, b16, out16, n, av,
                                                                       bv);
  });
}

}  // namespace dyad
