// ISA-independent side of the optimized Conv2D / FullyConnected kernels:
// parameter checks, weight packing (once, at prepare time) and dispatch to
// the per-ISA GEMM files. Compiled with the baseline flags.
#include "kernels/conv_kernels.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "kernels/x86/x86_gemm.h"

#if defined(DYAD_BUILT_NEON)
#include "kernels/arm/arm_dwconv.h"
#include "kernels/arm/arm_gemm.h"
#endif

namespace dyad {

AlignedBuffer::AlignedBuffer(size_t bytes) {
  const size_t rounded = (bytes + 63) / 64 * 64;
  data_ = static_cast<uint8_t*>(std::aligned_alloc(64, rounded == 0 ? 64 : rounded));
  size_ = data_ != nullptr ? bytes : 0;
}
AlignedBuffer::~AlignedBuffer() { std::free(data_); }
AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}
AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

namespace x86 {

bool tile_shape(Isa isa, TileShape* out) {
  (void)out;  // unused when no x86 variant is built
  switch (isa) {
#if defined(DYAD_BUILT_AVX2)
    case Isa::kAvx2: *out = TileShape{4, 16, 2, 2, false}; return true;
#endif
#if defined(DYAD_BUILT_AVXVNNI)
    case Isa::kAvxVnni: *out = TileShape{6, 16, 4, 1, true}; return true;
#endif
#if defined(DYAD_BUILT_AVX512VNNI)
    case Isa::kAvx512Vnni: *out = TileShape{8, 32, 4, 1, true}; return true;
#endif
    default: return false;
  }
}

}  // namespace x86

namespace {

// The ARM GEMM (kernels/arm/arm_gemm.h) has its own packing and driver;
// these entry points forward to it for the ARM paths.
bool is_arm(Isa isa) { return isa == Isa::kNeon || isa == Isa::kNeonDot || isa == Isa::kI8mm; }

#if defined(DYAD_BUILT_NEON)
PackedGemm arm_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias) {
  PackedGemm pg;
  pg.isa = isa;
  pg.arm_layout = true;
  if (arm::dwconv_can_use(isa, p)) {  // depthwise: kernels/arm/arm_dwconv.h
    pg.depthwise = true;
    pg.buffer = AlignedBuffer(arm::dwconv_packed_bytes(p));
    if (pg.valid()) arm::dwconv_pack(isa, p, weights, bias, pg.buffer.data());
    return pg;
  }
  pg.buffer = AlignedBuffer(arm::conv_packed_bytes(isa, p));
  if (pg.valid()) arm::conv_pack(isa, p, weights, bias, pg.buffer.data());
  return pg;
}
#endif

// FullyConnected is a 1x1 conv over a 1 x rows image.
ConvParams fc_as_conv(const FullyConnectedParams& f) {
  ConvParams p;
  p.in_h = p.out_h = 1;
  p.in_w = p.out_w = f.rows;
  p.in_c = f.k;
  p.out_c = f.n;
  p.input_zero_point = f.input_zero_point;
  p.output_zero_point = f.output_zero_point;
  p.requant = f.requant;
  p.act_min = f.act_min;
  p.act_max = f.act_max;
  p.input_type = f.input_type;
  p.output_type = f.output_type;
  return p;
}

// The conv view of an FC for `isa`'s kernels (the ARM driver has its own).
ConvParams fc_conv(Isa isa, const FullyConnectedParams& f) {
#if defined(DYAD_BUILT_NEON)
  if (is_arm(isa)) return arm::conv_from_fully_connected(f);
#else
  (void)isa;
#endif
  return fc_as_conv(f);
}

bool requant_ok(const ChannelRequant& rq, int32_t channels) {
  if (rq.multiplier == nullptr || rq.shift == nullptr) return false;
  if (rq.count != 1 && rq.count != channels) return false;
  for (int32_t c = 0; c < rq.count; ++c) {
    // INT32_MIN is the one multiplier whose SRDHM can saturate; the SIMD
    // epilogue relies on it never occurring.
    if (rq.multiplier[c] == std::numeric_limits<int32_t>::min()) return false;
    if (rq.shift[c] < -31 || rq.shift[c] > 30) return false;
  }
  return true;
}

bool in_int8(int32_t v) { return v >= -128 && v <= 127; }
bool in_int16(int32_t v) { return v >= -32768 && v <= 32767; }

int32_t round_up(int32_t v, int32_t to) { return (v + to - 1) / to * to; }

// Channel c's eq. 6 constants into the PackedParam arrays (all but the bias)
// at prm[array * stride]. Returns true if the channel shifts left.
bool write_requant(const ChannelRequant& rq, int32_t c, int32_t* prm, int64_t stride) {
  const int shift = rq.s(c);
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  prm[kPackedMultiplier * stride] = rq.m(c);
  prm[kPackedLeftShift * stride] = left;
  prm[kPackedLeftLo * stride] = std::numeric_limits<int32_t>::min() >> left;
  prm[kPackedLeftHi * stride] = std::numeric_limits<int32_t>::max() >> left;
  prm[kPackedLeftLowBits * stride] = static_cast<int32_t>((uint32_t{1} << left) - 1);
  prm[kPackedRightShift * stride] = right;
  prm[kPackedRightHalf * stride] = static_cast<int32_t>((uint32_t{1} << right) >> 1);
  return left > 0;
}

// One input and one output channel per group: the depthwise kernels.
bool is_depthwise(const ConvParams& p) {
  return p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c;
}

// The VNNI depthwise kernels (x86/dwconv_c4_ymm.h): 4 taps per vpdpbusd lane.
bool dw_c4(Isa isa) { return isa == Isa::kAvxVnni || isa == Isa::kAvx512Vnni; }

// The x86 path whose kernels run this conv when `isa` is requested. The
// vpdpbusd kernels (AVX-VNNI, AVX-512 VNNI) read int8 activations, and their
// depthwise kernels store int8 only, so an int16 input (W8A16), and a
// depthwise conv with an int16 output, run the AVX2 kernels (vpmaddwd takes
// int16 pairs), which every CPU with those paths also runs; the packed
// object's isa then says kAvx2.
Isa x86_kernel_isa(Isa isa, const ConvParams& p) {
  if (p.input_type == DType::kInt16) return Isa::kAvx2;
  if (is_depthwise(p) && p.output_type != DType::kInt8) return Isa::kAvx2;
  return isa;
}

// Channel held by packed slot s of the 4-taps-per-lane layout (n channels):
// in each block of 32, accumulator i = (s % 32) / 8, lane j = s % 8 holds
// channel at + 16 * (j / 4) + 4 * i + j % 4 (the order the kernel's in-lane
// unpacks give), where the block starts at channel at = s / 32 * 32, except
// the last one, which ends at n when n >= 32 (it overlaps the one before, so
// the kernel never reads past a pixel). n or more: no channel.
int32_t dw_c4_slot_channel(int32_t s, int32_t n) {
  const int32_t i = (s % 32) / 8, j = s % 8;
  int32_t at = s / 32 * 32;
  if (n >= 32 && at + 32 > n) at = n - 32;
  return at + 16 * (j / 4) + 4 * i + j % 4;
}

// The AVX-512 layout (qs8_dwconv_64c4__avx512vnni.cc): blocks of 64
// channels from channel 0, each holding its eq. 6 constants and weights; a
// last block of n % 64 <= 32 channels is a 32-slot block (256-bit vectors),
// otherwise the last block is a 64-slot one (masked). In a block of B slots
// (B / 4 int32 lanes per vector), accumulator i = j / (B / 4), lane
// l = j % (B / 4) of slot j holds channel 16 * (l / 4) + 4 * i + l % 4 of it.
int32_t dw_c64_block_slots(int32_t block, int32_t n) {
  const int32_t left = n - block * 64;
  return left <= 32 ? 32 : 64;
}
int32_t dw_c64_slot_channel(int32_t s, int32_t n) {
  const int32_t b = s / 64, j = s % 64;
  const int32_t lanes = dw_c64_block_slots(b, n) / 4;
  const int32_t i = j / lanes, l = j % lanes;
  return b * 64 + 16 * (l / 4) + 4 * i + l % 4;
}

PackedGemm pack_depthwise_c4(Isa isa, const ConvParams& p, const int8_t* weights,
                             const int32_t* bias) {
  PackedGemm pg;
  pg.isa = isa;
  pg.depthwise = true;
  pg.dw_taps_per_lane = 4;
  pg.groups = p.groups;
  pg.n = p.out_c;
  const bool zmm = isa == Isa::kAvx512Vnni;  // 64-channel blocks, 64-byte vectors
  pg.n_padded = round_up(p.out_c, zmm ? x86::kDepthwiseC64ChannelTile
                                      : x86::kDepthwiseC4ChannelTile);
  // A last zmm block of at most 32 channels is a 32-slot one.
  if (zmm && p.out_c % 64 != 0 && p.out_c % 64 <= 32) pg.n_padded -= 32;
  pg.k = p.kernel_h * p.kernel_w;
  // Column-major tap groups: group kx * col_groups + ky / 4, byte ky % 4.
  const int32_t col_groups = (p.kernel_h + 3) / 4;
  pg.k_padded = p.kernel_w * col_groups * 4;
  pg.nr = pg.n_padded;
  pg.kc = 4;
  // Scratch: interleaved columns of one run of outputs (32-byte vectors,
  // 64-byte on AVX-512), the row pointers, a row of Z_in.
  const int32_t run = p.out_w < x86::kDwC4MaxRun ? p.out_w : x86::kDwC4MaxRun;
  const int64_t columns = int64_t{run - 1} * p.stride_w + int64_t{p.kernel_w - 1} * p.dilation_w + 1;
  pg.scratch = size_t(columns) * col_groups * 4 * (zmm ? 64 : 32) + col_groups * 4 * sizeof(void*) +
               size_t(pg.n_padded) + 64;
  pg.mr = 1;
  pg.weight_bytes = 1;
  const int32_t tap_groups = pg.k_padded / 4;
  // ymm: one block of n_padded slots. zmm: one block per 64 channels, so a
  // block's constants and weights sit at fixed offsets from one pointer.
  const int32_t slots = zmm ? x86::kDepthwiseC64ChannelTile : pg.n_padded;
  pg.block_bytes =
      (size_t{kPackedParamArrays} + size_t(tap_groups)) * size_t(slots) * sizeof(int32_t);
  pg.group_bytes = pg.block_bytes * size_t((pg.n_padded + slots - 1) / slots);
  pg.buffer = AlignedBuffer(pg.group_bytes);
  if (!pg.valid()) return pg;
  std::memset(pg.buffer.data(), 0, pg.group_bytes);
  // Weights and constants in the accumulators' slot order.
  for (int32_t s = 0; s < pg.n_padded; ++s) {
    // This slot's block and its size (zmm: a last block may have 32 slots).
    const int32_t bs = zmm ? dw_c64_block_slots(s / slots, pg.n) : slots;
    int32_t* prm = reinterpret_cast<int32_t*>(pg.buffer.data() + (s / slots) * pg.block_bytes);
    int8_t* w = reinterpret_cast<int8_t*>(prm + int64_t{kPackedParamArrays} * bs);
    const int32_t j = s % slots;
    const int32_t c = zmm ? dw_c64_slot_channel(s, pg.n) : dw_c4_slot_channel(s, pg.n);
    if (c >= pg.n) continue;  // zero weights and bias: computed, never stored
    if (write_requant(p.requant, c, prm + j, bs)) pg.any_left_shift = true;
    int32_t sum = 0;
    for (int32_t t = 0; t < pg.k; ++t) {  // OHWI: t = ky * kernel_w + kx
      const int8_t v = weights[int64_t{c} * pg.k + t];
      const int32_t ky = t / p.kernel_w, kx = t % p.kernel_w;
      sum += v;
      w[((int64_t{kx} * col_groups + ky / 4) * bs + j) * 4 + ky % 4] = v;
    }
    // Eq. 2 with u = q + 128: sum (q - Z) w = sum u w - (128 + Z) sum w.
    // Wrapping int32 arithmetic, like the kernel's accumulator (the bias
    // starts the accumulators: accumulator order).
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
    prm[kPackedBias * bs + j] = static_cast<int32_t>(
        b - static_cast<uint32_t>(128 + p.input_zero_point) * static_cast<uint32_t>(sum));
  }
  return pg;
}

// Channel held by slot s of the AVX2 tap-pair layout (n channels): in each
// block of 16, the in-lane vpunpck{l,h}wd put channels 0-3, 8-11 in the first
// 8 lanes and 4-7, 12-15 in the next 8 (qs8_dwconv_16c2__avx2.cc). A block
// starts at channel s / 16 * 16, except the last one, which ends at n when
// n >= 16: it overlaps the one before, so the kernel loads whole 16-byte
// vectors and never reads past a pixel (dwconv_pair_block_channel). When
// n % 16 <= 8 it is a half block instead: channels n - 8 .. n - 1 in channel
// order in its first 8 slots (dwconv_pair_half_block); 8 <= n < 16 is two
// such halves (dwconv_pair_two_halves). n or more: no channel.
int32_t dw_pair_slot_channel(int32_t s, int32_t n) {
  static constexpr int32_t kOrder[16] = {0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15};
  const int32_t block = s / 16 * 16;
  if (x86::dwconv_pair_half_block(block, n)) return s % 16 < 8 ? n - 8 + s % 16 : n;
  if (x86::dwconv_pair_two_halves(n)) return s % 16 < 8 ? s % 16 : n - 16 + s % 16;
  return x86::dwconv_pair_block_channel(block, n) + kOrder[s % 16];
}

// The AVX2 depthwise row kernel (x86/avx2/qs8_dwconv_row16__avx2.cc) takes
// int8 in and out, stride_w 1 (any stride_h and dilation), and only channel
// counts where it measured faster than the pixel kernel (docs/kernels.md).
// Measured (benchmarks/README.md): 1.3-2x faster at 8, 24 and 36 channels,
// even at 32 and 40, mixed at 48 and 56, slower from 64 up (the pixel
// kernel's whole 16-channel blocks have no waste there and share weights
// between two pixels). Rows whose interior run is under 16 outputs use the
// pixel kernel anyway; skip the tiles when no row has one.
constexpr int32_t kDwRowMaxChannels = 40;
int32_t dw_row_period(Isa isa, const ConvParams& p) {
  if (isa != Isa::kAvx2 || p.input_type != DType::kInt8 || p.output_type != DType::kInt8) return 0;
  if (p.stride_w != 1 || p.in_c > kDwRowMaxChannels) return 0;
  const int64_t interior = int64_t{p.in_w} - int64_t{p.kernel_w - 1} * p.dilation_w;
  if (interior * p.in_c < 16) return 0;
  int32_t period = 16;
  while (period % p.in_c != 0) period += 16;  // lcm(16, C)
  return period;
}

// The row kernel's tiles, after the pixel layout: the PackedParam arrays
// and the weight pairs of output j of a run at entry j (channel j % C),
// `period + kDwRowTail` entries each, from the channel-order params at prm.
void pack_row_tiles(const PackedGemm& pg, const int8_t* weights, const int32_t* prm,
                    int32_t* row) {
  const int64_t stride = int64_t{pg.dw_row_period} + x86::kDwRowTail;
  const int32_t pairs = (pg.k + 1) / 2;
  int32_t* w = row + int64_t{kPackedParamArrays} * stride;
  for (int64_t e = 0; e < stride; ++e) {
    const int32_t c = static_cast<int32_t>(e % pg.n);
    for (int a = 0; a < kPackedParamArrays; ++a) row[a * stride + e] = prm[a * pg.n_padded + c];
    for (int32_t t = 0; t < pairs; ++t) {
      const int8_t w0 = weights[int64_t{c} * pg.k + 2 * t];
      const int8_t w1 = 2 * t + 1 < pg.k ? weights[int64_t{c} * pg.k + 2 * t + 1] : int8_t{0};
      w[t * stride + e] = static_cast<int32_t>(uint32_t{static_cast<uint16_t>(int16_t{w0})} |
                                               (uint32_t{static_cast<uint16_t>(int16_t{w1})} << 16));
    }
  }
}

PackedGemm pack_depthwise(Isa isa, const ConvParams& p, const int8_t* weights,
                          const int32_t* bias) {
  if (dw_c4(isa)) return pack_depthwise_c4(isa, p, weights, bias);
  PackedGemm pg;
  pg.isa = isa;
  pg.depthwise = true;
  pg.groups = p.groups;
  pg.n = p.out_c;
  pg.n_padded = round_up(p.out_c, x86::kDepthwiseChannelTile);
  pg.k = p.kernel_h * p.kernel_w;
  const int32_t pairs = (pg.k + 1) / 2;
  pg.k_padded = 2 * pairs;
  pg.nr = pg.n_padded;
  pg.kc = 2;
  pg.mr = 1;
  pg.weight_bytes = 4;
  pg.block_bytes = pg.group_bytes =
      (size_t{kPackedParamArrays} + size_t(pairs)) * pg.n_padded * sizeof(int32_t);
  pg.dw_row_period = dw_row_period(isa, p);
  size_t bytes = pg.block_bytes;
  if (pg.dw_row_period > 0) {
    pg.dw_row_offset = (bytes + 63) / 64 * 64;
    bytes = pg.dw_row_offset + (size_t{kPackedParamArrays} + size_t(pairs)) *
                                   (size_t(pg.dw_row_period) + x86::kDwRowTail) * sizeof(int32_t);
    // Tap pointers (pairs * 2), a row of Z_in as long as an input row, alignment.
    pg.scratch = 64 + sizeof(void*) * 2 * size_t(pairs) + size_t(p.in_w) * size_t(p.in_c);
  }
  pg.buffer = AlignedBuffer(bytes);
  if (!pg.valid()) return pg;
  std::memset(pg.buffer.data(), 0, bytes);
  int32_t* prm = reinterpret_cast<int32_t*>(pg.buffer.data());
  int32_t* w = prm + int64_t{kPackedParamArrays} * pg.n_padded;
  // Bias and eq. 6 constants in channel order (the kernel restores it first).
  for (int32_t c = 0; c < pg.n; ++c) {
    int32_t sum = 0;
    for (int32_t t = 0; t < pg.k; ++t) sum += weights[int64_t{c} * pg.k + t];
    // Eq. 2: the kernels add q * w; -Z_in * sum(w) completes (q - Z_in) * w.
    // Wrapping int32 arithmetic, like the kernel's accumulator.
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
    prm[kPackedBias * pg.n_padded + c] = static_cast<int32_t>(
        b - static_cast<uint32_t>(p.input_zero_point) * static_cast<uint32_t>(sum));
    if (write_requant(p.requant, c, prm + c, pg.n_padded)) pg.any_left_shift = true;
  }
  // Weight pairs (w_2t low, w_2t+1 high int16 of a lane) in slot order.
  for (int32_t s = 0; s < pg.n_padded; ++s) {
    const int32_t c = dw_pair_slot_channel(s, pg.n);
    if (c >= pg.n) continue;  // zero weights: the tail lanes add 0 (n < 16, half blocks)
    for (int32_t t = 0; t < pairs; ++t) {
      const int8_t w0 = weights[int64_t{c} * pg.k + 2 * t];
      const int8_t w1 = 2 * t + 1 < pg.k ? weights[int64_t{c} * pg.k + 2 * t + 1] : int8_t{0};
      w[int64_t{t} * pg.n_padded + s] = static_cast<int32_t>(
          uint32_t{static_cast<uint16_t>(int16_t{w0})} |
          (uint32_t{static_cast<uint16_t>(int16_t{w1})} << 16));
    }
  }
  if (pg.dw_row_period > 0) {
    pack_row_tiles(pg, weights, prm, reinterpret_cast<int32_t*>(pg.buffer.data() + pg.dw_row_offset));
  }
  return pg;
}

PackedGemm pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias) {
  PackedGemm pg;
  x86::TileShape t;
  if (!x86::tile_shape(isa, &t)) return pg;
  pg.isa = isa;
  pg.groups = p.groups;
  pg.n = p.out_c / p.groups;
  pg.n_padded = round_up(pg.n, t.nr);
  pg.k = p.kernel_h * p.kernel_w * (p.in_c / p.groups);
  pg.k_padded = round_up(pg.k, t.kc);
  pg.nr = t.nr;
  pg.kc = t.kc;
  pg.mr = t.mr;
  pg.weight_bytes = t.weight_bytes;
  const size_t param_bytes = size_t{kPackedParamArrays} * t.nr * sizeof(int32_t);
  pg.block_bytes = param_bytes + size_t(pg.k_padded) * t.nr * t.weight_bytes;
  pg.group_bytes = pg.block_bytes * (pg.n_padded / t.nr);
  pg.buffer = AlignedBuffer(pg.group_bytes * p.groups);
  if (!pg.valid()) return pg;
  std::memset(pg.buffer.data(), 0, pg.group_bytes * p.groups);

  for (int32_t g = 0; g < p.groups; ++g) {
    for (int32_t n0 = 0; n0 < pg.n; n0 += t.nr) {
      uint8_t* block = pg.buffer.data() + g * pg.group_bytes + (n0 / t.nr) * pg.block_bytes;
      int32_t* prm = reinterpret_cast<int32_t*>(block);
      uint8_t* w = block + param_bytes;
      for (int32_t j = 0; j < t.nr && n0 + j < pg.n; ++j) {
        const int32_t oc = g * pg.n + n0 + j;
        const int8_t* row = weights + int64_t{oc} * pg.k;
        int64_t sum = 0;
        for (int32_t k = 0; k < pg.k; ++k) {
          const int64_t at = (int64_t{k / t.kc} * t.nr + j) * t.kc + k % t.kc;
          if (t.weight_bytes == 2) {
            const int16_t v = row[k];
            std::memcpy(w + at * 2, &v, sizeof(v));
          } else {
            w[at] = static_cast<uint8_t>(row[k]);
          }
          sum += row[k];
        }
        // Eq. 2 with q = u - 128: sum (q - Z) w = sum u w - (128 + Z) sum w.
        // Wrapping int32 arithmetic, like the kernel's accumulator.
        uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[oc]) : 0u;
        if (t.fold_u8_offset) {
          b -= static_cast<uint32_t>(128 + p.input_zero_point) * static_cast<uint32_t>(sum);
        }
        prm[kPackedBias * t.nr + j] = static_cast<int32_t>(b);
        // int32 output stores the raw accumulator: no eq. 6 constants.
        if (p.output_type != DType::kInt32 && write_requant(p.requant, oc, prm + j, t.nr)) {
          pg.any_left_shift = true;
        }
      }
    }
  }
  return pg;
}

size_t scratch_bytes(const PackedGemm& pg) {
#if defined(DYAD_BUILT_NEON)
  if (pg.arm_layout && pg.depthwise) return arm::dwconv_scratch_bytes(pg.buffer.data());
  if (pg.arm_layout) return arm::conv_scratch_bytes(pg.buffer.data());
#endif
  // Depthwise: the tap steps and two tap lists (x86/dwconv_driver.h), one
  // row of Z_in (int8 or int16 elements), alignment slack.
  if (pg.depthwise && pg.dw_taps_per_lane == 4) return pg.scratch;
  // The row kernel's part (pg.scratch) follows.
  if (pg.depthwise) {
    return x86::dwconv_pixel_scratch_bytes(pg.k, pg.n_padded) +
           (pg.dw_row_period > 0 ? pg.scratch : 0);
  }
  return size_t(pg.mr) * pg.k_padded * pg.weight_bytes + 64;  // + alignment slack
}

void run(const PackedGemm& pg, const ConvParams& p, const void* input, int8_t* output,
         void* scratch, int64_t row_begin, int64_t row_end) {
  if (row_begin >= row_end) return;
#if defined(DYAD_BUILT_NEON)
  if (pg.arm_layout && pg.depthwise) {  // int8 input only (conv2d_can_use)
    arm::dwconv_run(pg.buffer.data(), p, static_cast<const int8_t*>(input), output, scratch,
                    row_begin, row_end);
    return;
  }
  if (pg.arm_layout) {
    arm::conv_run(pg.buffer.data(), p, static_cast<const int8_t*>(input), output, scratch,
                  row_begin, row_end);
    return;
  }
#endif
  const x86::GemmJob job{&pg, &p, input, output, scratch, row_begin, row_end};
  (void)job;  // unused when no x86 variant is built
  if (pg.depthwise) {
    switch (pg.isa) {
#if defined(DYAD_BUILT_AVX2)
      case Isa::kAvx2:
        if (pg.dw_row_period > 0) {
          x86::qs8_dwconv_row16__avx2(job);
        } else {
          x86::qs8_dwconv_16c2__avx2(job);
        }
        return;
#endif
#if defined(DYAD_BUILT_AVXVNNI)
      case Isa::kAvxVnni: x86::qs8_dwconv_32c4__avxvnni(job); return;
#endif
#if defined(DYAD_BUILT_AVX512VNNI)
      case Isa::kAvx512Vnni: x86::qs8_dwconv_64c4__avx512vnni(job); return;
#endif
      default: return;
    }
  }
  switch (pg.isa) {
#if defined(DYAD_BUILT_AVX2)
    case Isa::kAvx2: x86::qs8_gemm_4x16c2__avx2(job); return;
#endif
#if defined(DYAD_BUILT_AVXVNNI)
    case Isa::kAvxVnni: x86::qs8_gemm_6x16c4__avxvnni(job); return;
#endif
#if defined(DYAD_BUILT_AVX512VNNI)
    case Isa::kAvx512Vnni: x86::qs8_gemm_8x32c4__avx512vnni(job); return;
#endif
    default: return;
  }
}

}  // namespace

bool conv2d_can_use(Isa isa, const ConvParams& p) {
  // int8 input (any zero point) or int16 input (W8A16, zero point 0).
  if (p.input_type != DType::kInt8 && p.input_type != DType::kInt16) return false;
  if (p.input_type == DType::kInt16 && p.input_zero_point != 0) return false;
  if (is_arm(isa)) {  // int8 or int16 input: arm::conv_can_use decides
#if defined(DYAD_BUILT_NEON)
    return arm::conv_can_use(isa, p);
#else
    return false;
#endif
  }
  x86::TileShape t;
  if (!x86::tile_shape(isa, &t) || !isa_supported(isa)) return false;
  // int16 input / depthwise int16 output on a VNNI path: the AVX2 kernels.
  const Isa kernel = x86_kernel_isa(isa, p);
  if (!x86::tile_shape(kernel, &t) || !isa_supported(kernel)) return false;
  const DType out = p.output_type;
  if (out != DType::kInt8 && out != DType::kInt16 && out != DType::kInt32) return false;
  if (out == DType::kInt32 && is_depthwise(p)) return false;  // depthwise stores int8 / int16
  if (p.batch < 1 || p.in_h < 1 || p.in_w < 1 || p.in_c < 1 || p.out_h < 1 || p.out_w < 1 ||
      p.out_c < 1 || p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 ||
      p.dilation_h < 1 || p.dilation_w < 1 || p.groups < 1) {
    return false;
  }
  if (p.in_c % p.groups != 0 || p.out_c % p.groups != 0) return false;
  if (!in_int8(p.input_zero_point)) return false;
  // int32 output: the raw accumulator, no requantization or clamp. int8 /
  // int16: Z_out and the clamp bounds inside the output type (the epilogue's
  // clamp then also keeps the narrowing packs exact).
  if (out != DType::kInt32) {
    bool (*const in_type)(int32_t) = out == DType::kInt16 ? in_int16 : in_int8;
    if (!in_type(p.output_zero_point) || !in_type(p.act_min) || !in_type(p.act_max)) return false;
    if (p.act_min > p.act_max) return false;
  }
  // The scratch row holds one tile's patches: keep K (and sizes) sane.
  const int64_t k = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
  if (k > (int64_t{1} << 24)) return false;
  return out == DType::kInt32 || requant_ok(p.requant, p.out_c);
}

PackedConv conv2d_pack(Isa isa, const ConvParams& p, const int8_t* weights, const int32_t* bias) {
  if (!conv2d_can_use(isa, p) || weights == nullptr) return PackedConv();
#if defined(DYAD_BUILT_NEON)
  if (is_arm(isa)) return arm_pack(isa, p, weights, bias);
#endif
  const Isa kernel = x86_kernel_isa(isa, p);
  if (is_depthwise(p)) return pack_depthwise(kernel, p, weights, bias);
  return pack(kernel, p, weights, bias);
}

int64_t conv2d_rows(const ConvParams& p) { return int64_t{p.batch} * p.out_h * p.out_w; }

size_t conv2d_scratch_bytes(const PackedConv& packed) { return scratch_bytes(packed); }

const char* conv2d_kernel_tag(const PackedConv& packed) {
  return packed.depthwise && packed.dw_row_period > 0 ? "_row16" : "";
}

void conv2d_run(const PackedConv& packed, const ConvParams& p, const void* input,
                void* output, void* scratch, int64_t row_begin, int64_t row_end) {
  run(packed, p, input, static_cast<int8_t*>(output), scratch, row_begin, row_end);
}

bool fully_connected_can_use(Isa isa, const FullyConnectedParams& p) {
  if (p.rows < 1 || p.k < 1 || p.n < 1) return false;
  return conv2d_can_use(isa, fc_conv(isa, p));
}

PackedFullyConnected fully_connected_pack(Isa isa, const FullyConnectedParams& p,
                                          const int8_t* weights, const int32_t* bias) {
  if (!fully_connected_can_use(isa, p) || weights == nullptr) return PackedFullyConnected();
  return conv2d_pack(isa, fc_conv(isa, p), weights, bias);
}

size_t fully_connected_scratch_bytes(const PackedFullyConnected& packed) {
  return scratch_bytes(packed);
}

void fully_connected_run(const PackedFullyConnected& packed, const FullyConnectedParams& p,
                         const void* input, void* output, void* scratch, int64_t row_begin,
                         int64_t row_end) {
  const ConvParams c = fc_conv(packed.isa, p);
  run(packed, c, input, static_cast<int8_t*>(output), scratch, row_begin, row_end);
}

}  // namespace dyad
