#!/usr/bin/env bash
# The GPU node check, in two steps because GPU nodes here have no .NET SDK:
#   benchmarks/run-gpu-check.sh pack           (on a build machine) publishes Noise.Benchmarks self-contained
#                                               for linux-x64 into .gpu/bench.tar.xz (git-ignored)
#   benchmarks/run-gpu-check.sh node OUTDIR    (on the GPU node, from the repo root) unpacks it, finds cuFFT,
#                                               runs `gpucheck` (device, CPU/CUDA agreement with every component,
#                                               reproducibility, throughput), the PyTorch peer on the same GPU in
#                                               the same invocation, and scipy's ASD check of the CUDA output.
#   benchmarks/run-gpu-check.sh model OUTDIR   (on the GPU node, needs PyTorch only) the shipped model in PyTorch
#                                               (models/glitchnet.py): CUDA against CPU on the same windows, and
#                                               windows per second on each
# usage: benchmarks/run-gpu-check.sh pack | node OUTDIR [DURATION_S=4096] | model OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  pack)
    rm -rf .gpu/bench && mkdir -p .gpu
    dotnet publish benchmarks/Noise.Benchmarks -c Release -r linux-x64 --self-contained -o .gpu/bench >/dev/null
    tar -C .gpu -cJf .gpu/bench.tar.xz bench
    rm -rf .gpu/bench
    ls -l .gpu/bench.tar.xz ;;
  node)
    out=${2:?OUTDIR}; duration=${3:-4096}
    mkdir -p "$out"
    tar -C .gpu -xJf .gpu/bench.tar.xz   # inside the repo: the check finds configs/ above itself
    nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader | tee "$out/nvidia-smi.txt"
    # ILGPU probes libcufft.so.10/11/12; CUDA images keep it in the toolkit or in the pip wheel's folder
    lib=$(dirname "$(find /usr/local/cuda*/ /usr/lib /opt -name 'libcufft.so.1[0-2]*' 2>/dev/null | head -1)")
    export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
    echo "cuFFT from $lib"
    .gpu/bench/Noise.Benchmarks gpucheck "$duration" "$out" 2>&1 | tee "$out/gpucheck.log"
    asd=configs/curves/O3-V1_sensitivity_strain_asd.txt
    python3 benchmarks/peers/check_raw_asd.py "$out/cuda_o3_64s_f32.raw" "$asd" | tee "$out/asd_check.json"
    rm -f "$out/cuda_o3_64s_f32.raw"
    python3 benchmarks/peers/torch_noise_from_psd.py "$asd" "$duration" | tee "$out/torch_peer.json" ;;
  model)
    out=${2:?OUTDIR}; mkdir -p "$out"
    model=models/glitchnet-o3
    nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader | tee "$out/nvidia-smi.txt"
    python3 benchmarks/peers/model_test_windows.py "$out/windows.f32" 1024
    python3 models/glitchnet.py "$model" --windows "$out/windows.f32" --out "$out/scores-cpu.f32"
    python3 models/glitchnet.py "$model" --device cuda --windows "$out/windows.f32" --out "$out/scores-cuda.f32" \
      --reference "$out/scores-cpu.f32" | tee "$out/model_agreement.log"
    for batch in 256 1024 4096; do
      python3 models/glitchnet.py "$model" --device cuda --benchmark 65536 --batch "$batch"
    done | tee "$out/model_throughput.jsonl"
    python3 models/glitchnet.py "$model" --device cpu --benchmark 8192 --batch 256 | tee -a "$out/model_throughput.jsonl"
    rm -f "$out/windows.f32" ;;
  *) echo "usage: $0 pack | node OUTDIR [DURATION_S] | model OUTDIR" >&2; exit 2 ;;
esac
