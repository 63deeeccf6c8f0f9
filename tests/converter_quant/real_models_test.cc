// End to end on the real pretrained models (scripts/fetch_models.sh): convert
// calibrated on the bundled photographs, run in libdyad on held-out samples,
// and print per-output SQNR / cosine against the float executor. Skipped, with
// a message, when the models have not been fetched.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <vector>

#include <unistd.h>

#include "converter/cli/convert_pipeline.h"
#include "dyad/dyad.h"
#include "tests/converter_quant/real_model_tasks.h"

namespace dyad::convert {
namespace {

std::string FindModel(const std::string& file) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("DYAD_MODELS_DIR")) dirs.push_back(env);
  dirs.push_back(std::string(DYAD_SOURCE_DIR) + "/build/models");
  dirs.push_back(std::string(DYAD_TOOLS_DIR) + "/../models");
  for (const auto& d : dirs)
    if (std::filesystem::exists(d + "/" + file)) return d + "/" + file;
  return "";
}

// Runs the .dyad on every kernel path this build and CPU support, at 1, 2
// and 3 threads, on one seeded input, and expects the same output bytes as
// the reference path at 1 thread.
void ExpectBitIdenticalOnEveryPath(const std::string& dyad_path) {
  dyad_model* model = nullptr;
  ASSERT_EQ(dyad_model_load_file(dyad_path.c_str(), &model), DYAD_OK) << dyad_last_error();
  std::vector<std::vector<uint8_t>> want;
  int paths = 0;
  for (const char* isa : {"reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot", "i8mm"}) {
    for (int threads = 1; threads <= 3; ++threads) {
      dyad_session_options o;
      dyad_session_options_init(&o);
      o.isa = isa;
      o.num_threads = threads;
      dyad_session* session = nullptr;
      if (dyad_session_create(model, &o, &session) != DYAD_OK) break;  // path not built or not supported
      paths += threads == 1;
      for (size_t i = 0; i < dyad_model_num_inputs(model); ++i) {
        dyad_tensor_view v;
        ASSERT_EQ(dyad_session_input(session, i, &v), DYAD_OK);
        uint32_t x = 12345u + uint32_t(i);
        auto* bytes = static_cast<uint8_t*>(v.data);
        for (size_t b = 0; b < v.size_bytes; ++b) bytes[b] = uint8_t((x = x * 1664525u + 1013904223u) >> 24);
      }
      ASSERT_EQ(dyad_session_run(session), DYAD_OK) << dyad_last_error();
      for (size_t k = 0; k < dyad_model_num_outputs(model); ++k) {
        dyad_tensor_view v;
        ASSERT_EQ(dyad_session_output(session, k, &v), DYAD_OK);
        const auto* bytes = static_cast<const uint8_t*>(v.data);
        std::vector<uint8_t> got(bytes, bytes + v.size_bytes);
        if (want.size() <= k) {
          want.push_back(got);
        } else {
          EXPECT_TRUE(got == want[k]) << "output " << k << " differs on path " << isa << " at " << threads
                                      << " threads";
        }
      }
      dyad_session_free(session);
    }
  }
  std::printf("%s: identical output bytes on %d kernel paths x 1/2/3 threads\n", dyad_path.c_str(), paths);
  EXPECT_GE(paths, 1);
  dyad_model_free(model);
}

// `keep`: copy the file for make test's digest stages (DYAD_KEEP_CONVERTED_DIR).
ConvertSummary ConvertReal(const std::string& file, ConvertConfig cfg, bool keep = true) {
  cfg.onnx_path = FindModel(file);
  const std::string tag = cfg.activations + (cfg.weights == "int16" ? ".w16" : "");
  // One file per model, activation type and process: ctest -j runs the int8
  // and W8A16 tests of a model at once (and other checkouts may run too).
  cfg.output_path = (std::filesystem::temp_directory_path() /
                     (file + "." + tag + "." + std::to_string(::getpid()) + ".dyad"))
                        .string();
  std::ostringstream log;
  ConvertSummary s = RunConvert(cfg, log);
  std::printf("%s", log.str().c_str());
  ExpectBitIdenticalOnEveryPath(cfg.output_path);
  // make test keeps the files (scripts/test_all.sh): the later stages check
  // that the emulated and ARM builds give the same output bytes.
  if (const char* dir = std::getenv("DYAD_KEEP_CONVERTED_DIR"); keep && dir != nullptr && *dir != '\0') {
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(cfg.output_path,
                               std::filesystem::path(dir) / (file.substr(0, file.rfind('.')) + "." + tag + ".dyad"),
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::filesystem::remove(cfg.output_path);
  return s;
}

std::string Data(const std::string& path) { return std::string(DYAD_SOURCE_DIR) + "/data/" + path; }

const OutputValues& Output(const ConvertSummary& s, const std::string& name) {
  for (const auto& o : s.output_values)
    if (o.name == name) return o;
  ADD_FAILURE() << "no output " << name;
  return s.output_values.at(0);
}

int64_t Elements(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

#define SKIP_WITHOUT(file)                                                                     \
  if (FindModel(file).empty())                                                                 \
  GTEST_SKIP() << file << " not fetched: run scripts/fetch_models.sh build/models (or set "    \
                          "DYAD_MODELS_DIR)"

// Calibrated on data/images, judged on photographs it never saw
// (data/test_images). Floors are the measured values minus a margin; the
// issue's target is cosine >= 0.99 on every output (docs/converter_quantization.md
// says where and why it is missed).
// `activations`: "int8" or "int16" (W8A16); floors: every output's cosine and
// the largest sigmoid(score) error.
void CheckBlazeFace(const std::string& activations, double min_cosine, double max_probability_error,
                    const std::string& weights = "int8") {
  ConvertConfig cfg;
  cfg.activations = activations;
  cfg.weights = weights;
  cfg.calib_path = Data("images");
  cfg.eval_path = Data("test_images");
  cfg.calib_windows = 8;  // 8 windows each of camera, chelsea and coffee
  cfg.calib_count = 24;
  cfg.mean = {127.5f};
  cfg.std = {127.5f};
  ConvertSummary s = ConvertReal("blazeface_front_128.onnx", cfg);
  ASSERT_EQ(s.outputs.size(), 4u);
  for (const auto& o : s.outputs) {
    std::printf("BlazeFace (%s activations) %s: SQNR %.2f dB, cosine %.5f\n", activations.c_str(), o.name.c_str(),
                o.sqnr_db, o.cosine);
    EXPECT_GE(o.cosine, min_cosine) << o.name;
  }
  // The task: the same faces, each int8 box at IoU >= 0.8 with its float box.
  const auto& s8 = Output(s, "Identity:0");
  const auto& s16 = Output(s, "Identity_1:0");
  const auto& r8 = Output(s, "Identity_2:0");
  const auto& r16 = Output(s, "Identity_3:0");
  const int64_t n8 = Elements(s8.shape), n16 = Elements(s16.shape);
  // The score outputs are logits down to about -1500; what a detector reads
  // is the sigmoid, where those logits are all 0. Largest probability error:
  for (const OutputValues* o : {&s8, &s16}) {
    double worst = 0;
    for (size_t i = 0; i < o->reference.size(); ++i) {
      const double p = 1 / (1 + std::exp(-double(o->reference[i]))), q = 1 / (1 + std::exp(-double(o->dyad[i])));
      worst = std::max(worst, std::fabs(p - q));
    }
    std::printf("BlazeFace (%s activations) %s: largest sigmoid(score) error %.4f\n", activations.c_str(),
                o->name.c_str(), worst);
    EXPECT_LE(worst, max_probability_error) << o->name;
  }
  size_t faces = 0;
  for (size_t k = 0; k < s.eval_samples; ++k) {
    const auto want = tasks::BlazeFaceFaces(&s8.reference[k * n8], &s16.reference[k * n16],
                                            &r8.reference[k * n8 * 16], &r16.reference[k * n16 * 16]);
    const auto got = tasks::BlazeFaceFaces(&s8.dyad[k * n8], &s16.dyad[k * n16], &r8.dyad[k * n8 * 16],
                                           &r16.dyad[k * n16 * 16]);
    EXPECT_EQ(got.size(), want.size()) << "sample " << k;
    for (const auto& g : got) {
      float best = 0;
      for (const auto& w : want) best = std::max(best, tasks::Iou(g, w));
      std::printf("BlazeFace sample %zu: %s face score %.3f, IoU with the float face %.3f\n", k,
                  activations.c_str(), g.score, best);
      EXPECT_GE(best, 0.8f);
    }
    faces += want.size();
  }
  EXPECT_GE(faces, 1u) << "the held-out photographs should contain a face";
}

TEST(RealModels, BlazeFaceFront128) {
  SKIP_WITHOUT("blazeface_front_128.onnx");
  // Measured cosines 0.9993 / 0.980 / 0.9987 / 0.9972; sigmoid(score) errors
  // 0.055 / 0.051 (astronaut.png's face: 0.867 int8, 0.921 float). Calibrated
  // on the first 24 files' samples without windows (3 photographs and 21 grey,
  // blurred 25x25 face crops) the error was 0.26: the first conv's range then
  // clips the colours of a sharp photograph.
  CheckBlazeFace("int8", 0.97, 0.1);
}

TEST(RealModels, BlazeFaceFront128W8A16) {
  SKIP_WITHOUT("blazeface_front_128.onnx");
  // int16 activations (minmax ranges, weights rounded for their inputs): the
  // issue's cosine bar on every output. Measured cosines 0.99995 / 0.99730 /
  // 0.99988 / 0.99982; sigmoid(score) errors 0.011 / 0.019.
  CheckBlazeFace("int16", 0.99, 0.05);
}

TEST(RealModels, BlazeFaceFront128W16A16) {
  SKIP_WITHOUT("blazeface_front_128.onnx");
  // --weights int16 (split weights, eq. 21). Measured cosines 0.99999 /
  // 0.99752 / 0.99998 / 0.99992 (47.6 / 23.0 / 44.5 / 37.7 dB).
  CheckBlazeFace("int16", 0.995, 0.05, "int16");
}

void CheckPaddleOcr(const std::string& activations, double min_cosine, double min_top1,
                    const std::string& weights = "int8") {
  ConvertConfig cfg;
  cfg.activations = activations;
  cfg.weights = weights;
  cfg.calib_path = Data("text_lines/calib");    // crops of one scanned page
  cfg.eval_path = Data("text_lines/heldout");   // crops of another document
  cfg.calib_count = 48;
  cfg.eval_count = 48;
  cfg.eval_intermediates = false;
  cfg.input_shapes = {"x:1x3x48x192"};
  cfg.mean = {127.5f};
  cfg.std = {127.5f};
  ConvertSummary s = ConvertReal("ppocr_mobile_v2_cls.onnx", cfg);
  ASSERT_EQ(s.outputs.size(), 1u);
  const auto& o = s.outputs[0];
  std::printf("PPOCR cls (%s activations) %s: SQNR %.2f dB, cosine %.5f, top-1 agreement %.3f\n",
              activations.c_str(), o.name.c_str(), o.sqnr_db, o.cosine, o.top1_agreement);
  EXPECT_GE(o.cosine, min_cosine);
  EXPECT_GE(o.top1_agreement, min_top1);
}

TEST(RealModels, PaddleOcrMobileV2Cls) {
  SKIP_WITHOUT("ppocr_mobile_v2_cls.onnx");
  CheckPaddleOcr("int8", 0.99, 0.9);  // measured cosine 0.99189, top-1 0.958 (46 of 48 crops)
}

TEST(RealModels, PaddleOcrMobileV2ClsW8A16) {
  SKIP_WITHOUT("ppocr_mobile_v2_cls.onnx");
  // Measured cosine 0.99962 (31.2 dB); top-1 0.958 (46 of 48) with the
  // int16 Softmax (eq. 14b). With the int8 Softmax it was 0.917: near-ties
  // (float probabilities within 0.021 of 1/2) that 1/256 steps made 0.5 / 0.5.
  CheckPaddleOcr("int16", 0.99, 0.95);
}

TEST(RealModels, PaddleOcrMobileV2ClsW16A16) {
  SKIP_WITHOUT("ppocr_mobile_v2_cls.onnx");
  // --weights int16: measured cosine 0.99992 (37.9 dB), top-1 1.000 (48 of 48).
  CheckPaddleOcr("int16", 0.999, 0.97, "int16");
}

// Floors: the offsets' cosine, and per held-out photograph the segment recall
// and precision.
void CheckMlsd(const std::string& activations, double min_offsets_cosine, double min_recall,
               double min_precision, const std::string& weights = "int8") {
  ConvertConfig cfg;
  cfg.activations = activations;
  cfg.weights = weights;
  cfg.calib_path = Data("images");
  cfg.eval_path = Data("test_images");
  cfg.calib_count = 4;  // the three photographs and one face crop
  cfg.eval_intermediates = false;
  // The split-weight M-LSD file is not checked on the emulated and ARM paths:
  // under qemu it costs 2 minutes of CI, and its ops (int16 Conv and Add)
  // are those of the W8A16 file, while the BlazeFace and PPOCR split files
  // cover split models there.
  ConvertSummary s = ConvertReal("mlsd_320_tiny.onnx", cfg, weights != "int16");
  ASSERT_EQ(s.outputs.size(), 2u);
  for (const auto& o : s.outputs)
    std::printf("M-LSD (%s activations, %s weights) %s: SQNR %.2f dB, cosine %.5f\n", activations.c_str(),
                weights.c_str(), o.name.c_str(), o.sqnr_db, o.cosine);
  const auto& offsets = Output(s, "offsets");
  EXPECT_GE(s.outputs[0].cosine, min_offsets_cosine) << "offsets";
  // "scores" keeps only the local maxima of the centre heat map (x where
  // x == maxpool3x3(x)): a discontinuous function of its input, so its cosine
  // says little (docs/converter_quantization.md). The task is the segments.
  const auto& scores = Output(s, "scores");
  ASSERT_EQ(scores.shape.size(), 4u);
  const int h = int(scores.shape[1]), w = int(scores.shape[2]);
  for (size_t k = 0; k < s.eval_samples; ++k) {
    const size_t so = k * size_t(h) * w, oo = so * 4;
    const auto want = tasks::MlsdSegments(&scores.reference[so], &offsets.reference[oo], h, w);
    const auto got = tasks::MlsdSegments(&scores.dyad[so], &offsets.dyad[oo], h, w);
    const double recall = tasks::SegmentRecall(want, got, 2.0f);
    const double precision = tasks::SegmentRecall(got, want, 2.0f);
    std::printf("M-LSD sample %zu: float %zu segments, %s %zu; recall %.3f, precision %.3f (end points within 2 px of 160)\n",
                k, want.size(), activations.c_str(), got.size(), recall, precision);
    EXPECT_GE(recall, min_recall);
    EXPECT_GE(precision, min_precision);
  }
}

TEST(RealModels, MlsdTiny320) {
  SKIP_WITHOUT("mlsd_320_tiny.onnx");
  // Measured: offsets cosine 0.932; recall 0.909 / 0.765, precision 0.841 /
  // 0.434. The int8 heat map has ties where the float one has a single
  // maximum, so the int8 mask keeps extra centres (docs/converter_quantization.md);
  // which ties survive moves with any rounding change (with the L = 20 Add
  // parameters: offsets 0.930, precision 0.806 / 0.507).
  CheckMlsd("int8", 0.9, 0.7, 0.4);
}

TEST(RealModels, MlsdTiny320W8A16) {
  SKIP_WITHOUT("mlsd_320_tiny.onnx");
  // Measured: offsets cosine 0.99042 (17.2 dB); recall 1.000 / 0.941,
  // precision 0.917 / 0.889.
  CheckMlsd("int16", 0.99, 0.85, 0.8);
}

TEST(RealModels, MlsdTiny320W16A16) {
  SKIP_WITHOUT("mlsd_320_tiny.onnx");
  // --weights int16 (each Conv as two int8 halves, eq. 21) with int16
  // activations. Measured: offsets cosine 0.99997 (42.5 dB; W8A16 17.2 dB);
  // segments recall 1.000 / 1.000, precision 1.000 / 0.944 (rocket.jpg: one
  // extra centre where two float heat values differ by 0.0004 and the
  // quantized ones tie). The scores stay near 0.98: a peak mask flips on such
  // near-ties; float weights rounded to fp16 alone give 0.952 on rocket.jpg
  // (docs/converter_quantization.md, "Split weights").
  CheckMlsd("int16", 0.9999, 0.95, 0.9, "int16");
}

}  // namespace
}  // namespace dyad::convert
