// Sample inputs for calibration, evaluation and dyad-run: images (PNG/JPEG via
// stb_image, resized to cover and center-cropped to the input's H x W) and
// .npy files (one sample with batch 1, or a batch along axis 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/ir/tensor.h"

namespace dyad::convert {

// One graph input as the ONNX model sees it.
struct InputSpec {
  std::string name;
  Shape shape;       // 4-D: NCHW or NHWC (see nhwc)
  bool nhwc = false;
  std::vector<float> mean, std;  // empty: pixels are fed as 0..255 floats
};

struct Sample {
  std::string source;  // file (and index for batches), for messages
  Tensor value;        // float, in the ONNX model's layout and shape
  // Raw 0..255 pixels in the same layout, when the sample came from an image
  // (fed as is to a .dyad that takes uint8 pixels).
  std::vector<uint8_t> pixels;
  // Raw int8 values from an int8 .npy (fed as is to an int8 .dyad input).
  std::vector<int8_t> raw_int8;
};

bool IsImageFile(const std::string& path);
// HWC uint8, `channels` channels (extra channels beyond the file's are 255).
// window < kImageWindows picks one of the fixed windows below instead of the
// whole image (0 is the whole image).
std::vector<uint8_t> LoadImageHwc(const std::string& path, int height, int width, int channels, int window = 0);

// Calibration windows of one image (fractions of its shorter side, from the
// top-left corner of the centred square; mirrored = flipped left-right): the
// whole image, its mirror, four corner windows of 60% (two mirrored), the
// centre 50% and a mirrored 45% window. More (and sharper) calibration
// samples from a few photographs.
constexpr int kImageWindows = 8;
// Resizes (bilinear, cover) + center-crops a HWC uint8 image.
std::vector<uint8_t> ResizeCropHwc(const uint8_t* src, int sh, int sw, int c, int height, int width);

Sample SampleFromPixels(const std::vector<uint8_t>& hwc, const InputSpec& spec, const std::string& source);

// Samples from a file or a folder (sorted by name); at most `max_count`
// (0 = all). ConvertError naming the file on a bad/mismatched file, and when
// nothing usable is found.
// windows_per_image (1..kImageWindows): how many of the fixed windows each
// image file yields (1: the whole image only); .npy files are not affected.
std::vector<Sample> LoadSamples(const std::string& path, const InputSpec& spec, size_t max_count,
                                int windows_per_image = 1);

// Geometry of an image-like input: H, W, C.
void InputHwc(const InputSpec& spec, int* h, int* w, int* c);

}  // namespace dyad::convert
