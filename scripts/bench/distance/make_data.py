#!/usr/bin/python3
"""Writes benchmarks/distance/data/morgan2048.npy: Morgan fingerprints (radius 2, 2,048 bits,
RDKit) of 4,000 drug-like molecules (molecules.py), packed as uint64 words (4,000 x 32), and the
SMILES beside it. The benchmarks replicate these rows to larger N (see benchmarks/distance/data.hpp).

Run: /usr/bin/python3 scripts/bench/distance/make_data.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import molecules  # noqa: E402

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
out_dir = os.path.join(root, "benchmarks", "distance", "data")
os.makedirs(out_dir, exist_ok=True)
smiles = molecules.molecules(limit=4000)
fps = molecules.morgan_bits(smiles)
np.save(os.path.join(out_dir, "morgan2048.npy"), molecules.pack(fps))
with open(os.path.join(out_dir, "molecules.smi"), "w") as f:
    f.write("\n".join(smiles) + "\n")
counts = np.array([fp.GetNumOnBits() for fp in fps])
print(f"{len(smiles)} molecules, bits set: mean {counts.mean():.1f}, min {counts.min()}, max {counts.max()}")
