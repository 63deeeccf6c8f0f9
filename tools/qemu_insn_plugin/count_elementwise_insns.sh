#!/bin/sh
# Instructions per element of the ARM elementwise kernels (int8 and int16
# Add / Sub / Mul; "i8n" = int8 with the converter's 16-bit-form parameters), of the Mean kernels (per input element) and of the int16
# interpolated table, counted exactly by the insn_count qemu plugin
# (docs/kernels_arm.md). Runs dyad_arm_elementwise_probe (from an AArch64
# build) at two sizes and prints the difference per extra element, i.e. the
# vector loop alone (tails and per-call setup cancel):
#   add / sub / mul: n = 16384 and 32768 (flat same-shape operands)
#   mean:            64 channels, rows = 256 and 512 (per input element)
#   lut16:           n = 16384 and 32768
# Only instructions inside the kernel functions (and the helpers GCC did not
# inline) are counted; the driver (elementwise_kernels.cc) is not.
# Usage: count_elementwise_insns.sh BUILD_DIR [PATH]   (PATH: neon by default)
set -eu
build=${1:?usage: $0 BUILD_DIR [PATH]}
isa=${2:-neon}
here=$(cd "$(dirname "$0")" && pwd)
probe=$build/kernels/dyad_arm_elementwise_probe
[ -x "$probe" ] || probe=$build/dyad_arm_elementwise_probe
[ -x "$probe" ] || { echo "no dyad_arm_elementwise_probe in $build" >&2; exit 1; }
plugin=$build/libinsn_count.so
${CC:-cc} -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
  "$here/insn_count.c" -o "$plugin"
sysroot=""
[ -e /lib/ld-linux-aarch64.so.1 ] || sysroot="-L /usr/aarch64-linux-gnu"
# The plugin takes at most 8 match= substrings: the kernel entry points, the
# anonymous-namespace helpers of kernels/arm (dyad::arm::(anon)::add_run, ...)
# and of the pool kernels (dyad::pool_isa::(anon)::block16, lookup8, ...),
# and the shared block loop.
matches="match=_16__neon,match=gavgpool_c16__neon,match=3arm12_GLOBAL__N_1"
matches="$matches,match=8pool_isa12_GLOBAL__N_1,match=for_each_block16"
count() {  # probe args -> instructions executed in the kernel functions
  # shellcheck disable=SC2086
  qemu-aarch64 -cpu max $sysroot -d plugin -plugin "$plugin,$matches" "$probe" "$@" 2>&1 >/dev/null |
    awk '/^insn_count / && $2 != "TOTAL" { s += $3 } END { print s + 0 }'
}
printf '%-6s %-5s %-28s %10s\n' op type kernel insns/element
for op in add sub mul; do
  for type in i8 i8n i16; do
    name=$(qemu-aarch64 -cpu max $sysroot "$probe" $isa $op $type 16 | cut -d' ' -f1)
    a=$(count $isa $op $type 16384)
    b=$(count $isa $op $type 32768)
    awk -v op=$op -v t=$type -v k="$name" -v a="$a" -v b="$b" 'BEGIN {
      printf "%-6s %-5s %-28s %10.3f\n", op, t, k, (b - a) / 16384 }'
  done
done
for type in i8 i16; do
  name=$(qemu-aarch64 -cpu max $sysroot "$probe" $isa mean $type 64 2 | cut -d' ' -f1)
  a=$(count $isa mean $type 64 256)
  b=$(count $isa mean $type 64 512)
  awk -v t=$type -v k="$name" -v a="$a" -v b="$b" 'BEGIN {
    printf "%-6s %-5s %-28s %10.3f\n", "mean", t, k, (b - a) / (64 * 256) }'
done
name=$(qemu-aarch64 -cpu max $sysroot "$probe" $isa lut16 16 | cut -d' ' -f1)
a=$(count $isa lut16 16384)
b=$(count $isa lut16 32768)
awk -v k="$name" -v a="$a" -v b="$b" 'BEGIN {
  printf "%-6s %-5s %-28s %10.3f\n", "lut16", "i16", k, (b - a) / 16384 }'
