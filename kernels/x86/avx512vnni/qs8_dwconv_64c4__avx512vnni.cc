// AVX-512 VNNI depthwise conv: 4 taps of one kernel column per vpdpbusd
// lane, 64 channels per block on 512-bit vectors (4 accumulators of 16
// lanes), the eq. 6 epilogue fused on the same vectors (requant_zmm.h).
//
// Same two passes as the ymm kernel (dwconv_c4_ymm.h), twice as wide:
// pass 1 builds, per input column of the output row, the 4 interleaved
// vectors of each tap group (u = q ^ 0x80, bytes of 4 kernel rows per
// lane); pass 2 runs the output pixels of the row, 4 at a time, with the
// weights of a 3x3 or 5x3 column kept in registers. The in-lane unpacks
// leave accumulator i, lane j with channel 16 * (j / 4) + 4 * i + j % 4 of
// the block (dw_c64_slot_channel in conv_kernels.cc); weights, bias and the
// eq. 6 constants are packed in that order, and the epilogue's in-lane
// packs put the bytes back in channel order. The last block is partial:
// masked loads (which never fault past the pixel) and a masked store.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.
// GCC 12 flags its own _mm512_set1/undefined helpers as maybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/requant_zmm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

constexpr int32_t kBlock = kDepthwiseC64ChannelTile;
static_assert(kBlock == 64, "the zmm block");
// Output pixels per pass-2 step: 2 x 4 accumulators, the 3x3 weights (12
// vectors) and the epilogue's temporaries fit the 32 registers.
constexpr int kDwPixelsPerStep = 4;

// The vector width: Zmm for 64-channel blocks, Ymm (EVEX-encoded 256-bit
// ops of AVX512VL) for a last block of at most 32 channels, which costs
// half a 64-channel block instead of a whole one.
struct Zmm {
  using Vec = __m512i;
  using Mask = __mmask64;
  static constexpr int32_t kBlock = 64;
  static Vec loadz(Mask m, const int8_t* p) { return _mm512_maskz_loadu_epi8(m, p); }
  static Vec load(const Vec* p) { return _mm512_load_si512(p); }
  static Vec load32(const int32_t* p) { return _mm512_load_si512(p); }
  static void store(Vec* p, Vec v) { _mm512_store_si512(p, v); }
  static Vec zero() { return _mm512_setzero_si512(); }
  static Vec flip(Vec v) { return _mm512_xor_si512(v, _mm512_set1_epi8(static_cast<char>(0x80))); }
  static Vec unpacklo8(Vec a, Vec b) { return _mm512_unpacklo_epi8(a, b); }
  static Vec unpackhi8(Vec a, Vec b) { return _mm512_unpackhi_epi8(a, b); }
  static Vec unpacklo16(Vec a, Vec b) { return _mm512_unpacklo_epi16(a, b); }
  static Vec unpackhi16(Vec a, Vec b) { return _mm512_unpackhi_epi16(a, b); }
  static Vec dpbusd(Vec acc, Vec u, Vec w) { return _mm512_dpbusd_epi32(acc, u, w); }
  static Vec set1_16(int16_t v) { return _mm512_set1_epi16(v); }
  static Vec set1_8(int8_t v) { return _mm512_set1_epi8(v); }
  static Vec packs32(Vec a, Vec b) { return _mm512_packs_epi32(a, b); }
  static Vec packs16(Vec a, Vec b) { return _mm512_packs_epi16(a, b); }
  static Vec adds16(Vec a, Vec b) { return _mm512_adds_epi16(a, b); }
  static Vec clamp8(Vec v, Vec lo, Vec hi) { return _mm512_min_epi8(_mm512_max_epi8(v, lo), hi); }
  static void store_bytes(int8_t* p, Mask m, Vec v) { _mm512_mask_storeu_epi8(p, m, v); }
  static Vec requant(Vec x, const int32_t* prm, int64_t stride, int64_t j, const Epilogue& e) {
    return requantize_zmm_unclamped(x, prm, stride, j, e);
  }
};

struct Ymm {
  using Vec = __m256i;
  using Mask = __mmask32;
  static constexpr int32_t kBlock = 32;
  static Vec loadz(Mask m, const int8_t* p) { return _mm256_maskz_loadu_epi8(m, p); }
  static Vec load(const Vec* p) { return _mm256_load_si256(p); }
  static Vec load32(const int32_t* p) { return _mm256_load_si256(reinterpret_cast<const Vec*>(p)); }
  static void store(Vec* p, Vec v) { _mm256_store_si256(p, v); }
  static Vec zero() { return _mm256_setzero_si256(); }
  static Vec flip(Vec v) { return _mm256_xor_si256(v, _mm256_set1_epi8(static_cast<char>(0x80))); }
  static Vec unpacklo8(Vec a, Vec b) { return _mm256_unpacklo_epi8(a, b); }
  static Vec unpackhi8(Vec a, Vec b) { return _mm256_unpackhi_epi8(a, b); }
  static Vec unpacklo16(Vec a, Vec b) { return _mm256_unpacklo_epi16(a, b); }
  static Vec unpackhi16(Vec a, Vec b) { return _mm256_unpackhi_epi16(a, b); }
  static Vec dpbusd(Vec acc, Vec u, Vec w) { return _mm256_dpbusd_epi32(acc, u, w); }
  static Vec set1_16(int16_t v) { return _mm256_set1_epi16(v); }
  static Vec set1_8(int8_t v) { return _mm256_set1_epi8(v); }
  static Vec packs32(Vec a, Vec b) { return _mm256_packs_epi32(a, b); }
  static Vec packs16(Vec a, Vec b) { return _mm256_packs_epi16(a, b); }
  static Vec adds16(Vec a, Vec b) { return _mm256_adds_epi16(a, b); }
  static Vec clamp8(Vec v, Vec lo, Vec hi) { return _mm256_min_epi8(_mm256_max_epi8(v, lo), hi); }
  static void store_bytes(int8_t* p, Mask m, Vec v) { _mm256_mask_storeu_epi8(p, m, v); }
  static Vec requant(Vec x, const int32_t* prm, int64_t stride, int64_t j, const Epilogue& e) {
    return requantize_ymm_unclamped(x, prm, stride, j, e);
  }
};

// One output row run and the block being computed.
struct RowJob {
  const int8_t* const* rows;  // per ky (col_groups * 4 entries): input row, or null
  const int8_t* zero_point_row;
  int32_t in_w, in_c, ix_lo, ix_count, col_groups, kernel_h;
  void* columns;              // [ix_count][col_groups][4] vectors
};

// Interleaves 4 rows of u bytes (kRows real ones, the rest zero: taps past
// the kernel, whose weights are zero) into the 4 vectors of one tap group.
template <typename V, int kRows>
__attribute__((always_inline)) inline void interleave(const int8_t* const* src, int32_t at,
                                                      typename V::Mask mask,
                                                      typename V::Vec* dst) {
  using Vec = typename V::Vec;
  Vec u[4];
  for (int k = 0; k < 4; ++k) u[k] = k < kRows ? V::flip(V::loadz(mask, src[k] + at)) : V::zero();
  const Vec lo01 = V::unpacklo8(u[0], u[1]);
  const Vec hi01 = V::unpackhi8(u[0], u[1]);
  const Vec lo23 = V::unpacklo8(u[2], u[3]);
  const Vec hi23 = V::unpackhi8(u[2], u[3]);
  V::store(dst + 0, V::unpacklo16(lo01, lo23));
  V::store(dst + 1, V::unpackhi16(lo01, lo23));
  V::store(dst + 2, V::unpacklo16(hi01, hi23));
  V::store(dst + 3, V::unpackhi16(hi01, hi23));
}

// Pass 1 for one tap group gr (kRows real kernel rows) of the block of
// channels [at, at + 64) (mask: the valid ones): columns[col][gr][0..3].
// Each row's pixel pointer advances by in_c per column (by 0 on a padding
// row, which reads the row of Z_in); columns left or right of the image
// read the row of Z_in.
template <typename V, int kRows>
void build_group(const RowJob& r, int32_t gr, int32_t at, typename V::Mask mask) {
  const int8_t* ptr[4];
  int64_t step[4];
  const int8_t* const zp[4] = {r.zero_point_row, r.zero_point_row, r.zero_point_row,
                               r.zero_point_row};
  for (int k = 0; k < 4; ++k) {
    const int8_t* row = k < kRows ? r.rows[4 * gr + k] : nullptr;
    ptr[k] = row != nullptr ? row + int64_t{r.ix_lo} * r.in_c : r.zero_point_row;
    step[k] = row != nullptr ? r.in_c : 0;
  }
  typename V::Vec* dst = static_cast<typename V::Vec*>(r.columns) + gr * 4;
  const int64_t dst_step = int64_t{r.col_groups} * 4;
  for (int32_t col = 0; col < r.ix_count; ++col, dst += dst_step) {
    const int32_t ix = r.ix_lo + col;
    if (ix >= 0 && ix < r.in_w) {
      interleave<V, kRows>(ptr, at, mask, dst);
    } else {
      interleave<V, kRows>(zp, at, mask, dst);
    }
    for (int k = 0; k < 4; ++k) ptr[k] += step[k];
  }
}

// Pass 1 for the block of channels [at, at + 64): every tap group.
template <typename V>
void build_columns(const RowJob& r, int32_t at, typename V::Mask mask) {
  for (int32_t gr = 0; gr < r.col_groups; ++gr) {
    switch (r.kernel_h - 4 * gr) {
      case 1: build_group<V, 1>(r, gr, at, mask); break;
      case 2: build_group<V, 2>(r, gr, at, mask); break;
      case 3: build_group<V, 3>(r, gr, at, mask); break;
      default: build_group<V, 4>(r, gr, at, mask); break;
    }
  }
}

// Eq. 6, + Z_out, clamp and the store of one pixel's 64 channels; prm:
// the block's PackedParam arrays (64 entries each).
template <typename V, bool kLeftShift>
__attribute__((always_inline)) inline void store_pixel(
    typename V::Vec a0, typename V::Vec a1, typename V::Vec a2, typename V::Vec a3,
    const int32_t* prm, const Epilogue& epi, typename V::Vec zp, typename V::Vec lo,
    typename V::Vec hi, typename V::Mask mask, int8_t* dst) {
  using Vec = typename V::Vec;
  const Epilogue e{epi.zero_point, epi.lo_minus_zp, epi.hi_minus_zp, kLeftShift};
  constexpr int32_t kLanes = V::kBlock / 4;  // int32 lanes per vector
  a0 = V::requant(a0, prm, V::kBlock, 0, e);
  a1 = V::requant(a1, prm, V::kBlock, kLanes, e);
  a2 = V::requant(a2, prm, V::kBlock, 2 * kLanes, e);
  a3 = V::requant(a3, prm, V::kBlock, 3 * kLanes, e);
  // Saturating to int16, adding Z_out with int16 saturation, saturating to
  // int8 and clamping to [lo, hi] equals clamp(x + Z_out, lo, hi): each
  // saturation is monotonic and only moves values that end up past a bound.
  const Vec w01 = V::adds16(V::packs32(a0, a1), zp);
  const Vec w23 = V::adds16(V::packs32(a2, a3), zp);
  V::store_bytes(dst, mask, V::clamp8(V::packs16(w01, w23), lo, hi));
}

// Pass 2 for kPixels output pixels: bias + every tap group, eq. 6, store.
// v: the first pixel's first column (v_step vectors between pixels); tap
// group g = kx * col_groups + gr reads column kx * dilation (col_step
// vectors per column step) and the 4 weight vectors w + 4 g. kKernelW,
// kGroups, kStride > 0 fix kernel_w, col_groups, and stride_w with
// dilation_w = 1, so the loops unroll and the addresses are constant
// offsets; 0: the runtime values.
template <typename V, int kKernelW, int kGroups, int kStride, int kPixels, bool kLeftShift>
__attribute__((always_inline)) inline void run_pixels(
    const typename V::Vec* v, int64_t v_step, int64_t col_step, int32_t kernel_w,
    int32_t col_groups, const int32_t* prm, const typename V::Vec* w, const Epilogue& epi,
    typename V::Vec zp, typename V::Vec lo, typename V::Vec hi, typename V::Mask mask,
    int8_t* dst, int64_t out_stride) {
  using Vec = typename V::Vec;
  constexpr int32_t kLanes = V::kBlock / 4;
  Vec acc[kPixels][4];
  for (int px = 0; px < kPixels; ++px) {
    for (int i = 0; i < 4; ++i) acc[px][i] = V::load32(prm + kPackedBias * V::kBlock + kLanes * i);
  }
  const int32_t columns = kKernelW > 0 ? kKernelW : kernel_w;
  const int32_t groups = kGroups > 0 ? kGroups : col_groups;
  if (kStride > 0) {
    v_step = kStride * groups * 4;
    col_step = groups * 4;
  }
  for (int32_t kx = 0; kx < columns; ++kx) {
    for (int32_t gr = 0; gr < groups; ++gr) {
      const Vec* wg = w + (kx * groups + gr) * 4;
      const Vec* vg = v + kx * col_step + gr * 4;
      for (int i = 0; i < 4; ++i) {
        const Vec wi = V::load(wg + i);
        for (int px = 0; px < kPixels; ++px) {
          acc[px][i] = V::dpbusd(acc[px][i], V::load(vg + px * v_step + i), wi);
        }
      }
    }
  }
  for (int px = 0; px < kPixels; ++px) {
    store_pixel<V, kLeftShift>(acc[px][0], acc[px][1], acc[px][2], acc[px][3], prm, epi, zp, lo, hi,
                            mask, dst + px * out_stride);
  }
}

// Pass 2 over output pixels [ox_begin, ox_end) of the row for the block
// `block` (packed params then weights) whose first channel is c; out: the
// row's output at ox_begin.
template <typename V, int kKernelW, int kGroups, int kStride, bool kLeftShift>
__attribute__((noinline)) void row_outputs(const RowJob& r, const ConvParams& p,
                                           const int32_t* block, int32_t c, typename V::Mask mask,
                                           int32_t ox_begin, int32_t ox_end, int8_t* out,
                                           const Epilogue& epi) {
  using Vec = typename V::Vec;
  const Vec* w = reinterpret_cast<const Vec*>(block + kPackedParamArrays * V::kBlock);
  const Vec zp = V::set1_16(static_cast<int16_t>(epi.zero_point));
  const Vec lo = V::set1_8(static_cast<int8_t>(epi.lo_minus_zp + epi.zero_point));
  const Vec hi = V::set1_8(static_cast<int8_t>(epi.hi_minus_zp + epi.zero_point));
  const int64_t v_step = int64_t{p.stride_w} * r.col_groups * 4;  // per output pixel
  const int32_t col_step = p.dilation_w * r.col_groups * 4;
  const Vec* v = static_cast<const Vec*>(r.columns);  // column 0 is ix_lo = ox_begin * stride_w - pad_left
  int8_t* dst = out + c;
  const int64_t out_stride = p.out_c;
  int32_t ox = ox_begin;
  constexpr int kStep = kDwPixelsPerStep;
  for (; ox + kStep <= ox_end; ox += kStep, v += kStep * v_step, dst += kStep * out_stride) {
    run_pixels<V, kKernelW, kGroups, kStride, kStep, kLeftShift>(v, v_step, col_step, p.kernel_w,
                                                     r.col_groups, block, w, epi, zp, lo, hi,
                                                     mask, dst, out_stride);
  }
  for (; ox < ox_end; ++ox, v += v_step, dst += out_stride) {
    run_pixels<V, kKernelW, kGroups, kStride, 1, kLeftShift>(v, v_step, col_step, p.kernel_w, r.col_groups,
                                                 block, w, epi, zp, lo, hi, mask, dst,
                                                 out_stride);
  }
}

template <typename V, bool kLeftShift>
void row_outputs_any(const RowJob& r, const ConvParams& p, const int32_t* block, int32_t c,
                     typename V::Mask mask, int32_t ox_begin, int32_t ox_end, int8_t* out,
                     const Epilogue& epi) {
  const int32_t s = p.dilation_w == 1 && p.stride_w <= 2 ? p.stride_w : 0;
  if (r.col_groups == 1 && p.kernel_w == 3 && s == 1) {
    row_outputs<V, 3, 1, 1, kLeftShift>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  } else if (r.col_groups == 1 && p.kernel_w == 3 && s == 2) {
    row_outputs<V, 3, 1, 2, kLeftShift>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  } else if (r.col_groups == 2 && p.kernel_w == 5 && s == 1) {
    row_outputs<V, 5, 2, 1, kLeftShift>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  } else if (r.col_groups == 2 && p.kernel_w == 5 && s == 2) {
    row_outputs<V, 5, 2, 2, kLeftShift>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  } else {
    row_outputs<V, 0, 0, 0, kLeftShift>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  }
}

// Both passes for one block.
template <typename V>
void block_outputs(const RowJob& r, const ConvParams& p, const PackedGemm& pg,
                   const int32_t* block, int32_t c, typename V::Mask mask, int32_t ox_begin,
                   int32_t ox_end, int8_t* out, const Epilogue& epi) {
  build_columns<V>(r, c, mask);
  if (pg.any_left_shift) {
    row_outputs_any<V, true>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  } else {
    row_outputs_any<V, false>(r, p, block, c, mask, ox_begin, ox_end, out, epi);
  }
}

// Output pixels m in [row_begin, row_end), in runs of at most kDwC4MaxRun
// pixels of one output row.
void run(const GemmJob& job) {
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  const int32_t col_groups = pg.k_padded / 4 / p.kernel_w;
  // Scratch (layout and size: conv_kernels.cc): the column vectors, the row
  // pointers, a row of Z_in.
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  __m512i* columns = reinterpret_cast<__m512i*>(base);  // room for zmm columns
  const int32_t run_max = p.out_w < kDwC4MaxRun ? p.out_w : kDwC4MaxRun;
  const int32_t max_cols = (run_max - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
  const int8_t** rows =
      reinterpret_cast<const int8_t**>(columns + int64_t{max_cols} * col_groups * 4);
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(rows + col_groups * 4);
  fill(zero_point_row, pg.n_padded, static_cast<int8_t>(p.input_zero_point));
  RowJob r{rows, zero_point_row, p.in_w, p.in_c, 0, 0, col_groups, p.kernel_h, columns};
  for (int64_t m = job.row_begin; m < job.row_end;) {
    const int64_t b = m / out_hw;
    const int64_t rem = m - b * out_hw;
    const int32_t oy = static_cast<int32_t>(rem / p.out_w);
    const int32_t ox_begin = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
    int64_t run_len = p.out_w - ox_begin;
    if (run_len > kDwC4MaxRun) run_len = kDwC4MaxRun;
    if (run_len > job.row_end - m) run_len = job.row_end - m;
    const int32_t ox_end = ox_begin + static_cast<int32_t>(run_len);
    // Row pointers once per run (null: a padding row).
    for (int32_t ky = 0; ky < col_groups * 4; ++ky) {
      const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
      rows[ky] = ky < p.kernel_h && iy >= 0 && iy < p.in_h
                     ? static_cast<const int8_t*>(job.input) + (b * p.in_h + iy) * p.in_w * p.in_c
                     : nullptr;
    }
    r.ix_lo = ox_begin * p.stride_w - p.pad_left;
    r.ix_count = (ox_end - 1 - ox_begin) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
    int8_t* out = job.output + m * p.out_c;
    for (int32_t c = 0; c < pg.n; c += kBlock) {
      const int32_t valid = pg.n - c < kBlock ? pg.n - c : kBlock;
      const int32_t* block =
          reinterpret_cast<const int32_t*>(pg.buffer.data() + (c / kBlock) * pg.block_bytes);
      if (valid <= Ymm::kBlock) {  // the packed layout has a 32-channel block here
        const __mmask32 mask = valid == 32 ? ~__mmask32{0} : (__mmask32{1} << valid) - 1;
        block_outputs<Ymm>(r, p, pg, block, c, mask, ox_begin, ox_end, out, epi);
      } else {
        const __mmask64 mask = valid == 64 ? ~__mmask64{0} : (__mmask64{1} << valid) - 1;
        block_outputs<Zmm>(r, p, pg, block, c, mask, ox_begin, ox_end, out, epi);
      }
    }
    m += run_len;
  }
}

}  // namespace

void qs8_dwconv_64c4__avx512vnni(const GemmJob& job) { run(job); }

}  // namespace x86
}  // namespace dyad
