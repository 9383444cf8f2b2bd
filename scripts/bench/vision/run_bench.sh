#!/bin/sh
# One benchmarks/vision run (C++ and the Python peer interleaved in the same Google Benchmark run)
# plus its ratio table. Usage: scripts/bench/vision/run_bench.sh BUILD_DIR OUT.json [benchmark flags]
# The Python peer inherits the environment, so OMP_WAIT_POLICY (see docs/vision.md) applies to
# both sides alike.
set -eu
build=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-<unset>}"
echo "before: $(uptime)"
"$build/benchmarks/vision/bench_vision" --benchmark_out="$out" --benchmark_out_format=json "$@"
echo "after:  $(uptime)"
/usr/bin/python3 "$here/ratio_table.py" "$out"
