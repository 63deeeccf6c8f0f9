// Gemm and MatMul (numpy batched broadcasting).
#include <algorithm>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

// C[M,N] += A[M,K] * B[K,N] with row strides; i-k-j order streams B and C rows.
void MatMulAccumulate(const float* a, const float* b, float* c, int64_t M, int64_t K, int64_t N,
                      int64_t a_row, int64_t a_col, int64_t b_row, int64_t b_col) {
  for (int64_t i = 0; i < M; ++i) {
    float* crow = c + i * N;
    for (int64_t k = 0; k < K; ++k) {
      const float av = a[i * a_row + k * a_col];
      const float* brow = b + k * b_row;
      if (b_col == 1) {
        for (int64_t j = 0; j < N; ++j) crow[j] += av * brow[j];
      } else {
        for (int64_t j = 0; j < N; ++j) crow[j] += av * brow[j * b_col];
      }
    }
  }
}

Outputs Gemm(const Node& n, const Inputs& in) {
  const Tensor& a = FloatIn(n, in, 0);
  const Tensor& b = FloatIn(n, in, 1);
  const Tensor* c = Opt(in, 2);
  if (a.shape.size() != 2 || b.shape.size() != 2) Fail(n, "A and B must be 2-D");
  const bool ta = n.GetInt("transA", 0) != 0, tb = n.GetInt("transB", 0) != 0;
  const float alpha = n.GetFloat("alpha", 1.0f), beta = n.GetFloat("beta", 1.0f);
  const int64_t M = ta ? a.shape[1] : a.shape[0], K = ta ? a.shape[0] : a.shape[1];
  const int64_t Kb = tb ? b.shape[1] : b.shape[0], N = tb ? b.shape[0] : b.shape[1];
  if (K != Kb) Fail(n, "inner dimensions of A " + ShapeToString(a.shape) + " and B " + ShapeToString(b.shape) + " differ");
  Tensor y = Tensor::Float({M, N}, 0.0f);
  MatMulAccumulate(a.f.data(), b.f.data(), y.f.data(), M, K, N, ta ? 1 : K, ta ? M : 1, tb ? 1 : N, tb ? K : 1);
  for (float& v : y.f) v *= alpha;
  if (c && c->size() > 0) {
    if (!c->is_float()) Fail(n, "C must be float");
    Shape bs = BroadcastShapes(n, c->shape, y.shape);
    if (bs != y.shape) Fail(n, "C " + ShapeToString(c->shape) + " does not broadcast to " + ShapeToString(y.shape));
    auto st = BroadcastStrides(c->shape, y.shape);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) y.f[i * N + j] += beta * c->f[i * st[0] + j * st[1]];
  }
  Outputs o;
  o.push_back(std::move(y));
  return o;
}

Outputs MatMul(const Node& n, const Inputs& in) {
  const Tensor& a = FloatIn(n, in, 0);
  const Tensor& b = FloatIn(n, in, 1);
  if (a.shape.empty() || b.shape.empty()) Fail(n, "inputs must have rank >= 1");
  Shape as = a.shape, bs = b.shape;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), Kb = bs[bs.size() - 2], N = bs.back();
  if (K != Kb) Fail(n, "inner dimensions of " + ShapeToString(a.shape) + " and " + ShapeToString(b.shape) + " differ");
  Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  Shape batch = BroadcastShapes(n, a_batch, b_batch);
  auto sa = BroadcastStrides(a_batch, batch), sb = BroadcastStrides(b_batch, batch);
  const int64_t nbatch = NumElements(batch);
  Shape out_shape = batch;
  if (!a_vec) out_shape.push_back(M);
  if (!b_vec) out_shape.push_back(N);
  Tensor y = Tensor::Float(out_shape, 0.0f);
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t t = 0; t < nbatch; ++t) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < batch.size(); ++d) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
    MatMulAccumulate(a.f.data() + oa * M * K, b.f.data() + ob * K * N, y.f.data() + t * M * N, M, K, N, K, 1, N, 1);
    for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  Outputs o;
  o.push_back(std::move(y));
  return o;
}

}  // namespace

void RegisterMatmulOps(void (*reg)(const char*, OpFn)) {
  reg("Gemm", Gemm);
  reg("MatMul", MatMul);
}

}  // namespace dyad::convert::exec
