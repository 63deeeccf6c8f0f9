// What the three real models are for, decoded from their raw outputs, so the
// real-model tests can judge the int8 model by the task (faces found, lines
// found, class chosen) and not only by per-tensor SQNR / cosine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace dyad::convert::tasks {

struct Box {
  float x0, y0, x1, y1;  // fractions of the input image
  float score;
};

inline float Iou(const Box& a, const Box& b) {
  const float ix = std::max(0.0f, std::min(a.x1, b.x1) - std::max(a.x0, b.x0));
  const float iy = std::max(0.0f, std::min(a.y1, b.y1) - std::max(a.y0, b.y0));
  const float inter = ix * iy;
  const float uni = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

// BlazeFace front 128x128 (MediaPipe's anchors: 16x16 cells x 2 anchors at
// stride 8, then 8x8 cells x 6 anchors at stride 16). scores8/scores16 are
// the 512 / 384 logits, regs8/regs16 16 values per anchor (box centre offset
// and size in input pixels, then 6 key points). Faces: sigmoid(score) >= 0.5,
// then greedy non-maximum suppression at IoU 0.3.
inline std::vector<Box> BlazeFaceFaces(const float* scores8, const float* scores16, const float* regs8,
                                       const float* regs16, float threshold = 0.5f) {
  std::vector<Box> found;
  int anchor = 0;
  for (int level = 0; level < 2; ++level) {
    const int grid = level == 0 ? 16 : 8, per_cell = level == 0 ? 2 : 6;
    const float* scores = level == 0 ? scores8 : scores16;
    const float* regs = level == 0 ? regs8 : regs16;
    for (int cell = 0, k = 0; cell < grid * grid; ++cell)
      for (int a = 0; a < per_cell; ++a, ++k, ++anchor) {
        const float logit = std::clamp(scores[k], -100.0f, 100.0f);
        const float score = 1.0f / (1.0f + std::exp(-logit));
        if (score < threshold) continue;
        const float ax = (float(cell % grid) + 0.5f) / float(grid), ay = (float(cell / grid) + 0.5f) / float(grid);
        const float* r = regs + 16 * k;
        const float cx = ax + r[0] / 128.0f, cy = ay + r[1] / 128.0f, w = r[2] / 128.0f, h = r[3] / 128.0f;
        found.push_back({cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score});
      }
  }
  std::sort(found.begin(), found.end(), [](const Box& a, const Box& b) { return a.score > b.score; });
  std::vector<Box> kept;
  for (const Box& f : found) {
    bool overlaps = false;
    for (const Box& k : kept) overlaps = overlaps || Iou(f, k) >= 0.3f;
    if (!overlaps) kept.push_back(f);
  }
  return kept;
}

struct Segment {
  float x0, y0, x1, y1;  // output-grid pixels
  float score;
};

// M-LSD: `scores` [h, w] is the centre heat map already masked to its local
// maxima, `offsets` [h, w, 4] the displacement of both end points from the
// centre. Segments: the `top_k` best centres with score > threshold and
// length >= min_length grid pixels (the model's own decoding).
inline std::vector<Segment> MlsdSegments(const float* scores, const float* offsets, int h, int w,
                                         float threshold = 0.1f, float min_length = 10.0f, size_t top_k = 200) {
  std::vector<Segment> all;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float s = scores[y * w + x];
      if (s <= threshold) continue;
      const float* d = offsets + 4 * (y * w + x);
      const Segment seg{x + d[0], y + d[1], x + d[2], y + d[3], s};
      if (std::hypot(seg.x1 - seg.x0, seg.y1 - seg.y0) >= min_length) all.push_back(seg);
    }
  std::sort(all.begin(), all.end(), [](const Segment& a, const Segment& b) { return a.score > b.score; });
  if (all.size() > top_k) all.resize(top_k);
  return all;
}

// Fraction of `want` that some segment of `got` reproduces: both end points
// (in either order) within `tolerance` grid pixels. 1 if `want` is empty.
inline double SegmentRecall(const std::vector<Segment>& want, const std::vector<Segment>& got, float tolerance) {
  if (want.empty()) return 1.0;
  size_t matched = 0;
  for (const Segment& a : want) {
    bool hit = false;
    for (const Segment& b : got) {
      const float same = std::max(std::hypot(a.x0 - b.x0, a.y0 - b.y0), std::hypot(a.x1 - b.x1, a.y1 - b.y1));
      const float swapped = std::max(std::hypot(a.x0 - b.x1, a.y0 - b.y1), std::hypot(a.x1 - b.x0, a.y1 - b.y0));
      hit = hit || std::min(same, swapped) <= tolerance;
    }
    matched += hit;
  }
  return double(matched) / double(want.size());
}

}  // namespace dyad::convert::tasks
