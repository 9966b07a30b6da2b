#!/usr/bin/env python3
"""GPU peer for the twin's CUDA throughput: PyCBC's noise_from_psd algorithm (the same as
pycbc_noise_from_psd.py: segments of N = seg*fs samples with Gaussian bins scaled by sqrt(S/(4 df)), inverse
real FFT times fs, stride N/2 with LAL's cosine/sine cross-fade) written in PyTorch on CUDA, float32 as the
twin computes, batched: every block of B segments is one randn, one batched irfft and one vectorised
cross-fade. Like the twin's benchmark it delivers each block to host memory (pinned) and does nothing more.

usage: torch_noise_from_psd.py ASD_FILE DURATION_S [--fs 16384] [--flow 10] [--seg 4] [--block 64] [--repeats 3]
prints one JSON line: duration, best wall time with and without the copy to host, samples/s, times real time.
"""
import argparse
import json
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("asd")
    ap.add_argument("duration", type=float)
    ap.add_argument("--fs", type=int, default=16384)
    ap.add_argument("--flow", type=float, default=10.0)
    ap.add_argument("--seg", type=float, default=4.0)
    ap.add_argument("--block", type=float, default=64.0, help="seconds of output per batch, like the twin's --block")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    dev = torch.device("cuda")
    fs = a.fs
    n = int(a.seg * fs)
    stride = n // 2
    df = fs / n
    d = np.loadtxt(a.asd)
    f = np.arange(n // 2 + 1) * df
    psd = np.exp(np.interp(np.log(np.maximum(f, 1e-3)), np.log(np.maximum(d[:, 0], 1e-3)), np.log(d[:, 1]))) ** 2
    psd[f < a.flow] = 0.0
    psd[0] = psd[-1] = 0.0
    sigma = torch.tensor(np.sqrt(psd / (4.0 * df)), dtype=torch.float32, device=dev)
    j = torch.arange(stride, device=dev, dtype=torch.float32)
    w_old = torch.cos(torch.pi * j / (2.0 * stride))
    w_new = torch.sin(torch.pi * j / (2.0 * stride))
    per_block = max(1, int(round(a.block * fs / stride)))   # output chunks (of stride samples) per block
    total = int(a.duration * fs)
    gen = torch.Generator(device=dev)

    def run(copy):
        gen.manual_seed(a.seed)
        host = torch.empty(per_block * stride, dtype=torch.float32, pin_memory=True)
        prev_tail = None
        done = 0
        while done < total:
            re = torch.randn((per_block, n // 2 + 1), generator=gen, device=dev)
            im = torch.randn((per_block, n // 2 + 1), generator=gen, device=dev)
            seg = torch.fft.irfft(torch.complex(re, im) * sigma, n=n, dim=1) * fs          # (B, n)
            heads = seg[:, :stride]
            olds = seg[:-1, stride:]
            if prev_tail is None:                    # the very first chunk is the first segment's head, unblended
                out = torch.empty_like(heads)
                out[0] = heads[0]
                out[1:] = w_old * olds + w_new * heads[1:]
            else:
                out = w_old * torch.cat([prev_tail[None, :], olds]) + w_new * heads
            prev_tail = seg[-1, stride:]
            take = min(per_block * stride, total - done)
            if copy:
                host[:take].copy_(out.reshape(-1)[:take], non_blocking=False)
            done += take
        torch.cuda.synchronize()

    run(True)  # warm-up: cuFFT plans, allocator
    best = {}
    for copy in (True, False):
        times = []
        for _ in range(a.repeats):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            run(copy)
            times.append(time.perf_counter() - t0)
        best["with_host_copy" if copy else "on_gpu_only"] = min(times)
    t = best["with_host_copy"]
    print(json.dumps({
        "peer": "torch noise_from_psd (float32, batched)", "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0), "duration_s": a.duration, "fs": fs, "block_s": a.block,
        "wall_s_with_host_copy": t, "wall_s_gpu_only": best["on_gpu_only"],
        "times_real_time": a.duration / t, "msamples_per_second": total / t / 1e6,
    }))


if __name__ == "__main__":
    main()
