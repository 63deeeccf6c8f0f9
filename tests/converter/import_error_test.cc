// The importer's refusals: each is a ConvertError whose message names the
// node, the op and the attribute (or the file / input) at fault.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/reference_exec/executor.h"
#include "tests/converter/onnx_builder.h"

namespace dyad::convert {
namespace {

using testing::OnnxBuilder;

// Runs `fn`, expects a ConvertError, returns its message.
template <typename Fn>
std::string ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const ConvertError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConvertError thrown";
  return "";
}

std::string TempFile(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

OnnxBuilder ReluModel() {
  OnnxBuilder b;
  b.Input("x", {1, 3}).Output("y");
  b.Node("Relu", {"x"}, {"y"}, "relu1");
  return b;
}

TEST(ImportErrors, ValidModelImports) {
  Graph g = ImportOnnxBytes(ReluModel().Bytes());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Relu");
  EXPECT_EQ(g.inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.values.at("x").shape, (Shape{1, 3}));
}

TEST(ImportErrors, UnsupportedOpNamesNodeAndOp) {
  OnnxBuilder b;
  b.Input("x", {1, 3}).Output("y");
  b.Node("NonZero", {"x"}, {"y"}, "nz7");
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("'nz7'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("NonZero"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not supported"), std::string::npos) << msg;
}

TEST(ImportErrors, UnknownAttributeNamesNodeOpAndAttribute) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 3, 3}).InitFloat("w", {1, 1, 1, 1}, {2.0f}).Output("y");
  OnnxBuilder::AttrInt(b.Node("Conv", {"x", "w"}, {"y"}, "conv3"), "winograd", 1);
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("'conv3'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(Conv)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'winograd'"), std::string::npos) << msg;
}

TEST(ImportErrors, BadAttributeValueIsNamed) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4}).InitInt64("pads", {0, 1, 0, 1}).Output("y");
  OnnxBuilder::AttrString(b.Node("Pad", {"x", "pads"}, {"y"}, "pad1"), "mode", "wrap");
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("'pad1' (Pad)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'mode'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'wrap'"), std::string::npos) << msg;

  OnnxBuilder r(13);
  r.Input("x", {1, 1, 2, 2}).InitFloat("scales", {4}, {1, 1, 2, 2}).Output("y");
  OnnxBuilder::AttrString(r.Node("Resize", {"x", "", "scales"}, {"y"}, "up"), "mode", "cubic");
  msg = ErrorOf([&] { ImportOnnxBytes(r.Bytes()); });
  EXPECT_NE(msg.find("'up' (Resize)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'cubic'"), std::string::npos) << msg;

  OnnxBuilder t(15);
  t.Input("x", {1, 2, 2}).InitFloat("s", {2}, {1, 1}).InitFloat("b", {2}, {0, 0})
      .InitFloat("m", {2}, {0, 0}).InitFloat("v", {2}, {1, 1}).Output("y");
  OnnxBuilder::AttrInt(t.Node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}, "bn"), "training_mode", 1);
  msg = ErrorOf([&] { ImportOnnxBytes(t.Bytes()); });
  EXPECT_NE(msg.find("'bn' (BatchNormalization)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'training_mode'"), std::string::npos) << msg;
}

TEST(ImportErrors, WrongAttributeKindIsNamed) {
  OnnxBuilder b;
  b.Input("x", {2, 3}).Output("y");
  OnnxBuilder::AttrString(b.Node("Flatten", {"x"}, {"y"}, "flat"), "axis", "one");
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("'flat' (Flatten)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'axis' must be an int"), std::string::npos) << msg;
}

TEST(ImportErrors, MissingAndCorruptFiles) {
  std::string msg = ErrorOf([] { ImportOnnxFile("/nonexistent/dir/model.onnx"); });
  EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;

  std::string garbage = TempFile("garbage.onnx", std::string("\xff\xfe this is not protobuf \x01\x02"));
  msg = ErrorOf([&] { ImportOnnxFile(garbage); });
  EXPECT_NE(msg.find("not a valid ONNX model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("garbage.onnx"), std::string::npos) << msg;

  std::string bytes = ReluModel().Bytes();
  std::string truncated = TempFile("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  msg = ErrorOf([&] { ImportOnnxFile(truncated); });
  EXPECT_NE(msg.find("not a valid ONNX model"), std::string::npos) << msg;

  std::string empty = TempFile("empty.onnx", "");
  msg = ErrorOf([&] { ImportOnnxFile(empty); });
  EXPECT_NE(msg.find("not a valid ONNX model"), std::string::npos) << msg;
}

TEST(ImportErrors, UnsupportedOpsetAndDataType) {
  OnnxBuilder b(19);
  b.Input("x", {1}).Output("y");
  b.Node("Relu", {"x"}, {"y"});
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("opset 19"), std::string::npos) << msg;

  OnnxBuilder h;
  h.Input("x", {1}, onnx::TensorProto::FLOAT16).Output("y");
  h.Node("Relu", {"x"}, {"y"});
  msg = ErrorOf([&] { ImportOnnxBytes(h.Bytes()); });
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("FLOAT16"), std::string::npos) << msg;
}

TEST(InputShape, SplitsAtLastColon) {
  InputShapeSpec s = ParseInputShape("input:0:1x3x224x224");
  EXPECT_EQ(s.name, "input:0");
  EXPECT_EQ(s.shape, (Shape{1, 3, 224, 224}));
  s = ParseInputShape("x:7");
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.shape, (Shape{7}));
}

TEST(InputShape, BadFormatsAreRefused) {
  for (const char* bad : {"noshape", "x:", ":1x3", "x:1xx3", "x:1x-3", "x:abc", "x:0x3", "x:1x3x", "x:1,3"}) {
    std::string msg = ErrorOf([&] { ParseInputShape(bad); });
    EXPECT_NE(msg.find("--input-shape"), std::string::npos) << bad << ": " << msg;
    EXPECT_NE(msg.find(bad), std::string::npos) << bad << ": " << msg;
  }
}

TEST(InputShape, DynamicDimsNeedAShape) {
  OnnxBuilder b;
  b.Input("data:0", {-1, 3}).Output("y");
  b.Node("Relu", {"data:0"}, {"y"});
  std::string msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes()); });
  EXPECT_NE(msg.find("'data:0'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dynamic"), std::string::npos) << msg;

  ImportOptions ok;
  ok.input_shapes["data:0"] = ParseInputShape("data:0:5x3").shape;
  EXPECT_EQ(ImportOnnxBytes(b.Bytes(), ok).values.at("data:0").shape, (Shape{5, 3}));

  ImportOptions rank;
  rank.input_shapes["data:0"] = {5, 3, 1};
  msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes(), rank); });
  EXPECT_NE(msg.find("3 dimensions"), std::string::npos) << msg;

  ImportOptions conflict;
  conflict.input_shapes["data:0"] = {5, 4};
  msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes(), conflict); });
  EXPECT_NE(msg.find("fixes it to 3"), std::string::npos) << msg;

  ImportOptions unknown;
  unknown.input_shapes["image"] = {1, 3};
  msg = ErrorOf([&] { ImportOnnxBytes(b.Bytes(), unknown); });
  EXPECT_NE(msg.find("'image'"), std::string::npos) << msg;
}

}  // namespace
}  // namespace dyad::convert

namespace dyad::convert {
namespace {

// Corrupted models (bytes flipped in a real node-test model) must end in a
// ConvertError or import and run cleanly, never crash. Run under ASan/UBSan
// in the sanitizer build for full effect.
TEST(ImportErrors, MutatedModelsNeverCrash) {
  const char* models[] = {"test_conv_with_strides_and_asymmetric_padding", "test_resize_upsample_sizes_nearest",
                          "test_layer_normalization_4d_axis1_expanded", "test_gemm_all_attributes"};
  int refused = 0, ran = 0;
  for (const char* name : models) {
    const std::string path = std::string(DYAD_ONNX_NODE_TEST_DIR) + "/" + name + "/model.onnx";
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint32_t state = 12345;
    for (int trial = 0; trial < 300; ++trial) {
      std::string m = bytes;
      for (int flips = 0; flips < 1 + trial % 4; ++flips) {
        state = state * 1664525u + 1013904223u;
        m[(state >> 8) % m.size()] = static_cast<char>(state >> 24);
      }
      try {
        Graph g = ImportOnnxBytes(m);
        TensorMap inputs;
        for (const auto& i : g.inputs) {
          Tensor t;
          t.dtype = g.values.at(i).dtype;
          t.shape = g.values.at(i).shape;
          if (t.is_float()) t.f.assign(NumElements(t.shape), 0.5f); else t.i.assign(NumElements(t.shape), 1);
          inputs[i] = t;
        }
        RunGraph(g, inputs);
        ++ran;
      } catch (const ConvertError&) {
        ++refused;
      }
    }
  }
  std::printf("mutated models: %d refused with ConvertError, %d imported and ran\n", refused, ran);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace dyad::convert
