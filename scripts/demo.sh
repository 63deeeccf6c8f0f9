#!/usr/bin/env bash
# `make demo`: runs dyad on its default model and prints what it found and how fast.
# Called by the Makefile after setup + build (build/release).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN=build/release/tools
OUT=build/demo
mkdir -p "$OUT"

if [ -x "$BIN/dyad-convert" ]; then
  exec bash scripts/demo_blazeface.sh
fi

# Until dyad-convert lands, the default model is the built-in test CNN
# (random weights, 64x64x3 int8 input): it shows the runtime and dyad-bench.
echo "demo: dyad-convert is not built yet, so the BlazeFace demo cannot run;"
echo "demo: running the built-in test CNN instead."
"$BIN/dyad-make-test-model" -o "$OUT/test_cnn.dyad"
"$BIN/dyad-bench" "$OUT/test_cnn.dyad" --runs 50 --warmup 5
