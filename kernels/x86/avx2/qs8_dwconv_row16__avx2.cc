// AVX2 depthwise conv, row kernel (stride_w 1, int8 input and output): in
// NHWC the outputs of an output row's interior pixels (every tap inside the
// image columns) are one run of W*C contiguous int8 values, and tap (ky, kx)
// of that run is input row iy(ky) moved by kx * dilation_w * C elements. So
// the kernel steps 16 outputs at a time straight along the run, ignoring
// channel boundaries; the weight pairs and eq. 6 constants of output j are
// those of channel j % C, tiled at pack time with period P = lcm(16, C)
// (conv_kernels.cc, pack_row_tiles) plus kDwRowTail entries, so the
// overlapping last step of a run can start at any phase. Per 16 outputs and
// tap pair (t, t+1): vpunpck{l,h}bw interleave the two taps' bytes in
// channel order, vpmovsxbw widens them, vpmaddwd adds q_t*w_t + q_t+1*w_t+1
// exactly (as in qs8_dwconv_16c2__avx2). Taps in padding rows read a row of
// Z_in (the packed bias holds -Z_in * sum(w), eq. 2). Edge pixels and runs
// shorter than 16 outputs go through qs8_dwconv_16c2__avx2 on sub-ranges.
// With few channels this removes the per-pixel tap lists, calls and the
// half-block waste of the pixel kernel. Compiled with -mavx2.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/x86/requant_ymm.h"
#include "kernels/x86/x86_gemm.h"

namespace dyad {
namespace x86 {
namespace {

// One run of `len` (>= 16) outputs: taps[2t], taps[2t+1] point at the
// run's first input of each tap pair; w: pair weights [pairs][stride],
// prm: PackedParam arrays [kPackedParamArrays][stride], both tiled with
// `period` (entry e belongs to channel e % C; the run starts at a pixel, so
// at phase 0). The 16-output steps at j and j + period use the same weights
// and constants: they are taken two at a time (4 accumulators), loading
// each weight vector once for both.
template <int32_t kPairs>
void row_run(const int8_t* const* taps, int32_t pairs, int64_t len, const int32_t* prm,
             const int32_t* w, int64_t stride, int32_t period, int8_t* out,
             const Epilogue& epi) {
  if (kPairs > 0) pairs = kPairs;
  // kSteps steps at outputs j[s], all at phase ph.
  auto steps = [&](auto count_tag, const int64_t* j, int32_t ph) {
    constexpr int kSteps = decltype(count_tag)::value;
    __m256i lo[kSteps], hi[kSteps];
    for (int s = 0; s < kSteps; ++s) lo[s] = hi[s] = _mm256_setzero_si256();
    for (int32_t t = 0; t < pairs; ++t) {
      const int8_t* a = taps[2 * t];
      const int8_t* b = taps[2 * t + 1];
      const int32_t* wt = w + int64_t{t} * stride + ph;
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wt));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wt + 8));
      for (int s = 0; s < kSteps; ++s) {
        const __m128i qa = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + j[s]));
        const __m128i qb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + j[s]));
        lo[s] = _mm256_add_epi32(
            lo[s], _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_unpacklo_epi8(qa, qb)), w0));
        hi[s] = _mm256_add_epi32(
            hi[s], _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_unpackhi_epi8(qa, qb)), w1));
      }
    }
    const __m256i bias0 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prm + kPackedBias * stride + ph));
    const __m256i bias1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prm + kPackedBias * stride + ph + 8));
    for (int s = 0; s < kSteps; ++s) {
      const __m256i x0 = _mm256_add_epi32(lo[s], bias0);
      const __m256i x1 = _mm256_add_epi32(hi[s], bias1);
      store_16xi8_clamped(out + j[s], requantize_ymm_unclamped(x0, prm, stride, ph, epi),
                          requantize_ymm_unclamped(x1, prm, stride, ph + 8, epi), epi, 16);
    }
  };
  using One = std::integral_constant<int, 1>;
  using Two = std::integral_constant<int, 2>;
  const int64_t full = len / 16 * 16;  // outputs of the whole steps
  for (int32_t ph = 0; ph < period && ph < full; ph += 16) {
    int64_t j = ph;
    for (; j + period + 16 <= full; j += 2 * int64_t{period}) {
      const int64_t js[2] = {j, j + period};
      steps(Two{}, js, ph);
    }
    if (j < full) steps(One{}, &j, ph);
  }
  if (full < len) {  // the last 16 outputs, overlapping the step before (equal bytes)
    const int64_t last = len - 16;
    steps(One{}, &last, static_cast<int32_t>(last % period));
  }
}

// Pixels [begin, end) of the job on the per-pixel kernel.
void pixels(const GemmJob& job, int64_t begin, int64_t end) {
  if (begin >= end) return;
  GemmJob sub = job;
  sub.row_begin = begin;
  sub.row_end = end;
  qs8_dwconv_16c2__avx2(sub);
}

}  // namespace

void qs8_dwconv_row16__avx2(const GemmJob& job) {
  const PackedGemm& pg = *job.packed;
  const ConvParams& p = *job.conv;
  const Epilogue epi{p.output_zero_point, p.act_min - p.output_zero_point,
                     p.act_max - p.output_zero_point, pg.any_left_shift};
  const int32_t c = p.in_c;
  const int32_t taps = p.kernel_h * p.kernel_w;
  const int32_t pairs = (taps + 1) / 2;
  const int64_t stride = int64_t{pg.dw_row_period} + kDwRowTail;
  const int32_t* prm = reinterpret_cast<const int32_t*>(pg.buffer.data() + pg.dw_row_offset);
  const int32_t* w = prm + int64_t{kPackedParamArrays} * stride;
  // Scratch after the pixel kernel's: the run's tap pointers, then a row of
  // Z_in as long as an input row (padding rows read it at the same offsets).
  uintptr_t base = reinterpret_cast<uintptr_t>(job.scratch) +
                   dwconv_pixel_scratch_bytes(pg.k, pg.n_padded);
  base = (base + 63) & ~uintptr_t{63};
  const int8_t** tap = reinterpret_cast<const int8_t**>(base);
  int8_t* zero_row = reinterpret_cast<int8_t*>(tap + 2 * pairs);
  const int64_t row_elems = int64_t{p.in_w} * c;
  std::memset(zero_row, p.input_zero_point, static_cast<size_t>(row_elems));
  const int8_t* input = static_cast<const int8_t*>(job.input);

  // Interior output columns [ox_lo, ox_hi): every tap inside the image.
  const int32_t span = (p.kernel_w - 1) * p.dilation_w;
  const int32_t ox_lo = std::min(p.pad_left, p.out_w);
  const int32_t ox_hi = std::max(ox_lo, std::min(p.out_w, p.in_w - span + p.pad_left));

  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  int64_t b = job.row_begin / out_hw;
  int64_t rest = job.row_begin - b * out_hw;
  int32_t oy = static_cast<int32_t>(rest / p.out_w);
  int32_t ox = static_cast<int32_t>(rest - int64_t{oy} * p.out_w);
  int64_t m = job.row_begin;
  int64_t pending = m;  // first pixel not yet computed
  while (m < job.row_end) {
    const int64_t row_start = m - ox;
    const int32_t end = static_cast<int32_t>(std::min<int64_t>(p.out_w, ox + (job.row_end - m)));
    const int32_t r0 = std::max(ox, ox_lo), r1 = std::min(end, ox_hi);
    if (int64_t{r1 - r0} * c >= 16) {
      pixels(job, pending, row_start + r0);
      int32_t t = 0;
      for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
        const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
        const int8_t* row = iy >= 0 && iy < p.in_h ? input + (b * p.in_h + iy) * row_elems : zero_row;
        for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
          tap[t++] = row + int64_t{r0 + kx * p.dilation_w - p.pad_left} * c;
        }
      }
      if (taps & 1) tap[taps] = tap[taps - 1];  // weight 0 in the last pair
      int8_t* out = job.output + (row_start + r0) * c;
      const int64_t len = int64_t{r1 - r0} * c;
      if (pairs == 5) {
        row_run<5>(tap, pairs, len, prm, w, stride, pg.dw_row_period, out, epi);  // 3x3
      } else if (pairs == 13) {
        row_run<13>(tap, pairs, len, prm, w, stride, pg.dw_row_period, out, epi);  // 5x5
      } else {
        row_run<0>(tap, pairs, len, prm, w, stride, pg.dw_row_period, out, epi);
      }
      pending = row_start + r1;
    }
    m = row_start + end;
    ox = 0;
    if (++oy == p.out_h) {
      oy = 0;
      ++b;
    }
  }
  pixels(job, pending, job.row_end);
}

}  // namespace x86
}  // namespace dyad
