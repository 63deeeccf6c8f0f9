// Decomposed LayerNorm recognition:
//   m = ReduceMean(x, axes); d = Sub(x, m); p = Pow(d, 2) | Mul(d, d);
//   v = ReduceMean(p, axes); s = Sqrt(Add(v, eps)); n = Div(d, s);
//   [y = Mul(n, gamma)]; [z = Add(y, beta)]
// over trailing axes (keepdims=1) becomes LayerNormalization(x, gamma, beta).
#include <algorithm>

#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {
namespace {

using passes::ScalarConstant;
using passes::SingleUse;

int Producer(const Graph& g, const std::string& t, const char* op) {
  const int k = g.ProducerIndex(t);
  return k >= 0 && g.nodes[k].op == op ? k : -1;
}

// Trailing axes of a keepdims ReduceMean: returns the first axis or -1.
int64_t TrailingAxes(const Graph& g, const Node& rm, int64_t rank) {
  if (rm.GetInt("keepdims", 1) != 1) return -1;
  const Tensor* axes_t = g.Constant(rm.Input(1));
  if (!axes_t || axes_t->size() == 0) return -1;
  std::vector<int64_t> axes = axes_t->ToInt64Vector();
  for (auto& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  for (size_t k = 0; k < axes.size(); ++k)
    if (axes[k] != rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(k)) return -1;
  return axes[0];
}

// Constant `name` reshaped to the normalized (trailing) shape, if it
// broadcasts against it only along those dims.
bool AffineParam(const Graph& g, const std::string& name, const Shape& norm, Tensor* out) {
  const Tensor* t = g.Constant(name);
  if (!t || !t->is_float()) return false;
  Shape s = t->shape;
  while (!s.empty() && s.front() == 1 && s.size() > norm.size()) s.erase(s.begin());
  if (s.size() > norm.size()) return false;
  const size_t off = norm.size() - s.size();
  for (size_t k = 0; k < s.size(); ++k)
    if (s[k] != 1 && s[k] != norm[off + k]) return false;
  *out = *t;
  out->shape = s;
  return true;
}

bool MatchAt(Graph& g, int di) {
  const Node& div = g.nodes[di];
  if (div.op != "Div" || div.inputs.size() != 2) return false;
  const std::string d = div.inputs[0];
  const int si = Producer(g, div.inputs[1], "Sqrt");
  if (si < 0 || !SingleUse(g, div.inputs[1])) return false;
  const int ai = Producer(g, g.nodes[si].inputs[0], "Add");
  if (ai < 0 || !SingleUse(g, g.nodes[si].inputs[0])) return false;
  const Node& add = g.nodes[ai];
  float eps = 0;
  std::string v;
  if (ScalarConstant(g, add.inputs[1], &eps)) v = add.inputs[0];
  else if (ScalarConstant(g, add.inputs[0], &eps)) v = add.inputs[1];
  else return false;
  const int vi = Producer(g, v, "ReduceMean");
  if (vi < 0 || !SingleUse(g, v)) return false;
  const std::string p = g.nodes[vi].inputs[0];
  int pi = Producer(g, p, "Pow");
  float two = 0;
  if (pi >= 0) {
    if (g.nodes[pi].inputs[0] != d || !ScalarConstant(g, g.nodes[pi].inputs[1], &two) || two != 2.0f) return false;
  } else {
    pi = Producer(g, p, "Mul");
    if (pi < 0 || g.nodes[pi].inputs[0] != d || g.nodes[pi].inputs[1] != d) return false;
  }
  if (!SingleUse(g, p)) return false;
  const int subi = Producer(g, d, "Sub");
  if (subi < 0 || g.IsGraphOutput(d)) return false;
  const std::vector<int> d_readers = g.ConsumerIndices(d);
  for (int r : d_readers)
    if (r != pi && r != di) return false;
  const std::string x = g.nodes[subi].inputs[0];
  const int mi = Producer(g, g.nodes[subi].inputs[1], "ReduceMean");
  if (mi < 0 || g.nodes[mi].inputs[0] != x || !SingleUse(g, g.nodes[subi].inputs[1])) return false;
  auto xv = g.values.find(x);
  if (xv == g.values.end() || !xv->second.shape_known) return false;
  const Shape& xs = xv->second.shape;
  const int64_t rank = static_cast<int64_t>(xs.size());
  const int64_t axis = TrailingAxes(g, g.nodes[mi], rank);
  if (axis < 0 || TrailingAxes(g, g.nodes[vi], rank) != axis) return false;
  const Shape norm(xs.begin() + axis, xs.end());

  std::vector<int> chain = {mi, subi, pi, vi, ai, si, di};
  int last = di;
  Tensor gamma = Tensor::Float(norm, 1.0f), beta;
  bool has_beta = false;
  if (SingleUse(g, div.outputs[0])) {
    const int mul = g.ConsumerIndices(div.outputs[0])[0];
    const Node& m = g.nodes[mul];
    if (m.op == "Mul" && m.inputs.size() == 2) {
      const std::string other = m.inputs[0] == div.outputs[0] ? m.inputs[1] : m.inputs[0];
      if (AffineParam(g, other, norm, &gamma)) {
        chain.push_back(mul);
        last = mul;
        if (SingleUse(g, m.outputs[0])) {
          const int bi = g.ConsumerIndices(m.outputs[0])[0];
          const Node& b = g.nodes[bi];
          if (b.op == "Add" && b.inputs.size() == 2) {
            const std::string o = b.inputs[0] == m.outputs[0] ? b.inputs[1] : b.inputs[0];
            if (AffineParam(g, o, norm, &beta)) {
              chain.push_back(bi);
              last = bi;
              has_beta = true;
            }
          }
        }
      }
    }
  }
  Node ln;
  ln.name = g.nodes[last].name + "_layernorm";
  ln.op = "LayerNormalization";
  ln.inputs = {x, g.AddConstant(ln.name + "_scale", std::move(gamma))};
  if (has_beta) ln.inputs.push_back(g.AddConstant(ln.name + "_bias", std::move(beta)));
  ln.outputs = {g.nodes[last].outputs[0]};
  ln.attrs["axis"] = Attribute::Int(axis);
  ln.attrs["epsilon"] = Attribute::Flt(eps);
  for (int k : chain)
    if (k != last)
      for (const auto& o : g.nodes[k].outputs) g.values.erase(o);
  g.nodes[last] = ln;
  chain.erase(std::find(chain.begin(), chain.end(), last));
  passes::EraseNodes(g, chain);
  return true;
}

}  // namespace

int RecognizeLayerNorm(Graph& g) {
  int found = 0;
  for (int k = 0; k < static_cast<int>(g.nodes.size()); ++k)
    if (MatchAt(g, k)) {
      ++found;
      k = -1;
    }
  if (found) g.PruneUnusedConstants();
  return found;
}

}  // namespace dyad::convert
