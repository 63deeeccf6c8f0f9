// dyad-convert / dyad-run as a user runs them: exit codes, error messages,
// files written, and the int8 result of dyad-run against its --float run.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "../converter/onnx_builder.h"
#include "converter/cli/npy.h"
#include "converter/quantize/quant_math.h"

namespace dyad::convert::testing {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string output;  // stdout + stderr
};

RunResult Shell(const std::string& cmd) {
  RunResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Tool(const char* name) { return std::string(DYAD_TOOLS_DIR) + "/" + name; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dyad_cli_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // A small conv + relu + global-average-pool + gemm classifier, NCHW input with a dynamic batch.
    OnnxBuilder b(13);
    b.Input("image", {-1, 3, 16, 16});
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> d(-0.4f, 0.4f);
    std::vector<float> w(8 * 3 * 3 * 3), fc(4 * 8), bias(4);
    for (float& v : w) v = d(rng);
    for (float& v : fc) v = d(rng);
    for (float& v : bias) v = d(rng);
    b.InitFloat("w", {8, 3, 3, 3}, w).InitFloat("fc", {4, 8}, fc).InitFloat("fc_b", {4}, bias);
    auto& conv = b.Node("Conv", {"image", "w"}, {"c"}, "conv1");
    OnnxBuilder::AttrInts(conv, "pads", {1, 1, 1, 1});
    b.Node("Relu", {"c"}, {"r"}, "relu1");
    b.Node("GlobalAveragePool", {"r"}, {"g"}, "gap");
    b.Node("Flatten", {"g"}, {"f"}, "flatten");
    auto& gemm = b.Node("Gemm", {"f", "fc", "fc_b"}, {"logits"}, "fc");
    OnnxBuilder::AttrInt(gemm, "transB", 1);
    b.Output("logits");
    Write("model.onnx", b.Bytes());
    // Calibration: 6 .npy samples in the model's layout.
    fs::create_directories(dir_ / "calib");
    std::uniform_real_distribution<float> px(-1.0f, 1.0f);
    for (int k = 0; k < 6; ++k) {
      std::vector<float> v(3 * 16 * 16);
      for (float& x : v) x = px(rng);
      WriteNpy((dir_ / "calib" / ("s" + std::to_string(k) + ".npy")).string(), MakeNpyF32({1, 3, 16, 16}, v));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  std::string Convert(const std::string& extra) const {
    return Tool("dyad-convert") + " " + P("model.onnx") + " -o " + P("model.dyad") + " " + extra;
  }
  fs::path dir_;
};

TEST_F(CliTest, ConvertsReportsAndRunsCloseToTheFloatModel) {
  RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --report " + P("r.json")));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("output logits: SQNR"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(P("model.dyad")));
  std::ifstream rep(P("r.json"));
  std::string json((std::istreambuf_iterator<char>(rep)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"cosine\""), std::string::npos);
  EXPECT_NE(json.find("\"calibration_method\": \"percentile\""), std::string::npos);

  const std::string sample = P("calib/s5.npy");
  RunResult q = Shell(Tool("dyad-run") + " " + P("model.dyad") + " --input " + sample + " --output-dir " + P("int8"));
  ASSERT_EQ(q.code, 0) << q.output;
  RunResult f = Shell(Tool("dyad-run") + " " + P("model.onnx") + " --float --input-shape image:1x3x16x16 --input " +
                    sample + " --output-dir " + P("float"));
  ASSERT_EQ(f.code, 0) << f.output;
  NpyArray a = ReadNpy(P("int8/output_0.npy")), b = ReadNpy(P("float/output_0.npy"));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(a.shape, b.shape);
  const double cos = Cosine(b.AsFloat(), a.AsFloat());
  std::printf("dyad-run int8 vs float: cosine %.6f\n", cos);
  EXPECT_GE(cos, 0.995);
  // --raw writes the integers.
  RunResult raw = Shell(Tool("dyad-run") + " " + P("model.dyad") + " --raw --input " + sample + " --output-dir " + P("raw"));
  ASSERT_EQ(raw.code, 0) << raw.output;
  NpyArray ri = ReadNpy(P("raw/output_0.npy"));
  EXPECT_TRUE(ri.dtype == "i1" || ri.dtype == "i2") << ri.dtype;
}

TEST_F(CliTest, MissingCalibrationDataIsAClearError) {
  RunResult r = Shell(Convert("--calib " + P("nope") + " --input-shape image:1x3x16x16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("no such file or folder"), std::string::npos) << r.output;
}

TEST_F(CliTest, HeldOutSetComesFromEval) {
  fs::create_directories(dir_ / "heldout");
  fs::copy_file(P("calib/s0.npy"), P("heldout/h0.npy"));
  fs::copy_file(P("calib/s1.npy"), P("heldout/h1.npy"));
  RunResult r = Shell(Convert("--calib " + P("calib") + " --eval " + P("heldout") + " --input-shape image:1x3x16x16"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("6 calibration samples, 2 held-out samples"), std::string::npos) << r.output;
  RunResult bad = Shell(Convert("--calib " + P("calib") + " --eval " + P("nope") + " --input-shape image:1x3x16x16"));
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.output.find("nope: no such file or folder"), std::string::npos) << bad.output;
}

TEST_F(CliTest, CalibrationWindowsMultiplyImageSamples) {
  // A 4-channel 16x16 PNG-free setup: images come from a tiny BMP written here.
  fs::create_directories(dir_ / "imgs");
  {
    // 24-bit BMP, 20x12, a gradient.
    const int w = 20, h = 12, row = (w * 3 + 3) & ~3;
    std::string bmp(54 + size_t(row) * h, '\0');
    auto put32 = [&](size_t at, uint32_t v) { for (int k = 0; k < 4; ++k) bmp[at + k] = char((v >> (8 * k)) & 255); };
    bmp[0] = 'B'; bmp[1] = 'M';
    put32(2, uint32_t(bmp.size())); put32(10, 54); put32(14, 40); put32(18, w); put32(22, h);
    bmp[26] = 1; bmp[28] = 24; put32(34, uint32_t(row * h));
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < 3; ++c) bmp[54 + size_t(y) * row + x * 3 + c] = char((x * 12 + y * 5 + c * 40) & 255);
    Write("imgs/a.bmp", bmp);
  }
  RunResult r = Shell(Convert("--calib " + P("imgs") + " --calib-windows 8 --eval " + P("imgs") +
                              " --input-shape image:1x3x16x16"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("8 calibration samples, 1 held-out samples"), std::string::npos) << r.output;
  // Windows need a separate held-out set, and stay within 1..8.
  RunResult no_eval = Shell(Convert("--calib " + P("imgs") + " --calib-windows 8 --input-shape image:1x3x16x16"));
  EXPECT_NE(no_eval.code, 0);
  EXPECT_NE(no_eval.output.find("--calib-windows needs --eval"), std::string::npos) << no_eval.output;
  RunResult bad = Shell(Convert("--calib " + P("imgs") + " --calib-windows 9 --eval " + P("imgs") +
                                " --input-shape image:1x3x16x16"));
  EXPECT_NE(bad.code, 0);
}

TEST_F(CliTest, EmptyFolderIsAClearError) {
  fs::create_directories(dir_ / "empty");
  RunResult r = Shell(Convert("--calib " + P("empty") + " --input-shape image:1x3x16x16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("no .png/.jpg"), std::string::npos) << r.output;
}

TEST_F(CliTest, WrongInputShapeIsAClearError) {
  RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape pixels:1x3x16x16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("pixels"), std::string::npos) << r.output;
  // A shape the model does not allow.
  RunResult s = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x20x20"));
  EXPECT_NE(s.code, 0);
  EXPECT_NE(s.output.find("20"), std::string::npos) << s.output;
  // A batch the calibration files do not have.
  RunResult t = Shell(Convert("--calib " + P("calib") + " --input-shape image:2x3x16x16"));
  EXPECT_NE(t.code, 0);
  EXPECT_NE(t.output.find("does not match"), std::string::npos) << t.output;
}

TEST_F(CliTest, DynamicDimensionWithoutInputShapeIsAClearError) {
  RunResult r = Shell(Convert("--calib " + P("calib")));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--input-shape"), std::string::npos) << r.output;
}

TEST_F(CliTest, CorruptOnnxFileIsAClearError) {
  Write("model.onnx", "this is not a protobuf");
  RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
}

TEST_F(CliTest, UnsupportedOpIsAClearErrorNamingTheNode) {
  OnnxBuilder b(13);
  b.Input("image", {1, 3, 16, 16});
  b.Node("Erf", {"image"}, {"e"}, "erf_node");
  b.Node("Atanh", {"e"}, {"y"}, "weird_node");
  b.Output("y");
  Write("model.onnx", b.Bytes());
  RunResult r = Shell(Convert("--calib " + P("calib")));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("weird_node"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Atanh"), std::string::npos) << r.output;
}

TEST_F(CliTest, Int16ActivationsConvertAndRunCloserToTheFloatModel) {
  double cosine[2] = {0, 0};
  for (int int16 = 0; int16 < 2; ++int16) {
    const std::string tag = int16 ? "int16" : "int8";
    RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --activations " + tag +
                                " --report " + P(tag + ".json")));
    ASSERT_EQ(r.code, 0) << r.output;
    std::ifstream rep(P(tag + ".json"));
    const std::string json((std::istreambuf_iterator<char>(rep)), std::istreambuf_iterator<char>());
    EXPECT_NE(json.find("\"activations\": \"" + tag + "\""), std::string::npos) << json;
    // int16 ranges default to minmax (no clipping needed at 2^16 steps).
    EXPECT_NE(json.find(int16 ? "\"calibration_method\": \"minmax\"" : "\"calibration_method\": \"percentile\""),
              std::string::npos);
    const std::string sample = P("calib/s5.npy");
    RunResult q = Shell(Tool("dyad-run") + " " + P("model.dyad") + " --input " + sample + " --output-dir " + P(tag));
    ASSERT_EQ(q.code, 0) << q.output;
    RunResult f = Shell(Tool("dyad-run") + " " + P("model.onnx") + " --float --input-shape image:1x3x16x16 --input " +
                        sample + " --output-dir " + P("float"));
    ASSERT_EQ(f.code, 0) << f.output;
    cosine[int16] = Cosine(ReadNpy(P("float/output_0.npy")).AsFloat(), ReadNpy(P(tag + "/output_0.npy")).AsFloat());
    RunResult raw = Shell(Tool("dyad-run") + " " + P("model.dyad") + " --raw --input " + sample + " --output-dir " +
                          P(tag + "_raw"));
    ASSERT_EQ(raw.code, 0) << raw.output;
    EXPECT_EQ(ReadNpy(P(tag + "_raw/output_0.npy")).dtype, int16 ? "i2" : "i1");
  }
  std::printf("dyad-run vs float: cosine %.6f (int8 activations), %.6f (int16)\n", cosine[0], cosine[1]);
  EXPECT_GE(cosine[1], 0.9995);
  EXPECT_GE(cosine[1], cosine[0]);
}

TEST_F(CliTest, BadActivationOptionsAreRejected) {
  RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --activations int4"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--activations"), std::string::npos) << r.output;
  r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --activations int16 --no-int16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("contradict"), std::string::npos) << r.output;
  r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --weights int16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--weights int16 needs --activations int16"), std::string::npos) << r.output;
  r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --weights int4"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--weights"), std::string::npos) << r.output;
}

TEST_F(CliTest, SplitWeightsAreReportedAndRun) {
  RunResult r = Shell(Convert("--calib " + P("calib") + " --input-shape image:1x3x16x16 --activations int16 "
                              "--weights int16 --report " + P("w16.json")));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("int16 weights: "), std::string::npos) << r.output;
  std::ifstream rep(P("w16.json"));
  const std::string json((std::istreambuf_iterator<char>(rep)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"weights\": \"int16\""), std::string::npos) << json;
  EXPECT_EQ(json.find("\"split_layers\": 0"), std::string::npos) << json;
  RunResult q = Shell(Tool("dyad-run") + " " + P("model.dyad") + " --input " + P("calib/s5.npy") + " --output-dir " +
                      P("w16"));
  EXPECT_EQ(q.code, 0) << q.output;
}

TEST_F(CliTest, BadCalibrationMethodIsRejected) {
  RunResult r = Shell(Convert("--calib " + P("calib") + " --calib-method kl"));
  EXPECT_NE(r.code, 0);
}

}  // namespace
}  // namespace dyad::convert::testing
