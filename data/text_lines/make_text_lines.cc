// Makes uint8 [N, 32, 128] grey crops of printed text for calibrating and
// testing text-line models (e.g. PaddleOCR's direction classifier, 48x192
// input; 32x128 has the same 4:1 aspect, so the converter's resize needs no
// crop). Crops slide over one scikit-image picture at three scales; every
// second crop is turned by 180 degrees, so both classes of a 0/180
// classifier are present. Not part of the build: run once by hand, the
// outputs are committed (calibration: page.png; held out: text.png).
//   g++ -O2 -std=c++17 data/text_lines/make_text_lines.cc -o /tmp/make_text_lines
//   D=/usr/lib/python3/dist-packages/skimage/data
//   /tmp/make_text_lines $D/page.png data/text_lines/calib/page_lines.npy
//   /tmp/make_text_lines $D/text.png data/text_lines/heldout/text_lines.npy
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

constexpr int kH = 32, kW = 128;

// Area-averaged resize of the window [x0, x0+w) x [y0, y0+h) to kH x kW.
std::vector<uint8_t> crop(const uint8_t* img, int iw, int x0, int y0, int w, int h, bool turn) {
  std::vector<uint8_t> out(kH * kW);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) {
      const int ya = y0 + y * h / kH, yb = y0 + ((y + 1) * h + kH - 1) / kH;
      const int xa = x0 + x * w / kW, xb = x0 + ((x + 1) * w + kW - 1) / kW;
      int sum = 0, n = 0;
      for (int yy = ya; yy < yb; ++yy)
        for (int xx = xa; xx < xb; ++xx) sum += img[yy * iw + xx], ++n;
      const int oy = turn ? kH - 1 - y : y, ox = turn ? kW - 1 - x : x;
      out[oy * kW + ox] = static_cast<uint8_t>((sum + n / 2) / n);
    }
  return out;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s IMAGE OUT.npy\n", argv[0]);
    return 2;
  }
  std::vector<std::vector<uint8_t>> crops;
  {
    int w, h, c;
    uint8_t* img = stbi_load(argv[1], &w, &h, &c, 1);
    if (!img) {
      std::fprintf(stderr, "cannot read %s\n", argv[1]);
      return 1;
    }
    for (int scale : {24, 32, 40}) {  // window height in source pixels
      const int wh = scale, ww = scale * 4;
      for (int y = 0; y + wh <= h; y += wh * 3 / 4)
        for (int x = 0; x + ww <= w; x += ww / 2)
          crops.push_back(crop(img, w, x, y, ww, wh, crops.size() % 2 == 1));
    }
    stbi_image_free(img);
  }
  FILE* f = std::fopen(argv[2], "wb");
  if (!f) return 1;
  char header[128];
  int len = std::snprintf(header, sizeof header,
                          "{'descr': '|u1', 'fortran_order': False, 'shape': (%zu, %d, %d), }",
                          crops.size(), kH, kW);
  std::string hdr(header, len);
  while ((10 + hdr.size() + 1) % 64 != 0) hdr += ' ';
  hdr += '\n';
  const uint16_t hlen = static_cast<uint16_t>(hdr.size());
  std::fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  std::fwrite(&hlen, 2, 1, f);
  std::fwrite(hdr.data(), 1, hdr.size(), f);
  for (const auto& cr : crops) std::fwrite(cr.data(), 1, cr.size(), f);
  std::fclose(f);
  std::printf("%zu crops\n", crops.size());
  return 0;
}
