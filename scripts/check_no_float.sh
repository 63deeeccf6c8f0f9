#!/usr/bin/env bash
# check_no_float.sh LIB [OBJDUMP]
#
# Disassembles LIB and fails if it contains any floating-point instruction
# (libdyad must be integer-only, DESIGN.md section 4). The ELF machine picks
# the disassembler (objdump, aarch64-linux-gnu-objdump, arm-linux-gnueabihf-objdump)
# unless OBJDUMP is given.
#
# Flagged (arithmetic, compares, conversions, float constants, float helper calls):
#   x86-64 : add/sub/mul/div/sqrt/min/max/rcp/rsqrt/round/cmp/dp/hadd/hsub/addsub
#            on ss/sd/ps/pd/sh/ph, (u)comis*, every cvt*, every vf* (FMA vf[n]madd/
#            msub*, vfpclass, vfixupimm), AVX-512 float ops (scalef, getexp, getmant,
#            rndscale, range, reduce, rcp14/28, rsqrt14/28, exp2, dpbf16ps),
#            x87 (every f* mnemonic).
#   AArch64: every f* mnemonic except fmov between registers, scvtf/ucvtf,
#            the bfloat16 bfcvt*/bfdot/bfmla*/bfmmla (not the integer bitfield
#            ops bfi/bfxil/bfc/bfm), and fmov with a floating immediate.
#   ARMv7  : every v*.f16/.f32/.f64 mnemonic except register vmov, every vcvt*,
#            vmov.f* with a floating immediate.
#   all    : calls to soft-float / libm helpers (__aeabi_f*, __addsf3, sqrt@plt, ...).
# Allowed (data movement compilers use for integer data): movaps/movups/movss/
#   movsd/movd/movq, xorps/andps/andnps/orps, shufps, unpck*, blend*, insertps,
#   extractps, broadcast, perm; AArch64 fmov between general and SIMD registers
#   or between SIMD registers (a bit copy, no rounding); ARMv7 vmov between
#   core and VFP registers.
#
# Exit: 0 clean, 1 floating-point instructions found (listed as function:
# instruction), 2 usage error or the disassembler failed.
set -uo pipefail

usage() { echo "usage: $0 LIB [OBJDUMP]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
lib=$1
[ -f "$lib" ] || { echo "check_no_float: $lib: no such file" >&2; exit 2; }

machine=$(readelf -h "$lib" 2>/dev/null | sed -n 's/^ *Machine: *//p')
case "$machine" in
  *X86-64*|*80386*) arch=x86; default_objdump=objdump ;;
  *AArch64*)        arch=aarch64; default_objdump=aarch64-linux-gnu-objdump ;;
  ARM)              arch=arm; default_objdump=arm-linux-gnueabihf-objdump ;;
  *) echo "check_no_float: $lib: unsupported or non-ELF file (machine '$machine')" >&2; exit 2 ;;
esac
objdump=${2:-$default_objdump}
command -v "$objdump" >/dev/null 2>&1 || { echo "check_no_float: $objdump not found" >&2; exit 2; }

# Intel syntax on x86 so mnemonics carry no AT&T size suffixes (fldl, cvtsi2sdl).
syntax=()
[ "$arch" = x86 ] && syntax=(-M intel)

disasm=$(mktemp)
trap 'rm -f "$disasm"' EXIT
if ! "$objdump" -d -C --no-show-raw-insn "${syntax[@]}" "$lib" >"$disasm" 2>&1; then
  echo "check_no_float: $objdump failed on $lib:" >&2
  head -5 "$disasm" >&2
  exit 2
fi

awk -v arch="$arch" -v lib="$lib" '
  function is_prefix(t) {
    return t ~ /^(rep|repz|repe|repnz|repne|lock|data16|data32|addr32|bnd|notrack|xacquire|xrelease|cs|ds|es|fs|gs|ss|\{vex\}|\{vex3\}|\{evex\}|rex(\.[wrxb]+)?)$/
  }
  function float_helper_call(ops) {
    return ops ~ /<(__aeabi_([fd][a-z0-9]*|[iul]+2[fd]|[fd]2[a-z0-9]+)|__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sdtx]f[23]|__float[a-z]*|__fix[a-z]*|__extend[a-z0-9]*|__trunc[a-z]*f2|(sqrt|exp|exp2|log|log2|pow|sin|cos|tan|tanh|floor|ceil|round|lround|llround|rint|lrint|frexp|ldexp|fmod)[fl]?(@plt)?)>/
  }
  function x86_float(m) {
    if (m ~ /^v?(add|sub|mul|div|sqrt|min|max|rcp|rsqrt|round|cmp[a-z]*|dp|hadd|hsub|addsub)(ss|sd|ps|pd|sh|ph)$/) return 1
    if (m ~ /^v?u?comis[sdh]$/) return 1
    if (m ~ /^v?cvt/) return 1
    if (m ~ /^vf/) return 1  # FMA, fpclass, fixupimm, complex FP16: every vf* is float
    if (m ~ /^v(scalef|getexp|getmant|rndscale|range|reduce|exp2|rcp14|rcp28|rsqrt14|rsqrt28|dpbf16)/) return 1
    if (m ~ /^f/) return 1  # x87
    return 0
  }
  function aarch64_float(m, ops) {
    if (m == "fmov") return ops ~ /#/  # immediate = a float constant; register fmov is a bit copy
    if (m ~ /^f/) return 1
    if (m ~ /^bf(cvt|dot|mla|mmla)/) return 1  # bfloat16; bfi/bfxil/bfc/bfm are integer bitfield ops
    if (m ~ /^[su]cvtf$/) return 1
    return 0
  }
  function arm_float(m, ops) {
    if (m ~ /^vcvt/) return 1
    if (m ~ /^vmov/) return (m ~ /\.f(16|32|64)$/ && ops ~ /#/)
    if (m ~ /^v[a-z0-9]+\.f(16|32|64)(\.|$)/) return 1
    return 0
  }
  /^[0-9a-f]+ <.*>:$/ {
    func_name = $0
    sub(/^[0-9a-f]+ </, "", func_name)
    sub(/>:$/, "", func_name)
    next
  }
  /^ *[0-9a-f]+:\t/ {
    line = $0
    sub(/^ *[0-9a-f]+:\t/, "", line)
    n = split(line, tok, /[ \t]+/)
    i = 1
    while (i <= n && is_prefix(tok[i])) i++
    if (i > n) next
    m = tok[i]
    if (m == "(bad)" || m ~ /^\./) next  # undecodable bytes, literal-pool .word
    ops = ""
    for (j = i + 1; j <= n; j++) ops = ops " " tok[j]
    scanned++
    bad = 0
    if (arch == "x86") bad = x86_float(m)
    else if (arch == "aarch64") bad = aarch64_float(m, ops)
    else bad = arm_float(m, ops)
    if (!bad && (m ~ /^(call|bl|blx|b|jmp)$/ || m ~ /^b[a-z]*$/ || m ~ /^j/)) bad = float_helper_call(ops)
    if (bad) {
      found++
      printf "  %s: %s\n", func_name, line
    }
  }
  END {
    printf "check_no_float: %s (%s): scanned %d instructions, %d floating-point\n", lib, arch, scanned, found
    if (scanned == 0) { print "check_no_float: no instructions found (empty or stripped text?)" > "/dev/stderr"; exit 2 }
    exit (found > 0 ? 1 : 0)
  }
' "$disasm"
