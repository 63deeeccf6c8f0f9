// Conv and ConvTranspose over 1-D/2-D/3-D inputs (padded to D,H,W).
#include <algorithm>

#include "converter/reference_exec/ops_internal.h"

namespace dyad::convert::exec {
namespace {

Shape SpatialOf(const Shape& s) { return Shape(s.begin() + 2, s.end()); }

// Hot loops are compiled twice on x86-64 (AVX2 and baseline) and picked at
// load time: the converter runs on any x86-64 host, and AVX2 doubles the
// vector width. The build turns off FMA contraction (converter/CMakeLists.txt)
// and every output is summed in the same order in both clones (bias, then
// input channel, kernel row, kernel column), so the results are bit-identical
// whichever clone runs.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DYAD_CONV_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DYAD_CONV_CLONES
#endif

// Eight floats; the baseline clone uses two SSE halves. Only lane-wise mul
// and add, so each lane computes exactly what scalar code would.
typedef float V8 __attribute__((vector_size(32)));
// (Loads and stores are memcpy in place: a function taking or returning a V8
// would change the ABI between the clones.)

// Dense conv (group 1) with unit column stride, as a register-blocked
// product: a tile of MB output channels x 16 output columns of one output row
// stays in registers while every (input channel, kernel row, kernel column)
// adds a broadcast weight times 16 input values. `xp` is the input padded so
// that no tap falls outside it (or the input itself when nothing is padded).
// The last column tile of a row overlaps the previous one when the width is
// not a multiple of 16; it recomputes the same values.
struct DenseGeom {
  int64_t C, oh, ow, row_stride, dil_h, dil_w, kh, kw, plane, wp;
};

template <int MB, int NV>
inline void DenseTile(const float* xp, const float* w, const float* bias, const DenseGeom& d, int64_t r, int64_t col,
                      float* const* out) {
  V8 acc[MB][NV];
  for (int i = 0; i < MB; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = V8{} + bias[i];
  const int64_t kvol = d.kh * d.kw, wstride = d.C * kvol;
  for (int64_t c = 0; c < d.C; ++c)
    for (int64_t kh = 0; kh < d.kh; ++kh) {
      const float* row = xp + c * d.plane + (r * d.row_stride + kh * d.dil_h) * d.wp + col;
      const float* wt = w + c * kvol + kh * d.kw;
      for (int64_t kw = 0; kw < d.kw; ++kw) {
        V8 x[NV];
        for (int v = 0; v < NV; ++v) __builtin_memcpy(&x[v], row + kw * d.dil_w + 8 * v, sizeof(V8));
        for (int i = 0; i < MB; ++i) {
          const float wv = wt[i * wstride + kw];
          for (int v = 0; v < NV; ++v) acc[i][v] += x[v] * wv;
        }
      }
    }
  for (int i = 0; i < MB; ++i)
    for (int v = 0; v < NV; ++v) __builtin_memcpy(out[i] + r * d.ow + col + 8 * v, &acc[i][v], sizeof(V8));
}

template <int MB, int NV>
inline void DenseBlock(const float* xp, const float* w, const float* bias, const DenseGeom& d, float* const* out) {
  const int64_t tile = 8 * NV;
  for (int64_t r = 0; r < d.oh; ++r)
    for (int64_t col = 0; col < d.ow; col += tile)
      DenseTile<MB, NV>(xp, w, bias, d, r, std::min(col, d.ow - tile), out);
}

// Output channels in blocks of 4 (then single ones); returns false (nothing
// done) when a row is narrower than one vector.
DYAD_CONV_CLONES
bool DenseConv(const float* xp, const float* w, const float* bias, const DenseGeom& d, int64_t M, float* y) {
  if (d.ow < 8) return false;
  const int64_t kvol = d.kh * d.kw, out_plane = d.oh * d.ow;
  int64_t m = 0;
  for (; m + 4 <= M; m += 4) {
    float* out[4] = {y + m * out_plane, y + (m + 1) * out_plane, y + (m + 2) * out_plane, y + (m + 3) * out_plane};
    if (d.ow >= 16) DenseBlock<4, 2>(xp, w + m * d.C * kvol, bias + m, d, out);
    else DenseBlock<4, 1>(xp, w + m * d.C * kvol, bias + m, d, out);
  }
  for (; m < M; ++m) {
    float* out[1] = {y + m * out_plane};
    if (d.ow >= 16) DenseBlock<1, 2>(xp, w + m * d.C * kvol, bias + m, d, out);
    else DenseBlock<1, 1>(xp, w + m * d.C * kvol, bias + m, d, out);
  }
  return true;
}

// Runs a 1-D/2-D dense conv with unit column stride through DenseConv;
// false when the shape does not fit (the general loop then runs).
bool TryDenseConv(const Tensor& x, const Tensor& w, const Tensor* b, const Window& g, int64_t N, int64_t C,
                  int64_t M, int64_t group, Tensor& y) {
  if (group != 1 || g.in[0] != 1 || g.k[0] != 1 || g.out[0] != 1 || g.stride[2] != 1 || g.out[2] < 8) return false;
  const int64_t KH = g.k[1], KW = g.k[2];
  DenseGeom d{C, g.out[1], g.out[2], g.stride[1], g.dil[1], g.dil[2], KH, KW, 0, 0};
  std::vector<float> bias(M, 0.0f);
  if (b)
    for (int64_t m = 0; m < M; ++m) bias[m] = b->is_float() ? b->f[m] : static_cast<float>(b->i[m]);
  const int64_t in_plane = g.in[1] * g.in[2], out_plane = d.oh * d.ow;
  const bool unpadded = g.pad_begin[1] == 0 && g.pad_begin[2] == 0 && g.pad_end[1] == 0 && g.pad_end[2] == 0;
  std::vector<float> padded;
  for (int64_t nb = 0; nb < N; ++nb) {
    const float* src = &x.f[nb * C * in_plane];
    float* dst = &y.f[nb * M * out_plane];
    if (KH == 1 && KW == 1 && unpadded && d.row_stride == 1) {
      // A pointwise conv: the whole plane is one row (a plain matrix product).
      DenseGeom flat = d;
      flat.oh = 1;
      flat.ow = out_plane;
      flat.plane = flat.wp = in_plane;
      if (!DenseConv(src, w.f.data(), bias.data(), flat, M, dst)) return false;
      continue;
    }
    // Copy into a zero border big enough for every tap of every output.
    const int64_t hp = (d.oh - 1) * d.row_stride + (KH - 1) * d.dil_h + 1;
    const int64_t wp = d.ow - 1 + (KW - 1) * d.dil_w + 1;
    d.plane = hp * wp;
    d.wp = wp;
    padded.assign(C * d.plane, 0.0f);
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < hp; ++r) {
        const int64_t ih = r - g.pad_begin[1];
        if (ih < 0 || ih >= g.in[1]) continue;
        const int64_t lo = std::max<int64_t>(0, g.pad_begin[2]), hi = std::min<int64_t>(wp, g.in[2] + g.pad_begin[2]);
        if (lo >= hi) continue;
        std::copy(src + c * in_plane + ih * g.in[2] + (lo - g.pad_begin[2]),
                  src + c * in_plane + ih * g.in[2] + (hi - g.pad_begin[2]), padded.data() + c * d.plane + r * wp + lo);
      }
    if (!DenseConv(padded.data(), w.f.data(), bias.data(), d, M, dst)) return false;
  }
  return true;
}

DYAD_CONV_CLONES
void ConvLoops(const Tensor& x, const Tensor& w, const Tensor* b, const Window& g, int64_t N, int64_t C, int64_t M,
               int64_t group, Tensor& y) {
  const int64_t Cg = C / group, Mg = M / group;
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  const int64_t kvol = g.k[0] * g.k[1] * g.k[2];
  // Output rows are processed in tiles of about 2K floats: the tile of one
  // output channel stays in L1 while every (input channel, kernel tap) adds
  // one weight times a streamed input row to it (weight stationary). For each
  // kernel column the valid output-column range is precomputed, so the inner
  // loop is branch-free and vectorizes.
  const int64_t rows_per_tile = std::max<int64_t>(1, 2048 / std::max<int64_t>(g.out[2], 1));
  std::vector<int64_t> ow_lo(g.k[2]), ow_hi(g.k[2]);
  for (int64_t kw = 0; kw < g.k[2]; ++kw) {
    const int64_t off = kw * g.dil[2] - g.pad_begin[2];  // ow valid when 0 <= ow*s + off < W
    ow_lo[kw] = off >= 0 ? 0 : (-off + g.stride[2] - 1) / g.stride[2];
    ow_hi[kw] = g.in[2] - off <= 0 ? 0 : std::min(g.out[2], (g.in[2] - off + g.stride[2] - 1) / g.stride[2]);
  }
  for (int64_t nb = 0; nb < N; ++nb)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh0 = 0; oh0 < g.out[1]; oh0 += rows_per_tile) {
        const int64_t oh1 = std::min(g.out[1], oh0 + rows_per_tile);
        for (int64_t m = 0; m < M;) {
          // Four output channels of one group share each streamed input row.
          const int64_t mb = (Mg % 4 == 0) ? 4 : 1;
          const int64_t grp = m / Mg;
          float* out[4];
          const float* wk[4];
          for (int64_t j = 0; j < mb; ++j) {
            out[j] = &y.f[(nb * M + m + j) * out_plane + (od * g.out[1] + oh0) * g.out[2]];
            const float bias = b ? (b->is_float() ? b->f[m + j] : static_cast<float>(b->i[m + j])) : 0.0f;
            std::fill(out[j], out[j] + (oh1 - oh0) * g.out[2], bias);
          }
          for (int64_t c = 0; c < Cg; ++c) {
            const float* src = &x.f[(nb * C + grp * Cg + c) * in_plane];
            for (int64_t j = 0; j < mb; ++j) wk[j] = &w.f[((m + j) * Cg + c) * kvol];
            for (int64_t kd = 0; kd < g.k[0]; ++kd) {
              const int64_t id = od * g.stride[0] + kd * g.dil[0] - g.pad_begin[0];
              if (id < 0 || id >= g.in[0]) continue;
              for (int64_t kh = 0; kh < g.k[1]; ++kh)
                for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                  const int64_t tap = (kd * g.k[1] + kh) * g.k[2] + kw;
                  const int64_t lo = ow_lo[kw], hi = ow_hi[kw];
                  if (lo >= hi) continue;
                  const int64_t iw_off = kw * g.dil[2] - g.pad_begin[2];
                  const int64_t s = g.stride[2];
                  for (int64_t oh = oh0; oh < oh1; ++oh) {
                    const int64_t ih = oh * g.stride[1] + kh * g.dil[1] - g.pad_begin[1];
                    if (ih < 0 || ih >= g.in[1]) continue;
                    const float* row = src + (id * g.in[1] + ih) * g.in[2] + iw_off;
                    const int64_t orow = (oh - oh0) * g.out[2];
                    if (mb == 4) {
                      const float w0 = wk[0][tap], w1 = wk[1][tap], w2 = wk[2][tap], w3 = wk[3][tap];
                      float* __restrict o0 = out[0] + orow;
                      float* __restrict o1 = out[1] + orow;
                      float* __restrict o2 = out[2] + orow;
                      float* __restrict o3 = out[3] + orow;
                      if (s == 1) {
                        for (int64_t ow = lo; ow < hi; ++ow) {
                          const float v = row[ow];
                          o0[ow] += w0 * v; o1[ow] += w1 * v; o2[ow] += w2 * v; o3[ow] += w3 * v;
                        }
                      } else {
                        for (int64_t ow = lo; ow < hi; ++ow) {
                          const float v = row[ow * s];
                          o0[ow] += w0 * v; o1[ow] += w1 * v; o2[ow] += w2 * v; o3[ow] += w3 * v;
                        }
                      }
                    } else {
                      const float wv = wk[0][tap];
                      float* __restrict o0 = out[0] + orow;
                      if (s == 1) {
                        for (int64_t ow = lo; ow < hi; ++ow) o0[ow] += wv * row[ow];
                      } else {
                        for (int64_t ow = lo; ow < hi; ++ow) o0[ow] += wv * row[ow * s];
                      }
                    }
                  }
                }
            }
          }
          m += mb;
        }
      }
}

Outputs Conv(const Node& n, const Inputs& in) {
  const Tensor& x = FloatIn(n, in, 0);
  const Tensor& w = FloatIn(n, in, 1);
  const Tensor* b = Opt(in, 2);
  if (x.shape.size() < 3 || w.shape.size() != x.shape.size()) Fail(n, "input and weight ranks do not match");
  const int64_t N = x.shape[0], C = x.shape[1], M = w.shape[0];
  const int64_t group = n.GetInt("group", 1);
  if (group < 1 || C % group || M % group || w.shape[1] != C / group)
    Fail(n, "attribute 'group' " + std::to_string(group) + " does not match channels " + std::to_string(C) +
                " and weight " + ShapeToString(w.shape));
  Shape kernel = SpatialOf(w.shape);
  if (n.Has("kernel_shape") && n.GetInts("kernel_shape") != kernel) Fail(n, "attribute 'kernel_shape' does not match the weight");
  if (b && b->size() != M) Fail(n, "bias size does not match output channels");
  Window g = MakeWindow(n, SpatialOf(x.shape), kernel, false);
  Shape out_shape = {N, M};
  for (size_t k = 3 - kernel.size(); k < 3; ++k) out_shape.push_back(g.out[k]);
  Tensor y = Tensor::Float(out_shape, 0.0f);

  if (!TryDenseConv(x, w, b, g, N, C, M, group, y)) ConvLoops(x, w, b, g, N, C, M, group, y);
  Outputs o;
  o.push_back(std::move(y));
  return o;
}

Outputs ConvTranspose(const Node& n, const Inputs& in) {
  const Tensor& x = FloatIn(n, in, 0);
  const Tensor& w = FloatIn(n, in, 1);
  const Tensor* b = Opt(in, 2);
  if (x.shape.size() < 3 || w.shape.size() != x.shape.size()) Fail(n, "input and weight ranks do not match");
  const int64_t N = x.shape[0], C = x.shape[1];
  const int64_t group = n.GetInt("group", 1);
  if (group < 1 || C % group || w.shape[0] != C) Fail(n, "attribute 'group' or weight shape does not match the input");
  const int64_t Mg = w.shape[1], M = Mg * group, Cg = C / group;
  if (b && b->size() != M) Fail(n, "bias size does not match output channels");
  const size_t r = x.shape.size() - 2;
  Shape kernel(w.shape.begin() + 2, w.shape.end());
  if (n.Has("kernel_shape") && n.GetInts("kernel_shape") != kernel) Fail(n, "attribute 'kernel_shape' does not match the weight");
  auto strides = n.GetInts("strides", std::vector<int64_t>(r, 1));
  auto dil = n.GetInts("dilations", std::vector<int64_t>(r, 1));
  auto pads = n.GetInts("pads", std::vector<int64_t>(2 * r, 0));
  auto out_pad = n.GetInts("output_padding", std::vector<int64_t>(r, 0));
  auto out_shape_attr = n.GetInts("output_shape");
  const std::string auto_pad = n.GetString("auto_pad", "NOTSET");
  if (strides.size() != r || dil.size() != r || pads.size() != 2 * r || out_pad.size() != r)
    Fail(n, "strides/dilations/pads/output_padding have the wrong length");
  if (!out_shape_attr.empty() && out_shape_attr.size() != r) {
    if (out_shape_attr.size() == r + 2) out_shape_attr.erase(out_shape_attr.begin(), out_shape_attr.begin() + 2);
    else Fail(n, "attribute 'output_shape' has the wrong length");
  }
  int64_t I[3] = {1, 1, 1}, O[3] = {1, 1, 1}, K[3] = {1, 1, 1}, S[3] = {1, 1, 1}, Dl[3] = {1, 1, 1}, PB[3] = {0, 0, 0};
  Shape y_shape = {N, M};
  for (size_t k = 0; k < r; ++k) {
    const size_t d = k + 3 - r;
    I[d] = x.shape[k + 2];
    K[d] = kernel[k];
    S[d] = strides[k];
    Dl[d] = dil[k];
    const int64_t full = S[d] * (I[d] - 1) + out_pad[k] + (K[d] - 1) * Dl[d] + 1;
    int64_t out;
    if (!out_shape_attr.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = !out_shape_attr.empty() ? out_shape_attr[k] : I[d] * S[d];
      // A negative total (output_shape beyond the full output) extends the
      // end with bias-only values; halves round toward -inf as in ONNX.
      const int64_t total = full - out;
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      PB[d] = auto_pad == "SAME_UPPER" ? half : total - half;
    } else if (auto_pad == "VALID") {
      out = full;
      PB[d] = 0;
    } else {
      PB[d] = pads[k];
      out = full - pads[k] - pads[k + r];
    }
    if (out <= 0) Fail(n, "output size is not positive");
    O[d] = out;
    y_shape.push_back(out);
  }
  Tensor y = Tensor::Float(y_shape, 0.0f);
  const int64_t in_plane = I[0] * I[1] * I[2], out_plane = O[0] * O[1] * O[2], kvol = K[0] * K[1] * K[2];
  for (int64_t nb = 0; nb < N; ++nb)
    for (int64_t m = 0; m < M; ++m) {
      const int64_t grp = m / Mg, mg = m % Mg;
      float* out = &y.f[(nb * M + m) * out_plane];
      if (b) std::fill(out, out + out_plane, b->is_float() ? b->f[m] : static_cast<float>(b->i[m]));
      for (int64_t c = 0; c < Cg; ++c) {
        const int64_t ci = grp * Cg + c;
        const float* src = &x.f[(nb * C + ci) * in_plane];
        const float* wk = &w.f[(ci * Mg + mg) * kvol];
        for (int64_t id = 0; id < I[0]; ++id)
          for (int64_t ih = 0; ih < I[1]; ++ih)
            for (int64_t iw = 0; iw < I[2]; ++iw) {
              const float v = src[(id * I[1] + ih) * I[2] + iw];
              for (int64_t kd = 0; kd < K[0]; ++kd) {
                const int64_t od = id * S[0] + kd * Dl[0] - PB[0];
                if (od < 0 || od >= O[0]) continue;
                for (int64_t kh = 0; kh < K[1]; ++kh) {
                  const int64_t oh = ih * S[1] + kh * Dl[1] - PB[1];
                  if (oh < 0 || oh >= O[1]) continue;
                  for (int64_t kw = 0; kw < K[2]; ++kw) {
                    const int64_t ow = iw * S[2] + kw * Dl[2] - PB[2];
                    if (ow < 0 || ow >= O[2]) continue;
                    out[(od * O[1] + oh) * O[2] + ow] += v * wk[(kd * K[1] + kh) * K[2] + kw];
                  }
                }
              }
            }
      }
    }
  Outputs o;
  o.push_back(std::move(y));
  return o;
}

}  // namespace

void RegisterConvOps(void (*reg)(const char*, OpFn)) {
  reg("Conv", Conv);
  reg("ConvTranspose", ConvTranspose);
}

}  // namespace dyad::convert::exec
