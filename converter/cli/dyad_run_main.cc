// dyad-run: runs a .dyad (or, with --float, the .onnx through the float
// executor) on images or .npy files and writes DIR/output_<k>.npy in the ONNX
// model's output order and layout.
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "converter/cli/dyad_exec.h"
#include "converter/cli/npy.h"
#include "converter/cli/samples.h"
#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"
#include "converter/quantize/prepare.h"
#include "converter/reference_exec/executor.h"

namespace dc = dyad::convert;

namespace {

std::vector<float> ParseFloats(const std::string& text) {
  std::vector<float> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::stof(item));
  return v;
}

dc::Sample OneSample(const std::string& file, const dc::InputSpec& spec) {
  std::vector<dc::Sample> s = dc::LoadSamples(file, spec, 1);
  return s.front();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dyad-run: run a .dyad (or --float: the .onnx) on images or .npy files"};
  std::string model, out_dir, mean, stdv, layout, shape;
  std::vector<std::string> inputs;
  bool raw = false, use_float = false;
  app.add_option("model", model, ".dyad model (or .onnx with --float)")->required();
  app.add_option("--input", inputs, "image or .npy per model input, in the ONNX model's layout")->required();
  app.add_option("--output-dir", out_dir, "writes output_<k>.npy here")->required();
  app.add_flag("--raw", raw, "write the integer outputs instead of dequantized float32");
  app.add_flag("--float", use_float, "run the ONNX model through the float executor");
  app.add_option("--input-mean", mean, "--float with images: pixel mean (default: the .dyad's)");
  app.add_option("--input-std", stdv, "--float with images: pixel std");
  app.add_option("--input-layout", layout, "--float: nhwc|nchw");
  app.add_option("--input-shape", shape, "--float: name:1x3x224x224");
  CLI11_PARSE(app, argc, argv);
  try {
    std::filesystem::create_directories(out_dir);
    if (use_float) {
      dc::ImportOptions io;
      if (!shape.empty()) {
        dc::InputShapeSpec s = dc::ParseInputShape(shape);
        io.input_shapes[s.name] = s.shape;
      }
      dc::Graph g = dc::ImportOnnxFile(model, io);
      if (g.inputs.size() != inputs.size())
        throw dc::ConvertError("the model has " + std::to_string(g.inputs.size()) + " inputs, " +
                               std::to_string(inputs.size()) + " --input given");
      dc::TensorMap feed;
      for (size_t k = 0; k < inputs.size(); ++k) {
        dc::InputSpec spec;
        spec.name = g.inputs[k];
        auto vi = g.values.find(spec.name);
        if (vi == g.values.end() || !vi->second.shape_known)
          throw dc::ConvertError("input '" + spec.name + "' has no fixed shape; pass --input-shape");
        spec.shape = vi->second.shape;
        spec.nhwc = spec.shape.size() == 4 &&
                    (layout.empty() ? (spec.shape[3] <= 4 && spec.shape[1] > 4) : layout == "nhwc");
        if (!mean.empty()) spec.mean = ParseFloats(mean);
        if (!stdv.empty()) spec.std = ParseFloats(stdv);
        feed[spec.name] = OneSample(inputs[k], spec).value;
      }
      dc::TensorMap out = dc::RunGraph(g, feed);
      for (size_t k = 0; k < g.outputs.size(); ++k) {
        const dc::Tensor& t = out.at(g.outputs[k]);
        dc::WriteNpy(out_dir + "/output_" + std::to_string(k) + ".npy", dc::MakeNpyF32(t.shape, t.ToFloatVector()));
      }
      return 0;
    }
    dc::DyadExec exec = dc::DyadExec::FromFile(model);
    if (exec.num_inputs() != inputs.size())
      throw dc::ConvertError("the model has " + std::to_string(exec.num_inputs()) + " inputs, " +
                             std::to_string(inputs.size()) + " --input given");
    std::vector<dc::Sample> samples;
    for (size_t k = 0; k < inputs.size(); ++k) {
      dc::InputSpec spec;
      spec.name = exec.Metadata("input_" + std::to_string(k) + "_name");
      spec.shape = exec.InputShape(k);
      const std::string perm = exec.Metadata("input_" + std::to_string(k) + "_perm");
      spec.nhwc = spec.shape.size() == 4 && perm != "0,2,3,1";
      const std::string m = exec.Metadata("input_" + std::to_string(k) + "_mean");
      const std::string s = exec.Metadata("input_" + std::to_string(k) + "_std");
      if (!m.empty()) {
        spec.mean = {std::stof(m)};
        spec.std = {std::stof(s)};
      }
      samples.push_back(OneSample(inputs[k], spec));
    }
    std::vector<const dc::Sample*> ptrs;
    for (const auto& s : samples) ptrs.push_back(&s);
    std::vector<dc::DyadValue> out = exec.Run(ptrs);
    for (size_t k = 0; k < out.size(); ++k) {
      const std::string path = out_dir + "/output_" + std::to_string(k) + ".npy";
      if (raw) {
        dc::NpyArray a;
        a.dtype = out[k].dtype == DYAD_INT16 ? "i2" : out[k].dtype == DYAD_INT32 ? "i4" : out[k].dtype == DYAD_UINT8 ? "u1" : "i1";
        a.shape = out[k].shape;
        a.bytes = out[k].raw;
        dc::WriteNpy(path, a);
      } else {
        dc::WriteNpy(path, dc::MakeNpyF32(out[k].shape, out[k].value));
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "dyad-run: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
