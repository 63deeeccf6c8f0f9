#!/usr/bin/env bash
# expect_exit.sh CODE [--stderr REGEX] [--stdout REGEX] -- COMMAND [ARGS...]
# Runs COMMAND and passes only if it exits with CODE (a death by signal always
# fails) and, when given, its stderr / stdout match the extended regexes.
set -u
usage() { echo "usage: $0 CODE [--stderr REGEX] [--stdout REGEX] -- COMMAND..." >&2; exit 2; }
[ $# -ge 3 ] || usage
want=$1; shift
stderr_re=""; stdout_re=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    --stderr) stderr_re=$2; shift 2 ;;
    --stdout) stdout_re=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ "${1:-}" = "--" ] || usage
shift

out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
code=$?
status=0
if [ $code -ge 128 ]; then
  echo "FAIL: killed by signal $((code - 128)): $*"; status=1
elif [ $code -ne "$want" ]; then
  echo "FAIL: exit $code, expected $want: $*"; status=1
fi
if [ -n "$stderr_re" ] && ! grep -Eq -- "$stderr_re" "$err"; then
  echo "FAIL: stderr does not match /$stderr_re/"; status=1
fi
if [ -n "$stdout_re" ] && ! grep -Eq -- "$stdout_re" "$out"; then
  echo "FAIL: stdout does not match /$stdout_re/"; status=1
fi
if [ $status -ne 0 ]; then
  echo "--- stdout"; head -40 "$out"; echo "--- stderr"; head -40 "$err"
else
  echo "ok: exit $code: $*"
fi
exit $status
