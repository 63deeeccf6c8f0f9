// The ONNX backend node tests (Debian's libonnx-testdata) for every op the
// converter supports: import model.onnx, run each test_data_set through the
// float executor, compare with output_*.pb.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/passes/passes.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {
namespace {

namespace fs = std::filesystem;

// Directory-name prefixes of the node tests, per supported op.
const std::vector<std::pair<const char*, std::vector<const char*>>>& OpPrefixes() {
  static const std::vector<std::pair<const char*, std::vector<const char*>>> table = {
      {"Conv", {"test_basic_conv_", "test_conv_with_"}},
      {"ConvTranspose", {"test_convtranspose"}},
      {"Gemm", {"test_gemm_"}},
      {"MatMul", {"test_matmul_"}},
      {"BatchNormalization", {"test_batchnorm_"}},
      {"Relu", {"test_relu"}},
      {"Clip", {"test_clip"}},
      {"LeakyRelu", {"test_leakyrelu"}},
      {"PRelu", {"test_prelu_"}},
      {"Sigmoid", {"test_sigmoid"}},
      {"Tanh", {"test_tanh"}},
      {"HardSigmoid", {"test_hardsigmoid"}},
      {"HardSwish", {"test_hardswish"}},
      {"Add", {"test_add"}},
      {"Sub", {"test_sub"}},
      {"Mul", {"test_mul"}},
      {"Div", {"test_div"}},
      {"MaxPool", {"test_maxpool_"}},
      {"AveragePool", {"test_averagepool_"}},
      {"GlobalAveragePool", {"test_globalaveragepool"}},
      {"GlobalMaxPool", {"test_globalmaxpool"}},
      {"ReduceMean", {"test_reduce_mean_"}},
      {"ReduceSum", {"test_reduce_sum_"}},
      {"ReduceMax", {"test_reduce_max_"}},
      {"ReduceMin", {"test_reduce_min_"}},
      {"Concat", {"test_concat_"}},
      {"Split", {"test_split_"}},
      {"Slice", {"test_slice"}},
      {"Reshape", {"test_reshape_"}},
      {"Flatten", {"test_flatten_"}},
      {"Squeeze", {"test_squeeze"}},
      {"Unsqueeze", {"test_unsqueeze_"}},
      {"Transpose", {"test_transpose_"}},
      {"Pad", {"test_constant_pad", "test_edge_pad", "test_reflect_pad"}},
      {"Resize", {"test_resize_", "test_upsample_"}},
      {"Softmax", {"test_softmax_"}},
      {"LayerNormalization", {"test_layer_normalization_"}},
      {"Identity", {"test_identity"}},
      {"Dropout", {"test_dropout_"}},
      {"Pow", {"test_pow"}},
      {"Sqrt", {"test_sqrt"}},
      {"Exp", {"test_exp"}},  // also matches test_expand_*, which run too
      {"Erf", {"test_erf"}},
      {"Abs", {"test_abs"}},
      {"Ceil", {"test_ceil"}},
      {"Floor", {"test_floor"}},
      {"Cast", {"test_cast_"}},
      {"Shape", {"test_shape"}},
      {"Gather", {"test_gather_0", "test_gather_1", "test_gather_2d", "test_gather_negative"}},
      {"ConstantOfShape", {"test_constantofshape_"}},
      {"Constant", {"test_constant"}},
      {"Equal", {"test_equal"}},
      {"Where", {"test_where_"}},
      {"Expand", {"test_expand_"}},
      {"Range", {"test_range_"}},
      {"Neg", {"test_neg"}},
      {"Reciprocal", {"test_reciprocal"}},
      {"Max", {"test_max_"}},
      {"Min", {"test_min_"}},
      {"Sum", {"test_sum_"}},
      {"Mean", {"test_mean_"}},
      {"Less", {"test_less"}},
      {"Greater", {"test_greater"}},
      {"Not", {"test_not_"}},
      {"And", {"test_and"}},
      {"Or", {"test_or"}},
      {"Xor", {"test_xor"}},
      {"Log", {"test_log_", "test_log"}},  // also test_logsoftmax_*
      {"Softplus", {"test_softplus"}},
      {"Elu", {"test_elu"}},
      {"Selu", {"test_selu"}},
      {"DepthToSpace", {"test_depthtospace"}},
      {"SpaceToDepth", {"test_spacetodepth"}},
      {"InstanceNormalization", {"test_instancenorm"}},
      {"Tile", {"test_tile"}},
      {"ArgMax", {"test_argmax_"}},
      {"ArgMin", {"test_argmin_"}},
  };
  return table;
}

// Tests under a supported prefix that are out of scope, with the reason.
const std::vector<std::pair<const char*, const char*>>& Skipped() {
  static const std::vector<std::pair<const char*, const char*>> table = {
      {"test_batchnorm_epsilon_training_mode", "training mode"},
      {"test_batchnorm_example_training_mode", "training mode"},
      {"test_resize_downsample_scales_cubic", "cubic mode"},
      {"test_resize_downsample_sizes_cubic", "cubic mode"},
      {"test_resize_upsample_scales_cubic", "cubic mode"},
      {"test_resize_upsample_sizes_cubic", "cubic mode"},
      {"test_resize_tf_crop_and_resize", "tf_crop_and_resize"},
      {"test_maxpool_with_argmax", "Indices output"},
      {"test_maxpool_2d_uint8", "integer pooling"},
      {"test_identity_opt", "optional type"},
      {"test_identity_sequence", "sequence type"},
      {"test_cast_FLOAT16", "float16"},
      {"test_cast_FLOAT_to_FLOAT16", "float16"},
      {"test_cast_DOUBLE_to_FLOAT16", "float16"},
      {"test_cast_BFLOAT16", "bfloat16"},
      {"test_cast_FLOAT_to_BFLOAT16", "bfloat16"},
      {"test_cast_FLOAT_to_STRING", "string"},
      {"test_cast_STRING", "string"},
      {"test_reduce_sum_square", "ReduceSumSquare"},
      {"test_max_float16", "float16"},
      {"test_min_float16", "float16"},
      {"test_range_float_type_positive_delta_expanded", "uses Loop"},
      {"test_range_int32_type_negative_delta_expanded", "uses Loop"},
  };
  return table;
}

const char* SkipReason(const std::string& name) {
  for (const auto& s : Skipped())
    if (s.second && name.rfind(s.first, 0) == 0) return s.second;
  return nullptr;
}

struct Catalog {
  std::vector<std::string> run;
  std::vector<std::string> skipped;
};

const Catalog& GetCatalog() {
  static const Catalog catalog = [] {
    Catalog c;
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(DYAD_ONNX_NODE_TEST_DIR, ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      bool match = false;
      for (const auto& op : OpPrefixes())
        for (const char* p : op.second)
          if (name.rfind(p, 0) == 0) match = true;
      if (!match) continue;
      (SkipReason(name) ? c.skipped : c.run).push_back(name);
    }
    return c;
  }();
  return catalog;
}

// Fewer than this many runnable node tests means the data path is broken.
constexpr size_t kMinimumNodeTests = 450;

TEST(OnnxNodeCoverage, EnoughNodeTestsRun) {
  const Catalog& c = GetCatalog();
  std::printf("ONNX node tests: %zu run, %zu skipped (out of scope) under the supported ops' prefixes\n",
              c.run.size(), c.skipped.size());
  for (const auto& s : c.skipped) std::printf("  skipped %s: %s\n", s.c_str(), SkipReason(s));
  EXPECT_GE(c.run.size(), kMinimumNodeTests) << "is libonnx-testdata installed at " << DYAD_ONNX_NODE_TEST_DIR << "?";
}

class OnnxNodeTest : public ::testing::TestWithParam<std::string> {};

void ExpectClose(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(ShapeToString(got.shape), ShapeToString(want.shape)) << what;
  ASSERT_EQ(got.is_float(), want.is_float()) << what << ": dtype " << DTypeName(got.dtype) << " vs " << DTypeName(want.dtype);
  const double rtol = 1e-4, atol = 1e-5;
  int reported = 0;
  for (int64_t k = 0; k < want.size(); ++k) {
    const double g = got.AsDouble(k), w = want.AsDouble(k);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (std::isinf(w) && g == w) continue;
    if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w))) {
      ADD_FAILURE() << what << "[" << k << "]: got " << g << ", expected " << w;
      if (++reported > 5) return;
    }
  }
}

// Runs every test_data_set of `dir` through `g`; with `optimize`, the graph
// first goes through the whole pass pipeline (shapes from the first set).
void RunDataSets(const fs::path& dir, Graph g, bool optimize) {
  int sets = 0;
  for (int s = 0;; ++s) {
    const fs::path set = dir / ("test_data_set_" + std::to_string(s));
    if (!fs::exists(set)) break;
    ++sets;
    TensorMap inputs;
    for (size_t k = 0; k < g.inputs.size(); ++k)
      inputs[g.inputs[k]] = LoadTensorProtoFile((set / ("input_" + std::to_string(k) + ".pb")).string());
    TensorMap outputs;
    try {
      if (optimize && s == 0) OptimizeGraph(g, &inputs);
      outputs = RunGraph(g, inputs);
    } catch (const ConvertError& e) {
      FAIL() << "run failed: " << e.what();
    }
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      const fs::path file = set / ("output_" + std::to_string(k) + ".pb");
      ExpectClose(outputs.at(g.outputs[k]), LoadTensorProtoFile(file.string()),
                  set.filename().string() + " output " + g.outputs[k]);
    }
  }
  EXPECT_GT(sets, 0) << "no test_data_set in " << dir;
}

Graph ImportNodeTest(const fs::path& dir) {
  // Every input's shape is fixed from the first data set, as a user would
  // with --input-shape (some node tests have dynamic dims).
  ImportOptions options;
  const std::vector<std::string> names = OnnxModelInputs((dir / "model.onnx").string());
  for (size_t k = 0; k < names.size(); ++k) {
    const fs::path file = dir / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb");
    if (fs::exists(file)) options.input_shapes[names[k]] = LoadTensorProtoFile(file.string()).shape;
  }
  return ImportOnnxFile((dir / "model.onnx").string(), options);
}

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
  const fs::path dir = fs::path(DYAD_ONNX_NODE_TEST_DIR) / GetParam();
  Graph g;
  try {
    g = ImportNodeTest(dir);
  } catch (const ConvertError& e) {
    FAIL() << "import failed: " << e.what();
  }
  RunDataSets(dir, g, false);
}

// The same after the full pass pipeline (constant folding, shape inference,
// fusions...): the passes must not change any node test's result.
TEST_P(OnnxNodeTest, MatchesAfterPasses) {
  const fs::path dir = fs::path(DYAD_ONNX_NODE_TEST_DIR) / GetParam();
  Graph g;
  try {
    g = ImportNodeTest(dir);
  } catch (const ConvertError& e) {
    FAIL() << "import failed: " << e.what();
  }
  RunDataSets(dir, g, true);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) { return info.param.substr(5); }

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxNodeTest, ::testing::ValuesIn(GetCatalog().run), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNodeTest);

}  // namespace
}  // namespace dyad::convert
