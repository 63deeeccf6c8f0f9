// Float IR (after passes) + calibration statistics -> quantized model (NHWC,
// int8 weights per channel, int32 bias, dyadic multipliers, LUTs), following
// docs/quantization.md. Every refusal is a ConvertError naming the node.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "converter/calibrate/calibrate.h"
#include "converter/quantize/qmodel.h"
#include "converter/quantize/quant_math.h"

namespace dyad::convert {

struct QuantizeOptions {
  // 4-D graph inputs whose IR layout is already NHWC (kept as is); the other
  // 4-D inputs are NCHW and become NHWC in the .dyad.
  std::map<std::string, bool> input_nhwc;
  // Non-empty: graph inputs take raw uint8 pixels, real = (p - mean) / std
  // (one value, or one per channel when they are all equal).
  std::vector<float> input_mean, input_std;
  // A graph output group whose int8 SQNR on calibration data (the minimum of
  // all values' and the smaller half's, see SmallHalfSqnrOfQuantization) is below this
  // becomes int16 (when its producers can write int16).
  double int16_below_sqnr_db = 40.0;
  bool allow_int16 = true;
  // W8A16 mode: every activation an int16-capable op writes is int16
  // (symmetric, Z = 0); ops with int8-only inputs read a Requantize of it.
  bool int16_activations = false;
  // Non-empty: float activations of a few calibration samples (the prepared
  // graph, every tensor kept). Conv and Gemm weights are then rounded to
  // minimise their output error on these inputs (weight_rounding.h) instead
  // of to the nearest step.
  std::vector<std::map<std::string, Tensor>> rounding_samples;
  // Remove from each Conv bias the expected error of its rounded weights on
  // the input's per-channel calibration mean (see quantize_ops.cc).
  bool weight_bias_correction = true;
  std::vector<std::pair<std::string, std::string>> metadata;
  // Shapes of non-float activations (Calibrator::other_shapes()).
  std::map<std::string, Shape> extra_shapes;
};

struct Int16Choice {
  std::string tensor;
  double sqnr_int8_db = 0, sqnr_int16_db = 0;
};

struct QuantizeResult {
  QModel model;
  std::vector<Int16Choice> int16;
  // IR activation name -> (dyad tensor index, perm: stored dim k = IR dim perm[k]).
  std::map<std::string, std::pair<int32_t, std::vector<int>>> tensor_of;
  std::map<std::string, QParams> params;
};

QuantizeResult Quantize(const Graph& graph, const std::map<std::string, TensorStats>& stats,
                        const std::map<std::string, Range>& ranges, const QuantizeOptions& options);

// Permutation helpers (exposed for tests and dyad-run).
std::vector<int> NhwcPerm();
std::vector<int> IdentityPerm(size_t rank);
std::string PermToString(const std::vector<int>& p);
std::vector<int> ParsePerm(const std::string& s);

}  // namespace dyad::convert
