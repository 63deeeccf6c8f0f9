#!/usr/bin/env bash
# BlazeFace demo (called by scripts/demo.sh once dyad-convert is built):
# fetch the model, convert it calibrated on the bundled photographs (int8
# activations, and int16 activations: W8A16), run both .dyad files and the
# float ONNX on a face photograph, print the faces each one finds, then time
# the .dyad models with dyad-bench.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="${DYAD_BIN:-build/release/tools}"
OUT=build/demo
IMAGE="${1:-data/test_images/astronaut.png}"
mkdir -p "$OUT"

MODEL="$(bash scripts/fetch_models.sh build/models | grep blazeface_front_128.onnx)"
for act in int8 int16; do
  suffix=$([ "$act" = int8 ] && echo "" || echo "_w8a16")
  echo "== converting $MODEL ($act activations; calibration: data/images)"
  "$BIN/dyad-convert" "$MODEL" -o "$OUT/blazeface$suffix.dyad" --activations "$act" --calib data/images --calib-windows 8 \
    --calib-count 24 --eval data/test_images --eval-count 4 --input-mean 127.5 --input-std 127.5 \
    --report "$OUT/blazeface${suffix}_report.json"
done

echo "== running on $IMAGE"
rm -rf "$OUT/int8" "$OUT/int16" "$OUT/float"
"$BIN/dyad-run" "$OUT/blazeface.dyad" --input "$IMAGE" --output-dir "$OUT/int8"
"$BIN/dyad-run" "$OUT/blazeface_w8a16.dyad" --input "$IMAGE" --output-dir "$OUT/int16"
"$BIN/dyad-run" "$MODEL" --float --input-mean 127.5 --input-std 127.5 --input "$IMAGE" --output-dir "$OUT/float"

# Decode: outputs 0/1 are score logits for the stride-8 (16x16x2 = 512) and
# stride-16 (8x8x6 = 384) anchors, outputs 2/3 their 16 box/keypoint values.
python3 - "$OUT/int8" "$OUT/int16" "$OUT/float" <<'PY'
import math, struct, sys

def load(path):
    with open(path, 'rb') as f:
        data = f.read()
    hlen = struct.unpack('<H', data[8:10])[0]
    header = data[10:10 + hlen].decode()
    shape = tuple(int(x) for x in header.split('(')[1].split(')')[0].split(',') if x.strip())
    n = 1
    for d in shape:
        n *= d
    return shape, struct.unpack('<%df' % n, data[10 + hlen:10 + hlen + 4 * n])

def anchors():
    out = []
    for grid, per in ((16, 2), (8, 6)):
        for y in range(grid):
            for x in range(grid):
                for _ in range(per):
                    out.append(((x + 0.5) / grid, (y + 0.5) / grid))
    return out

def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0

def faces(folder, threshold=0.5):
    s8, s16 = load(folder + '/output_0.npy')[1], load(folder + '/output_1.npy')[1]
    r8, r16 = load(folder + '/output_2.npy')[1], load(folder + '/output_3.npy')[1]
    scores = list(s8) + list(s16)
    regs = list(r8) + list(r16)
    found = []
    for k, (ax, ay) in enumerate(anchors()):
        score = 1.0 / (1.0 + math.exp(-max(-100.0, min(100.0, scores[k]))))
        if score < threshold:
            continue
        r = regs[16 * k:16 * k + 16]
        cx, cy = ax + r[0] / 128.0, ay + r[1] / 128.0
        w, h = r[2] / 128.0, r[3] / 128.0
        found.append((score, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    found.sort(key=lambda f: -f[0])
    kept = []
    for f in found:
        if all(iou(f[1], k[1]) < 0.3 for k in kept):
            kept.append(f)
    return kept

int8, int16, flt = faces(sys.argv[1]), faces(sys.argv[2]), faces(sys.argv[3])
def show(name, fs):
    print('%-6s %d face(s)' % (name, len(fs)))
    for score, b in fs:
        print('       box (x0 %.3f, y0 %.3f, x1 %.3f, y1 %.3f) of the 128x128 input, score %.3f' % (b + (score,)))
show('int8', int8)
show('int16', int16)
show('float', flt)
for name, fs in (('int8', int8), ('int16', int16)):
    for score, b in fs:
        best = max((iou(b, f[1]) for f in flt), default=0.0)
        print('%s face at score %.3f: IoU with the closest float face %.3f' % (name, score, best))
PY

if [ -x "$BIN/dyad-bench" ]; then
  echo "== latency, int8 activations (dyad-bench)"
  "$BIN/dyad-bench" "$OUT/blazeface.dyad" --runs 50 --warmup 5
  echo "== latency, int16 activations (dyad-bench)"
  "$BIN/dyad-bench" "$OUT/blazeface_w8a16.dyad" --runs 50 --warmup 5
fi
