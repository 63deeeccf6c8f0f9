// The channel loop shared by the Mean kernels of every ISA and element type
// (x86/avx2/qs8_gavgpool_c32__avx2.cc, qs16_gavgpool_c16__avx2.cc,
// arm/neon/qs{8,16}_gavgpool_c16__neon.cc): blocks of kWide channels, then of
// 8, then the last 8 channels again, overlapping (the same values are
// rewritten), or with fewer than 8 channels the scalar eq. 12.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/pool_kernels.h"
#include "kernels/reference/ref_util.h"

namespace dyad {

// wide(in, out) averages kWide channels, narrow8(in, out) 8, each over all
// rows; in and out point at the block's first channel.
template <int kWide, typename T, typename Wide, typename Narrow8>
inline void mean_channel_blocks(const T* input, int64_t rows, int64_t stride, int64_t channels,
                                const pool_isa::MeanRequant& rq, T* output, Wide&& wide,
                                Narrow8&& narrow8) {
  int64_t c = 0;
  for (; c + kWide <= channels; c += kWide) wide(input + c, output + c);
  for (; c + 8 <= channels; c += 8) narrow8(input + c, output + c);
  if (c == channels) return;
  if (channels >= 8) {
    narrow8(input + channels - 8, output + channels - 8);
    return;
  }
  for (; c < channels; ++c) {
    int32_t sum = rq.bias;
    for (int64_t r = 0; r < rows; ++r) sum += input[r * stride + c];
    output[c] = static_cast<T>(ref::requantize_and_clamp(sum, rq.multiplier, rq.shift,
                                                         rq.zero_point,
                                                         std::numeric_limits<T>::min(),
                                                         std::numeric_limits<T>::max()));
  }
}

}  // namespace dyad
