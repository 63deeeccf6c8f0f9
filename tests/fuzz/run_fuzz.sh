#!/usr/bin/env bash
# Runs the libFuzzer target over load+run for a fixed time from a fresh seed corpus.
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS
# Exits non-zero (and keeps the crashing input in BUILD_DIR/fuzz-artifacts) on a finding.
set -euo pipefail
BUILD="$1"
SECONDS_TO_RUN="${2:-60}"
FUZZ="$BUILD/tests/fuzz"
CORPUS="$BUILD/fuzz-corpus"
ARTIFACTS="$BUILD/fuzz-artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
"$FUZZ/make_seed_corpus" "$CORPUS"
start=$(date +%s)
set +e
"$FUZZ/dyad_fuzz_load_run" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" "$CORPUS" 2>&1 | tail -25
status=${PIPESTATUS[0]}
set -e
echo "fuzz: ran $(( $(date +%s) - start )) s, corpus $(ls "$CORPUS" | wc -l) inputs, exit $status"
exit "$status"
