#!/usr/bin/python3
"""PyTorch-in-Python peer of benchmarks/vision: the same end-to-end embedding pipeline on the same
synthetic BBBC021 fields (index CSV + 16-bit TIFFs written by the benchmark binary).

Per batch: decode the DAPI/Tubulin/Actin TIFFs (PIL, a thread pool of --threads), /65535, per-image
0.1/99.9 percentile scaling (torch.quantile), torchvision resize(299, antialias=True), ImageNet
normalize, torchvision inception_v3 (eval, no_grad) up to the 2048-d pooled layer (forward hook,
logits also computed as in the C++ run which stops at avgpool -> we use the same stop: fc=Identity).

Prints one line: JSON {"seconds": [per-iteration wall seconds], "images": n}.
Run: /usr/bin/python3 scripts/bench/vision/embed_torch.py --root DIR --batch 8 --threads 2 --iters 3
"""
import argparse
import csv
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument("--root", required=True)
p.add_argument("--batch", type=int, default=8)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--iters", type=int, default=3)
p.add_argument("--size", type=int, default=299)
p.add_argument("--device", default="cpu")
p.add_argument("--bf16", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)

rows = []
with open(os.path.join(a.root, "BBBC021_v1_image.csv")) as f:
    for r in csv.DictReader(f):
        rows.append([os.path.join(a.root, r[f"Image_PathName_{c}"], r[f"Image_FileName_{c}"])
                     for c in ("DAPI", "Tubulin", "Actin")])
rows = rows[: a.batch]

model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
model.fc = torch.nn.Identity()  # read the 2048-d pooled layer, like the C++ run
model.eval()
dtype = torch.bfloat16 if a.bf16 else torch.float32
model = model.to(a.device, dtype)
pool = ThreadPoolExecutor(a.threads)


def decode(files):
    x = torch.from_numpy(np.stack([np.array(Image.open(f), dtype=np.float32) for f in files])) / 65535.0
    flat = x.reshape(3, -1)
    lo = torch.quantile(flat, 0.001, dim=1).view(3, 1, 1)
    hi = torch.quantile(flat, 0.999, dim=1).view(3, 1, 1)
    x = ((x - lo) / torch.clamp(hi - lo, min=1e-6)).clamp(0, 1)
    x = TF.resize(x, [a.size, a.size], antialias=True)
    return TF.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def run_once():
    batch = torch.stack(list(pool.map(decode, rows))).to(a.device, dtype)
    with torch.no_grad():
        out = model(batch)
    if a.device.startswith("cuda"):
        torch.cuda.synchronize()
    return out


run_once()  # warm-up
secs = []
for _ in range(a.iters):
    t = time.perf_counter()
    run_once()
    secs.append(time.perf_counter() - t)
print(json.dumps({"seconds": secs, "images": len(rows)}))
