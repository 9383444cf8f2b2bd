#!/usr/bin/python3
"""Ratio table of one benchmarks/vision run (Google Benchmark JSON, --benchmark_out=FILE).

For each step (decode + transform, forward, end to end) prints the median and minimum wall time
per batch and the median process CPU time per batch of the C++ and the Python side, and the
ratio Python / C++ (> 1: C++ faster). Repetitions are interleaved in random order by the
benchmark, so both sides saw the same machine load.

Run: /usr/bin/python3 scripts/bench/vision/ratio_table.py bench_vision.json
"""
import json
import statistics
import sys

doc = json.load(open(sys.argv[1]))
runs = {}
for b in doc["benchmarks"]:
    if b.get("run_type") != "iteration" or b.get("error_occurred"):
        continue
    name = b["run_name"].split("/iterations")[0]
    runs.setdefault(name, []).append((b["real_time"] / 1000.0, b.get("cpu_s", float("nan"))))

ctx = doc["context"]
print(f"host: {ctx.get('host_name', '?')}, {ctx.get('num_cpus')} CPUs, load average when the benchmarks started "
      f"{ctx.get('load_average_at_start', ctx.get('load_avg'))}")
print(f"embedding max |C++ - Python|: {ctx.get('embedding_max_abs_diff_cpp_vs_python')}; peer: {ctx.get('python_peer')}")
print()
print("| step | C++ median wall (min) | Python median wall (min) | Python/C++ wall | C++ CPU | Python CPU | reps |")
print("|---|---|---|---|---|---|---|")
pairs = [("decode + transform", "BM_decode_transform_cpp", "BM_decode_transform_python"),
         ("forward (same input)", "BM_forward_cpp", "BM_forward_python"),
         ("end to end", "BM_embed_cpp_libtorch", "BM_embed_python_pytorch")]
for label, c, p in pairs:
    if c not in runs or p not in runs:
        continue
    cw = [r[0] for r in runs[c]]
    pw = [r[0] for r in runs[p]]
    cc = statistics.median(r[1] for r in runs[c])
    pc = statistics.median(r[1] for r in runs[p])
    print(f"| {label} | {statistics.median(cw):.3f} s ({min(cw):.3f}) | {statistics.median(pw):.3f} s ({min(pw):.3f}) "
          f"| {statistics.median(pw) / statistics.median(cw):.2f}x | {cc:.2f} s | {pc:.2f} s | {len(cw)}/{len(pw)} |")
for name in sorted(runs):
    if name.startswith("BM_embed_stream_cpp"):
        w = [r[0] for r in runs[name]]
        print(f"| C++ 4 batches, {name.split('/', 1)[1].replace('/', ' ')} | {statistics.median(w):.3f} s (min {min(w):.3f}) "
              f"| | | {statistics.median(r[1] for r in runs[name]):.2f} s | | {len(w)} |")
