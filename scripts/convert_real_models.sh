#!/usr/bin/env bash
# Converts the three real models (scripts/fetch_models.sh) with dyad-convert,
# with the calibration arguments the real-model tests use (scripts/real_models.sh)
# and one held-out photograph for the report, into OUT_DIR:
# <name>.dyad (int8 activations) and <name>_w8a16.dyad (--activations int16).
# A file is reconverted when its model or dyad-convert is newer than it.
# Prints the written paths, one per line, on stdout.
#   scripts/convert_real_models.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build/release}"
OUT="${2:-build/bench_models}"
CONVERT="$BUILD/tools/dyad-convert"
[ -x "$CONVERT" ] || { echo "convert_real_models: $CONVERT not built (make build)" >&2; exit 1; }
mkdir -p "$OUT"
MODELS_DIR=build/models
bash scripts/fetch_models.sh "$MODELS_DIR" >/dev/null

# shellcheck source=scripts/real_models.sh
source scripts/real_models.sh
for entry in "${REAL_MODELS[@]}"; do
  IFS='|' read -r name file args <<<"$entry"
  for act in int8 int16; do
    suffix=""
    [ "$act" = int16 ] && suffix=_w8a16
    out="$OUT/$name$suffix.dyad"
    if [ ! -f "$out" ] || [ "$MODELS_DIR/$file" -nt "$out" ] || [ "$CONVERT" -nt "$out" ]; then
      echo "converting $file ($act activations)" >&2
      # shellcheck disable=SC2086
      "$CONVERT" "$MODELS_DIR/$file" -o "$out" $args --activations "$act" --eval data/test_images \
        --eval-count 1 -q
    fi
    echo "$out"
  done
done
