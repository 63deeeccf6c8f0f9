// End to end on the real pretrained models (scripts/fetch_models.sh): convert
// calibrated on the bundled photographs, run in libdyad on held-out samples,
// and print per-output SQNR / cosine against the float executor. Skipped, with
// a message, when the models have not been fetched.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "converter/cli/convert_pipeline.h"

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

ConvertSummary ConvertReal(const std::string& file, ConvertConfig cfg) {
  cfg.onnx_path = FindModel(file);
  cfg.calib_path = std::string(DYAD_SOURCE_DIR) + "/data/images";
  cfg.output_path = (std::filesystem::temp_directory_path() / (file + ".dyad")).string();
  std::ostringstream log;
  ConvertSummary s = RunConvert(cfg, log);
  std::printf("%s", log.str().c_str());
  std::filesystem::remove(cfg.output_path);
  return s;
}

#define SKIP_WITHOUT(file)                                                                     \
  if (FindModel(file).empty())                                                                 \
  GTEST_SKIP() << file << " not fetched: run scripts/fetch_models.sh build/models (or set "    \
                          "DYAD_MODELS_DIR)"

// Floors below are the accuracy measured when these tests were written (see
// docs/converter_quantization.md); the target is cosine >= 0.99.
TEST(RealModels, BlazeFaceFront128) {
  SKIP_WITHOUT("blazeface_front_128.onnx");
  ConvertConfig cfg;
  cfg.calib_count = 24;
  cfg.eval_count = 4;
  cfg.mean = {127.5f};
  cfg.std = {127.5f};
  ConvertSummary s = ConvertReal("blazeface_front_128.onnx", cfg);
  ASSERT_EQ(s.outputs.size(), 4u);
  for (const auto& o : s.outputs) {
    std::printf("BlazeFace %s: SQNR %.2f dB, cosine %.5f\n", o.name.c_str(), o.sqnr_db, o.cosine);
    EXPECT_GE(o.cosine, 0.8) << o.name;
  }
}

TEST(RealModels, PaddleOcrMobileV2Cls) {
  SKIP_WITHOUT("ppocr_mobile_v2_cls.onnx");
  ConvertConfig cfg;
  cfg.calib_count = 24;
  cfg.eval_count = 4;
  cfg.input_shapes = {"x:1x3x48x192"};
  cfg.mean = {127.5f};
  cfg.std = {127.5f};
  ConvertSummary s = ConvertReal("ppocr_mobile_v2_cls.onnx", cfg);
  ASSERT_EQ(s.outputs.size(), 1u);
  for (const auto& o : s.outputs) {
    std::printf("PPOCR cls %s: SQNR %.2f dB, cosine %.5f\n", o.name.c_str(), o.sqnr_db, o.cosine);
    EXPECT_GE(o.cosine, 0.9) << o.name;
  }
}

TEST(RealModels, MlsdTiny320) {
  SKIP_WITHOUT("mlsd_320_tiny.onnx");
  ConvertConfig cfg;
  cfg.calib_count = 4;
  cfg.eval_count = 2;
  cfg.eval_intermediates = false;
  ConvertSummary s = ConvertReal("mlsd_320_tiny.onnx", cfg);
  ASSERT_EQ(s.outputs.size(), 2u);
  for (const auto& o : s.outputs) {
    std::printf("M-LSD %s: SQNR %.2f dB, cosine %.5f\n", o.name.c_str(), o.sqnr_db, o.cosine);
    EXPECT_GE(o.cosine, 0.2) << o.name;
  }
}

}  // namespace
}  // namespace dyad::convert
