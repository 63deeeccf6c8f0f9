// Packing and the pixel driver of the ARM depthwise conv (baseline flags,
// no intrinsics): the NEON work is in kernels/arm/neon/qs8_dwconv_*.cc.
#include "kernels/arm/arm_dwconv.h"

#include <cstdint>
#include <cstring>

#include "kernels/arm/arm_gemm.h"
#include "kernels/arm/arm_microkernels.h"
#include "kernels/common/dw_tap_walker.h"

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
  int32_t input_bytes;  // 1: int8 input (qs8 kernel of the path); 2: int16 (qs16)
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

// int16 input: one kernel for every path.
DwKernel dw_kernel(Isa isa, int32_t input_bytes) {
  if (input_bytes != 2) return dw_kernel(isa);
#if defined(DYAD_BUILT_NEON)
  if (dw_kernel(isa) != nullptr) return qs16_dwconv_16c__neon;
#endif
  return nullptr;
}

const DwHeader& header_of(const void* packed) { return *static_cast<const DwHeader*>(packed); }

}  // namespace

bool dwconv_can_use(Isa isa, const ConvParams& p) {
  if (dw_kernel(isa) == nullptr || !conv_can_use(isa, p)) return false;
  // int8 input: int8 output. int16 input (zero point 0, checked by
  // conv_can_use): int8 or int16 output.
  if (p.input_type == DType::kInt16) {
    if (p.output_type != DType::kInt8 && p.output_type != DType::kInt16) return false;
  } else if (p.output_type != DType::kInt8) {
    return false;
  }
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
             p.kernel_h * p.kernel_w, block_words(p), 0,
             p.input_type == DType::kInt16 ? 2 : 1};
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
  // Alignment slack, the tap walker's steps, two pixels' tap pointers (int16
  // input: two more, in bytes), then a row of Z_in for the taps in the padding.
  const size_t lists = h.input_bytes == 2 ? 4 : 2;
  return 16 + (sizeof(int64_t) + lists * sizeof(const int8_t*)) * static_cast<size_t>(h.taps) +
         static_cast<size_t>(h.blocks) * kDwBlock * static_cast<size_t>(h.input_bytes);
}

void dwconv_run(const void* packed, const ConvParams& p, const int8_t* input, int8_t* output,
                void* scratch, int64_t row_begin, int64_t row_end) {
  const DwHeader& h = header_of(packed);
  if (h.magic != kMagic) return;
  const DwKernel kernel = dw_kernel(static_cast<Isa>(h.isa), h.input_bytes);
  if (kernel == nullptr) return;
  // int16 input: the walker (kernels/common/dw_tap_walker.h) lists element
  // offsets from `input` as if the elements were bytes; `widen` turns each
  // list into byte pointers for the kernel (taps in the padding keep the
  // zero row, which holds int16 zeros: Z_in is 0).
  const bool wide = h.input_bytes == 2;
  // Scratch has any alignment: align the pointer arrays (16 bytes of slack).
  uintptr_t base = reinterpret_cast<uintptr_t>(scratch);
  base = (base + 15) & ~uintptr_t{15};
  int64_t* steps = reinterpret_cast<int64_t*>(base);
  const int8_t** taps = reinterpret_cast<const int8_t**>(steps + h.taps);
  const int8_t** taps2 = taps + h.taps;
  const int8_t** wide_taps = taps2 + h.taps;       // int16 input only
  const int8_t** wide_taps2 = wide_taps + h.taps;  // int16 input only
  int8_t* zero_point_row = reinterpret_cast<int8_t*>(wide ? wide_taps2 + h.taps : wide_taps);
  std::memset(zero_point_row, static_cast<int8_t>(p.input_zero_point),
              static_cast<size_t>(h.blocks) * kDwBlock * static_cast<size_t>(h.input_bytes));
  const auto widen = [&](const int8_t* const* from, const int8_t** to) {
    for (int32_t t = 0; t < h.taps; ++t) {
      const int8_t* e = from[t];
      to[t] = e == zero_point_row ? e : e + (e - input);  // input + 2 * offset
    }
  };
  DwPixel px;
  px.taps = wide ? wide_taps : taps;
  px.tap_count = h.taps;
  px.n = h.n;
  px.params = reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed) + kHeaderBytes);
  px.block_words = h.block_words;
  px.any_left_shift = h.any_left_shift != 0;
  px.zero_point = p.output_zero_point;
  px.lo = p.act_min;
  px.hi = p.act_max;
  px.out_type = p.output_type;
  const int64_t out_pixel_bytes = int64_t{p.out_c} * static_cast<int64_t>(dtype_size(p.output_type));
  // Two pixels per call (any two: each output depends only on its taps).
  DwTapWalker walker(p, input, zero_point_row, steps, /*repeat_odd=*/false, row_begin);
  const int8_t* const* previous = nullptr;
  for (int64_t m = row_begin; m < row_end; m += 2) {
    walker.next(taps, previous);
    if (wide) widen(taps, wide_taps);
    px.out = output + m * out_pixel_bytes;
    px.taps2 = nullptr;
    px.out2 = nullptr;
    if (m + 1 < row_end) {
      walker.next(taps2, taps);
      if (wide) widen(taps2, wide_taps2);
      px.taps2 = wide ? wide_taps2 : taps2;
      px.out2 = px.out + out_pixel_bytes;
      previous = taps2;
    }
    kernel(px);
  }
}

}  // namespace arm
}  // namespace dyad
