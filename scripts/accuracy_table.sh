#!/usr/bin/env bash
# Accuracy of the three real models for each calibration method, with int8
# activations, int16 activations (W8A16) and int16 activations with split
# weights (--weights int16, W16A16): converts each with dyad-convert
# --report (calibration and held-out data as in
# tests/converter_quant/real_models_test.cc) and prints a Markdown table per
# mode of per-output SQNR (dB) / cosine against the float model, plus
# conversion time and .dyad vs ONNX size with each mode's default method.
#   scripts/accuracy_table.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="${1:-build/release}/tools"
OUT=build/accuracy
mkdir -p "$OUT"
bash scripts/fetch_models.sh build/models >/dev/null

# shellcheck source=scripts/real_models.sh
source scripts/real_models.sh
for entry in "${REAL_MODELS[@]}"; do
  IFS='|' read -r name file args <<<"$entry"
  for mode in "int8|--activations int8" "int16|--activations int16" "w16a16|--activations int16 --weights int16"; do
    IFS='|' read -r act flags <<<"$mode"
    for method in minmax percentile entropy mse; do
      echo "converting $name ($act, $method)" >&2
      # shellcheck disable=SC2086
      "$BIN/dyad-convert" "build/models/$file" -o "$OUT/${name}_${act}_$method.dyad" $args \
        $(real_model_eval_args "$name") $flags \
        --calib-method "$method" --report "$OUT/${name}_${act}_$method.json" -q
    done
  done
done
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
models = ["blazeface", "ppocr_cls", "mlsd_tiny"]
methods = ["minmax", "percentile", "entropy", "mse"]
default = {"int8": "percentile", "int16": "minmax", "w16a16": "minmax"}
label = {"int8": "int8 activations", "int16": "int16 activations (W8A16)",
         "w16a16": "int16 activations, split int16 weights (W16A16)"}
for act in ["int8", "int16", "w16a16"]:
  print("%s:\n" % label[act])
  print("| model | output | " + " | ".join(methods) + " |")
  print("|---|---|" + "---|" * len(methods))
  for m in models:
    reports = {k: json.load(open("%s/%s_%s_%s.json" % (out, m, act, k))) for k in methods}
    for i, o in enumerate(reports["percentile"]["outputs"]):
      cells = []
      for k in methods:
        e = reports[k]["outputs"][i]
        top1 = e.get("top1_agreement")
        cells.append("%.1f / %.4f%s" % (e["sqnr_db"], e["cosine"], "" if top1 is None else ", top-1 %.1f%%" % (100 * top1)))
      print("| %s | %s | %s |" % (m, o["name"], " | ".join(cells)))
  print()
print("| model | mode (default method) | conversion (s) | .dyad bytes | ONNX bytes | calibration / held-out samples |")
print("|---|---|---|---|---|---|")
for m in models:
  for act in ["int8", "int16", "w16a16"]:
    r = json.load(open("%s/%s_%s_%s.json" % (out, m, act, default[act])))
    print("| %s | %s (%s) | %.1f | %d | %d | %d / %d |" % (m, act, default[act], r["seconds"], r["dyad_bytes"],
                                                         r["onnx_bytes"], r["calibration_samples"], r["evaluation_samples"]))
PY
