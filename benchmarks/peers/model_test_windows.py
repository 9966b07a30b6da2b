#!/usr/bin/env python3
"""Writes N test windows for the shipped model (raw little-endian float32, 4096 samples each, whitened units):
white noise alone, plus sine-Gaussians (40-400 Hz, Q 6) in a third and short broadband bursts in another third,
at amplitudes from 0 up, so some windows are glitches to the model and some are not. Same seed, same bits.
usage: model_test_windows.py OUT.f32 [N=256]"""
import sys

import numpy as np

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 256
rng = np.random.default_rng(5)
w, fs = 4096, 2048
x = rng.standard_normal((n, w))
t = np.arange(w) / fs
for k in range(n):
    a, t0, f0 = 3 * (k % 16), 0.5 + rng.random(), 40 + 360 * rng.random()
    u = t - t0
    if k % 3 == 1:
        x[k] += a * 0.1 * np.exp(-u * u * f0 * f0 / 0.9) * np.sin(2 * np.pi * f0 * u)
    elif k % 3 == 2:
        x[k] += a * 0.3 * np.exp(-u * u / 2e-6)
x.astype("<f4").tofile(out)
