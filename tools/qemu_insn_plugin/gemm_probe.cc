// Runs one ARM GEMM (FullyConnected rows x n x k, random int8 data) on a
// chosen path, once, for the instruction-counting qemu plugin
// (count_gemm_insns.sh). Not a test: it checks nothing but the arguments.
//   dyad_arm_gemm_probe neondot 64 64 512
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/arm/arm_gemm.h"
#include "kernels/dispatch.h"

int main(int argc, char** argv) {
  dyad::Isa isa;
  if (argc != 5 || !dyad::isa_from_name(argv[1], &isa)) {
    std::fprintf(stderr, "usage: %s neon|neondot|i8mm rows n k\n", argv[0]);
    return 2;
  }
  dyad::FullyConnectedParams fc;
  fc.rows = std::atoi(argv[2]);
  fc.n = std::atoi(argv[3]);
  fc.k = std::atoi(argv[4]);
  fc.input_zero_point = 3;
  fc.output_zero_point = -2;
  std::vector<int32_t> multiplier(fc.n, 1518500250);
  std::vector<int8_t> shift(fc.n, -9);
  fc.requant = dyad::ChannelRequant{multiplier.data(), shift.data(), fc.n};
  const dyad::ConvParams p = dyad::arm::conv_from_fully_connected(fc);
  if (!dyad::arm::conv_can_use(isa, p)) {
    std::fprintf(stderr, "%s: not built or not supported by this CPU\n", argv[1]);
    return 1;
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-127, 127);
  std::vector<int8_t> weights(static_cast<size_t>(fc.n) * fc.k), input(static_cast<size_t>(fc.rows) * fc.k);
  for (auto& w : weights) w = static_cast<int8_t>(byte(rng));
  for (auto& x : input) x = static_cast<int8_t>(byte(rng));
  std::vector<int32_t> bias(fc.n, 1000);
  std::vector<uint8_t> packed(dyad::arm::conv_packed_bytes(isa, p));
  dyad::arm::conv_pack(isa, p, weights.data(), bias.data(), packed.data());
  std::vector<int8_t> scratch(dyad::arm::conv_scratch_bytes(packed.data()));
  std::vector<int8_t> output(static_cast<size_t>(fc.rows) * fc.n);
  dyad::arm::conv_run(packed.data(), p, input.data(), output.data(), scratch.data(), 0, fc.rows);
  long checksum = 0;
  for (int8_t v : output) checksum += v;
  std::printf("%s rows=%d n=%d k=%d checksum=%ld\n", argv[1], fc.rows, fc.n, fc.k, checksum);
  return 0;
}
