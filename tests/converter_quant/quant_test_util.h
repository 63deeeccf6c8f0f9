// Helpers for the quantization tests: small IR graphs built in the test,
// calibrated on random inputs, quantized, run through libdyad and compared
// with the float executor on a held-out input.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "converter/cli/dyad_exec.h"
#include "converter/ir/error.h"
#include "converter/quantize/prepare.h"
#include "converter/quantize/quantizer.h"
#include "converter/quantize/weight_split.h"

namespace dyad::convert::testing {

inline Tensor RandomTensor(const Shape& shape, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t = Tensor::Float(shape, 0.0f);
  for (float& v : t.f) v = d(rng);
  return t;
}

struct GraphBuilder {
  Graph g;
  GraphBuilder& In(const std::string& name, Shape shape) {
    g.inputs.push_back(name);
    g.values[name] = ValueInfo{DType::kFloat32, shape, true};
    return *this;
  }
  GraphBuilder& Const(const std::string& name, Tensor t) {
    g.constants[name] = std::move(t);
    return *this;
  }
  Node& Add(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
    Node n;
    n.name = op + "_" + std::to_string(g.nodes.size());
    n.op = op;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    g.nodes.push_back(n);
    return g.nodes.back();
  }
  GraphBuilder& Out(const std::string& name) {
    g.outputs.push_back(name);
    return *this;
  }
};

struct Comparison {
  double cosine = 0, max_err = 0, out_scale = 0, sqnr = 0;
  std::vector<float> ref, got;
  QuantizeResult q;
  std::vector<uint8_t> bytes;  // the serialized .dyad that was run
};

// Quantizer options of W8A16 mode (int16 activations).
inline QuantizeOptions W8A16() {
  QuantizeOptions o;
  o.int16_activations = true;
  return o;
}

// Calibrates (minmax) on `n_calib` random inputs in [lo, hi], quantizes, and
// compares output `out_index` on one more random input.
// int16 outputs are off unless `allow_int16` (tolerances are in int8 steps).
// `base` (optional) overrides the quantizer's options; `prepare_with_samples`
// hands the calibration inputs to PrepareForQuantization (equalization
// through Relu6); `split_weights` runs SplitWeights after it (--weights int16).
inline Comparison QuantizeAndCompare(Graph g, float lo, float hi, int n_calib = 8, size_t out_index = 0,
                                     bool allow_int16 = false, const QuantizeOptions& base = {},
                                     bool prepare_with_samples = false, bool split_weights = false) {
  QuantizeOptions qo = base;
  qo.allow_int16 = allow_int16;
  const std::string in = g.inputs[0];
  const Shape shape = g.values[in].shape;
  std::vector<TensorMap> samples;
  for (int k = 0; k < n_calib; ++k) samples.push_back({{in, RandomTensor(shape, lo, hi, 100 + k)}});
  {
    RunOptions ro;
    ro.keep_all = true;
    std::map<std::string, Shape> shapes;
    for (const auto& [name, t] : RunGraph(g, samples[0], ro)) shapes[name] = t.shape;
    PrepareForQuantization(g, shapes, prepare_with_samples ? samples : std::vector<TensorMap>{});
    if (split_weights) SplitWeights(g, samples);
  }
  Calibrator cal(g);
  CalibOptions co;
  co.method = CalibMethod::kMinMax;
  cal.Run(samples, co);
  if (shape.size() == 4) qo.input_nhwc[in] = false;
  qo.extra_shapes = cal.other_shapes();
  Comparison c;
  c.q = Quantize(g, cal.stats(), cal.Ranges(co), qo);
  c.bytes = SerializeModel(c.q.model);
  DyadExec exec(c.bytes);
  Sample s;
  s.source = "test";
  s.value = RandomTensor(shape, lo, hi, 7);
  const Tensor ref = RunGraph(g, {{in, s.value}}).at(g.outputs[out_index]);
  const std::vector<DyadValue> got = exec.Run({&s});
  c.ref = ref.f;
  c.got = got.at(out_index).value;
  EXPECT_EQ(got.at(out_index).shape, ref.shape);
  c.cosine = Cosine(c.ref, c.got);
  c.sqnr = Sqnr(c.ref, c.got);
  for (size_t k = 0; k < c.ref.size(); ++k) c.max_err = std::max(c.max_err, double(std::fabs(c.ref[k] - c.got[k])));
  c.out_scale = got.at(out_index).scale;
  return c;
}

}  // namespace dyad::convert::testing
