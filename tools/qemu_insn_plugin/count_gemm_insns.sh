#!/bin/sh
# Instructions per MAC of each ARM GEMM microkernel, counted exactly by the
# insn_count qemu plugin (docs/kernels_arm.md). Builds the plugin with the host
# compiler, runs dyad_arm_gemm_probe (from an AArch64 build) once per path and
# K, and prints:
#   total / MAC  = every instruction of the microkernel functions (A-row tail
#                  copy, inner loop, epilogue) at M=N=64, K=512
#   loop / MAC   = (count at K=1024 - count at K=512) / extra MACs, i.e. the
#                  inner loop alone
# Then the depthwise kernels (3x3, pad 1, 56x56x144, stride 1 and 2):
#   total / MAC  = every instruction inside qs8_dwconv_16c__<path> (tap loop,
#                  requantization, stores); the per-pixel tap lists are built
#                  outside it, in arm_dwconv.cc, and are not counted
# Usage: count_gemm_insns.sh BUILD_DIR   (e.g. build-aarch64)
set -eu
build=${1:?usage: $0 BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
probe=$build/kernels/dyad_arm_gemm_probe
[ -x "$probe" ] || probe=$build/dyad_arm_gemm_probe
[ -x "$probe" ] || { echo "no dyad_arm_gemm_probe in $build" >&2; exit 1; }
plugin=$build/libinsn_count.so
${CC:-cc} -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
  "$here/insn_count.c" -o "$plugin"
# -L only when the arm64 libc is not installed through multiarch (PLATFORM_NOTES).
sysroot=""
[ -e /lib/ld-linux-aarch64.so.1 ] || sysroot="-L /usr/aarch64-linux-gnu"
count_matching() {  # match isa args... -> instructions executed in functions matching
  m=$1
  shift
  # shellcheck disable=SC2086
  qemu-aarch64 -cpu max $sysroot -d plugin -plugin "$plugin,$m" "$probe" "$@" 2>&1 >/dev/null |
    awk '/^insn_count / && $2 != "TOTAL" { s += $3 } END { print s + 0 }'
}
count() {  # isa rows n k -> instructions executed inside the microkernels
  count_matching "match=qs8_gemm_,match=gemm_2x8c16,match=Gemm4x16c" "$@"
}
printf '%-8s %12s %12s %12s %12s\n' path insns_k512 insns_k1024 total/MAC loop/MAC
for isa in neon neondot i8mm; do
  a=$(count $isa 64 64 512)
  b=$(count $isa 64 64 1024)
  awk -v isa=$isa -v a="$a" -v b="$b" 'BEGIN {
    macs = 64 * 64 * 512;
    printf "%-8s %12d %12d %12.4f %12.4f\n", isa, a, b, a / macs, (b - a) / macs }'
done
echo
printf '%-8s %8s %12s %12s\n' path stride insns total/MAC
for isa in neon neondot i8mm; do
  for stride in 1 2; do
    a=$(count_matching "match=qs8_dwconv_16c" $isa dw 56 56 144 $stride)
    awk -v isa=$isa -v s=$stride -v a="$a" 'BEGIN {
      o = int((56 + 2 - 3) / s) + 1;
      macs = o * o * 144 * 9;
      printf "%-8s %8d %12d %12.4f\n", isa, s, a, a / macs }'
  done
done
echo
# int16 inputs (W8A16): qs16_gemm_4x16__neon and qs16_dwconv_16c__neon, the
# same code on every path, beside the int8 kernel of each path on the same
# shapes: FC 64x64 at K=512/1024 (loop / MAC as above), the 1x1 conv
# 56x56x64 -> 64 (an FC of 3136 rows, K=64: total / MAC) and the 3x3
# depthwise 56x56x144 (int16 in, int16 out).
count16() {  # isa rows n k -> instructions inside the qs16 GEMM kernel
  count_matching "match=qs16_gemm_,match=9gemm_4x16I,match=NeonGemm4x16" "$@" i16
}
printf '%-8s %-5s %12s %12s %12s\n' path input loop/MAC total/MAC 1x1_56x56x64
for isa in neon neondot i8mm; do
  a8=$(count $isa 64 64 512); b8=$(count $isa 64 64 1024); c8=$(count $isa 3136 64 64)
  a=$(count16 $isa 64 64 512); b=$(count16 $isa 64 64 1024); c=$(count16 $isa 3136 64 64)
  awk -v isa=$isa -v a8="$a8" -v b8="$b8" -v c8="$c8" -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
    macs = 64 * 64 * 512; conv = 3136 * 64 * 64;
    printf "%-8s %-5s %12.4f %12.4f %12.4f\n", isa, "int8", (b8 - a8) / macs, a8 / macs, c8 / conv;
    printf "%-8s %-5s %12.4f %12.4f %12.4f\n", isa, "int16", (b - a) / macs, a / macs, c / conv }'
done
echo
printf '%-8s %8s %-5s %12s %12s\n' path stride input insns total/MAC
for isa in neon neondot i8mm; do
  for stride in 1 2; do
    a8=$(count_matching "match=qs8_dwconv_16c" $isa dw 56 56 144 $stride)
    a=$(count_matching "match=qs16_dwconv_16c,match=7block16Is" $isa dw 56 56 144 $stride i16)
    awk -v isa=$isa -v s=$stride -v a8="$a8" -v a="$a" 'BEGIN {
      o = int((56 + 2 - 3) / s) + 1;
      macs = o * o * 144 * 9;
      printf "%-8s %8d %-5s %12d %12.4f\n", isa, s, "int8", a8, a8 / macs;
      printf "%-8s %8d %-5s %12d %12.4f\n", isa, s, "int16", a, a / macs }'
  done
done
