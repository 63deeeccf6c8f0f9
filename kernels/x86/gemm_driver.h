// Conv/FC driver shared by the x86 GEMM files: gathers mr output pixels' input
// patches into mr contiguous rows of the scratch buffer (im2col of one tile,
// with the ISA's activation transform: q ^ 0x80 for vpdpbusd, q - Z_in as
// int16 for vpmaddwd; an int16 input (Z_in = 0, AVX2 only) is copied), then
// runs the microkernel strip over every channel block of the group. Included only by the ISA .cc files, so everything is in
// an anonymous namespace and compiled with that file's flags.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv_kernels.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// Output-side constants of the epilogue: clamp(x + Z_out, lo, hi) computed as
// clamp(x, lo - Z_out, hi - Z_out) + Z_out so nothing can overflow int32
// (Z_out, lo and hi are inside int16: conv2d_can_use). Unused for int32 output.
struct Epilogue {
  int32_t zero_point, lo_minus_zp, hi_minus_zp;
  bool any_left_shift;
};

template <typename Elem>
void fill(Elem* dst, int32_t n, Elem value) {
  for (int32_t i = 0; i < n; ++i) dst[i] = value;
}

// Kernel must provide: kMR, kNR, AElem, kInt16Input, pad_value(z_in),
// transform(const In* src, dst, n, z_in) for In = int8_t (and int16_t when
// kInt16Input), and for Out = int8_t, int16_t and int32_t
// strip<Out>(packed, group_base, rows[kMR], row_count, out, out_stride, epilogue)
// (requant_ymm.h / requant_zmm.h give it: YmmStrip16, ZmmStrip32).
// In is the input element (ConvParams::input_type); Out the output element:
// int8 / int16 requantized, int32 the raw accumulator (ConvParams::output_type).
template <typename Kernel, typename In, typename Out>
void run_gemm_typed(const GemmJob& job) {
  using AElem = typename Kernel::AElem;
  constexpr int kMR = Kernel::kMR;
  const In* const input = static_cast<const In*>(job.input);
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const int32_t in_per_group = p.in_c / p.groups;
  const int32_t out_per_group = p.out_c / p.groups;
  const int32_t z_in = p.input_zero_point;
  const AElem pad = Kernel::pad_value(z_in);
  Out* const out = reinterpret_cast<Out*>(job.output);
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 &&
                         p.stride_w == 1 && p.pad_top == 0 && p.pad_left == 0 &&
                         p.in_h == p.out_h && p.in_w == p.out_w;
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  // The tile row is the input row itself when the transform is a copy (int16
  // input, Z_in = 0, into int16 rows) of a whole K with no padded tail: the
  // kernel reads k_padded = K elements of it, never past the pixel.
  constexpr bool kCopy = sizeof(In) == sizeof(AElem) && sizeof(In) == 2;
  const bool direct = kCopy && pointwise && pg.k == pg.k_padded;

  // 64-byte aligned scratch rows of k_padded elements each.
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch);
  base = (base + 63) & ~uintptr_t{63};
  AElem* rows_buf = reinterpret_cast<AElem*>(base);
  for (int r = 0; r < kMR; ++r) {
    fill(rows_buf + int64_t{r} * pg.k_padded + pg.k, pg.k_padded - pg.k, pad);
  }

  const AElem* rows[kMR];
  for (int64_t m0 = job.row_begin; m0 < job.row_end; m0 += kMR) {
    const int64_t left = job.row_end - m0;
    const int row_count = left < kMR ? static_cast<int>(left) : kMR;
    // Output coordinates of the tile's rows: one division, then steps (the
    // divisions per row were a visible cost on small-K convs).
    int64_t row_b[kMR];
    int32_t row_oy[kMR], row_ox[kMR];
    if (!pointwise) {
      int64_t b = m0 / out_hw;
      const int64_t rem = m0 - b * out_hw;
      int32_t oy = static_cast<int32_t>(rem / p.out_w);
      int32_t ox = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
      for (int r = 0; r < row_count; ++r) {
        row_b[r] = b;
        row_oy[r] = oy;
        row_ox[r] = ox;
        if (++ox == p.out_w) {
          ox = 0;
          if (++oy == p.out_h) {
            oy = 0;
            ++b;
          }
        }
      }
    }
    for (int32_t g = 0; g < p.groups; ++g) {
      for (int r = 0; r < row_count; ++r) {
        AElem* dst = rows_buf + int64_t{r} * pg.k_padded;
        const int64_t m = m0 + r;
        if (direct) {
          rows[r] = reinterpret_cast<const AElem*>(input + m * p.in_c + g * in_per_group);
          continue;
        }
        if (pointwise) {
          Kernel::transform(input + m * p.in_c + g * in_per_group, dst, in_per_group, z_in);
        } else {
          const int64_t b = row_b[r];
          const int32_t oy = row_oy[r];
          const int32_t ox = row_ox[r];
          int32_t k = 0;
          const int32_t ix0 = ox * p.stride_w - p.pad_left;
          // With one group and no horizontal dilation, a kernel row inside
          // the image is one contiguous run of kernel_w * in_c bytes.
          const bool row_contiguous = p.groups == 1 && p.dilation_w == 1 && ix0 >= 0 &&
                                      ix0 + p.kernel_w <= p.in_w;
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
            if (row_contiguous && iy >= 0 && iy < p.in_h) {
              const int32_t run = p.kernel_w * in_per_group;
              Kernel::transform(input + ((b * p.in_h + iy) * p.in_w + ix0) * p.in_c,
                                dst + k, run, z_in);
              k += run;
              continue;
            }
            for (int32_t kx = 0; kx < p.kernel_w; ++kx, k += in_per_group) {
              const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) {
                fill(dst + k, in_per_group, pad);  // q = Z_in contributes 0 (eq. 2)
              } else {
                const In* src =
                    input + ((b * p.in_h + iy) * p.in_w + ix) * p.in_c + g * in_per_group;
                Kernel::transform(src, dst + k, in_per_group, z_in);
              }
            }
          }
        }
        rows[r] = dst;
      }
      for (int r = row_count; r < kMR; ++r) rows[r] = rows[0];  // computed, never stored
      Kernel::template strip<Out>(pg, pg.buffer.data() + g * pg.group_bytes, rows, row_count,
                                  out + m0 * p.out_c + g * out_per_group, p.out_c, epi);
    }
  }
}

template <typename Kernel, typename In>
void run_gemm_input(const GemmJob& job) {
  switch (job.conv->output_type) {
    case DType::kInt16: run_gemm_typed<Kernel, In, int16_t>(job); return;
    case DType::kInt32: run_gemm_typed<Kernel, In, int32_t>(job); return;
    default: run_gemm_typed<Kernel, In, int8_t>(job); return;
  }
}

// The ISA's entry point: one instantiation per input and output type.
template <typename Kernel>
void run_gemm(const GemmJob& job) {
  if constexpr (Kernel::kInt16Input) {
    if (job.conv->input_type == DType::kInt16) {
      run_gemm_input<Kernel, int16_t>(job);
      return;
    }
  }
  run_gemm_input<Kernel, int8_t>(job);
}

}  // namespace
}  // namespace x86
}  // namespace dyad
