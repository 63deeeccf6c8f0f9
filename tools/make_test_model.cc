// dyad-make-test-model: writes the synthetic test CNN of tools/test_model.h
// as a .dyad file (for tests, CI and the README until dyad-convert exists).
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "schema/model_writer.h"
#include "tools/test_model.h"

namespace {

// "HxW" -> height, width (each 1..4096).
bool parse_size(const std::string& text, int32_t* height, int32_t* width) {
  const size_t x = text.find('x');
  if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return false;
  try {
    size_t used_h = 0, used_w = 0;
    const long h = std::stol(text.substr(0, x), &used_h);
    const long w = std::stol(text.substr(x + 1), &used_w);
    if (used_h != x || used_w != text.size() - x - 1) return false;
    if (h < 1 || h > 4096 || w < 1 || w > 4096) return false;
    *height = static_cast<int32_t>(h);
    *width = static_cast<int32_t>(w);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Writes a small int8 test CNN (conv 3x3 s2, depthwise 3x3, conv 1x1, residual add,\n"
      "conv 1x1, global average pool, fully connected 10, softmax) with deterministic\n"
      "pseudo-random weights as a .dyad file.",
      "dyad-make-test-model"};
  std::string output = "test_model.dyad";
  std::string size = "64x64";
  uint64_t seed = 1;
  app.add_option("-o,--output", output, "Output .dyad file")->capture_default_str();
  app.add_option("--size", size, "Input height x width, e.g. 64x64 (each 1..4096)")
      ->capture_default_str()
      ->check([](const std::string& s) {
        int32_t h = 0, w = 0;
        return parse_size(s, &h, &w) ? std::string() : "expected HxW with 1 <= H, W <= 4096";
      });
  app.add_option("--seed", seed, "Seed of the pseudo-random weights")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dyad-make-test-model: %s\n%s", e.what(), app.help().c_str());
    return 2;
  }

  dyad::tools::TestModelOptions options;
  parse_size(size, &options.height, &options.width);
  options.seed = seed;
  try {
    const std::vector<uint8_t> bytes = dyad::tools::build_test_model(options);
    if (!dyad::write_file(output, bytes)) {
      std::fprintf(stderr, "dyad-make-test-model: %s: cannot write\n", output.c_str());
      return 1;
    }
    std::printf("wrote %s (%zu bytes, input 1x%dx%dx3 int8)\n", output.c_str(), bytes.size(),
                options.height, options.width);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dyad-make-test-model: %s\n", e.what());
    return 1;
  }
  return 0;
}
