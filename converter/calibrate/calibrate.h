// Calibration: runs the float executor on sample inputs, records each tensor's
// value distribution and turns it into a quantization range [lo, hi] (always
// containing 0, so eq. 1 represents 0.0 exactly).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "converter/reference_exec/executor.h"

namespace dyad::convert {

enum class CalibMethod { kMinMax, kPercentile, kEntropy, kMse };

// "minmax" | "percentile" | "entropy" | "mse"; ConvertError otherwise.
CalibMethod ParseCalibMethod(const std::string& text);
const char* CalibMethodName(CalibMethod m);

struct Range {
  float lo = 0.0f;
  float hi = 0.0f;
};

// Distribution of one tensor over all samples.
struct TensorStats {
  static constexpr int kBins = 2048;
  Shape shape;  // static shape seen in the runs
  float min = 0.0f, max = 0.0f;
  // Histogram of |x| over [0, absmax] (absmax fixed by the first pass), plus a
  // signed histogram over [-absmax, absmax] for the two-sided percentile.
  std::vector<double> abs_hist, signed_hist;
  float absmax = 0.0f;
  // A uniform random subsample of the values (for error measurements).
  std::vector<float> reservoir;
  uint64_t seen = 0;
  // Mean of each dim-1 slice (the channel of an NCHW tensor), over all runs:
  // the expected input a Conv's weight rounding error multiplies.
  std::vector<double> channel_mean;
  uint64_t channel_runs = 0;
};

struct CalibOptions {
  CalibMethod method = CalibMethod::kPercentile;
  double percentile = 99.99;
  size_t reservoir_size = 4096;
  // Called after each executor run: (runs done, runs total).
  std::function<void(size_t, size_t)> progress;
};

class Calibrator {
 public:
  explicit Calibrator(const Graph& graph) : graph_(graph) {}
  // Runs every sample (keep_all) and collects statistics of every float
  // activation (graph inputs included). Histogram methods run twice.
  void Run(const std::vector<TensorMap>& samples, const CalibOptions& options);
  // Ranges by `method` for every observed tensor.
  std::map<std::string, Range> Ranges(const CalibOptions& options) const;
  const std::map<std::string, TensorStats>& stats() const { return stats_; }
  // Shapes of the non-float tensors (bool/int64) seen in the runs.
  const std::map<std::string, Shape>& other_shapes() const { return shapes_; }

 private:
  void ObserveMinMax(const std::string& name, const Tensor& t, uint64_t seed);
  void ObserveHist(const std::string& name, const Tensor& t);
  const Graph& graph_;
  std::map<std::string, TensorStats> stats_;
  std::map<std::string, Shape> shapes_;
};

// The range chosen from one tensor's statistics (exposed for tests).
Range RangeFromStats(const TensorStats& s, CalibMethod method, double percentile);

}  // namespace dyad::convert
