// What dyad-bench measured, and its two renderings (table and JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/bench_stats.h"

namespace dyad {
namespace tools {

struct OpResult {
  std::string name, type, kernel, shape;
  int64_t macs = 0;
  double ms = 0;     // median over the timed runs
  double share = 0;  // ms / sum of every op's ms
};

struct BenchResult {
  std::string model_path;
  std::string isa;
  int threads = 1;
  int runs = 0, warmup = 0;
  uint64_t seed = 0;
  double load_ms = 0, prepare_ms = 0, first_run_ms = 0;
  LatencySummary latency_ms;
  double overhead_ms = 0;  // median over runs of (run time - sum of its op times)
  uint64_t arena_bytes = 0, weights_bytes = 0;
  int64_t total_macs = 0;
  // FNV-1a (64-bit) of every graph output's bytes, in output order, after the
  // first run: equal on every path, thread count and CPU for the same model
  // and seed (scripts/model_digests.sh compares them across builds).
  uint64_t output_fnv1a64 = 0;
  uint64_t output_bytes = 0;
  std::vector<OpResult> ops;
};

// FNV-1a, 64-bit: folds `size` bytes into `hash` (start from kFnv1a64Offset).
constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;
uint64_t fnv1a64(uint64_t hash, const void* data, size_t size);

void print_text(const BenchResult& r, std::FILE* out);
nlohmann::ordered_json to_json(const BenchResult& r);

}  // namespace tools
}  // namespace dyad
