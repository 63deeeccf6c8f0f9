#!/usr/bin/env bash
# Installs every Debian package dyad's build, tests, benchmarks and demo need.
# Idempotent; run as root (or through sudo) on Debian 12.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates binutils
  clang libclang-rt-14-dev llvm
  libflatbuffers-dev flatbuffers-compiler
  libcpuinfo-dev libpthreadpool-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libxnnpack-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  libgemmlowp-dev
  libsimde-dev
  nlohmann-json3-dev libcli11-dev libstb-dev
  g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user
  nodejs npm
  python3
)

missing=()
for p in "${PKGS[@]}"; do
  # nodejs may come from a non-Debian build that already provides npm.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
