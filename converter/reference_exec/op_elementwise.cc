// Unary and broadcasting binary/ternary elementwise ops.
#include <algorithm>
#include <cmath>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

// Calls fn(out_index, a_index, b_index, c_index) for every output element
// of the numpy broadcast of up to three shapes.
template <typename Fn>
void ForEachBroadcast(const Shape& out, const std::vector<const Shape*>& ins, Fn fn) {
  std::vector<std::vector<int64_t>> st;
  for (const Shape* s : ins) st.push_back(BroadcastStrides(*s, out));
  while (st.size() < 3) st.push_back(std::vector<int64_t>(out.size(), 0));
  const int64_t total = NumElements(out);
  if (total == 0) return;
  if (out.empty()) { fn(0, 0, 0, 0); return; }
  const size_t r = out.size();
  const int64_t inner = out[r - 1];
  const int64_t s0 = st[0][r - 1], s1 = st[1][r - 1], s2 = st[2][r - 1];
  std::vector<int64_t> idx(r, 0);
  for (int64_t base = 0; base < total; base += inner) {
    int64_t o0 = 0, o1 = 0, o2 = 0;
    for (size_t d = 0; d + 1 < r; ++d) { o0 += idx[d] * st[0][d]; o1 += idx[d] * st[1][d]; o2 += idx[d] * st[2][d]; }
    for (int64_t j = 0; j < inner; ++j) fn(base + j, o0 + j * s0, o1 + j * s1, o2 + j * s2);
    for (int64_t d = static_cast<int64_t>(r) - 2; d >= 0; --d) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
}

template <typename FloatFn, typename IntFn>
Outputs Binary(const Node& n, const Inputs& in, FloatFn ff, IntFn fi) {
  const Tensor& a = In(n, in, 0);
  const Tensor& b = In(n, in, 1);
  Shape out = BroadcastShapes(n, a.shape, b.shape);
  Tensor y;
  y.shape = out;
  if (a.is_float() || b.is_float()) {
    y.dtype = DType::kFloat32;
    y.f.resize(NumElements(out));
    if (a.is_float() && b.is_float()) {
      ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) { y.f[o] = ff(a.f[i], b.f[j]); });
    } else {
      ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) {
        y.f[o] = ff(static_cast<float>(a.AsDouble(i)), static_cast<float>(b.AsDouble(j)));
      });
    }
  } else {
    y.dtype = DType::kInt64;
    y.i.resize(NumElements(out));
    ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) { y.i[o] = fi(a.i[i], b.i[j]); });
  }
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Add(const Node& n, const Inputs& in) {
  return Binary(n, in, [](float a, float b) { return a + b; }, [](int64_t a, int64_t b) { return a + b; });
}
Outputs Sub(const Node& n, const Inputs& in) {
  return Binary(n, in, [](float a, float b) { return a - b; }, [](int64_t a, int64_t b) { return a - b; });
}
Outputs Mul(const Node& n, const Inputs& in) {
  return Binary(n, in, [](float a, float b) { return a * b; }, [](int64_t a, int64_t b) { return a * b; });
}
Outputs Div(const Node& n, const Inputs& in) {
  return Binary(n, in, [](float a, float b) { return a / b; }, [&n](int64_t a, int64_t b) {
    if (b == 0) Fail(n, "integer division by zero");
    return a / b;
  });
}

Outputs Pow(const Node& n, const Inputs& in) {
  const Tensor& a = In(n, in, 0);
  const Tensor& b = In(n, in, 1);
  Shape out = BroadcastShapes(n, a.shape, b.shape);
  Tensor y;
  y.shape = out;
  y.dtype = a.is_float() ? DType::kFloat32 : DType::kInt64;  // result takes the base's type
  if (a.is_float()) y.f.resize(NumElements(out)); else y.i.resize(NumElements(out));
  ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) {
    double v = std::pow(a.AsDouble(i), b.AsDouble(j));
    if (a.is_float()) y.f[o] = static_cast<float>(v); else y.i[o] = static_cast<int64_t>(v);
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Equal(const Node& n, const Inputs& in) {
  const Tensor& a = In(n, in, 0);
  const Tensor& b = In(n, in, 1);
  Shape out = BroadcastShapes(n, a.shape, b.shape);
  Tensor y = Tensor::Bool(out, std::vector<int64_t>(NumElements(out)));
  ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) {
    y.i[o] = (a.is_float() || b.is_float()) ? a.AsDouble(i) == b.AsDouble(j) : a.i[i] == b.i[j];
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Where(const Node& n, const Inputs& in) {
  const Tensor& c = In(n, in, 0);
  const Tensor& x = In(n, in, 1);
  const Tensor& yv = In(n, in, 2);
  if (c.is_float()) Fail(n, "condition must be bool");
  if (x.dtype != yv.dtype) Fail(n, "X and Y must have the same type");
  Shape out = BroadcastShapes(n, BroadcastShapes(n, c.shape, x.shape), yv.shape);
  Tensor y;
  y.dtype = x.dtype;
  y.shape = out;
  if (x.is_float()) y.f.resize(NumElements(out)); else y.i.resize(NumElements(out));
  ForEachBroadcast(out, {&c.shape, &x.shape, &yv.shape}, [&](int64_t o, int64_t ci, int64_t xi, int64_t yi) {
    if (x.is_float()) y.f[o] = c.i[ci] ? x.f[xi] : yv.f[yi];
    else y.i[o] = c.i[ci] ? x.i[xi] : yv.i[yi];
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Expand(const Node& n, const Inputs& in) {
  const Tensor& x = In(n, in, 0);
  const Shape target = In(n, in, 1).ToInt64Vector();
  Shape out = BroadcastShapes(n, x.shape, target);
  Tensor y;
  y.dtype = x.dtype;
  y.shape = out;
  if (x.is_float()) y.f.resize(NumElements(out)); else y.i.resize(NumElements(out));
  ForEachBroadcast(out, {&x.shape}, [&](int64_t o, int64_t i, int64_t, int64_t) {
    if (x.is_float()) y.f[o] = x.f[i]; else y.i[o] = x.i[i];
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

// Variadic Max/Min/Sum/Mean: pairwise broadcasting fold.
template <typename FloatFn, typename IntFn>
Outputs Variadic(const Node& n, const Inputs& in, FloatFn ff, IntFn fi) {
  if (in.empty()) Fail(n, "needs at least one input");
  Tensor acc = In(n, in, 0);
  for (size_t k = 1; k < in.size(); ++k) {
    Inputs pair = {&acc, &In(n, in, k)};
    acc = std::move(Binary(n, pair, ff, fi)[0]);
  }
  Outputs r;
  r.push_back(std::move(acc));
  return r;
}

Outputs Max(const Node& n, const Inputs& in) {
  return Variadic(n, in, [](float a, float b) { return std::max(a, b); }, [](int64_t a, int64_t b) { return std::max(a, b); });
}
Outputs Min(const Node& n, const Inputs& in) {
  return Variadic(n, in, [](float a, float b) { return std::min(a, b); }, [](int64_t a, int64_t b) { return std::min(a, b); });
}
Outputs Sum(const Node& n, const Inputs& in) {
  return Variadic(n, in, [](float a, float b) { return a + b; }, [](int64_t a, int64_t b) { return a + b; });
}
Outputs Mean(const Node& n, const Inputs& in) {
  Outputs r = Sum(n, in);
  if (!r[0].is_float()) Fail(n, "integer Mean is not supported");
  for (float& v : r[0].f) v /= static_cast<float>(in.size());
  return r;
}

// Broadcasting comparison / logic producing bool.
template <typename Fn>
Outputs BoolBinary(const Node& n, const Inputs& in, Fn fn) {
  const Tensor& a = In(n, in, 0);
  const Tensor& b = In(n, in, 1);
  Shape out = BroadcastShapes(n, a.shape, b.shape);
  Tensor y = Tensor::Bool(out, std::vector<int64_t>(NumElements(out)));
  ForEachBroadcast(out, {&a.shape, &b.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) {
    y.i[o] = fn(a.AsDouble(i), b.AsDouble(j));
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Less(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a < b; }); }
Outputs Greater(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a > b; }); }
Outputs LessOrEqual(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a <= b; }); }
Outputs GreaterOrEqual(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a >= b; }); }
Outputs And(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a != 0 && b != 0; }); }
Outputs Or(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return a != 0 || b != 0; }); }
Outputs Xor(const Node& n, const Inputs& in) { return BoolBinary(n, in, [](double a, double b) { return (a != 0) != (b != 0); }); }

Outputs Not(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  if (y.dtype != DType::kBool) Fail(n, "input must be bool");
  for (int64_t& v : y.i) v = !v;
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs PRelu(const Node& n, const Inputs& in) {
  const Tensor& x = FloatIn(n, in, 0);
  const Tensor& s = FloatIn(n, in, 1);
  Shape out = BroadcastShapes(n, x.shape, s.shape);
  if (out != x.shape) Fail(n, "slope " + ShapeToString(s.shape) + " does not broadcast to X " + ShapeToString(x.shape));
  Tensor y = Tensor::Float(out, 0.0f);
  ForEachBroadcast(out, {&x.shape, &s.shape}, [&](int64_t o, int64_t i, int64_t j, int64_t) {
    y.f[o] = x.f[i] < 0 ? x.f[i] * s.f[j] : x.f[i];
  });
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

template <typename Fn>
Outputs UnaryFloat(const Node& n, const Inputs& in, Fn fn) {
  Tensor y = FloatIn(n, in, 0);
  for (float& v : y.f) v = fn(v);
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

// Ops that also apply to int64 shape values (Neg, Abs, Identity-like).
template <typename FloatFn, typename IntFn>
Outputs UnaryAny(const Node& n, const Inputs& in, FloatFn ff, IntFn fi) {
  Tensor y = In(n, in, 0);
  if (y.is_float()) for (float& v : y.f) v = ff(v);
  else for (int64_t& v : y.i) v = fi(v);
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

Outputs Relu(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return v > 0 ? v : 0.0f; }); }
Outputs Sigmoid(const Node& n, const Inputs& in) {
  return UnaryFloat(n, in, [](float v) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v)))); });
}
Outputs Tanh(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::tanh(v); }); }
Outputs Sqrt(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::sqrt(v); }); }
Outputs Exp(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::exp(v); }); }
Outputs Erf(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::erf(v); }); }
Outputs Reciprocal(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return 1.0f / v; }); }
Outputs Log(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::log(v); }); }
Outputs Softplus(const Node& n, const Inputs& in) {
  return UnaryFloat(n, in, [](float v) { return static_cast<float>(std::log1p(std::exp(static_cast<double>(v)))); });
}
Outputs Elu(const Node& n, const Inputs& in) {
  const float alpha = n.GetFloat("alpha", 1.0f);
  return UnaryFloat(n, in, [alpha](float v) { return v < 0 ? alpha * std::expm1(v) : v; });
}
Outputs Selu(const Node& n, const Inputs& in) {
  const float alpha = n.GetFloat("alpha", 1.67326319217681884765625f), gamma = n.GetFloat("gamma", 1.05070102214813232421875f);
  return UnaryFloat(n, in, [=](float v) { return v <= 0 ? gamma * (alpha * std::exp(v) - alpha) : gamma * v; });
}
Outputs Ceil(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::ceil(v); }); }
Outputs Floor(const Node& n, const Inputs& in) { return UnaryFloat(n, in, [](float v) { return std::floor(v); }); }
Outputs Neg(const Node& n, const Inputs& in) {
  return UnaryAny(n, in, [](float v) { return -v; }, [](int64_t v) { return -v; });
}
Outputs Abs(const Node& n, const Inputs& in) {
  return UnaryAny(n, in, [](float v) { return std::fabs(v); }, [](int64_t v) { return v < 0 ? -v : v; });
}
Outputs LeakyRelu(const Node& n, const Inputs& in) {
  const float alpha = n.GetFloat("alpha", 0.01f);
  return UnaryFloat(n, in, [alpha](float v) { return v < 0 ? v * alpha : v; });
}
Outputs HardSigmoid(const Node& n, const Inputs& in) {
  const float alpha = n.GetFloat("alpha", 0.2f), beta = n.GetFloat("beta", 0.5f);
  return UnaryFloat(n, in, [=](float v) { return std::max(0.0f, std::min(1.0f, alpha * v + beta)); });
}
Outputs HardSwish(const Node& n, const Inputs& in) {
  return UnaryFloat(n, in, [](float v) { return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f)); });
}

Outputs Clip(const Node& n, const Inputs& in) {
  Tensor y = In(n, in, 0);
  const Tensor* lo = Opt(in, 1);
  const Tensor* hi = Opt(in, 2);
  if ((lo && lo->size() != 1) || (hi && hi->size() != 1)) Fail(n, "min and max must be scalars");
  if (y.is_float()) {
    const float l = lo ? static_cast<float>(lo->AsDouble(0)) : -INFINITY;
    const float h = hi ? static_cast<float>(hi->AsDouble(0)) : INFINITY;
    for (float& v : y.f) v = std::min(std::max(v, l), h);
  } else {
    const int64_t l = lo ? lo->AsInt64(0) : INT64_MIN, h = hi ? hi->AsInt64(0) : INT64_MAX;
    for (int64_t& v : y.i) v = std::min(std::max(v, l), h);
  }
  Outputs r;
  r.push_back(std::move(y));
  return r;
}

}  // namespace

void RegisterElementwiseOps(void (*reg)(const char*, OpFn)) {
  reg("Add", Add);
  reg("Sub", Sub);
  reg("Mul", Mul);
  reg("Div", Div);
  reg("Pow", Pow);
  reg("Equal", Equal);
  reg("Where", Where);
  reg("Expand", Expand);
  reg("PRelu", PRelu);
  reg("Relu", Relu);
  reg("Sigmoid", Sigmoid);
  reg("Tanh", Tanh);
  reg("Sqrt", Sqrt);
  reg("Exp", Exp);
  reg("Erf", Erf);
  reg("Reciprocal", Reciprocal);
  reg("Neg", Neg);
  reg("Log", Log);
  reg("Softplus", Softplus);
  reg("Elu", Elu);
  reg("Selu", Selu);
  reg("Max", Max);
  reg("Min", Min);
  reg("Sum", Sum);
  reg("Mean", Mean);
  reg("Less", Less);
  reg("Greater", Greater);
  reg("LessOrEqual", LessOrEqual);
  reg("GreaterOrEqual", GreaterOrEqual);
  reg("And", And);
  reg("Or", Or);
  reg("Xor", Xor);
  reg("Not", Not);
  reg("Ceil", Ceil);
  reg("Floor", Floor);
  reg("Abs", Abs);
  reg("LeakyRelu", LeakyRelu);
  reg("HardSigmoid", HardSigmoid);
  reg("HardSwish", HardSwish);
  reg("Clip", Clip);
}

}  // namespace dyad::convert::exec
