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
  // Scratch: the tap list, then a row of Z_in values.
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  const int8_t** taps_in = reinterpret_cast<const int8_t**>(base);
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(taps_in + pg.k);
  fill(zero_point_row, pg.n_padded, static_cast<int8_t>(p.input_zero_point));
  for (int64_t m = job.row_begin; m < job.row_end; ++m) {
    const int64_t b = m / out_hw;
    const int64_t rem = m - b * out_hw;
    const int32_t oy = static_cast<int32_t>(rem / p.out_w);
    const int32_t ox = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
    int32_t count = 0;
    for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
      const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
      const bool row_inside = iy >= 0 && iy < p.in_h;
      for (int32_t kx = 0; kx < p.kernel_w; ++kx, ++count) {
        const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
        taps_in[count] = row_inside && ix >= 0 && ix < p.in_w
                             ? job.input + ((b * p.in_h + iy) * p.in_w + ix) * p.in_c
                             : zero_point_row;
      }
    }
    Kernel::pixel(taps_in, count, pg, prm, weights, job.output + m * p.out_c, epi);
  }
}

}  // namespace
}  // namespace x86
}  // namespace dyad
