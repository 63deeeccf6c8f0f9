#include "converter/cli/convert_pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "converter/cli/dyad_exec.h"
#include "converter/cli/samples.h"
#include "converter/cli/sha256.h"
#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/quantize/prepare.h"
#include "converter/quantize/weight_split.h"

namespace dyad::convert {

TensorError CompareTensors(const std::string& name, const std::vector<float>& ref,
                           const std::vector<float>& test) {
  TensorError e;
  e.name = name;
  e.sqnr_db = Sqnr(ref, test);
  e.cosine = Cosine(ref, test);
  for (size_t k = 0; k < std::min(ref.size(), test.size()); ++k)
    e.max_abs_err = std::max(e.max_abs_err, double(std::fabs(ref[k] - test[k])));
  return e;
}

double Top1Agreement(const std::vector<float>& ref, const std::vector<float>& test, int64_t row_length) {
  if (row_length < 2 || ref.empty() || ref.size() != test.size() || ref.size() % size_t(row_length) != 0) return -1;
  const size_t rows = ref.size() / size_t(row_length);
  size_t agree = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* a = &ref[r * size_t(row_length)];
    const float* b = &test[r * size_t(row_length)];
    double total = 0;
    for (int64_t i = 0; i < row_length; ++i) {
      if (a[i] < 0) return -1;
      total += a[i];
    }
    if (std::fabs(total - 1.0) > 1e-3) return -1;
    agree += std::max_element(a, a + row_length) - a == std::max_element(b, b + row_length) - b;
  }
  return double(agree) / double(rows);
}

std::string AccuracyHint(const std::vector<TensorError>& outputs, const ConvertConfig& cfg) {
  const TensorError* worst = nullptr;
  for (const auto& e : outputs)
    if (e.cosine < 0.99 && (!worst || e.cosine < worst->cosine)) worst = &e;
  if (!worst) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", worst->cosine);
  const std::string head = "hint: output '" + worst->name + "' is at cosine " + buf + " (below 0.99); ";
  if (cfg.activations != "int16")
    return head + "--activations int16 (int16 activations) is more accurate, at up to about 1.2x the latency";
  if (cfg.weights != "int16")
    return head + "--weights int16 (each Conv/Gemm as two int8 layers) is more accurate, at about 2x the latency";
  return head + "docs/converter_quantization.md says which outputs (peak masks, near-ties) no weight precision below fp32 reproduces";
}

namespace {

using Clock = std::chrono::steady_clock;

// The first `n` samples (all if fewer).
std::vector<TensorMap> FirstSamples(const std::vector<TensorMap>& samples, size_t n) {
  return std::vector<TensorMap>(samples.begin(), samples.begin() + std::min(samples.size(), n));
}

std::string FormatPercent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConvertError(path + ": cannot open ONNX file");
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// "[#####.....] 12/40 samples  3.1 s  ETA 7.2 s" on a terminal.
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string label) : enabled_(enabled && isatty(2)), label_(std::move(label)) {}
  void Update(size_t done, size_t total) {
    if (!enabled_) return;
    const double el = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = done ? el / done * (total - done) : 0;
    const int width = 30, fill = total ? int(width * done / total) : width;
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu  %.1f s  ETA %.1f s ", label_.c_str(),
                 std::string(fill, '#').c_str(), std::string(width - fill, '.').c_str(), done, total, el, eta);
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  std::string label_;
  Clock::time_point start_ = Clock::now();
};

std::vector<float> ToIrLayout(const DyadValue& v) { return v.value; }

// A copy of the model whose every quantized activation (graph inputs aside)
// is also a graph output, named by its IR tensor.
QModel DebugModel(const QuantizeResult& q, const std::map<std::string, TensorStats>& stats,
                  std::vector<std::string>* names) {
  QModel dbg = q.model;
  std::set<int32_t> inputs(dbg.inputs.begin(), dbg.inputs.end());
  dbg.metadata.erase(std::remove_if(dbg.metadata.begin(), dbg.metadata.end(),
                                    [](const auto& kv) { return kv.first.rfind("output_", 0) == 0; }),
                     dbg.metadata.end());
  dbg.outputs.clear();
  for (const auto& [name, tp] : q.tensor_of) {
    if (inputs.count(tp.first) || !stats.count(name)) continue;
    if (std::find(dbg.outputs.begin(), dbg.outputs.end(), tp.first) != dbg.outputs.end()) continue;
    const size_t k = dbg.outputs.size();
    dbg.outputs.push_back(tp.first);
    dbg.metadata.push_back({"output_" + std::to_string(k) + "_name", name});
    dbg.metadata.push_back({"output_" + std::to_string(k) + "_perm", PermToString(tp.second)});
    names->push_back(name);
  }
  return dbg;
}

// Bias correction (Nagel et al. 2019, empirical form): for each Conv/Gemm, the
// float layer is run on libdyad's own dequantized input and compared with
// libdyad's output where neither is clamped; the mean difference per output
// channel (the bias this layer's weight and output rounding introduce) is
// added to the float bias. Each layer's correction uses its quantized input,
// so all layers are corrected at once. Returns the number of layers changed.
int CorrectBiases(Graph& graph, const QuantizeResult& q, const Calibrator& cal,
                  const std::vector<Sample>& calib, const std::string& input_name) {
  std::vector<std::string> names;
  QModel dbg = DebugModel(q, cal.stats(), &names);
  std::unique_ptr<DyadExec> exec;
  try {
    exec = std::make_unique<DyadExec>(SerializeModel(dbg));
  } catch (const ConvertError& e) {
    if (std::getenv("DYAD_DEBUG")) std::fprintf(stderr, "bias correction skipped: %s\n", e.what());
    return 0;
  }
  (void)input_name;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> acc;  // sum, count
  const size_t n_samples = std::min<size_t>(calib.size(), 8);
  for (size_t s = 0; s < n_samples; ++s) {
    std::vector<DyadValue> vals = exec->Run({&calib[s]});
    std::map<std::string, const DyadValue*> by_name;
    for (size_t k = 0; k < vals.size() && k < names.size(); ++k) by_name[names[k]] = &vals[k];
    for (const Node& n : graph.nodes) {
      const bool gemm = n.op == "Gemm" && graph.IsConstant(n.Input(1)) && n.GetFloat("beta", 1.0f) == 1.0f;
      if (n.op != "Conv" && !gemm) continue;
      auto in = by_name.find(n.Input(0));
      auto out = by_name.find(n.outputs[0]);
      if (in == by_name.end() || out == by_name.end()) {
        if (std::getenv("DYAD_DEBUG")) std::fprintf(stderr, "no values for %s\n", n.name.c_str());
        continue;
      }
      Node plain = n;
      plain.attrs.erase("dyad.activation");
      Tensor x = Tensor::Float(in->second->shape, in->second->value);
      std::vector<const Tensor*> ins{&x};
      for (size_t k = 1; k < n.inputs.size(); ++k) ins.push_back(n.inputs[k].empty() ? nullptr : graph.Constant(n.inputs[k]));
      const Tensor z = EvalNode(plain, ins).at(0);
      const std::vector<float>& y = out->second->value;
      if (z.f.size() != y.size() || z.shape.size() < 2) continue;
      float lo = -INFINITY, hi = INFINITY;
      const std::string act = n.GetString("dyad.activation", "");
      if (act == "Relu") lo = 0;
      if (act == "Clip") {
        lo = n.GetFloat("dyad.act_min", -INFINITY);
        hi = n.GetFloat("dyad.act_max", INFINITY);
      }
      // Also exclude values at the edges of the output's own range.
      const QParams& p = q.params.at(n.outputs[0]);
      int32_t qlo, qhi;
      DTypeLimits(p.dtype, &qlo, &qhi);
      lo = std::max<float>(lo, float(p.scale * (qlo - p.zero_point)));
      hi = std::min<float>(hi, float(p.scale * (qhi - p.zero_point)));
      const int64_t channels = z.shape[1];
      int64_t inner = 1;
      for (size_t d = 2; d < z.shape.size(); ++d) inner *= z.shape[d];
      auto& [sum, count] = acc[n.outputs[0]];
      sum.resize(channels, 0.0);
      count.resize(channels, 0.0);
      for (int64_t e = 0; e < int64_t(z.f.size()); ++e) {
        if (!(z.f[e] > lo && z.f[e] < hi && y[e] > lo && y[e] < hi)) continue;
        const int64_t c = (e / inner) % channels;
        sum[c] += double(z.f[e]) - y[e];
        count[c] += 1;
      }
    }
  }
  int changed = 0;
  for (Node& n : graph.nodes) {
    auto it = acc.find(n.outputs.empty() ? "" : n.outputs[0]);
    if (it == acc.end()) continue;
    const auto& [sum, count] = it->second;
    const int64_t channels = static_cast<int64_t>(sum.size());
    Tensor b = Tensor::Float({channels}, 0.0f);
    if (!n.Input(2).empty()) {
      const std::vector<float> old = graph.Constant(n.Input(2))->ToFloatVector();
      if (int64_t(old.size()) != channels) continue;
      b.f = old;
    }
    for (int64_t c = 0; c < channels; ++c)
      if (count[c] > 0) b.f[c] += static_cast<float>(sum[c] / count[c]);
    n.inputs.resize(3);
    n.inputs[2] = graph.AddConstant(n.name + "_bias_corrected", std::move(b));
    ++changed;
  }
  graph.PruneUnusedConstants();
  return changed;
}

// Debug aid (DYAD_LOCAL_ERRORS=1): each node evaluated in float on libdyad's
// own dequantized inputs, compared with libdyad's output: the error this op
// alone adds, free of upstream error.
void PrintLocalErrors(const Graph& graph, const std::vector<std::string>& names,
                      const std::vector<DyadValue>& vals, const Sample& input, const std::string& input_name) {
  std::map<std::string, Tensor> got;
  for (size_t k = 0; k < vals.size() && k < names.size(); ++k)
    got[names[k]] = Tensor::Float(vals[k].shape, vals[k].value);
  got[input_name] = input.value;
  for (const Node& n : graph.nodes) {
    std::vector<const Tensor*> ins;
    bool ok = true;
    for (const auto& in : n.inputs) {
      if (in.empty()) { ins.push_back(nullptr); continue; }
      if (const Tensor* c = graph.Constant(in)) { ins.push_back(c); continue; }
      auto it = got.find(in);
      if (it == got.end()) { ok = false; break; }
      ins.push_back(&it->second);
    }
    if (!ok || n.outputs.empty()) continue;
    auto out = got.find(n.outputs[0]);
    if (out == got.end()) continue;
    std::vector<Tensor> z;
    try { z = EvalNode(n, ins); } catch (const std::exception&) { continue; }
    if (z.empty() || !z[0].is_float() || z[0].f.size() != out->second.f.size()) continue;
    const TensorError e = CompareTensors(n.outputs[0], z[0].f, out->second.f);
    std::fprintf(stderr, "local %-12s %8.2f dB cos %.5f  %s\n", n.op.c_str(), e.sqnr_db, e.cosine, n.outputs[0].c_str());
  }
}

}  // namespace

ConvertSummary RunConvert(const ConvertConfig& cfg, std::ostream& log) {
  const auto t0 = Clock::now();
  ConvertSummary sum;
  if (cfg.activations != "int8" && cfg.activations != "int16")
    throw ConvertError("--activations must be int8 or int16, got '" + cfg.activations + "'");
  if (cfg.weights != "int8" && cfg.weights != "int16")
    throw ConvertError("--weights must be int8 or int16, got '" + cfg.weights + "'");
  // With int8 activations their own rounding dominates (docs/converter_quantization.md):
  // twice the MACs would buy nothing measurable.
  if (cfg.weights == "int16" && cfg.activations != "int16")
    throw ConvertError("--weights int16 needs --activations int16 (with int8 activations their rounding, not the weights', dominates)");
  // int16 has 256x the resolution: clipping outliers (percentile) then costs
  // more than it saves (docs/converter_quantization.md, W8A16).
  const CalibMethod method =
      ParseCalibMethod(!cfg.method.empty() ? cfg.method : cfg.activations == "int16" ? "minmax" : "percentile");
  if (cfg.calib_path.empty()) throw ConvertError("no calibration data: pass --calib DIR_OR_NPY");
  if (cfg.mean.size() != cfg.std.size()) throw ConvertError("--input-mean and --input-std need the same number of values");
  if (!cfg.input_layout.empty() && cfg.input_layout != "nhwc" && cfg.input_layout != "nchw")
    throw ConvertError("--input-layout must be nhwc or nchw, got '" + cfg.input_layout + "'");

  // ---- import ----
  const std::string onnx_bytes = ReadFileBytes(cfg.onnx_path);
  sum.onnx_bytes = onnx_bytes.size();
  ImportOptions io;
  for (const auto& s : cfg.input_shapes) {
    InputShapeSpec spec = ParseInputShape(s);
    io.input_shapes[spec.name] = spec.shape;
  }
  Graph graph = ImportOnnxBytes(onnx_bytes, io);
  for (const auto& [name, shape] : io.input_shapes) {
    (void)shape;
    if (std::find(graph.inputs.begin(), graph.inputs.end(), name) == graph.inputs.end())
      throw ConvertError("--input-shape names '" + name + "', which is not a graph input");
  }
  if (graph.inputs.size() != 1)
    throw ConvertError("models with " + std::to_string(graph.inputs.size()) + " graph inputs are not supported yet (one input only)");
  InputSpec spec;
  spec.name = graph.inputs[0];
  auto vi = graph.values.find(spec.name);
  if (vi == graph.values.end() || !vi->second.shape_known)
    throw ConvertError("input '" + spec.name + "' has no fixed shape; pass --input-shape " + spec.name + ":1x3x224x224");
  spec.shape = vi->second.shape;
  for (auto d : spec.shape)
    if (d <= 0) throw ConvertError("input '" + spec.name + "' has a dynamic dimension; pass --input-shape");
  spec.nhwc = spec.shape.size() == 4 &&
              (cfg.input_layout.empty() ? (spec.shape[3] <= 4 && spec.shape[1] > 4) : cfg.input_layout == "nhwc");
  spec.mean = cfg.mean;
  spec.std = cfg.std;

  // ---- samples: calibration + held-out evaluation ----
  std::vector<Sample> all = LoadSamples(cfg.calib_path, spec, 0, cfg.eval_path.empty() ? 1 : cfg.calib_windows);
  if (cfg.calib_windows > 1 && cfg.eval_path.empty())
    throw ConvertError("--calib-windows needs --eval: windows of one photograph must not be both calibration and held-out samples");
  std::vector<Sample> calib, eval;
  if (!cfg.eval_path.empty()) {
    calib = std::move(all);
    eval = LoadSamples(cfg.eval_path, spec, cfg.eval_count);
  } else {
    const size_t n_eval = all.size() >= 2 ? std::min<size_t>(std::max<size_t>(cfg.eval_count, 1), std::max<size_t>(1, all.size() / 5)) : 0;
    calib.assign(all.begin(), all.end() - n_eval);
    eval.assign(all.end() - n_eval, all.end());
  }
  if (cfg.calib_count > 0 && calib.size() > cfg.calib_count) calib.resize(cfg.calib_count);
  if (eval.empty()) {
    eval = calib;
    sum.eval_on_calibration_data = true;
  }
  sum.calib_samples = calib.size();
  sum.eval_samples = eval.size();
  log << "dyad-convert: " << cfg.onnx_path << ": " << graph.nodes.size() << " nodes, input '" << spec.name
      << "' " << ShapeToString(spec.shape) << (spec.shape.size() == 4 ? (spec.nhwc ? " (NHWC)" : " (NCHW)") : "")
      << "; " << calib.size() << " calibration samples, " << eval.size()
      << (sum.eval_on_calibration_data ? " evaluation samples (the calibration data: nothing held out)" : " held-out samples") << "\n";

  // ---- prepare: shapes from one float run, folding and fusion ----
  std::map<std::string, Shape> shapes;
  {
    RunOptions ro;
    ro.keep_all = true;
    TensorMap first = RunGraph(graph, {{spec.name, calib[0].value}}, ro);
    for (const auto& [name, t] : first) shapes[name] = t.shape;
  }
  // The outputs are judged against the model as imported: equalization through
  // a Relu6 is exact only on data like the calibration samples.
  const Graph imported = graph;
  std::vector<TensorMap> samples;
  for (const auto& s : calib) samples.push_back({{spec.name, s.value}});
  // Equalization through a Relu6 is exact only on data like the calibration
  // samples. With split weights it is not worth that: M-LSD's offsets are
  // 31.7 dB with it and 42.6 dB without (docs/converter_quantization.md).
  const bool clip_equalization = cfg.weights != "int16";
  PrepareForQuantization(graph, shapes, clip_equalization ? FirstSamples(samples, 8) : std::vector<TensorMap>{});
  if (cfg.weights == "int16") sum.split_layers = SplitWeights(graph, FirstSamples(samples, 4));

  // ---- calibrate ----
  Calibrator calibrator(graph);
  CalibOptions co;
  co.method = method;
  co.percentile = cfg.percentile;
  ProgressBar bar(cfg.progress, "calibrating");
  co.progress = [&](size_t d, size_t t) { bar.Update(d, t); };
  calibrator.Run(samples, co);
  const std::map<std::string, Range> ranges = calibrator.Ranges(co);

  // ---- quantize + write ----
  QuantizeOptions qo;
  qo.input_nhwc[spec.name] = spec.nhwc;
  qo.input_mean = cfg.mean;
  qo.input_std = cfg.std;
  qo.int16_below_sqnr_db = cfg.int16_below_sqnr_db;
  qo.allow_int16 = cfg.allow_int16;
  qo.int16_activations = cfg.activations == "int16";
  qo.weight_bias_correction = cfg.weight_bias_correction;
  qo.extra_shapes = calibrator.other_shapes();
  const size_t rounding_samples =
      cfg.weight_rounding_samples >= 0 ? size_t(cfg.weight_rounding_samples) : cfg.activations == "int16" ? 4 : 0;
  for (size_t k = 0; k < std::min(rounding_samples, samples.size()); ++k) {
    RunOptions ro;
    ro.keep_all = true;
    qo.rounding_samples.push_back(RunGraph(graph, samples[k], ro));
  }
  qo.metadata = {{"producer", "dyad-convert 0.1.0"},
                 {"source_sha256", Sha256Hex(onnx_bytes)},
                 {"source_file", cfg.onnx_path.substr(cfg.onnx_path.find_last_of('/') + 1)},
                 {"calibration_method", CalibMethodName(method)},
                 {"activations", cfg.activations},
                 {"weights", cfg.weights},
                 {"calibration_samples", std::to_string(calib.size())}};
  QuantizeResult q = Quantize(graph, calibrator.stats(), ranges, qo);
  if (cfg.bias_correction) {
    sum.bias_corrected_layers = CorrectBiases(graph, q, calibrator, calib, spec.name);
    if (sum.bias_corrected_layers > 0) q = Quantize(graph, calibrator.stats(), ranges, qo);
  }
  sum.int16 = q.int16;
  sum.ops = q.model.ops.size();
  std::vector<uint8_t> bytes = SerializeModel(q.model);
  sum.dyad_bytes = bytes.size();
  if (!cfg.output_path.empty() && !write_file(cfg.output_path, bytes))
    throw ConvertError(cfg.output_path + ": cannot write the .dyad file");

  // ---- evaluate through libdyad ----
  DyadExec exec(bytes);
  std::vector<std::vector<float>> ref_out(graph.outputs.size()), got_out(graph.outputs.size());
  std::vector<Shape> out_shapes(graph.outputs.size());
  // Debug model: every quantized activation is an output.
  std::vector<std::string> dbg_names;
  QModel dbg = DebugModel(q, calibrator.stats(), &dbg_names);
  std::unique_ptr<DyadExec> dbg_exec;
  if (cfg.eval_intermediates) {
    try {
      dbg_exec = std::make_unique<DyadExec>(SerializeModel(dbg));
    } catch (const ConvertError& e) {
      sum.intermediates_note = std::string("intermediate tensors not measured: ") + e.what();
    }
  }
  std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> inter;
  ProgressBar ebar(cfg.progress, "evaluating ");
  for (size_t s = 0; s < eval.size(); ++s) {
    RunOptions ro;
    ro.keep_all = true;
    TensorMap ref = RunGraph(graph, {{spec.name, eval[s].value}}, ro);
    const TensorMap ref_imported = RunGraph(imported, {{spec.name, eval[s].value}});
    std::vector<DyadValue> got = exec.Run({&eval[s]});
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      const Tensor& r = ref_imported.at(graph.outputs[k]);
      ref_out[k].insert(ref_out[k].end(), r.f.begin(), r.f.end());
      out_shapes[k] = r.shape;
      const std::vector<float> g = ToIrLayout(got[k]);
      if (g.size() != r.f.size())
        throw ConvertError("output '" + graph.outputs[k] + "': libdyad gave " + std::to_string(g.size()) +
                           " values, the float model " + std::to_string(r.f.size()));
      got_out[k].insert(got_out[k].end(), g.begin(), g.end());
    }
    if (dbg_exec) {
      std::vector<DyadValue> all_v = dbg_exec->Run({&eval[s]});
      if (std::getenv("DYAD_LOCAL_ERRORS")) PrintLocalErrors(graph, dbg_names, all_v, eval[s], spec.name);
      for (size_t k = 0; k < all_v.size() && k < dbg_names.size(); ++k) {
        auto it = ref.find(dbg_names[k]);
        if (it == ref.end() || !it->second.is_float() || it->second.f.size() != all_v[k].value.size()) continue;
        auto& acc = inter[dbg_names[k]];
        acc.first.insert(acc.first.end(), it->second.f.begin(), it->second.f.end());
        acc.second.insert(acc.second.end(), all_v[k].value.begin(), all_v[k].value.end());
      }
    }
    ebar.Update(s + 1, eval.size());
  }
  for (size_t k = 0; k < graph.outputs.size(); ++k) {
    sum.outputs.push_back(CompareTensors(graph.outputs[k], ref_out[k], got_out[k]));
    if (!out_shapes[k].empty())
      sum.outputs.back().top1_agreement = Top1Agreement(ref_out[k], got_out[k], out_shapes[k].back());
    sum.output_values.push_back({graph.outputs[k], out_shapes[k], std::move(ref_out[k]), std::move(got_out[k])});
  }
  std::vector<TensorError> inter_err;
  for (const Node& n : graph.nodes)
    for (const auto& name : n.outputs) {
      auto it = inter.find(name);
      if (it == inter.end() || graph.IsGraphOutput(name)) continue;
      inter_err.push_back(CompareTensors(name, it->second.first, it->second.second));
      auto st = calibrator.stats().find(name);
      auto qp = q.params.find(name);
      if (st != calibrator.stats().end() && qp != q.params.end())
        inter_err.back().own_sqnr_db = SqnrOfQuantization(st->second.reservoir, qp->second);
    }
  sum.intermediates = inter_err;
  std::sort(inter_err.begin(), inter_err.end(), [](const TensorError& a, const TensorError& b) { return a.sqnr_db < b.sqnr_db; });
  if (inter_err.size() > 10) inter_err.resize(10);
  sum.worst = inter_err;
  sum.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // ---- print ----
  log << std::fixed << std::setprecision(2);
  log << "wrote " << (cfg.output_path.empty() ? "(memory)" : cfg.output_path) << ": " << sum.ops << " ops, "
      << sum.dyad_bytes << " bytes (ONNX " << sum.onnx_bytes << " bytes), " << sum.seconds << " s\n";
  if (sum.bias_corrected_layers) log << "bias correction: " << sum.bias_corrected_layers << " layers\n";
  if (sum.split_layers) log << "int16 weights: " << sum.split_layers << " Conv/Gemm layers as two int8 halves (eq. 21)\n";
  for (const auto& c : sum.int16)
    log << "int16 activations for '" << c.tensor << "': int8 would give SQNR " << c.sqnr_int8_db
        << " dB on calibration data, int16 gives " << c.sqnr_int16_db << " dB\n";
  log << "accuracy vs the float model (" << sum.eval_samples << " samples):\n";
  for (const auto& e : sum.outputs)
    log << "  output " << e.name << ": SQNR " << e.sqnr_db << " dB, cosine " << std::setprecision(5) << e.cosine
        << std::setprecision(2) << ", max |err| " << e.max_abs_err
        << (e.top1_agreement >= 0 ? ", top-1 agreement " + FormatPercent(e.top1_agreement) : std::string())
        << "\n";
  if (!sum.worst.empty()) log << "worst intermediate tensors:\n";
  for (const auto& e : sum.worst)
    log << "  " << e.name << ": SQNR " << e.sqnr_db << " dB, cosine " << std::setprecision(5) << e.cosine
        << std::setprecision(2) << "\n";
  if (!sum.intermediates_note.empty()) log << sum.intermediates_note << "\n";
  if (const std::string hint = AccuracyHint(sum.outputs, cfg); !hint.empty()) log << hint << "\n";

  if (!cfg.report_path.empty()) {
    nlohmann::json j;
    j["onnx"] = cfg.onnx_path;
    j["dyad"] = cfg.output_path;
    j["calibration_method"] = CalibMethodName(method);
    j["activations"] = cfg.activations;
    j["weights"] = cfg.weights;
    j["split_layers"] = sum.split_layers;
    j["calibration_samples"] = sum.calib_samples;
    j["evaluation_samples"] = sum.eval_samples;
    j["evaluated_on_calibration_data"] = sum.eval_on_calibration_data;
    j["seconds"] = sum.seconds;
    j["onnx_bytes"] = sum.onnx_bytes;
    j["dyad_bytes"] = sum.dyad_bytes;
    j["ops"] = sum.ops;
    j["bias_corrected_layers"] = sum.bias_corrected_layers;
    auto err = [](const TensorError& e) {
      return nlohmann::json{{"name", e.name},
                            {"sqnr_db", std::isfinite(e.sqnr_db) ? e.sqnr_db : 999.0},
                            {"cosine", e.cosine},
                            {"max_abs_err", e.max_abs_err},
                            {"own_sqnr_db", std::isfinite(e.own_sqnr_db) ? e.own_sqnr_db : 999.0},
                            {"top1_agreement", e.top1_agreement >= 0 ? nlohmann::json(e.top1_agreement) : nlohmann::json()}};
    };
    for (const auto& e : sum.outputs) j["outputs"].push_back(err(e));
    j["worst_intermediates"] = nlohmann::json::array();
    for (const auto& e : sum.worst) j["worst_intermediates"].push_back(err(e));
    j["intermediates"] = nlohmann::json::array();
    for (const auto& e : sum.intermediates) j["intermediates"].push_back(err(e));
    j["int16_tensors"] = nlohmann::json::array();
    for (const auto& c : sum.int16)
      j["int16_tensors"].push_back({{"tensor", c.tensor}, {"sqnr_int8_db", c.sqnr_int8_db}, {"sqnr_int16_db", c.sqnr_int16_db}});
    std::ofstream f(cfg.report_path);
    f << j.dump(2) << "\n";
    if (!f) throw ConvertError(cfg.report_path + ": cannot write the report");
  }
  return sum;
}

}  // namespace dyad::convert
