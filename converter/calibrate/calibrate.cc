#include "converter/calibrate/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <exception>
#include <random>
#include <thread>
#include <vector>

#include "converter/ir/error.h"

namespace dyad::convert {

CalibMethod ParseCalibMethod(const std::string& text) {
  if (text == "minmax") return CalibMethod::kMinMax;
  if (text == "percentile") return CalibMethod::kPercentile;
  if (text == "entropy") return CalibMethod::kEntropy;
  if (text == "mse") return CalibMethod::kMse;
  throw ConvertError("unknown calibration method '" + text + "' (expected minmax, percentile, entropy or mse)");
}

const char* CalibMethodName(CalibMethod m) {
  switch (m) {
    case CalibMethod::kMinMax: return "minmax";
    case CalibMethod::kPercentile: return "percentile";
    case CalibMethod::kEntropy: return "entropy";
    case CalibMethod::kMse: return "mse";
  }
  return "?";
}

namespace {

bool NeedsHistogram(CalibMethod m) { return m != CalibMethod::kMinMax; }

// Widens [lo, hi] to contain 0 and to a non-empty interval.
Range Normalize(float lo, float hi) {
  Range r{std::min(lo, 0.0f), std::max(hi, 0.0f)};
  if (!(r.hi - r.lo > 1e-8f)) r.hi = r.lo + 1e-8f;
  return r;
}

// TensorRT-style KL calibration over |x| with 128 target levels; returns the
// clipping threshold.
float EntropyThreshold(const TensorStats& s) {
  const int n = TensorStats::kBins;
  const int levels = 128;
  const std::vector<double>& h = s.abs_hist;
  double total = 0;
  for (double v : h) total += v;
  if (total <= 0 || s.absmax <= 0) return s.absmax;
  const double width = s.absmax / n;
  double best_kl = std::numeric_limits<double>::infinity();
  int best_i = n;
  for (int i = levels; i <= n; i += 8) {
    std::vector<double> p(h.begin(), h.begin() + i);
    double outliers = 0;
    for (int k = i; k < n; ++k) outliers += h[k];
    p[i - 1] += outliers;
    // Q: merge P's (unclipped) bins into `levels` groups, spread each group's
    // mass evenly over its non-empty bins.
    std::vector<double> q(i, 0.0);
    const double per = static_cast<double>(i) / levels;
    for (int l = 0; l < levels; ++l) {
      const int a = static_cast<int>(std::floor(l * per));
      const int b = std::max(a + 1, static_cast<int>(std::floor((l + 1) * per)));
      double mass = 0;
      int nonzero = 0;
      for (int k = a; k < b && k < i; ++k) {
        mass += h[k];
        if (h[k] > 0) ++nonzero;
      }
      if (nonzero == 0) continue;
      for (int k = a; k < b && k < i; ++k)
        if (h[k] > 0) q[k] = mass / nonzero;
    }
    double psum = 0, qsum = 0;
    for (int k = 0; k < i; ++k) {
      psum += p[k];
      qsum += q[k];
    }
    if (psum <= 0 || qsum <= 0) continue;
    double kl = 0;
    for (int k = 0; k < i; ++k) {
      if (p[k] <= 0) continue;
      const double pk = p[k] / psum;
      const double qk = q[k] > 0 ? q[k] / qsum : 1e-12;
      kl += pk * std::log(pk / qk);
    }
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  return static_cast<float>((best_i + 0.5) * width);
}

// Expected squared error of 8-bit quantization over [lo, hi] for the signed
// histogram (clipping error outside, uniform rounding error inside).
[[maybe_unused]] double ExpectedMse(const TensorStats& s, float lo, float hi) {
  const int n = TensorStats::kBins;
  const double width = 2.0 * s.absmax / n;
  const double step = (hi - lo) / 255.0;
  double err = 0;
  for (int k = 0; k < n; ++k) {
    const double c = s.signed_hist[k];
    if (c <= 0) continue;
    const double v = -s.absmax + (k + 0.5) * width;
    if (v < lo) {
      err += c * (lo - v) * (lo - v);
    } else if (v > hi) {
      err += c * (v - hi) * (v - hi);
    } else {
      err += c * step * step / 12.0;
    }
  }
  return err;
}

// Value below which `frac` of the signed histogram's mass lies.
float SignedQuantile(const TensorStats& s, double frac) {
  const int n = TensorStats::kBins;
  double total = 0;
  for (double v : s.signed_hist) total += v;
  if (total <= 0) return 0;
  const double target = frac * total;
  double acc = 0;
  const double width = 2.0 * s.absmax / n;
  for (int k = 0; k < n; ++k) {
    acc += s.signed_hist[k];
    if (acc >= target) return static_cast<float>(-s.absmax + (k + 1) * width);
  }
  return s.absmax;
}

}  // namespace

Range RangeFromStats(const TensorStats& s, CalibMethod method, double percentile) {
  if (method == CalibMethod::kMinMax || s.absmax <= 0 || s.abs_hist.empty())
    return Normalize(s.min, s.max);
  switch (method) {
    case CalibMethod::kPercentile: {
      const double f = percentile / 100.0;
      float lo = s.min < 0 ? SignedQuantile(s, 1.0 - f) - static_cast<float>(2.0 * s.absmax / TensorStats::kBins) : s.min;
      float hi = s.max > 0 ? SignedQuantile(s, f) : s.max;
      return Normalize(std::max(lo, s.min), std::min(hi, s.max));
    }
    case CalibMethod::kEntropy: {
      const float t = EntropyThreshold(s);
      return Normalize(std::max(-t, s.min), std::min(t, s.max));
    }
    case CalibMethod::kMse: {
      // Coordinate search on the sampled values: a common shrink factor for
      // both ends, then each end alone.
      auto err = [&](float lo, float hi) {
        const Range r = Normalize(lo, hi);
        const double step = (r.hi - r.lo) / 255.0;
        double e = 0;
        for (float v : s.reservoir) {
          const double c = std::min<double>(std::max<double>(v, r.lo), r.hi);
          const double q = r.lo + std::round((c - r.lo) / step) * step;
          e += (q - v) * (q - v);
        }
        return e;
      };
      std::vector<float> factors;
      for (double f = 1.0; f > 1e-3; f *= 0.9) factors.push_back(static_cast<float>(f));
      float best_a = 1, best_b = 1;
      double best = err(s.min, s.max);
      for (float f : factors) {
        const double e = err(s.min * f, s.max * f);
        if (e < best) { best = e; best_a = best_b = f; }
      }
      for (int pass = 0; pass < 2; ++pass) {
        for (float f : factors) {
          const double e = pass == 0 ? err(s.min * f, s.max * best_b) : err(s.min * best_a, s.max * f);
          if (e < best) {
            best = e;
            (pass == 0 ? best_a : best_b) = f;
          }
        }
      }
      return Normalize(s.min * best_a, s.max * best_b);
    }
    case CalibMethod::kMinMax: break;
  }
  return Normalize(s.min, s.max);
}

void Calibrator::ObserveMinMax(const std::string& name, const Tensor& t, uint64_t seed) {
  if (!t.is_float() || t.f.empty()) {
    // Shape only (comparison results): the quantizer still needs it.
    shapes_[name] = t.shape;
    return;
  }
  auto [it, fresh] = stats_.try_emplace(name);
  TensorStats& s = it->second;
  float lo = t.f[0], hi = t.f[0];
  for (float v : t.f) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (fresh) {
    s.shape = t.shape;
    s.min = lo;
    s.max = hi;
  } else {
    s.min = std::min(s.min, lo);
    s.max = std::max(s.max, hi);
  }
  if (t.shape.size() >= 2 && t.shape[1] > 0) {
    const int64_t ch = t.shape[1];
    const int64_t inner = static_cast<int64_t>(t.f.size()) / (t.shape[0] * ch);
    if (s.channel_mean.size() != static_cast<size_t>(ch)) {
      s.channel_mean.assign(ch, 0.0);
      s.channel_runs = 0;
    }
    for (int64_t c = 0; c < ch; ++c) {
      double sum = 0;
      for (int64_t b = 0; b < t.shape[0]; ++b)
        for (int64_t i = 0; i < inner; ++i) sum += t.f[(b * ch + c) * inner + i];
      const double mean = sum / double(t.shape[0] * inner);
      s.channel_mean[c] += (mean - s.channel_mean[c]) / double(s.channel_runs + 1);
    }
    ++s.channel_runs;
  }
  // Reservoir sampling (algorithm R) with a deterministic generator.
  std::mt19937_64 rng(seed ^ std::hash<std::string>()(name));
  const size_t cap = 4096;
  for (float v : t.f) {
    ++s.seen;
    if (s.reservoir.size() < cap) {
      s.reservoir.push_back(v);
    } else {
      const uint64_t j = rng() % s.seen;
      if (j < cap) s.reservoir[j] = v;
    }
  }
}

void Calibrator::ObserveHist(const std::string& name, const Tensor& t) {
  auto it = stats_.find(name);
  if (it == stats_.end() || !t.is_float()) return;
  TensorStats& s = it->second;
  const int n = TensorStats::kBins;
  if (s.abs_hist.empty()) {
    s.abs_hist.assign(n, 0.0);
    s.signed_hist.assign(n, 0.0);
    s.absmax = std::max(std::fabs(s.min), std::fabs(s.max));
  }
  if (s.absmax <= 0) return;
  const double inv_abs = n / s.absmax, inv_signed = n / (2.0 * s.absmax);
  for (float v : t.f) {
    int a = static_cast<int>(std::fabs(v) * inv_abs);
    int b = static_cast<int>((v + s.absmax) * inv_signed);
    s.abs_hist[std::clamp(a, 0, n - 1)] += 1;
    s.signed_hist[std::clamp(b, 0, n - 1)] += 1;
  }
}

void Calibrator::Run(const std::vector<TensorMap>& samples, const CalibOptions& options) {
  if (samples.empty()) throw ConvertError("calibration needs at least one sample");
  const bool hist = NeedsHistogram(options.method);
  const size_t total = samples.size() * (hist ? 2 : 1);
  size_t done = 0;
  RunOptions ro;
  ro.keep_all = true;
  // The float runs of a batch of samples go in parallel (one per hardware
  // thread); their tensors are observed afterwards in sample order, so the
  // statistics do not depend on the thread count.
  const size_t threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), 8));
  for (int pass = 0; pass < (hist ? 2 : 1); ++pass) {
    for (size_t first = 0; first < samples.size(); first += threads) {
      const size_t count = std::min(threads, samples.size() - first);
      std::vector<TensorMap> runs(count);
      std::vector<std::exception_ptr> errors(count);
      auto run_one = [&](size_t j) {
        try {
          runs[j] = RunGraph(graph_, samples[first + j], ro);
        } catch (...) {
          errors[j] = std::current_exception();
        }
      };
      std::vector<std::thread> workers;
      for (size_t j = 1; j < count; ++j) workers.emplace_back(run_one, j);
      run_one(0);
      for (auto& w : workers) w.join();
      for (size_t j = 0; j < count; ++j) {
        if (errors[j]) std::rethrow_exception(errors[j]);
        const size_t k = first + j;
        TensorMap& all = runs[j];
        for (const auto& [name, t] : samples[k]) all.emplace(name, t);
        for (const auto& [name, t] : all) {
          if (graph_.IsConstant(name)) continue;
          if (pass == 0) {
            ObserveMinMax(name, t, k);
          } else {
            ObserveHist(name, t);
          }
        }
        runs[j].clear();  // free this sample's tensors before the next is observed
        if (options.progress) options.progress(++done, total);
      }
    }
  }
}

std::map<std::string, Range> Calibrator::Ranges(const CalibOptions& options) const {
  std::map<std::string, Range> out;
  for (const auto& [name, s] : stats_) out[name] = RangeFromStats(s, options.method, options.percentile);
  return out;
}

}  // namespace dyad::convert
