// The ONNX backend node tests (Debian's libonnx-testdata) of every float op in
// the quantized set, through the quantized path: each test model is prepared
// and calibrated (minmax) on its own inputs, quantized to int8, run in libdyad,
// and its dequantized outputs must lie within the quantization tolerance of
// output_*.pb (docs/converter_quantization.md, "Node-test coverage"):
//
//   |y_dyad - y_expected| <= |f(Q(x)) - f(x)|          input rounding, propagated
//                            + weight term             Conv/ConvTranspose/Gemm/MatMul
//                            + k_op * output step      the op's own rounding
//
// f(Q(x)) is the float executor run on the inputs quantized exactly as libdyad
// receives them, so the first term is computed, not estimated. The weight
// term is (s_w / 2) * sum_j |x_j| (weights rounded to s_w = max|W| / 127),
// plus (s_w / 2) * K * max|x| for the Conv bias correction (which shifts the
// bias by at most that), plus the bias's own rounding s_in * s_w / 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "converter/calibrate/calibrate.h"
#include "converter/cli/dyad_exec.h"
#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/quantize/prepare.h"
#include "converter/quantize/quantizer.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {
namespace {

namespace fs = std::filesystem;

// The op list and the node-test directory prefixes of each op.
const std::vector<std::pair<const char*, std::vector<const char*>>>& ListedOps() {
  static const std::vector<std::pair<const char*, std::vector<const char*>>> table = {
      {"Conv", {"test_basic_conv_", "test_conv_with_"}},
      {"ConvTranspose", {"test_convtranspose"}},
      {"Gemm", {"test_gemm_"}},
      {"MatMul", {"test_matmul_"}},
      {"BatchNormalization", {"test_batchnorm_"}},
      {"Relu", {"test_relu"}},
      {"Clip", {"test_clip"}},
      {"LeakyRelu", {"test_leakyrelu"}},
      {"PRelu", {"test_prelu_"}},
      {"Sigmoid", {"test_sigmoid"}},
      {"Tanh", {"test_tanh"}},
      {"HardSigmoid", {"test_hardsigmoid"}},
      {"HardSwish", {"test_hardswish"}},
      {"Add", {"test_add"}},
      {"Sub", {"test_sub"}},
      {"Mul", {"test_mul"}},
      {"Div", {"test_div"}},
      {"MaxPool", {"test_maxpool_"}},
      {"AveragePool", {"test_averagepool_"}},
      {"GlobalAveragePool", {"test_globalaveragepool"}},
      {"ReduceMean", {"test_reduce_mean_"}},
      {"Concat", {"test_concat_"}},
      {"Split", {"test_split_"}},
      {"Slice", {"test_slice"}},
      {"Reshape", {"test_reshape_"}},
      {"Flatten", {"test_flatten_"}},
      {"Squeeze", {"test_squeeze"}},
      {"Unsqueeze", {"test_unsqueeze_"}},
      {"Transpose", {"test_transpose_"}},
      {"Pad", {"test_constant_pad", "test_edge_pad", "test_reflect_pad"}},
      {"Resize", {"test_resize_", "test_upsample_"}},
      {"Softmax", {"test_softmax_"}},
      {"LayerNormalization", {"test_layer_normalization_"}},
      {"Identity", {"test_identity"}},
      {"Dropout", {"test_dropout_"}},
  };
  return table;
}

// Ops allowed in a quantized node test: the listed ones, plus what the
// importer and passes turn them into.
bool InQuantizedSet(const std::string& op) {
  for (const auto& e : ListedOps())
    if (op == e.first) return true;
  return op == "Upsample";
}

// Node tests under a listed prefix that are out of scope, with the reason
// (the float node test skips these too).
const char* ScopeSkip(const std::string& name) {
  static const std::vector<std::pair<const char*, const char*>> table = {
      {"test_batchnorm_epsilon_training_mode", "training mode"},
      {"test_batchnorm_example_training_mode", "training mode"},
      {"test_resize_downsample_scales_cubic", "cubic mode"},
      {"test_resize_downsample_sizes_cubic", "cubic mode"},
      {"test_resize_upsample_scales_cubic", "cubic mode"},
      {"test_resize_upsample_sizes_cubic", "cubic mode"},
      {"test_resize_tf_crop_and_resize", "tf_crop_and_resize"},
      {"test_maxpool_with_argmax", "Indices output"},
      {"test_identity_opt", "optional type"},
      {"test_identity_sequence", "sequence type"},
      {"test_averagepool_3d", "3-D pooling (libdyad pools 1-D/2-D)"},
      {"test_maxpool_3d", "3-D pooling (libdyad pools 1-D/2-D)"},
      {"test_convtranspose_3d", "3-D convolution (libdyad convolves 1-D/2-D)"},
      {"test_prelu_example", "PRelu slope varying along several axes (libdyad: one axis)"},
  };
  for (const auto& s : table)
    if (name.rfind(s.first, 0) == 0) return s.second;
  return nullptr;
}

// Input positions of `op` that carry activations; the others (weights,
// shapes, axes, pads, scales, Clip bounds, Div's divisor...) are parameters:
// a converted model has them as initializers, so the test freezes them.
bool IsDataPosition(const std::string& op, size_t k) {
  if (op == "Concat") return true;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "MatMul") return k < 2;
  return k == 0;
}

struct Outcome {
  enum Kind { kPass, kSkip, kFail } kind = kPass;
  std::string reason;  // skip reason / failure detail
  double worst = 0;    // largest error / tolerance over the outputs
};

Outcome Skip(const std::string& r) { return {Outcome::kSkip, r}; }
Outcome Fail(const std::string& r) { return {Outcome::kFail, r}; }

// x quantized with p (as DyadExec feeds libdyad) and dequantized.
Tensor QuantizeDequantize(const Tensor& x, const QParams& p) {
  Tensor y = x;
  const double s = static_cast<float>(p.scale);
  for (float& v : y.f) {
    const double q = std::min(127.0, std::max(-128.0, std::round(v / s) + p.zero_point));
    v = static_cast<float>((q - p.zero_point) * s);
  }
  return y;
}

Tensor Abs(Tensor t) {
  for (float& v : t.f) v = std::fabs(v);
  return t;
}

float MaxAbs(const Tensor& t) {
  float m = 0;
  for (float v : t.f) m = std::max(m, std::fabs(v));
  return m;
}

// Per-element weight-rounding term of a weighted node (see the file comment),
// evaluated by the float executor on |x| with every weight set to s_w / 2.
// Empty if `n` has no quantized weights.
std::vector<float> WeightTerm(const Graph& g, const Node& n, const Tensor& x_deq, double in_scale) {
  const bool weighted = n.op == "Conv" || n.op == "ConvTranspose" || n.op == "Gemm" ||
                        (n.op == "MatMul" && g.IsConstant(n.Input(1)));
  if (!weighted || !g.IsConstant(n.Input(1))) return {};
  const Tensor& w = *g.Constant(n.Input(1));
  double alpha = 1.0;
  Node plain = n;
  plain.attrs.erase("dyad.activation");
  if (n.op == "Gemm") {
    alpha = std::fabs(n.GetFloat("alpha", 1.0f));
    plain.attrs["alpha"] = Attribute::Flt(1.0f);
  }
  const double s_w = alpha * MaxAbs(w) / 127.0;
  Tensor half = Tensor::Float(w.shape, static_cast<float>(s_w / 2));
  const Tensor ax = Abs(x_deq);
  std::vector<const Tensor*> ins = {&ax, &half};
  if (n.op == "Conv" || n.op == "ConvTranspose") ins.push_back(nullptr);
  Tensor t = EvalNode(plain, ins).at(0);
  const int64_t cout = n.op == "ConvTranspose" ? w.shape[1] * n.GetInt("group", 1)
                       : n.op == "Conv"        ? w.shape[0]
                       : (n.op == "Gemm" && n.GetInt("transB", 0)) ? w.shape[0]
                                                                   : w.shape.back();
  const double taps = static_cast<double>(w.size()) / static_cast<double>(std::max<int64_t>(cout, 1));
  const double correction = n.op == "Conv" ? s_w / 2 * taps * MaxAbs(x_deq) : 0.0;
  const double bias_rounding = in_scale * s_w / 2;
  std::vector<float> out(t.f.size());
  for (size_t e = 0; e < t.f.size(); ++e) out[e] = static_cast<float>(t.f[e] + correction + bias_rounding);
  return out;
}

// Mul/Div of an activation by a constant tensor: the quantizer stores the
// constant (Div: its reciprocal) as int8 with step s_c = range / 255, so the
// product moves by up to |x| * s_c / 2 (evaluated with the op's broadcasting).
std::vector<float> ConstantOperandTerm(const Graph& g, const Node& n, const TensorMap& quantized_inputs) {
  if ((n.op != "Mul" && n.op != "Div") || !g.IsConstant(n.Input(1)) || g.Constant(n.Input(1))->size() == 1) return {};
  auto x = quantized_inputs.find(n.Input(0));
  if (x == quantized_inputs.end()) return {};
  Tensor c = *g.Constant(n.Input(1));
  if (n.op == "Div")
    for (float& v : c.f) v = 1.0f / v;
  float lo = 0, hi = 0;
  for (float v : c.f) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const Tensor half = Tensor::Float(c.shape, (hi - lo) / 255.0f / 2);
  const Tensor ax = Abs(x->second);
  Node mul = n;
  mul.op = "Mul";
  mul.attrs.clear();
  return EvalNode(mul, {&ax, &half}).at(0).f;
}

// Output steps the op itself may add: one rounding to the output grid (1/2)
// plus at most 1/2 from its fixed-point multiplier or table; Softmax and
// LayerNormalization evaluate exp / rsqrt in fixed point.
double OwnSteps(const Graph& g) {
  double k = 1.0;
  for (const Node& n : g.nodes)
    if (n.op == "Softmax" || n.op == "LayerNormalization") k = 2.0;
  return k;
}

Outcome RunDataSet(const fs::path& dir, const fs::path& set) {
  // ---- import with every input's shape fixed from this data set ----
  const std::string model = (dir / "model.onnx").string();
  const std::vector<std::string> names = OnnxModelInputs(model);
  std::vector<Tensor> values;
  ImportOptions io;
  for (size_t k = 0; k < names.size(); ++k) {
    const fs::path file = set / ("input_" + std::to_string(k) + ".pb");
    if (!fs::exists(file)) return Skip("missing input file");
    values.push_back(LoadTensorProtoFile(file.string()));
    io.input_shapes[names[k]] = values.back().shape;
  }
  Graph g = ImportOnnxFile(model, io);
  for (const Node& n : g.nodes)
    if (!InQuantizedSet(n.op)) return Skip("op outside the quantized set (" + n.op + ")");

  // ---- parameters become constants; data inputs must be float ----
  std::set<std::string> data;
  for (const Node& n : g.nodes)
    for (size_t k = 0; k < n.inputs.size(); ++k)
      if (IsDataPosition(n.op, k)) data.insert(n.inputs[k]);
  TensorMap inputs;
  std::vector<std::string> kept;
  for (size_t k = 0; k < names.size(); ++k) {
    if (data.count(names[k])) {
      if (!values[k].is_float()) return Skip("integer input");
      inputs[names[k]] = values[k];
      kept.push_back(names[k]);
    } else {
      g.constants[names[k]] = values[k];
    }
  }
  g.inputs = kept;
  if (g.inputs.empty()) return Skip("no activation input");
  for (const auto& [name, t] : inputs)
    if (t.size() == 0) return Skip("zero-size tensor");
  // LayerNormalization's optional Mean / InvStdDev outputs (training
  // statistics) and Dropout's mask (all true at inference) are not produced
  // by the quantized ops: Y alone is compared.
  std::set<std::string> statistics;
  for (const Node& n : g.nodes)
    if (n.op == "LayerNormalization" || n.op == "Dropout")
      for (size_t k = 1; k < n.outputs.size(); ++k) statistics.insert(n.outputs[k]);
  std::vector<Tensor> expected;
  std::vector<std::string> compared;
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    if (statistics.count(g.outputs[k])) continue;
    expected.push_back(LoadTensorProtoFile((set / ("output_" + std::to_string(k) + ".pb")).string()));
    compared.push_back(g.outputs[k]);
    if (!expected.back().is_float()) return Skip("non-float output");
    if (expected.back().size() == 0) return Skip("zero-size tensor");
  }
  g.outputs = compared;

  // ---- the converter's own steps: prepare, calibrate, quantize ----
  const std::vector<TensorMap> samples = {inputs};
  {
    RunOptions ro;
    ro.keep_all = true;
    std::map<std::string, Shape> shapes;
    for (const auto& [name, t] : RunGraph(g, inputs, ro)) shapes[name] = t.shape;
    PrepareForQuantization(g, shapes, samples);
  }
  Calibrator cal(g);
  CalibOptions co;
  co.method = CalibMethod::kMinMax;
  QuantizeResult q;
  try {
    cal.Run(samples, co);
    QuantizeOptions qo;
    qo.allow_int16 = false;  // the tolerance is stated in int8 output steps
    for (const auto& in : g.inputs) qo.input_nhwc[in] = false;
    qo.extra_shapes = cal.other_shapes();
    q = Quantize(g, cal.stats(), cal.Ranges(co), qo);
  } catch (const ConvertError& e) {
    return Fail(std::string("quantize: ") + e.what());
  }

  // ---- run in libdyad ----
  std::vector<Sample> feed(g.inputs.size());
  std::vector<const Sample*> ptrs;
  TensorMap quantized_inputs;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    feed[k].source = set.string() + " input " + g.inputs[k];
    feed[k].value = inputs.at(g.inputs[k]);
    ptrs.push_back(&feed[k]);
    quantized_inputs[g.inputs[k]] = QuantizeDequantize(feed[k].value, q.params.at(g.inputs[k]));
  }
  std::vector<DyadValue> got;
  try {
    DyadExec exec(SerializeModel(q.model));
    got = exec.Run(ptrs);
  } catch (const ConvertError& e) {
    return Fail(std::string("libdyad: ") + e.what());
  }

  // ---- compare within the tolerance ----
  const TensorMap from_quantized = RunGraph(g, quantized_inputs);
  const double k_own = OwnSteps(g);
  std::string detail;
  Outcome result;
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const Tensor& want = expected[o];
    if (got[o].shape != want.shape)
      return Fail("output " + std::to_string(o) + " shape " + ShapeToString(got[o].shape) + " vs " +
                  ShapeToString(want.shape));
    const Tensor& fq = from_quantized.at(g.outputs[o]);
    std::vector<float> weight;
    const int p = g.ProducerIndex(g.outputs[o]);
    if (p >= 0 && g.nodes.size() == 1) {
      const Node& n = g.nodes[p];
      auto in = quantized_inputs.find(n.Input(0));
      if (in != quantized_inputs.end()) weight = WeightTerm(g, n, in->second, q.params.at(n.Input(0)).scale);
    }
    if (p >= 0 && g.nodes.size() == 1) {
      const std::vector<float> c = ConstantOperandTerm(g, g.nodes[p], quantized_inputs);
      if (!c.empty()) weight = c;
    }
    const double step = got[o].scale;
    double worst = 0;  // max of err / tolerance
    int64_t worst_at = -1;
    for (int64_t e = 0; e < want.size(); ++e) {
      const double err = std::fabs(double(got[o].value[e]) - want.f[e]);
      const double tol = std::fabs(double(fq.f[e]) - want.f[e]) + (weight.empty() ? 0.0 : weight[e]) +
                         k_own * step + 1e-6 * std::fabs(want.f[e]);
      if (err / tol > worst) {
        worst = err / tol;
        worst_at = e;
      }
    }
    if (worst > 1.0) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "output %zu [%lld]: got %g, expected %g, from Q(x) %g, step %g (err/tol %.2f)", o,
                    static_cast<long long>(worst_at), got[o].value[worst_at], want.f[worst_at], fq.f[worst_at], step,
                    worst);
      detail += buf;
      return Fail(detail);
    }
    result.worst = std::max(result.worst, worst);
  }
  return result;
}

Outcome RunNodeTest(const fs::path& dir) {
  int sets = 0;
  double worst = 0;
  for (int s = 0;; ++s) {
    const fs::path set = dir / ("test_data_set_" + std::to_string(s));
    if (!fs::exists(set)) break;
    ++sets;
    Outcome o;
    try {
      o = RunDataSet(dir, set);
    } catch (const ConvertError& e) {
      o = Fail(e.what());
    } catch (const std::exception& e) {
      o = Fail(std::string("exception: ") + e.what());
    }
    if (o.kind != Outcome::kPass) {
      if (o.kind == Outcome::kFail) o.reason = set.filename().string() + ": " + o.reason;
      return o;
    }
    worst = std::max(worst, o.worst);
  }
  if (sets == 0) return Skip("no test_data_set");
  Outcome pass;
  pass.worst = worst;
  return pass;
}

std::vector<std::string> ListedNodeTests() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(DYAD_ONNX_NODE_TEST_DIR, ec)) {
    const std::string name = e.path().filename().string();
    for (const auto& op : ListedOps())
      for (const char* p : op.second)
        if (name.rfind(p, 0) == 0 && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Fewer than this many passing node tests means the data path is broken.
constexpr int kMinimumPassed = 200;

TEST(OnnxNodeQuant, ListedOpsWithinQuantizationTolerance) {
  const std::vector<std::string> names = ListedNodeTests();
  int passed = 0, skipped = 0;
  std::map<std::string, int> by_reason;
  double tightest = 0;  // the passing test closest to its tolerance
  std::string tightest_name;
  for (const auto& name : names) {
    Outcome o;
    if (const char* r = ScopeSkip(name)) o = Skip(r);
    else o = RunNodeTest(fs::path(DYAD_ONNX_NODE_TEST_DIR) / name);
    switch (o.kind) {
      case Outcome::kPass:
        ++passed;
        if (o.worst > tightest) {
          tightest = o.worst;
          tightest_name = name;
        }
        break;
      case Outcome::kSkip:
        ++skipped;
        ++by_reason[o.reason];
        std::printf("  skipped %s: %s\n", name.c_str(), o.reason.c_str());
        break;
      case Outcome::kFail:
        ADD_FAILURE() << name << ": " << o.reason;
        break;
    }
  }
  std::string reasons;
  for (const auto& [r, c] : by_reason) reasons += (reasons.empty() ? "" : ", ") + std::to_string(c) + " " + r;
  std::printf("quantized node tests: %d passed, %d skipped (%s), %zu listed\n", passed, skipped, reasons.c_str(),
              names.size());
  std::printf("closest to the tolerance: %s (error / tolerance %.2f)\n", tightest_name.c_str(), tightest);
  EXPECT_GE(passed, kMinimumPassed) << "is libonnx-testdata installed at " << DYAD_ONNX_NODE_TEST_DIR << "?";
}

}  // namespace
}  // namespace dyad::convert
