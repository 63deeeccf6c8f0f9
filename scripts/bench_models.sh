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
mkdir -p "$OUT"
for tool in dyad-convert dyad-bench; do
  [ -x "$BIN/$tool" ] || { echo "bench_models: $BIN/$tool not built (make build)" >&2; exit 1; }
done
MODELS_DIR=build/models
bash scripts/fetch_models.sh "$MODELS_DIR" >/dev/null

# name | onnx file | dyad-convert arguments (the ones the real-model tests use)
MODELS=(
  "blazeface|blazeface_front_128.onnx|--calib data/images --calib-windows 8 --calib-count 24 --input-mean 127.5 --input-std 127.5"
  "ppocr_cls|ppocr_mobile_v2_cls.onnx|--calib data/text_lines/calib --calib-count 48 --input-shape x:1x3x48x192 --input-mean 127.5 --input-std 127.5"
  "mlsd_tiny|mlsd_320_tiny.onnx|--calib data/images --calib-count 6"
)
for entry in "${MODELS[@]}"; do
  IFS='|' read -r name file args <<<"$entry"
  for act in int8 int16; do
    suffix=""
    [ "$act" = int16 ] && suffix=_w8a16
    out="$OUT/$name$suffix.dyad"
    # Reconverted when the model or the converter is newer than the file.
    if [ ! -f "$out" ] || [ "$MODELS_DIR/$file" -nt "$out" ] || [ "$BIN/dyad-convert" -nt "$out" ]; then
      echo "converting $file ($act activations)" >&2
      # shellcheck disable=SC2086
      "$BIN/dyad-convert" "$MODELS_DIR/$file" -o "$out" $args --activations "$act" --eval data/test_images \
        --eval-count 1 -q
    fi
  done
done

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
for entry in "${MODELS[@]}"; do
  IFS='|' read -r base _ _ <<<"$entry"
  for name in "$base" "${base}_w8a16"; do
    for isa in "${paths[@]}"; do
      t1="$(median "$name" "$isa" 1)"
      t2="$(median "$name" "$isa" 2)"
      echo "| $name | $isa | $t1 | $t2 | $(python3 -c "print('%.2fx' % ($t1 / $t2))") |"
    done
  done
done
