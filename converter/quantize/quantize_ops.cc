// One handler per IR op: emits the dyad operator(s) with every multiplier,
// table and bound precomputed (docs/quantization.md, eq. numbers cited).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <cstring>
#include <limits>

#include "converter/quantize/quantizer_internal.h"
#include "converter/quantize/weight_rounding.h"

namespace dyad::convert {
namespace {

using Fbb = flatbuffers::FlatBufferBuilder;

int64_t NormAxis(const Quantizer& q, const Node& n, int64_t axis, size_t rank) {
  const int64_t a = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (a < 0 || a >= static_cast<int64_t>(rank)) q.Fail(n, "axis " + std::to_string(axis) + " out of range");
  return a;
}

// Stored position of IR axis `a` under `perm`.
int32_t StoredAxis(const Perm& perm, int64_t a) {
  return static_cast<int32_t>(std::find(perm.begin(), perm.end(), a) - perm.begin());
}

std::vector<float> ConstFloats(const Quantizer& q, const Node& n, size_t k) {
  const Tensor* t = q.g_.Constant(n.Input(k));
  if (!t) q.Fail(n, "input " + std::to_string(k) + " must be a constant");
  return t->ToFloatVector();
}

std::vector<int64_t> ConstInts(const Quantizer& q, const Node& n, size_t k) {
  const Tensor* t = q.g_.Constant(n.Input(k));
  if (!t) q.Fail(n, "input " + std::to_string(k) + " must be a constant");
  return t->ToInt64Vector();
}

struct Geometry {
  int32_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
};

// Kernel geometry of a 2-D Conv/Pool from attributes and the known in/out
// extents; the end pads are grown so floor((in + pads - span) / stride) + 1
// equals the output extent (covers ceil_mode).
Geometry MakeGeometry(const Quantizer& q, const Node& n, const Shape& in, const Shape& out,
                      int64_t kh, int64_t kw) {
  Geometry g;
  auto strides = n.GetInts("strides", {1, 1});
  auto dil = n.GetInts("dilations", {1, 1});
  auto pads = n.GetInts("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
    q.Fail(n, "only 2-D kernels are supported (attribute strides/dilations/pads length)");
  g.kh = static_cast<int32_t>(kh);
  g.kw = static_cast<int32_t>(kw);
  g.sh = static_cast<int32_t>(strides[0]);
  g.sw = static_cast<int32_t>(strides[1]);
  g.dh = static_cast<int32_t>(dil[0]);
  g.dw = static_cast<int32_t>(dil[1]);
  const std::string auto_pad = n.GetString("auto_pad", "NOTSET");
  int64_t p[4] = {pads[0], pads[1], pads[2], pads[3]};
  const int64_t ext_h = (kh - 1) * g.dh + 1, ext_w = (kw - 1) * g.dw + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int64_t th = std::max<int64_t>(0, (out[2] - 1) * g.sh + ext_h - in[2]);
    const int64_t tw = std::max<int64_t>(0, (out[3] - 1) * g.sw + ext_w - in[3]);
    const bool upper = auto_pad == "SAME_UPPER";
    p[0] = upper ? th / 2 : (th + 1) / 2;
    p[2] = th - p[0];
    p[1] = upper ? tw / 2 : (tw + 1) / 2;
    p[3] = tw - p[1];
  } else if (auto_pad == "VALID") {
    p[0] = p[1] = p[2] = p[3] = 0;
  } else if (auto_pad != "NOTSET") {
    q.Fail(n, "attribute auto_pad '" + auto_pad + "' is not supported");
  }
  // Grow the end pads until the floor formula gives the output extent.
  for (int guard = 0; guard < 64 && (in[2] + p[0] + p[2] - ext_h) / g.sh + 1 < out[2]; ++guard) ++p[2];
  for (int guard = 0; guard < 64 && (in[3] + p[1] + p[3] - ext_w) / g.sw + 1 < out[3]; ++guard) ++p[3];
  g.pt = static_cast<int32_t>(p[0]);
  g.pl = static_cast<int32_t>(p[1]);
  g.pb = static_cast<int32_t>(p[2]);
  g.pr = static_cast<int32_t>(p[3]);
  return g;
}

// Per-channel symmetric int8 weights of a [rows, per] matrix (eq. 1, Z = 0).
struct ChannelWeights {
  std::vector<int8_t> q;
  std::vector<double> scale;
  std::vector<int64_t> abs_sum;
};

// `min_scale[r]` (optional) keeps the bias of eq. 3 inside int32 for rows
// whose weights are tiny next to their bias. `moments` (optional, one matrix
// per group of rows / groups rows): round for those inputs (weight_rounding.h)
// rather than to the nearest step.
ChannelWeights QuantizeRows(const std::vector<float>& w, int64_t rows, int64_t per,
                            const std::vector<double>& min_scale = {},
                            const InputMoments* moments = nullptr) {
  ChannelWeights cw;
  cw.q.resize(w.size());
  cw.scale.resize(rows);
  cw.abs_sum.assign(rows, 0);
  const bool rounded = moments != nullptr && moments->k == per && !moments->h.empty() &&
                       rows % static_cast<int64_t>(moments->h.size()) == 0;
  const int64_t rows_per_group = rounded ? rows / static_cast<int64_t>(moments->h.size()) : rows;
  std::vector<double> factor;
  for (int64_t r = 0; r < rows; ++r) {
    float m = 0;
    for (int64_t i = 0; i < per; ++i) m = std::max(m, std::fabs(w[r * per + i]));
    cw.scale[r] = WeightStep(m);
    if (!min_scale.empty()) cw.scale[r] = std::max(cw.scale[r], min_scale[r]);
    if (rounded) {
      if (r % rows_per_group == 0) factor = PrepareRounding(moments->h[r / rows_per_group], per);
      RoundRow(factor, per, &w[r * per], cw.scale[r], &cw.q[r * per]);
    } else {
      for (int64_t i = 0; i < per; ++i)
        cw.q[r * per + i] = static_cast<int8_t>(quantize_value(w[r * per + i], cw.scale[r], 0, -127, 127));
    }
    for (int64_t i = 0; i < per; ++i) cw.abs_sum[r] += std::abs(int32_t{cw.q[r * per + i]});
  }
  return cw;
}

// Budget of input vectors per layer for its moments: enough for a full-rank
// H (k <= a few thousand) at a bounded cost (k^2 per vector).
constexpr int64_t kRoundingVectors = 4096;
// Above this k the O(k^3) factorisation is not worth it: round to nearest.
constexpr int64_t kRoundingMaxK = 2304;

std::vector<const Tensor*> RoundingInputs(const std::vector<std::map<std::string, Tensor>>& samples,
                                          const std::string& name) {
  std::vector<const Tensor*> v;
  for (const auto& s : samples) {
    auto it = s.find(name);
    if (it != s.end() && it->second.is_float()) v.push_back(&it->second);
  }
  return v;
}

std::vector<double> BiasMinScale(const std::vector<float>& bias, size_t rows, double in_scale) {
  std::vector<double> m(rows, 0.0);
  for (size_t r = 0; r < rows && r < bias.size(); ++r) m[r] = std::fabs(bias[r]) / (in_scale * 1073741824.0);
  return m;
}

// Bias (eq. 3), per-channel multipliers (eq. 6) and the overflow proof (§2).
struct Requant {
  std::vector<int32_t> bias, mult;
  std::vector<int8_t> shift;
};

Requant MakeRequant(const Quantizer& q, const Node& n, const ChannelWeights& cw,
                    const std::vector<float>& bias, const QParams& in, const QParams& out) {
  Requant r;
  const size_t rows = cw.scale.size();
  for (size_t c = 0; c < rows; ++c) {
    const double s_acc = in.scale * cw.scale[c];
    const double b = bias.empty() ? 0.0 : std::round(bias[c] / s_acc);
    // |acc| <= |bias| + 256 * sum|w| holds for both the plain form of eq. 2 and
    // its zero-point expansion (|q|, |q - Z| <= 255 < 256). An int16 input
    // (Z = 0) is bounded by its producers' clamp, `limit`, or else 2^15.
    const double max_q = in.dtype != fb::DType::INT16 ? 256.0 : in.limit > 0 ? in.limit : 32768.0;
    const double bound = std::fabs(b) + max_q * static_cast<double>(cw.abs_sum[c]);
    if (bound >= 2147483647.0)
      q.Fail(n, "the int32 accumulator of output channel " + std::to_string(c) +
                    " could overflow (bound " + std::to_string(bound) + " >= 2^31); refusing this layer");
    r.bias.push_back(static_cast<int32_t>(b));
    const DyadicMultiplier m = Multiplier(s_acc / out.scale, n.Describe());
    r.mult.push_back(m.multiplier);
    r.shift.push_back(static_cast<int8_t>(m.shift));
  }
  return r;
}

std::function<double(double)> UnaryFunction(const Quantizer& q, const Node& n) {
  const std::string& op = n.op;
  if (op == "Sigmoid") return [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  if (op == "Tanh") return [](double x) { return std::tanh(x); };
  if (op == "HardSigmoid") {
    const double a = n.GetFloat("alpha", 0.2f), b = n.GetFloat("beta", 0.5f);
    return [a, b](double x) { return std::clamp(a * x + b, 0.0, 1.0); };
  }
  if (op == "HardSwish") return [](double x) { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); };
  if (op == "LeakyRelu") {
    const double a = n.GetFloat("alpha", 0.01f);
    return [a](double x) { return x >= 0 ? x : a * x; };
  }
  if (op == "Relu") return [](double x) { return std::max(x, 0.0); };
  if (op == "Clip") {
    double lo = -INFINITY, hi = INFINITY;
    if (!n.Input(1).empty()) lo = ConstFloats(q, n, 1).at(0);
    if (!n.Input(2).empty()) hi = ConstFloats(q, n, 2).at(0);
    return [lo, hi](double x) { return std::clamp(x, lo, hi); };
  }
  if (op == "Exp") return [](double x) { return std::exp(x); };
  if (op == "Elu") {
    const double a = n.GetFloat("alpha", 1.0f);
    return [a](double x) { return x >= 0 ? x : a * (std::exp(x) - 1); };
  }
  if (op == "Selu") {
    const double a = n.GetFloat("alpha", 1.67326319f), g = n.GetFloat("gamma", 1.05070102f);
    return [a, g](double x) { return g * (x > 0 ? x : a * (std::exp(x) - 1)); };
  }
  if (op == "Softplus") return [](double x) { return std::log1p(std::exp(x)); };
  if (op == "Mish") return [](double x) { return x * std::tanh(std::log1p(std::exp(x))); };
  if (op == "Gelu") return [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); };
  if (op == "Erf") return [](double x) { return std::erf(x); };
  if (op == "Neg") return [](double x) { return -x; };
  if (op == "Abs") return [](double x) { return std::fabs(x); };
  q.Fail(n, "no lookup table for this op");
}

OptionsBuilder AddSubOptions(bool sub, const QParams& a, const QParams& b, const QParams& out,
                             int32_t lo, int32_t hi, const std::string& what) {
  // Eq. 7-9. L = 15 when an input is int16 (|q| 2^15 << L fits int32).
  // int8: L = 7 with 15-bit multipliers (every intermediate fits int16, so the
  // kernels run the 16-bit form, BinaryKernelParams::narrow) when its extra
  // rounding, at most twice_max / (2^7 s_out) output steps for both inputs
  // together, is at most 1/16 of a step; otherwise L = 20, 31-bit multipliers.
  const bool wide = a.dtype == fb::DType::INT16 || b.dtype == fb::DType::INT16;
  const double twice_max = 2.0 * std::max(a.scale, b.scale);
  const bool narrow = !wide && twice_max <= 8.0 * out.scale;
  const int left = wide ? 15 : (narrow ? 7 : 20);
  const int bits = narrow ? 15 : 31;
  const DyadicMultiplier ma = Multiplier(a.scale / twice_max, what, bits);
  const DyadicMultiplier mb = Multiplier(b.scale / twice_max, what, bits);
  const DyadicMultiplier mo = Multiplier(twice_max / (std::ldexp(1.0, left) * out.scale), what, bits);
  return [=](Fbb& f) {
    if (sub)
      return fb::CreateSubOptions(f, left, ma.multiplier, ma.shift, mb.multiplier, mb.shift,
                                  mo.multiplier, mo.shift, lo, hi).Union();
    return fb::CreateAddOptions(f, left, ma.multiplier, ma.shift, mb.multiplier, mb.shift,
                                mo.multiplier, mo.shift, lo, hi).Union();
  };
}

// Symmetric parameters of a constant operand: int8, or int16 in W8A16 mode.
QParams ConstParams(const Tensor& c, bool int16) {
  float m = 0;
  for (float v : c.ToFloatVector()) m = std::max(m, std::fabs(v));
  QParams p;
  p.dtype = int16 ? fb::DType::INT16 : fb::DType::INT8;
  const double qmax = int16 ? 32767.0 : 127.0;
  p.scale = m > 0 ? m / qmax : 1.0;
  p.zero_point = 0;
  return p;
}

}  // namespace

void Quantizer::QuantizeNode(const Node& n) {
  const std::string& op = n.op;
  auto out_params = [&](size_t k = 0) -> const QParams& { return Params(n, n.outputs[k]); };

  if (op == "Cast") {
    const int64_t to = n.GetInt("to", 1);
    if (to != 1 && to != 9) Fail(n, "Cast to ONNX type " + std::to_string(to) + " of an activation is not supported");
    act_[n.outputs[0]] = Get(n, n.Input(0));
    return;
  }

  if (op == "Equal") {
    // a == b for two tensors on one grid: the exact integer difference (a Sub
    // with the inputs' scale, eq. 7-9) and a table d == 0 -> 1 (eq. 13).
    const QParams& pa = Params(n, n.Input(0));
    const QParams& pb = Params(n, n.Input(1));
    if (pa.dtype != pb.dtype || pa.scale != pb.scale || pa.zero_point != pb.zero_point)
      Fail(n, "Equal of tensors with different scales is not supported");
    if (IrShape(n.Input(0)) != IrShape(n.Input(1))) Fail(n, "Equal with broadcasting is not supported");
    const Stored s = Get(n, n.Input(0));
    const int32_t b = Ensure(n, n.Input(1), s.perm);
    // The difference is int8 (Z = 0, the inputs' scale) even for int16
    // inputs: 0 stays 0 and any other difference saturates away from 0.
    QTensor d = m_.tensors[s.tensor];
    d.name = n.outputs[0] + "/difference";
    d.dtype = fb::DType::INT8;
    d.zero_point = 0;
    const int32_t dt = m_.AddTensor(d);
    QParams pd = pa;
    pd.dtype = fb::DType::INT8;
    pd.zero_point = 0;
    pd.limit = 0;
    AddOp(n, fb::OperatorOptions::SubOptions, {s.tensor, b}, {dt},
          AddSubOptions(true, pa, pb, pd, -128, 127, n.Describe()));
    const std::vector<int8_t> table = BuildLut([](double x) { return x == 0.0 ? 1.0 : 0.0; }, pd, out_params());
    const int32_t y = NewAct(n.outputs[0], s.perm);
    AddOp(n, fb::OperatorOptions::LutOptions, {dt}, {y}, [table](Fbb& f) {
      return fb::CreateLutOptionsDirect(f, &table).Union();
    });
    return;
  }

  if (op == "Identity" || op == "Dropout") {
    act_[n.outputs[0]] = Get(n, n.Input(0));
    return;
  }

  if (op == "Conv" || op == "ConvTranspose") {
    const bool transpose = op == "ConvTranspose";
    const Tensor* w = g_.Constant(n.Input(1));
    if (!w) Fail(n, "weights (input 1) must be a constant");
    if (w->shape.size() != 4) Fail(n, "only 2-D convolutions are supported (weights rank " + std::to_string(w->shape.size()) + ")");
    const int64_t groups = n.GetInt("group", 1);
    const Shape& in_s = IrShape(n.Input(0));
    const Shape& out_s = IrShape(n.outputs[0]);
    const QParams& in = Params(n, n.Input(0));
    const QParams& out = out_params();
    const int64_t kh = w->shape[2], kw = w->shape[3];
    // OIHW -> OHWI (Conv) or [Cin, Cout/g, kh, kw] -> [Cout, kh, kw, Cin/g] (ConvTranspose).
    const int64_t cout = transpose ? w->shape[1] * groups : w->shape[0];
    const int64_t cin_g = transpose ? w->shape[0] / groups : w->shape[1];
    std::vector<float> ohwi(cout * kh * kw * cin_g);
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < cin_g; ++i)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x) {
            int64_t src;
            if (!transpose) {
              src = ((o * cin_g + i) * kh + y) * kw + x;
            } else {
              const int64_t g = o / (cout / groups), og = o % (cout / groups);
              src = (((g * cin_g + i) * (cout / groups) + og) * kh + y) * kw + x;
            }
            ohwi[((o * kh + y) * kw + x) * cin_g + i] = w->f[src];
          }
    std::vector<float> bias;
    if (!n.Input(2).empty()) bias = ConstFloats(*this, n, 2);
    InputMoments moments;
    if (!transpose && !opt_.rounding_samples.empty() && kh * kw * cin_g <= kRoundingMaxK) {
      const Geometry mg = MakeGeometry(*this, n, in_s, out_s, kh, kw);
      ConvPatchGeometry pg;
      pg.groups = groups;
      pg.kh = kh;
      pg.kw = kw;
      pg.sh = mg.sh;
      pg.sw = mg.sw;
      pg.dh = mg.dh;
      pg.dw = mg.dw;
      pg.pt = mg.pt;
      pg.pl = mg.pl;
      pg.out_h = out_s[2];
      pg.out_w = out_s[3];
      moments = ConvInputMoments(RoundingInputs(opt_.rounding_samples, n.Input(0)), pg,
                                 std::max<int64_t>(kRoundingVectors, 2 * kh * kw * cin_g));
    }
    const InputMoments* mom = moments.count > 0 ? &moments : nullptr;
    ChannelWeights cw = QuantizeRows(ohwi, cout, kh * kw * cin_g, BiasMinScale(bias, cout, in.scale), mom);
    if (!transpose && opt_.weight_bias_correction) {
      // Weight rounding error times the input's mean is a bias the float model
      // does not have; large when kernel weights nearly cancel (an edge
      // filter: rounding leaves a DC gain) on an input with a large mean. Its
      // expectation, over the calibration data, is removed from the bias.
      auto st = stats_.find(n.Input(0));
      const int64_t cin = in_s.size() == 4 ? in_s[1] : 0;
      if (st != stats_.end() && static_cast<int64_t>(st->second.channel_mean.size()) == cin && cin > 0) {
        const std::vector<double>& mean = st->second.channel_mean;
        if (bias.empty()) bias.assign(cout, 0.0f);
        const int64_t per = kh * kw * cin_g;
        // Fraction of output positions at which each kernel tap reads inside
        // the image (padding reads 0): small maps are mostly border.
        const Geometry tg = MakeGeometry(*this, n, in_s, out_s, kh, kw);
        auto inside = [](int64_t out_n, int64_t in_n, int64_t stride, int64_t pad, int64_t tap) {
          int64_t c = 0;
          for (int64_t o = 0; o < out_n; ++o) {
            const int64_t i = o * stride - pad + tap;
            c += i >= 0 && i < in_n;
          }
          return out_n > 0 ? double(c) / double(out_n) : 0.0;
        };
        std::vector<double> tap_frac(kh * kw);
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            tap_frac[y * kw + x] = inside(out_s[2], in_s[2], tg.sh, tg.pt, y * tg.dh) *
                                   inside(out_s[3], in_s[3], tg.sw, tg.pl, x * tg.dw);
        for (int64_t o = 0; o < cout; ++o) {
          const int64_t g0 = (o / (cout / groups)) * cin_g;
          double shift = 0;
          for (int64_t e = 0; e < per; ++e) {
            const double err = cw.q[o * per + e] * cw.scale[o] - ohwi[o * per + e];
            shift += err * mean[g0 + e % cin_g] * tap_frac[e / cin_g];
          }
          bias[o] = static_cast<float>(bias[o] - shift);
        }
        cw = QuantizeRows(ohwi, cout, per, BiasMinScale(bias, cout, in.scale), mom);
      }
    }
    const Requant rq = MakeRequant(*this, n, cw, bias, in, out);
    int32_t lo, hi;
    ActBounds(n, out, &lo, &hi);
    Geometry geo;
    if (!transpose) {
      geo = MakeGeometry(*this, n, in_s, out_s, kh, kw);
    } else {
      auto strides = n.GetInts("strides", {1, 1});
      auto dil = n.GetInts("dilations", {1, 1});
      auto pads = n.GetInts("pads", {0, 0, 0, 0});
      if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4) Fail(n, "only 2-D kernels are supported");
      const std::string auto_pad = n.GetString("auto_pad", "NOTSET");
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        // The output is in*stride; the full transposed output is cropped by
        // `total`, split as ONNX does (halves rounded toward -inf; SAME_UPPER
        // crops less at the start).
        const auto out_pad = n.GetInts("output_padding", {0, 0});
        if (out_pad.size() != 2) Fail(n, "output_padding must have 2 values");
        const int64_t k[2] = {kh, kw};
        for (int d = 0; d < 2; ++d) {
          const int64_t full = strides[d] * (in_s[2 + d] - 1) + out_pad[d] + (k[d] - 1) * dil[d] + 1;
          const int64_t total = full - out_s[2 + d];
          const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
          pads[d] = auto_pad == "SAME_UPPER" ? half : total - half;
          pads[d + 2] = total - pads[d];
        }
      } else if (auto_pad == "VALID") {
        pads = {0, 0, 0, 0};
      } else if (auto_pad != "NOTSET") {
        Fail(n, "attribute auto_pad '" + auto_pad + "' is not supported");
      }
      geo.kh = kh; geo.kw = kw;
      geo.sh = strides[0]; geo.sw = strides[1]; geo.dh = dil[0]; geo.dw = dil[1];
      geo.pt = pads[0]; geo.pl = pads[1]; geo.pb = pads[2]; geo.pr = pads[3];
    }
    const int32_t x = Ensure(n, n.Input(0), NhwcPerm());
    std::vector<float> wscale(cw.scale.begin(), cw.scale.end());
    const int32_t wt = AddConstTensor(n.Input(1) + "/ohwi", {int32_t(cout), int32_t(kh), int32_t(kw), int32_t(cin_g)},
                                      fb::DType::INT8, cw.q.data(), cw.q.size(), cw.scale[0], 0);
    const int32_t bt = AddConstTensor(n.name + "/bias", {int32_t(cout)}, fb::DType::INT32, rq.bias.data(),
                                      rq.bias.size() * 4, in.scale * cw.scale[0], 0);
    const int32_t y = NewAct(n.outputs[0], NhwcPerm());
    (void)in_s;
    if (!transpose) {
      AddOp(n, fb::OperatorOptions::Conv2DOptions, {x, wt, bt}, {y}, [=](Fbb& f) {
        return fb::CreateConv2DOptionsDirect(f, geo.sh, geo.sw, geo.dh, geo.dw, geo.pt, geo.pl, geo.pb,
                                             geo.pr, int32_t(groups), &rq.mult, &rq.shift, lo, hi).Union();
      });
    } else {
      AddOp(n, fb::OperatorOptions::TransposeConv2DOptions, {x, wt, bt}, {y}, [=](Fbb& f) {
        return fb::CreateTransposeConv2DOptionsDirect(f, geo.sh, geo.sw, geo.dh, geo.dw, geo.pt, geo.pl,
                                                      geo.pb, geo.pr, int32_t(groups), &rq.mult, &rq.shift,
                                                      lo, hi).Union();
      });
    }
    return;
  }

  if (op == "Gemm" || (op == "MatMul" && g_.IsConstant(n.Input(1)))) {
    const Tensor* b = g_.Constant(n.Input(1));
    if (!b) {
      if (n.GetInt("transB", 0) || n.GetInt("transA", 0) || !n.Input(2).empty())
        Fail(n, "Gemm with a non-constant B and transposes or C is not supported");
    } else {
      const bool trans_a = n.GetInt("transA", 0) != 0;
      if (trans_a && IrShape(n.Input(0)).size() != 2) Fail(n, "transA=1 needs a 2-D A");
      if (b->shape.size() != 2) Fail(n, "B must be 2-D");
      const bool trans_b = n.GetInt("transB", 0) != 0;
      const float alpha = n.GetFloat("alpha", 1.0f), beta = n.GetFloat("beta", 1.0f);
      const int64_t kdim = trans_b ? b->shape[1] : b->shape[0];
      const int64_t ndim = trans_b ? b->shape[0] : b->shape[1];
      std::vector<float> w(ndim * kdim);
      for (int64_t o = 0; o < ndim; ++o)
        for (int64_t k = 0; k < kdim; ++k)
          w[o * kdim + k] = alpha * (trans_b ? b->f[o * kdim + k] : b->f[k * ndim + o]);
      std::vector<float> bias;
      if (!n.Input(2).empty()) {
        const std::vector<float> c = ConstFloats(*this, n, 2);
        if (c.size() != 1 && static_cast<int64_t>(c.size()) != ndim) Fail(n, "bias C must have N or 1 elements");
        bias.resize(ndim);
        for (int64_t o = 0; o < ndim; ++o) bias[o] = beta * c[c.size() == 1 ? 0 : o];
      }
      const QParams& in = Params(n, n.Input(0));
      const QParams& out = out_params();
      InputMoments moments;
      if (!opt_.rounding_samples.empty() && !trans_a && kdim <= kRoundingMaxK)
        moments = RowInputMoments(RoundingInputs(opt_.rounding_samples, n.Input(0)), kdim,
                                  std::max<int64_t>(kRoundingVectors, 2 * kdim));
      const ChannelWeights cw = QuantizeRows(w, ndim, kdim, BiasMinScale(bias, ndim, in.scale),
                                             moments.count > 0 ? &moments : nullptr);
      const Requant rq = MakeRequant(*this, n, cw, bias, in, out);
      int32_t lo, hi;
      ActBounds(n, out, &lo, &hi);
      const Shape& xs = IrShape(n.Input(0));
      // transA: A stored transposed ([K, M] -> [M, K]) by Ensure's Transpose.
      const int32_t x = Ensure(n, n.Input(0), trans_a ? Perm{1, 0} : IdentityPerm(xs.size()));
      const int32_t wt = AddConstTensor(n.Input(1) + "/nk", {int32_t(ndim), int32_t(kdim)}, fb::DType::INT8,
                                        cw.q.data(), cw.q.size(), cw.scale[0], 0);
      const int32_t bt = AddConstTensor(n.name + "/bias", {int32_t(ndim)}, fb::DType::INT32, rq.bias.data(),
                                        rq.bias.size() * 4, in.scale * cw.scale[0], 0);
      const int32_t y = NewAct(n.outputs[0], IdentityPerm(IrShape(n.outputs[0]).size()));
      AddOp(n, fb::OperatorOptions::FullyConnectedOptions, {x, wt, bt}, {y}, [=](Fbb& f) {
        return fb::CreateFullyConnectedOptionsDirect(f, &rq.mult, &rq.shift, lo, hi).Union();
      });
      return;
    }
  }

  if (op == "MatMul" || op == "Gemm") {
    // Both operands activations (eq. 20).
    const QParams& a = Params8(n, n.Input(0));
    const QParams& b = Params8(n, n.Input(1));
    const QParams& out = out_params();
    const DyadicMultiplier m = Multiplier(a.scale * b.scale / out.scale, n.Describe());
    int32_t lo, hi;
    ActBounds(n, out, &lo, &hi);
    const int32_t x = Int8Input(n, n.Input(0), IdentityPerm(IrShape(n.Input(0)).size()));
    const int32_t z = Int8Input(n, n.Input(1), IdentityPerm(IrShape(n.Input(1)).size()));
    const int32_t y = NewAct(n.outputs[0], IdentityPerm(IrShape(n.outputs[0]).size()));
    AddOp(n, fb::OperatorOptions::MatMulOptions, {x, z}, {y}, [=](Fbb& f) {
      return fb::CreateMatMulOptions(f, m.multiplier, m.shift, lo, hi).Union();
    });
    return;
  }

  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const std::string& a_name = n.Input(0);
    const std::string& b_name = n.Input(1);
    const bool a_const = g_.IsConstant(a_name), b_const = g_.IsConstant(b_name);
    if (a_const && b_const) Fail(n, "both inputs are constants (should have been folded)");
    if (op == "Div" && !b_const) Fail(n, "Div by a non-constant tensor is not supported");
    const QParams& out = out_params();
    const std::string& act_name = a_const ? b_name : a_name;
    const Stored& s = Get(n, act_name);
    const Perm perm = s.perm;
    const size_t rank = perm.size();
    int32_t lo, hi;
    ActBounds(n, out, &lo, &hi);
    // Mul/Div by one positive number: a Requantize (eq. 16) is exact up to rounding.
    const std::string& c_name = a_const ? a_name : b_name;
    if ((op == "Mul" || op == "Div") && (a_const || b_const) && g_.Constant(c_name)->size() == 1) {
      double c = g_.Constant(c_name)->AsDouble(0);
      if (op == "Div") c = 1.0 / c;
      if (c > 0 && std::isfinite(c)) {
        const QParams& in = Params(n, act_name);
        const DyadicMultiplier m = Multiplier(in.scale * c / out.scale, n.Describe());
        const int32_t x = s.tensor;
        const int32_t y = NewAct(n.outputs[0], perm);
        AddOp(n, fb::OperatorOptions::RequantizeOptions, {x}, {y}, [=](Fbb& f) {
          return fb::CreateRequantizeOptions(f, m.multiplier, m.shift, lo, hi).Union();
        });
        return;
      }
    }
    auto operand = [&](const std::string& name, bool is_const, QParams* p) -> int32_t {
      if (!is_const) {
        *p = Params(n, name);
        if (IrShape(name).size() != rank) {
          // Broadcast between different ranks: both sides in plain IR order.
          if (perm != IdentityPerm(rank)) Fail(n, "broadcast between activations of different rank in a transposed layout");
          return Ensure(n, name, IdentityPerm(IrShape(name).size()));
        }
        return Ensure(n, name, perm);
      }
      Tensor c = *g_.Constant(name);
      if (op == "Div") {
        for (float& v : c.f) v = 1.0f / v;
      }
      *p = ConstParams(c, opt_.int16_activations);
      if (op == "Div") {
        // Quantize the reciprocal under a temporary name.
        std::string tmp = name + "/reciprocal";
        const_cast<Graph&>(g_).constants[tmp] = c;
        return QuantizedConst(n, tmp, rank, perm, *p);
      }
      return QuantizedConst(n, name, rank, perm, *p);
    };
    QParams pa, pb;
    const int32_t ta = operand(a_name, a_const, &pa);
    const int32_t tb = operand(b_name, b_const, &pb);
    const int32_t y = NewAct(n.outputs[0], perm);
    if (op == "Add" || op == "Sub") {
      AddOp(n, op == "Add" ? fb::OperatorOptions::AddOptions : fb::OperatorOptions::SubOptions, {ta, tb}, {y},
            AddSubOptions(op == "Sub", pa, pb, out, lo, hi, n.Describe()));
    } else {
      // Eq. 10. int8: 15-bit multipliers (2^-16 relative), so x86 computes
      // the SRDHM with one int32 multiply (BinaryKernelParams::narrow).
      const bool int8_only = pa.dtype == fb::DType::INT8 && pb.dtype == fb::DType::INT8 &&
                             out.dtype == fb::DType::INT8;
      const DyadicMultiplier m =
          Multiplier(pa.scale * pb.scale / out.scale, n.Describe(), int8_only ? 15 : 31);
      AddOp(n, fb::OperatorOptions::MulOptions, {ta, tb}, {y}, [=](Fbb& f) {
        return fb::CreateMulOptions(f, m.multiplier, m.shift, lo, hi).Union();
      });
    }
    return;
  }

  if (IsUnaryLut(op)) {
    const Stored s = Get(n, n.Input(0));
    const QParams& out = out_params();
    if (Params(n, n.Input(0)).dtype == fb::DType::INT16 && out.dtype == fb::DType::INT16) {
      const std::vector<int16_t> table16 = BuildLut16(UnaryFunction(*this, n), Params(n, n.Input(0)), out);
      const int32_t y = NewAct(n.outputs[0], s.perm);
      AddOp(n, fb::OperatorOptions::LutOptions, {s.tensor}, {y}, [table16](Fbb& f) {
        return fb::CreateLutOptionsDirect(f, nullptr, &table16).Union();
      });
      return;
    }
    // int8 table (eq. 13); an int16 input is requantized to int8 first, an
    // int16 output (W8A16, int8 input) widened after.
    const QParams& in = Params8(n, n.Input(0));
    const QParams& out8 = Params8(n, n.outputs[0]);
    const int32_t x = Int8Input(n, n.Input(0), s.perm);
    const std::vector<int8_t> table = BuildLut(UnaryFunction(*this, n), in, out8);
    const int32_t y = NewAct(n.outputs[0], s.perm);
    int32_t y8 = y;
    if (out.dtype == fb::DType::INT16) {
      QTensor t = m_.tensors[y];
      t.name = n.outputs[0] + "/int8";
      t.dtype = fb::DType::INT8;
      t.scale = static_cast<float>(out8.scale);
      t.zero_point = out8.zero_point;
      y8 = m_.AddTensor(t);
    }
    AddOp(n, fb::OperatorOptions::LutOptions, {x}, {y8}, [table](Fbb& f) {
      return fb::CreateLutOptionsDirect(f, &table).Union();
    });
    if (y8 != y) {
      const DyadicMultiplier m = Multiplier(out8.scale / out.scale, n.Describe() + " int16 output");  // eq. 16
      int32_t lo, hi;
      QLimits(out, &lo, &hi);
      AddOp(n, fb::OperatorOptions::RequantizeOptions, {y8}, {y}, [=](Fbb& f) {
        return fb::CreateRequantizeOptions(f, m.multiplier, m.shift, lo, hi).Union();
      });
    }
    return;
  }

  if (op == "PRelu") {
    const Stored s = Get(n, n.Input(0));
    const QParams& in = Params8(n, n.Input(0));
    const QParams& out = out_params();
    const Tensor* slope = g_.Constant(n.Input(1));
    if (!slope) Fail(n, "slope (input 1) must be a constant");
    const std::vector<float> a = slope->ToFloatVector();
    const Shape& xs = IrShape(n.Input(0));
    Perm perm = s.perm;
    int32_t x = s.tensor;
    if (a.size() > 1) {
      // The slope must vary along the stored last axis only (eq. 19).
      Shape full(xs.size() - slope->shape.size(), 1);
      full.insert(full.end(), slope->shape.begin(), slope->shape.end());
      int varying = -1;
      for (size_t k = 0; k < full.size(); ++k)
        if (full[k] != 1) {
          if (varying >= 0) Fail(n, "slope must vary along one axis");
          varying = static_cast<int>(k);
        }
      if (perm.back() != varying) {
        perm = xs.size() == 4 && varying == 1 ? NhwcPerm() : IdentityPerm(xs.size());
        if (perm.back() != varying) Fail(n, "slope must vary along the channel or last axis");
        x = Ensure(n, n.Input(0), perm);
      }
    }
    x = Int8Input(n, n.Input(0), perm);
    std::vector<int32_t> nm;
    std::vector<int8_t> ns;
    for (float v : a) {
      const DyadicMultiplier m = Multiplier(v * in.scale / out.scale, n.Describe());
      nm.push_back(m.multiplier);
      ns.push_back(static_cast<int8_t>(m.shift));
    }
    const DyadicMultiplier mp = Multiplier(in.scale / out.scale, n.Describe());
    const int32_t y = NewAct(n.outputs[0], perm);
    AddOp(n, fb::OperatorOptions::PReluOptions, {x}, {y}, [=](Fbb& f) {
      return fb::CreatePReluOptionsDirect(f, mp.multiplier, mp.shift, &nm, &ns).Union();
    });
    return;
  }

  if (op == "MaxPool" || op == "AveragePool") {
    auto kernel = n.GetInts("kernel_shape");
    if (kernel.size() != 2) Fail(n, "attribute kernel_shape must have 2 values (2-D pooling only)");
    if (n.outputs.size() > 1 && !n.outputs[1].empty()) Fail(n, "the Indices output is not supported");
    const Shape& in_s = IrShape(n.Input(0));
    const Geometry geo = MakeGeometry(*this, n, in_s, IrShape(n.outputs[0]), kernel[0], kernel[1]);
    // AveragePool runs int8 -> int8 or int16 -> int16: an int16 input of an
    // int8 output (AssignParams' `wide`) is read through its int8 copy.
    const bool narrow = op == "AveragePool" && out_params().dtype == fb::DType::INT8;
    const int32_t x = narrow ? Int8Input(n, n.Input(0), NhwcPerm()) : Ensure(n, n.Input(0), NhwcPerm());
    const int32_t y = NewAct(n.outputs[0], NhwcPerm());
    int32_t lo, hi;
    QLimits(out_params(), &lo, &hi);
    if (op == "MaxPool") {
      AddOp(n, fb::OperatorOptions::MaxPoolOptions, {x}, {y}, [=](Fbb& f) {
        return fb::CreateMaxPoolOptions(f, geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, geo.pt, geo.pl,
                                        geo.pb, geo.pr, lo, hi).Union();
      });
      return;
    }
    const QParams& in = narrow ? Params8(n, n.Input(0)) : Params(n, n.Input(0));
    const QParams& out = out_params();
    const bool include_pad = n.GetInt("count_include_pad", 0) != 0;
    std::vector<int32_t> mult(geo.kh * geo.kw + 1, 0);
    std::vector<int8_t> shift(geo.kh * geo.kw + 1, 0);
    for (int c = 1; c <= geo.kh * geo.kw; ++c) {  // eq. 11
      const DyadicMultiplier m = Multiplier(in.scale / (out.scale * c), n.Describe());
      mult[c] = m.multiplier;
      shift[c] = static_cast<int8_t>(m.shift);
    }
    AddOp(n, fb::OperatorOptions::AveragePoolOptions, {x}, {y}, [=](Fbb& f) {
      return fb::CreateAveragePoolOptionsDirect(f, geo.kh, geo.kw, geo.sh, geo.sw, geo.pt, geo.pl, geo.pb,
                                                geo.pr, include_pad, &mult, &shift, lo, hi).Union();
    });
    return;
  }

  if (op == "GlobalAveragePool" || op == "ReduceMean") {
    const Shape& in_s = IrShape(n.Input(0));
    std::vector<int64_t> axes;
    bool keep = true;
    Perm perm;
    if (op == "GlobalAveragePool") {
      if (in_s.size() != 4) Fail(n, "only 4-D inputs are supported");
      axes = {2, 3};
      perm = NhwcPerm();
    } else {
      keep = n.GetInt("keepdims", 1) != 0;
      if (!n.Input(1).empty()) {
        axes = ConstInts(*this, n, 1);
      } else if (n.Has("axes")) {
        axes = n.GetInts("axes");
      } else {
        for (size_t k = 0; k < in_s.size(); ++k) axes.push_back(k);
      }
      for (auto& a : axes) a = NormAxis(*this, n, a, in_s.size());
      perm = Get(n, n.Input(0)).perm;
      if (!keep) perm = IdentityPerm(in_s.size());
    }
    int64_t count = 1;
    for (auto a : axes) count *= in_s[a];
    // Mean runs int8 -> int8 or int16 -> int16 (see AveragePool above).
    const bool narrow = out_params().dtype == fb::DType::INT8;
    const int32_t x = narrow ? Int8Input(n, n.Input(0), perm) : Ensure(n, n.Input(0), perm);
    std::vector<int32_t> stored_axes;
    for (auto a : axes) stored_axes.push_back(StoredAxis(perm, a));
    std::sort(stored_axes.begin(), stored_axes.end());
    const QParams& in = narrow ? Params8(n, n.Input(0)) : Params(n, n.Input(0));
    const QParams& out = out_params();
    const DyadicMultiplier m = Multiplier(in.scale / (out.scale * count), n.Describe());  // eq. 12
    const int32_t y = NewAct(n.outputs[0], keep ? perm : IdentityPerm(IrShape(n.outputs[0]).size()));
    AddOp(n, fb::OperatorOptions::MeanOptions, {x}, {y}, [=](Fbb& f) {
      return fb::CreateMeanOptionsDirect(f, &stored_axes, keep, m.multiplier, m.shift).Union();
    });
    return;
  }

  if (op == "Concat") {
    const Shape& out_s = IrShape(n.outputs[0]);
    const int64_t axis = NormAxis(*this, n, n.GetInt("axis", 0), out_s.size());
    Perm perm = IdentityPerm(out_s.size());
    for (const auto& in : n.inputs)
      if (!g_.IsConstant(in)) {
        perm = Get(n, in).perm;
        break;
      }
    const QParams& p = out_params();
    std::vector<int32_t> ins;
    for (const auto& in : n.inputs) {
      if (g_.IsConstant(in)) {
        ins.push_back(QuantizedConst(n, in, out_s.size(), perm, p));
      } else {
        const QParams& pi = Params(n, in);
        if (pi.dtype != p.dtype || pi.scale != p.scale || pi.zero_point != p.zero_point)
          Fail(n, "input '" + in + "' does not share the output's scale");
        ins.push_back(Ensure(n, in, perm));
      }
    }
    const int32_t axis_s = StoredAxis(perm, axis);
    const int32_t y = NewAct(n.outputs[0], perm);
    AddOp(n, fb::OperatorOptions::ConcatOptions, ins, {y}, [=](Fbb& f) {
      return fb::CreateConcatOptions(f, axis_s).Union();
    });
    return;
  }

  if (op == "Split") {
    const Stored s = Get(n, n.Input(0));
    const int64_t axis = NormAxis(*this, n, n.GetInt("axis", 0), s.perm.size());
    std::vector<int32_t> outs;
    for (const auto& o : n.outputs) {
      if (o.empty()) Fail(n, "unused Split outputs are not supported");
      outs.push_back(NewAct(o, s.perm));
    }
    const int32_t axis_s = StoredAxis(s.perm, axis);
    AddOp(n, fb::OperatorOptions::SplitOptions, {s.tensor}, outs, [=](Fbb& f) {
      return fb::CreateSplitOptions(f, axis_s).Union();
    });
    return;
  }

  if (op == "Slice") {
    const Stored s = Get(n, n.Input(0));
    const Shape& in_s = IrShape(n.Input(0));
    const size_t rank = in_s.size();
    const std::vector<int64_t> starts = ConstInts(*this, n, 1), ends = ConstInts(*this, n, 2);
    std::vector<int64_t> axes, steps;
    if (!n.Input(3).empty()) axes = ConstInts(*this, n, 3);
    else for (size_t k = 0; k < starts.size(); ++k) axes.push_back(k);
    if (!n.Input(4).empty()) steps = ConstInts(*this, n, 4);
    else steps.assign(starts.size(), 1);
    std::vector<int32_t> begin(rank, 0), step(rank, 1);
    for (size_t k = 0; k < axes.size(); ++k) {
      const int64_t a = NormAxis(*this, n, axes[k], rank);
      const int64_t d = in_s[a];
      if (steps[k] == 0) Fail(n, "step 0");
      int64_t b = starts[k];
      if (b < 0) b += d;
      b = steps[k] > 0 ? std::clamp<int64_t>(b, 0, d) : std::clamp<int64_t>(b, 0, d - 1);
      begin[a] = static_cast<int32_t>(b);
      step[a] = static_cast<int32_t>(steps[k]);
    }
    (void)ends;
    std::vector<int32_t> b_s(rank), st_s(rank);
    for (size_t k = 0; k < rank; ++k) {
      b_s[k] = begin[s.perm[k]];
      st_s[k] = step[s.perm[k]];
    }
    const int32_t y = NewAct(n.outputs[0], s.perm);
    AddOp(n, fb::OperatorOptions::SliceOptions, {s.tensor}, {y}, [=](Fbb& f) {
      return fb::CreateSliceOptionsDirect(f, &b_s, &st_s).Union();
    });
    return;
  }

  if (op == "Transpose") {
    const Stored s = Get(n, n.Input(0));
    std::vector<int64_t> p = n.GetInts("perm");
    if (p.empty())
      for (int64_t k = static_cast<int64_t>(s.perm.size()) - 1; k >= 0; --k) p.push_back(k);
    if (p.size() != s.perm.size()) Fail(n, "attribute perm has the wrong length");
    // Alias: the output is the same bytes with layout perm_out[k] = p^-1[perm_in[k]].
    Perm pi(p.begin(), p.end());
    const Perm inv = InversePerm(pi);
    Perm out_perm(s.perm.size());
    for (size_t k = 0; k < s.perm.size(); ++k) out_perm[k] = inv[s.perm[k]];
    act_[n.outputs[0]] = Stored{s.tensor, out_perm};
    return;
  }

  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
    const Stored s = Get(n, n.Input(0));
    const Shape& in_s = IrShape(n.Input(0));
    const Perm id = IdentityPerm(in_s.size());
    const int32_t x = SameOrder(in_s, s.perm, id) ? s.tensor : Ensure(n, n.Input(0), id);
    const int32_t y = NewAct(n.outputs[0], IdentityPerm(IrShape(n.outputs[0]).size()));
    AddOp(n, fb::OperatorOptions::ReshapeOptions, {x}, {y}, [](Fbb& f) {
      return fb::CreateReshapeOptions(f).Union();
    });
    return;
  }

  if (op == "Pad") {
    const Stored s = Get(n, n.Input(0));
    const std::string mode = n.GetString("mode", "constant");
    if (mode != "constant") Fail(n, "attribute mode '" + mode + "' is not supported (constant only)");
    if (!n.Input(3).empty()) Fail(n, "input axes is not supported");
    const std::vector<int64_t> pads = ConstInts(*this, n, 1);
    const size_t rank = s.perm.size();
    if (pads.size() != 2 * rank) Fail(n, "pads must have 2*rank values");
    double value = 0;
    if (!n.Input(2).empty()) value = ConstFloats(*this, n, 2).at(0);
    const QParams& p = Params(n, n.Input(0));
    int32_t lo, hi;
    QLimits(p, &lo, &hi);
    const int32_t qv = quantize_value(value, p.scale, p.zero_point, lo, hi);
    std::vector<int32_t> ps(2 * rank);
    for (size_t k = 0; k < rank; ++k) {
      if (pads[s.perm[k]] < 0 || pads[s.perm[k] + rank] < 0) Fail(n, "negative pads are not supported");
      ps[k] = static_cast<int32_t>(pads[s.perm[k]]);
      ps[k + rank] = static_cast<int32_t>(pads[s.perm[k] + rank]);
    }
    const int32_t y = NewAct(n.outputs[0], s.perm);
    AddOp(n, fb::OperatorOptions::PadOptions, {s.tensor}, {y}, [=](Fbb& f) {
      return fb::CreatePadOptionsDirect(f, &ps, qv).Union();
    });
    return;
  }

  if (op == "Resize" || op == "Upsample") {
    const Shape& in_s = IrShape(n.Input(0));
    const Shape& out_s = IrShape(n.outputs[0]);
    if (in_s.size() != 4 || in_s[0] != out_s[0] || in_s[1] != out_s[1])
      Fail(n, "only resizing H and W of a 4-D tensor is supported");
    const std::string mode = n.GetString("mode", "nearest");
    fb::ResizeMode rm;
    if (mode == "nearest") rm = fb::ResizeMode::NEAREST;
    else if (mode == "linear" || mode == "bilinear") rm = fb::ResizeMode::BILINEAR;
    else Fail(n, "attribute mode '" + mode + "' is not supported (nearest, linear)");
    const std::string ct = n.GetString("coordinate_transformation_mode", op == "Upsample" ? "asymmetric" : "half_pixel");
    fb::CoordinateMode cm;
    if (ct == "half_pixel") cm = fb::CoordinateMode::HALF_PIXEL;
    else if (ct == "align_corners") cm = fb::CoordinateMode::ALIGN_CORNERS;
    else if (ct == "asymmetric") cm = fb::CoordinateMode::ASYMMETRIC;
    else if (ct == "pytorch_half_pixel") cm = fb::CoordinateMode::PYTORCH_HALF_PIXEL;
    else if (ct == "tf_half_pixel_for_nn" && mode == "nearest") cm = fb::CoordinateMode::HALF_PIXEL;
    else Fail(n, "attribute coordinate_transformation_mode '" + ct + "' is not supported");
    std::string nm = n.GetString("nearest_mode", "round_prefer_floor");
    if (ct == "tf_half_pixel_for_nn") {
      // Its coordinate c' = (x + 1/2)/r is half_pixel's c plus 1/2, so
      // round_prefer_floor(c') = ceil(c' - 1/2) = ceil(c) and
      // floor(c') = floor(c + 1/2) = round_prefer_ceil(c).
      if (nm == "round_prefer_floor") nm = "ceil";
      else if (nm == "floor") nm = "round_prefer_ceil";
      else Fail(n, "tf_half_pixel_for_nn with nearest_mode '" + nm + "' is not supported");
    }
    fb::NearestRounding nr;
    if (nm == "round_prefer_floor") nr = fb::NearestRounding::ROUND_PREFER_FLOOR;
    else if (nm == "round_prefer_ceil") nr = fb::NearestRounding::ROUND_PREFER_CEIL;
    else if (nm == "floor") nr = fb::NearestRounding::FLOOR;
    else if (nm == "ceil") nr = fb::NearestRounding::CEIL;
    else Fail(n, "attribute nearest_mode '" + nm + "' is not supported");
    // Rational scales: out/in unless the model's explicit scale differs.
    int32_t hn = int32_t(out_s[2]), hd = int32_t(in_s[2]), wn = int32_t(out_s[3]), wd = int32_t(in_s[3]);
    const std::string& scales_name = op == "Upsample" ? n.Input(1) : n.Input(2);
    if (!scales_name.empty() && g_.IsConstant(scales_name) && g_.Constant(scales_name)->size() == 4) {
      const std::vector<float> sc = g_.Constant(scales_name)->ToFloatVector();
      auto rational = [](double s, int32_t in, int32_t out, int32_t* num, int32_t* den) {
        if (std::fabs(s * in - out) < 1e-6) return false;
        *num = static_cast<int32_t>(std::lround(s * 1000));
        *den = 1000;
        return true;
      };
      const int32_t h_in = hd, w_in = wd;
      const bool h_inexact = rational(sc[2], hd, hn, &hn, &hd);
      const bool w_inexact = rational(sc[3], wd, wn, &wn, &wd);
      if (cm == fb::CoordinateMode::ALIGN_CORNERS && (h_inexact || w_inexact)) {
        // ONNX's align_corners with a scale s divides by in*s - 1, not by
        // out - 1 (different when in*s is not an integer). That map is
        // asymmetric with r = (in*s - 1)/(in - 1): per axis, from the exact
        // out/in or from the rational num/den.
        auto to_asymmetric = [&](bool inexact, int32_t in, int32_t out, int32_t* num, int32_t* den) {
          const int64_t n1 = inexact ? int64_t(in) * *num - *den : out - 1;
          const int64_t d1 = inexact ? int64_t(in - 1) * *den : in - 1;
          if (in <= 1 || n1 <= 0) {  // one input or one output: the coordinate is 0 (or clamped to it)
            *num = 1;
            *den = 1;
            return;
          }
          const int64_t g = std::gcd(n1, d1);
          if (n1 / g > 65536 || d1 / g > 65536) Fail(n, "align_corners scale is not representable");
          *num = static_cast<int32_t>(n1 / g);
          *den = static_cast<int32_t>(d1 / g);
        };
        to_asymmetric(h_inexact, h_in, int32_t(out_s[2]), &hn, &hd);
        to_asymmetric(w_inexact, w_in, int32_t(out_s[3]), &wn, &wd);
        cm = fb::CoordinateMode::ASYMMETRIC;
      }
    }
    const int32_t x = Ensure(n, n.Input(0), NhwcPerm());
    const int32_t y = NewAct(n.outputs[0], NhwcPerm());
    AddOp(n, fb::OperatorOptions::ResizeOptions, {x}, {y}, [=](Fbb& f) {
      return fb::CreateResizeOptions(f, rm, cm, nr, hn, hd, wn, wd).Union();
    });
    return;
  }

  if (op == "Softmax") {
    const Stored s = Get(n, n.Input(0));
    const Shape& in_s = IrShape(n.Input(0));
    const int64_t axis = NormAxis(*this, n, n.GetInt("axis", -1), in_s.size());
    Perm perm = s.perm;
    if (perm.back() != axis) {
      perm = IdentityPerm(in_s.size());
      if (axis != static_cast<int64_t>(in_s.size()) - 1) Fail(n, "softmax over a non-last axis is not supported");
    }
    const double beta = 1.0;
    if (out_params().dtype == fb::DType::INT16) {
      // Eq. 14b (W8A16): the int16 input as it is; exp of d = l and of
      // d = 256 h (l, h in [0, 255]), 2^23 fixed point.
      const int32_t x = Ensure(n, n.Input(0), perm);
      const QParams& in = Params(n, n.Input(0));
      std::vector<int32_t> table(512);
      for (int j = 0; j < 256; ++j) {
        table[j] = static_cast<int32_t>(std::lround(std::ldexp(std::exp(-beta * in.scale * j), 23)));
        table[256 + j] =
            static_cast<int32_t>(std::lround(std::ldexp(std::exp(-beta * in.scale * 256.0 * j), 23)));
      }
      const int32_t y = NewAct(n.outputs[0], perm);
      AddOp(n, fb::OperatorOptions::SoftmaxOptions, {x}, {y}, [table](Fbb& f) {
        return fb::CreateSoftmaxOptionsDirect(f, &table).Union();
      });
      return;
    }
    const int32_t x = Int8Input(n, n.Input(0), perm);
    const QParams& in = Params8(n, n.Input(0));
    std::vector<int32_t> table(256);
    for (int d = 0; d < 256; ++d)  // eq. 14
      table[d] = static_cast<int32_t>(std::lround(std::ldexp(std::exp(-beta * in.scale * d), 23)));
    const int32_t y = NewAct(n.outputs[0], perm);
    AddOp(n, fb::OperatorOptions::SoftmaxOptions, {x}, {y}, [table](Fbb& f) {
      return fb::CreateSoftmaxOptionsDirect(f, &table).Union();
    });
    return;
  }

  if (op == "LayerNormalization") {
    const Shape& in_s = IrShape(n.Input(0));
    const int64_t axis = NormAxis(*this, n, n.GetInt("axis", -1), in_s.size());
    if (axis != static_cast<int64_t>(in_s.size()) - 1) Fail(n, "normalization over more than the last axis is not supported");
    const QParams& in = Params8(n, n.Input(0));
    const QParams& out = out_params();
    const std::vector<float> gamma = ConstFloats(*this, n, 1);
    std::vector<float> beta(gamma.size(), 0.0f);
    if (!n.Input(2).empty()) beta = ConstFloats(*this, n, 2);
    const double eps = n.GetFloat("epsilon", 1e-5f);
    const int32_t eps_q = static_cast<int32_t>(std::max(1.0, std::round(eps / (in.scale * in.scale))));  // eq. 15
    std::vector<int32_t> mult, bias;
    std::vector<int8_t> shift;
    for (size_t c = 0; c < gamma.size(); ++c) {
      const DyadicMultiplier m = Multiplier(gamma[c] / (out.scale * 4096.0), n.Describe());
      mult.push_back(m.multiplier);
      shift.push_back(static_cast<int8_t>(m.shift));
      bias.push_back(static_cast<int32_t>(std::lround(beta[c] / out.scale)));
    }
    const Perm id = IdentityPerm(in_s.size());
    const int32_t x = Int8Input(n, n.Input(0), id);
    const int32_t y = NewAct(n.outputs[0], id);
    AddOp(n, fb::OperatorOptions::LayerNormOptions, {x}, {y}, [=](Fbb& f) {
      return fb::CreateLayerNormOptionsDirect(f, eps_q, &mult, &shift, &bias, -128, 127).Union();
    });
    return;
  }

  Fail(n, "operator is not supported by the quantizer");
}

}  // namespace dyad::convert
