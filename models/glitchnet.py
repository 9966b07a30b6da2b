#!/usr/bin/env python3
"""GlitchNet in PyTorch: load a `noise` model folder and score whitened windows with it.

A model folder (models/glitchnet-o3, or what `noise train` writes) holds model.json (what the network expects:
sample rate, window, classes, conditioning) and the same weights three ways: model.bin (TorchSharp), model.pt
(a PyTorch state_dict) and model.safetensors. This file is the network's definition for PyTorch users; it
mirrors src/Noise.Detection/Model/GlitchNet.cs layer for layer, so the state_dict loads with strict=True.

The model reads strain already conditioned by `noise` (whitened, band-limited, at model.json's sample_rate):
windows of window_samples float32 values. It does not whiten; feed it what `noise` conditions.

    glitchnet.py MODEL_DIR                                 describe the model
    glitchnet.py MODEL_DIR --windows W.f32 --out S.f32     score windows (raw little-endian float32, one window
                                                           after another); writes per window the class
                                                           probabilities (model.json's order) then the
                                                           transient's time in the window (s), as float32
    glitchnet.py MODEL_DIR --windows W.f32 --reference S.f32 --device cuda
                                                           score, and print the largest differences from
                                                           scores written before (another device or build)
    glitchnet.py MODEL_DIR --benchmark 4096 --device cuda  windows per second, batch --batch

    import glitchnet; net, spec = glitchnet.load("models/glitchnet-o3")
    probs, time_s = glitchnet.score(net, spec, windows)    # windows: float tensor [n, window_samples]
"""
import argparse
import json
import os
import struct
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

# The spectrogram branch's constants (GlitchNet.cs): 1024-sample Hann segments every 64 samples, bins 5..80
SEGMENT_SAMPLES, SEGMENT_STEP, FIRST_BIN, BINS = 1024, 64, 5, 76


class GlitchNet(nn.Module):
    """Six strided Conv1d blocks over the window; with the spectrogram branch (v2) also four strided Conv2d blocks
    over ln(1 + power) of the window's low band; a dense layer; heads: class logits and time in window (0..1)."""

    def __init__(self, classes, window_samples, time_frequency=False):
        super().__init__()
        if window_samples < 64 * 16:
            raise ValueError("a window must hold at least 1024 samples")
        channels, kernels = [1, 16, 32, 32, 64, 64, 64], [16, 9, 9, 9, 9, 5]
        blocks = OrderedDict()
        for i, k in enumerate(kernels):
            blocks[f"conv{i}"] = nn.Conv1d(channels[i], channels[i + 1], k, stride=2, padding=k // 2)
            blocks[f"norm{i}"] = nn.BatchNorm1d(channels[i + 1])
            blocks[f"relu{i}"] = nn.ReLU()
        self._features = nn.Sequential(blocks)
        if not time_frequency:
            self._pool = None
            self._timeFrequency = None
            self._dense = nn.Sequential(OrderedDict(
                pool=nn.AdaptiveAvgPool1d(16), flatten=nn.Flatten(), fc=nn.Linear(64 * 16, 128),
                relu=nn.ReLU(), drop=nn.Dropout(0.1)))
        else:
            self._pool = nn.Sequential(OrderedDict(pool=nn.AdaptiveAvgPool1d(16), flatten=nn.Flatten()))
            tf_channels = [1, 16, 32, 32, 64]
            tf = OrderedDict()
            for i in range(4):
                tf[f"conv{i}"] = nn.Conv2d(tf_channels[i], tf_channels[i + 1], 3, stride=2, padding=1)
                tf[f"norm{i}"] = nn.BatchNorm2d(tf_channels[i + 1])
                tf[f"relu{i}"] = nn.ReLU()
            tf["pool"] = nn.AdaptiveAvgPool2d((4, 4))
            tf["flatten"] = nn.Flatten()
            self._timeFrequency = nn.Sequential(tf)
            self._dense = nn.Sequential(OrderedDict(
                fc=nn.Linear(64 * 16 * 2, 128), relu=nn.ReLU(), drop=nn.Dropout(0.1)))
        self._classes = nn.Linear(128, classes)
        self._time = nn.Linear(128, 1)

    @staticmethod
    def spectrogram(x):
        """[batch, 1, bins, segments]: ln(1 + P), P normalised so whitened unit-variance noise has mean power 1."""
        window = torch.hann_window(SEGMENT_SAMPLES, periodic=True, dtype=x.dtype, device=x.device)
        segments = x.unfold(1, SEGMENT_SAMPLES, SEGMENT_STEP) * window
        power = torch.fft.rfft(segments, dim=2).abs().pow(2) / window.pow(2).sum()
        return power.narrow(2, FIRST_BIN, BINS).log1p().transpose(1, 2).unsqueeze(1)

    def forward(self, x):
        series = self._features(x.unsqueeze(1))
        if self._timeFrequency is None:
            h = self._dense(series)
        else:
            h = self._dense(torch.cat([self._pool(series), self._timeFrequency(self.spectrogram(x))], 1))
        return self._classes(h), torch.sigmoid(self._time(h)).squeeze(1)


def read_safetensors(path):
    """A safetensors file as a state_dict, read with numpy alone (8-byte header length, JSON header, raw data)."""
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    state = OrderedDict()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def load(folder, weights="pt", device="cpu"):
    """(network in eval mode, model.json as a dict) of a model folder; weights: 'pt' or 'safetensors'."""
    spec_path = os.path.join(folder, "model.json")
    if not os.path.isfile(spec_path):
        raise FileNotFoundError(f"{folder}: not a model folder (no model.json)")
    with open(spec_path) as f:
        spec = json.load(f)
    samples = int(round(spec["window_seconds"] * spec["sample_rate"]))
    net = GlitchNet(len(spec["classes"]), samples, spec.get("time_frequency_branch", False))
    path = os.path.join(folder, "model.pt" if weights == "pt" else "model.safetensors")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: missing")
    try:
        state = torch.load(path, map_location="cpu") if weights == "pt" else read_safetensors(path)
    except Exception as e:
        raise ValueError(f"{path}: corrupt ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from e
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise ValueError(f"{path}: not the weights model.json describes ({str(e).splitlines()[0]})") from e
    return net.to(device).eval(), spec


@torch.no_grad()
def score(net, spec, windows, batch=256):
    """Class probabilities [n, classes] and the transient's time within each window (s), [n]."""
    probs, times = [], []
    for b in range(0, windows.shape[0], batch):
        logits, t = net(windows[b:b + batch])
        probs.append(torch.softmax(logits, 1))
        times.append(t * spec["window_seconds"])
    return torch.cat(probs), torch.cat(times)


def glitch_probability(spec, probs):
    """1 - p(None) - p(CBC_Chirp): what `noise` thresholds (before smoothing over neighbouring windows)."""
    classes = spec["classes"]
    p = 1 - probs[:, classes.index("None")]
    if "CBC_Chirp" in classes:
        p = p - probs[:, classes.index("CBC_Chirp")]
    return p.clamp(min=0)


def read_floats(path):
    """A raw little-endian float32 file; a missing or unreadable one is one error line."""
    try:
        return np.fromfile(path, dtype="<f4")
    except OSError as e:
        sys.exit(f"glitchnet.py: {path}: {e.strerror or e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("model", help="model folder (model.json + model.pt / model.safetensors)")
    parser.add_argument("--weights", choices=["pt", "safetensors"], default="pt")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 ...")
    parser.add_argument("--windows", help="raw float32 windows to score")
    parser.add_argument("--out", help="where to write the scores (float32: class probabilities, then time in s)")
    parser.add_argument("--reference", help="scores of the same windows written before: print the differences")
    parser.add_argument("--benchmark", type=int, metavar="N", help="score N windows of white noise, report windows/s")
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    if args.batch < 1 or (args.benchmark is not None and args.benchmark < 1):
        sys.exit("glitchnet.py: --batch and --benchmark take a positive number of windows")
    try:
        net, spec = load(args.model, args.weights, args.device)
    except Exception as e:  # a missing, corrupt or mismatched file: one line, not a traceback
        sys.exit(f"glitchnet.py: {str(e).splitlines()[0]}")
    samples = int(round(spec["window_seconds"] * spec["sample_rate"]))
    if args.windows:
        raw = read_floats(args.windows)
        if raw.size == 0 or raw.size % samples:
            sys.exit(f"glitchnet.py: {args.windows}: {raw.size} values is not a whole number of {samples}-sample windows")
        x = torch.from_numpy(raw.reshape(-1, samples)).to(args.device)
        probs, times = score(net, spec, x, args.batch)
        out = torch.cat([probs, times.unsqueeze(1)], 1).cpu().numpy().astype("<f4")
        if args.out:
            tmp = args.out + ".partial"
            out.tofile(tmp)
            os.replace(tmp, args.out)
        p = glitch_probability(spec, probs).cpu().numpy()
        print(f"{x.shape[0]} windows scored on {args.device}; glitch probability max {p.max():.4f}, "
              f"{int((p >= 0.5).sum())} at 0.5 or more")
        if args.reference:
            ref = read_floats(args.reference)
            if ref.size != out.size:
                sys.exit(f"glitchnet.py: {args.reference}: {ref.size} values, expected {out.size}")
            ref = ref.reshape(out.shape)
            k = len(spec["classes"])
            ref_p = glitch_probability(spec, torch.from_numpy(ref[:, :k].copy())).numpy()
            print(json.dumps({"device": args.device, "reference": args.reference,
                              "max_abs_class_probability": float(np.abs(out[:, :k] - ref[:, :k]).max()),
                              "max_abs_glitch_probability": float(np.abs(p - ref_p).max()),
                              "max_abs_time_s": float(np.abs(out[:, k] - ref[:, k]).max()),
                              "same_decision_at_0.5": int(((p >= 0.5) == (ref_p >= 0.5)).sum()),
                              "windows": int(out.shape[0])}))
    elif args.benchmark:
        x = torch.randn(args.benchmark, samples, generator=torch.Generator().manual_seed(1)).to(args.device)
        score(net, spec, x[: args.batch], args.batch)  # warm-up (kernel selection, allocations)
        if x.is_cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        score(net, spec, x, args.batch)
        if x.is_cuda:
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        rate = args.benchmark / dt
        stride = spec["stride_seconds"]
        print(json.dumps({"device": args.device, "torch": torch.__version__, "windows": args.benchmark,
                          "batch": args.batch, "seconds": round(dt, 4), "windows_per_second": round(rate, 1),
                          "times_real_time": round(rate * stride, 1)}))
    else:
        n = sum(p.numel() for p in net.parameters())
        print(f"{args.model}: {len(spec['classes'])} classes ({', '.join(spec['classes'])}), "
              f"{samples}-sample windows at {spec['sample_rate']} Hz every {spec['stride_seconds']} s, "
              f"{'v2 (spectrogram branch)' if spec.get('time_frequency_branch') else 'v1'}, {n} parameters")


if __name__ == "__main__":
    main()
