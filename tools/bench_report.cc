#include "tools/bench_report.h"

#include <algorithm>

namespace dyad {
namespace tools {

uint64_t fnv1a64(uint64_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void print_text(const BenchResult& r, std::FILE* out) {
  std::fprintf(out, "model        %s\n", r.model_path.c_str());
  std::fprintf(out, "isa          %s, %d thread%s\n", r.isa.c_str(), r.threads,
               r.threads == 1 ? "" : "s");
  std::fprintf(out, "load         %.3f ms\n", r.load_ms);
  std::fprintf(out, "prepare      %.3f ms (session create)\n", r.prepare_ms);
  std::fprintf(out, "first run    %.3f ms\n", r.first_run_ms);
  std::fprintf(out, "latency      min %.3f  median %.3f  p90 %.3f ms  (%d runs after %d warmup)\n",
               r.latency_ms.min, r.latency_ms.median, r.latency_ms.p90, r.runs, r.warmup);
  std::fprintf(out, "outside ops  %.3f ms median per run (run time minus the sum of its op times)\n",
               r.overhead_ms);
  const double gmacs = r.latency_ms.median > 0
                           ? static_cast<double>(r.total_macs) / (r.latency_ms.median * 1e6)
                           : 0;
  std::fprintf(out, "compute      %s MACs, %.2f GMAC/s at the median\n",
               format_count(r.total_macs).c_str(), gmacs);
  std::fprintf(out, "arena        %llu bytes\n", static_cast<unsigned long long>(r.arena_bytes));
  std::fprintf(out, "weights      %llu bytes\n", static_cast<unsigned long long>(r.weights_bytes));
  std::fprintf(out, "outputs      fnv1a64 %016llx over %llu bytes (first run; the last run's are equal)\n",
               static_cast<unsigned long long>(r.output_fnv1a64),
               static_cast<unsigned long long>(r.output_bytes));

  size_t name_w = 4, type_w = 4, shape_w = 6;
  for (const OpResult& op : r.ops) {
    name_w = std::max(name_w, op.name.size());
    type_w = std::max(type_w, op.type.size());
    shape_w = std::max(shape_w, op.shape.size());
  }
  const int nw = static_cast<int>(name_w), tw = static_cast<int>(type_w),
            sw = static_cast<int>(shape_w);
  std::fprintf(out, "\nper-op profile (median of %d runs)\n", r.runs);
  std::fprintf(out, "%3s  %-*s  %-*s  %-*s  %9s  %9s  %6s  %s\n", "#", nw, "name", tw, "type", sw,
               "output", "MACs", "ms", "share", "kernel");
  double total_ms = 0;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const OpResult& op = r.ops[i];
    total_ms += op.ms;
    std::fprintf(out, "%3zu  %-*s  %-*s  %-*s  %9s  %9.3f  %5.1f%%  %s\n", i, nw, op.name.c_str(),
                 tw, op.type.c_str(), sw, op.shape.c_str(), format_count(op.macs).c_str(), op.ms,
                 100.0 * op.share, op.kernel.c_str());
  }
  std::fprintf(out, "%3s  %-*s  %-*s  %-*s  %9s  %9.3f  %5.1f%%\n", "", nw, "total", tw, "", sw, "",
               format_count(r.total_macs).c_str(), total_ms, r.ops.empty() ? 0.0 : 100.0);
}

nlohmann::ordered_json to_json(const BenchResult& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model_path;
  j["isa"] = r.isa;
  j["threads"] = r.threads;
  j["runs"] = r.runs;
  j["warmup"] = r.warmup;
  j["seed"] = r.seed;
  j["load_ms"] = r.load_ms;
  j["prepare_ms"] = r.prepare_ms;
  j["first_run_ms"] = r.first_run_ms;
  j["latency_ms"] = {{"min", r.latency_ms.min},
                     {"median", r.latency_ms.median},
                     {"p90", r.latency_ms.p90}};
  j["overhead_ms"] = r.overhead_ms;
  j["arena_bytes"] = r.arena_bytes;
  j["weights_bytes"] = r.weights_bytes;
  j["total_macs"] = r.total_macs;
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(r.output_fnv1a64));
  j["output_fnv1a64"] = digest;
  j["output_bytes"] = r.output_bytes;
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (const OpResult& op : r.ops) {
    ops.push_back({{"name", op.name},
                   {"type", op.type},
                   {"kernel", op.kernel},
                   {"shape", op.shape},
                   {"macs", op.macs},
                   {"ms", op.ms},
                   {"share", op.share}});
  }
  j["ops"] = std::move(ops);
  return j;
}

}  // namespace tools
}  // namespace dyad
