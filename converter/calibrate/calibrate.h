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
  // Histogram of |x| over [0, absmax] (absmax = max(|min|, |max|) over all
  // samples), plus a signed histogram over [-absmax, absmax] for the
  // two-sided percentile. Built in one pass: Run keeps a finer histogram whose
  // range doubles as values grow, and spreads it onto these bins at the end.
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
  // Worker threads for the float runs and the observation; 0: one per
  // hardware thread, at most 8. The statistics are the same for any count.
  size_t threads = 0;
  // Called after each executor run: (runs done, runs total).
  std::function<void(size_t, size_t)> progress;
};

class Calibrator {
 public:
  explicit Calibrator(const Graph& graph) : graph_(graph) {}
  // Runs every sample (keep_all) and collects statistics of every float
  // activation (graph inputs included). One float run per sample for every
  // method. The statistics do not depend on the thread count.
  void Run(const std::vector<TensorMap>& samples, const CalibOptions& options);
  // Ranges by `method` for every observed tensor.
  std::map<std::string, Range> Ranges(const CalibOptions& options) const;
  const std::map<std::string, TensorStats>& stats() const { return stats_; }
  // Shapes of the non-float tensors (bool/int64) seen in the runs.
  const std::map<std::string, Shape>& other_shapes() const { return shapes_; }

  // Histogram with a growing range (internal; public for tests): kFine bins
  // over [-range, range]. A value beyond the range doubles it by merging bin
  // pairs, so bin edges stay aligned and the counts stay exact.
  struct GrowingHist {
    static constexpr int kFine = 8 * TensorStats::kBins;
    std::vector<uint64_t> bins;
    double range = 0;  // 0 until the first non-zero value
    uint64_t zeros_before_range = 0;  // values seen while range was 0 (all 0.0)
    // Values beyond the first sample's outer 1/256 on each side are kept
    // exactly (unless there get to be too many): the tails, where the
    // percentile method picks its range, then bin exactly as a second pass
    // over the final range would.
    bool tails_set = false;
    float tail_lo = 0, tail_hi = 0;
    std::vector<float> low, high;
    uint64_t count = 0;
    void Add(const float* v, size_t n, float absmax);
    // The canonical TensorStats histograms over [0, absmax] / [-absmax, absmax].
    void Spread(float absmax, std::vector<double>* abs_hist, std::vector<double>* signed_hist) const;
  };

 private:
  struct Accum {
    GrowingHist hist;
  };
  void Observe(TensorStats& s, Accum& a, const std::string& name, const Tensor& t, uint64_t seed, bool hist);
  const Graph& graph_;
  std::map<std::string, TensorStats> stats_;
  std::map<std::string, Accum> accum_;
  std::map<std::string, Shape> shapes_;
};

// The range chosen from one tensor's statistics (exposed for tests).
Range RangeFromStats(const TensorStats& s, CalibMethod method, double percentile);

}  // namespace dyad::convert
