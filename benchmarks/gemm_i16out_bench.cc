// The GEMM's int16-output epilogue (BlazeFace's detection heads) beside the
// same conv with int8 output and XNNPACK's per-channel int8 convolution
// (xnn_create_convolution2d_nhwc_qc8, int8 output: XNNPACK has no int16
// output), one thread, 1x1 convs. Rows:
//   <shape>/<isa>/i16out   dyad, int16 output (symmetric, Z_out 0)
//   <shape>/<isa>/i8out    dyad, int8 output, same weights and inner loop
//   <shape>/reference/i16out  the reference kernel (what ran before)
//   <shape>/xnnpack/i8out
// Counters: MACs = multiply-accumulates per second; x_i8out (i16out rows) =
// this row's speed / the same path's int8-output speed, and x_xnnpack (dyad
// rows) = this row's speed / XNNPACK's, both timed right after the row in the
// same process on the same data (the machine is shared: compare ratios).
// Run: dyad_gemm_i16out_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/quantize_multiplier.h"
#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"

#if defined(DYAD_HAVE_XNNPACK)
#include <xnnpack.h>
#endif

namespace dyad {
namespace {

struct HeadShape {
  const char* name;
  int32_t h, w, in_c, out_c;
};

// BlazeFace (128x128) head convs, and a MobileNet v2 1x1 for scale.
const HeadShape kShapes[] = {
    {"blazeface_head_8x8x96_96", 8, 8, 96, 96},
    {"blazeface_head_16x16x88_32", 16, 16, 88, 32},
    {"blazeface_head_8x8x96_6", 8, 8, 96, 6},
    {"blazeface_head_16x16x88_2", 16, 16, 88, 2},
    {"mobilenet_1x1_28x28x192_32", 28, 28, 192, 32},
};

// One 1x1 conv's data and quantization for both output types and XNNPACK.
struct Data {
  ConvParams p;  // int8 output; with_output() switches the type
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias, m0, m0_i16;
  std::vector<int8_t> shift, shift_i16;
  std::vector<int8_t> out8;
  std::vector<int16_t> out16;
  float input_scale = 0.02f, output_scale = 0;
  std::vector<float> kernel_scale;
  int64_t macs = 0;

  explicit Data(const HeadShape& s) {
    p.in_h = p.out_h = s.h;
    p.in_w = p.out_w = s.w;
    p.in_c = s.in_c;
    p.out_c = s.out_c;
    p.input_zero_point = -3;
    macs = int64_t{s.h} * s.w * s.out_c * s.in_c;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), b(-2000, 2000);
    input.resize(size_t(s.h) * s.w * s.in_c);
    for (auto& v : input) v = static_cast<int8_t>(i8(rng));
    weights.resize(size_t(s.out_c) * s.in_c);
    for (auto& v : weights) v = static_cast<int8_t>(w8(rng));
    bias.resize(s.out_c);
    for (auto& v : bias) v = b(rng);
    out8.resize(size_t(s.h) * s.w * s.out_c);
    out16.resize(out8.size());
    // int8: the accumulator (std ~ sqrt(K) * 74 * 73) spans int8; int16:
    // a 256 times finer output scale.
    output_scale = static_cast<float>(input_scale * 0.01 * std::sqrt(double(s.in_c)) * 5400 / 40);
    for (int32_t c = 0; c < s.out_c; ++c) {
      kernel_scale.push_back(0.01f * (1.0f + 0.1f * (c % 5)));
      const double real = double(input_scale) * kernel_scale[c] / output_scale;
      DyadicMultiplier d;
      quantize_multiplier(real, &d);
      m0.push_back(d.multiplier);
      shift.push_back(static_cast<int8_t>(d.shift));
      quantize_multiplier(real * 256, &d);
      m0_i16.push_back(d.multiplier);
      shift_i16.push_back(static_cast<int8_t>(d.shift));
    }
  }

  ConvParams params(DType out) const {
    ConvParams q = p;
    q.output_type = out;
    const bool wide = out == DType::kInt16;
    q.output_zero_point = wide ? 0 : 5;
    q.act_min = wide ? -32768 : -128;
    q.act_max = wide ? 32767 : 127;
    q.requant.multiplier = wide ? m0_i16.data() : m0.data();
    q.requant.shift = wide ? shift_i16.data() : shift.data();
    q.requant.count = p.out_c;
    return q;
  }
  void* output(DType out) {
    return out == DType::kInt16 ? static_cast<void*>(out16.data()) : out8.data();
  }
};

// One path (isa, output type) ready to run; reference when isa is kReference.
struct Path {
  Data* d;
  ConvParams p;
  Isa isa;
  PackedConv packed;
  std::vector<uint8_t> scratch;
  bool ok = false;
  Path(Data* data, Isa i, DType out) : d(data), p(data->params(out)), isa(i) {
    if (isa == Isa::kReference) {
      ok = true;
      return;
    }
    if (!isa_supported(isa) || !conv2d_can_use(isa, p)) return;
    packed = conv2d_pack(isa, p, d->weights.data(), d->bias.data());
    scratch.resize(conv2d_scratch_bytes(packed));
    ok = packed.valid();
  }
  void run() {
    if (isa == Isa::kReference) {
      ref::conv2d(p, d->input.data(), d->weights.data(), d->bias.data(), d->output(p.output_type));
    } else {
      conv2d_run(packed, p, d->input.data(), d->output(p.output_type), scratch.data(), 0,
                 conv2d_rows(p));
    }
  }
  double macs_per_second(int64_t iterations) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return double(d->macs) * iterations / took.count();
  }
};

#if defined(DYAD_HAVE_XNNPACK)
struct XnnConv {
  xnn_operator_t op = nullptr;
  Data* d;
  explicit XnnConv(Data* data) : d(data) {
    const ConvParams q = d->params(DType::kInt8);
    if (xnn_create_convolution2d_nhwc_qc8(
            0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, q.in_c, q.out_c, q.in_c, q.out_c,
            static_cast<int8_t>(q.input_zero_point), d->input_scale, d->kernel_scale.data(),
            d->weights.data(), d->bias.data(), static_cast<int8_t>(q.output_zero_point),
            d->output_scale, -128, 127, 0, &op) != xnn_status_success ||
        xnn_setup_convolution2d_nhwc_qc8(op, 1, q.in_h, q.in_w, d->input.data(), d->out8.data(),
                                         nullptr) != xnn_status_success) {
      op = nullptr;
    }
  }
  ~XnnConv() {
    if (op != nullptr) xnn_delete_operator(op);
  }
  bool run() { return op != nullptr && xnn_run_operator(op, nullptr) == xnn_status_success; }
  double macs_per_second(int64_t iterations) {
    if (!run()) return 0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return double(d->macs) * iterations / took.count();
  }
};

void bench_xnnpack(benchmark::State& state, const HeadShape* shape) {
  Data d(*shape);
  XnnConv conv(&d);
  if (!conv.run()) {
    state.SkipWithError("XNNPACK refused the operator");
    return;
  }
  for (auto _ : state) conv.run();
  state.counters["MACs"] =
      benchmark::Counter(double(d.macs) * state.iterations(), benchmark::Counter::kIsRate);
}
#endif

void bench_dyad(benchmark::State& state, const HeadShape* shape, Isa isa, DType out) {
  Data d(*shape);
  Path path(&d, isa, out);
  if (!path.ok) {
    state.SkipWithError("path not supported on this CPU / build");
    return;
  }
  for (auto _ : state) {
    path.run();
    benchmark::ClobberMemory();
  }
  state.counters["MACs"] =
      benchmark::Counter(double(d.macs) * state.iterations(), benchmark::Counter::kIsRate);
  // Ratios from back-to-back timings (same machine load).
  const int64_t n = state.iterations();
  if (out == DType::kInt16 && isa != Isa::kReference) {
    Path i8(&d, isa, DType::kInt8);
    const double ours = path.macs_per_second(n);
    state.counters["x_i8out"] = ours / i8.macs_per_second(n);
  }
#if defined(DYAD_HAVE_XNNPACK)
  XnnConv xnn(&d);
  const double ours = path.macs_per_second(n);
  const double theirs = xnn.macs_per_second(n);
  state.counters["x_xnnpack"] = theirs > 0 ? ours / theirs : 0;
#endif
}

}  // namespace
}  // namespace dyad

int main(int argc, char** argv) {
  using namespace dyad;
#if defined(DYAD_HAVE_XNNPACK)
  if (xnn_initialize(nullptr) != xnn_status_success) return 1;
#endif
  const Isa isas[] = {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni,
                      Isa::kNeon, Isa::kNeonDot, Isa::kI8mm};
  for (const HeadShape& shape : kShapes) {
    const std::string name = shape.name;
    for (Isa isa : isas) {
      if (!isa_built(isa)) continue;
      for (DType out : {DType::kInt16, DType::kInt8}) {
        const char* suffix = out == DType::kInt16 ? "/i16out" : "/i8out";
        benchmark::RegisterBenchmark((name + "/" + isa_name(isa) + suffix).c_str(), bench_dyad,
                                     &shape, isa, out)
            ->Unit(benchmark::kMicrosecond);
      }
    }
    benchmark::RegisterBenchmark((name + "/reference/i16out").c_str(), bench_dyad, &shape,
                                 Isa::kReference, DType::kInt16)
        ->Unit(benchmark::kMicrosecond);
#if defined(DYAD_HAVE_XNNPACK)
    benchmark::RegisterBenchmark((name + "/xnnpack/i8out").c_str(), bench_xnnpack, &shape)
        ->Unit(benchmark::kMicrosecond);
#endif
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
