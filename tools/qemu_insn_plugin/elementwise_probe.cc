// Runs one elementwise / Mean / int16-table kernel on a chosen ARM path, once,
// for the instruction-counting qemu plugin (count_elementwise_insns.sh). Not a
// test: it checks nothing but the arguments.
//   dyad_arm_elementwise_probe neon add i16 4096     (add | sub | mul; i8 | i8n | i16; n elements)
//   dyad_arm_elementwise_probe neon mean i16 64 256  (channels, rows)
//   dyad_arm_elementwise_probe neon lut16 4096
// Parameters are the converter's usual ones (int8: L = 20 and 31-bit
// multipliers, or with "i8n" L = 7 and 15-bit multipliers, the 16-bit form
// BinaryKernelParams::narrow; int16: L = 15; the larger input at M = 1/2),
// operands random, flat same-shape runs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace {

dyad::Shape flat(int32_t n) {
  dyad::Shape s;
  s.rank = 1;
  s.dims[0] = n;
  return s;
}

template <typename T>
std::vector<T> random_values(size_t n) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> v(sizeof(T) == 1 ? -128 : -32768, sizeof(T) == 1 ? 127 : 32767);
  std::vector<T> r(n);
  for (auto& x : r) x = static_cast<T>(v(rng));
  return r;
}

template <typename T>
int run_binary(dyad::Isa isa, const std::string& op, int32_t n, dyad::DType type, bool narrow) {
  // 15 significant bits (narrow): the low 16 bits of M0 cleared.
  auto m0 = [narrow](int32_t m) { return narrow ? m & ~0xFFFF : m; };
  const dyad::BinaryShapes shapes{flat(n), flat(n), flat(n)};
  const bool i16 = type == dyad::DType::kInt16;
  dyad::PreparedBinary prepared;
  if (op == "mul") {
    dyad::MulParams p;
    p.shapes = shapes;
    p.a_type = p.b_type = p.output_type = type;
    p.output_multiplier = m0(1518500250);
    p.output_shift = i16 ? -15 : -7;
    p.act_min = i16 ? -32768 : -128;
    p.act_max = i16 ? 32767 : 127;
    if (!dyad::binary_can_use(isa, dyad::BinaryOp::kMul, p)) return 1;
    prepared = dyad::binary_prepare(isa, p);
  } else {
    const dyad::BinaryOp bop = op == "sub" ? dyad::BinaryOp::kSub : dyad::BinaryOp::kAdd;
    dyad::AddParams p;
    p.shapes = shapes;
    p.a_type = p.b_type = p.output_type = type;
    p.left_shift = i16 ? 15 : (narrow ? 7 : 20);
    p.a_multiplier = 1 << 30;
    p.a_shift = 0;
    p.b_multiplier = m0(1518500250);
    p.b_shift = -1;
    p.output_multiplier = m0(1300000000);
    p.output_shift = i16 ? -14 : (narrow ? -6 : -19);
    p.act_min = i16 ? -32768 : -128;
    p.act_max = i16 ? 32767 : 127;
    if (!i16) p.a_zero_point = 3;
    if (!dyad::binary_can_use(isa, bop, p)) return 1;
    prepared = dyad::binary_prepare(isa, bop, p);
  }
  const auto a = random_values<T>(static_cast<size_t>(n));
  const auto b = random_values<T>(static_cast<size_t>(n) + 1);
  std::vector<T> out(static_cast<size_t>(n));
  dyad::binary_run(prepared, a.data(), b.data() + 1, out.data(), 0, n);
  std::printf("%s%s %d\n", prepared.kernel_name, prepared.params.narrow ? "(narrow)" : "",
              static_cast<int>(out[0]));
  return 0;
}

int run_mean(dyad::Isa isa, dyad::DType type, int32_t channels, int32_t rows) {
  dyad::MeanParams p;
  p.in.rank = 3;
  p.in.dims[0] = 1;
  p.in.dims[1] = rows;
  p.in.dims[2] = channels;
  p.reduce[1] = true;
  p.type = type;
  p.multiplier = 1518500250;
  p.shift = -8;
  dyad::MeanPlan plan;
  if (!dyad::mean_plan(isa, p, &plan)) return 1;
  const bool i16 = type == dyad::DType::kInt16;
  const size_t bytes = static_cast<size_t>(rows) * channels * (i16 ? 2 : 1);
  const auto in = random_values<int8_t>(bytes);
  std::vector<int8_t> out(static_cast<size_t>(channels) * 2);
  dyad::mean_run(plan, p, in.data(), out.data(), 0, plan.units);
  std::printf("%s %d\n", plan.kernel, static_cast<int>(out[0]));
  return 0;
}

int run_lut16(dyad::Isa isa, int32_t n) {
  if (!dyad::lut16_can_use(isa)) return 1;
  const auto table = random_values<int16_t>(513);
  const auto in = random_values<int16_t>(static_cast<size_t>(n));
  std::vector<int16_t> out(static_cast<size_t>(n));
  dyad::lut16_run(isa, in.data(), n, table.data(), out.data());
  std::printf("%s %d\n", dyad::lut16_kernel_name(isa), static_cast<int>(out[0]));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ISA add|sub|mul i8|i8n|i16 N | ISA mean i8|i16 C ROWS | ISA lut16 N\n",
                 argv[0]);
    return 2;
  }
  dyad::Isa isa = dyad::Isa::kReference;
  if (!dyad::isa_from_name(argv[1], &isa)) {
    std::fprintf(stderr, "unknown isa %s\n", argv[1]);
    return 2;
  }
  const std::string op = argv[2];
  int status = 2;
  if (op == "lut16") {
    status = run_lut16(isa, std::atoi(argv[3]));
  } else if (argc >= 5) {
    const dyad::DType type = std::strcmp(argv[3], "i16") == 0 ? dyad::DType::kInt16 : dyad::DType::kInt8;
    if (op == "mean" && argc >= 6) {
      status = run_mean(isa, type, std::atoi(argv[4]), std::atoi(argv[5]));
    } else if (type == dyad::DType::kInt16) {
      status = run_binary<int16_t>(isa, op, std::atoi(argv[4]), type, false);
    } else {
      status = run_binary<int8_t>(isa, op, std::atoi(argv[4]), type,
                                  std::strcmp(argv[3], "i8n") == 0);
    }
  }
  if (status == 1) std::fprintf(stderr, "%s: no optimized kernel on this path / CPU\n", argv[1]);
  return status;
}
