// Runs one ARM GEMM (FullyConnected rows x n x k, random int8 data) or one
// depthwise conv (3x3, pad 1, stride s, h x w x channels) on a chosen path,
// once, for the instruction-counting qemu plugin (count_gemm_insns.sh). Not
// a test: it checks nothing but the arguments.
//   dyad_arm_gemm_probe neondot 64 64 512
//   dyad_arm_gemm_probe neondot dw 56 56 144 1
// A trailing "i16" runs the same shape with int16 inputs (W8A16: zero
// point 0, int16 output for the depthwise conv; the qs16 kernels).
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/arm/arm_dwconv.h"
#include "kernels/arm/arm_gemm.h"
#include "kernels/dispatch.h"

namespace {

// 3x3 depthwise, pad 1, through arm::dwconv_*; returns the exit status.
int run_depthwise(dyad::Isa isa, const char* name, int h, int w, int c, int stride, bool i16) {
  dyad::ConvParams p;
  p.in_h = h;
  p.in_w = w;
  p.in_c = p.out_c = p.groups = c;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = 1;
  p.out_h = (h + 2 - 3) / stride + 1;
  p.out_w = (w + 2 - 3) / stride + 1;
  p.input_zero_point = i16 ? 0 : 3;
  p.output_zero_point = -2;
  std::vector<int32_t> multiplier(c, 1518500250);
  std::vector<int8_t> shift(c, i16 ? -16 : -9);
  p.requant = dyad::ChannelRequant{multiplier.data(), shift.data(), c};
  if (i16) {
    p.input_type = p.output_type = dyad::DType::kInt16;
    p.act_min = -32768;
    p.act_max = 32767;
  }
  if (!dyad::arm::dwconv_can_use(isa, p)) {
    std::fprintf(stderr, "%s: not built or not supported by this CPU\n", name);
    return 1;
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-127, 127);
  const size_t in_bytes = i16 ? 2 : 1;
  std::vector<int8_t> weights(static_cast<size_t>(c) * 9),
      input(static_cast<size_t>(h) * w * c * in_bytes);
  for (auto& v : weights) v = static_cast<int8_t>(byte(rng));
  for (auto& v : input) v = static_cast<int8_t>(byte(rng));  // int16: random bytes
  std::vector<int32_t> bias(c, 1000);
  struct alignas(16) Chunk {
    unsigned char bytes[16];
  };
  std::vector<Chunk> packed((dyad::arm::dwconv_packed_bytes(p) + 15) / 16);  // 16-byte aligned
  dyad::arm::dwconv_pack(isa, p, weights.data(), bias.data(), packed.data());
  std::vector<int64_t> scratch((dyad::arm::dwconv_scratch_bytes(packed.data()) + 7) / 8);
  std::vector<int8_t> output(static_cast<size_t>(p.out_h) * p.out_w * c * in_bytes);
  dyad::arm::dwconv_run(packed.data(), p, input.data(), output.data(), scratch.data(), 0,
                        int64_t{p.out_h} * p.out_w);
  long checksum = 0;
  for (int8_t v : output) checksum += v;
  std::printf("%s dw %dx%dx%d s%d checksum=%ld\n", name, h, w, c, stride, checksum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  dyad::Isa isa;
  const bool i16 = argc > 1 && std::string(argv[argc - 1]) == "i16";
  if (i16) --argc;
  if (argc == 7 && std::string(argv[2]) == "dw" && dyad::isa_from_name(argv[1], &isa)) {
    return run_depthwise(isa, argv[1], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                         std::atoi(argv[6]), i16);
  }
  if (argc != 5 || !dyad::isa_from_name(argv[1], &isa)) {
    std::fprintf(stderr, "usage: %s neon|neondot|i8mm rows n k [i16]\n"
                         "       %s neon|neondot|i8mm dw h w channels stride [i16]\n", argv[0],
                 argv[0]);
    return 2;
  }
  dyad::FullyConnectedParams fc;
  fc.rows = std::atoi(argv[2]);
  fc.n = std::atoi(argv[3]);
  fc.k = std::atoi(argv[4]);
  fc.input_zero_point = i16 ? 0 : 3;
  fc.output_zero_point = -2;
  if (i16) fc.input_type = dyad::DType::kInt16;
  std::vector<int32_t> multiplier(fc.n, 1518500250);
  std::vector<int8_t> shift(fc.n, i16 ? -17 : -9);
  fc.requant = dyad::ChannelRequant{multiplier.data(), shift.data(), fc.n};
  const dyad::ConvParams p = dyad::arm::conv_from_fully_connected(fc);
  if (!dyad::arm::conv_can_use(isa, p)) {
    std::fprintf(stderr, "%s: not built or not supported by this CPU\n", argv[1]);
    return 1;
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-127, 127);
  std::vector<int8_t> weights(static_cast<size_t>(fc.n) * fc.k),
      input(static_cast<size_t>(fc.rows) * fc.k * (i16 ? 2 : 1));
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
