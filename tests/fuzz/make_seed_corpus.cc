// Writes a few valid models into a directory: the fuzzer's seed corpus.
//   make_seed_corpus DIR
#include <cstdio>
#include <string>

#include "tests/runtime/test_models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  using dyad::test::chain_model;
  using dyad::test::small_cnn_model;
  const struct {
    const char* name;
    std::vector<uint8_t> bytes;
  } seeds[] = {
      {"small_cnn.dyad", small_cnn_model()},
      {"chain1.dyad", chain_model(1)},
      {"chain3.dyad", chain_model(3)},
      {"all_ops.dyad", dyad::test::all_ops_model()},
  };
  for (const auto& s : seeds) {
    if (!dyad::write_file(dir + "/" + s.name, s.bytes)) {
      std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), s.name);
      return 1;
    }
  }
  return 0;
}
