// Reference Resize of H and W of NHWC int8 or int16 (ONNX Resize semantics),
// eqs. 17-18. Input and output share one quantization (and type), so values
// are interpolated as is.
//
// Eq. 17, source coordinate. With the axis scale r = num/den (0/0 means
// out/in), output index x, input extent L_in and output extent L_out, the
// ONNX source coordinate is an exact rational P/Q with integers P, Q > 0:
//   half_pixel:          (x + 1/2)/r - 1/2     -> P = (2x+1)·den - num,  Q = 2·num
//   pytorch_half_pixel:  as half_pixel if L_out > 1, else 0
//   align_corners:       x·(L_in-1)/(L_out-1)  -> P = x·(L_in-1), Q = L_out-1 (0 if L_out = 1)
//   asymmetric:          x/r                   -> P = x·den,      Q = num
// Nearest decides from the exact integer quotient and remainder of P/Q
// (t = floor(P/Q), rem = P - t·Q):
//   round_prefer_floor: t + (2·rem > Q);  round_prefer_ceil: t + (2·rem >= Q, rem > 0)
//   floor: t;  ceil: t + (rem > 0);   then clamp to [0, L_in - 1].
// Ties are therefore decided exactly, with no float rounding.
//
// Eq. 18, bilinear. The coordinate is clamped to [0, L_in - 1] (ONNX's edge
// clamp gives the same value) and rounded to F = 11 fractional bits:
//   c = clamp(round_half_up(P·2^F / Q), 0, (L_in-1)·2^F),  i0 = c >> F,
//   i1 = min(i0 + 1, L_in - 1),  w = c & (2^F - 1)   (weight of i1; i0 gets 2^F - w).
// The output is
//   out = RDBP( (2^F-wy)((2^F-wx)v00 + wx·v01) + wy((2^F-wx)v10 + wx·v11), 2F )
// (RDBP = rounding_divide_by_pot, eq. 5: round half away from zero); the sum
// is below 128·2^22 = 2^29 in magnitude, so int32 is exact.
// Error bound: rounding the coordinate moves each weight by at most 2^-(F+1),
// and neighbouring values differ by at most 255, so before the final rounding
// the value differs from the exact ONNX bilinear value by at most
// 2·255·2^-(F+1) = 255/2048 < 0.125; hence |out - exact| < 0.625 and out is
// within 1 LSB of round(exact) (equal unless exact is within 0.125 of a tie).
// Int16: the same formula and rounding with int64 intermediates (the sum is
// below 2^15 · 2^22 = 2^37); neighbours differ by up to 65535, so the bound
// before the final rounding is 65535/2048 < 32 LSB instead of 0.125.
#include <cstdint>

#include "kernels/common/fixed_point.h"
#include "kernels/reference/reference.h"

namespace dyad {
namespace ref {
namespace {

constexpr int kFracBits = kResizeFracBits;  // F above
constexpr int32_t kOne = 1 << kFracBits;

struct Rational {
  int64_t p = 0, q = 1;  // p / q, q > 0
};

// Eq. 17: the source coordinate of output index x along one axis.
Rational source_coordinate(CoordinateMode mode, int64_t x, int32_t in_len, int32_t out_len,
                           int32_t num, int32_t den) {
  if (num <= 0 || den <= 0) {  // 0/0 (or anything invalid): r = out/in
    num = out_len;
    den = in_len;
  }
  switch (mode) {
    case CoordinateMode::kAlignCorners:
      if (out_len <= 1) return {0, 1};
      return {x * (in_len - 1), out_len - 1};
    case CoordinateMode::kAsymmetric:
      return {x * den, num};
    case CoordinateMode::kPytorchHalfPixel:
      if (out_len <= 1) return {0, 1};
      return {(2 * x + 1) * den - num, 2 * int64_t{num}};
    case CoordinateMode::kHalfPixel:
    default:
      return {(2 * x + 1) * den - num, 2 * int64_t{num}};
  }
}

int64_t floor_div(int64_t p, int64_t q) {  // q > 0
  const int64_t t = p / q;
  return (p % q != 0 && p < 0) ? t - 1 : t;
}

int32_t clamp_index(int64_t i, int32_t len) {
  return static_cast<int32_t>(i < 0 ? 0 : (i >= len ? len - 1 : i));
}

int32_t nearest_index(Rational c, NearestRounding rounding, int32_t in_len) {
  const int64_t t = floor_div(c.p, c.q);
  const int64_t rem = c.p - t * c.q;  // in [0, q)
  int64_t i = t;
  switch (rounding) {
    case NearestRounding::kRoundPreferFloor: i = t + (2 * rem > c.q ? 1 : 0); break;
    case NearestRounding::kRoundPreferCeil: i = t + (rem > 0 && 2 * rem >= c.q ? 1 : 0); break;
    case NearestRounding::kFloor: i = t; break;
    case NearestRounding::kCeil: i = t + (rem > 0 ? 1 : 0); break;
  }
  return clamp_index(i, in_len);
}

ResizeTap linear_tap(Rational c, int32_t in_len) {
  // Clamp to [0, in_len - 1] first, then round to F fractional bits (eq. 18).
  int64_t fixed = 0;
  if (c.p > 0) fixed = (c.p * kOne * 2 + c.q) / (2 * c.q);  // round half up, p >= 0
  const int64_t max_fixed = int64_t{in_len - 1} * kOne;
  if (fixed > max_fixed) fixed = max_fixed;
  ResizeTap tap;
  tap.i0 = static_cast<int32_t>(fixed >> kFracBits);
  tap.i1 = tap.i0 + 1 < in_len ? tap.i0 + 1 : in_len - 1;
  tap.w1 = static_cast<int32_t>(fixed & (kOne - 1));
  return tap;
}

// Eq. 5 on int64 (rounding half away from zero), for the int16 bilinear sum.
int64_t rounding_divide_by_pot_64(int64_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// Eq. 18 of one channel: int32 is exact for int8 values (|sum| < 2^29).
inline int32_t bilinear(int8_t v00, int8_t v01, int8_t v10, int8_t v11, int32_t wx, int32_t wy) {
  const int32_t top = (kOne - wx) * v00 + wx * v01;
  const int32_t bottom = (kOne - wx) * v10 + wx * v11;
  const int32_t sum = (kOne - wy) * top + wy * bottom;
  return clamp_i32(rounding_divide_by_pot(sum, 2 * kFracBits), -128, 127);
}
// Int16 values: the same arithmetic in int64 (|sum| <= 2^37).
inline int32_t bilinear(int16_t v00, int16_t v01, int16_t v10, int16_t v11, int32_t wx,
                        int32_t wy) {
  const int64_t top = int64_t{kOne - wx} * v00 + int64_t{wx} * v01;
  const int64_t bottom = int64_t{kOne - wx} * v10 + int64_t{wx} * v11;
  const int64_t sum = (kOne - wy) * top + wy * bottom;
  const int64_t r = rounding_divide_by_pot_64(sum, 2 * kFracBits);
  return static_cast<int32_t>(r < -32768 ? -32768 : (r > 32767 ? 32767 : r));
}

template <typename T>
void resize_rows_typed(const ResizeParams& p, const T* input, T* output, int64_t row_begin,
                       int64_t row_end) {
  const int64_t c_count = p.channels;
  const int64_t in_row = int64_t{p.in_w} * c_count;
  const int64_t in_image = int64_t{p.in_h} * in_row;
  const int64_t out_row = int64_t{p.out_w} * c_count;
  // Coordinates are recomputed per output pixel (cheap integer math) rather
  // than tabulated: run() must not allocate (DESIGN.md §4).
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t n = row / p.out_h;
    const int32_t y = static_cast<int32_t>(row - n * p.out_h);
    const T* image = input + n * in_image;
    T* out = output + row * out_row;
    const Rational ys =
        source_coordinate(p.coordinate_mode, y, p.in_h, p.out_h, p.scale_h_num, p.scale_h_den);
    for (int32_t x = 0; x < p.out_w; ++x) {
      const Rational xs =
          source_coordinate(p.coordinate_mode, x, p.in_w, p.out_w, p.scale_w_num, p.scale_w_den);
      if (p.mode == ResizeMode::kNearest) {
        const int32_t iy = nearest_index(ys, p.nearest_rounding, p.in_h);
        const int32_t ix = nearest_index(xs, p.nearest_rounding, p.in_w);
        const T* src = image + iy * in_row + ix * c_count;
        for (int64_t c = 0; c < c_count; ++c) *out++ = src[c];
        continue;
      }
      const ResizeTap ty = linear_tap(ys, p.in_h);
      const ResizeTap tx = linear_tap(xs, p.in_w);
      const T* r0 = image + ty.i0 * in_row;
      const T* r1 = image + ty.i1 * in_row;
      for (int64_t c = 0; c < c_count; ++c) {
        *out++ = static_cast<T>(bilinear(r0[tx.i0 * c_count + c], r0[tx.i1 * c_count + c],
                                         r1[tx.i0 * c_count + c], r1[tx.i1 * c_count + c], tx.w1,
                                         ty.w1));
      }
    }
  }
}

}  // namespace

ResizeTap resize_bilinear_tap(const ResizeParams& p, bool width, int64_t index) {
  if (width) {
    return linear_tap(
        source_coordinate(p.coordinate_mode, index, p.in_w, p.out_w, p.scale_w_num, p.scale_w_den),
        p.in_w);
  }
  return linear_tap(
      source_coordinate(p.coordinate_mode, index, p.in_h, p.out_h, p.scale_h_num, p.scale_h_den),
      p.in_h);
}

void resize(const ResizeParams& p, const void* input, void* output) {
  resize_rows(p, input, output, 0, int64_t{p.batch} * p.out_h);
}

void resize_rows(const ResizeParams& p, const void* input, void* output, int64_t row_begin,
                 int64_t row_end) {
  if (p.type == DType::kInt16) {
    resize_rows_typed(p, static_cast<const int16_t*>(input), static_cast<int16_t*>(output),
                      row_begin, row_end);
  } else {
    resize_rows_typed(p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output),
                      row_begin, row_end);
  }
}

}  // namespace ref
}  // namespace dyad
