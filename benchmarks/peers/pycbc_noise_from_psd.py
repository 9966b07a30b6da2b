#!/usr/bin/python3
"""Peer for the whole-run benchmark: PyCBC's noise_from_psd algorithm written in numpy.

PyCBC (pycbc.noise.gaussian.noise_from_psd) calls LAL's XLALSimNoise on segments of N = fs/delta_f samples,
advancing by stride N/2: each call draws a new coloured segment (rfft bins (a + ib) sqrt(S/(4 df)), DC and
Nyquist zeroed, inverse FFT with numpy's normalisation times fs) and cross-fades it into the previous one.
This script does the same with numpy's Generator (PCG64, ziggurat normals, the fastest numpy offers), float64
as PyCBC computes, then writes the strain like `noise simulate --format hdf5` does (GWOSC layout, float32).

usage: pycbc_noise_from_psd.py ASD_FILE DURATION_S OUT.hdf5 [--fs 16384] [--flow 10] [--seed 1] [--seg 4]
"""
import argparse
import os
import time

import h5py
import numpy as np


def noise_from_psd(length, fs, freqs, asd, flow, seed, seg_seconds):
    n = int(seg_seconds * fs)            # PyCBC: N = 1 / (delta_t * psd.delta_f)
    stride = n // 2
    df = fs / n
    f = np.arange(n // 2 + 1) * df
    psd = np.exp(np.interp(np.log(np.maximum(f, 1e-3)), np.log(np.maximum(freqs, 1e-3)), np.log(asd))) ** 2
    psd[f < flow] = 0.0
    psd[0] = psd[-1] = 0.0
    sigma = np.sqrt(psd / (4.0 * df))
    rng = np.random.default_rng(seed)
    # LAL's cross-fade weights over the overlapping half
    j = np.arange(n - stride)
    w_old = np.cos(np.pi * j / (2.0 * (n - stride)))
    w_new = np.sin(np.pi * j / (2.0 * (n - stride)))

    def segment():
        bins = (rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)) * sigma
        return np.fft.irfft(bins, n) * fs

    out = np.empty(length, dtype=np.float64)
    seg = segment()
    done = 0
    while done < length:
        take = min(stride, length - done)
        out[done:done + take] = seg[:take]
        done += stride
        new = segment()
        tail = seg[stride:]
        seg = new
        seg[: n - stride] = w_old * tail + w_new * new[: n - stride]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("asd")
    ap.add_argument("duration", type=float)
    ap.add_argument("out")
    ap.add_argument("--fs", type=int, default=16384)
    ap.add_argument("--flow", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seg", type=float, default=4.0, help="segment length in seconds (1/psd.delta_f)")
    ap.add_argument("--gps", type=float, default=1238166018)
    a = ap.parse_args()
    t0 = time.perf_counter()
    d = np.loadtxt(a.asd)
    x = noise_from_psd(int(a.duration * a.fs), a.fs, d[:, 0], d[:, 1], a.flow, a.seed, a.seg)
    t1 = time.perf_counter()
    tmp = a.out + ".partial"
    with h5py.File(tmp, "w") as h:
        s = h.create_dataset("strain/Strain", data=x.astype(np.float32), chunks=(min(len(x), 65536),))
        s.attrs["Xstart"] = a.gps
        s.attrs["Xspacing"] = 1.0 / a.fs
        s.attrs["Xunits"] = "second"
        h["meta/GPSstart"] = int(a.gps)
        h["meta/Duration"] = int(a.duration)
        h["meta/Detector"] = "V1"
    os.replace(tmp, a.out)
    t2 = time.perf_counter()
    print(f"peer: generated {len(x)} samples in {t1 - t0:.2f} s, wrote in {t2 - t1:.2f} s, total {t2 - t0:.2f} s")


if __name__ == "__main__":
    main()
