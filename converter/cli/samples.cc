#include "converter/cli/samples.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "converter/cli/npy.h"
#include "converter/ir/error.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_FAILURE_USERMSG
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace fs = std::filesystem;

namespace dyad::convert {

bool IsImageFile(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

void InputHwc(const InputSpec& spec, int* h, int* w, int* c) {
  if (spec.shape.size() != 4) throw ConvertError("input '" + spec.name + "' is not 4-D, so it cannot take images");
  if (spec.nhwc) {
    *h = int(spec.shape[1]); *w = int(spec.shape[2]); *c = int(spec.shape[3]);
  } else {
    *c = int(spec.shape[1]); *h = int(spec.shape[2]); *w = int(spec.shape[3]);
  }
}

std::vector<uint8_t> ResizeCropHwc(const uint8_t* src, int sh, int sw, int c, int height, int width) {
  // Scale so the image covers height x width, then take the centre.
  const double s = std::max(double(height) / sh, double(width) / sw);
  const double oy = (sh * s - height) / 2.0, ox = (sw * s - width) / 2.0;
  std::vector<uint8_t> out(size_t(height) * width * c);
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + oy + 0.5) / s - 0.5, 0.0, double(sh - 1));
    const int y0 = int(fy), y1 = std::min(y0 + 1, sh - 1);
    const double wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + ox + 0.5) / s - 0.5, 0.0, double(sw - 1));
      const int x0 = int(fx), x1 = std::min(x0 + 1, sw - 1);
      const double wx = fx - x0;
      for (int k = 0; k < c; ++k) {
        auto at = [&](int yy, int xx) { return double(src[(size_t(yy) * sw + xx) * c + k]); };
        const double v = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) +
                         wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        out[(size_t(y) * width + x) * c + k] = uint8_t(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

namespace {

struct Window {
  float x, y, size;  // of the image's centred square, in fractions of its side
  bool mirrored;
};
constexpr Window kWindows[kImageWindows] = {
    {0, 0, 1, false},        {0, 0, 1, true},           {0, 0, 0.6f, false},   {0.4f, 0, 0.6f, false},
    {0, 0.4f, 0.6f, true},   {0.4f, 0.4f, 0.6f, true},  {0.25f, 0.25f, 0.5f, false}, {0.1f, 0.3f, 0.45f, true},
};

// The pixels of window `k` of a w x h image with c channels (k = 0: all of it).
std::vector<uint8_t> CutWindow(const uint8_t* src, int w, int h, int c, int k, int* out_w, int* out_h) {
  const Window& win = kWindows[k];
  int x0 = 0, y0 = 0, cw = w, ch = h;
  if (win.size < 1) {
    const int side = std::min(w, h);
    cw = ch = std::max(1, int(float(side) * win.size));
    x0 = (w - side) / 2 + int(float(side) * win.x);
    y0 = (h - side) / 2 + int(float(side) * win.y);
    x0 = std::min(x0, w - cw);
    y0 = std::min(y0, h - ch);
  }
  std::vector<uint8_t> out(size_t(cw) * ch * c);
  for (int y = 0; y < ch; ++y)
    for (int x = 0; x < cw; ++x)
      for (int j = 0; j < c; ++j) {
        const int sx = x0 + (win.mirrored ? cw - 1 - x : x);
        out[(size_t(y) * cw + x) * c + j] = src[(size_t(y0 + y) * w + sx) * c + j];
      }
  *out_w = cw;
  *out_h = ch;
  return out;
}

}  // namespace

std::vector<uint8_t> LoadImageHwc(const std::string& path, int height, int width, int channels, int window) {
  int w = 0, h = 0, n = 0;
  const int want = channels == 1 ? 1 : 3;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, want);
  if (!data) throw ConvertError(path + ": cannot decode image (" + std::string(stbi_failure_reason()) + ")");
  std::vector<uint8_t> rgb;
  if (window > 0 && window < kImageWindows) {
    int ww = 0, wh = 0;
    const std::vector<uint8_t> cut = CutWindow(data, w, h, want, window, &ww, &wh);
    rgb = ResizeCropHwc(cut.data(), wh, ww, want, height, width);
  } else {
    rgb = ResizeCropHwc(data, h, w, want, height, width);
  }
  stbi_image_free(data);
  if (channels == want) return rgb;
  std::vector<uint8_t> out(size_t(height) * width * channels, 255);
  for (size_t p = 0; p < size_t(height) * width; ++p)
    for (int k = 0; k < std::min(channels, want); ++k) out[p * channels + k] = rgb[p * want + k];
  return out;
}

Sample SampleFromPixels(const std::vector<uint8_t>& hwc, const InputSpec& spec, const std::string& source) {
  int h, w, c;
  InputHwc(spec, &h, &w, &c);
  Sample s;
  s.source = source;
  s.value = Tensor::Float(spec.shape, 0.0f);
  s.pixels.resize(hwc.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) {
        const uint8_t p = hwc[(size_t(y) * w + x) * c + k];
        const size_t dst = spec.nhwc ? (size_t(y) * w + x) * c + k : (size_t(k) * h + y) * w + x;
        float v = p;
        if (!spec.mean.empty()) {
          const size_t ci = spec.mean.size() == 1 ? 0 : k;
          v = (p - spec.mean.at(ci)) / spec.std.at(ci);
        }
        s.value.f[dst] = v;
        s.pixels[dst] = p;
      }
  return s;
}

namespace {

// value = (pixel - mean[c]) / std[c] in place, c the channel of each element
// in the model's layout (one mean/std for every element unless the input is 4-D).
void NormalizePixels(const InputSpec& spec, std::vector<float>* values) {
  if (spec.mean.empty()) return;
  int h = 1, w = 1, c = 1;
  if (spec.shape.size() == 4) InputHwc(spec, &h, &w, &c);
  if (spec.mean.size() > 1 && spec.shape.size() != 4)
    throw ConvertError("per-channel --input-mean/--input-std need a 4-D input, '" + spec.name + "' is " +
                       ShapeToString(spec.shape));
  for (size_t e = 0; e < values->size(); ++e) {
    const size_t ci = spec.mean.size() == 1 ? 0 : spec.nhwc ? e % size_t(c) : (e / (size_t(h) * w)) % size_t(c);
    (*values)[e] = ((*values)[e] - spec.mean.at(ci)) / spec.std.at(ci);
  }
}

void AddNpySamples(const std::string& path, const InputSpec& spec, size_t max_count,
                   std::vector<Sample>* out) {
  NpyArray a = ReadNpy(path);
  const int64_t per = NumElements(spec.shape);
  const std::vector<float> v = a.AsFloat();
  // Exactly the input shape, or a batch of them along axis 0.
  Shape tail(a.shape.begin() + (a.shape.empty() ? 0 : 1), a.shape.end());
  Shape spec_tail(spec.shape.begin() + 1, spec.shape.end());
  if ((a.shape == spec.shape || tail == spec_tail) && a.count() >= per) {
    const int64_t n = a.count() / per;
    for (int64_t k = 0; k < n && (max_count == 0 || out->size() < max_count); ++k) {
      Sample s;
      s.source = path + "[" + std::to_string(k) + "]";
      s.value = Tensor::Float(spec.shape, std::vector<float>(v.begin() + k * per, v.begin() + (k + 1) * per));
      if (a.dtype == "u1") {
        // uint8 samples are pixels, like images: normalized the same way.
        s.pixels.assign(a.bytes.begin() + k * per, a.bytes.begin() + (k + 1) * per);
        NormalizePixels(spec, &s.value.f);
      }
      if (a.dtype == "i1")
        for (int64_t e = 0; e < per; ++e) s.raw_int8.push_back(static_cast<int8_t>(a.bytes[k * per + e]));
      out->push_back(std::move(s));
    }
    return;
  }
  // A batch of images [N, H, W] or [N, H, W, C] of another size: uint8, or
  // float in [0, 1] (scaled to 0..255) or [0, 255].
  const bool image_like = a.shape.size() == 3 || (a.shape.size() == 4 && a.shape[3] <= 4);
  if (a.dtype == "f4" && image_like) {
    float mx = 0;
    for (float x : v) mx = std::max(mx, x);
    const float gain = mx <= 1.0f ? 255.0f : 1.0f;
    a.bytes.resize(v.size());
    for (size_t k = 0; k < v.size(); ++k) a.bytes[k] = uint8_t(std::clamp(std::lround(v[k] * gain), 0L, 255L));
    a.dtype = "u1";
  }
  if (a.dtype == "u1" && image_like && spec.shape.size() == 4) {
    int h, w, c;
    InputHwc(spec, &h, &w, &c);
    const int sh = int(a.shape[1]), sw = int(a.shape[2]), sc = a.shape.size() == 4 ? int(a.shape[3]) : 1;
    const size_t img = size_t(sh) * sw * sc;
    for (int64_t k = 0; k < a.shape[0] && (max_count == 0 || out->size() < max_count); ++k) {
      std::vector<uint8_t> r = ResizeCropHwc(&a.bytes[k * img], sh, sw, sc, h, w);
      std::vector<uint8_t> hwc(size_t(h) * w * c, 255);
      for (size_t p = 0; p < size_t(h) * w; ++p)
        for (int ch = 0; ch < c; ++ch) hwc[p * c + ch] = ch < sc ? r[p * sc + ch] : (sc == 1 && ch < 3 ? r[p] : 255);
      out->push_back(SampleFromPixels(hwc, spec, path + "[" + std::to_string(k) + "]"));
    }
    return;
  }
  std::string got, want;
  for (auto d : a.shape) got += (got.empty() ? "" : "x") + std::to_string(d);
  throw ConvertError(path + ": .npy shape " + got + " does not match input '" + spec.name + "' shape " +
                     ShapeToString(spec.shape) + " (nor a batch of it, nor a uint8 image batch)");
}

}  // namespace

std::vector<Sample> LoadSamples(const std::string& path, const InputSpec& spec, size_t max_count,
                                int windows_per_image) {
  if (windows_per_image < 1 || windows_per_image > kImageWindows)
    throw ConvertError("windows per image must be 1.." + std::to_string(kImageWindows) + ", got " +
                       std::to_string(windows_per_image));
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      const std::string p = e.path().string();
      if (e.is_regular_file() && (IsImageFile(p) || e.path().extension() == ".npy")) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw ConvertError(path + ": folder has no .png/.jpg/.jpeg/.bmp/.npy files");
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    throw ConvertError(path + ": no such file or folder");
  }
  std::vector<Sample> out;
  for (const auto& f : files) {
    if (max_count != 0 && out.size() >= max_count) break;
    if (IsImageFile(f)) {
      int h, w, c;
      InputHwc(spec, &h, &w, &c);
      for (int k = 0; k < windows_per_image && (max_count == 0 || out.size() < max_count); ++k)
        out.push_back(SampleFromPixels(LoadImageHwc(f, h, w, c, k), spec,
                                       k == 0 ? f : f + " (window " + std::to_string(k) + ")"));
    } else if (fs::path(f).extension() == ".npy") {
      AddNpySamples(f, spec, max_count, &out);
    } else {
      throw ConvertError(f + ": not an image (.png/.jpg/.jpeg/.bmp) or .npy file");
    }
  }
  if (out.empty()) throw ConvertError(path + ": no samples found");
  return out;
}

}  // namespace dyad::convert
