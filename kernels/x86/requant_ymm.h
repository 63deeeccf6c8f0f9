// Eq. 6 on 8 int32 lanes with AVX2 instructions, bit-exact with
// multiply_by_quantized_multiplier in kernels/common/fixed_point.h, plus the
// output zero point, clamp and int8 store. Included by the AVX2 and AVX-VNNI
// files (anonymous namespace: compiled with each file's flags).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"

namespace dyad {
namespace x86 {
namespace {

// RDBP (eq. 5, rounding half away from zero) as sign(x) * ((|x| + 2^(r-1))
// >> r) with a logical shift: vpabs, vpadd, vpsrl, vpsign. `half` holds
// 2^r >> 1 (0 for r = 0, the identity). In 32-bit lanes it is exact for every
// int32 x and r in [0, 31]: vpabsd of INT32_MIN is 2^31 read unsigned and
// 2^31 + 2^30 < 2^32, so the magnitude never wraps; vpsignd negates it back
// and maps 0 to 0. In 16-bit lanes it needs |x| + 2^(r-1) < 2^16, which
// |x| <= 32767 and r <= 15 give.
// One shift count per lane (vpsrlvd):
inline __m256i rdbp_sign_epi32(__m256i x, __m256i half, __m256i shift) {
  return _mm256_sign_epi32(_mm256_srlv_epi32(_mm256_add_epi32(_mm256_abs_epi32(x), half), shift), x);
}
// One shift count for all lanes (vpsrld):
inline __m256i rdbp_sign_epi32(__m256i x, __m256i half, __m128i shift) {
  return _mm256_sign_epi32(_mm256_srl_epi32(_mm256_add_epi32(_mm256_abs_epi32(x), half), shift), x);
}
// 16 int16 lanes (vpsrlw):
inline __m256i rdbp_sign_epi16(__m256i x, __m256i half, __m128i shift) {
  return _mm256_sign_epi16(_mm256_srl_epi16(_mm256_add_epi16(_mm256_abs_epi16(x), half), shift), x);
}

// `prm` points at packed parameter arrays (PackedParam order, `stride`
// entries each); `j` is the first of the 8 channels, any channel (the 16c2
// depthwise kernel's last block starts at n - 16), hence unaligned loads.
// Eq. 6 without the output zero point and clamp (see requantize_ymm).
// Always inlined: with the 16c2 depthwise kernel's int16 instantiations GCC 12
// began to call one out-of-line copy from the int8 half-block loop (8% slower
// on PPOCR's 8-channel depthwise).
__attribute__((always_inline)) inline __m256i requantize_ymm_unclamped(__m256i x, const int32_t* prm, int64_t stride, int64_t j,
                                        const Epilogue& e) {
  auto load = [&](int array) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prm + array * stride + j));
  };
  if (e.any_left_shift) {
    // Saturating left shift: clamp to [INT32_MIN >> l, INT32_MAX >> l], shift,
    // and set the low l bits where the clamp hit the top (-> INT32_MAX).
    const __m256i hi = load(kPackedLeftHi);
    const __m256i over = _mm256_cmpgt_epi32(x, hi);
    x = _mm256_min_epi32(_mm256_max_epi32(x, load(kPackedLeftLo)), hi);
    x = _mm256_sllv_epi32(x, load(kPackedLeftShift));
    x = _mm256_or_si256(x, _mm256_and_si256(over, load(kPackedLeftLowBits)));
  }
  // SRDHM (eq. 4): (x * M0 + 2^30) >> 31 on 64-bit products of even and odd
  // lanes. Adding 2^30 then an arithmetic shift equals gemmlowp's signed nudge
  // plus truncating division; the one saturating case (x = M0 = INT32_MIN)
  // cannot occur because conv2d_can_use rejects M0 = INT32_MIN. The result
  // fits in 32 bits, so a logical 64-bit shift leaves the right low dword.
  const __m256i m = load(kPackedMultiplier);
  const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), round);
  __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)), round);
  even = _mm256_srli_epi64(even, 31);
  odd = _mm256_slli_epi64(odd, 1);  // bits 31..62 into the high dword
  x = _mm256_blend_epi32(even, odd, 0xAA);
  // RDBP (eq. 5), one shift per lane.
  return rdbp_sign_epi32(x, load(kPackedRightHalf), load(kPackedRightShift));
}

__attribute__((always_inline)) inline __m256i requantize_ymm(__m256i x, const int32_t* prm, int64_t stride, int64_t j,
                              const Epilogue& e) {
  x = requantize_ymm_unclamped(x, prm, stride, j, e);
  // + Z_out and clamp.
  x = _mm256_max_epi32(x, _mm256_set1_epi32(e.lo_minus_zp));
  x = _mm256_min_epi32(x, _mm256_set1_epi32(e.hi_minus_zp));
  return _mm256_add_epi32(x, _mm256_set1_epi32(e.zero_point));
}

// Stores the first n (<= 16) bytes of `bytes`.
inline void store_16xi8(int8_t* out, __m128i bytes, int n) {
  if (n >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(out, tmp, static_cast<size_t>(n));
  }
}

// 16 int16 lanes (Z_out already added) -> int8 with vpacksswb, clamped to
// [lo, hi] (inside int8, so the saturation cannot move a value across it),
// the first n (<= 16) stored.
inline void store_16xi16_to_i8_clamped(int8_t* out, __m256i w, __m128i lo, __m128i hi, int n) {
  const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
  store_16xi8(out, _mm_min_epi8(_mm_max_epi8(bytes, lo), hi), n);
}

// Eq. 6's "+ Z_out, clamp" after narrowing, for 16 lanes at once: a and b
// (channels 0..7, 8..15) come from requantize_ymm_unclamped. Exact: the
// saturating packs and adds are monotonic and cannot move a value across
// [lo, hi], which lies inside int8, so clamp(sat8(sat16(x) +sat Z)) equals
// clamp(x + Z). Saves the three int32 clamp ops per 8 lanes.
inline void store_16xi8_clamped(int8_t* out, __m256i a, __m256i b, const Epilogue& e, int n) {
  const __m256i w16 = _mm256_adds_epi16(_mm256_packs_epi32(a, b),  // a0-3 b0-3 | a4-7 b4-7
                                        _mm256_set1_epi16(static_cast<int16_t>(e.zero_point)));
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // dwords: a0-3 b0-3 . . | a4-7 b4-7 . .
  const __m256i ordered = _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0));
  __m128i bytes = _mm256_castsi256_si128(ordered);
  bytes = _mm_max_epi8(bytes, _mm_set1_epi8(static_cast<int8_t>(e.lo_minus_zp + e.zero_point)));
  bytes = _mm_min_epi8(bytes, _mm_set1_epi8(static_cast<int8_t>(e.hi_minus_zp + e.zero_point)));
  store_16xi8(out, bytes, n);
}

// Stores channels 0..7 (a) and 8..15 (b), already in int16 range, as 16
// int16 in channel order; only the first n (<= 16) are written.
inline void store_16xi16(int16_t* out, __m256i a, __m256i b, int n) {
  const __m256i w16 = _mm256_packs_epi32(a, b);                     // a0-3 b0-3 | a4-7 b4-7
  const __m256i ordered = _mm256_permute4x64_epi64(w16, 0xD8);      // a0-7 | b0-7
  if (n >= 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), ordered);
  } else {
    alignas(32) int16_t tmp[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), ordered);
    std::memcpy(out, tmp, static_cast<size_t>(n) * sizeof(int16_t));
  }
}

// Epilogue of one row of a 16-channel tile: acc[0..15] (int32, 32-byte
// aligned) of the channels whose constants are at prm (stride 16) -> the
// first n (<= 16) of out. int8 / int16: eq. 6, + Z_out, clamp (the clamp
// keeps the value inside the type, so the saturating packs never clip);
// int32: the raw accumulator.
inline void store_acc_16(int8_t* out, const int32_t* acc, const int32_t* prm, const Epilogue& e,
                         int n) {
  const __m256i v0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc));
  const __m256i v1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc + 8));
  store_16xi8_clamped(out, requantize_ymm_unclamped(v0, prm, 16, 0, e),
                      requantize_ymm_unclamped(v1, prm, 16, 8, e), e, n);
}
inline void store_acc_16(int16_t* out, const int32_t* acc, const int32_t* prm, const Epilogue& e,
                         int n) {
  const __m256i v0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc));
  const __m256i v1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc + 8));
  store_16xi16(out, requantize_ymm(v0, prm, 16, 0, e), requantize_ymm(v1, prm, 16, 8, e), n);
}
inline void store_acc_16(int32_t* out, const int32_t* acc, const int32_t* /*prm*/,
                         const Epilogue& /*e*/, int n) {
  std::memcpy(out, acc, static_cast<size_t>(n < 16 ? n : 16) * sizeof(int32_t));
}

// The same for a half block: acc[0..7] only, n <= 8.
inline void store_acc_8(int8_t* out, const int32_t* acc, const int32_t* prm, const Epilogue& e,
                        int n) {
  const __m256i v = requantize_ymm_unclamped(
      _mm256_load_si256(reinterpret_cast<const __m256i*>(acc)), prm, 16, 0, e);
  store_16xi8_clamped(out, v, v, e, n);
}
inline void store_acc_8(int16_t* out, const int32_t* acc, const int32_t* prm, const Epilogue& e,
                        int n) {
  const __m256i v =
      requantize_ymm(_mm256_load_si256(reinterpret_cast<const __m256i*>(acc)), prm, 16, 0, e);
  store_16xi16(out, v, v, n);
}
inline void store_acc_8(int32_t* out, const int32_t* acc, const int32_t* /*prm*/,
                        const Epilogue& /*e*/, int n) {
  std::memcpy(out, acc, static_cast<size_t>(n < 8 ? n : 8) * sizeof(int32_t));
}

// The strip of the 16-channel ymm GEMM kernels (AVX2, AVX-VNNI), shared
// through CRTP: for each block of 16 channels, Kernel::accumulate fills the
// int32 tile (bias included), then each valid row goes through the epilogue
// of Out. Kernel provides kMR, kNR == 16, kKC, AElem and
// accumulate(rows, block, k_padded / kKC, acc); with kHalfBlocks also
// accumulate_half (channels 0..7 only), used for a last block of <= 8
// channels (BlazeFace's 24, 56, 72, 88-channel layers waste no MACs).
template <typename Kernel>
struct YmmStrip16 {
  // AElem: Kernel::AElem (a parameter: Kernel is incomplete where this
  // declaration is instantiated).
  template <typename Out, typename AElem>
  static void strip(const PackedGemm& pg, const uint8_t* group_base,
                    const AElem* const* a, int row_count, Out* out,
                    int64_t out_stride, const Epilogue& epi) {
    constexpr int kNR = 16;
    static_assert(Kernel::kNR == kNR, "16-channel tiles only");
    const int32_t k_steps = pg.k_padded / Kernel::kKC;
    for (int32_t n0 = 0; n0 < pg.n; n0 += kNR) {
      const uint8_t* block = group_base + (n0 / kNR) * pg.block_bytes;
      const int32_t* prm = reinterpret_cast<const int32_t*>(block);
      alignas(32) int32_t acc[Kernel::kMR][kNR];
      const int n_left = pg.n - n0;
      if constexpr (Kernel::kHalfBlocks) {
        if (n_left <= kNR / 2) {
          Kernel::accumulate_half(a, block, k_steps, acc);
          for (int r = 0; r < row_count; ++r) {
            store_acc_8(out + r * out_stride + n0, acc[r], prm, epi, n_left);
          }
          continue;
        }
      }
      Kernel::accumulate(a, block, k_steps, acc);
      for (int r = 0; r < row_count; ++r) {
        store_acc_16(out + r * out_stride + n0, acc[r], prm, epi, n_left);
      }
    }
  }
};

}  // namespace
}  // namespace x86
}  // namespace dyad
