#!/usr/bin/env bash
# Throughput of the glitch detector on the CPU: `noise detect` with the shipped model over DURATION s of simulated
# O3 strain at 16384 Hz: conditioning, sliding-window inference every 0.25 s and the Q-transform baseline, with
# detect's own split of the time between them (its `timing:` line).
# usage: benchmarks/run-detector-throughput.sh [DURATION_S=1024] [REPEATS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration=${1:-1024}; repeats=${2:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
publish_noise "$work/noise"
"$work/noise/noise" simulate --config virgo-o3.yaml --duration "$duration" --out "$work/data" --format hdf5 --seed 5 >/dev/null 2>&1
# the strain file (the witness channels' HDF5 files, *_ENV_*, lie beside it)
file=$(ls "$work"/data/*-"$duration".hdf5 | grep -v '_ENV_')
times=()
for i in $(seq "$repeats"); do
  t0=$(now); out=$("$work/noise/noise" detect --in "$file" --model models/glitchnet-o3 --out "$work/det" 2>&1); t1=$(now)
  times+=("$(echo "$t1 - $t0" | bc -l)")
done
windows=$(echo "$out" | grep -o '[0-9]* windows' | head -1 | cut -d' ' -f1)
echo "$out" | grep '^timing:' 
m=$(median "${times[@]}")
machine_line
echo "detect (conditioning + model + baseline) on $duration s at 16384 Hz: runs ${times[*]} s, median $m s"
printf 'windows scored: %s, %.0f windows/s, %.0fx real time (whole detect, start-up included)\n' "$windows" "$(echo "$windows / $m" | bc -l)" "$(echo "$duration / $m" | bc -l)"
