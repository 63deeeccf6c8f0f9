#include "converter/quantize/weight_rounding.h"

#include <algorithm>
#include <cmath>

#include "converter/ir/error.h"

namespace dyad::convert {
namespace {

// h += x x^T (upper triangle; MirrorUpper completes it).
void AddOuter(std::vector<double>& h, const std::vector<double>& x) {
  const int64_t k = static_cast<int64_t>(x.size());
  for (int64_t a = 0; a < k; ++a) {
    const double xa = x[a];
    if (xa == 0) continue;
    double* row = &h[a * k];
    for (int64_t b = a; b < k; ++b) row[b] += xa * x[b];
  }
}

void MirrorUpper(std::vector<double>& h, int64_t k) {
  for (int64_t a = 0; a < k; ++a)
    for (int64_t b = 0; b < a; ++b) h[a * k + b] = h[b * k + a];
}

// Lower Cholesky factor of a symmetric k x k matrix in place; false if it is
// not positive definite.
bool CholeskyLower(std::vector<double>& m, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double d = m[j * k + j];
    for (int64_t p = 0; p < j; ++p) d -= m[j * k + p] * m[j * k + p];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    m[j * k + j] = d;
    for (int64_t i = j + 1; i < k; ++i) {
      double s = m[i * k + j];
      for (int64_t p = 0; p < j; ++p) s -= m[i * k + p] * m[j * k + p];
      m[i * k + j] = s / d;
    }
    for (int64_t i = 0; i < j; ++i) m[i * k + j] = 0;
  }
  return true;
}

}  // namespace

InputMoments ConvInputMoments(const std::vector<const Tensor*>& inputs, const ConvPatchGeometry& g,
                              int64_t max_patches) {
  InputMoments m;
  if (inputs.empty() || inputs[0]->shape.size() != 4) return m;
  const int64_t c = inputs[0]->shape[1], cin_g = c / g.groups;
  m.k = g.kh * g.kw * cin_g;
  m.h.assign(g.groups, std::vector<double>(m.k * m.k, 0.0));
  int64_t positions = 0;
  for (const Tensor* t : inputs) positions += t->shape[0] * g.out_h * g.out_w;
  const int64_t step = std::max<int64_t>(1, positions / std::max<int64_t>(1, max_patches));
  std::vector<double> x(m.k);
  int64_t flat = 0;
  for (const Tensor* t : inputs) {
    const int64_t n = t->shape[0], h = t->shape[2], w = t->shape[3];
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox, ++flat) {
          if (flat % step != 0) continue;
          for (int64_t gi = 0; gi < g.groups; ++gi) {
            for (int64_t ky = 0; ky < g.kh; ++ky)
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
                const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                for (int64_t i = 0; i < cin_g; ++i)
                  x[(ky * g.kw + kx) * cin_g + i] =
                      inside ? t->f[((b * c + gi * cin_g + i) * h + iy) * w + ix] : 0.0;
              }
            AddOuter(m.h[gi], x);
          }
          ++m.count;
        }
  }
  for (auto& hg : m.h) MirrorUpper(hg, m.k);
  return m;
}

InputMoments RowInputMoments(const std::vector<const Tensor*>& inputs, int64_t k, int64_t max_rows) {
  InputMoments m;
  m.k = k;
  m.h.assign(1, std::vector<double>(k * k, 0.0));
  int64_t rows = 0;
  for (const Tensor* t : inputs) rows += static_cast<int64_t>(t->f.size()) / k;
  const int64_t step = std::max<int64_t>(1, rows / std::max<int64_t>(1, max_rows));
  std::vector<double> x(k);
  int64_t flat = 0;
  for (const Tensor* t : inputs)
    for (int64_t r = 0; r < static_cast<int64_t>(t->f.size()) / k; ++r, ++flat) {
      if (flat % step != 0) continue;
      for (int64_t e = 0; e < k; ++e) x[e] = t->f[r * k + e];
      AddOuter(m.h[0], x);
      ++m.count;
    }
  MirrorUpper(m.h[0], k);
  return m;
}

std::vector<double> PrepareRounding(const std::vector<double>& h, int64_t k) {
  // Dampen by 1% of the mean diagonal (an input seen only a few times, or
  // inputs that are linear combinations of others, leave H singular); an
  // input that was always 0 gets 1: its weight's rounding is free.
  double mean_diag = 0;
  for (int64_t i = 0; i < k; ++i) mean_diag += h[i * k + i];
  mean_diag = mean_diag > 0 ? mean_diag / k : 1.0;
  for (double damp = 0.01; damp < 1e4; damp *= 10) {
    std::vector<double> l = h;
    for (int64_t i = 0; i < k; ++i) {
      if (l[i * k + i] <= 0) l[i * k + i] = mean_diag;
      l[i * k + i] += damp * mean_diag;
    }
    if (!CholeskyLower(l, k)) continue;
    // H^-1 = L^-T L^-1: invert the triangle, then form the product.
    std::vector<double> li(k * k, 0.0);
    for (int64_t j = 0; j < k; ++j) {
      li[j * k + j] = 1.0 / l[j * k + j];
      for (int64_t i = j + 1; i < k; ++i) {
        double s = 0;
        for (int64_t p = j; p < i; ++p) s += l[i * k + p] * li[p * k + j];
        li[i * k + j] = -s / l[i * k + i];
      }
    }
    std::vector<double> hinv(k * k, 0.0);
    for (int64_t a = 0; a < k; ++a)
      for (int64_t b = 0; b <= a; ++b) {
        double s = 0;
        for (int64_t p = a; p < k; ++p) s += li[p * k + a] * li[p * k + b];
        hinv[a * k + b] = hinv[b * k + a] = s;
      }
    // U upper with H^-1 = U^T U: the transpose of its lower factor.
    if (!CholeskyLower(hinv, k)) continue;
    std::vector<double> u(k * k, 0.0);
    for (int64_t a = 0; a < k; ++a)
      for (int64_t b = 0; b <= a; ++b) u[b * k + a] = hinv[a * k + b];
    return u;
  }
  throw ConvertError("weight rounding: input moments are not positive definite");
}

void RoundRow(const std::vector<double>& u, int64_t k, const float* w, double scale, int8_t* q) {
  std::vector<double> work(w, w + k);
  for (int64_t j = 0; j < k; ++j) {
    const double r = std::clamp(std::round(work[j] / scale), -127.0, 127.0);
    q[j] = static_cast<int8_t>(r);
    // The error, weighted by how much of input j the later inputs do not
    // explain, moves onto the weights still to be rounded.
    const double err = (work[j] - r * scale) / u[j * k + j];
    for (int64_t l = j + 1; l < k; ++l) work[l] -= err * u[j * k + l];
  }
}

}  // namespace dyad::convert
