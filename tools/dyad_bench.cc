// dyad-bench: loads a .dyad model, runs it on seeded random inputs and reports
// load time, first-run time, latency statistics, memory and a per-op profile.
// Exit: 0 ok, 1 the model cannot be loaded or run, 2 bad arguments.
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "dyad/dyad.h"
#include "tools/bench_report.h"
#include "tools/bench_stats.h"

namespace {

using Clock = std::chrono::steady_clock;
using dyad::tools::BenchResult;
using dyad::tools::OpResult;

struct ModelDeleter {
  void operator()(dyad_model* m) const { dyad_model_free(m); }
};
struct SessionDeleter {
  void operator()(dyad_session* s) const { dyad_session_free(s); }
};
using ModelPtr = std::unique_ptr<dyad_model, ModelDeleter>;
using SessionPtr = std::unique_ptr<dyad_session, SessionDeleter>;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Args {
  std::string model;
  int runs = 20;
  int warmup = 3;
  int threads = 1;
  std::string isa = "auto";
  uint64_t seed = 1;
  bool json = false;
};

// Reports a libdyad failure the way every caller expects: path, message, exit 1.
int fail(const std::string& path) {
  std::fprintf(stderr, "dyad-bench: %s: %s\n", path.c_str(), dyad_last_error());
  return 1;
}

bool fill_random_inputs(dyad_session* session, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < count; ++i) {
    dyad_tensor_view view;
    if (dyad_session_input(session, i, &view) != DYAD_OK) return false;
    auto* bytes = static_cast<uint8_t*>(view.data);
    for (size_t b = 0; b < view.size_bytes; ++b) bytes[b] = static_cast<uint8_t>(rng());
  }
  return true;
}

// FNV-1a of every output's bytes in output order (BenchResult::output_fnv1a64);
// false if an output cannot be read.
bool digest_outputs(dyad_session* session, size_t count, uint64_t* hash, uint64_t* bytes) {
  *hash = dyad::tools::kFnv1a64Offset;
  *bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    dyad_tensor_view view;
    if (dyad_session_output(session, i, &view) != DYAD_OK) return false;
    *hash = dyad::tools::fnv1a64(*hash, view.data, view.size_bytes);
    *bytes += view.size_bytes;
  }
  return true;
}

// Runs the session and, with profiling on, appends each op's time (ms).
bool timed_run(dyad_session* session, std::vector<std::vector<double>>* op_ms, double* ms) {
  const Clock::time_point start = Clock::now();
  if (dyad_session_run(session) != DYAD_OK) return false;
  *ms = ms_since(start);
  if (op_ms == nullptr) return true;
  for (size_t i = 0; i < op_ms->size(); ++i) {
    dyad_op_profile profile;
    if (dyad_session_op_profile(session, i, &profile) != DYAD_OK) return false;
    (*op_ms)[i].push_back(static_cast<double>(profile.last_run_ns) / 1e6);
  }
  return true;
}

int bench(const Args& args) {
  BenchResult r;
  r.model_path = args.model;
  r.runs = args.runs;
  r.warmup = args.warmup;
  r.threads = args.threads;
  r.seed = args.seed;

  Clock::time_point start = Clock::now();
  dyad_model* raw_model = nullptr;
  if (dyad_model_load_file(args.model.c_str(), &raw_model) != DYAD_OK) return fail(args.model);
  ModelPtr model(raw_model);
  r.load_ms = ms_since(start);
  r.weights_bytes = dyad_model_weights_bytes(model.get());

  dyad_session_options options;
  dyad_session_options_init(&options);
  options.num_threads = args.threads;
  options.isa = args.isa.c_str();
  // Profiling costs two clock reads per op, negligible next to the ops themselves.
  options.profile = 1;
  start = Clock::now();
  dyad_session* raw_session = nullptr;
  if (dyad_session_create(model.get(), &options, &raw_session) != DYAD_OK) return fail(args.model);
  SessionPtr session(raw_session);
  r.prepare_ms = ms_since(start);
  r.isa = dyad_session_isa(session.get());
  r.arena_bytes = dyad_session_arena_bytes(session.get());

  if (!fill_random_inputs(session.get(), dyad_model_num_inputs(model.get()), args.seed)) {
    return fail(args.model);
  }
  if (!timed_run(session.get(), nullptr, &r.first_run_ms)) return fail(args.model);
  const size_t num_outputs = dyad_model_num_outputs(model.get());
  if (!digest_outputs(session.get(), num_outputs, &r.output_fnv1a64, &r.output_bytes)) {
    return fail(args.model);
  }
  double ms = 0;
  for (int i = 0; i < args.warmup; ++i) {
    if (!timed_run(session.get(), nullptr, &ms)) return fail(args.model);
  }
  const size_t num_ops = dyad_session_num_ops(session.get());
  std::vector<std::vector<double>> op_ms(num_ops);
  std::vector<double> latencies, overheads;
  for (int i = 0; i < args.runs; ++i) {
    if (!timed_run(session.get(), &op_ms, &ms)) return fail(args.model);
    latencies.push_back(ms);
    double ops_ms = 0;
    for (const std::vector<double>& times : op_ms) ops_ms += times.back();
    overheads.push_back(ms - ops_ms);  // run time outside the ops (scheduling, preemption)
  }
  // The inputs never change, so neither may the outputs: a difference means
  // a kernel read uninitialised memory or depended on timing.
  uint64_t last_hash = 0, last_bytes = 0;
  if (!digest_outputs(session.get(), num_outputs, &last_hash, &last_bytes)) return fail(args.model);
  if (last_hash != r.output_fnv1a64) {
    std::fprintf(stderr,
                 "dyad-bench: %s: the outputs of the last run differ from the first run's on the "
                 "same inputs (isa %s, %d threads)\n",
                 args.model.c_str(), r.isa.c_str(), args.threads);
    return 1;
  }
  r.latency_ms = dyad::tools::summarize(latencies);
  r.overhead_ms = dyad::tools::median(overheads);

  double total_op_ms = 0;
  for (size_t i = 0; i < num_ops; ++i) {
    dyad_op_profile profile;
    if (dyad_session_op_profile(session.get(), i, &profile) != DYAD_OK) return fail(args.model);
    OpResult op;
    op.name = profile.name != nullptr ? profile.name : "";
    op.type = profile.type != nullptr ? profile.type : "";
    op.kernel = profile.kernel != nullptr ? profile.kernel : "";
    op.shape = dyad::tools::format_shape(profile.output_shape, profile.output_rank);
    op.macs = profile.macs;
    op.ms = dyad::tools::median(op_ms[i]);
    total_op_ms += op.ms;
    r.total_macs += op.macs;
    r.ops.push_back(op);
  }
  for (OpResult& op : r.ops) op.share = total_op_ms > 0 ? op.ms / total_op_ms : 0;

  if (args.json) {
    std::printf("%s\n", dyad::tools::to_json(r).dump(2).c_str());
  } else {
    dyad::tools::print_text(r, stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Benchmarks a .dyad model with libdyad on seeded random inputs: load time, first-run\n"
      "time, min/median/p90 latency, arena and weight bytes, the ISA path, and a per-op\n"
      "profile (median per op over the timed runs).\n"
      "Exit status: 0 ok, 1 the model cannot be loaded or run, 2 bad arguments.",
      "dyad-bench"};
  Args args;
  app.add_option("model", args.model, "The .dyad model file")->required();
  app.add_option("--runs", args.runs, "Timed runs")->capture_default_str()->check(
      CLI::Range(1, 1000000));
  app.add_option("--warmup", args.warmup, "Untimed runs after the first run")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option("--threads", args.threads, "Threads of the session")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--isa", args.isa,
                 "Kernel path: auto (best this CPU supports; the DYAD_ISA variable overrides "
                 "it) or a path this build and CPU support")
      ->capture_default_str()
      ->check(CLI::IsMember(
          {"auto", "reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot", "i8mm"}));
  app.add_option("--seed", args.seed, "Seed of the random inputs")->capture_default_str();
  app.add_flag("--json", args.json, "Print one JSON object instead of the table");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dyad-bench: %s\n%s", e.what(), app.help().c_str());
    return 2;
  }
  return bench(args);
}
