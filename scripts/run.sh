#!/usr/bin/env bash
# cell2structure's one-stop command (see README.md):
#   scripts/run.sh main   install missing Debian packages, build, run the main job on the bundled BBBC021 data
#   scripts/run.sh test   install missing Debian packages, build, run the whole test suite (ctest), then the
#                         core tests once more under AddressSanitizer + UndefinedBehaviorSanitizer
# Environment: C2S_BUILD_DIR (default build), C2S_JOBS (default nproc), C2S_SKIP_INSTALL=1 to skip apt-get.
set -euo pipefail

mode=${1:-}
case "$mode" in
  main|test) ;;
  *) echo "usage: scripts/run.sh main|test" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${C2S_BUILD_DIR:-build}
jobs=${C2S_JOBS:-$(nproc)}

# Build and run-time dependencies, all from Debian 12 (see docs/dependencies.md for why each is here).
packages=(build-essential cmake pkg-config git
          libeigen3-dev libboost-dev zlib1g-dev libopenblas-dev
          librdkit-dev python3-rdkit libtorch-dev libtiff-dev libcairo2-dev
          doctest-dev libbenchmark-dev)

install_missing() {
  [ "${C2S_SKIP_INSTALL:-0}" = 1 ] && return 0
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "-- all ${#packages[@]} Debian packages are installed"
    return 0
  fi
  echo "-- installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$build" -j "$jobs"
}

install_missing
configure_and_build

# libgomp threads otherwise spin after every parallel region of a LibTorch forward pass, which
# costs a lot on shared or small machines (docs/vision.md); set OMP_WAIT_POLICY to override.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

if [ "$mode" = main ]; then
  exec "$build/bin/c2s-bbbc021" --threads "$jobs"
fi

# Full test suite.
(cd "$build" && ctest --output-on-failure -j "$jobs")

# The core components once more under ASan + UBSan (no RDKit/LibTorch: those libraries are not
# instrumented; the install and header checks are not repeated).
asan="${build}-sanitize"
cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DC2S_SANITIZE=ON -DC2S_WITH_CHEM=OFF \
      -DC2S_WITH_VISION=OFF -DC2S_BUILD_TOOLS=OFF -DC2S_BUILD_BENCHMARKS=OFF \
      -DC2S_COMPONENTS="core;io;data;distance;split;batch;profile"
cmake --build "$asan" -j "$jobs"
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j "$jobs")
