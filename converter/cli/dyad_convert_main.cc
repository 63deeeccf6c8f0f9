// dyad-convert: ONNX float model + sample inputs -> calibrated integer-only .dyad.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "converter/cli/convert_pipeline.h"
#include "converter/ir/error.h"

namespace {

std::vector<float> ParseFloats(const std::string& text, const char* flag) {
  std::vector<float> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      v.push_back(std::stof(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw dyad::convert::ConvertError(std::string(flag) + ": '" + item + "' is not a number");
    }
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dyad-convert: ONNX float model + sample inputs -> calibrated integer-only .dyad"};
  dyad::convert::ConvertConfig cfg;
  std::string mean, stdv;
  bool quiet = false, no_int16 = false;
  app.add_option("model", cfg.onnx_path, "ONNX model")->required();
  app.add_option("-o,--output", cfg.output_path, "output .dyad file")->required();
  app.add_option("--calib", cfg.calib_path, "folder of images/.npy files, or one .npy/image")->required();
  app.add_option("--calib-method", cfg.method,
                 "minmax|percentile|entropy|mse (default: percentile; minmax with --activations int16)")
      ->check(CLI::IsMember({"minmax", "percentile", "entropy", "mse"}));
  app.add_option("--percentile", cfg.percentile, "percentile for --calib-method percentile");
  app.add_option("--calib-count", cfg.calib_count, "at most N calibration samples (0: all)");
  app.add_option("--calib-windows", cfg.calib_windows,
                 "each calibration image also yields up to 8 fixed windows (mirror, corners, centre): 1..8, default 1")
      ->check(CLI::Range(1, 8));
  app.add_option("--eval", cfg.eval_path,
                 "held-out images/.npy for the accuracy report (default: the last fifth of --calib's samples, at most --eval-count)");
  app.add_option("--eval-count", cfg.eval_count, "at most N held-out samples for the accuracy report (default 10)");
  app.add_option("--input-shape", cfg.input_shapes, "name:1x3x224x224 (split at the last ':')");
  app.add_option("--input-mean", mean, "per-channel mean of raw pixels, e.g. 127.5,127.5,127.5");
  app.add_option("--input-std", stdv, "per-channel std of raw pixels");
  app.add_option("--input-layout", cfg.input_layout, "layout of a 4-D input: nhwc|nchw (default: guessed)")
      ->check(CLI::IsMember({"nhwc", "nchw"}));
  app.add_option("--report", cfg.report_path, "write the accuracy report as JSON");
  app.add_option("--int16-below-db", cfg.int16_below_sqnr_db,
                 "give int16 to output tensors whose int8 SQNR on calibration data is below this");
  app.add_flag("--no-int16", no_int16, "int8 activations everywhere (no int16 detection-head outputs)");
  app.add_option("--activations", cfg.activations,
                 "int8 (default) or int16: int16 activations with int8 weights (W8A16), more accurate, up to about 1.2x the latency (docs/kernels.md: AVX2 and NEON kernels; VNNI CPUs run them on AVX2)")
      ->check(CLI::IsMember({"int8", "int16"}));
  app.add_option("--weights", cfg.weights,
                 "int8 (default) or int16: every Conv/Gemm as two int8 layers (the weights and their rounding residual) summed, about 15-bit weights at twice the MACs; needs --activations int16")
      ->check(CLI::IsMember({"int8", "int16"}));
  app.add_flag("--bias-correction", cfg.bias_correction,
               "correct each Conv/Gemm bias by its measured mean output error (experimental)");
  bool no_wbc = false;
  app.add_option("--weight-rounding-samples", cfg.weight_rounding_samples,
                 "round Conv/Gemm weights to minimise their output error on this many calibration samples' inputs (0: to nearest; default 4 with --activations int16, 0 with int8)")
      ->check(CLI::Range(0, 64));
  app.add_flag("--no-weight-bias-correction", no_wbc,
               "keep each Conv bias as is (default: remove the mean error of its rounded weights)");
  app.add_flag("-q,--quiet", quiet, "print nothing but errors");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!mean.empty()) cfg.mean = ParseFloats(mean, "--input-mean");
    if (!stdv.empty()) cfg.std = ParseFloats(stdv, "--input-std");
    if (no_int16 && cfg.activations == "int16")
      throw std::runtime_error("--no-int16 and --activations int16 contradict each other");
    cfg.allow_int16 = !no_int16;
    cfg.weight_bias_correction = !no_wbc;
    cfg.progress = !quiet && isatty(2);
    std::ostringstream sink;
    dyad::convert::RunConvert(cfg, quiet ? static_cast<std::ostream&>(sink) : std::cout);
  } catch (const std::exception& e) {
    std::cerr << "dyad-convert: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
