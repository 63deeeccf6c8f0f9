#include "converter/quantize/quant_math.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "converter/ir/error.h"

namespace dyad::convert {

void DTypeLimits(fb::DType t, int32_t* lo, int32_t* hi) {
  switch (t) {
    case fb::DType::INT8: *lo = -128; *hi = 127; return;
    case fb::DType::UINT8: *lo = 0; *hi = 255; return;
    case fb::DType::INT16: *lo = -32768; *hi = 32767; return;
    case fb::DType::INT32: *lo = std::numeric_limits<int32_t>::min(); *hi = std::numeric_limits<int32_t>::max(); return;
  }
}

void QLimits(const QParams& p, int32_t* lo, int32_t* hi) {
  DTypeLimits(p.dtype, lo, hi);
  if (p.limit > 0) {
    *lo = std::max(*lo, -p.limit);
    *hi = std::min(*hi, p.limit);
  }
}

QParams ChooseParams(float lo, float hi, fb::DType dtype, int32_t limit) {
  double a = std::min<double>(lo, 0.0), b = std::max<double>(hi, 0.0);
  if (!std::isfinite(a) || !std::isfinite(b)) throw ConvertError("non-finite calibration range");
  QParams p;
  p.dtype = dtype;
  if (dtype == fb::DType::INT16) {
    const double m = std::max(std::max(-a, b), 1e-8);
    p.limit = limit > 0 && limit < 32767 ? limit : 0;
    p.scale = m / (p.limit > 0 ? p.limit : 32767.0);
    p.zero_point = 0;
    return p;
  }
  if (b - a < 1e-8) b = a + 1e-8;
  p.scale = (b - a) / 255.0;
  const double z = -128.0 - a / p.scale;
  p.zero_point = static_cast<int32_t>(std::clamp(std::round(z), -128.0, 127.0));
  return p;
}

DyadicMultiplier Multiplier(double real, const std::string& what, int significant_bits) {
  DyadicMultiplier m;
  if (!quantize_multiplier(real, &m, significant_bits))
    throw ConvertError(what + ": multiplier " + std::to_string(real) +
                       " is outside the dyadic range (shift in [-31, 30])");
  return m;
}

std::vector<int8_t> BuildLut(const std::function<double(double)>& f, const QParams& in,
                             const QParams& out, bool uint8_input) {
  std::vector<int8_t> t(256);
  for (int i = 0; i < 256; ++i) {
    const int q = uint8_input ? i : i - 128;
    const double x = in.scale * (q - in.zero_point);
    const double y = f(x);
    t[i] = static_cast<int8_t>(quantize_value(y, out.scale, out.zero_point, -128, 127));
  }
  return t;
}

std::vector<int16_t> BuildLut16(const std::function<double(double)>& f, const QParams& in,
                                const QParams& out) {
  int32_t lo, hi;
  QLimits(out, &lo, &hi);
  std::vector<int16_t> t(513);
  for (int j = 0; j <= 512; ++j) {
    const double x = in.scale * (-32768.0 + 128.0 * j);
    t[j] = static_cast<int16_t>(quantize_value(f(x), out.scale, 0, lo, hi));
  }
  return t;
}

double SqnrOfQuantization(const std::vector<float>& x, const QParams& p) {
  int32_t lo, hi;
  DTypeLimits(p.dtype, &lo, &hi);
  double sig = 0, noise = 0;
  for (float v : x) {
    const int32_t q = quantize_value(v, p.scale, p.zero_point, lo, hi);
    const double r = dequantize_value(q, p.scale, p.zero_point);
    sig += double(v) * v;
    noise += (r - v) * (r - v);
  }
  if (noise <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(std::max(sig, 1e-30) / noise);
}

double SmallHalfSqnrOfQuantization(const std::vector<float>& x, const QParams& p) {
  if (x.empty()) return SqnrOfQuantization(x, p);
  std::vector<float> mag(x.size());
  for (size_t k = 0; k < x.size(); ++k) mag[k] = std::fabs(x[k]);
  std::nth_element(mag.begin(), mag.begin() + mag.size() / 2, mag.end());
  const float median = mag[mag.size() / 2];
  std::vector<float> small;
  for (float v : x)
    if (std::fabs(v) <= median) small.push_back(v);
  return std::min(SqnrOfQuantization(x, p), SqnrOfQuantization(small, p));
}

double Sqnr(const std::vector<float>& ref, const std::vector<float>& test) {
  double sig = 0, noise = 0;
  const size_t n = std::min(ref.size(), test.size());
  for (size_t k = 0; k < n; ++k) {
    sig += double(ref[k]) * ref[k];
    const double d = double(test[k]) - ref[k];
    noise += d * d;
  }
  if (noise <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(std::max(sig, 1e-30) / noise);
}

double Cosine(const std::vector<float>& ref, const std::vector<float>& test) {
  double ab = 0, aa = 0, bb = 0;
  const size_t n = std::min(ref.size(), test.size());
  for (size_t k = 0; k < n; ++k) {
    ab += double(ref[k]) * test[k];
    aa += double(ref[k]) * ref[k];
    bb += double(test[k]) * test[k];
  }
  if (aa == 0 && bb == 0) return 1.0;
  if (aa == 0 || bb == 0) return 0.0;
  return ab / std::sqrt(aa * bb);
}

}  // namespace dyad::convert
