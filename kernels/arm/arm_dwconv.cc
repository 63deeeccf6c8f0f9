// Packing and the pixel driver of the ARM depthwise conv (baseline flags,
// no intrinsics): the NEON work is in kernels/arm/neon/qs8_dwconv_*.cc.
#include "kernels/arm/arm_dwconv.h"

#include <cstdint>
#include <cstring>

#include "kernels/arm/arm_gemm.h"
#include "kernels/arm/arm_microkernels.h"

namespace dyad {
namespace arm {
namespace {

constexpr int32_t kMagic = 0x57444144;  // "DADW"
constexpr size_t kHeaderBytes = 64;

struct DwHeader {
  int32_t magic;
  int32_t isa;
  int32_t n, blocks, taps, block_words;
  int32_t any_left_shift;
};
static_assert(sizeof(DwHeader) <= kHeaderBytes, "header grew");

int32_t block_count(const ConvParams& p) { return (p.out_c + kDwBlock - 1) / kDwBlock; }

// int32 words of one block: the constant arrays, then taps int16 weights
// per channel.
int32_t block_words(const ConvParams& p) {
  return kNumPackedArrays * kDwBlock + p.kernel_h * p.kernel_w * kDwBlock / 2;
}

using DwKernel = void (*)(const DwPixel&);

DwKernel dw_kernel(Isa isa) {
  switch (isa) {
#if defined(DYAD_BUILT_NEON)
    case Isa::kNeon: return qs8_dwconv_16c__neon;
#endif
#if defined(DYAD_BUILT_NEONDOT)
    case Isa::kNeonDot: return qs8_dwconv_16c__neondot;
#endif
#if defined(DYAD_BUILT_I8MM)
    case Isa::kI8mm: return qs8_dwconv_16c__i8mm;
#endif
    default: return nullptr;
  }
}

const DwHeader& header_of(const void* packed) { return *static_cast<const DwHeader*>(packed); }

}  // namespace

bool dwconv_can_use(Isa isa, const ConvParams& p) {
  if (dw_kernel(isa) == nullptr || !conv_can_use(isa, p)) return false;
  if (p.output_type != DType::kInt8) return false;
  return p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c;
}

size_t dwconv_packed_bytes(const ConvParams& p) {
  return kHeaderBytes + sizeof(int32_t) * static_cast<size_t>(block_count(p)) *
                            static_cast<size_t>(block_words(p));
}

void dwconv_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias,
                 void* dst) {
  uint8_t* out = static_cast<uint8_t*>(dst);
  std::memset(out, 0, dwconv_packed_bytes(p));
  DwHeader h{kMagic, static_cast<int32_t>(isa), p.out_c, block_count(p),
             p.kernel_h * p.kernel_w, block_words(p), 0};
  for (int32_t b = 0; b < h.blocks; ++b) {
    int32_t* params = reinterpret_cast<int32_t*>(out + kHeaderBytes) +
                      static_cast<int64_t>(b) * h.block_words;
    int16_t* w = reinterpret_cast<int16_t*>(params + kNumPackedArrays * kDwBlock);
    // The block's first channel (see arm_dwconv.h): the last one of a
    // channel count that is not a multiple of 16 ends at n.
    int32_t first = b * kDwBlock;
    if (first + kDwBlock > h.n) first = h.n >= kDwBlock ? h.n - kDwBlock : 0;
    for (int32_t j = 0; j < kDwBlock && first + j < h.n; ++j) {
      const int32_t c = first + j;
      int64_t sum = 0;
      for (int32_t t = 0; t < h.taps; ++t) {
        const int8_t v = weights[static_cast<int64_t>(c) * h.taps + t];
        sum += v;
        w[t * kDwBlock + j] = v;
      }
      // Eq. 2: sum (q - Z_in) w = sum q w - Z_in sum w, wrapped to int32
      // through uint32 (defined); exact whenever the accumulator fits.
      const int64_t folded = (bias != nullptr ? bias[c] : 0) - int64_t{p.input_zero_point} * sum;
      params[kArrayBias * kDwBlock + j] = static_cast<int32_t>(static_cast<uint32_t>(folded));
      const int shift = p.requant.s(c);
      if (shift > 0) h.any_left_shift = 1;
      params[kArrayMultiplier * kDwBlock + j] = p.requant.m(c);
      params[kArrayLeftShift * kDwBlock + j] = shift > 0 ? shift : 0;
      params[kArrayNegRight * kDwBlock + j] = shift > 0 ? 0 : shift;
    }
  }
  std::memcpy(out, &h, sizeof(h));
}

size_t dwconv_scratch_bytes(const void* packed) {
  const DwHeader& h = header_of(packed);
  // Alignment slack, two pixels' tap pointers, then a row of Z_in bytes for
  // the taps in the padding.
  return 16 + 2 * sizeof(const int8_t*) * static_cast<size_t>(h.taps) +
         static_cast<size_t>(h.blocks) * kDwBlock;
}

namespace {

// The input pixel of every tap of output pixel m (padding: the Z_in row).
void list_taps(const ConvParams& p, const int8_t* input, int64_t m, const int8_t* zero_point_row,
               const int8_t** taps) {
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  const int64_t b = m / out_hw;
  const int64_t rem = m - b * out_hw;
  const int32_t oy = static_cast<int32_t>(rem / p.out_w);
  const int32_t ox = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
  const int8_t* image = input + b * p.in_h * p.in_w * p.in_c;
  const int32_t iy0 = oy * p.stride_h - p.pad_top;
  const int32_t ix0 = ox * p.stride_w - p.pad_left;
  const int64_t row_step = int64_t{p.dilation_h} * p.in_w * p.in_c;
  const int64_t col_step = int64_t{p.dilation_w} * p.in_c;
  if (iy0 >= 0 && iy0 + (p.kernel_h - 1) * p.dilation_h < p.in_h && ix0 >= 0 &&
      ix0 + (p.kernel_w - 1) * p.dilation_w < p.in_w) {
    // Window inside the image: fixed strides from its first pixel.
    const int8_t* row = image + (int64_t{iy0} * p.in_w + ix0) * p.in_c;
    for (int32_t ky = 0; ky < p.kernel_h; ++ky, row += row_step) {
      const int8_t* at = row;
      for (int32_t kx = 0; kx < p.kernel_w; ++kx, at += col_step) *taps++ = at;
    }
    return;
  }
  for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
    const int32_t iy = iy0 + ky * p.dilation_h;
    const bool row_inside = iy >= 0 && iy < p.in_h;
    for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
      const int32_t ix = ix0 + kx * p.dilation_w;
      *taps++ = row_inside && ix >= 0 && ix < p.in_w
                    ? image + (int64_t{iy} * p.in_w + ix) * p.in_c
                    : zero_point_row;
    }
  }
}

}  // namespace

void dwconv_run(const void* packed, const ConvParams& p, const int8_t* input, int8_t* output,
                void* scratch, int64_t row_begin, int64_t row_end) {
  const DwHeader& h = header_of(packed);
  const DwKernel kernel = dw_kernel(static_cast<Isa>(h.isa));
  if (h.magic != kMagic || kernel == nullptr) return;
  // Scratch has any alignment: align the pointer arrays (16 bytes of slack).
  uintptr_t base = reinterpret_cast<uintptr_t>(scratch);
  base = (base + 15) & ~uintptr_t{15};
  const int8_t** taps = reinterpret_cast<const int8_t**>(base);
  const int8_t** taps2 = taps + h.taps;
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(taps2 + h.taps);
  std::memset(zero_point_row, static_cast<int8_t>(p.input_zero_point),
              static_cast<size_t>(h.blocks) * kDwBlock);
  DwPixel px;
  px.taps = taps;
  px.tap_count = h.taps;
  px.n = h.n;
  px.params = reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed) + kHeaderBytes);
  px.block_words = h.block_words;
  px.any_left_shift = h.any_left_shift != 0;
  px.zero_point = p.output_zero_point;
  px.lo = p.act_min;
  px.hi = p.act_max;
  // Two pixels per call (any two: each output depends only on its taps).
  for (int64_t m = row_begin; m < row_end; m += 2) {
    list_taps(p, input, m, zero_point_row, taps);
    px.out = output + m * p.out_c;
    px.taps2 = nullptr;
    px.out2 = nullptr;
    if (m + 1 < row_end) {
      list_taps(p, input, m + 1, zero_point_row, taps2);
      px.taps2 = taps2;
      px.out2 = px.out + p.out_c;
    }
    kernel(px);
  }
}

}  // namespace arm
}  // namespace dyad
