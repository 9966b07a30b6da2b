#!/usr/bin/env python3
"""Independent check of generated strain against its target ASD: Welch (scipy, median average, 4 s Hann
segments) of a raw float32 file, and the median ratio measured/target in bands. Lines and glitches in the
full scenario push a few bins up; the band medians should sit near 1.

usage: check_raw_asd.py RAW_F32 ASD_FILE [--fs 16384] [--flow 10]   prints one JSON line
"""
import argparse
import json

import numpy as np
from scipy.signal import welch

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("raw")
ap.add_argument("asd")
ap.add_argument("--fs", type=int, default=16384)
ap.add_argument("--flow", type=float, default=10.0)
a = ap.parse_args()
x = np.fromfile(a.raw, dtype=np.float32).astype(np.float64)
f, p = welch(x, fs=a.fs, nperseg=4 * a.fs, average="median")
d = np.loadtxt(a.asd)
target = np.exp(np.interp(np.log(np.maximum(f, 1e-3)), np.log(d[:, 0]), np.log(d[:, 1])))
ratio = np.sqrt(p) / target
bands = [(20, 50), (50, 100), (100, 300), (300, 1000), (1000, 4000), (4000, 7000)]
out = {"samples": int(x.size), "finite": bool(np.isfinite(x).all()),
       "median_asd_ratio_by_band": {f"{lo}-{hi}": float(np.median(ratio[(f >= lo) & (f < hi)])) for lo, hi in bands}}
print(json.dumps(out))
