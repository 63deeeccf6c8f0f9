// dyad's Mean (GlobalAveragePool), MaxPool, bilinear Resize, Lut and 8-bit
// Requantize kernels beside XNNPACK's operators on the same shapes and data,
// one thread: xnn_*_global_average_pooling_nwc_qs8, xnn_*_max_pooling2d_nhwc_s8,
// xnn_*_resize_bilinear2d_nhwc_s8 (half-pixel; its own fixed-point weights, so
// the bytes differ) and, for the table, xnn_*_sigmoid_nc_qs8 (a 256-entry table lookup inside; XNNPACK
// 2022-02 has no uint8 -> int8 convert, so Requantize has no XNNPACK row).
// Counters: bytes = input bytes per second; x_xnnpack (dyad rows) = XNNPACK's
// time / this path's time, both timed right after the state loop in the same
// process; x_reference = the reference kernel's time / this path's time.
// Run: dyad_pool_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"

#if defined(DYAD_HAVE_XNNPACK)
#include <xnnpack.h>
#endif

namespace dyad {
namespace {

enum class Kind { kGap, kMaxPool, kResize, kLut, kRequantize };

struct Case {
  const char* name;
  Kind kind;
  int32_t h, w, c;             // input NHWC (Lut / Requantize: h * w * c elements)
  int32_t kernel, stride, pad;  // MaxPool; Resize: kernel = the upscale factor
};

const Case kCases[] = {
    {"gap_7x7x1280_mobilenetv2", Kind::kGap, 7, 7, 1280, 0, 0, 0},
    {"gap_7x7x960_mobilenetv3", Kind::kGap, 7, 7, 960, 0, 0, 0},
    {"gap_56x56x24", Kind::kGap, 56, 56, 24, 0, 0, 0},
    {"maxpool_2x2s2_64x64x28_blazeface", Kind::kMaxPool, 64, 64, 28, 2, 2, 0},
    {"maxpool_3x3s1p1_160x160x1_mlsd", Kind::kMaxPool, 160, 160, 1, 3, 1, 1},
    {"maxpool_3x3s2p1_112x112x64", Kind::kMaxPool, 112, 112, 64, 3, 2, 1},
    {"resize_bilinear_2x_80x80x64_mlsd", Kind::kResize, 80, 80, 64, 2, 0, 0},
    {"resize_bilinear_2x_80x80x16_mlsd", Kind::kResize, 80, 80, 16, 2, 0, 0},
    {"lut_s8_1M", Kind::kLut, 1, 1024, 1024, 0, 0, 0},
    {"requantize_u8_128x128x3_blazeface", Kind::kRequantize, 128, 128, 3, 0, 0, 0},
};

// Inputs, parameters and one runner per implementation for one case.
struct Workload {
  std::vector<int8_t> input, output;
  MeanParams mean;
  MeanPlan plan;
  PoolParams pool;
  std::vector<uint8_t> pool_scratch;
  std::vector<int8_t> table;
  uint8_t byte_table[256] = {};
  RequantizeParams rq;
  ResizeParams resize;
  std::vector<ResizeTap> resize_rows, resize_cols;
  int32_t pad_bottom = 0, pad_right = 0;

  explicit Workload(const Case& k) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> i8(-128, 127);
    input.resize(size_t(k.h) * k.w * k.c);
    for (auto& v : input) v = static_cast<int8_t>(i8(rng));
    table.resize(256);
    for (auto& v : table) v = static_cast<int8_t>(i8(rng));
    mean.in.rank = 4;
    mean.in.dims[0] = 1;
    mean.in.dims[1] = k.h;
    mean.in.dims[2] = k.w;
    mean.in.dims[3] = k.c;
    mean.reduce[1] = mean.reduce[2] = true;
    mean.input_zero_point = -3;
    mean.output_zero_point = 2;
    mean.multiplier = 1402438301;  // ~ 0.05 / 0.03 / 49, about the XNNPACK scales below
    mean.shift = -5;
    pool.in_h = k.h;
    pool.in_w = k.w;
    pool.channels = k.c;
    pool.kernel_h = pool.kernel_w = k.kernel > 0 ? k.kernel : 1;
    pool.stride_h = pool.stride_w = k.stride > 0 ? k.stride : 1;
    pool.pad_top = pool.pad_left = k.pad;
    pad_bottom = pad_right = k.pad;
    pool.out_h = (k.h + 2 * k.pad - pool.kernel_h) / pool.stride_h + 1;
    pool.out_w = (k.w + 2 * k.pad - pool.kernel_w) / pool.stride_w + 1;
    rq.count = int64_t{k.h} * k.w * k.c;
    rq.input_type = DType::kUInt8;
    rq.input_zero_point = 0;
    rq.output_zero_point = -128;
    rq.multiplier = 1073741824;
    rq.shift = 1;
    resize.mode = ResizeMode::kBilinear;
    resize.in_h = k.h;
    resize.in_w = k.w;
    resize.channels = k.c;
    resize.out_h = k.h * (k.kind == Kind::kResize ? k.kernel : 1);
    resize.out_w = k.w * (k.kind == Kind::kResize ? k.kernel : 1);
    for (int32_t i = 0; i < resize.out_h; ++i)
      resize_rows.push_back(ref::resize_bilinear_tap(resize, false, i));
    for (int32_t i = 0; i < resize.out_w; ++i)
      resize_cols.push_back(ref::resize_bilinear_tap(resize, true, i));
    output.resize(k.kind == Kind::kGap       ? size_t(k.c)
                  : k.kind == Kind::kMaxPool ? size_t(pool.out_h) * pool.out_w * k.c
                  : k.kind == Kind::kResize  ? size_t(resize.out_h) * resize.out_w * k.c
                                             : input.size());
  }

  // The dyad runner for `isa` (kReference: the reference kernel), or null.
  std::function<void()> dyad(const Case& k, Isa isa) {
    const bool ref = isa == Isa::kReference;
    switch (k.kind) {
      case Kind::kGap:
        if (ref) return [this] { ref::mean(mean, input.data(), output.data()); };
        if (!mean_plan(isa, mean, &plan)) return nullptr;
        return [this] { mean_run(plan, mean, input.data(), output.data(), 0, plan.units); };
      case Kind::kMaxPool:
        if (ref) return [this] { ref::max_pool(pool, input.data(), output.data()); };
        if (!max_pool_can_use(isa, pool)) return nullptr;
        pool_scratch.resize(max_pool_scratch_bytes(pool));
        return [this, isa] {
          max_pool_run(isa, pool, input.data(), output.data(), pool_scratch.data(), 0,
                       max_pool_rows(pool));
        };
      case Kind::kResize:
        if (ref) return [this] { ref::resize(resize, input.data(), output.data()); };
        if (!resize_bilinear_can_use(isa, resize)) return nullptr;
        return [this, isa] {
          resize_bilinear_run(isa, resize, resize_rows.data(), resize_cols.data(), input.data(),
                              output.data(), 0, resize.out_h);
        };
      case Kind::kLut:
        if (ref) {
          return [this] {
            ref::lut_s8(input.data(), int64_t(input.size()), table.data(), output.data());
          };
        }
        if (!lut_can_use(isa)) return nullptr;
        lut_table_for_s8(table.data(), byte_table);
        return [this, isa] {
          lut_run(isa, reinterpret_cast<const uint8_t*>(input.data()), int64_t(input.size()),
                  byte_table, output.data());
        };
      case Kind::kRequantize:
        if (ref) return [this] { ref::requantize(rq, input.data(), output.data()); };
        if (!lut_can_use(isa) || !requantize_table(rq, byte_table)) return nullptr;
        return [this, isa] {
          lut_run(isa, reinterpret_cast<const uint8_t*>(input.data()), int64_t(input.size()),
                  byte_table, output.data());
        };
    }
    return nullptr;
  }
};

#if defined(DYAD_HAVE_XNNPACK)
struct XnnOp {
  xnn_operator_t op = nullptr;
  XnnOp(const Case& k, Workload& d) {
    static const bool initialized = xnn_initialize(nullptr) == xnn_status_success;
    if (!initialized) return;
    bool ok = false;
    switch (k.kind) {
      case Kind::kGap:
        ok = xnn_create_global_average_pooling_nwc_qs8(size_t(k.c), size_t(k.c), size_t(k.c), -3,
                                                       0.05f, 2, 0.03f, -128, 127, 0,
                                                       &op) == xnn_status_success &&
             xnn_setup_global_average_pooling_nwc_qs8(op, 1, size_t(k.h) * k.w, d.input.data(),
                                                      d.output.data(),
                                                      nullptr) == xnn_status_success;
        break;
      case Kind::kMaxPool:
        ok = xnn_create_max_pooling2d_nhwc_s8(
                 uint32_t(k.pad), uint32_t(d.pad_right), uint32_t(d.pad_bottom), uint32_t(k.pad),
                 uint32_t(k.kernel), uint32_t(k.kernel), uint32_t(k.stride), uint32_t(k.stride), 1,
                 1, size_t(k.c), size_t(k.c), size_t(k.c), -128, 127, 0,
                 &op) == xnn_status_success &&
             xnn_setup_max_pooling2d_nhwc_s8(op, 1, size_t(k.h), size_t(k.w), d.input.data(),
                                             d.output.data(), nullptr) == xnn_status_success;
        break;
      case Kind::kResize:
        ok = xnn_create_resize_bilinear2d_nhwc_s8(size_t(k.c), size_t(k.c), size_t(k.c), 0, &op) ==
                 xnn_status_success &&
             xnn_setup_resize_bilinear2d_nhwc_s8(op, 1, size_t(k.h), size_t(k.w),
                                                 size_t(d.resize.out_h), size_t(d.resize.out_w),
                                                 d.input.data(), d.output.data(),
                                                 nullptr) == xnn_status_success;
        break;
      case Kind::kLut:
        // Sigmoid's fixed output quantization: scale 1/256, zero point -128.
        ok = xnn_create_sigmoid_nc_qs8(size_t(k.c), size_t(k.c), size_t(k.c), 0, 0.05f, -128,
                                       1.0f / 256.0f, -128, 127, 0, &op) == xnn_status_success &&
             xnn_setup_sigmoid_nc_qs8(op, size_t(k.h) * k.w, d.input.data(), d.output.data(),
                                      nullptr) == xnn_status_success;
        break;
      case Kind::kRequantize:
        break;
    }
    if (!ok && op != nullptr) {
      xnn_delete_operator(op);
      op = nullptr;
    }
  }
  ~XnnOp() {
    if (op != nullptr) xnn_delete_operator(op);
  }
  void run() { xnn_run_operator(op, nullptr); }
};
#endif

template <typename F>
double seconds_per_run(F&& f, int64_t n) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) f();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count() / double(n);
}

void bench_dyad(benchmark::State& state, const Case* k, Isa isa) {
  Workload d(*k);
  if (isa != Isa::kReference && (!isa_built(isa) || !isa_supported(isa))) {
    state.SkipWithError("path not built / not supported on this CPU");
    return;
  }
  const auto run = d.dyad(*k, isa);
  if (!run) {
    state.SkipWithError("no optimized kernel for this case on this path");
    return;
  }
  for (auto _ : state) {
    run();
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] = benchmark::Counter(double(d.input.size()) * double(state.iterations()),
                                               benchmark::Counter::kIsRate);
  const int64_t n = state.iterations();
  if (isa != Isa::kReference) {
    const double ours = seconds_per_run(run, n);
    Workload r(*k);
    const auto reference = r.dyad(*k, Isa::kReference);
    state.counters["x_reference"] = seconds_per_run(reference, n) / ours;
  }
#if defined(DYAD_HAVE_XNNPACK)
  XnnOp x(*k, d);
  if (x.op != nullptr) {
    const double ours = seconds_per_run(run, n);
    state.counters["x_xnnpack"] = seconds_per_run([&] { x.run(); }, n) / ours;
  }
#endif
}

#if defined(DYAD_HAVE_XNNPACK)
void bench_xnnpack(benchmark::State& state, const Case* k) {
  Workload d(*k);
  XnnOp x(*k, d);
  if (x.op == nullptr) {
    state.SkipWithError("XNNPACK has no such operator / refused it");
    return;
  }
  for (auto _ : state) x.run();
  state.counters["bytes"] = benchmark::Counter(double(d.input.size()) * double(state.iterations()),
                                               benchmark::Counter::kIsRate);
}
#endif

int register_all() {
  for (const Case& k : kCases) {
    for (int i = 0; i < kNumIsas; ++i) {
      const Isa isa = static_cast<Isa>(i);
      if (isa != Isa::kReference && (!isa_built(isa) || !isa_supported(isa))) continue;
      benchmark::RegisterBenchmark((std::string("dyad/") + k.name + "/" + isa_name(isa)).c_str(),
                                   bench_dyad, &k, isa);
    }
#if defined(DYAD_HAVE_XNNPACK)
    if (k.kind != Kind::kRequantize) {
      benchmark::RegisterBenchmark((std::string("xnnpack/") + k.name).c_str(), bench_xnnpack, &k);
    }
#endif
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace dyad

BENCHMARK_MAIN();
