// Driver of the optimized Add / Sub / Mul (see elementwise_kernels.h):
// broadcast plan, per-tensor constants, the outer odometer and the scalar
// rescale of a repeated operand. Baseline flags: no ISA-specific code here.
#include "kernels/elementwise_kernels.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/common/fixed_point.h"

namespace dyad {
namespace {

// Which optimized family serves `isa`: AVX2 for every x86 path, NEON for every
// ARM path; kReference if none is built and supported.
Isa kernel_isa(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
    case Isa::kAvxVnni:
    case Isa::kAvx512Vnni:
#if defined(DYAD_BUILT_AVX2)
      if (isa_built(isa) && isa_supported(isa) && isa_supported(Isa::kAvx2)) return Isa::kAvx2;
#endif
      return Isa::kReference;
    case Isa::kNeon:
    case Isa::kNeonDot:
    case Isa::kI8mm:
#if defined(DYAD_BUILT_NEON)
      if (isa_built(isa) && isa_supported(isa) && isa_supported(Isa::kNeon)) return Isa::kNeon;
#endif
      return Isa::kReference;
    default:
      return Isa::kReference;
  }
}

// The SIMD paths compute SRDHM without its saturating case, which needs
// M0 = INT32_MIN (the verifier allows only M0 = 0 or [2^30, 2^31)).
bool multiplier_ok(int32_t m0, int32_t shift) {
  return m0 >= 0 && shift >= -31 && shift <= 30;
}

bool shapes_ok(const BinaryShapes& s) {
  const int rank = s.out.rank;
  if (rank < 0 || rank > kMaxRank || s.a.rank != rank || s.b.rank != rank) return false;
  for (int d = 0; d < rank; ++d) {
    const int32_t o = s.out.dims[d];
    if (o < 0) return false;
    if (s.a.dims[d] != o && s.a.dims[d] != 1) return false;
    if (s.b.dims[d] != o && s.b.dims[d] != 1) return false;
    if (o != 1 && s.a.dims[d] != o && s.b.dims[d] != o) return false;  // not a broadcast
  }
  return true;
}

BinaryRequant make_requant(int32_t multiplier, int32_t shift) {
  BinaryRequant r;
  r.multiplier = multiplier;
  r.shift = shift;
  r.left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  r.neg_right = -right;
  int32_t values[kPackedParamArrays] = {};
  values[kPackedMultiplier] = multiplier;
  values[kPackedLeftShift] = r.left;
  values[kPackedLeftLo] = std::numeric_limits<int32_t>::min() >> r.left;
  values[kPackedLeftHi] = std::numeric_limits<int32_t>::max() >> r.left;
  values[kPackedLeftLowBits] = static_cast<int32_t>((uint32_t{1} << r.left) - 1);
  values[kPackedRightShift] = right;
  values[kPackedRightHalf] = static_cast<int32_t>((uint32_t{1} << right) >> 1);
  for (int k = 0; k < kPackedParamArrays; ++k) {
    for (int lane = 0; lane < 16; ++lane) r.lanes[k][lane] = values[k];
  }
  return r;
}

// The int32 form of eq. 7's SRDHM for an input (BinaryRequant::split). With
// x = q - Z in [x_min, x_max] and k = 31 - L:
//   floor((x * 2^L * M0 + 2^30) / 2^31) = floor((x * M0 + 2^(k-1)) / 2^k)
//   = x * (M0 >> k) + floor((x * (M0 & (2^k - 1)) + 2^(k-1)) / 2^k),
// the floor being an arithmetic shift. 0 <= M0 >> k < 2^L, so
// |x * (M0 >> k)| <= max|x| * (2^L - 1) < 2^30 (|x| * 2^L <= 2^30: the
// verifier's L limits). The low product lies in
// [x_min * (2^k - 1), x_max * (2^k - 1)]; the check below keeps it plus
// 2^(k-1) inside int32. The exact SRDHM result fits int32, so the final sum
// is exact too. SRDHM's saturating case needs M0 < 0.
//   int8:  x in [-255, 255]: holds for k <= 23, i.e. L >= 8
//          (255 * (2^23 - 1) + 2^22 < 2^31; k = 24 fails).
//   int16: x in [-32768, 32767] (Z = 0): holds for k = 16 only, i.e. L = 15,
//          the converter's value: 32767 * 65535 + 2^15 = 2^31 - 2^16 - 2^15
//          + 1 + 2^15 < 2^31 and -32768 * 65535 + 2^15 > -2^31 (the bound is
//          asymmetric: -32768 * 65535 alone is -2^31 + 2^15). k = 17 fails.
void set_split(int left_shift, int64_t x_min, int64_t x_max, BinaryRequant* r) {
  if (r->left != 0 || left_shift < 1 || left_shift > 22) return;
  const int k = 31 - left_shift;
  const int64_t low_max = (int64_t{1} << k) - 1;
  const int64_t round = int64_t{1} << (k - 1);
  if (x_max * low_max + round > std::numeric_limits<int32_t>::max() ||
      x_min * low_max + round < std::numeric_limits<int32_t>::min()) {
    return;
  }
  r->split = true;
  r->split_high = r->multiplier >> k;
  r->split_low = r->multiplier & static_cast<int32_t>((uint32_t{1} << k) - 1);
  r->split_bits = k;
  r->split_round = int32_t{1} << (k - 1);
}

// Eq. 7 for one int8 / int16 value (the driver's rescale of a repeated operand).
int32_t rescale_input(int32_t q, int32_t zero_point, int left_shift, const BinaryRequant& r) {
  return multiply_by_quantized_multiplier(saturating_left_shift(q - zero_point, left_shift),
                                          r.multiplier, r.shift);
}

// Largest |a'| over all inputs q in [q_min, q_max] (the type's range):
// requant is monotone in its input, so the extremes come from q_min and q_max.
int64_t max_abs_rescaled(int32_t q_min, int32_t q_max, int32_t zero_point, int left_shift,
                         const BinaryRequant& r) {
  const int64_t lo = rescale_input(q_min, zero_point, left_shift, r);
  const int64_t hi = rescale_input(q_max, zero_point, left_shift, r);
  const int64_t abs_lo = lo < 0 ? -lo : lo;
  const int64_t abs_hi = hi < 0 ? -hi : hi;
  return abs_lo > abs_hi ? abs_lo : abs_hi;
}

// The 16-bit form of eqs. 7-9 for int8 Add/Sub (BinaryKernelParams::narrow).
// With M0 = m * 2^16 and |t| < 2^15:
//   SRDHM(t, M0) = floor((t * m * 2^16 + 2^30) / 2^31) = floor((t * m + 2^14) / 2^15),
// which is exactly vpmulhrsw (x86) / sqrdmulh.8h (ARM) of t and m: m < 2^15,
// so their one overflowing case (-2^15 * -2^15) cannot occur. RDBP by
// r <= 15 works in int16 as in int32 (mask 2^r - 1 stays positive). The
// conditions make every intermediate of the reference fit int16:
//  - t = (q - Z) * 2^L with |q - Z| <= 255 and L <= 7: |t| <= 32640;
//  - no left shift in the three requantizations, right shifts <= 15;
//  - max|a'| + max|b'| <= 32767: a' + b' and a' - b' fit int16, so eq. 8 never
//    saturates and eq. 9's SRDHM input is a 16-bit t too.
// The converter picks such parameters (L = 7, 15-bit multipliers) when their
// extra rounding error is negligible (docs/converter_quantization.md).
bool set_narrow(const AddParams& p, BinaryKernelParams* k) {
  BinaryRequant* const rs[] = {&k->a, &k->b, &k->out};
  if (p.left_shift < 0 || p.left_shift > 7) return false;
  for (const BinaryRequant* r : rs) {
    if (r->left != 0 || r->neg_right < -15 || (r->multiplier & 0xFFFF) != 0) return false;
  }
  if (max_abs_rescaled(-128, 127, p.a_zero_point, p.left_shift, k->a) +
          max_abs_rescaled(-128, 127, p.b_zero_point, p.left_shift, k->b) >
      32767) {
    return false;
  }
  for (BinaryRequant* r : rs) r->high16 = static_cast<int16_t>(r->multiplier >> 16);
  return true;
}

// The narrow form of int8 Mul (BinaryKernelParams::narrow): with M0 = m * 2^16
// and no left shift, eq. 10's SRDHM of p = (q_a - Z_a)(q_b - Z_b) is
// floor((p * m + 2^14) / 2^15) (as eq. 9b), and |p| <= 255 * 255, m <= 32767 keep
// |p * m| + 2^14 < 2^31: one int32 multiply, no 64-bit products. The
// converter writes 15-bit multipliers for int8 Mul (2^-16 relative error).
bool set_narrow_mul(BinaryKernelParams* k) {
  if (k->out.left != 0 || (k->out.multiplier & 0xFFFF) != 0) return false;
  k->out.high16 = static_cast<int16_t>(k->out.multiplier >> 16);
  return true;
}

// Collapses the broadcast into outer dims + one inner run (header comment).
void plan_broadcast(const BinaryShapes& s, PreparedBinary* r) {
  r->elements = s.out.elements();
  // Collapsed dims, outermost first: extent and whether a / b are full there.
  int64_t extent[kMaxRank];
  bool a_full[kMaxRank], b_full[kMaxRank];
  int rank = 0;
  for (int d = 0; d < s.out.rank; ++d) {
    const int32_t o = s.out.dims[d];
    if (o == 1) continue;
    const bool af = s.a.dims[d] == o;
    const bool bf = s.b.dims[d] == o;
    if (rank > 0 && a_full[rank - 1] == af && b_full[rank - 1] == bf) {
      extent[rank - 1] *= o;
    } else {
      extent[rank] = o;
      a_full[rank] = af;
      b_full[rank] = bf;
      ++rank;
    }
  }
  if (rank == 0 || r->elements == 0) {  // one element, or none at all
    r->outer_rank = 0;
    r->inner = 1;
    r->a_scalar = r->b_scalar = false;
    return;
  }
  r->inner = extent[rank - 1];
  r->a_scalar = !a_full[rank - 1];
  r->b_scalar = !b_full[rank - 1];
  // Element strides: an operand's memory holds only its full dims.
  int64_t a_stride = a_full[rank - 1] ? r->inner : 1;
  int64_t b_stride = b_full[rank - 1] ? r->inner : 1;
  r->outer_rank = rank - 1;
  for (int d = rank - 2; d >= 0; --d) {
    r->outer_dims[d] = extent[d];
    r->a_outer_stride[d] = a_full[d] ? a_stride : 0;
    r->b_outer_stride[d] = b_full[d] ? b_stride : 0;
    if (a_full[d]) a_stride *= extent[d];
    if (b_full[d]) b_stride *= extent[d];
  }
}

// int16: the all-int16 kernels (qs16_*, on x86 and ARM).
BinaryRunFn add_kernel(Isa isa, const char** name, bool subtract, bool int16) {
#if defined(DYAD_BUILT_AVX2)
  if (isa == Isa::kAvx2) {
    // Sub is the Add kernel with a' - b' (the same file).
    if (int16) {
      *name = subtract ? "qs16_vsub_16__avx2" : "qs16_vadd_16__avx2";
      return qs16_vadd_16__avx2;
    }
    *name = subtract ? "qs8_vsub_16__avx2" : "qs8_vadd_16__avx2";
    return qs8_vadd_16__avx2;
  }
#endif
#if defined(DYAD_BUILT_NEON)
  if (isa == Isa::kNeon) {
    // Sub is the Add kernel with a' - b' (the same file).
    if (int16) {
      *name = subtract ? "qs16_vsub_16__neon" : "qs16_vadd_16__neon";
      return qs16_vadd_16__neon;
    }
    *name = subtract ? "qs8_vsub_16__neon" : "qs8_vadd_16__neon";
    return qs8_vadd_16__neon;
  }
#endif
  (void)isa;
  (void)subtract;
  (void)int16;
  *name = "";
  return nullptr;
}

BinaryRunFn mul_kernel(Isa isa, const char** name, bool int16) {
#if defined(DYAD_BUILT_AVX2)
  if (isa == Isa::kAvx2) {
    if (int16) {
      *name = "qs16_vmul_16__avx2";
      return qs16_vmul_16__avx2;
    }
    *name = "qs8_vmul_16__avx2";
    return qs8_vmul_16__avx2;
  }
#endif
#if defined(DYAD_BUILT_NEON)
  if (isa == Isa::kNeon) {
    if (int16) {
      *name = "qs16_vmul_16__neon";
      return qs16_vmul_16__neon;
    }
    *name = "qs8_vmul_16__neon";
    return qs8_vmul_16__neon;
  }
#endif
  (void)isa;
  (void)int16;
  *name = "";
  return nullptr;
}

// Operand types the kernels take: all int8 with zero points inside int8, or
// all int16 with every zero point 0. Anything else (mixed int8 / int16):
// ref::add/sub/mul.
enum class Operands { kNone, kInt8, kInt16 };

template <typename Params>
Operands operand_types(const Params& p) {
  if (p.a_type == DType::kInt8 && p.b_type == DType::kInt8 && p.output_type == DType::kInt8) {
    const bool zero_points_ok = p.a_zero_point >= -128 && p.a_zero_point <= 127 &&
                                p.b_zero_point >= -128 && p.b_zero_point <= 127;
    return zero_points_ok ? Operands::kInt8 : Operands::kNone;
  }
  if (p.a_type == DType::kInt16 && p.b_type == DType::kInt16 && p.output_type == DType::kInt16) {
    const bool zero_points_ok =
        p.a_zero_point == 0 && p.b_zero_point == 0 && p.output_zero_point == 0;
    return zero_points_ok ? Operands::kInt16 : Operands::kNone;
  }
  return Operands::kNone;
}

// Clamp bounds inside the output type (the kernels' saturating packs rely on it).
bool act_ok(Operands t, int32_t lo, int32_t hi) {
  const int32_t type_min = t == Operands::kInt16 ? -32768 : -128;
  const int32_t type_max = t == Operands::kInt16 ? 32767 : 127;
  return lo >= type_min && hi <= type_max && lo <= hi;
}

}  // namespace

bool binary_can_use(Isa isa, BinaryOp op, const AddParams& p) {
  const char* name;
  const Operands t = operand_types(p);
  // (q - Z) * 2^L must fit int32 unsaturated: |q - Z| <= 255 with L <= 22,
  // |q| <= 2^15 with L <= 15.
  const int32_t max_left_shift = t == Operands::kInt16 ? 15 : 22;
  return (op == BinaryOp::kAdd || op == BinaryOp::kSub) && t != Operands::kNone &&
         add_kernel(kernel_isa(isa), &name, op == BinaryOp::kSub, t == Operands::kInt16) !=
             nullptr &&
         shapes_ok(p.shapes) && p.left_shift >= 0 && p.left_shift <= max_left_shift &&
         multiplier_ok(p.a_multiplier, p.a_shift) && multiplier_ok(p.b_multiplier, p.b_shift) &&
         multiplier_ok(p.output_multiplier, p.output_shift) && act_ok(t, p.act_min, p.act_max);
}

bool binary_can_use(Isa isa, BinaryOp op, const MulParams& p) {
  const char* name;
  const Operands t = operand_types(p);
  return op == BinaryOp::kMul && t != Operands::kNone &&
         mul_kernel(kernel_isa(isa), &name, t == Operands::kInt16) != nullptr &&
         shapes_ok(p.shapes) && multiplier_ok(p.output_multiplier, p.output_shift) &&
         act_ok(t, p.act_min, p.act_max);
}

PreparedBinary binary_prepare(Isa isa, BinaryOp op, const AddParams& p) {
  PreparedBinary r;
  if (!binary_can_use(isa, op, p)) return r;
  r.isa = kernel_isa(isa);
  const bool int16 = operand_types(p) == Operands::kInt16;
  r.run = add_kernel(r.isa, &r.kernel_name, op == BinaryOp::kSub, int16);
  r.element_bytes = int16 ? 2 : 1;
  BinaryKernelParams& k = r.params;
  k.op = op;
  k.a_zero_point = p.a_zero_point;
  k.b_zero_point = p.b_zero_point;
  k.output_zero_point = p.output_zero_point;
  k.left_shift = p.left_shift;
  k.act_min = p.act_min;
  k.act_max = p.act_max;
  k.a = make_requant(p.a_multiplier, p.a_shift);
  k.b = make_requant(p.b_multiplier, p.b_shift);
  k.out = make_requant(p.output_multiplier, p.output_shift);
  // The operands' value range: int8, or int16 (Z = 0).
  const int32_t q_min = int16 ? -32768 : -128, q_max = int16 ? 32767 : 127;
  // int8 keeps |x| <= 255 for both inputs (the proven L >= 8 range);
  // int16 has Z = 0, x = q.
  const int64_t x_min = int16 ? -32768 : -255, x_max = int16 ? 32767 : 255;
  set_split(p.left_shift, x_min, x_max, &k.a);
  set_split(p.left_shift, x_min, x_max, &k.b);
  k.sum_may_saturate = max_abs_rescaled(q_min, q_max, p.a_zero_point, p.left_shift, k.a) +
                           max_abs_rescaled(q_min, q_max, p.b_zero_point, p.left_shift, k.b) >
                       std::numeric_limits<int32_t>::max();
  k.narrow = !int16 && set_narrow(p, &k);
  plan_broadcast(p.shapes, &r);
  return r;
}

PreparedBinary binary_prepare(Isa isa, const MulParams& p) {
  PreparedBinary r;
  if (!binary_can_use(isa, BinaryOp::kMul, p)) return r;
  r.isa = kernel_isa(isa);
  const bool int16 = operand_types(p) == Operands::kInt16;
  r.run = mul_kernel(r.isa, &r.kernel_name, int16);
  r.element_bytes = int16 ? 2 : 1;
  BinaryKernelParams& k = r.params;
  k.op = BinaryOp::kMul;
  k.a_zero_point = p.a_zero_point;
  k.b_zero_point = p.b_zero_point;
  k.output_zero_point = p.output_zero_point;
  k.act_min = p.act_min;
  k.act_max = p.act_max;
  k.out = make_requant(p.output_multiplier, p.output_shift);
  k.narrow = !int16 && set_narrow_mul(&k);
  plan_broadcast(p.shapes, &r);
  return r;
}

int64_t binary_elements(const PreparedBinary& prepared) { return prepared.elements; }

namespace {

// binary_run on elements of type T (int8_t or int16_t).
template <typename T>
void run_typed(const PreparedBinary& r, const T* a, const T* b, T* out, int64_t begin,
               int64_t end) {
  const BinaryKernelParams& k = r.params;
  const bool mul = k.op == BinaryOp::kMul;
  // Position of `begin`: outer index (as an odometer) and offset in its run.
  int64_t outer = begin / r.inner;
  int64_t offset = begin - outer * r.inner;
  int64_t index[kMaxRank] = {};
  int64_t a_base = 0, b_base = 0;
  for (int d = r.outer_rank - 1; d >= 0; --d) {
    index[d] = outer % r.outer_dims[d];
    outer /= r.outer_dims[d];
    a_base += index[d] * r.a_outer_stride[d];
    b_base += index[d] * r.b_outer_stride[d];
  }
  // Short runs of a per-channel operand ([N,H,W,C] * [C], C < 128, e.g. an
  // SE block's scale): along the innermost outer dim one operand is
  // contiguous and the other repeats the same run. Consecutive runs then go
  // to the kernel as one long run, with the repeated run tiled into a stack
  // buffer (rebuilt only when its base moves), instead of one short tail
  // call per pixel.
  // Next outer index (last dim fastest).
  auto next_outer = [&] {
    for (int d = r.outer_rank - 1; d >= 0; --d) {
      ++index[d];
      a_base += r.a_outer_stride[d];
      b_base += r.b_outer_stride[d];
      if (index[d] < r.outer_dims[d]) break;
      a_base -= r.a_outer_stride[d] * r.outer_dims[d];
      b_base -= r.b_outer_stride[d] * r.outer_dims[d];
      index[d] = 0;
    }
  };
  // 256 elements (int8: 256 bytes, int16: 512 bytes).
  constexpr int64_t kTileElements = 256;
  const int last = r.outer_rank - 1;
  const bool plain =
      r.outer_rank > 0 && !r.a_scalar && !r.b_scalar && 2 * r.inner <= kTileElements;
  const bool tile_a = plain && r.a_outer_stride[last] == 0 && r.b_outer_stride[last] == r.inner;
  const bool tile_b = plain && r.b_outer_stride[last] == 0 && r.a_outer_stride[last] == r.inner;
  alignas(32) T tiled[kTileElements];
  const int64_t runs_per_tile = kTileElements / r.inner;
  int64_t tiled_base = -1;
  int64_t pos = begin;
  while (pos < end) {
    if ((tile_a || tile_b) && offset == 0) {
      int64_t runs = r.outer_dims[last] - index[last];
      if (runs > runs_per_tile) runs = runs_per_tile;
      if (runs > (end - pos) / r.inner) runs = (end - pos) / r.inner;
      if (runs >= 2) {
        const int64_t base = tile_a ? a_base : b_base;
        if (base != tiled_base) {
          const T* run = (tile_a ? a : b) + base;
          for (int64_t i = 0; i < runs_per_tile; ++i) {
            std::memcpy(tiled + i * r.inner, run, static_cast<size_t>(r.inner) * sizeof(T));
          }
          tiled_base = base;
        }
        const int64_t n = runs * r.inner;
        r.run(k, tile_a ? tiled : a + a_base, tile_b ? tiled : b + b_base, out + pos,
              static_cast<size_t>(n), nullptr, nullptr);
        pos += n;
        // runs - 1 steps cannot wrap the dim; the odometer below takes the last.
        index[last] += runs - 1;
        a_base += (runs - 1) * r.a_outer_stride[last];
        b_base += (runs - 1) * r.b_outer_stride[last];
        next_outer();
        continue;
      }
    }
    const int64_t left_in_run = r.inner - offset;
    const int64_t n = end - pos < left_in_run ? end - pos : left_in_run;
    const T* pa = a + a_base + (r.a_scalar ? 0 : offset);
    const T* pb = b + b_base + (r.b_scalar ? 0 : offset);
    int32_t a_value = 0, b_value = 0;
    if (r.a_scalar) {
      a_value = mul ? *pa - k.a_zero_point
                    : rescale_input(*pa, k.a_zero_point, k.left_shift, k.a);
    }
    if (r.b_scalar) {
      b_value = mul ? *pb - k.b_zero_point
                    : rescale_input(*pb, k.b_zero_point, k.left_shift, k.b);
    }
    r.run(k, pa, pb, out + pos, static_cast<size_t>(n), r.a_scalar ? &a_value : nullptr,
          r.b_scalar ? &b_value : nullptr);
    pos += n;
    offset = 0;
    next_outer();
  }
}

}  // namespace

void binary_run(const PreparedBinary& r, const void* a, const void* b, void* out, int64_t begin,
                int64_t end) {
  if (r.run == nullptr || begin >= end) return;
  if (r.element_bytes == 2) {
    run_typed(r, static_cast<const int16_t*>(a), static_cast<const int16_t*>(b),
              static_cast<int16_t*>(out), begin, end);
  } else {
    run_typed(r, static_cast<const int8_t*>(a), static_cast<const int8_t*>(b),
              static_cast<int8_t*>(out), begin, end);
  }
}

}  // namespace dyad
