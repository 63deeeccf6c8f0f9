// dyad's optimized conv paths beside XNNPACK's per-channel int8 convolution
// (xnn_create_convolution2d_nhwc_qc8) on MobileNet v2 layer shapes, one
// thread. Counters: MACs = multiply-accumulates per second of this benchmark;
// x_xnnpack (dyad rows only) = this path's speed / XNNPACK's speed, XNNPACK
// timed right after in the same process on the same shape and data.
// Run: dyad_kernel_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/quantize_multiplier.h"
#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"

#if defined(DYAD_HAVE_XNNPACK)
#include <xnnpack.h>
#endif

namespace dyad {
namespace {

struct Layer {
  const char* name;
  int32_t h, w, in_c, out_c, kernel, stride, groups;
};

// MobileNet v2 (224x224) layers; TF "SAME" padding (extra pixel at the
// bottom/right for stride 2).
const Layer kLayers[] = {
    {"stem_3x3s2_224x224x3_32", 224, 224, 3, 32, 3, 2, 1},
    {"expand_1x1_56x56x24_144", 56, 56, 24, 144, 1, 1, 1},
    {"project_1x1_56x56x144_24", 56, 56, 144, 24, 1, 1, 1},
    {"expand_1x1_28x28x32_192", 28, 28, 32, 192, 1, 1, 1},
    {"project_1x1_28x28x192_32", 28, 28, 192, 32, 1, 1, 1},
    {"expand_1x1_14x14x64_384", 14, 14, 64, 384, 1, 1, 1},
    {"project_1x1_14x14x384_64", 14, 14, 384, 64, 1, 1, 1},
    {"project_1x1_14x14x576_96", 14, 14, 576, 96, 1, 1, 1},
    {"expand_1x1_7x7x160_960", 7, 7, 160, 960, 1, 1, 1},
    {"project_1x1_7x7x960_160", 7, 7, 960, 160, 1, 1, 1},
    {"last_1x1_7x7x320_1280", 7, 7, 320, 1280, 1, 1, 1},
    {"conv_3x3_56x56x64_64", 56, 56, 64, 64, 3, 1, 1},
    {"dw_3x3s1_56x56x144", 56, 56, 144, 144, 3, 1, 144},
    {"dw_3x3s2_56x56x144", 56, 56, 144, 144, 3, 2, 144},
    // MobileNet v1 (224x224, width 1.0): every distinct depthwise / pointwise
    // pair after its stem (the stem is v2's above); the 14x14x512 pair
    // repeats five times in the model.
    {"v1_dw_3x3s1_112x112x32", 112, 112, 32, 32, 3, 1, 32},
    {"v1_1x1_112x112x32_64", 112, 112, 32, 64, 1, 1, 1},
    {"v1_dw_3x3s2_112x112x64", 112, 112, 64, 64, 3, 2, 64},
    {"v1_1x1_56x56x64_128", 56, 56, 64, 128, 1, 1, 1},
    {"v1_dw_3x3s1_56x56x128", 56, 56, 128, 128, 3, 1, 128},
    {"v1_1x1_56x56x128_128", 56, 56, 128, 128, 1, 1, 1},
    {"v1_dw_3x3s2_56x56x128", 56, 56, 128, 128, 3, 2, 128},
    {"v1_1x1_28x28x128_256", 28, 28, 128, 256, 1, 1, 1},
    {"v1_dw_3x3s1_28x28x256", 28, 28, 256, 256, 3, 1, 256},
    {"v1_1x1_28x28x256_256", 28, 28, 256, 256, 1, 1, 1},
    {"v1_dw_3x3s2_28x28x256", 28, 28, 256, 256, 3, 2, 256},
    {"v1_1x1_14x14x256_512", 14, 14, 256, 512, 1, 1, 1},
    {"v1_dw_3x3s1_14x14x512", 14, 14, 512, 512, 3, 1, 512},
    {"v1_1x1_14x14x512_512", 14, 14, 512, 512, 1, 1, 1},
    {"v1_dw_3x3s2_14x14x512", 14, 14, 512, 512, 3, 2, 512},
    {"v1_1x1_7x7x512_1024", 7, 7, 512, 1024, 1, 1, 1},
    {"v1_dw_3x3s1_7x7x1024", 7, 7, 1024, 1024, 3, 1, 1024},
    {"v1_1x1_7x7x1024_1024", 7, 7, 1024, 1024, 1, 1, 1},
    // BlazeFace (front 128) layers: the stem, and the first block's
    // depthwise and 1x1 on 24 channels (not a multiple of the vector width).
    {"bf_stem_5x5s2_128x128x3_24", 128, 128, 3, 24, 5, 2, 1},
    {"bf_dw_3x3s1_64x64x24", 64, 64, 24, 24, 3, 1, 24},
    {"bf_1x1_64x64x24_24", 64, 64, 24, 24, 1, 1, 1},
    {"bf_dw_3x3s1_32x32x36", 32, 32, 36, 36, 3, 1, 36},
    // PPOCR cls: its first depthwise's channels and output size (the model's
    // stride is 2x1; this table has square strides).
    {"pp_dw_3x3s1_12x96x8", 12, 96, 8, 8, 3, 1, 8},
    // More PPOCR cls depthwise shapes (channels and output maps of its later
    // blocks, stride 1 in this table): the AVX2 row kernel's targets.
    {"pp_dw_3x3s1_6x96x24", 6, 96, 24, 24, 3, 1, 24},
    {"pp_dw_3x3s1_6x96x32", 6, 96, 32, 32, 3, 1, 32},
    {"pp_dw_5x5s1_3x96x40", 3, 96, 40, 40, 5, 1, 40},
    {"pp_dw_5x5s1_3x96x88", 3, 96, 88, 88, 5, 1, 88},
    {"pp_dw_5x5s1_2x96x200", 2, 96, 200, 200, 5, 1, 200},
};

// Shared random data and quantization of one layer, in both libraries' terms.
struct LayerData {
  ConvParams p;
  int32_t pad_bottom = 0, pad_right = 0;
  std::vector<int8_t> input, weights, output;
  std::vector<int32_t> bias, m0;
  std::vector<int8_t> shift;
  float input_scale = 0.02f, output_scale = 0;
  std::vector<float> kernel_scale;
  int64_t macs = 0;

  explicit LayerData(const Layer& l) {
    p.in_h = l.h;
    p.in_w = l.w;
    p.in_c = l.in_c;
    p.out_c = l.out_c;
    p.kernel_h = p.kernel_w = l.kernel;
    p.stride_h = p.stride_w = l.stride;
    p.groups = l.groups;
    p.out_h = (l.h + l.stride - 1) / l.stride;
    p.out_w = (l.w + l.stride - 1) / l.stride;
    const int32_t pad_total_h = std::max(0, (p.out_h - 1) * l.stride + l.kernel - l.h);
    const int32_t pad_total_w = std::max(0, (p.out_w - 1) * l.stride + l.kernel - l.w);
    p.pad_top = pad_total_h / 2;
    p.pad_left = pad_total_w / 2;
    pad_bottom = pad_total_h - p.pad_top;
    pad_right = pad_total_w - p.pad_left;
    p.input_zero_point = -3;
    p.output_zero_point = 5;
    const int64_t k = int64_t{l.kernel} * l.kernel * (l.in_c / l.groups);
    macs = int64_t{p.out_h} * p.out_w * p.out_c * k;

    std::mt19937 rng(42);
    std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), b(-2000, 2000);
    input.resize(size_t(p.in_h) * p.in_w * p.in_c);
    for (auto& v : input) v = static_cast<int8_t>(i8(rng));
    weights.resize(size_t(p.out_c) * k);
    for (auto& v : weights) v = static_cast<int8_t>(w8(rng));
    bias.resize(p.out_c);
    for (auto& v : bias) v = b(rng);
    output.resize(size_t(p.out_h) * p.out_w * p.out_c);
    // Output scale so the accumulator (std ~ sqrt(K) * 74 * 73) spans int8.
    output_scale = static_cast<float>(input_scale * 0.01 * std::sqrt(double(k)) * 5400 / 40);
    for (int32_t c = 0; c < p.out_c; ++c) {
      kernel_scale.push_back(0.01f * (1.0f + 0.1f * (c % 5)));
      DyadicMultiplier d;
      quantize_multiplier(double(input_scale) * kernel_scale[c] / output_scale, &d);
      m0.push_back(d.multiplier);
      shift.push_back(static_cast<int8_t>(d.shift));
    }
    p.requant.multiplier = m0.data();
    p.requant.shift = shift.data();
    p.requant.count = p.out_c;
  }
};

#if defined(DYAD_HAVE_XNNPACK)
// One XNNPACK qc8 convolution operator set up on `d`'s buffers.
struct XnnConv {
  xnn_operator_t op = nullptr;
  explicit XnnConv(LayerData& d) {
    const ConvParams& p = d.p;
    if (xnn_create_convolution2d_nhwc_qc8(
            p.pad_top, d.pad_right, d.pad_bottom, p.pad_left, p.kernel_h, p.kernel_w, p.stride_h,
            p.stride_w, 1, 1, p.groups, p.in_c / p.groups, p.out_c / p.groups, p.in_c, p.out_c,
            static_cast<int8_t>(p.input_zero_point), d.input_scale, d.kernel_scale.data(),
            d.weights.data(), d.bias.data(), static_cast<int8_t>(p.output_zero_point),
            d.output_scale, -128, 127, 0, &op) != xnn_status_success ||
        xnn_setup_convolution2d_nhwc_qc8(op, 1, p.in_h, p.in_w, d.input.data(), d.output.data(),
                                         nullptr) != xnn_status_success) {
      op = nullptr;
    }
  }
  ~XnnConv() {
    if (op != nullptr) xnn_delete_operator(op);
  }
  bool run() { return op != nullptr && xnn_run_operator(op, nullptr) == xnn_status_success; }
};

// XNNPACK's MAC/s on `d`, timed over `iterations` runs.
double xnnpack_macs_per_second(LayerData& d, int64_t iterations) {
  XnnConv conv(d);
  if (!conv.run()) return 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) conv.run();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return double(d.macs) * iterations / took.count();
}

void bench_xnnpack(benchmark::State& state, const Layer* layer) {
  LayerData d(*layer);
  XnnConv conv(d);
  if (!conv.run()) {
    state.SkipWithError("XNNPACK refused the operator");
    return;
  }
  for (auto _ : state) conv.run();
  state.counters["MACs"] =
      benchmark::Counter(double(d.macs) * state.iterations(), benchmark::Counter::kIsRate);
}
#endif

void bench_dyad(benchmark::State& state, const Layer* layer, Isa isa) {
  LayerData d(*layer);
  if (!isa_supported(isa) || !conv2d_can_use(isa, d.p)) {
    state.SkipWithError("path not supported on this CPU / build");
    return;
  }
  const PackedConv packed = conv2d_pack(isa, d.p, d.weights.data(), d.bias.data());
  std::vector<uint8_t> scratch(conv2d_scratch_bytes(packed));
  const int64_t rows = conv2d_rows(d.p);
  for (auto _ : state) {
    conv2d_run(packed, d.p, d.input.data(), d.output.data(), scratch.data(), 0, rows);
    benchmark::ClobberMemory();
  }
  const double elapsed_iterations = double(state.iterations());
  state.counters["MACs"] =
      benchmark::Counter(double(d.macs) * elapsed_iterations, benchmark::Counter::kIsRate);
#if defined(DYAD_HAVE_XNNPACK)
  // Time this path again and XNNPACK right after it, outside the state loop,
  // so the ratio compares runs made under the same machine load.
  const int64_t n = state.iterations();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    conv2d_run(packed, d.p, d.input.data(), d.output.data(), scratch.data(), 0, rows);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const double ours = double(d.macs) * n / took.count();
  const double theirs = xnnpack_macs_per_second(d, n);
  state.counters["x_xnnpack"] = theirs > 0 ? ours / theirs : 0;
#endif
}

// Peak of the path's MAC instruction on this machine, in the same units as
// the layer benchmarks (MACs per CPU second): 12 independent accumulator
// chains of vpdpbusd, no memory traffic. "% of peak" = layer MACs / this.
#define DYAD_PEAK_LOOP(DP)                                                      \
  for (int64_t i = 0; i < iterations; ++i) {                                   \
    DP(c0) DP(c1) DP(c2) DP(c3) DP(c4) DP(c5) DP(c6) DP(c7) DP(c8) DP(c9) DP(c10) DP(c11) \
  }

__attribute__((target("avx512f,avx512vnni"))) int32_t peak_zmm(int64_t iterations) {
  __m512i c0 = _mm512_set1_epi32(1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0,
          c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const __m512i a = _mm512_set1_epi32(0x01010101), b = _mm512_set1_epi32(0x02020202);
#define DYAD_DP(c) asm volatile("vpdpbusd %[b], %[a], %[acc]" : [acc] "+v"(c) : [a] "v"(a), [b] "v"(b));
  DYAD_PEAK_LOOP(DYAD_DP)
#undef DYAD_DP
  const __m512i s = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                                     _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7)));
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(c8, c9),
                                                                 _mm512_add_epi32(c10, c11))));
  return lanes[0];
}

// Lane 0 of the sum of the 12 accumulators (keeps the loops from being
// optimized away).
__attribute__((target("avx2"))) inline int32_t lane0_of_sum(__m256i c0, __m256i c1, __m256i c2,
                                                           __m256i c3, __m256i c4, __m256i c5,
                                                           __m256i c6, __m256i c7, __m256i c8,
                                                           __m256i c9, __m256i c10, __m256i c11) {
  __m256i s = _mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3));
  s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(c4, c5), _mm256_add_epi32(c6, c7)));
  s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(c8, c9), _mm256_add_epi32(c10, c11)));
  return _mm256_extract_epi32(s, 0);
}

__attribute__((target("avx2,avxvnni"))) int32_t peak_ymm(int64_t iterations) {
  __m256i c0 = _mm256_set1_epi32(1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0,
          c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const __m256i a = _mm256_set1_epi32(0x01010101), b = _mm256_set1_epi32(0x02020202);
#define DYAD_DP(c) asm volatile("%{vex%} vpdpbusd %[b], %[a], %[acc]" : [acc] "+x"(c) : [a] "x"(a), [b] "x"(b));
  DYAD_PEAK_LOOP(DYAD_DP)
#undef DYAD_DP
  return lane0_of_sum(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
}

// The AVX2 path's pair (docs/kernels.md): vpmaddwd of int16 pairs (16 MACs
// per ymm) then vpaddd into the accumulator, 12 independent chains.
__attribute__((target("avx2"))) int32_t peak_madd_ymm(int64_t iterations) {
  __m256i c0 = _mm256_set1_epi32(1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0,
          c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const __m256i a = _mm256_set1_epi32(0x00010001), b = _mm256_set1_epi32(0x00020002);
#define DYAD_DP(c)                                                      \
  {                                                                     \
    __m256i p;                                                          \
    asm volatile("vpmaddwd %[b], %[a], %[p]\n\tvpaddd %[p], %[acc], %[acc]" \
                 : [acc] "+x"(c), [p] "=&x"(p)                          \
                 : [a] "x"(a), [b] "x"(b));                             \
  }
  DYAD_PEAK_LOOP(DYAD_DP)
#undef DYAD_DP
  return lane0_of_sum(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
}

void bench_peak(benchmark::State& state, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("not supported on this CPU");
    return;
  }
  constexpr int64_t kIterations = 100000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(isa == Isa::kAvx512Vnni ? peak_zmm(kIterations)
                             : isa == Isa::kAvxVnni  ? peak_ymm(kIterations)
                                                     : peak_madd_ymm(kIterations));
  }
  const double macs_per_call =
      double(kIterations) * 12 * (isa == Isa::kAvx512Vnni ? 64 : isa == Isa::kAvxVnni ? 32 : 16);
  state.counters["MACs"] =
      benchmark::Counter(macs_per_call * state.iterations(), benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace dyad

int main(int argc, char** argv) {
  using namespace dyad;
#if defined(DYAD_HAVE_XNNPACK)
  if (xnn_initialize(nullptr) != xnn_status_success) return 1;
#endif
  benchmark::RegisterBenchmark("peak_vpmaddwd/avx2_ymm", bench_peak, Isa::kAvx2);
  benchmark::RegisterBenchmark("peak_vpdpbusd/avxvnni_ymm", bench_peak, Isa::kAvxVnni);
  benchmark::RegisterBenchmark("peak_vpdpbusd/avx512vnni_zmm", bench_peak, Isa::kAvx512Vnni);
  const Isa isas[] = {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni};
  for (const Layer& layer : kLayers) {
    for (Isa isa : isas) {
      if (!isa_built(isa)) continue;
      benchmark::RegisterBenchmark((std::string(layer.name) + "/" + isa_name(isa)).c_str(),
                                   bench_dyad, &layer, isa)
          ->Unit(benchmark::kMicrosecond);
    }
#if defined(DYAD_HAVE_XNNPACK)
    benchmark::RegisterBenchmark((std::string(layer.name) + "/xnnpack").c_str(), bench_xnnpack,
                                 &layer)
        ->Unit(benchmark::kMicrosecond);
#endif
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
