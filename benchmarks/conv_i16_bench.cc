// int16-input (W8A16) convolutions beside the int8 kernel on the same shape,
// one thread. XNNPACK has no int16-activation convolution, so there is no
// XNNPACK row here; compare with the int8 rows (dyad_kernel_bench has those
// beside XNNPACK). Rows:
//   <shape>/<isa>/i16in_i16out  int16 input and output (the W8A16 case)
//   <shape>/<isa>/i16in_i8out   int16 input, int8 output
//   <shape>/<isa>/i8in_i8out    the int8 kernel, same shape and weights
// An int16 input runs the AVX2 kernels on every x86 path (docs/kernels.md).
// Counters: MACs = multiply-accumulates per CPU second (G/s = GMAC/s);
// x_i8 (int16-input rows) = this row's speed / the int8 row's speed, both
// timed by wall clock one right after the other inside this benchmark (the
// machine is shared: use the ratio, not two MACs rows taken apart).
// Run: dyad_conv_i16_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/quantize_multiplier.h"
#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"

namespace dyad {
namespace {

struct Layer {
  const char* name;
  int32_t h, w, in_c, out_c, kernel, stride, groups;
};

// MobileNet v2 / M-LSD-like layers (TF SAME padding).
const Layer kShapes[] = {
    {"pw_1x1_56x56x64_64", 56, 56, 64, 64, 1, 1, 1},
    {"expand_1x1_56x56x24_144", 56, 56, 24, 144, 1, 1, 1},
    {"stem_3x3s2_224x224x3_32", 224, 224, 3, 32, 3, 2, 1},
    {"conv_3x3_56x56x64_64", 56, 56, 64, 64, 3, 1, 1},
    {"dw_3x3s1_56x56x144", 56, 56, 144, 144, 3, 1, 144},
    {"dw_3x3s2_56x56x144", 56, 56, 144, 144, 3, 2, 144},
};

struct Types {
  const char* name;
  DType in, out;
};
const Types kTypes[] = {{"i16in_i16out", DType::kInt16, DType::kInt16},
                        {"i16in_i8out", DType::kInt16, DType::kInt8},
                        {"i8in_i8out", DType::kInt8, DType::kInt8}};

// One layer's data for one (input, output) type pair. The int16 inputs stay
// inside the converter's accumulator bound (|bias| + max|q| * sum|w| < 2^31).
struct Data {
  ConvParams p;
  std::vector<uint8_t> input, output;
  std::vector<int8_t> weights, shift;
  std::vector<int32_t> bias, m0;
  int64_t macs = 0;

  Data(const Layer& s, DType in, DType out) {
    p.in_h = s.h;
    p.in_w = s.w;
    p.in_c = s.in_c;
    p.out_c = s.out_c;
    p.kernel_h = p.kernel_w = s.kernel;
    p.stride_h = p.stride_w = s.stride;
    p.groups = s.groups;
    p.out_h = (s.h + s.stride - 1) / s.stride;
    p.out_w = (s.w + s.stride - 1) / s.stride;
    p.pad_top = std::max(0, (p.out_h - 1) * s.stride + s.kernel - s.h) / 2;
    p.pad_left = std::max(0, (p.out_w - 1) * s.stride + s.kernel - s.w) / 2;
    p.input_type = in;
    p.output_type = out;
    p.input_zero_point = in == DType::kInt16 ? 0 : -3;
    p.output_zero_point = out == DType::kInt16 ? 0 : 5;
    p.act_min = out == DType::kInt16 ? -32768 : -128;
    p.act_max = out == DType::kInt16 ? 32767 : 127;
    const int64_t k = int64_t{s.kernel} * s.kernel * (s.in_c / s.groups);
    macs = int64_t{p.out_h} * p.out_w * p.out_c * k;
    const int32_t in_abs = in == DType::kInt16
                               ? static_cast<int32_t>(std::min<int64_t>(
                                     32767, ((int64_t{1} << 31) - 4096) / (k * 127)))
                               : 128;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> q(-in_abs, in_abs - 1), w8(-127, 127), b(-2000, 2000);
    const size_t in_count = size_t(p.in_h) * p.in_w * p.in_c;
    input.resize(in_count * dtype_size(in));
    for (size_t i = 0; i < in_count; ++i) {
      if (in == DType::kInt16) {
        const int16_t v = static_cast<int16_t>(q(rng));
        std::memcpy(input.data() + 2 * i, &v, sizeof(v));
      } else {
        input[i] = static_cast<uint8_t>(q(rng));
      }
    }
    weights.resize(size_t(p.out_c) * k);
    for (auto& v : weights) v = static_cast<int8_t>(w8(rng));
    bias.resize(p.out_c);
    for (auto& v : bias) v = b(rng);
    output.resize(size_t(p.out_h) * p.out_w * p.out_c * dtype_size(out));
    // Multipliers that spread the accumulator (std ~ sqrt(K) * in_std * 73)
    // over the output type's range.
    const double acc_std = std::sqrt(double(k)) * (in_abs / 1.7) * 73;
    const double range = out == DType::kInt16 ? 10000 : 40;
    for (int32_t c = 0; c < p.out_c; ++c) {
      DyadicMultiplier d;
      quantize_multiplier(range / acc_std * (1.0 + 0.1 * (c % 5)), &d);
      m0.push_back(d.multiplier);
      shift.push_back(static_cast<int8_t>(d.shift));
    }
    p.requant.multiplier = m0.data();
    p.requant.shift = shift.data();
    p.requant.count = p.out_c;
  }
};

// A packed layer ready to run.
struct Runner {
  Data d;
  PackedConv packed;
  std::vector<uint8_t> scratch;
  int64_t rows = 0;
  bool ok = false;
  Runner(const Layer& s, DType in, DType out, Isa isa) : d(s, in, out) {
    if (!isa_supported(isa) || !conv2d_can_use(isa, d.p)) return;
    packed = conv2d_pack(isa, d.p, d.weights.data(), d.bias.data());
    scratch.resize(conv2d_scratch_bytes(packed));
    rows = conv2d_rows(d.p);
    ok = packed.valid();
  }
  void run() {
    conv2d_run(packed, d.p, d.input.data(), d.output.data(), scratch.data(), 0, rows);
  }
  double macs_per_second(int64_t iterations) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return double(d.macs) * iterations / took.count();
  }
};

void bench(benchmark::State& state, const Layer* shape, const Types* types, Isa isa) {
  Runner r(*shape, types->in, types->out, isa);
  if (!r.ok) {
    state.SkipWithError("path not supported on this CPU / build");
    return;
  }
  for (auto _ : state) {
    r.run();
    benchmark::ClobberMemory();
  }
  state.counters["MACs"] =
      benchmark::Counter(double(r.d.macs) * state.iterations(), benchmark::Counter::kIsRate);
  if (types->in == DType::kInt16) {
    // This row again, then the int8 kernel on the same shape, same count.
    Runner int8(*shape, DType::kInt8, DType::kInt8, isa);
    if (!int8.ok) return;
    int8.run();
    const int64_t n = state.iterations();
    const double ours = r.macs_per_second(n);
    const double theirs = int8.macs_per_second(n);
    state.counters["x_i8"] = theirs > 0 ? ours / theirs : 0;
  }
}

}  // namespace
}  // namespace dyad

int main(int argc, char** argv) {
  using namespace dyad;
  for (const Layer& s : kShapes) {
    for (Isa isa : {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
      if (!isa_built(isa)) continue;
      for (const Types& t : kTypes) {
        benchmark::RegisterBenchmark(
            (std::string(s.name) + "/" + isa_name(isa) + "/" + t.name).c_str(), bench, &s, &t, isa)
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
