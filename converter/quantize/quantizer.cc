#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>

#include "converter/quantize/quantizer_internal.h"

namespace dyad::convert {

std::vector<int> NhwcPerm() { return {0, 2, 3, 1}; }

std::vector<int> IdentityPerm(size_t rank) {
  std::vector<int> p(rank);
  std::iota(p.begin(), p.end(), 0);
  return p;
}

std::string PermToString(const std::vector<int>& p) {
  std::string s;
  for (size_t k = 0; k < p.size(); ++k) s += (k ? "," : "") + std::to_string(p[k]);
  return s;
}

std::vector<int> ParsePerm(const std::string& s) {
  std::vector<int> p;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) p.push_back(std::stoi(item));
  return p;
}

std::vector<int32_t> PermuteShape(const Shape& ir, const Perm& p) {
  std::vector<int32_t> out(p.size());
  for (size_t k = 0; k < p.size(); ++k) out[k] = static_cast<int32_t>(ir[p[k]]);
  return out;
}

Perm InversePerm(const Perm& p) {
  Perm inv(p.size());
  for (size_t k = 0; k < p.size(); ++k) inv[p[k]] = static_cast<int>(k);
  return inv;
}

bool IsMovementOp(const std::string& op) {
  static const char* const kOps[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                     "MaxPool", "Pad",     "Slice",   "Split",     "Concat",
                                     "Identity", "Dropout", "Resize", "Upsample", "Cast"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

bool IsUnaryLut(const std::string& op) {
  static const char* const kOps[] = {"Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu",
                                     "Relu", "Clip", "Exp", "Elu", "Softplus", "Gelu", "Erf",
                                     "Neg", "Abs", "Selu", "Mish"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

namespace {

// Ops that pass int16 values through unchanged (the runtime's movement ops).
bool PassesInt16(const std::string& op) {
  return op != "MaxPool" && op != "Resize" && op != "Upsample" && IsMovementOp(op);
}

bool WritesInt16(const std::string& op) { return op == "Conv" || op == "Gemm"; }

// Largest over output channels of sum |q_w| for per-channel int8 weights of
// a [rows, per] matrix whose element (r, e) is at(r, e) (eq. 1 with the
// max-abs scale; the bias-driven scale raise of quantize_ops.cc only lowers it).
template <typename At>
int64_t MaxRowAbsSum(int64_t rows, int64_t per, At at) {
  int64_t worst = 0;
  for (int64_t r = 0; r < rows; ++r) {
    float m = 0;
    for (int64_t e = 0; e < per; ++e) m = std::max(m, std::fabs(at(r, e)));
    if (m == 0) continue;
    const double scale = WeightStep(m);
    int64_t sum = 0;
    for (int64_t e = 0; e < per; ++e) sum += std::abs(quantize_value(at(r, e), scale, 0, -127, 127));
    worst = std::max(worst, sum);
  }
  return worst;
}

// sum |q_w| bound of a Conv / ConvTranspose / Gemm / MatMul with constant
// weights whose input 0 is an activation; 0 for any other node.
int64_t WeightAbsSumBound(const Graph& g, const Node& c) {
  const bool gemm = c.op == "Gemm" || c.op == "MatMul";
  if (c.op != "Conv" && c.op != "ConvTranspose" && !gemm) return 0;
  const Tensor* w = g.Constant(c.Input(1));
  if (w == nullptr || w->f.empty()) return 0;
  const std::vector<int64_t>& s = w->shape;
  if (gemm) {
    if (s.size() != 2) return 0;
    const bool trans_b = c.op == "Gemm" && c.GetInt("transB", 0) != 0;
    const int64_t k = trans_b ? s[1] : s[0], n = trans_b ? s[0] : s[1];
    return MaxRowAbsSum(n, k, [&](int64_t r, int64_t e) {
      return trans_b ? w->f[r * k + e] : w->f[e * n + r];
    });
  }
  if (s.size() != 4) return 0;
  const int64_t taps = s[2] * s[3];
  if (c.op == "Conv") {
    const int64_t per = s[1] * taps;
    return MaxRowAbsSum(s[0], per, [&](int64_t r, int64_t e) { return w->f[r * per + e]; });
  }
  // ConvTranspose [Cin, Cout/g, kh, kw]: output channel o = g * Cout/g + og.
  const int64_t groups = std::max<int64_t>(1, c.GetInt("group", 1));
  const int64_t cin_g = s[0] / groups, cout_g = s[1];
  return MaxRowAbsSum(cout_g * groups, cin_g * taps, [&](int64_t o, int64_t e) {
    const int64_t gi = o / cout_g, og = o % cout_g, i = e / taps, t = e % taps;
    return w->f[((gi * cin_g + i) * cout_g + og) * taps + t];
  });
}

struct UnionFind {
  std::map<std::string, std::string> parent;
  std::string Find(const std::string& x) {
    auto it = parent.find(x);
    if (it == parent.end()) {
      parent[x] = x;
      return x;
    }
    if (it->second == x) return x;
    std::string r = Find(it->second);
    parent[x] = r;
    return r;
  }
  void Unite(const std::string& a, const std::string& b) { parent[Find(a)] = Find(b); }
};

bool SoftmaxWritesInt16(const Graph& g, const std::vector<std::string>& members,
                        const std::map<std::string, bool>& wide, UnionFind& uf) {
  // W8A16: a Softmax output group is int16 when the Softmax reads an int16
  // group and no Conv/Gemm reads the output (their int16 inputs need the
  // accumulator limit of Int16Limit, which a probability range cannot take).
  bool softmax_reads_int16 = false;
  for (const auto& name : members) {
    const int p = g.ProducerIndex(name);
    if (p >= 0 && g.nodes[p].op == "Softmax") {
      const std::string& in = g.nodes[p].Input(0);
      softmax_reads_int16 = !g.IsConstant(in) && wide.count(uf.Find(in)) > 0;
      if (!softmax_reads_int16) return false;
    }
    for (int c : g.ConsumerIndices(name)) {
      const std::string& op = g.nodes[c].op;
      if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" ||
          (op == "MatMul" && g.IsConstant(g.nodes[c].Input(1))))
        return false;
    }
  }
  return softmax_reads_int16;
}


}  // namespace

const Shape& Quantizer::IrShape(const std::string& name) const {
  auto it = stats_.find(name);
  if (it != stats_.end()) return it->second.shape;
  if (const Tensor* c = g_.Constant(name)) return c->shape;
  auto e = opt_.extra_shapes.find(name);
  if (e != opt_.extra_shapes.end()) return e->second;
  auto v = g_.values.find(name);
  if (v != g_.values.end() && v->second.shape_known) return v->second.shape;
  throw ConvertError("tensor '" + name + "' has no known shape (it was not computed during calibration)");
}

const QParams& Quantizer::Params(const Node& n, const std::string& name) const {
  auto it = qp_.find(name);
  if (it == qp_.end()) Fail(n, "tensor '" + name + "' has no calibration data");
  return it->second;
}

const QParams& Quantizer::Params8(const Node& n, const std::string& name) const {
  auto it = qp8_.find(name);
  return it != qp8_.end() ? it->second : Params(n, name);
}

int32_t Quantizer::Int8Input(const Node& n, const std::string& name, const Perm& target) {
  const int32_t x = Ensure(n, name, target);
  const QParams& p = Params(n, name);
  if (p.dtype != fb::DType::INT16) return x;
  auto key = std::make_pair(name, target);
  auto hit = int8_of_.find(key);
  if (hit != int8_of_.end()) return hit->second;
  const QParams& p8 = Params8(n, name);
  QTensor t = m_.tensors[x];
  t.name = name + "/int8";
  t.dtype = fb::DType::INT8;
  t.scale = static_cast<float>(p8.scale);
  t.zero_point = p8.zero_point;
  const int32_t y = m_.AddTensor(t);
  const DyadicMultiplier m = Multiplier(p.scale / p8.scale, n.Describe() + " int8 input");  // eq. 16
  QOp op;
  op.name = name + "/to_int8";
  op.type = fb::OperatorOptions::RequantizeOptions;
  op.inputs = {x};
  op.outputs = {y};
  op.options = [m](flatbuffers::FlatBufferBuilder& b) {
    return fb::CreateRequantizeOptions(b, m.multiplier, m.shift, -128, 127).Union();
  };
  m_.ops.push_back(std::move(op));
  int8_of_[key] = y;
  return y;
}

const Stored& Quantizer::Get(const Node& n, const std::string& name) const {
  auto it = act_.find(name);
  if (it == act_.end()) {
    if (g_.IsConstant(name)) Fail(n, "constant input '" + name + "' is not supported in this position");
    Fail(n, "input '" + name + "' has not been quantized");
  }
  return it->second;
}

bool Quantizer::SameOrder(const Shape& ir, const Perm& a, const Perm& b) const {
  // Both layouts list the non-unit IR dims in the same order -> same bytes.
  auto order = [&](const Perm& p) {
    std::vector<int> o;
    for (int d : p)
      if (ir[d] != 1) o.push_back(d);
    return o;
  };
  return order(a) == order(b);
}

int32_t Quantizer::NewAct(const std::string& name, const Perm& perm) {
  auto it = qp_.find(name);
  if (it == qp_.end()) throw ConvertError("tensor '" + name + "' has no calibration data");
  QTensor t;
  t.name = name;
  t.shape = PermuteShape(IrShape(name), perm);
  t.dtype = it->second.dtype;
  t.scale = static_cast<float>(it->second.scale);
  t.zero_point = it->second.zero_point;
  int32_t idx = m_.AddTensor(std::move(t));
  act_[name] = Stored{idx, perm};
  return idx;
}

int32_t Quantizer::Ensure(const Node& n, const std::string& name, const Perm& target) {
  const Stored& s = Get(n, name);
  if (s.perm == target) return s.tensor;
  auto key = std::make_pair(name, target);
  auto hit = ensured_.find(key);
  if (hit != ensured_.end()) return hit->second;
  const Shape& ir = IrShape(name);
  QTensor t = m_.tensors[s.tensor];
  t.name = name + (SameOrder(ir, s.perm, target) ? "/reshaped_" : "/transposed_") + PermToString(target);
  t.shape = PermuteShape(ir, target);
  const int32_t out = m_.AddTensor(t);
  if (SameOrder(ir, s.perm, target)) {
    AddOp(n, fb::OperatorOptions::ReshapeOptions, {s.tensor}, {out},
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateReshapeOptions(b).Union(); });
  } else {
    // stored_target[k] = stored_cur[t[k]] with t[k] = cur^-1[target[k]].
    const Perm inv = InversePerm(s.perm);
    std::vector<int32_t> perm(target.size());
    for (size_t k = 0; k < target.size(); ++k) perm[k] = inv[target[k]];
    AddOp(n, fb::OperatorOptions::TransposeOptions, {s.tensor}, {out},
          [perm](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateTransposeOptionsDirect(b, &perm).Union();
          });
  }
  ensured_[key] = out;
  return out;
}

int32_t Quantizer::AddConstTensor(const std::string& name, std::vector<int32_t> shape,
                                  fb::DType dtype, const void* data, size_t bytes, double scale,
                                  int32_t zp) {
  QTensor t;
  t.name = name;
  t.shape = std::move(shape);
  if (t.shape.empty()) t.shape = {1};
  t.dtype = dtype;
  t.scale = static_cast<float>(scale);
  t.zero_point = zp;
  t.is_constant = true;
  t.data.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + bytes);
  return m_.AddTensor(std::move(t));
}

int32_t Quantizer::QuantizedConst(const Node& n, const std::string& name, size_t rank,
                                  const Perm& perm, const QParams& p) {
  const Tensor* c = g_.Constant(name);
  if (!c) Fail(n, "'" + name + "' is not a constant");
  if (c->shape.size() > rank) Fail(n, "constant '" + name + "' has a higher rank than its partner");
  Shape full(rank - c->shape.size(), 1);
  full.insert(full.end(), c->shape.begin(), c->shape.end());
  const std::vector<float> v = c->ToFloatVector();
  const std::vector<int32_t> shape = PermuteShape(full, perm);
  // Strides of the IR layout.
  std::vector<int64_t> st(rank, 1);
  for (int64_t k = static_cast<int64_t>(rank) - 2; k >= 0; --k) st[k] = st[k + 1] * full[k + 1];
  const int64_t count = NumElements(full);
  int32_t lo, hi;
  QLimits(p, &lo, &hi);
  std::vector<int32_t> q(count);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < count; ++e) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k) src += idx[k] * st[perm[k]];
    q[e] = quantize_value(v[src], p.scale, p.zero_point, lo, hi);
    for (int64_t k = static_cast<int64_t>(rank) - 1; k >= 0; --k) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  std::vector<uint8_t> bytes;
  const size_t es = DTypeSize(p.dtype);
  bytes.resize(count * es);
  for (int64_t e = 0; e < count; ++e) {
    if (es == 1) {
      bytes[e] = static_cast<uint8_t>(static_cast<int8_t>(q[e]));
    } else {
      const int16_t h = static_cast<int16_t>(q[e]);
      std::memcpy(&bytes[e * 2], &h, 2);
    }
  }
  return AddConstTensor(name, shape, p.dtype, bytes.data(), bytes.size(), p.scale, p.zero_point);
}

void Quantizer::AddOp(const Node& n, fb::OperatorOptions type, std::vector<int32_t> in,
                      std::vector<int32_t> out, OptionsBuilder options) {
  QOp op;
  op.name = n.name.empty() ? n.op : n.name;
  op.type = type;
  op.inputs = std::move(in);
  op.outputs = std::move(out);
  op.options = std::move(options);
  m_.ops.push_back(std::move(op));
}

void Quantizer::ActBounds(const Node& n, const QParams& out, int32_t* lo, int32_t* hi) const {
  QLimits(out, lo, hi);
  const std::string act = n.GetString("dyad.activation", "");
  if (act.empty()) return;
  float a = 0.0f, b = INFINITY;
  if (act == "Clip") {
    a = n.GetFloat("dyad.act_min", -INFINITY);
    b = n.GetFloat("dyad.act_max", INFINITY);
  } else if (act != "Relu") {
    Fail(n, "unknown fused activation '" + act + "'");
  }
  if (std::isfinite(a)) *lo = std::max(*lo, quantize_value(a, out.scale, out.zero_point, *lo, *hi));
  if (std::isfinite(b)) *hi = std::min(*hi, quantize_value(b, out.scale, out.zero_point, *lo, *hi));
}

bool Quantizer::GroupWritesInt16(const std::vector<std::string>& members, bool* clamped) const {
  *clamped = true;
  for (const auto& name : members) {
    const int p = g_.ProducerIndex(name);
    if (p < 0) {
      // A graph input: int16 only behind the uint8-pixel Requantize.
      if (opt_.input_mean.empty()) return false;
      continue;
    }
    const Node& n = g_.nodes[p];
    const std::string& op = n.op;
    if ((op == "MatMul" || op == "Gemm") && !g_.IsConstant(n.Input(1))) return false;
    if (op == "GlobalAveragePool" || op == "ReduceMean") {
      *clamped = false;  // Mean has no clamp bounds
      continue;
    }
    if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul" || op == "Add" ||
        op == "Sub" || op == "Mul" || op == "Div" || op == "AveragePool" || IsUnaryLut(op) ||
        IsMovementOp(op))
      continue;
    return false;
  }
  return true;
}

int32_t Quantizer::Int16Limit(const std::vector<std::string>& members) const {
  int64_t limit = 32767;
  for (const auto& name : members)
    for (int c : g_.ConsumerIndices(name)) {
      const Node& n = g_.nodes[c];
      if (n.Input(0) != name) continue;
      // |bias| < 2^30 (quantize_ops.cc) and limit * sum|w| <= 2^30 - 2 keep
      // the accumulator's bound below 2^31 - 1.
      const int64_t sum = WeightAbsSumBound(g_, n);
      if (sum > 0) limit = std::min<int64_t>(limit, ((int64_t{1} << 30) - 2) / sum);
    }
  return static_cast<int32_t>(std::max<int64_t>(limit, 1));
}

void Quantizer::AssignParams() {
  UnionFind uf;
  std::set<std::string> fixed_softmax, fixed_bool;
  for (const Node& n : g_.nodes) {
    for (const auto& o : n.outputs)
      if (!o.empty()) uf.Find(o);
    if (n.op == "Softmax") fixed_softmax.insert(n.outputs[0]);
    if (n.op == "Equal") fixed_bool.insert(n.outputs[0]);
    if (!IsMovementOp(n.op)) continue;
    const size_t data_inputs = n.op == "Concat" ? n.inputs.size() : 1;
    for (size_t k = 0; k < data_inputs && k < n.inputs.size(); ++k) {
      const std::string& in = n.inputs[k];
      if (in.empty() || g_.IsConstant(in)) continue;
      for (const auto& o : n.outputs)
        if (!o.empty()) uf.Unite(in, o);
    }
  }
  for (const auto& in : g_.inputs) uf.Find(in);
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& [name, parent] : uf.parent) {
    (void)parent;
    groups[uf.Find(name)].push_back(name);
  }
  // W8A16: the groups every member of which an op with int16 output writes,
  // less (to a fixed point) those written by a Mean / AveragePool whose input
  // group is not int16 (libdyad runs them int8 -> int8 or int16 -> int16) or
  // that averages more than 65536 values (an int16 sum could saturate).
  // wide: root -> whether every writer clamps (a Mean does not).
  std::map<std::string, bool> wide;
  if (opt_.int16_activations) {
    for (const auto& [root, members] : groups) {
      bool clamped = false;
      if (GroupWritesInt16(members, &clamped)) wide[root] = clamped;
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [root, members] : groups) {
        if (!wide.count(root)) continue;
        for (const auto& name : members) {
          const int p = g_.ProducerIndex(name);
          if (p < 0) continue;
          const Node& n = g_.nodes[p];
          if (n.op != "GlobalAveragePool" && n.op != "ReduceMean" && n.op != "AveragePool") continue;
          const std::string& in = n.Input(0);
          const bool in_wide = !g_.IsConstant(in) && wide.count(uf.Find(in));
          const int64_t in_n = NumElements(IrShape(in)), out_n = NumElements(IrShape(name));
          const int64_t window = n.op == "AveragePool" ? NumElements(Shape(n.GetInts("kernel_shape"))) : in_n / std::max<int64_t>(1, out_n);
          if (!in_wide || window > 65536) {
            wide.erase(root);
            changed = true;
            break;
          }
        }
      }
    }
  }
  for (const auto& [root, members] : groups) {
    bool has_range = false, fixed = false, boolean = false;
    Range r;
    for (const auto& name : members) {
      if (fixed_softmax.count(name)) fixed = true;
      if (fixed_bool.count(name)) boolean = true;
      auto it = ranges_.find(name);
      if (it == ranges_.end()) continue;
      r = has_range ? Range{std::min(r.lo, it->second.lo), std::max(r.hi, it->second.hi)} : it->second;
      has_range = true;
    }
    // Constants concatenated into the group must fit too.
    for (const Node& n : g_.nodes) {
      if (n.op != "Concat") continue;
      if (std::find(members.begin(), members.end(), n.outputs[0]) == members.end()) continue;
      for (const auto& in : n.inputs) {
        if (const Tensor* c = g_.Constant(in)) {
          for (float v : c->ToFloatVector()) {
            r.lo = std::min(r.lo, v);
            r.hi = std::max(r.hi, v);
          }
        }
      }
    }
    if (boolean) {
      // A comparison result: 0 -> -128, 1 -> 127.
      QParams p;
      p.scale = 1.0 / 255.0;
      p.zero_point = -128;
      for (const auto& name : members) qp_[name] = p;
      continue;
    }
    if (fixed) {
      QParams p;
      p.scale = 1.0 / 256.0;
      p.zero_point = -128;
      if (SoftmaxWritesInt16(g_, members, wide, uf)) {
        // Eq. 14b: int16 in and out, scale 1/32768; readers that take int8
        // only get a Requantize copy with the int8 parameters.
        QParams p16;
        p16.dtype = fb::DType::INT16;
        p16.scale = 1.0 / 32768.0;
        p16.zero_point = 0;
        for (const auto& name : members) {
          qp_[name] = p16;
          qp8_[name] = p;
        }
        continue;
      }
      for (const auto& name : members) qp_[name] = p;
      continue;
    }
    if (!has_range) continue;
    QParams p8 = ChooseParams(r.lo, r.hi, fb::DType::INT8);
    QParams chosen = p8;
    if (wide.count(root)) {
      const bool clamped = wide.at(root);
      const int32_t limit = Int16Limit(members);
      // A group written by an op without clamp bounds (Mean) can hold the
      // whole int16 range: int16 only when its readers allow that.
      if (clamped || limit >= 32767) {
        chosen = ChooseParams(r.lo, r.hi, fb::DType::INT16, limit);
        for (const auto& name : members) {
          qp_[name] = chosen;
          qp8_[name] = p8;
        }
        continue;
      }
    }
    // int16 candidates: reach only graph outputs through int16-safe moves,
    // written by Conv/Gemm, never a graph input.
    bool candidate = opt_.allow_int16;
    bool reaches_output = false;
    for (const auto& name : members) {
      if (std::find(g_.inputs.begin(), g_.inputs.end(), name) != g_.inputs.end()) candidate = false;
      if (g_.IsGraphOutput(name)) reaches_output = true;
      const int p = g_.ProducerIndex(name);
      if (p < 0) {
        candidate = false;
      } else {
        const std::string& op = g_.nodes[p].op;
        if (!WritesInt16(op) && !PassesInt16(op)) candidate = false;
        if (PassesInt16(op) && op == "Concat") {
          for (const auto& in : g_.nodes[p].inputs)
            if (!in.empty() && !g_.IsConstant(in) && !qp_.count(in) &&
                std::find(members.begin(), members.end(), in) == members.end())
              candidate = false;
        }
      }
      for (int c : g_.ConsumerIndices(name))
        if (!PassesInt16(g_.nodes[c].op)) candidate = false;
    }
    if (candidate && reaches_output) {
      std::vector<float> sample;
      for (const auto& name : members) {
        auto it = stats_.find(name);
        if (it != stats_.end() && WritesInt16(g_.nodes[g_.ProducerIndex(name)].op))
          sample.insert(sample.end(), it->second.reservoir.begin(), it->second.reservoir.end());
      }
      const double s8 = SmallHalfSqnrOfQuantization(sample, p8);
      if (!sample.empty() && s8 < opt_.int16_below_sqnr_db) {
        chosen = ChooseParams(r.lo, r.hi, fb::DType::INT16);
        Int16Choice c;
        c.tensor = members.front();
        for (const auto& name : members)
          if (g_.IsGraphOutput(name)) c.tensor = name;
        c.sqnr_int8_db = s8;
        c.sqnr_int16_db = SmallHalfSqnrOfQuantization(sample, chosen);
        int16_.push_back(c);
      }
    }
    for (const auto& name : members) qp_[name] = chosen;
  }
}

void Quantizer::EmitInputs() {
  const bool pixels = !opt_.input_mean.empty();
  if (pixels && opt_.input_mean.size() != opt_.input_std.size())
    throw ConvertError("--input-mean and --input-std must have the same number of values");
  for (size_t k = 0; k < g_.inputs.size(); ++k) {
    const std::string& name = g_.inputs[k];
    const Shape& shape = IrShape(name);
    Perm perm = IdentityPerm(shape.size());
    bool nhwc_given = false;
    if (shape.size() == 4) {
      auto it = opt_.input_nhwc.find(name);
      nhwc_given = it != opt_.input_nhwc.end() ? it->second : (shape[3] <= 4 && shape[1] > 4);
      if (!nhwc_given) perm = NhwcPerm();
    }
    const std::string key = "input_" + std::to_string(k);
    m_.metadata.push_back({key + "_name", name});
    m_.metadata.push_back({key + "_perm", PermToString(perm)});
    if (!qp_.count(name)) throw ConvertError("graph input '" + name + "' has no calibration data");
    if (!pixels) {
      m_.inputs.push_back(NewAct(name, perm));
      continue;
    }
    for (size_t c = 1; c < opt_.input_mean.size(); ++c)
      if (opt_.input_mean[c] != opt_.input_mean[0] || opt_.input_std[c] != opt_.input_std[0])
        throw ConvertError("per-channel --input-mean/--input-std values differ; only one value for all channels is supported");
    const double mean = opt_.input_mean[0], stdv = opt_.input_std[0];
    if (!(stdv > 0)) throw ConvertError("--input-std must be positive");
    QTensor u;
    u.name = name;
    u.shape = PermuteShape(shape, perm);
    u.dtype = fb::DType::UINT8;
    u.scale = static_cast<float>(1.0 / stdv);
    u.zero_point = static_cast<int32_t>(std::lround(mean));
    if (u.zero_point < 0 || u.zero_point > 255) throw ConvertError("--input-mean must lie in [0, 255]");
    const double u_scale = 1.0 / stdv;
    const int32_t raw = m_.AddTensor(u);
    m_.inputs.push_back(raw);
    m_.metadata.push_back({key + "_mean", std::to_string(mean)});
    m_.metadata.push_back({key + "_std", std::to_string(stdv)});
    const int32_t q = NewAct(name, perm);
    m_.tensors[q].name = name + "/quantized";
    const QParams p = qp_.at(name);
    const DyadicMultiplier mul = Multiplier(u_scale / p.scale, "input '" + name + "' requantize");
    QOp op;
    op.name = name + "/requantize";
    op.type = fb::OperatorOptions::RequantizeOptions;
    op.inputs = {raw};
    op.outputs = {q};
    int32_t lo, hi;
    QLimits(p, &lo, &hi);
    op.options = [mul, lo, hi](flatbuffers::FlatBufferBuilder& b) {
      return fb::CreateRequantizeOptions(b, mul.multiplier, mul.shift, lo, hi).Union();
    };
    m_.ops.push_back(std::move(op));
  }
}

void Quantizer::EmitOutputs() {
  for (size_t k = 0; k < g_.outputs.size(); ++k) {
    const std::string& name = g_.outputs[k];
    auto it = act_.find(name);
    if (it == act_.end()) throw ConvertError("graph output '" + name + "' was not produced by a quantized op");
    m_.outputs.push_back(it->second.tensor);
    const std::string key = "output_" + std::to_string(k);
    m_.metadata.push_back({key + "_name", name});
    m_.metadata.push_back({key + "_perm", PermToString(it->second.perm)});
  }
}

QuantizeResult Quantizer::Run() {
  for (const auto& kv : opt_.metadata) m_.metadata.push_back(kv);
  AssignParams();
  EmitInputs();
  for (const Node& n : g_.nodes) QuantizeNode(n);
  EmitOutputs();
  QuantizeResult r;
  r.model = std::move(m_);
  r.int16 = int16_;
  for (const auto& [name, s] : act_) r.tensor_of[name] = {s.tensor, s.perm};
  r.params = qp_;
  return r;
}

QuantizeResult Quantize(const Graph& graph, const std::map<std::string, TensorStats>& stats,
                        const std::map<std::string, Range>& ranges, const QuantizeOptions& options) {
  Quantizer q(graph, stats, ranges, options);
  return q.Run();
}

}  // namespace dyad::convert
