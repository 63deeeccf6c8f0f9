// Eq. 6 on 16 int32 lanes with AVX-512, plus the output zero point, clamp and
// int8 store. Included by the AVX-512 files (anonymous namespace: compiled
// with their flags).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"

namespace dyad {
namespace x86 {
namespace {

// Eq. 6 on 16 lanes, bit-exact with multiply_by_quantized_multiplier; see
// requant_ymm.h for the reasoning behind each step.
// `prm`: PackedParam arrays of `stride` entries (64-byte aligned); `j` is the
// first of the 16 channels.
// Eq. 6 without the output zero point and clamp (see requantize_zmm).
inline __m512i requantize_zmm_unclamped(__m512i x, const int32_t* prm, int64_t stride, int64_t j,
                                        const Epilogue& e) {
  auto load = [&](int array) { return _mm512_load_si512(prm + array * stride + j); };
  if (e.any_left_shift) {
    const __m512i hi = load(kPackedLeftHi);
    const __mmask16 over = _mm512_cmpgt_epi32_mask(x, hi);
    x = _mm512_min_epi32(_mm512_max_epi32(x, load(kPackedLeftLo)), hi);
    x = _mm512_sllv_epi32(x, load(kPackedLeftShift));
    x = _mm512_mask_or_epi32(x, over, x, load(kPackedLeftLowBits));
  }
  const __m512i m = load(kPackedMultiplier);
  const __m512i round = _mm512_set1_epi64(int64_t{1} << 30);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, m), round);
  __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)), round);
  even = _mm512_srli_epi64(even, 31);
  odd = _mm512_slli_epi64(odd, 1);
  x = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  // RDBP (eq. 5) as in requant_ymm.h: sign(x) * ((|x| + 2^(r-1)) >> r) with
  // a logical shift (no vpsignd on zmm: a masked subtract from 0 negates).
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i magnitude = _mm512_srlv_epi32(
      _mm512_add_epi32(_mm512_abs_epi32(x), load(kPackedRightHalf)), load(kPackedRightShift));
  return _mm512_mask_sub_epi32(magnitude, negative, _mm512_setzero_si512(), magnitude);
}

inline __m512i requantize_zmm(__m512i x, const int32_t* prm, int64_t stride, int64_t j,
                              const Epilogue& e) {
  x = requantize_zmm_unclamped(x, prm, stride, j, e);
  x = _mm512_max_epi32(x, _mm512_set1_epi32(e.lo_minus_zp));
  x = _mm512_min_epi32(x, _mm512_set1_epi32(e.hi_minus_zp));
  return _mm512_add_epi32(x, _mm512_set1_epi32(e.zero_point));
}

inline void store_16xi8(int8_t* out, __m512i v, int n) {
  const __m128i bytes = _mm512_cvtepi32_epi8(v);  // values already in int8 range
  if (n >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
  } else if (n > 0) {
    _mm_mask_storeu_epi8(out, static_cast<__mmask16>((1u << n) - 1), bytes);
  }
}

inline void store_16xi16(int16_t* out, __m512i v, int n) {
  const __m256i halves = _mm512_cvtepi32_epi16(v);  // values already in int16 range
  if (n >= 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), halves);
  } else if (n > 0) {
    _mm256_mask_storeu_epi16(out, static_cast<__mmask16>((1u << n) - 1), halves);
  }
}

// Epilogue of 16 channels of one tile row: acc[0..15] (int32, 64-byte
// aligned) with constants at prm + j (stride 32) -> the first n (<= 16) of
// out. int8 / int16: eq. 6, + Z_out, clamp (inside the type, so the
// truncating vpmovdb / vpmovdw are exact); int32: the raw accumulator.
inline void store_acc_16(int8_t* out, const int32_t* acc, const int32_t* prm, int64_t j,
                         const Epilogue& e, int n) {
  store_16xi8(out, requantize_zmm(_mm512_load_si512(acc), prm, 32, j, e), n);
}
inline void store_acc_16(int16_t* out, const int32_t* acc, const int32_t* prm, int64_t j,
                         const Epilogue& e, int n) {
  store_16xi16(out, requantize_zmm(_mm512_load_si512(acc), prm, 32, j, e), n);
}
inline void store_acc_16(int32_t* out, const int32_t* acc, const int32_t* /*prm*/,
                         int64_t /*j*/, const Epilogue& /*e*/, int n) {
  const __m512i v = _mm512_load_si512(acc);
  if (n >= 16) {
    _mm512_storeu_si512(out, v);
  } else if (n > 0) {
    _mm512_mask_storeu_epi32(out, static_cast<__mmask16>((1u << n) - 1), v);
  }
}

// The strip of the 32-channel zmm GEMM kernels (AVX-512 VNNI), shared through
// CRTP: for each block of 32 channels, Kernel::accumulate fills the int32
// tile (bias included), then each valid row goes through the epilogue of
// Out, 16 channels at a time. Kernel provides kMR, kNR == 32, kKC, AElem and
// accumulate(rows, block, k_padded / kKC, acc).
template <typename Kernel>
struct ZmmStrip32 {
  // AElem: Kernel::AElem (a parameter: Kernel is incomplete where this
  // declaration is instantiated).
  template <typename Out, typename AElem>
  static void strip(const PackedGemm& pg, const uint8_t* group_base,
                    const AElem* const* a, int row_count, Out* out,
                    int64_t out_stride, const Epilogue& epi) {
    constexpr int kNR = 32;
    static_assert(Kernel::kNR == kNR, "32-channel tiles only");
    const int32_t k_steps = pg.k_padded / Kernel::kKC;
    for (int32_t n0 = 0; n0 < pg.n; n0 += kNR) {
      const uint8_t* block = group_base + (n0 / kNR) * pg.block_bytes;
      const int32_t* prm = reinterpret_cast<const int32_t*>(block);
      alignas(64) int32_t acc[Kernel::kMR][kNR];
      Kernel::accumulate(a, block, k_steps, acc);
      const int n_left = pg.n - n0;
      for (int r = 0; r < row_count; ++r) {
        Out* o = out + r * out_stride + n0;
        store_acc_16(o, acc[r], prm, 0, epi, n_left);
        if (n_left > 16) store_acc_16(o + 16, acc[r] + 16, prm, 16, epi, n_left - 16);
      }
    }
  }
};

}  // namespace
}  // namespace x86
}  // namespace dyad
