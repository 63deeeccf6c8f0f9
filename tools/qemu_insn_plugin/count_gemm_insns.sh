#!/bin/sh
# Instructions per MAC of each ARM GEMM microkernel, counted exactly by the
# insn_count qemu plugin (docs/kernels_arm.md). Builds the plugin with the host
# compiler, runs dyad_arm_gemm_probe (from an AArch64 build) once per path and
# K, and prints:
#   total / MAC  = every instruction of the microkernel functions (A-row tail
#                  copy, inner loop, epilogue) at M=N=64, K=512
#   loop / MAC   = (count at K=1024 - count at K=512) / extra MACs, i.e. the
#                  inner loop alone
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
count() {  # isa rows n k -> instructions executed inside the microkernels
  # shellcheck disable=SC2086
  qemu-aarch64 -cpu max $sysroot -d plugin \
    -plugin "$plugin,match=qs8_gemm_,match=gemm_2x8c16" "$probe" "$@" 2>&1 >/dev/null |
    awk '/^insn_count / && $2 != "TOTAL" { s += $3 } END { print s + 0 }'
}
printf '%-8s %12s %12s %12s %12s\n' path insns_k512 insns_k1024 total/MAC loop/MAC
for isa in neon neondot i8mm; do
  a=$(count $isa 64 64 512)
  b=$(count $isa 64 64 1024)
  awk -v isa=$isa -v a="$a" -v b="$b" 'BEGIN {
    macs = 64 * 64 * 512;
    printf "%-8s %12d %12d %12.4f %12.4f\n", isa, a, b, a / macs, (b - a) / macs }'
done
