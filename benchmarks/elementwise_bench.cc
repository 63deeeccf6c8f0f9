// dyad's optimized int8 Add / Mul (kernels/elementwise_kernels.h) beside
// XNNPACK's qs8 add / multiply (xnn_create_add_nd_qs8 /
// xnn_create_multiply_nd_qs8) on BlazeFace, MobileNet v2 and M-LSD residual
// shapes (same-shape operands), one thread. Counters: elements = output
// elements per second of this benchmark; x_xnnpack (dyad int8 rows only) =
// this path's speed / XNNPACK's speed, XNNPACK timed right after in the same
// process on the same shape and data. The reference rows (ref::add /
// ref::mul) are the portable kernels the runtime used before.
// The "_narrow" rows run the parameters dyad-convert writes for int8 Add
// (L = 7, 15-bit multipliers: the 16-bit form, BinaryKernelParams::narrow)
// and Mul (a 15-bit multiplier); the plain rows keep 31-bit multipliers (and
// L = 20 for Add).
// The "_int16" rows are the all-int16 kernels (W8A16 activations, zero
// point 0, Add with left_shift 15): x_int8 = their speed / the int8 kernel's
// on the same shape, the int8 kernel timed right after in the same process.
// XNNPACK has no int16 add / multiply, so there is nothing to compare there.
// Run: dyad_elementwise_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/quantize_multiplier.h"
#include "kernels/dispatch.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/reference/reference.h"

#if defined(DYAD_HAVE_XNNPACK)
#include <xnnpack.h>
#endif

namespace dyad {
namespace {

struct Case {
  const char* name;
  int32_t h, w, c;
};

const Case kCases[] = {
    {"blazeface_64x64x24", 64, 64, 24}, {"blazeface_32x32x36", 32, 32, 36},
    {"blazeface_16x16x88", 16, 16, 88}, {"blazeface_8x8x96", 8, 8, 96},
    {"mbv2_res_56x56x24", 56, 56, 24},  {"mbv2_res_28x28x32", 28, 28, 32},
    {"mbv2_res_14x14x96", 14, 14, 96},  {"mlsd_80x80x24", 80, 80, 24},
    {"mlsd_40x40x128", 40, 40, 128},    {"mlsd_80x80x64", 80, 80, 64},
};

// Scales and zero points of both libraries' operators (float for XNNPACK,
// dyadic for dyad: eqs. 7-10 with left_shift 20).
constexpr float kScaleA = 0.02f, kScaleB = 0.03f, kScaleOut = 0.05f;
constexpr int32_t kZeroA = -3, kZeroB = 5, kZeroOut = -1;
// int16 (symmetric): the same ranges with 256 times finer steps.
constexpr double kScale16 = 1.0 / 256;

DyadicMultiplier dyadic(double real, int significant_bits = 31) {
  DyadicMultiplier m;
  quantize_multiplier(real, &m, significant_bits);
  return m;
}

struct Data {
  BinaryShapes shapes;
  AddParams add;
  MulParams mul;
  AddParams add_narrow;  // the converter's L = 7, 15-bit parameters
  MulParams mul_narrow;  // the converter's 15-bit multiplier
  std::vector<int8_t> a, b, out;
  AddParams add16;
  MulParams mul16;
  std::vector<int16_t> a16, b16, out16;
  int64_t elements = 0;
  explicit Data(const Case& k) {
    Shape s;
    s.rank = 4;
    s.dims[0] = 1;
    s.dims[1] = k.h;
    s.dims[2] = k.w;
    s.dims[3] = k.c;
    shapes = BinaryShapes{s, s, s};
    elements = s.elements();
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> v(-128, 127);
    a.resize(static_cast<size_t>(elements));
    b.resize(static_cast<size_t>(elements));
    out.resize(static_cast<size_t>(elements));
    for (auto& x : a) x = static_cast<int8_t>(v(rng));
    for (auto& x : b) x = static_cast<int8_t>(v(rng));
    std::uniform_int_distribution<int> v16(-32768, 32767);
    a16.resize(static_cast<size_t>(elements));
    b16.resize(static_cast<size_t>(elements));
    out16.resize(static_cast<size_t>(elements));
    for (auto& x : a16) x = static_cast<int16_t>(v16(rng));
    for (auto& x : b16) x = static_cast<int16_t>(v16(rng));
    add.shapes = mul.shapes = shapes;
    add.a_zero_point = mul.a_zero_point = kZeroA;
    add.b_zero_point = mul.b_zero_point = kZeroB;
    add.output_zero_point = mul.output_zero_point = kZeroOut;
    const double twice_max = 2.0 * std::max(kScaleA, kScaleB);
    const DyadicMultiplier ma = dyadic(kScaleA / twice_max), mb = dyadic(kScaleB / twice_max);
    const DyadicMultiplier mo = dyadic(twice_max / (std::ldexp(1.0, 20) * kScaleOut));
    add.left_shift = 20;
    add.a_multiplier = ma.multiplier;
    add.a_shift = ma.shift;
    add.b_multiplier = mb.multiplier;
    add.b_shift = mb.shift;
    add.output_multiplier = mo.multiplier;
    add.output_shift = mo.shift;
    add_narrow = add;
    add_narrow.left_shift = 7;
    const DyadicMultiplier na = dyadic(kScaleA / twice_max, 15), nb = dyadic(kScaleB / twice_max, 15);
    const DyadicMultiplier no = dyadic(twice_max / (std::ldexp(1.0, 7) * kScaleOut), 15);
    add_narrow.a_multiplier = na.multiplier;
    add_narrow.a_shift = na.shift;
    add_narrow.b_multiplier = nb.multiplier;
    add_narrow.b_shift = nb.shift;
    add_narrow.output_multiplier = no.multiplier;
    add_narrow.output_shift = no.shift;
    const DyadicMultiplier mm = dyadic(double(kScaleA) * kScaleB / kScaleOut);
    mul.output_multiplier = mm.multiplier;
    mul.output_shift = mm.shift;
    mul_narrow = mul;
    const DyadicMultiplier mn = dyadic(double(kScaleA) * kScaleB / kScaleOut, 15);
    mul_narrow.output_multiplier = mn.multiplier;
    mul_narrow.output_shift = mn.shift;
    // int16: zero points 0, left_shift 15 (the converter's), same M_a / M_b.
    add16 = add;
    mul16 = mul;
    add16.a_type = add16.b_type = add16.output_type = DType::kInt16;
    mul16.a_type = mul16.b_type = mul16.output_type = DType::kInt16;
    add16.a_zero_point = add16.b_zero_point = add16.output_zero_point = 0;
    mul16.a_zero_point = mul16.b_zero_point = mul16.output_zero_point = 0;
    add16.act_min = mul16.act_min = -32768;
    add16.act_max = mul16.act_max = 32767;
    add16.left_shift = 15;
    const DyadicMultiplier mo16 =
        dyadic(twice_max * kScale16 / (std::ldexp(1.0, 15) * kScaleOut * kScale16));
    add16.output_multiplier = mo16.multiplier;
    add16.output_shift = mo16.shift;
    const DyadicMultiplier mm16 = dyadic(double(kScaleA) * kScaleB * kScale16 / kScaleOut);
    mul16.output_multiplier = mm16.multiplier;
    mul16.output_shift = mm16.shift;
  }
};

#if defined(DYAD_HAVE_XNNPACK)
// One XNNPACK qs8 add or multiply operator set up on `d`'s buffers.
struct XnnBinary {
  xnn_operator_t op = nullptr;
  XnnBinary(Data& d, bool mul) {
    const size_t shape[4] = {1, size_t(d.shapes.out.dims[1]), size_t(d.shapes.out.dims[2]),
                             size_t(d.shapes.out.dims[3])};
    const auto za = int8_t(kZeroA), zb = int8_t(kZeroB), zo = int8_t(kZeroOut);
    xnn_status s = mul ? xnn_create_multiply_nd_qs8(za, kScaleA, zb, kScaleB, zo, kScaleOut, -128,
                                                    127, 0, &op)
                       : xnn_create_add_nd_qs8(za, kScaleA, zb, kScaleB, zo, kScaleOut, -128, 127,
                                               0, &op);
    if (s == xnn_status_success) {
      s = mul ? xnn_setup_multiply_nd_qs8(op, 4, shape, 4, shape, d.a.data(), d.b.data(),
                                          d.out.data(), nullptr)
              : xnn_setup_add_nd_qs8(op, 4, shape, 4, shape, d.a.data(), d.b.data(),
                                     d.out.data(), nullptr);
    }
    if (s != xnn_status_success && op != nullptr) {
      xnn_delete_operator(op);
      op = nullptr;
    }
  }
  ~XnnBinary() {
    if (op != nullptr) xnn_delete_operator(op);
  }
  bool run() { return op != nullptr && xnn_run_operator(op, nullptr) == xnn_status_success; }
};

double xnnpack_elements_per_second(Data& d, bool mul, int64_t iterations) {
  XnnBinary op(d, mul);
  if (!op.run()) return 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) op.run();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return double(d.elements) * iterations / took.count();
}

void bench_xnnpack(benchmark::State& state, const Case* k, bool mul) {
  Data d(*k);
  XnnBinary op(d, mul);
  if (!op.run()) {
    state.SkipWithError("XNNPACK refused the operator");
    return;
  }
  for (auto _ : state) op.run();
  state.counters["elements"] =
      benchmark::Counter(double(d.elements) * state.iterations(), benchmark::Counter::kIsRate);
}
#endif

void bench_reference(benchmark::State& state, const Case* k, bool mul, bool int16) {
  Data d(*k);
  for (auto _ : state) {
    if (int16) {
      if (mul) {
        ref::mul(d.mul16, d.a16.data(), d.b16.data(), d.out16.data());
      } else {
        ref::add(d.add16, d.a16.data(), d.b16.data(), d.out16.data());
      }
    } else if (mul) {
      ref::mul(d.mul, d.a.data(), d.b.data(), d.out.data());
    } else {
      ref::add(d.add, d.a.data(), d.b.data(), d.out.data());
    }
    benchmark::ClobberMemory();
  }
  state.counters["elements"] =
      benchmark::Counter(double(d.elements) * state.iterations(), benchmark::Counter::kIsRate);
}

void bench_dyad(benchmark::State& state, const Case* k, bool mul, Isa isa, bool narrow) {
  Data d(*k);
  const AddParams& add = narrow ? d.add_narrow : d.add;
  const MulParams& mulp = narrow ? d.mul_narrow : d.mul;
  const bool usable = mul ? binary_can_use(isa, BinaryOp::kMul, mulp)
                          : binary_can_use(isa, BinaryOp::kAdd, add);
  if (!usable) {
    state.SkipWithError("path not supported on this CPU / build");
    return;
  }
  const PreparedBinary prepared =
      mul ? binary_prepare(isa, mulp) : binary_prepare(isa, BinaryOp::kAdd, add);
  if (isa == Isa::kAvx2 && prepared.params.narrow != narrow) {
    state.SkipWithError(narrow ? "parameters did not take the 16-bit form"
                               : "parameters took the 16-bit form");
    return;
  }
  const int64_t n = binary_elements(prepared);
  for (auto _ : state) {
    binary_run(prepared, d.a.data(), d.b.data(), d.out.data(), 0, n);
    benchmark::ClobberMemory();
  }
  state.counters["elements"] =
      benchmark::Counter(double(d.elements) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(prepared.kernel_name);
#if defined(DYAD_HAVE_XNNPACK)
  // Time this path again and XNNPACK right after it, outside the state loop,
  // so the ratio compares runs made under the same machine load.
  const int64_t iterations = state.iterations();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) {
    binary_run(prepared, d.a.data(), d.b.data(), d.out.data(), 0, n);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const double ours = double(d.elements) * iterations / took.count();
  const double theirs = xnnpack_elements_per_second(d, mul, iterations);
  state.counters["x_xnnpack"] = theirs > 0 ? ours / theirs : 0;
#endif
}

// The all-int16 kernel, then (same process, same iteration count) the int8
// kernel on the same shape: x_int8 = int16 speed / int8 speed.
void bench_dyad16(benchmark::State& state, const Case* k, bool mul, Isa isa) {
  Data d(*k);
  const bool usable = mul ? binary_can_use(isa, BinaryOp::kMul, d.mul16) &&
                                binary_can_use(isa, BinaryOp::kMul, d.mul)
                          : binary_can_use(isa, BinaryOp::kAdd, d.add16) &&
                                binary_can_use(isa, BinaryOp::kAdd, d.add);
  if (!usable) {
    state.SkipWithError("no int16 kernel on this path / CPU / build");
    return;
  }
  const PreparedBinary p16 =
      mul ? binary_prepare(isa, d.mul16) : binary_prepare(isa, BinaryOp::kAdd, d.add16);
  const PreparedBinary p8 =
      mul ? binary_prepare(isa, d.mul) : binary_prepare(isa, BinaryOp::kAdd, d.add);
  const int64_t n = binary_elements(p16);
  for (auto _ : state) {
    binary_run(p16, d.a16.data(), d.b16.data(), d.out16.data(), 0, n);
    benchmark::ClobberMemory();
  }
  state.counters["elements"] =
      benchmark::Counter(double(d.elements) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(p16.kernel_name);
  const int64_t iterations = state.iterations();
  auto time = [&](const PreparedBinary& p, const void* a, const void* b, void* out) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) binary_run(p, a, b, out, 0, n);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return took.count();
  };
  const double t16 = time(p16, d.a16.data(), d.b16.data(), d.out16.data());
  const double t8 = time(p8, d.a.data(), d.b.data(), d.out.data());
  state.counters["x_int8"] = t16 > 0 ? t8 / t16 : 0;
}

}  // namespace
}  // namespace dyad

int main(int argc, char** argv) {
  using namespace dyad;
#if defined(DYAD_HAVE_XNNPACK)
  if (xnn_initialize(nullptr) != xnn_status_success) return 1;
#endif
  // Every x86 path runs the AVX2 kernel and every ARM path the NEON one:
  // one row per kernel.
  const Isa isas[] = {Isa::kAvx2, Isa::kNeon};
  for (const Case& k : kCases) {
    for (bool mul : {false, true}) {
      const std::string op = mul ? "mul/" : "add/";
      for (Isa isa : isas) {
        if (!isa_built(isa)) continue;
        benchmark::RegisterBenchmark((op + k.name + "/" + isa_name(isa)).c_str(), bench_dyad, &k,
                                     mul, isa, false)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark((op + k.name + "/" + isa_name(isa) + "_narrow").c_str(),
                                     bench_dyad, &k, mul, isa, true)
            ->Unit(benchmark::kMicrosecond);
        // int16 kernels: x86 only (ARM runs int16 on the reference).
        if (isa == Isa::kAvx2) {
          benchmark::RegisterBenchmark((op + k.name + "/" + isa_name(isa) + "_int16").c_str(),
                                       bench_dyad16, &k, mul, isa)
              ->Unit(benchmark::kMicrosecond);
        }
      }
#if defined(DYAD_HAVE_XNNPACK)
      benchmark::RegisterBenchmark((op + k.name + "/xnnpack").c_str(), bench_xnnpack, &k, mul)
          ->Unit(benchmark::kMicrosecond);
#endif
      benchmark::RegisterBenchmark((op + k.name + "/reference").c_str(), bench_reference, &k,
                                   mul, false)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark((op + k.name + "/reference_int16").c_str(), bench_reference,
                                   &k, mul, true)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
