#!/bin/sh
# Instructions per inference of whole .dyad models on each ARM kernel path,
# counted exactly by the insn_count qemu plugin (every guest instruction of
# the process, one thread): dyad-bench runs each model once with --runs 1 and
# once with --runs 3 (no warm-up), and the difference over the 2 extra runs is
# one inference (load, prepare and the first run cancel out). qemu counts
# instructions, not cycles: this compares paths and models, not a core's speed.
# Usage: count_model_insns.sh BUILD_DIR MODEL...   (an aarch64 or armv7 build)
set -eu
build=${1:?usage: $0 BUILD_DIR MODEL...}
shift
[ $# -gt 0 ] || { echo "usage: $0 BUILD_DIR MODEL..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bench=$build/tools/dyad-bench
[ -x "$bench" ] || { echo "no $bench" >&2; exit 1; }
plugin=$build/libinsn_count.so
${CC:-cc} -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
  "$here/insn_count.c" -o "$plugin"
# The build's own qemu command ("qemu-aarch64;-cpu;max;-L;..."), as CMake wrote it.
emulator=$(tr ';' ' ' <"$build/crosscompiling_emulator.txt")
[ -n "$emulator" ] || { echo "$build is not a cross build" >&2; exit 1; }
total() {  # model isa runs -> every instruction the guest executed
  # shellcheck disable=SC2086
  $emulator -d plugin -plugin "$plugin" "$bench" "$1" --isa "$2" --runs "$3" --warmup 0 \
    2>&1 >/dev/null | awk '/^insn_count TOTAL/ { print $3 }'
}
printf '%-28s %-8s %16s\n' model path insns/inference
for model in "$@"; do
  for isa in neon neondot i8mm; do
    # Paths this build or qemu CPU lacks are skipped.
    # shellcheck disable=SC2086
    $emulator "$bench" "$model" --isa $isa --runs 1 --warmup 0 >/dev/null 2>&1 || continue
    a=$(total "$model" $isa 1)
    b=$(total "$model" $isa 3)
    awk -v m="$(basename "$model")" -v isa=$isa -v a="$a" -v b="$b" \
      'BEGIN { printf "%-28s %-8s %16.0f\n", m, isa, (b - a) / 2 }'
  done
done
