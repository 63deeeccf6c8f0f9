// BatchNormalization folding into Conv / ConvTranspose / Gemm:
// BN(y) = a*y + (B - mean*a) with a = scale/sqrt(var+eps), per channel, so
// the producer's weights are scaled by a per output channel and its bias
// becomes a*bias + B - mean*a. New constants are created (weights may be
// shared); the old ones are pruned when unused.
#include <cmath>

#include "converter/passes/pass_util.h"
#include "converter/passes/passes.h"

namespace dyad::convert {
namespace {

// BN parameters 1..4 must be float constants of one common size.
bool ConstantParams(const Graph& g, const Node& bn) {
  int64_t size = -1;
  for (size_t k = 1; k < 5; ++k) {
    const Tensor* t = g.Constant(bn.Input(k));
    if (!t || !t->is_float() || (size >= 0 && t->size() != size)) return false;
    size = t->size();
  }
  return true;
}

// Per-channel factor a and shift of an inference BN.
// Kept in double: the folded weights and bias are rounded to float once.
void BnAffine(const Graph& g, const Node& bn, std::vector<double>* a, std::vector<double>* shift) {
  const Tensor& scale = *g.Constant(bn.inputs[1]);
  const Tensor& bias = *g.Constant(bn.inputs[2]);
  const Tensor& mean = *g.Constant(bn.inputs[3]);
  const Tensor& var = *g.Constant(bn.inputs[4]);
  const float eps = bn.GetFloat("epsilon", 1e-5f);
  const size_t C = scale.f.size();
  a->resize(C);
  shift->resize(C);
  for (size_t c = 0; c < C; ++c) {
    const double f = static_cast<double>(scale.f[c]) / std::sqrt(static_cast<double>(var.f[c]) + eps);
    (*a)[c] = f;
    (*shift)[c] = bias.f[c] - mean.f[c] * f;
  }
}

// Returns the producer's current bias per output channel (zeros if absent).
bool CurrentBias(const Graph& g, const Node& p, size_t index, int64_t channels, std::vector<float>* bias) {
  bias->assign(channels, 0.0f);
  if (p.Input(index).empty()) return true;
  const Tensor* b = g.Constant(p.Input(index));
  if (!b || !b->is_float()) return false;
  if (b->size() == channels) *bias = b->f;
  else if (b->size() == 1) bias->assign(channels, b->f[0]);
  else return false;
  return true;
}

bool FoldInto(Graph& g, Node& p, const Node& bn) {
  if (p.Has("dyad.activation")) return false;
  const Tensor* w = g.Constant(p.Input(1));
  if (!w || !w->is_float() || w->shape.size() < 2) return false;
  std::vector<double> a, shift;
  BnAffine(g, bn, &a, &shift);
  const int64_t C = static_cast<int64_t>(a.size());
  Tensor nw = *w;
  std::vector<float> bias;
  size_t bias_index = 2;
  if (p.op == "Conv") {
    if (w->shape[0] != C) return false;
    const int64_t per = w->size() / C;
    for (int64_t m = 0; m < C; ++m)
      for (int64_t k = 0; k < per; ++k) nw.f[m * per + k] = static_cast<float>(nw.f[m * per + k] * a[m]);
  } else if (p.op == "ConvTranspose") {
    const int64_t group = p.GetInt("group", 1), Cin = w->shape[0], Mg = w->shape[1];
    if (Mg * group != C || Cin % group) return false;
    const int64_t per = w->size() / (Cin * Mg), Cg = Cin / group;
    for (int64_t ci = 0; ci < Cin; ++ci)
      for (int64_t mg = 0; mg < Mg; ++mg)
        for (int64_t k = 0; k < per; ++k) {
          float& v = nw.f[(ci * Mg + mg) * per + k];
          v = static_cast<float>(v * a[(ci / Cg) * Mg + mg]);
        }
  } else {  // Gemm: channel is the N (column) dimension of Y
    if (w->shape.size() != 2) return false;
    const bool tb = p.GetInt("transB", 0) != 0;
    const int64_t K = tb ? w->shape[1] : w->shape[0], N = tb ? w->shape[0] : w->shape[1];
    if (N != C) return false;
    for (int64_t kk = 0; kk < K; ++kk)
      for (int64_t n = 0; n < N; ++n) {
        float& v = nw.f[tb ? n * K + kk : kk * N + n];
        v = static_cast<float>(v * a[n]);
      }
  }
  if (!CurrentBias(g, p, bias_index, C, &bias)) return false;
  const float beta = p.op == "Gemm" ? p.GetFloat("beta", 1.0f) : 1.0f;
  for (int64_t c = 0; c < C; ++c) bias[c] = static_cast<float>(a[c] * beta * bias[c] + shift[c]);
  const std::string wname = g.AddConstant(p.name + "_w_bnfold", std::move(nw));
  const std::string bname = g.AddConstant(p.name + "_b_bnfold", Tensor::Float({C}, bias));
  p.inputs.resize(3);
  p.inputs[1] = wname;
  p.inputs[2] = bname;
  if (p.op == "Gemm") p.attrs["beta"] = Attribute::Flt(1.0f);
  return true;
}

}  // namespace

int FoldBatchNorm(Graph& g) {
  int folded = 0;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node bn = g.nodes[k];
    if (bn.op != "BatchNormalization" || !ConstantParams(g, bn)) continue;
    const int p = g.ProducerIndex(bn.inputs[0]);
    if (p < 0 || !passes::SingleUse(g, bn.inputs[0])) continue;
    Node& prod = g.nodes[p];
    if (prod.op != "Conv" && prod.op != "ConvTranspose" && prod.op != "Gemm") continue;
    if (!FoldInto(g, prod, bn)) continue;
    g.values.erase(prod.outputs[0]);
    prod.outputs[0] = bn.outputs[0];
    g.nodes.erase(g.nodes.begin() + k);
    --k;
    ++folded;
  }
  if (folded) g.PruneUnusedConstants();
  return folded;
}

}  // namespace dyad::convert
