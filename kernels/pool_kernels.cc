// Drivers of the Mean / MaxPool / table kernels (kernels/pool_kernels.h): pick
// the ISA family, cut the work into independent units and call the per-ISA
// primitives. Window bounds and padding live here, once for every ISA.
#include "kernels/pool_kernels.h"

#include <cstring>
#include <limits>

#include "kernels/common/fixed_point.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace {

using pool_isa::Gavgpool16Fn;
using pool_isa::GavgpoolFn;
using pool_isa::Lut16Fn;
using pool_isa::LutFn;
using pool_isa::MaxRows16Fn;
using pool_isa::MaxRowsFn;
using pool_isa::ResizeRowFn;

struct Family {
  GavgpoolFn gavgpool = nullptr;
  const char* gavgpool_name = "";
  Gavgpool16Fn gavgpool16 = nullptr;  // null: int16 Mean on ref::mean
  const char* gavgpool16_name = "";
  MaxRowsFn max_rows = nullptr;
  const char* max_pool_name = "";
  MaxRows16Fn max_rows16 = nullptr;
  const char* max_pool16_name = "";
  LutFn lut = nullptr;
  const char* lut_name = "";
  Lut16Fn lut16 = nullptr;  // null: ref::lut_s16
  const char* lut16_name = "";
  ResizeRowFn resize_row = nullptr;
  const char* resize_name = "";
};

bool family(Isa isa, Family* f) {
  if (isa == Isa::kReference || !isa_built(isa) || !isa_supported(isa)) return false;
  switch (isa) {
    case Isa::kAvx2:
    case Isa::kAvxVnni:
    case Isa::kAvx512Vnni:
#if defined(DYAD_BUILT_AVX2)
      if (!isa_supported(Isa::kAvx2)) return false;
      f->gavgpool = pool_isa::qs8_gavgpool_c32__avx2;
      f->gavgpool_name = "qs8_gavgpool_c32__avx2";
      f->gavgpool16 = pool_isa::qs16_gavgpool_c16__avx2;
      f->gavgpool16_name = "qs16_gavgpool_c16__avx2";
      f->max_rows = pool_isa::s8_maxpool_32__avx2;
      f->max_pool_name = "s8_maxpool_32__avx2";
      f->max_rows16 = pool_isa::s16_maxpool_16__avx2;
      f->max_pool16_name = "s16_maxpool_16__avx2";
      f->lut = pool_isa::x8_lut_32__avx2;
      f->lut_name = "x8_lut_32__avx2";
      f->lut16 = pool_isa::s16_lut_interp_16__avx2;
      f->lut16_name = "s16_lut_interp_16__avx2";
      f->resize_row = pool_isa::qs8_resize_bilinear_16__avx2;
      f->resize_name = "qs8_resize_bilinear_16__avx2";
#if defined(DYAD_BUILT_AVX512VNNI)
      // vpermi2b needs AVX-512 VBMI on top of the path's AVX-512 subset.
      if (isa == Isa::kAvx512Vnni && cpu_has_avx512vbmi()) {
        f->lut = pool_isa::x8_lut_64__avx512vbmi;
        f->lut_name = "x8_lut_64__avx512vbmi";
      }
#endif
      return true;
#else
      return false;
#endif
    case Isa::kNeon:
    case Isa::kNeonDot:
    case Isa::kI8mm:
#if defined(DYAD_BUILT_NEON)
      f->gavgpool = pool_isa::qs8_gavgpool_c16__neon;
      f->gavgpool_name = "qs8_gavgpool_c16__neon";
      f->gavgpool16 = pool_isa::qs16_gavgpool_c16__neon;
      f->gavgpool16_name = "qs16_gavgpool_c16__neon";
      f->max_rows = pool_isa::s8_maxpool_16__neon;
      f->max_pool_name = "s8_maxpool_16__neon";
      f->max_rows16 = pool_isa::s16_maxpool_8__neon;
      f->max_pool16_name = "s16_maxpool_8__neon";
      f->lut = pool_isa::x8_lut_16__neon;
      f->lut_name = "x8_lut_16__neon";
      f->lut16 = pool_isa::s16_lut_interp_16__neon;
      f->lut16_name = "s16_lut_interp_16__neon";
      f->resize_row = pool_isa::qs8_resize_bilinear_16__neon;
      f->resize_name = "qs8_resize_bilinear_16__neon";
      return true;
#else
      return false;
#endif
    case Isa::kReference:
      break;
  }
  return false;
}

int64_t align64(int64_t bytes) { return (bytes + 63) & ~int64_t{63}; }

template <typename T>
T clamp_to(int32_t v, int32_t lo, int32_t hi) {
  constexpr int32_t kMin = sizeof(T) == 1 ? -128 : -32768, kMax = sizeof(T) == 1 ? 127 : 32767;
  return static_cast<T>(clamp_i32(clamp_i32(v, lo, hi), kMin, kMax));
}

}  // namespace

// ---------------------------------------------------------------- Mean

bool mean_plan(Isa isa, const MeanParams& p, MeanPlan* plan) {
  Family f;
  const bool wide = p.type == DType::kInt16;
  if (p.type != DType::kInt8 && !wide) return false;
  if (!family(isa, &f) || (wide && f.gavgpool16 == nullptr)) return false;
  int first = -1, last = -1;
  for (int d = 0; d < p.in.rank; ++d) {
    if (!p.reduce[d]) continue;
    if (first < 0) first = d;
    if (last >= 0 && last != d - 1) return false;  // not one contiguous run
    last = d;
  }
  if (first < 0) return false;
  MeanPlan m;
  m.isa = isa;
  m.outer = m.reduce = m.inner = 1;
  for (int d = 0; d < p.in.rank; ++d) {
    if (p.in.dims[d] <= 0) return false;
    int64_t& part = d < first ? m.outer : (d <= last ? m.reduce : m.inner);
    part *= p.in.dims[d];
  }
  if (m.inner < 8 || m.reduce > (wide ? 65536 : kMeanMaxReduce)) return false;
  m.units = m.outer * (m.inner >= kMeanChannelBlock ? m.inner / kMeanChannelBlock : 1);
  m.kernel = wide ? f.gavgpool16_name : f.gavgpool_name;
  *plan = m;
  return true;
}

void mean_run(const MeanPlan& plan, const MeanParams& p, const void* input, void* output,
              int64_t unit_begin, int64_t unit_end) {
  Family f;
  if (!family(plan.isa, &f)) return;
  const int64_t blocks = plan.inner >= kMeanChannelBlock ? plan.inner / kMeanChannelBlock : 1;
  // |reduce * Z_in| <= kMeanMaxReduce * 128 < 2^31.
  const pool_isa::MeanRequant rq{static_cast<int32_t>(-plan.reduce * p.input_zero_point),
                                 p.multiplier, p.shift, p.output_zero_point};
  for (int64_t u = unit_begin; u < unit_end; ++u) {
    const int64_t o = u / blocks, b = u % blocks;
    const int64_t c0 = b * kMeanChannelBlock;
    // The last block takes the remainder: every unit has >= 32 channels (or all).
    const int64_t c1 = b == blocks - 1 ? plan.inner : c0 + kMeanChannelBlock;
    const int64_t in_at = o * plan.reduce * plan.inner + c0, out_at = o * plan.inner + c0;
    if (p.type == DType::kInt16) {
      f.gavgpool16(static_cast<const int16_t*>(input) + in_at, plan.reduce, plan.inner, c1 - c0, rq,
                   static_cast<int16_t*>(output) + out_at);
    } else {
      f.gavgpool(static_cast<const int8_t*>(input) + in_at, plan.reduce, plan.inner, c1 - c0, rq,
                 static_cast<int8_t*>(output) + out_at);
    }
  }
}

// ---------------------------------------------------------------- MaxPool

bool max_pool_can_use(Isa isa, const PoolParams& p) {
  Family f;
  if (p.type != DType::kInt8 && p.type != DType::kInt16) return false;
  if (!family(isa, &f)) return false;
  if (p.batch < 1 || p.in_h < 1 || p.in_w < 1 || p.channels < 1 || p.out_h < 1 || p.out_w < 1) {
    return false;
  }
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 ||
      p.dilation_h < 1 || p.dilation_w < 1) {
    return false;
  }
  const int32_t lo = p.type == DType::kInt16 ? -32768 : -128, hi = p.type == DType::kInt16 ? 32767 : 127;
  return p.act_min >= lo && p.act_max <= hi && p.act_min <= p.act_max;
}

const char* max_pool_kernel_name(Isa isa, DType type) {
  Family f;
  const bool wide = type == DType::kInt16;
  if (!family(isa, &f)) return wide ? "s16_max_pool" : "s8_max_pool";
  return wide ? f.max_pool16_name : f.max_pool_name;
}

int64_t max_pool_rows(const PoolParams& p) { return int64_t{p.batch} * p.out_h; }

size_t max_pool_scratch_bytes(const PoolParams& p) {
  const int64_t window = p.kernel_h > p.kernel_w ? p.kernel_h : p.kernel_w;
  const int64_t element = p.type == DType::kInt16 ? 2 : 1;
  return static_cast<size_t>(align64(int64_t{p.in_w} * p.channels * element) +
                             align64(window * static_cast<int64_t>(sizeof(void*))));
}

// Per output row: the max of the valid input rows of the window (vertical,
// over whole rows; no copy when only one is valid), then per output pixel the
// max over the valid columns of that row. With stride_w 1, the pixels whose
// window is entirely inside the row form one contiguous run: one call.
namespace {

// T: int8_t or int16_t elements; max_rows: the family's primitive for T.
template <typename T, typename MaxRows>
void max_pool_rows(MaxRows max_rows, const PoolParams& p, const T* input, T* output, void* scratch,
                   int64_t row_begin, int64_t row_end) {
  const int64_t c = p.channels;
  const int64_t in_row = int64_t{p.in_w} * c, out_row = int64_t{p.out_w} * c;
  auto* vmax = static_cast<T*>(scratch);
  auto** ptrs = reinterpret_cast<const T**>(static_cast<uint8_t*>(scratch) +
                                            align64(in_row * static_cast<int64_t>(sizeof(T))));
  const auto lo = static_cast<T>(p.act_min), hi = static_cast<T>(p.act_max);
  // A window with no valid position gives Z_out (as ref::max_pool).
  const T empty = clamp_to<T>(p.output_zero_point, p.act_min, p.act_max);
  auto fill = [&](T* dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[i] = empty;
  };
  // Output pixels whose window has every column inside the row.
  const int64_t span = int64_t{p.kernel_w - 1} * p.dilation_w;
  int64_t inner_begin = (p.pad_left + p.stride_w - 1) / p.stride_w;
  int64_t inner_end = p.in_w - 1 - span + p.pad_left >= 0
                          ? (p.in_w - 1 - span + p.pad_left) / p.stride_w + 1
                          : 0;
  if (inner_begin > p.out_w) inner_begin = p.out_w;
  if (inner_end > p.out_w) inner_end = p.out_w;
  if (inner_end < inner_begin) inner_end = inner_begin;

  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t b = r / p.out_h, oy = r % p.out_h;
    T* out = output + r * out_row;
    int32_t n = 0;
    for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
      const int64_t iy = oy * p.stride_h - p.pad_top + int64_t{ky} * p.dilation_h;
      if (iy >= 0 && iy < p.in_h) ptrs[n++] = input + (b * p.in_h + iy) * in_row;
    }
    if (n == 0) {
      fill(out, out_row);
      continue;
    }
    const T* v = ptrs[0];
    if (n > 1) {
      max_rows(ptrs, n, in_row, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), vmax);
      v = vmax;
    }
    auto pixel = [&](int64_t ox) {
      int32_t k = 0;
      for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
        const int64_t ix = ox * p.stride_w - p.pad_left + int64_t{kx} * p.dilation_w;
        if (ix >= 0 && ix < p.in_w) ptrs[k++] = v + ix * c;
      }
      if (k == 0) {
        fill(out + ox * c, c);
      } else {
        max_rows(ptrs, k, c, lo, hi, out + ox * c);
      }
    };
    for (int64_t ox = 0; ox < inner_begin; ++ox) pixel(ox);
    if (p.stride_w == 1 && inner_end > inner_begin) {
      for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
        ptrs[kx] = v + (inner_begin - p.pad_left + int64_t{kx} * p.dilation_w) * c;
      }
      max_rows(ptrs, p.kernel_w, (inner_end - inner_begin) * c, lo, hi, out + inner_begin * c);
    } else {
      for (int64_t ox = inner_begin; ox < inner_end; ++ox) pixel(ox);
    }
    for (int64_t ox = inner_end; ox < p.out_w; ++ox) pixel(ox);
  }
}

}  // namespace

void max_pool_run(Isa isa, const PoolParams& p, const void* input, void* output, void* scratch,
                  int64_t row_begin, int64_t row_end) {
  Family f;
  if (!family(isa, &f)) return;
  if (p.type == DType::kInt16) {
    max_pool_rows(f.max_rows16, p, static_cast<const int16_t*>(input), static_cast<int16_t*>(output),
                  scratch, row_begin, row_end);
  } else {
    max_pool_rows(f.max_rows, p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output),
                  scratch, row_begin, row_end);
  }
}

// ---------------------------------------------------------------- Tables

bool lut_can_use(Isa isa) {
  Family f;
  return family(isa, &f);
}

const char* lut_kernel_name(Isa isa) {
  Family f;
  return family(isa, &f) ? f.lut_name : "x8_lut";
}

void lut_run(Isa isa, const uint8_t* input, int64_t count, const uint8_t* table,
             int8_t* output) {
  Family f;
  if (family(isa, &f)) f.lut(input, count, table, output);
}

bool lut16_can_use(Isa isa) {
  Family f;
  return family(isa, &f) && f.lut16 != nullptr;
}

const char* lut16_kernel_name(Isa isa) {
  Family f;
  return family(isa, &f) && f.lut16 != nullptr ? f.lut16_name : "s16_lut";
}

void lut16_run(Isa isa, const int16_t* input, int64_t count, const int16_t* table, int16_t* output) {
  Family f;
  if (family(isa, &f) && f.lut16 != nullptr) f.lut16(input, count, table, output);
}

void lut_table_for_s8(const int8_t* table, uint8_t* byte_table) {
  for (int b = 0; b < 256; ++b) byte_table[b] = static_cast<uint8_t>(table[b ^ 0x80]);
}

bool requantize_table(const RequantizeParams& p, uint8_t* byte_table) {
  if ((p.input_type != DType::kInt8 && p.input_type != DType::kUInt8) ||
      p.output_type != DType::kInt8) {
    return false;
  }
  RequantizeParams one = p;
  one.count = 1;
  for (int b = 0; b < 256; ++b) {
    const auto byte = static_cast<uint8_t>(b);
    int8_t out = 0;
    ref::requantize(one, &byte, &out);
    byte_table[b] = static_cast<uint8_t>(out);
  }
  return true;
}

// ---- Bilinear Resize.

bool resize_bilinear_can_use(Isa isa, const ResizeParams& p) {
  Family f;
  return p.type == DType::kInt8 && p.mode == ResizeMode::kBilinear &&
         p.channels >= kResizeBlock && family(isa, &f) && f.resize_row != nullptr;
}

const char* resize_bilinear_kernel_name(Isa isa) {
  Family f;
  return family(isa, &f) && f.resize_row != nullptr ? f.resize_name : "qs8_resize_bilinear";
}

void resize_bilinear_run(Isa isa, const ResizeParams& p, const ResizeTap* rows,
                         const ResizeTap* cols, const int8_t* input, int8_t* output,
                         int64_t row_begin, int64_t row_end) {
  Family f;
  if (!family(isa, &f) || f.resize_row == nullptr) return;
  const int64_t in_row = int64_t{p.in_w} * p.channels;
  const int64_t out_row = int64_t{p.out_w} * p.channels;
  int64_t n = row_begin / p.out_h;
  int32_t y = static_cast<int32_t>(row_begin - n * p.out_h);
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int8_t* image = input + n * p.in_h * in_row;
    const ResizeTap& ty = rows[y];
    f.resize_row(image + ty.i0 * in_row, image + ty.i1 * in_row, ty.w1, cols, p.out_w, p.channels,
                 output + row * out_row);
    if (++y == p.out_h) {
      y = 0;
      ++n;
    }
  }
}

}  // namespace dyad
