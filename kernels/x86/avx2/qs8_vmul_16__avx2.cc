// Mul (eq. 10) on 16 int8 outputs per step with AVX2, bit-exact with
// ref::mul. Eq. 6 is kernels/x86/requant_ymm.h's, fed with per-tensor
// constants (BinaryRequant::lanes: 16 equal entries per array).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/common/binary_blocks.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/x86/requant_ymm.h"

namespace dyad {
namespace x86 {
namespace {

// A scalar operand (kAScalar / kBScalar) arrives as q - Z: a_value / b_value.
template <bool kAScalar, bool kBScalar>
void mul_run(const BinaryKernelParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n,
             int32_t a_value, int32_t b_value) {
  const __m256i za = _mm256_set1_epi32(p.a_zero_point);
  const __m256i zb = _mm256_set1_epi32(p.b_zero_point);
  const __m256i av = _mm256_set1_epi32(a_value);
  const __m256i bv = _mm256_set1_epi32(b_value);
  const Epilogue eo{p.output_zero_point, p.act_min - p.output_zero_point,
                    p.act_max - p.output_zero_point, p.out.left > 0};
  auto block = [&](const int8_t* pa, const int8_t* pb, int8_t* dst, int count) {
    __m256i a0 = av, a1 = av, b0 = bv, b1 = bv;
    if (!kAScalar) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pa));
      a0 = _mm256_sub_epi32(_mm256_cvtepi8_epi32(q), za);
      a1 = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)), za);
    }
    if (!kBScalar) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pb));
      b0 = _mm256_sub_epi32(_mm256_cvtepi8_epi32(q), zb);
      b1 = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)), zb);
    }
    // |q_a - Z_a| * |q_b - Z_b| <= 255 * 255: exact in int32.
    const int32_t* lanes = &p.out.lanes[0][0];
    const __m256i y0 = requantize_ymm_unclamped(_mm256_mullo_epi32(a0, b0), lanes, 16, 0, eo);
    const __m256i y1 = requantize_ymm_unclamped(_mm256_mullo_epi32(a1, b1), lanes, 16, 0, eo);
    store_16xi8_clamped(dst, y0, y1, eo, count);
  };
  for_each_block16<kAScalar, kBScalar>(a, b, out, n, block);
}

}  // namespace
}  // namespace x86

void qs8_vmul_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value) {
  const auto* a8 = static_cast<const int8_t*>(a);
  const auto* b8 = static_cast<const int8_t*>(b);
  auto* out8 = static_cast<int8_t*>(out);
  dispatch_scalar_operand(a_value, b_value, [&](auto a_scalar, auto b_scalar, int32_t av,
                                                int32_t bv) {
    x86::mul_run<decltype(a_scalar)::value, decltype(b_scalar)::value>(p, a8, b8, out8, n, av, bv);
  });
}

}  // namespace dyad
