// Depthwise conv driver shared by the x86 depthwise files: for each output
// pixel, lists the input pixel of every kernel tap (taps in the padding point
// at a row of Z_in values), then lets the kernel run over all channels. The
// packed bias holds -Z_in * sum(w) (eq. 2), so kernels multiply raw q by w and
// a padding tap adds Z_in * w, cancelled by the fold. Included only by ISA
// .cc files (anonymous namespace).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// Kernel must provide pixel(taps_in, tap_count, packed, prm, weights, out,
// epilogue): out[c] for all channels from the listed taps (taps in kernel
// row-major order; the kernel knows its packed weight layout).
template <typename Kernel>
void run_dwconv(const GemmJob& job) {
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const int32_t* prm = reinterpret_cast<const int32_t*>(pg.buffer.data());
  const int32_t* weights = prm + int64_t{kPackedParamArrays} * pg.n_padded;
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  // Scratch: the tap list (k + 1 entries: an odd count repeats its last
  // tap), the input row of each kernel row (kernel_h <= k), each tap's step
  // from one interior pixel to the next (k + 1), the next pixel's tap list
  // (k + 1), a row of Z_in.
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  const int8_t** taps_in = reinterpret_cast<const int8_t**>(base);
  const int8_t** row_of = taps_in + pg.k + 1;
  int64_t* tap_step = reinterpret_cast<int64_t*>(row_of + pg.k);
  const int8_t** taps_next = reinterpret_cast<const int8_t**>(tap_step + pg.k + 1);
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(taps_next + pg.k + 1);
  const int32_t taps = p.kernel_h * p.kernel_w;
  const int32_t listed = taps + (taps & 1);
  fill(zero_point_row, pg.n_padded, static_cast<int8_t>(p.input_zero_point));
  // Walk (b, oy, ox) incrementally (no division per pixel); the input row
  // of each kernel row is found once per output row.
  int64_t b = job.row_begin / out_hw;
  int32_t oy = static_cast<int32_t>((job.row_begin - b * out_hw) / p.out_w);
  int32_t ox = static_cast<int32_t>(job.row_begin - b * out_hw - int64_t{oy} * p.out_w);
  bool new_row = true;
  bool listed_inside = false;  // taps_in holds the previous, interior pixel of this row
  const int64_t in_row_bytes = int64_t{p.in_w} * p.in_c;
  const int64_t column_step = int64_t{p.stride_w} * p.in_c;
  for (int64_t m = job.row_begin; m < job.row_end; ++m) {
    if (new_row) {
      int32_t t = 0;
      for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
        const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
        const bool inside = iy >= 0 && iy < p.in_h;
        row_of[ky] = inside ? job.input + (b * p.in_h + iy) * in_row_bytes : nullptr;
        for (int32_t kx = 0; kx < p.kernel_w; ++kx) tap_step[t++] = inside ? column_step : 0;
      }
      if (taps & 1) tap_step[taps] = tap_step[taps - 1];
      new_row = false;
      listed_inside = false;
    }
    const int32_t ix0 = ox * p.stride_w - p.pad_left;
    const bool cols_inside = ix0 >= 0 && ix0 + (p.kernel_w - 1) * p.dilation_w < p.in_w;
    if (cols_inside && listed_inside) {
      // The previous pixel of this row was interior too: move its list.
      for (int32_t t = 0; t < listed; ++t) taps_in[t] += tap_step[t];
      const int32_t ix1 = ix0 + p.stride_w;
      if (m + 1 < job.row_end && ox + 1 < p.out_w &&
          ix1 + (p.kernel_w - 1) * p.dilation_w < p.in_w) {
        // The next pixel is interior as well: both in one kernel call.
        for (int32_t t = 0; t < listed; ++t) taps_next[t] = taps_in[t] + tap_step[t];
        Kernel::pixel2(taps_in, taps_next, taps, pg, prm, weights, job.output + m * p.out_c,
                       job.output + (m + 1) * p.out_c, epi);
        for (int32_t t = 0; t < listed; ++t) taps_in[t] = taps_next[t];
        ++m;
        ++ox;
      } else {
        Kernel::pixel(taps_in, taps, pg, prm, weights, job.output + m * p.out_c, epi);
      }
      if (++ox == p.out_w) {
        ox = 0;
        new_row = true;
        if (++oy == p.out_h) {
          oy = 0;
          ++b;
        }
      }
      continue;
    }
    listed_inside = cols_inside;
    int32_t count = 0;
    for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
      const int8_t* row = row_of[ky];
      if (row == nullptr) {
        for (int32_t kx = 0; kx < p.kernel_w; ++kx) taps_in[count++] = zero_point_row;
      } else if (cols_inside) {
        const int8_t* at = row + int64_t{ix0} * p.in_c;
        const int64_t step = int64_t{p.dilation_w} * p.in_c;
        for (int32_t kx = 0; kx < p.kernel_w; ++kx, at += step) taps_in[count++] = at;
      } else {
        for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
          const int32_t ix = ix0 + kx * p.dilation_w;
          taps_in[count++] = ix >= 0 && ix < p.in_w ? row + int64_t{ix} * p.in_c : zero_point_row;
        }
      }
    }
    if (count & 1) taps_in[count] = taps_in[count - 1];  // an odd last tap's pair (weight 0)
    Kernel::pixel(taps_in, count, pg, prm, weights, job.output + m * p.out_c, epi);
    if (++ox == p.out_w) {
      ox = 0;
      new_row = true;
      if (++oy == p.out_h) {
        oy = 0;
        ++b;
      }
    }
  }
}

}  // namespace
}  // namespace x86
}  // namespace dyad
