#!/usr/bin/python3
"""PyTorch-in-Python peer of benchmarks/vision: the same embedding pipeline on the same synthetic
BBBC021 fields (index CSV + 16-bit TIFFs written by the benchmark binary), the same model weights,
batch and thread count.

Per batch: decode the DAPI/Tubulin/Actin TIFFs (PIL, a thread pool of --threads), /65535, per-image
0.1/99.9 percentile scaling (torch.quantile, linear interpolation), torchvision
resize(299, antialias=True), ImageNet normalize, torchvision inception_v3 (eval, no_grad) up to the
2048-d pooled layer (fc = Identity; the C++ run stops at avgpool). The weights are filled exactly as
c2s::vision::init_seeded(model, 1) does (He normal from a CPU generator seeded 1, in named_parameters
order; batch norm identity), so both sides run the same network: the embeddings of the first batch
are written to --dump for the C++ benchmark to compare.

Modes:
  one-shot: --iters N  -> prints {"wall": [...], "cpu": [...]} for N end-to-end batches.
  --serve             -> after setup and a warm-up prints {"ready": ...}; then reads lines
                         "<what> <n>" (what: embed | decode | forward) from stdin and answers each
                         with one JSON line {"wall": [...], "cpu": [...]} (seconds per iteration;
                         cpu = process CPU time, all threads). "quit" ends.
forward runs the model on the tensor in --input (raw float32 [batch, 3, size, size], written by
the C++ benchmark from its own decoded batch), so both sides time the forward on the same input.
"""
import argparse
import csv
import json
import math
import os
import sys
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
p.add_argument("--input", help="raw float32 [batch, 3, size, size] for the forward-only timing")
p.add_argument("--dump", help="write the first batch's embeddings here (.npy)")
p.add_argument("--serve", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)

rows = []
with open(os.path.join(a.root, "BBBC021_v1_image.csv")) as f:
    for r in csv.DictReader(f):
        rows.append([os.path.join(a.root, r[f"Image_PathName_{c}"], r[f"Image_FileName_{c}"])
                     for c in ("DAPI", "Tubulin", "Actin")])
rows = rows[: a.batch]

model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
gen = torch.Generator().manual_seed(1)
with torch.no_grad():  # = c2s::vision::init_seeded(model, 1)
    for name, q in model.named_parameters():
        if q.dim() >= 2:
            q.normal_(0.0, math.sqrt(2.0 / (q.numel() / q.size(0))), generator=gen)
        elif name.endswith("bn.weight"):
            q.fill_(1.0)
        else:
            q.zero_()
    for name, b in model.named_buffers():
        if name.endswith("running_var"):
            b.fill_(1.0)
        elif b.is_floating_point():
            b.zero_()
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
    hi = torch.maximum(hi, lo + 1e-6)
    x = ((x - lo) / (hi - lo)).clamp(0, 1)
    x = TF.resize(x, [a.size, a.size], antialias=True)
    return TF.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def decode_batch():
    return torch.stack(list(pool.map(decode, rows)))


def forward(batch):
    with torch.no_grad():
        out = model(batch.to(a.device, dtype))
    if a.device.startswith("cuda"):
        torch.cuda.synchronize()
    return out


fixed_input = None
if a.input:
    fixed_input = torch.from_numpy(np.fromfile(a.input, dtype=np.float32).reshape(len(rows), 3, a.size, a.size))

work = {"embed": lambda: forward(decode_batch()), "decode": decode_batch, "forward": lambda: forward(fixed_input)}


def timed(what, n):
    wall, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        work[what]()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"wall": wall, "cpu": cpu}


first = work["embed"]()  # warm-up
if a.dump:
    np.save(a.dump, first.float().cpu().numpy())
if fixed_input is not None:
    work["forward"]()

if not a.serve:
    print(json.dumps(timed("embed", a.iters)))
    sys.exit(0)

print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                  "interop_threads": torch.get_num_interop_threads(),
                  "mkldnn": torch.backends.mkldnn.is_available(), "images": len(rows)}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts or parts[0] == "quit":
        break
    try:
        print(json.dumps(timed(parts[0], int(parts[1]))), flush=True)
    except Exception as e:  # report, keep serving
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
