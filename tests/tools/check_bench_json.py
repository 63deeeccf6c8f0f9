#!/usr/bin/env python3
"""check_bench_json.py [--expect-ops N] -- COMMAND...: runs `dyad-bench ... --json` and checks
that it exits 0 and prints one JSON object with every documented key, with
sane values (latency ordered, shares summing to 1, one entry per op)."""
import json
import math
import subprocess
import sys


def fail(message, proc=None):
    print("FAIL:", message)
    if proc is not None:
        print("--- stdout\n" + proc.stdout[:4000] + "\n--- stderr\n" + proc.stderr[:4000])
    sys.exit(1)


def main():
    args = sys.argv[1:]
    expect_ops = None
    if len(args) >= 2 and args[0] == "--expect-ops":
        expect_ops = int(args[1])
        args = args[2:]
    if len(args) < 2 or args[0] != "--":
        print("usage: check_bench_json.py [--expect-ops N] -- COMMAND...", file=sys.stderr)
        return 2
    proc = subprocess.run(args[1:], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        fail("exit status %d" % proc.returncode, proc)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        fail("stdout is not JSON: %s" % e, proc)
    if not isinstance(report, dict):
        fail("top level is not an object", proc)

    numbers = ["load_ms", "first_run_ms", "arena_bytes", "weights_bytes", "threads"]
    for key in numbers + ["latency_ms", "isa", "ops"]:
        if key not in report:
            fail("missing key %r" % key, proc)
    for key in numbers:
        value = report[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            fail("%s is not a non-negative number: %r" % (key, value), proc)
    digest = report.get("output_fnv1a64")
    if not isinstance(digest, str) or len(digest) != 16 or any(c not in "0123456789abcdef" for c in digest):
        fail("output_fnv1a64 is not 16 hex digits: %r" % (digest,), proc)
    if not isinstance(report.get("output_bytes"), int) or report["output_bytes"] <= 0:
        fail("output_bytes is not a positive integer: %r" % (report.get("output_bytes"),), proc)
    if not isinstance(report["isa"], str) or not report["isa"]:
        fail("isa is empty", proc)
    if report["weights_bytes"] <= 0:
        fail("weights_bytes is 0 for a model with weights", proc)
    lat = report["latency_ms"]
    for key in ("min", "median", "p90"):
        if not isinstance(lat.get(key), (int, float)):
            fail("latency_ms.%s missing" % key, proc)
    if not (0 <= lat["min"] <= lat["median"] <= lat["p90"]):
        fail("latency not ordered min <= median <= p90: %r" % lat, proc)

    ops = report["ops"]
    if not isinstance(ops, list) or not ops:
        fail("ops is not a non-empty list", proc)
    if expect_ops is not None and len(ops) != expect_ops:
        fail("%d ops, expected %d" % (len(ops), expect_ops), proc)
    share_sum = 0.0
    for op in ops:
        for key in ("name", "type", "kernel", "shape", "macs", "ms", "share"):
            if key not in op:
                fail("op %r misses %r" % (op.get("name"), key), proc)
        for key in ("name", "type", "kernel", "shape"):
            if not isinstance(op[key], str) or not op[key]:
                fail("op %r: %s is empty" % (op.get("name"), key), proc)
        if op["macs"] < 0 or op["ms"] < 0 or not (0 <= op["share"] <= 1):
            fail("op %r has out-of-range numbers" % op["name"], proc)
        share_sum += op["share"]
    if sum(op["ms"] for op in ops) > 0 and not math.isclose(share_sum, 1.0, abs_tol=1e-6):
        fail("op shares sum to %f, not 1" % share_sum, proc)

    print("ok: %d ops, isa %s, median %.3f ms" % (len(ops), report["isa"], lat["median"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
