// Packing and the row driver of the ARM GEMM (baseline flags, no intrinsics):
// the NEON work is in the per-ISA microkernels (arm_microkernels.h).
#include "kernels/arm/arm_gemm.h"

#include <cstring>

#include "kernels/arm/arm_microkernels.h"

namespace dyad {
namespace arm {
namespace {

constexpr int32_t kMagic = 0x4d524144;  // "DARM"
constexpr size_t kHeaderBytes = 64;
constexpr int32_t kRowAlign = 16;

struct PackedHeader {
  int32_t magic;
  int32_t isa;
  int32_t groups, n, k, k_padded;
  int32_t mr, nr, kc;
  int32_t weights_have_min;
  int64_t block_bytes, group_bytes;
  int32_t input_bytes;  // 1: int8 activations (per-ISA kernel); 2: int16 (qs16 kernel)
};
static_assert(sizeof(PackedHeader) <= kHeaderBytes, "header grew");

using Microkernel = void (*)(const GemmStrip&);

Microkernel microkernel(Isa isa) {
  switch (isa) {
#if defined(DYAD_BUILT_NEON)
    case Isa::kNeon: return qs8_gemm_2x8c16__neon;
#endif
#if defined(DYAD_BUILT_NEONDOT)
    case Isa::kNeonDot: return qs8_gemm_4x16c4__neondot;
#endif
#if defined(DYAD_BUILT_I8MM)
    case Isa::kI8mm: return qs8_gemm_4x16c8__i8mm;
#endif
    default: return nullptr;
  }
}

// int16 input: one kernel for every ARM path (sdot / smmla take int8 only).
Microkernel microkernel(Isa isa, int32_t input_bytes) {
  if (input_bytes != 2) return microkernel(isa);
#if defined(DYAD_BUILT_NEON)
  if (microkernel(isa) != nullptr) return qs16_gemm_4x16__neon;
#endif
  return nullptr;
}

int32_t input_bytes_of(const ConvParams& p) { return p.input_type == DType::kInt16 ? 2 : 1; }

// The tile of the kernel that runs p on `isa` (int16 input: 4 x 16, K by 8).
bool tile_for(Isa isa, const ConvParams& p, TileShape* out) {
  if (!tile_shape(isa, out)) return false;
  if (input_bytes_of(p) == 2) *out = TileShape{4, 16, 8};
  return true;
}

int32_t round_up(int32_t x, int32_t m) { return (x + m - 1) / m * m; }

struct Layout {
  TileShape tile;
  int32_t groups, n, k, k_padded;
  int32_t input_bytes;  // also the bytes of one packed weight
  size_t block_bytes, group_bytes;
};

Layout layout_of(const TileShape& tile, const ConvParams& p) {
  Layout l;
  l.tile = tile;
  l.input_bytes = input_bytes_of(p);
  l.groups = p.groups;
  l.n = p.out_c / p.groups;
  l.k = p.kernel_h * p.kernel_w * (p.in_c / p.groups);
  l.k_padded = round_up(l.k, tile.kc);
  l.block_bytes = sizeof(int32_t) * kNumPackedArrays * static_cast<size_t>(tile.nr) +
                  static_cast<size_t>(l.k_padded) * static_cast<size_t>(tile.nr) *
                      static_cast<size_t>(l.input_bytes);
  l.group_bytes = l.block_bytes * static_cast<size_t>((l.n + tile.nr - 1) / tile.nr);
  return l;
}

const PackedHeader& header_of(const void* packed) {
  return *static_cast<const PackedHeader*>(packed);
}

}  // namespace

bool tile_shape(Isa isa, TileShape* out) {
  if (microkernel(isa) == nullptr) return false;
  switch (isa) {
    case Isa::kNeon: *out = TileShape{2, 8, 16}; return true;
    case Isa::kNeonDot: *out = TileShape{4, 16, 4}; return true;
    case Isa::kI8mm: *out = TileShape{4, 16, 8}; return true;
    default: return false;
  }
}

bool conv_can_use(Isa isa, const ConvParams& p) {
  TileShape tile;
  if (!tile_shape(isa, &tile) || !isa_supported(isa)) return false;
  // int16 input (W8A16): symmetric, so padding taps are zeros and no eq. 2
  // term is folded; qs16_gemm_4x16__neon runs it on every path.
  if (p.input_type == DType::kInt16) {
    if (p.input_zero_point != 0) return false;
  } else if (p.input_type != DType::kInt8) {
    return false;
  }
  const DType out = p.output_type;
  if (out != DType::kInt8 && out != DType::kInt16 && out != DType::kInt32) return false;
  if (p.batch < 1 || p.in_h < 1 || p.in_w < 1 || p.in_c < 1 || p.out_h < 1 || p.out_w < 1 ||
      p.out_c < 1 || p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 ||
      p.dilation_h < 1 || p.dilation_w < 1 || p.groups < 1) {
    return false;
  }
  if (p.in_c % p.groups != 0 || p.out_c % p.groups != 0) return false;
  // Padding taps are filled with the byte Z_in, so it must be one.
  if (p.input_zero_point < -128 || p.input_zero_point > 127) return false;
  // Scratch holds mr patches of K bytes: keep K sane.
  if (int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups) > (int64_t{1} << 24)) return false;
  // int32 output: the raw accumulator, no requantization or clamp.
  if (out == DType::kInt32) return true;
  // Clamp bounds inside the output type: the saturating narrows never clip.
  const int32_t type_min = out == DType::kInt16 ? -32768 : -128;
  const int32_t type_max = out == DType::kInt16 ? 32767 : 127;
  if (p.act_min < type_min || p.act_max > type_max || p.act_min > p.act_max) return false;
  if (p.requant.multiplier == nullptr || p.requant.shift == nullptr) return false;
  if (p.requant.count != 1 && p.requant.count != p.out_c) return false;
  for (int32_t i = 0; i < p.requant.count; ++i) {
    if (p.requant.shift[i] < -31 || p.requant.shift[i] > 30) return false;
  }
  return true;
}

ConvParams conv_from_fully_connected(const FullyConnectedParams& p) {
  ConvParams c;
  c.batch = 1;
  c.in_h = c.out_h = 1;
  c.in_w = c.out_w = p.rows;
  c.in_c = p.k;
  c.out_c = p.n;
  c.input_zero_point = p.input_zero_point;
  c.output_zero_point = p.output_zero_point;
  c.requant = p.requant;
  c.act_min = p.act_min;
  c.act_max = p.act_max;
  c.input_type = p.input_type;
  c.output_type = p.output_type;
  return c;
}

size_t conv_packed_bytes(Isa isa, const ConvParams& p) {
  TileShape tile;
  if (!tile_for(isa, p, &tile)) return 0;
  const Layout l = layout_of(tile, p);
  return kHeaderBytes + l.group_bytes * static_cast<size_t>(l.groups);
}

void conv_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias,
               void* dst) {
  TileShape tile;
  if (!tile_for(isa, p, &tile)) return;
  const Layout l = layout_of(tile, p);
  uint8_t* out = static_cast<uint8_t*>(dst);
  std::memset(out, 0, conv_packed_bytes(isa, p));
  PackedHeader h{kMagic, static_cast<int32_t>(isa), l.groups, l.n, l.k, l.k_padded,
                 tile.mr, tile.nr, tile.kc, 0,
                 static_cast<int64_t>(l.block_bytes), static_cast<int64_t>(l.group_bytes),
                 l.input_bytes};
  const int32_t nr = tile.nr, kc = tile.kc;
  for (int32_t g = 0; g < l.groups; ++g) {
    for (int32_t n0 = 0; n0 < l.n; n0 += nr) {
      uint8_t* block = out + kHeaderBytes + static_cast<size_t>(g) * l.group_bytes +
                       static_cast<size_t>(n0 / nr) * l.block_bytes;
      int32_t* params = reinterpret_cast<int32_t*>(block);
      int8_t* packed_w = reinterpret_cast<int8_t*>(params + kNumPackedArrays * nr);
      int16_t* packed_w16 = reinterpret_cast<int16_t*>(params + kNumPackedArrays * nr);
      for (int32_t j = 0; j < nr && n0 + j < l.n; ++j) {
        const int32_t c = g * l.n + n0 + j;
        const int8_t* w = weights + static_cast<int64_t>(c) * l.k;
        int64_t sum = 0;
        for (int32_t k = 0; k < l.k; ++k) {
          sum += w[k];
          if (l.input_bytes == 2) {  // qs16: int16 [k][nr]
            packed_w16[static_cast<int64_t>(k) * nr + j] = w[k];
            continue;
          }
          if (w[k] == -128) h.weights_have_min = 1;
          packed_w[(static_cast<int64_t>(k / kc) * nr + j) * kc + k % kc] = w[k];
        }
        // eq. 2: sum (q - Z_in) w = sum q w - Z_in sum w. Wrapped to int32
        // through uint32 (defined); exact whenever the accumulator fits.
        const int64_t folded = (bias != nullptr ? bias[c] : 0) - int64_t{p.input_zero_point} * sum;
        params[kArrayBias * nr + j] = static_cast<int32_t>(static_cast<uint32_t>(folded));
        if (p.output_type == DType::kInt32) continue;  // raw accumulator: no eq. 6
        const int shift = p.requant.s(c);
        params[kArrayMultiplier * nr + j] = p.requant.m(c);
        params[kArrayLeftShift * nr + j] = shift > 0 ? shift : 0;
        params[kArrayNegRight * nr + j] = shift > 0 ? 0 : shift;
      }
    }
  }
  std::memcpy(out, &h, sizeof(h));
}

Isa packed_isa(const void* packed) { return static_cast<Isa>(header_of(packed).isa); }

size_t conv_scratch_bytes(const void* packed) {
  const PackedHeader& h = header_of(packed);
  // mr im2col rows plus one row of Z_in for 1x1 taps that fall in padding
  // (elements of input_bytes), and alignment slack.
  return static_cast<size_t>(h.mr + 1) * static_cast<size_t>(round_up(h.k, kRowAlign)) *
             static_cast<size_t>(h.input_bytes) + kRowAlign;
}

void conv_run(const void* packed, const ConvParams& p, const int8_t* input, void* output,
              void* scratch, int64_t row_begin, int64_t row_end) {
  const PackedHeader& h = header_of(packed);
  if (h.magic != kMagic) return;
  const Microkernel kernel = microkernel(static_cast<Isa>(h.isa), h.input_bytes);
  if (kernel == nullptr) return;
  // Element size of the input (int16 input: zero point 0, so the padding
  // bytes below are zeros too).
  const size_t es = static_cast<size_t>(h.input_bytes);
  const uint8_t* groups_base = static_cast<const uint8_t*>(packed) + kHeaderBytes;
  const int32_t in_per_group = p.in_c / p.groups;
  const int64_t out_hw = int64_t{p.out_h} * p.out_w;
  const bool one_by_one = p.kernel_h == 1 && p.kernel_w == 1;
  const size_t row_stride = static_cast<size_t>(round_up(h.k, kRowAlign)) * es;  // bytes
  // Scratch has any alignment (kRowAlign bytes of slack).
  uintptr_t base = reinterpret_cast<uintptr_t>(scratch);
  base = (base + kRowAlign - 1) & ~static_cast<uintptr_t>(kRowAlign - 1);
  int8_t* rows_buf = reinterpret_cast<int8_t*>(base);
  const int8_t pad = static_cast<int8_t>(p.input_zero_point);  // contributes 0 (eq. 2)
  int8_t* pad_row = rows_buf + static_cast<size_t>(h.mr) * row_stride;
  if (one_by_one) std::memset(pad_row, pad, static_cast<size_t>(h.k) * es);

  constexpr int kMaxMR = 8;
  const int8_t* rows[kMaxMR];
  GemmStrip s;
  s.n = h.n;
  s.k = h.k;
  s.a = rows;
  s.block_bytes = static_cast<size_t>(h.block_bytes);
  s.c_stride = static_cast<size_t>(p.out_c);
  s.out_type = p.output_type;
  const size_t out_bytes = dtype_size(p.output_type);
  s.zero_point = p.output_zero_point;
  s.lo = p.act_min;
  s.hi = p.act_max;
  s.weights_have_min = h.weights_have_min != 0;
  for (int64_t m0 = row_begin; m0 < row_end; m0 += h.mr) {
    const int64_t left = row_end - m0;
    s.m = left < h.mr ? static_cast<int32_t>(left) : h.mr;
    for (int32_t g = 0; g < p.groups; ++g) {
      for (int32_t r = 0; r < s.m; ++r) {
        const int64_t m = m0 + r;
        const int64_t b = m / out_hw;
        const int64_t rem = m - b * out_hw;
        const int32_t oy = static_cast<int32_t>(rem / p.out_w);
        const int32_t ox = static_cast<int32_t>(rem - int64_t{oy} * p.out_w);
        const int8_t* image =
            input + (b * p.in_h * p.in_w * p.in_c + g * in_per_group) * static_cast<int64_t>(es);
        if (one_by_one) {
          // The tap is a contiguous row of the input: no copy.
          const int32_t iy = oy * p.stride_h - p.pad_top;
          const int32_t ix = ox * p.stride_w - p.pad_left;
          const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
          rows[r] = inside ? image + (int64_t{iy} * p.in_w + ix) * p.in_c * static_cast<int64_t>(es)
                           : pad_row;
          continue;
        }
        int8_t* dst = rows_buf + static_cast<size_t>(r) * row_stride;
        int32_t k = 0;
        const size_t tap_bytes = static_cast<size_t>(in_per_group) * es;
        for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
          const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
          for (int32_t kx = 0; kx < p.kernel_w; ++kx, k += in_per_group) {
            const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
            int8_t* to = dst + static_cast<size_t>(k) * es;
            if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) {
              std::memset(to, pad, tap_bytes);
            } else {
              std::memcpy(to, image + (int64_t{iy} * p.in_w + ix) * p.in_c * static_cast<int64_t>(es),
                          tap_bytes);
            }
          }
        }
        rows[r] = dst;
      }
      for (int32_t r = s.m; r < h.mr; ++r) rows[r] = rows[0];  // computed, not stored
      s.packed = groups_base + static_cast<size_t>(g) * static_cast<size_t>(h.group_bytes);
      s.c = static_cast<uint8_t*>(output) +
            (m0 * p.out_c + static_cast<int64_t>(g) * h.n) * static_cast<int64_t>(out_bytes);
      kernel(s);
    }
  }
}

}  // namespace arm
}  // namespace dyad
