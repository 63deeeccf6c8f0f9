// Builds the test CNN described in test_model.h with the FlatBuffers API and
// dyad::ModelWriter. Quantization follows DESIGN.md section 3: per-channel
// symmetric int8 weights, int32 bias at S_in * S_w[c], dyadic multipliers
// from kernels/common/quantize_multiplier.h.
#include "tools/test_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/common/quantize_multiplier.h"
#include "schema/model_writer.h"

namespace dyad {
namespace tools {
namespace {

namespace fb = dyad::fb;

// splitmix64: the same weights on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t state_;
};

// Asymmetric int8 activation quantization of the real range [lo, hi] (lo <= 0 <= hi).
struct Quant {
  double scale;
  int32_t zero_point;
};

Quant range_quant(double lo, double hi) {
  const double scale = (hi - lo) / 255.0;
  const double zp = std::round(-128.0 - lo / scale);
  return {scale, static_cast<int32_t>(std::clamp(zp, -128.0, 127.0))};
}

enum class Act { kNone, kRelu, kRelu6 };

struct Clamp {
  int32_t lo, hi;
};

Clamp act_bounds(Act act, const Quant& q) {
  if (act == Act::kNone) return {-128, 127};
  const int32_t lo = std::max(-128, q.zero_point);
  if (act == Act::kRelu) return {lo, 127};
  const int32_t six = q.zero_point + static_cast<int32_t>(std::lround(6.0 / q.scale));
  return {lo, std::min(127, six)};
}

DyadicMultiplier dyadic(double real) {
  DyadicMultiplier m;
  if (!quantize_multiplier(real, &m)) throw std::runtime_error("multiplier out of range");
  return m;
}

// TF "SAME" padding: output = ceil(in / stride), extra padding at the end.
struct Same {
  int32_t out, before, after;
};

Same same_padding(int32_t in, int32_t kernel, int32_t stride) {
  const int32_t out = (in + stride - 1) / stride;
  const int32_t total = std::max((out - 1) * stride + kernel - in, 0);
  return {out, total / 2, total - total / 2};
}

struct Activation {
  int32_t tensor;
  std::vector<int32_t> shape;
  Quant q;
};

class Builder {
 public:
  explicit Builder(uint64_t seed) : rng_(seed) {}

  Activation input(const std::vector<int32_t>& shape, Quant q) {
    Activation a{add_tensor("input", shape, fb::DType::INT8, q.zero_point, q.scale, -1), shape, q};
    inputs_.push_back(a.tensor);
    return a;
  }

  // Conv2D with SAME padding; depthwise when groups == input channels == cout.
  Activation conv(const std::string& name, const Activation& in, int32_t cout, int32_t kernel,
                  int32_t stride, int32_t groups, Act act, Quant out_q) {
    const int32_t cin = in.shape[3];
    const int32_t cin_per_group = cin / groups;
    const int32_t fan_in = kernel * kernel * cin_per_group;
    std::vector<int8_t> weights;
    std::vector<double> w_scale;
    random_weights(cout, fan_in, &weights, &w_scale);
    const std::vector<int32_t> bias = random_bias(in.q.scale, w_scale);

    std::vector<int32_t> multipliers;
    std::vector<int8_t> shifts;
    for (int32_t c = 0; c < cout; ++c) {
      const DyadicMultiplier m = dyadic(in.q.scale * w_scale[c] / out_q.scale);
      multipliers.push_back(m.multiplier);
      shifts.push_back(static_cast<int8_t>(m.shift));
    }
    const Same ph = same_padding(in.shape[1], kernel, stride);
    const Same pw = same_padding(in.shape[2], kernel, stride);
    const Clamp clamp = act_bounds(act, out_q);
    const auto options = fb::CreateConv2DOptionsDirect(
        fbb_, stride, stride, 1, 1, ph.before, pw.before, ph.after, pw.after, groups,
        &multipliers, &shifts, clamp.lo, clamp.hi);

    const int32_t w = constant(name + ".weight", {cout, kernel, kernel, cin_per_group}, weights);
    const int32_t b = constant(name + ".bias", {cout}, bias);
    Activation out = activation(name, {in.shape[0], ph.out, pw.out, cout}, out_q);
    add_op(name, {in.tensor, w, b}, out.tensor, fb::OperatorOptions::Conv2DOptions,
           options.Union());
    return out;
  }

  // TFLite's Add scheme: both inputs to a 2^20-scaled common domain, then one multiplier.
  Activation add(const std::string& name, const Activation& a, const Activation& b,
                 Quant out_q) {
    const int32_t left_shift = 20;
    const double twice_max = 2.0 * std::max(a.q.scale, b.q.scale);
    const DyadicMultiplier ma = dyadic(a.q.scale / twice_max);
    const DyadicMultiplier mb = dyadic(b.q.scale / twice_max);
    const DyadicMultiplier mo = dyadic(twice_max / (std::ldexp(1.0, left_shift) * out_q.scale));
    const auto options = fb::CreateAddOptions(fbb_, left_shift, ma.multiplier, ma.shift,
                                              mb.multiplier, mb.shift, mo.multiplier, mo.shift,
                                              -128, 127);
    Activation out = activation(name, a.shape, out_q);
    add_op(name, {a.tensor, b.tensor}, out.tensor, fb::OperatorOptions::AddOptions,
           options.Union());
    return out;
  }

  // Global average pool: Mean over H, W without keeping them.
  Activation mean_hw(const std::string& name, const Activation& in, Quant out_q) {
    const int32_t count = in.shape[1] * in.shape[2];
    const DyadicMultiplier m = dyadic(in.q.scale / (out_q.scale * count));
    const std::vector<int32_t> axes = {1, 2};
    const auto options = fb::CreateMeanOptionsDirect(fbb_, &axes, false, m.multiplier, m.shift);
    Activation out = activation(name, {in.shape[0], in.shape[3]}, out_q);
    add_op(name, {in.tensor}, out.tensor, fb::OperatorOptions::MeanOptions, options.Union());
    return out;
  }

  Activation fully_connected(const std::string& name, const Activation& in, int32_t n,
                             Quant out_q) {
    const int32_t k = in.shape.back();
    std::vector<int8_t> weights;
    std::vector<double> w_scale;
    random_weights(n, k, &weights, &w_scale);
    const std::vector<int32_t> bias = random_bias(in.q.scale, w_scale);
    std::vector<int32_t> multipliers;
    std::vector<int8_t> shifts;
    for (int32_t c = 0; c < n; ++c) {
      const DyadicMultiplier m = dyadic(in.q.scale * w_scale[c] / out_q.scale);
      multipliers.push_back(m.multiplier);
      shifts.push_back(static_cast<int8_t>(m.shift));
    }
    const auto options =
        fb::CreateFullyConnectedOptionsDirect(fbb_, &multipliers, &shifts, -128, 127);
    const int32_t w = constant(name + ".weight", {n, k}, weights);
    const int32_t b = constant(name + ".bias", {n}, bias);
    std::vector<int32_t> shape = in.shape;
    shape.back() = n;
    Activation out = activation(name, shape, out_q);
    add_op(name, {in.tensor, w, b}, out.tensor, fb::OperatorOptions::FullyConnectedOptions,
           options.Union());
    return out;
  }

  // Softmax (beta 1) with the spec's output quantization: scale 1/256, zero point -128.
  Activation softmax(const std::string& name, const Activation& in) {
    std::vector<int32_t> exp_table(256);
    for (int d = 0; d < 256; ++d) {
      exp_table[d] = static_cast<int32_t>(std::lround(std::ldexp(std::exp(-in.q.scale * d), 23)));
    }
    const auto options = fb::CreateSoftmaxOptionsDirect(fbb_, &exp_table);
    Activation out = activation(name, in.shape, Quant{1.0 / 256.0, -128});
    add_op(name, {in.tensor}, out.tensor, fb::OperatorOptions::SoftmaxOptions, options.Union());
    outputs_.push_back(out.tensor);
    return out;
  }

  std::vector<uint8_t> finish(int32_t height, int32_t width, uint64_t seed) {
    const std::string size = std::to_string(height) + "x" + std::to_string(width);
    const std::vector<flatbuffers::Offset<fb::Metadata>> metadata = {
        fb::CreateMetadataDirect(fbb_, "producer", "dyad-make-test-model"),
        fb::CreateMetadataDirect(fbb_, "description",
                                 "synthetic test CNN with pseudo-random weights"),
        fb::CreateMetadataDirect(fbb_, "input_size", size.c_str()),
        fb::CreateMetadataDirect(fbb_, "seed", std::to_string(seed).c_str()),
    };
    // One statement each: argument evaluation order is unspecified, and the
    // file must be byte-identical on every platform.
    const auto buffers = writer_.build_buffers(fbb_);
    const auto tensors = fbb_.CreateVector(tensors_);
    const auto operators = fbb_.CreateVector(operators_);
    const auto inputs = fbb_.CreateVector(inputs_);
    const auto outputs = fbb_.CreateVector(outputs_);
    const auto meta = fbb_.CreateVector(metadata);
    const auto root = fb::CreateModel(fbb_, kFormatVersion, tensors, buffers, operators, inputs,
                                      outputs, meta);
    return writer_.finish(fbb_, root);
  }

 private:
  int32_t add_tensor(const std::string& name, const std::vector<int32_t>& shape, fb::DType dtype,
                     int32_t zero_point, double scale, int32_t buffer) {
    tensors_.push_back(fb::CreateTensorDirect(fbb_, name.c_str(), &shape, dtype, zero_point,
                                              static_cast<float>(scale), buffer));
    return static_cast<int32_t>(tensors_.size() - 1);
  }

  Activation activation(const std::string& name, const std::vector<int32_t>& shape, Quant q) {
    return {add_tensor(name, shape, fb::DType::INT8, q.zero_point, q.scale, -1), shape, q};
  }

  template <typename T>
  int32_t constant(const std::string& name, const std::vector<int32_t>& shape,
                   const std::vector<T>& values) {
    const int32_t buffer = writer_.add_buffer(values.data(), values.size() * sizeof(T));
    const fb::DType dtype = sizeof(T) == 1 ? fb::DType::INT8 : fb::DType::INT32;
    // Per-channel weight scales live in the multipliers; the tensor scale is unused (0).
    return add_tensor(name, shape, dtype, 0, 0.0, buffer);
  }

  void add_op(const std::string& name, const std::vector<int32_t>& in, int32_t out,
              fb::OperatorOptions type, flatbuffers::Offset<void> options) {
    const std::vector<int32_t> outs = {out};
    operators_.push_back(fb::CreateOperatorDirect(fbb_, name.c_str(), &in, &outs, type, options));
  }

  // He-uniform float weights (variance 2 / fan_in), quantized per output channel
  // to [-127, 127] with scale max|w| / 127.
  void random_weights(int32_t channels, int32_t fan_in, std::vector<int8_t>* q,
                      std::vector<double>* scales) {
    const double limit = std::sqrt(6.0 / fan_in);
    for (int32_t c = 0; c < channels; ++c) {
      std::vector<double> w(fan_in);
      double max_abs = 1e-6;
      for (double& v : w) {
        v = rng_.uniform(-limit, limit);
        max_abs = std::max(max_abs, std::fabs(v));
      }
      const double scale = max_abs / 127.0;
      scales->push_back(scale);
      for (double v : w) q->push_back(static_cast<int8_t>(quantize_value(v, scale, 0, -127, 127)));
    }
  }

  // Small float biases in [-0.1, 0.1] quantized at S_in * S_w[c].
  std::vector<int32_t> random_bias(double in_scale, const std::vector<double>& w_scale) {
    std::vector<int32_t> bias;
    for (double ws : w_scale) {
      bias.push_back(static_cast<int32_t>(std::lround(rng_.uniform(-0.1, 0.1) / (in_scale * ws))));
    }
    return bias;
  }

  Rng rng_;
  flatbuffers::FlatBufferBuilder fbb_;
  ModelWriter writer_;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Operator>> operators_;
  std::vector<int32_t> inputs_, outputs_;
};

}  // namespace

std::vector<uint8_t> build_test_model(const TestModelOptions& options) {
  if (options.height < 1 || options.width < 1) throw std::invalid_argument("size must be >= 1");
  Builder b(options.seed);
  // Input: int8 pixels for reals in [-1, 1).
  const Activation x = b.input({1, options.height, options.width, 3}, Quant{1.0 / 128.0, 0});
  // With He-uniform weights each pre-activation has variance ~2 E[x^2] (about 0.7
  // here), so ReLU6 outputs sit well inside [0, 6] and linear ones inside [-4, 4].
  const Quant relu6_q = range_quant(0.0, 6.0);
  const Activation c1 = b.conv("conv1", x, 16, 3, 2, 1, Act::kRelu6, relu6_q);
  const Activation dw = b.conv("dw1", c1, 16, 3, 1, 16, Act::kRelu6, relu6_q);
  const Activation pw = b.conv("pw1", dw, 16, 1, 1, 1, Act::kNone, range_quant(-4.0, 4.0));
  const Activation sum = b.add("add1", c1, pw, range_quant(-5.0, 7.0));
  const Activation pw2 = b.conv("pw2", sum, 32, 1, 1, 1, Act::kRelu, range_quant(0.0, 6.0));
  const Activation gap = b.mean_hw("gap", pw2, range_quant(0.0, 2.0));
  const Activation fc = b.fully_connected("fc", gap, 10, range_quant(-4.0, 4.0));
  b.softmax("softmax", fc);
  return b.finish(options.height, options.width, options.seed);
}

}  // namespace tools
}  // namespace dyad
