#include "converter/calibrate/calibrate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <exception>
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

void Calibrator::GrowingHist::Add(const float* v, size_t n, float absmax) {
  if (!(absmax > 0)) {
    if (!bins.empty()) bins[kFine / 2] += n;  // all zeros: the bin [0, w)
    else if (n > 0) zeros_before_range += n;
    return;
  }
  if (bins.empty()) {
    bins.assign(kFine, 0);
    // The first range is the first non-zero sample's absmax: when no later
    // sample exceeds it, the fine bins line up exactly with the final ones.
    range = absmax;
    bins[kFine / 2] += zeros_before_range;
    zeros_before_range = 0;
  }
  while (absmax > range) {
    // Double the range: bins 2i and 2i+1 become bin kFine/4 + i.
    std::vector<uint64_t> grown(kFine, 0);
    for (int i = 0; i < kFine / 2; ++i) grown[kFine / 4 + i] = bins[2 * i] + bins[2 * i + 1];
    bins.swap(grown);
    range *= 2;
  }
  if (!tails_set) {
    std::vector<float> sorted(v, v + n);
    const size_t k = n / 256;
    std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
    tail_lo = sorted[k];
    std::nth_element(sorted.begin(), sorted.end() - 1 - k, sorted.end());
    tail_hi = sorted[n - 1 - k];
    tails_set = true;
  }
  count += n;
  const double scale = kFine / (2.0 * range);
  uint64_t* h = bins.data();
  auto bin = [&](float x) {
    ++h[std::clamp(static_cast<int>((static_cast<double>(x) + range) * scale), 0, kFine - 1)];
  };
  for (size_t k = 0; k < n; ++k) {
    if (v[k] > tail_hi) high.push_back(v[k]);
    else if (v[k] < tail_lo) low.push_back(v[k]);
    else bin(v[k]);
  }
  // Too many kept values (a later sample is much wider than the first): bin
  // them with the rest from now on.
  const size_t cap = count / 64 + 65536;
  if (high.size() > cap) {
    for (float x : high) bin(x);
    high = {};
    tail_hi = std::numeric_limits<float>::infinity();
  }
  if (low.size() > cap) {
    for (float x : low) bin(x);
    low = {};
    tail_lo = -std::numeric_limits<float>::infinity();
  }
}

namespace {

// Bin of `out` (n bins of width `w` from `lo`) that holds `x`, clamped.
int BinOf(double x, double lo, double w, int n) {
  return std::clamp(static_cast<int>(std::floor((x - lo) / w)), 0, n - 1);
}

}  // namespace

void Calibrator::GrowingHist::Spread(float absmax, std::vector<double>* abs_hist,
                                     std::vector<double>* signed_hist) const {
  const int n = TensorStats::kBins;
  abs_hist->assign(n, 0.0);
  signed_hist->assign(n, 0.0);
  if (!(absmax > 0) || bins.empty()) return;
  const double fine_w = 2.0 * range / kFine;
  const double abs_w = absmax / double(n), signed_w = 2.0 * absmax / n;
  for (int i = 0; i < kFine; ++i) {
    const uint64_t c = bins[i];
    if (c == 0) continue;
    // A fine bin is at most half an output bin wide; its whole count goes to
    // the output bin holding its centre (a value moves by at most a quarter
    // of an output bin, and empty output bins stay empty, which the KL search
    // relies on). While the range never grew, fine edges are output edges.
    (*signed_hist)[BinOf(-range + (i + 0.5) * fine_w, -absmax, signed_w, n)] += double(c);
    // Bins are symmetric around 0: bin kFine/2 + j holds [j, j+1) fine widths
    // and bin kFine/2 - 1 - j holds (-(j+1), -j]: both are |x| in fine bin j.
    const int j = i >= kFine / 2 ? i - kFine / 2 : kFine / 2 - 1 - i;
    (*abs_hist)[BinOf((j + 0.5) * fine_w, 0.0, abs_w, n)] += double(c);
  }
  // The kept tail values, binned with the former second pass's arithmetic.
  const double inv_abs = n / absmax, inv_signed = n / (2.0 * absmax);
  for (const auto* tail : {&low, &high})
    for (float x : *tail) {
      (*abs_hist)[std::clamp(static_cast<int>(std::fabs(x) * inv_abs), 0, n - 1)] += 1;
      (*signed_hist)[std::clamp(static_cast<int>((x + absmax) * inv_signed), 0, n - 1)] += 1;
    }
}

namespace {

// Splitmix64: a small, fast generator for the reservoir (a uniform subsample
// needs no better; the former mt19937_64 with a division per value cost more
// than the histogram), fully determined by its seed.
struct SplitMix {
  uint64_t x;
  uint64_t Next() {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n): multiply-high instead of a division.
  uint64_t Below(uint64_t n) {
#ifdef __SIZEOF_INT128__
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
#else
    return Next() % n;
#endif
  }
};

}  // namespace

void Calibrator::Observe(TensorStats& s, Accum& a, const std::string& name, const Tensor& t, uint64_t seed,
                         bool hist) {
  // Eight independent lanes (one dependency chain each), so the loops run
  // at memory speed; lanes are combined in a fixed order.
  constexpr size_t kLanes = 8;
  const float* f = t.f.data();
  const size_t size = t.f.size();
  float lo = f[0], hi = f[0];
  {
    float l[kLanes], h[kLanes];
    for (size_t q = 0; q < kLanes; ++q) l[q] = h[q] = f[0];
    size_t k = 0;
    for (; k + kLanes <= size; k += kLanes)
      for (size_t q = 0; q < kLanes; ++q) {
        l[q] = f[k + q] < l[q] ? f[k + q] : l[q];
        h[q] = f[k + q] > h[q] ? f[k + q] : h[q];
      }
    for (; k < size; ++k) {
      lo = std::min(lo, f[k]);
      hi = std::max(hi, f[k]);
    }
    for (size_t q = 0; q < kLanes; ++q) {
      lo = std::min(lo, l[q]);
      hi = std::max(hi, h[q]);
    }
  }
  if (s.seen == 0) {
    s.shape = t.shape;
    s.min = lo;
    s.max = hi;
  } else {
    s.min = std::min(s.min, lo);
    s.max = std::max(s.max, hi);
  }
  if (hist) a.hist.Add(t.f.data(), t.f.size(), std::max(std::fabs(lo), std::fabs(hi)));
  if (t.shape.size() >= 2 && t.shape[1] > 0) {
    const int64_t ch = t.shape[1];
    const int64_t inner = static_cast<int64_t>(t.f.size()) / (t.shape[0] * ch);
    if (s.channel_mean.size() != static_cast<size_t>(ch)) {
      s.channel_mean.assign(ch, 0.0);
      s.channel_runs = 0;
    }
    for (int64_t c = 0; c < ch; ++c) {
      double lane[kLanes] = {};
      for (int64_t b = 0; b < t.shape[0]; ++b) {
        const float* p = f + (b * ch + c) * inner;
        int64_t i = 0;
        for (; i + int64_t(kLanes) <= inner; i += kLanes)
          for (size_t q = 0; q < kLanes; ++q) lane[q] += p[i + q];
        for (; i < inner; ++i) lane[0] += p[i];
      }
      double sum = 0;
      for (double v : lane) sum += v;
      const double mean = sum / double(t.shape[0] * inner);
      s.channel_mean[c] += (mean - s.channel_mean[c]) / double(s.channel_runs + 1);
    }
    ++s.channel_runs;
  }
  // Reservoir sampling (algorithm R), seeded by sample index and name.
  SplitMix rng{seed * 0x9e3779b97f4a7c15ull ^ std::hash<std::string>()(name)};
  const size_t cap = 4096;
  size_t k = 0;
  for (; k < size && s.reservoir.size() < cap; ++k) {
    s.reservoir.push_back(f[k]);
    ++s.seen;
  }
  uint64_t seen = s.seen;
  float* res = s.reservoir.data();
  for (; k < size; ++k) {
    const uint64_t j = rng.Below(++seen);
    if (j < cap) res[j] = f[k];
  }
  s.seen = seen;
}

void Calibrator::Run(const std::vector<TensorMap>& samples, const CalibOptions& options) {
  if (samples.empty()) throw ConvertError("calibration needs at least one sample");
  const bool hist = NeedsHistogram(options.method);
  const size_t total = samples.size();
  size_t done = 0;
  RunOptions ro;
  ro.keep_all = true;
  // The float runs of a batch of samples go in parallel (one per hardware
  // thread). Then the batch's tensors are observed in parallel, one tensor at
  // a time per thread, each over the batch in sample order: every tensor's
  // statistics see the samples in the same order whatever the thread count.
  const size_t threads = options.threads > 0
                            ? options.threads
                            : std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), 8));
  auto parallel = [threads](size_t count, const std::function<void(size_t)>& fn) {
    std::atomic<size_t> next{0};
    std::vector<std::exception_ptr> errors(threads);
    auto worker = [&](size_t w) {
      try {
        for (size_t j; (j = next++) < count;) fn(j);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < std::min(threads, count); ++w) pool.emplace_back(worker, w);
    worker(0);
    for (auto& t : pool) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  };
  for (size_t first = 0; first < samples.size(); first += threads) {
    const size_t count = std::min(threads, samples.size() - first);
    std::vector<TensorMap> runs(count);
    parallel(count, [&](size_t j) { runs[j] = RunGraph(graph_, samples[first + j], ro); });
    for (size_t j = 0; j < count; ++j)
      for (const auto& [name, t] : samples[first + j]) runs[j].emplace(name, t);
    // One task per float tensor, largest first (the map and the task list are
    // built here, serially).
    struct Task {
      const std::string* name;
      TensorStats* stats;
      Accum* accum;
      size_t size;
    };
    std::vector<Task> tasks;
    for (const auto& [name, t] : runs[0]) {
      if (graph_.IsConstant(name)) continue;
      if (!t.is_float() || t.f.empty()) {
        shapes_[name] = t.shape;  // shape only (comparison results): the quantizer still needs it
        continue;
      }
      auto st = stats_.try_emplace(name).first;
      tasks.push_back({&st->first, &st->second, &accum_[name], t.f.size()});
    }
    std::stable_sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.size > b.size; });
    parallel(tasks.size(), [&](size_t i) {
      const Task& task = tasks[i];
      for (size_t j = 0; j < count; ++j) {
        auto it = runs[j].find(*task.name);
        if (it == runs[j].end() || !it->second.is_float() || it->second.f.empty()) continue;
        Observe(*task.stats, *task.accum, *task.name, it->second, first + j, hist);
      }
    });
    runs.clear();
    for (size_t j = 0; j < count; ++j)
      if (options.progress) options.progress(++done, total);
  }
  if (hist)
    for (auto& [name, s] : stats_) {
      s.absmax = std::max(std::fabs(s.min), std::fabs(s.max));
      accum_[name].hist.Spread(s.absmax, &s.abs_hist, &s.signed_hist);
    }
}

std::map<std::string, Range> Calibrator::Ranges(const CalibOptions& options) const {
  std::map<std::string, Range> out;
  for (const auto& [name, s] : stats_) out[name] = RangeFromStats(s, options.method, options.percentile);
  return out;
}

}  // namespace dyad::convert
