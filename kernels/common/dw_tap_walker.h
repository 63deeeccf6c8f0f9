// The input pixel of every kernel tap, for the output pixels of a depthwise
// conv taken in order (b, oy, ox): the tap lists the x86 and ARM depthwise
// drivers hand their kernels. No division per pixel (one at construction);
// an interior pixel (every tap inside the image columns) whose row
// neighbour was interior too moves that list by one column step instead of
// rebuilding it. Taps in the padding point at `zero_row`, a row of Z_in.
// Elem: the input element (int8_t; int16_t for the x86 AVX2 kernels' int16
// inputs); steps and offsets count elements.
// Portable C++ (included by the drivers, compiled with each path's flags).
#pragma once

#include <cstdint>

#include "kernels/common/params.h"

namespace dyad {

template <typename Elem>
class DwTapWalkerT {
 public:
  // A list holds the kernel_h * kernel_w taps; with repeat_odd an odd count
  // gets one more entry, a copy of the last tap (the pair kernels give it
  // weight 0). `steps` has room for one entry per list entry. first_pixel:
  // index of the first output pixel, b * out_h * out_w + oy * out_w + ox.
  DwTapWalkerT(const ConvParams& p, const Elem* input, const Elem* zero_row, int64_t* steps,
               bool repeat_odd, int64_t first_pixel)
      : p_(p),
        input_(input),
        zero_row_(zero_row),
        steps_(steps),
        taps_(p.kernel_h * p.kernel_w),
        size_(taps_ + (repeat_odd ? (taps_ & 1) : 0)),
        in_row_elems_(int64_t{p.in_w} * p.in_c),
        column_step_(int64_t{p.stride_w} * p.in_c) {
    const int64_t out_hw = int64_t{p.out_h} * p.out_w;
    b_ = first_pixel / out_hw;
    const int64_t rest = first_pixel - b_ * out_hw;
    oy_ = static_cast<int32_t>(rest / p.out_w);
    ox_ = static_cast<int32_t>(rest - int64_t{oy_} * p.out_w);
    start_row();
  }

  // Writes the current pixel's list to `taps`, then moves to the
  // next pixel. `prev`: where the previous call wrote its list (may be
  // `taps` itself), or nullptr.
  void next(const Elem** taps, const Elem* const* prev) {
    const int32_t ix0 = ox_ * p_.stride_w - p_.pad_left;
    const bool interior = ix0 >= 0 && ix0 + (p_.kernel_w - 1) * p_.dilation_w < p_.in_w;
    if (interior && previous_interior_ && prev != nullptr) {
      // Fixed counts for 3x3 and 5x5 (with or without the repeated tap):
      // the compiler unrolls them.
      switch (size_) {
        case 9: move<9>(taps, prev); break;
        case 10: move<10>(taps, prev); break;
        case 25: move<25>(taps, prev); break;
        case 26: move<26>(taps, prev); break;
        default:
          for (int32_t t = 0; t < size_; ++t) taps[t] = prev[t] + steps_[t];
      }
    } else {
      list(taps, ix0, interior);
    }
    previous_interior_ = interior;
    if (++ox_ == p_.out_w) {
      ox_ = 0;
      if (++oy_ == p_.out_h) {
        oy_ = 0;
        ++b_;
      }
      start_row();
    }
  }

 private:
  template <int32_t kSize>
  void move(const Elem** taps, const Elem* const* prev) const {
    for (int32_t t = 0; t < kSize; ++t) taps[t] = prev[t] + steps_[t];
  }

  int32_t input_row(int32_t ky) const { return oy_ * p_.stride_h - p_.pad_top + ky * p_.dilation_h; }

  // A new output row: taps in image rows move by a column step per pixel,
  // taps in padding rows stay on the Z_in row.
  void start_row() {
    previous_interior_ = false;
    int32_t t = 0;
    for (int32_t ky = 0; ky < p_.kernel_h; ++ky) {
      const int32_t iy = input_row(ky);
      const int64_t step = iy >= 0 && iy < p_.in_h ? column_step_ : 0;
      for (int32_t kx = 0; kx < p_.kernel_w; ++kx) steps_[t++] = step;
    }
    if (size_ > taps_) steps_[taps_] = steps_[taps_ - 1];
  }

  void list(const Elem** taps, int32_t ix0, bool interior) const {
    int32_t t = 0;
    for (int32_t ky = 0; ky < p_.kernel_h; ++ky) {
      const int32_t iy = input_row(ky);
      if (iy < 0 || iy >= p_.in_h) {
        for (int32_t kx = 0; kx < p_.kernel_w; ++kx) taps[t++] = zero_row_;
        continue;
      }
      const Elem* row = input_ + (b_ * p_.in_h + iy) * in_row_elems_;
      for (int32_t kx = 0; kx < p_.kernel_w; ++kx) {
        const int32_t ix = ix0 + kx * p_.dilation_w;
        taps[t++] = interior || (ix >= 0 && ix < p_.in_w) ? row + int64_t{ix} * p_.in_c : zero_row_;
      }
    }
    if (size_ > taps_) taps[taps_] = taps[taps_ - 1];
  }

  const ConvParams& p_;
  const Elem* const input_;
  const Elem* const zero_row_;
  int64_t* const steps_;
  const int32_t taps_, size_;
  const int64_t in_row_elems_, column_step_;
  int64_t b_ = 0;
  int32_t oy_ = 0, ox_ = 0;
  bool previous_interior_ = false;
};

using DwTapWalker = DwTapWalkerT<int8_t>;

}  // namespace dyad
