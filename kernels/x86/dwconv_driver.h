// Depthwise conv driver shared by the x86 depthwise files: for each two
// output pixels, lists the input pixel of every kernel tap
// (kernels/common/dw_tap_walker.h; taps in the padding point at a row of
// Z_in values), then lets the kernel run over all channels (int8 or int16
// inputs and outputs). The
// packed bias holds -Z_in * sum(w) (eq. 2), so kernels multiply raw q by w and
// a padding tap adds Z_in * w, cancelled by the fold. Included only by ISA
// .cc files (anonymous namespace).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/dw_tap_walker.h"
#include "kernels/conv_kernels.h"
#include "kernels/x86/gemm_driver.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// Kernel must provide pixel(taps_in, tap_count, packed, prm, weights, out,
// epilogue) and pixel2(taps_a, taps_b, tap_count, ..., out_a, out_b,
// epilogue), templates on the input element In (int8_t, int16_t) and the
// output element Out (int8_t, int16_t): out[c] for all channels from the
// listed taps (taps in kernel row-major order; the kernel knows its packed
// weight layout). pixel2 runs any two pixels (each output depends only on
// its taps) as two independent accumulator chains.
template <typename Kernel, typename In, typename Out>
void run_dwconv_typed(const GemmJob& job) {
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const int32_t* prm = reinterpret_cast<const int32_t*>(pg.buffer.data());
  const int32_t* weights = prm + int64_t{kPackedParamArrays} * pg.n_padded;
  // Scratch (dwconv_scratch_bytes): the walker's tap steps, two tap lists
  // (k + 1 entries each: an odd count repeats its last tap), a row of Z_in
  // (int16 input: zeros).
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  int64_t* steps = reinterpret_cast<int64_t*>(base);
  const In** taps_a = reinterpret_cast<const In**>(steps + pg.k + 1);
  const In** taps_b = taps_a + pg.k + 1;
  In* zero_point_row = reinterpret_cast<In*>(taps_b + pg.k + 1);
  fill(zero_point_row, pg.n_padded, static_cast<In>(p.input_zero_point));
  const int32_t taps = p.kernel_h * p.kernel_w;
  DwTapWalkerT<In> walker(p, static_cast<const In*>(job.input), zero_point_row, steps,
                          /*repeat_odd=*/true, job.row_begin);
  Out* const output = reinterpret_cast<Out*>(job.output);
  const In* const* previous = nullptr;
  for (int64_t m = job.row_begin; m < job.row_end; m += 2) {
    walker.next(taps_a, previous);
    Out* out = output + m * p.out_c;
    if (m + 1 == job.row_end) {
      Kernel::pixel(taps_a, taps, pg, prm, weights, out, epi);
      break;
    }
    walker.next(taps_b, taps_a);
    Kernel::pixel2(taps_a, taps_b, taps, pg, prm, weights, out, out + p.out_c, epi);
    previous = taps_b;
  }
}

// The ISA's entry point: int8 or int16 input (ConvParams::input_type), int8
// or int16 output.
template <typename Kernel>
void run_dwconv(const GemmJob& job) {
  const bool in16 = job.conv->input_type == DType::kInt16;
  if (job.conv->output_type == DType::kInt16) {
    if (in16) return run_dwconv_typed<Kernel, int16_t, int16_t>(job);
    return run_dwconv_typed<Kernel, int8_t, int16_t>(job);
  }
  if (in16) return run_dwconv_typed<Kernel, int16_t, int8_t>(job);
  run_dwconv_typed<Kernel, int8_t, int8_t>(job);
}

}  // namespace
}  // namespace x86
}  // namespace dyad
