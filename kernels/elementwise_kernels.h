// ISA-independent entry points of the optimized Add / Sub / Mul (eqs. 7-10,
// docs/kernels.md "Elementwise"): a, b and the output all int8 (qs8_*
// kernels) or all int16 with zero point 0 (qs16_* kernels). The
// runtime calls, at prepare:
//   binary_can_use(isa, op, mul_or_add_params)  -> if false, use ref::add/sub/mul
//   binary_prepare(isa, op, params) once (broadcast plan + constants)
// and at run time binary_run(prepared, a, b, out, begin, end) on any split of
// the output elements [0, binary_elements(prepared)). Each output element's
// value does not depend on the split, so every thread count gives the same bytes.
//
// Broadcasting: the rank-padded shapes are collapsed (dims of extent 1
// dropped, neighbours where each operand is equally "full" or "broadcast"
// merged) into an outer odometer over contiguous inner runs. In an inner run
// each operand is either contiguous (its extent equals the output's) or one
// value repeated (a scalar, rescaled once in the driver). Every numpy
// broadcast reduces to these two inner cases: the output's innermost
// collapsed dim is full in at least one operand, and a broadcast operand
// there is a stride-0 scalar. A per-channel vector [N,H,W,C] + [1,1,1,C] is a
// contiguous inner run of C with the vector's outer stride 0.
//
// No inline code in this header: it is included by the per-ISA files, so
// no ISA-specific copy of a function can reach baseline code through the linker.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/common/params.h"
#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"

namespace dyad {

enum class BinaryOp { kAdd, kSub, kMul };

// Per-tensor eq. 6 constants of one requantization.
struct BinaryRequant {
  int32_t multiplier = 0, shift = 0;
  int32_t left = 0;       // max(shift, 0)
  int32_t neg_right = 0;  // -max(-shift, 0) (NEON srshl amount)
  // Add/Sub inputs on x86, when left == 0 and 8 <= L <= 22 (int8) or L = 15
  // (int16): SRDHM((q - Z) * 2^L, M0)
  // = x * (M0 >> k) + ((x * (M0 & (2^k - 1)) + 2^(k - 1)) >> k), k = 31 - L,
  // x = q - Z, exactly and in int32 (bounds in elementwise_kernels.cc).
  bool split = false;
  int32_t split_high = 0, split_low = 0, split_bits = 0, split_round = 0;
  // M0 >> 16, set when BinaryKernelParams::narrow (M0's low 16 bits are 0).
  int16_t high16 = 0;
  // x86: PackedParam arrays (conv_kernels.h) of 16 equal entries, read by
  // kernels/x86/requant_ymm.h / requant_zmm.h with stride 16.
  alignas(64) int32_t lanes[kPackedParamArrays][16];
};

// Constants of one Add / Sub / Mul, as the inner-run kernels read them.
struct BinaryKernelParams {
  BinaryOp op = BinaryOp::kAdd;
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t left_shift = 0;  // Add/Sub: L of eq. 7
  int32_t act_min = -128, act_max = 127;
  // Add/Sub only: |a'| + |b'| can exceed INT32_MAX, so eq. 8 must saturate.
  bool sum_may_saturate = false;
  // Add/Sub with int8 operands: every value of eqs. 7-9 fits int16 and each
  // M0 has 16 low zero bits, so a kernel may run eqs. 7-9 in 16-bit lanes
  // (vpmulhrsw / sqrdmulh.8h), bit-exact. Conditions: set_narrow in
  // elementwise_kernels.cc. Mul with int8 operands: M0 has 16 low zero bits
  // and no left shift, so eq. 10's SRDHM is one int32 multiply
  // (set_narrow_mul; used by the AVX2 kernel).
  bool narrow = false;
  BinaryRequant a, b;  // Add/Sub: eq. 7 of each input
  BinaryRequant out;   // eq. 9 (Add/Sub) or eq. 10 (Mul)
};

// One inner run of n outputs. a, b and out point at elements of the
// kernel's type (int8_t for qs8_*, int16_t for qs16_*). A null a_value means
// a is contiguous (n values); otherwise a is one repeated value and *a_value
// is its rescaled form: a' of eq. 7 (Add/Sub) or q_a - Z_a (Mul). Same for b.
// Never both.
using BinaryRunFn = void (*)(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                             size_t n, const int32_t* a_value, const int32_t* b_value);

struct PreparedBinary {
  Isa isa = Isa::kReference;  // the kernel's path; kReference: not prepared
  BinaryRunFn run = nullptr;
  const char* kernel_name = "";
  int element_bytes = 1;  // of a, b and the output: 1 (int8) or 2 (int16)
  BinaryKernelParams params;
  // Broadcast plan: outer dims (last fastest) with each operand's element
  // stride, then the inner run.
  int outer_rank = 0;
  int64_t outer_dims[kMaxRank] = {};
  int64_t a_outer_stride[kMaxRank] = {}, b_outer_stride[kMaxRank] = {};
  int64_t inner = 1;
  bool a_scalar = false, b_scalar = false;  // operand repeated along the inner run
  int64_t elements = 0;
};

// True if `isa` has an optimized kernel for `op` in this build and the CPU
// runs it (any x86 path uses AVX2, any ARM path NEON), a, b and the output
// are all int8 or all int16 with zero points 0 (Add/Sub with
// left_shift <= 15), and the parameters are ones it handles exactly.
// Mixed int8 / int16 operands: false (ref::add/sub/mul).
bool binary_can_use(Isa isa, BinaryOp op, const AddParams& p);
bool binary_can_use(Isa isa, BinaryOp op, const MulParams& p);
// op is kAdd or kSub.
PreparedBinary binary_prepare(Isa isa, BinaryOp op, const AddParams& p);
PreparedBinary binary_prepare(Isa isa, const MulParams& p);
int64_t binary_elements(const PreparedBinary& prepared);
// a, b and out point at elements of the prepared type (element_bytes):
// int8_t, or int16_t for an all-int16 op.
void binary_run(const PreparedBinary& prepared, const void* a, const void* b, void* out,
                int64_t begin, int64_t end);

// Inner-run kernels (BinaryRunFn), defined only in builds that compile the
// matching file. qs8_*: int8 elements; qs16_*: int16 elements.
void qs8_vadd_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value);
void qs8_vmul_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value);
void qs16_vadd_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value);
void qs16_vmul_16__avx2(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value);
void qs8_vadd_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value);
void qs8_vmul_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                       size_t n, const int32_t* a_value, const int32_t* b_value);
void qs16_vadd_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value);
void qs16_vmul_16__neon(const BinaryKernelParams& p, const void* a, const void* b, void* out,
                        size_t n, const int32_t* a_value, const int32_t* b_value);

}  // namespace dyad
