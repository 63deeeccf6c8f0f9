// Offline quantization arithmetic shared by the quantizer and its tests:
// choosing (scale, zero point) from a range, eq. 13 tables, error measures.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernels/common/quantize_multiplier.h"
#include "schema/dyad_generated.h"

namespace dyad::convert {

struct QParams {
  fb::DType dtype = fb::DType::INT8;
  double scale = 1.0;
  int32_t zero_point = 0;
  // int16 activations (W8A16 mode): the largest |q| any producer writes, so
  // that consumer accumulators provably fit int32; 0 = the dtype's range.
  int32_t limit = 0;
};

void DTypeLimits(fb::DType t, int32_t* lo, int32_t* hi);
// The dtype's range, narrowed to [-limit, limit] when `p.limit` is set.
void QLimits(const QParams& p, int32_t* lo, int32_t* hi);

// int8: asymmetric over [min(lo,0), max(hi,0)] with an integer zero point
// (eq. 1, 0.0 exact). int16: symmetric, Z = 0, max(|lo|, |hi|) at q = `limit`
// (0: 32767).
QParams ChooseParams(float lo, float hi, fb::DType dtype, int32_t limit = 0);

// Step of one output channel's symmetric int8 weights (eq. 1): max|w| / 127,
// so the largest weight is stored as +-127; 1 for an all-zero channel. The
// quantizer's rows, its accumulator bound and SplitWeights' grid all use it.
inline double WeightStep(float max_abs) { return max_abs > 0 ? max_abs / 127.0 : 1.0; }

// (M0, shift) for `real`; ConvertError naming `what` if it is out of range.
DyadicMultiplier Multiplier(double real, const std::string& what, int significant_bits = 31);

// Eq. 13 table: T[i] = clamp(round(f(S_in (i - 128 - Z_in)) / S_out) + Z_out)
// for int8 input; for uint8 input T[i] uses q = i.
std::vector<int8_t> BuildLut(const std::function<double(double)>& f, const QParams& in,
                             const QParams& out, bool uint8_input = false);

// Eq. 13b table for int16 input and output (Z = 0): 513 samples
// T[j] = clamp(round(f(S_in (-32768 + 128 j)) / S_out)) within out's limits;
// the kernel interpolates linearly between them.
std::vector<int16_t> BuildLut16(const std::function<double(double)>& f, const QParams& in,
                                const QParams& out);

// Signal-to-quantization-noise ratio in dB of `x` quantized with `p`
// (+inf when exact).
double SqnrOfQuantization(const std::vector<float>& x, const QParams& p);
// min(SQNR of all of x, SQNR of its smaller-magnitude half): low when a
// wide range erases the small values (detection-head logits).
double SmallHalfSqnrOfQuantization(const std::vector<float>& x, const QParams& p);
// SQNR (dB) and cosine similarity of `test` against `ref`.
double Sqnr(const std::vector<float>& ref, const std::vector<float>& test);
double Cosine(const std::vector<float>& ref, const std::vector<float>& test);

}  // namespace dyad::convert
