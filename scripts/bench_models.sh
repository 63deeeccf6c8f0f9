#!/usr/bin/env bash
# Whole-model latency table: converts the real models (scripts/fetch_models.sh)
# once into build/bench_models/ — int8 activations (<name>.dyad) and int16
# activations (<name>_w8a16.dyad) — then times each with dyad-bench on every
# kernel path this build and CPU support, at 1 and 2 threads. Prints a
# Markdown table of median latencies (ms) and the 2-thread speed-up.
#   scripts/bench_models.sh [BUILD_DIR] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build/release}"
RUNS="${2:-50}"
BIN="$BUILD/tools"
OUT=build/bench_models
[ -x "$BIN/dyad-bench" ] || { echo "bench_models: $BIN/dyad-bench not built (make build)" >&2; exit 1; }
bash scripts/convert_real_models.sh "$BUILD" "$OUT" >/dev/null
# The model names scripts/convert_real_models.sh writes (<name>.dyad, <name>_w8a16.dyad).
MODELS=(blazeface ppocr_cls mlsd_tiny)

paths=()
for isa in reference avx2 avxvnni avx512vnni neon neondot i8mm; do
  if "$BIN/dyad-bench" "$OUT/blazeface.dyad" --isa "$isa" --runs 1 --warmup 0 >/dev/null 2>&1; then paths+=("$isa"); fi
done

median() {  # model isa threads -> median ms
  "$BIN/dyad-bench" "$OUT/$1.dyad" --isa "$2" --threads "$3" --runs "$RUNS" --warmup 5 --json |
    python3 -c 'import json, sys; print("%.3f" % json.load(sys.stdin)["latency_ms"]["median"])'
}

echo "| model | path | 1 thread (ms) | 2 threads (ms) | speed-up |"
echo "|---|---|---|---|---|"
for base in "${MODELS[@]}"; do
  for name in "$base" "${base}_w8a16"; do
    for isa in "${paths[@]}"; do
      t1="$(median "$name" "$isa" 1)"
      t2="$(median "$name" "$isa" 2)"
      echo "| $name | $isa | $t1 | $t2 | $(python3 -c "print('%.2fx' % ($t1 / $t2))") |"
    done
  done
done
