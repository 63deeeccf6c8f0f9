#!/usr/bin/env bash
# Output digests of .dyad models across kernel paths, thread counts and builds.
# dyad-bench hashes every output byte of its first run on seeded random inputs
# (FNV-1a 64, "output_fnv1a64"); libdyad promises the same bytes on every
# path, thread count and CPU, so the digests must agree everywhere.
#
#   scripts/model_digests.sh --record FILE BUILD_DIR MODEL...
#       reference path, 1 thread: writes "<model file name> <digest>" lines
#   scripts/model_digests.sh --check FILE [--paths "P..."] [--threads "T..."] BUILD_DIR MODEL...
#       every path in P (default: all) that BUILD_DIR's libdyad has and this
#       CPU (or qemu) supports, at each thread count in T (default: 1 2),
#       against FILE's digests
#   scripts/model_digests.sh --self [--paths "P..."] [--threads "T..."] BUILD_DIR MODEL...
#       --record then --check against a temporary file
#
# A cross build runs dyad-bench through its CMAKE_CROSSCOMPILING_EMULATOR
# (qemu). Exit 0 when every digest agrees, 1 on a difference or a failed run,
# 2 on bad arguments.
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

mode="" file="" paths="reference avx2 avxvnni avx512vnni neon neondot i8mm" thread_counts="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --record | --check) mode="${1#--}"; file="${2:-}"; shift 2 || usage ;;
    --self) mode=self; shift ;;
    --paths) paths="${2:-}"; shift 2 || usage ;;
    --threads) thread_counts="${2:-}"; shift 2 || usage ;;
    -h | --help) usage ;;
    *) break ;;
  esac
done
[ -n "$mode" ] && [ $# -ge 2 ] || usage
build="$1"
shift
bench="$build/tools/dyad-bench"
[ -x "$bench" ] || { echo "model_digests: $bench not built" >&2; exit 2; }

# The emulator of a cross build, as the top CMakeLists.txt wrote it
# ("qemu-aarch64;-cpu;max;..."; empty for a native build).
emulator=()
if [ -s "$build/crosscompiling_emulator.txt" ]; then
  IFS=";" read -r -a emulator <"$build/crosscompiling_emulator.txt" || true  # no final newline
fi

# digest MODEL ISA THREADS: prints the digest; prints "skip" when the path is
# not built or not supported here; exits 1 on any other failure.
digest() {
  local out err status
  err="$(mktemp)"
  set +e
  out="$("${emulator[@]}" "$bench" "$1" --isa "$2" --threads "$3" --runs 1 --warmup 0 --json 2>"$err")"
  status=$?
  set -e
  if [ $status -ne 0 ]; then
    if grep -qE "is not built into this libdyad|is not supported by this CPU" "$err"; then
      rm -f "$err"
      echo skip
      return 0
    fi
    echo "model_digests: $1 on $2 at $3 thread(s) failed:" >&2
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
  sed -n 's/.*"output_fnv1a64": *"\([0-9a-f]\{16\}\)".*/\1/p' <<<"$out"
}

record() {  # FILE MODEL...
  local to="$1"
  shift
  : >"$to"
  for model in "$@"; do
    local d
    d="$(digest "$model" reference 1)"
    [ -n "$d" ] && [ "$d" != skip ] || { echo "model_digests: no reference digest for $model" >&2; exit 1; }
    echo "$(basename "$model") $d" >>"$to"
    echo "$(basename "$model"): reference, 1 thread: $d"
  done
}

check() {  # FILE MODEL...
  local from="$1" failed=0
  shift
  for model in "$@"; do
    local name want ran=()
    name="$(basename "$model")"
    want="$(awk -v n="$name" '$1 == n { print $2 }' "$from")"
    [ -n "$want" ] || { echo "model_digests: $name has no recorded digest in $from" >&2; exit 1; }
    for isa in $paths; do
      for threads in $thread_counts; do
        local got
        got="$(digest "$model" "$isa" "$threads")" || { failed=1; continue; }
        [ "$got" = skip ] && continue
        if [ "$got" != "$want" ]; then
          echo "model_digests: $name: $isa at $threads thread(s) gives $got, recorded $want" >&2
          failed=1
        else
          ran+=("$isa/$threads")
        fi
      done
    done
    [ ${#ran[@]} -gt 0 ] || { echo "model_digests: $name: no path ran" >&2; failed=1; }
    echo "$name: $want on ${ran[*]:-nothing}"
  done
  return $failed
}

case "$mode" in
  record) record "$file" "$@" ;;
  check) check "$file" "$@" ;;
  self)
    tmp="$(mktemp)"
    trap 'rm -f "$tmp"' EXIT
    record "$tmp" "$@"
    check "$tmp" "$@"
    ;;
esac
