// Depthwise conv with vpdpbusd: 4 taps of one kernel column per int32 lane,
// 32 channels per block, 256-bit vectors. Shared by the AVX-VNNI (VEX) and
// AVX-512 VNNI (EVEX) files, which give the instruction (`Dot::dpbusd`) and
// the eq. 6 epilogue (`Dot::store32`).
//
// Pass 1 (per output row, per block): for each input column, the input
// bytes of the 4 kernel rows of a tap group are loaded, flipped to
// u = q ^ 0x80 = q + 128, and interleaved with in-lane unpacks (bytes, then
// 16-bit pairs) so each int32 lane holds one channel's 4 taps; the 4
// resulting vectors are stored in scratch. Pass 2: each output pixel adds
// one vpdpbusd per tap group and accumulator, reading the stored columns
// of its window (stride 1, 3x3: each column serves 3 outputs).
// The unpacks leave the channels in "slot" order (dw_c4_slot_channel in
// conv_kernels.cc): accumulator i (0..3), lane j (0..7) is channel
// 16 * (j / 4) + 4 * i + j % 4 of the block; weights and bias are packed in
// that order, the eq. 6 constants in the order of the ISA's epilogue, which
// puts the bytes back in channel order. With n >= 32 channels the last
// block covers channels n - 32 .. n - 1, overlapping the one before, so
// no load or store runs past a pixel.
// The packed bias carries -(128 + Z_in) * sum(w) (eq. 2); padding taps read
// a row of Z_in (contributing (Z_in - Z_in) * w after the fold); taps past
// the kernel (the last group's fill) have zero weights.
// Included only by ISA .cc files (anonymous namespace).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

constexpr int32_t kDwC4Block = 32;

// Columns of interleaved input one run of output pixels needs.
inline int32_t dw_c4_max_columns(const ConvParams& p) {
  const int32_t run = p.out_w < kDwC4MaxRun ? p.out_w : kDwC4MaxRun;
  return (run - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
}

// The first n (< 32) bytes at p, zero-extended: never reads past the pixel
// (nor past the tensor).
inline __m256i dw_load_tail(const int8_t* p, int32_t n) {
  alignas(32) int8_t tmp[kDwC4Block] = {};
  std::memcpy(tmp, p, static_cast<size_t>(n));
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(tmp));
}

// Column-major tap groups: group g = kx * col_groups + ky / 4 holds taps
// (ky, kx) for 4 consecutive ky (ky past the kernel: zero weights). The
// interleaved input of one group depends only on the input column ix and
// the output row, so it is built once per column ("pass 1") and reused by
// every output pixel of the row whose window covers ix ("pass 2"): with
// stride 1 and a 3x3 kernel, each build serves 3 outputs.
struct DwRowJob {
  const PackedGemm* pg;
  const int8_t* const* rows;  // per ky (col_groups * 4 entries): input row, or null
  const int8_t* zero_point_row;
  int32_t in_w, in_c, ix_lo, ix_count, col_groups, kernel_h, kernel_w;
  int32_t stride_w, dilation_w, pad_left;
  __m256i* columns;  // ix_count * col_groups * 4 vectors
};

// Pass 1 for the block whose channels start at `at`: columns[ix][group][i].
inline void dw_build_columns(const DwRowJob& r, int32_t at) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const bool full = r.pg->n >= kDwC4Block;
  __m256i* dst = r.columns;
  for (int32_t col = 0; col < r.ix_count; ++col) {
    const int32_t ix = r.ix_lo + col;
    const bool x_inside = ix >= 0 && ix < r.in_w;
    for (int32_t gr = 0; gr < r.col_groups; ++gr, dst += 4) {
      __m256i q[4];
      for (int k = 0; k < 4; ++k) {
        if (4 * gr + k >= r.kernel_h) {  // past the kernel: zero weights
          q[k] = _mm256_setzero_si256();
          continue;
        }
        const int8_t* row = r.rows[4 * gr + k];
        const int8_t* src =
            row != nullptr && x_inside ? row + int64_t{ix} * r.in_c : r.zero_point_row;
        q[k] = full ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + at))
                    : dw_load_tail(src, r.pg->n);  // extra lanes meet zero weights
        q[k] = _mm256_xor_si256(q[k], flip);
      }
      const __m256i lo01 = _mm256_unpacklo_epi8(q[0], q[1]);
      const __m256i hi01 = _mm256_unpackhi_epi8(q[0], q[1]);
      const __m256i lo23 = _mm256_unpacklo_epi8(q[2], q[3]);
      const __m256i hi23 = _mm256_unpackhi_epi8(q[2], q[3]);
      _mm256_store_si256(dst + 0, _mm256_unpacklo_epi16(lo01, lo23));
      _mm256_store_si256(dst + 1, _mm256_unpackhi_epi16(lo01, lo23));
      _mm256_store_si256(dst + 2, _mm256_unpacklo_epi16(hi01, hi23));
      _mm256_store_si256(dst + 3, _mm256_unpackhi_epi16(hi01, hi23));
    }
  }
}

// Accumulators of one output pixel: bias + the taps of its window
// (columns from v, weights from wg on).
struct DwAcc {
  __m256i a0, a1, a2, a3;
};

template <typename Dot, int kKernelW>
inline DwAcc dw_accumulate(const DwRowJob& r, const __m256i* v, const __m256i* wg,
                                     int64_t w_step, const int32_t* bias) {
  DwAcc acc;
  acc.a0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias));
  acc.a1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 8));
  acc.a2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 16));
  acc.a3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 24));
  const int32_t col_step = r.dilation_w * r.col_groups * 4;
  const int32_t kernel_w = kKernelW > 0 ? kKernelW : r.kernel_w;
  const int32_t col_groups = kKernelW > 0 ? 1 : r.col_groups;
  for (int32_t kx = 0; kx < kernel_w; ++kx, v += col_step - col_groups * 4) {
    for (int32_t gr = 0; gr < col_groups; ++gr, v += 4, wg += w_step) {
      Dot::dpbusd(acc.a0, _mm256_load_si256(v + 0), wg[0]);
      Dot::dpbusd(acc.a1, _mm256_load_si256(v + 1), wg[1]);
      Dot::dpbusd(acc.a2, _mm256_load_si256(v + 2), wg[2]);
      Dot::dpbusd(acc.a3, _mm256_load_si256(v + 3), wg[3]);
    }
  }
  return acc;
}

// Eq. 6 on one pixel's accumulators and the int8 store of its 32 channels
// (Dot::store32, after the bias and the taps).
template <typename Dot, int kKernelW>
inline void dw_store(DwAcc acc, const int32_t* prm, int64_t stride, int32_t c,
                     const Epilogue& epi, __m256i lo, __m256i hi, int32_t n, int8_t* dst) {
  const __m256i bytes = Dot::store32(acc.a0, acc.a1, acc.a2, acc.a3, prm, stride, c, epi, lo, hi);
  if (n >= kDwC4Block) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), bytes);
  } else {
    alignas(32) int8_t tmp[kDwC4Block];
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), bytes);
    std::memcpy(dst, tmp, static_cast<size_t>(n));
  }
}

// The ymm epilogue: eq. 6 on a0..a3, whose eq. 6 constants are packed in the
// accumulator order (dw_c4_slot_channel). Per 128-bit lane L, a0..a3 hold
// channels 16L + 0..3, 4..7, 8..11, 12..15; the in-lane packs give bytes
// 16L + 0..15 in order. Saturating to int16, adding Z_out with int16
// saturation, saturating to int8 and clamping to [lo, hi] (int8) equals
// clamp(x + Z_out, lo, hi): each saturation is monotonic and only moves
// values that end up past a bound.
inline __m256i dw_c4_epilogue_ymm(__m256i a0, __m256i a1, __m256i a2, __m256i a3,
                                  const int32_t* prm, int64_t stride, int32_t c,
                                  const Epilogue& epi, __m256i lo, __m256i hi) {
  a0 = requantize_ymm_unclamped(a0, prm, stride, c, epi);
  a1 = requantize_ymm_unclamped(a1, prm, stride, c + 8, epi);
  a2 = requantize_ymm_unclamped(a2, prm, stride, c + 16, epi);
  a3 = requantize_ymm_unclamped(a3, prm, stride, c + 24, epi);
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(epi.zero_point));
  const __m256i w01 = _mm256_adds_epi16(_mm256_packs_epi32(a0, a1), zp);
  const __m256i w23 = _mm256_adds_epi16(_mm256_packs_epi32(a2, a3), zp);
  return _mm256_min_epi8(_mm256_max_epi8(_mm256_packs_epi16(w01, w23), lo), hi);
}

// Pass 2: output pixels [ox_begin, ox_end) of the row for the block at
// slot c (channels from `at`), out = the row's output at ox_begin. Two
// pixels per step share the weight loads and overlap their dependency chains.
template <typename Dot, int kKernelW>
__attribute__((noinline)) void dw_row_outputs(const DwRowJob& r, int32_t c, int32_t at,
                                              int32_t ox_begin, int32_t ox_end, int8_t* out,
                                              int64_t out_stride, const int32_t* prm,
                                              const Epilogue& epi) {
  const PackedGemm& pg = *r.pg;
  const int32_t n = pg.n;
  const int64_t stride = pg.n_padded;
  const __m256i* w = reinterpret_cast<const __m256i*>(prm + int64_t{kPackedParamArrays} * stride);
  const __m256i lo = _mm256_set1_epi8(static_cast<char>(epi.lo_minus_zp + epi.zero_point));
  const __m256i hi = _mm256_set1_epi8(static_cast<char>(epi.hi_minus_zp + epi.zero_point));
  const __m256i* wc = w + c / 8;
  const int64_t w_step = stride / 8;  // vectors per tap group
  const int64_t v_step = int64_t{r.stride_w} * r.col_groups * 4;  // per output pixel
  const __m256i* v = r.columns + int64_t{ox_begin * r.stride_w - r.pad_left - r.ix_lo} * r.col_groups * 4;
  int8_t* dst = out + (n >= kDwC4Block ? at : 0);
  int32_t ox = ox_begin;
  for (; ox + 2 <= ox_end; ox += 2, v += 2 * v_step, dst += 2 * out_stride) {
    const DwAcc p0 = dw_accumulate<Dot, kKernelW>(r, v, wc, w_step, prm + c);
    const DwAcc p1 = dw_accumulate<Dot, kKernelW>(r, v + v_step, wc, w_step, prm + c);
    dw_store<Dot, kKernelW>(p0, prm, stride, c, epi, lo, hi, n, dst);
    dw_store<Dot, kKernelW>(p1, prm, stride, c, epi, lo, hi, n, dst + out_stride);
  }
  if (ox < ox_end) {
    const DwAcc p0 = dw_accumulate<Dot, kKernelW>(r, v, wc, w_step, prm + c);
    dw_store<Dot, kKernelW>(p0, prm, stride, c, epi, lo, hi, n, dst);
  }
}

// Output pixels m in [row_begin, row_end), split into runs of at most
// kDwC4MaxRun pixels of one output row.
template <typename Dot>
void run_dw_c4(const GemmJob& job) {
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const int32_t* prm = reinterpret_cast<const int32_t*>(pg.buffer.data());
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  const int32_t col_groups = pg.k_padded / 4 / p.kernel_w;
  // Scratch: the column vectors, the row pointers, a row of Z_in.
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  __m256i* columns = reinterpret_cast<__m256i*>(base);
  const int32_t max_cols = dw_c4_max_columns(p);
  const int8_t** rows =
      reinterpret_cast<const int8_t**>(columns + int64_t{max_cols} * col_groups * 4);
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(rows + col_groups * 4);
  fill(zero_point_row, pg.n_padded, static_cast<int8_t>(p.input_zero_point));
  DwRowJob r{&pg, rows, zero_point_row, p.in_w, p.in_c, 0, 0, col_groups, p.kernel_h, p.kernel_w,
             p.stride_w, p.dilation_w, p.pad_left, columns};
  for (int64_t m = job.row_begin; m < job.row_end;) {
    const int64_t b = m / out_hw;
    const int64_t rem = m - b * out_hw;
    const int32_t oy = static_cast<int32_t>(rem / p.out_w);
    const int32_t ox_begin = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
    int64_t run = p.out_w - ox_begin;
    if (run > kDwC4MaxRun) run = kDwC4MaxRun;
    if (run > job.row_end - m) run = job.row_end - m;
    const int32_t ox_end = ox_begin + static_cast<int32_t>(run);
    for (int32_t ky = 0; ky < col_groups * 4; ++ky) {
      const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
      rows[ky] = ky < p.kernel_h && iy >= 0 && iy < p.in_h
                     ? static_cast<const int8_t*>(job.input) + (b * p.in_h + iy) * p.in_w * p.in_c
                     : nullptr;
    }
    r.ix_lo = ox_begin * p.stride_w - p.pad_left;
    r.ix_count = (ox_end - 1 - ox_begin) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
    int8_t* out = job.output + m * p.out_c;
    for (int32_t c = 0; c < pg.n; c += kDwC4Block) {
      // The block at slot c covers channels [at, at + 32); the last one
      // overlaps the one before rather than run past the pixel.
      const int32_t at = pg.n >= kDwC4Block && c + kDwC4Block > pg.n ? pg.n - kDwC4Block : c;
      dw_build_columns(r, at);
      if (col_groups == 1 && p.kernel_w == 3) {
        dw_row_outputs<Dot, 3>(r, c, at, ox_begin, ox_end, out, p.out_c, prm, epi);
      } else if (col_groups == 1 && p.kernel_w == 5) {
        dw_row_outputs<Dot, 5>(r, c, at, ox_begin, ox_end, out, p.out_c, prm, epi);
      } else {
        dw_row_outputs<Dot, 0>(r, c, at, ox_begin, ox_end, out, p.out_c, prm, epi);
      }
    }
    m += run;
  }
}

}  // namespace
}  // namespace x86
}  // namespace dyad
