#!/usr/bin/python3
"""Python peers of benchmarks/distance on the same data: RDKit BulkTanimotoSimilarity over rows,
scipy.spatial.distance.cdist/pdist (jaccard, cosine) and numpy matmul for cosine.

Same fingerprints as bench_distance (benchmarks/distance/data/morgan2048.npy replicated to N with
2 extra deterministic bits per copy, see replicate()), same table columns: pairs/s (and FLOP/s for
cosine). Each peer runs on a row subset where a full N x N would take minutes; rates are per pair.

Run: /usr/bin/python3 scripts/bench/distance/peers.py [--n 20000]
"""
import argparse
import os
import time

import numpy as np
from rdkit import DataStructs
from scipy.spatial.distance import cdist, pdist

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def splitmix(x):
    m = (1 << 64) - 1
    x = (x + 0x9E3779B97F4A7C15) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def replicate(n):
    base = np.load(os.path.join(root, "benchmarks", "distance", "data", "morgan2048.npy"))
    bits = np.unpackbits(base.view(np.uint8), axis=1, bitorder="little").astype(bool)
    out = bits[np.arange(n) % len(bits)].copy()
    for r in range(len(bits), n):
        for t in range(2):
            out[r, splitmix(r * 2 + t) % 2048] = True
    return out


def timed(fun):
    t = time.perf_counter()
    fun()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    n = args.n
    bits = replicate(n)
    rows = []

    ebvs = []
    for r in range(n):
        bv = DataStructs.ExplicitBitVect(2048)
        bv.SetBitsFromList(np.flatnonzero(bits[r]).tolist())
        ebvs.append(bv)
    q = 100
    s = timed(lambda: [DataStructs.BulkTanimotoSimilarity(ebvs[i], ebvs) for i in range(q)])
    rows.append(("RDKit BulkTanimotoSimilarity (Python, per row)", q * n / s, None))

    q = 200
    s = timed(lambda: cdist(bits[:q], bits, "jaccard"))
    rows.append(("scipy cdist jaccard (bool)", q * n / s, None))
    m = 2000
    s = timed(lambda: pdist(bits[:m], "jaccard"))
    rows.append(("scipy pdist jaccard (bool)", m * (m - 1) / 2 / s, None))

    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, 2048), dtype=np.float32)

    def cosine_numpy():
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        xn = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
        return xn @ xn.T

    s = timed(cosine_numpy)
    rows.append(("numpy normalise + matmul cosine (float32)", n * n / s, 2.0 * n * n * 2048 / s))
    q = 1000
    s = timed(lambda: cdist(x[:q], x, "cosine"))
    rows.append(("scipy cdist cosine (float32 in, float64 out)", q * n / s, 2.0 * q * n * 2048 / s))

    print(f"N = {n}, Morgan radius 2, 2,048 bits; embeddings {n} x 2048 float32")
    print(f"{'peer':52s} {'pairs/s':>12s} {'GFLOP/s':>10s}")
    for name, rate, flops in rows:
        print(f"{name:52s} {rate / 1e6:10.2f} M {'' if flops is None else f'{flops / 1e9:9.1f}':>10s}")
    print("threads: numpy/OpenBLAS uses its default (all cores) unless OPENBLAS_NUM_THREADS is set")


if __name__ == "__main__":
    main()
