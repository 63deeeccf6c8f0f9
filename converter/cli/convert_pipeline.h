// The whole of dyad-convert as a library call (the CLI parses arguments and
// prints; tests call this directly): import -> prepare -> calibrate ->
// quantize -> write -> run through libdyad and measure the error.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "converter/quantize/quantizer.h"

namespace dyad::convert {

struct ConvertConfig {
  std::string onnx_path, output_path, calib_path, report_path;
  // Held-out samples for the accuracy report. Empty: the last fifth (at most
  // eval_count) of calib_path's samples are held out instead.
  std::string eval_path;
  std::string method;  // empty: percentile for int8 activations, minmax for int16
  double percentile = 99.99;
  size_t calib_count = 0;                 // 0: every sample not held out
  int calib_windows = 1;                  // windows per calibration image (samples.h)
  size_t eval_count = 10;                 // held-out samples (at most a fifth of all)
  std::vector<std::string> input_shapes;  // "name:1x3x224x224"
  std::vector<float> mean, std;
  std::string input_layout;  // "", "nhwc", "nchw"
  double int16_below_sqnr_db = 40.0;
  bool allow_int16 = true;
  // "int8" (default) or "int16": W8A16, every activation an int16-capable op
  // writes is int16 (QuantizeOptions::int16_activations).
  std::string activations = "int8";
  // "int8" (default) or "int16": every Conv/Gemm split into two int8 layers
  // (SplitWeights, weight_split.h); needs activations == "int16".
  std::string weights = "int8";
  bool progress = false;  // progress bar on stderr
  bool eval_intermediates = true;
  // Off by default: on the real models it helped some outputs and hurt others
  // (docs/converter_quantization.md). See CorrectBiases in convert_pipeline.cc.
  bool bias_correction = false;
  bool weight_bias_correction = true;  // QuantizeOptions::weight_bias_correction
  // Round Conv/Gemm weights for the inputs of this many calibration samples
  // (QuantizeOptions::rounding_samples); 0: round to nearest; -1: 4 with int16
  // activations, 0 with int8 (where it measured worse: the int8 activations'
  // own error dominates, docs/converter_quantization.md).
  int weight_rounding_samples = -1;
};

struct TensorError {
  std::string name;
  double sqnr_db = 0, cosine = 0, max_abs_err = 0;
  // SQNR of this tensor's own rounding alone (its float calibration values
  // quantized with its scale): the floor any upstream error adds to.
  double own_sqnr_db = 0;
  // Outputs whose float values are probability vectors along the last axis
  // (non-negative, each row sums to 1 within 1e-3): the fraction of rows
  // whose arg-max libdyad reproduces. -1 for any other tensor.
  double top1_agreement = -1;
};

// One graph output over all evaluation samples, concatenated in sample order
// (the float model as imported, and libdyad dequantized), in the ONNX layout.
struct OutputValues {
  std::string name;
  Shape shape;  // of one sample
  std::vector<float> reference, dyad;
};

struct ConvertSummary {
  std::vector<TensorError> outputs;  // in graph output order
  std::vector<OutputValues> output_values;  // same order: for task-level checks
  std::vector<TensorError> worst;    // intermediates, worst SQNR first (<= 10)
  std::vector<TensorError> intermediates;  // every measured tensor, graph order
  std::vector<Int16Choice> int16;
  std::string intermediates_note;
  size_t calib_samples = 0, eval_samples = 0;
  bool eval_on_calibration_data = false;
  double seconds = 0;
  uint64_t onnx_bytes = 0, dyad_bytes = 0;
  size_t ops = 0;
  int bias_corrected_layers = 0;
  int split_layers = 0;  // --weights int16: layers held as two int8 halves
};

// Throws ConvertError with a message naming the file/node/op at fault.
ConvertSummary RunConvert(const ConvertConfig& config, std::ostream& log);

// Float vs libdyad error of `value` against `ref`.
TensorError CompareTensors(const std::string& name, const std::vector<float>& ref,
                           const std::vector<float>& test);

// TensorError::top1_agreement for rows of `row_length` values; -1 if `ref`
// is not a set of probability vectors.
double Top1Agreement(const std::vector<float>& ref, const std::vector<float>& test, int64_t row_length);

// When an output's cosine is below 0.99, the next more accurate mode to try
// (--activations int16, then --weights int16) as one line; "" otherwise.
std::string AccuracyHint(const std::vector<TensorError>& outputs, const ConvertConfig& config);

}  // namespace dyad::convert
