#!/usr/bin/env bash
# Whole-run comparison, in one invocation so the ratio is measured side by side on the same machine state:
# `noise simulate` (published, ReadyToRun) against PyCBC's noise_from_psd algorithm in numpy
# (benchmarks/peers/pycbc_noise_from_psd.py), same ASD, rate, duration and f_low, each writing HDF5.
# usage: benchmarks/run-peer-comparison.sh [DURATION_S=4096] [REPEATS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration=${1:-4096}
repeats=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -c 'import numpy, h5py' 2>/dev/null || { echo "needs python3-numpy python3-h5py (apt-get install)" >&2; exit 1; }

publish_noise "$work/noise"
asd=configs/curves/O3-V1_sensitivity_strain_asd.txt

ours=(); peer=()
for i in $(seq "$repeats"); do
  t0=$(now)
  "$work/noise/noise" simulate --config configs/virgo-o3.yaml --duration "$duration" --out "$work/ours" --format hdf5 --device cpu --components noise >/dev/null 2>&1
  t1=$(now)
  /usr/bin/python3 benchmarks/peers/pycbc_noise_from_psd.py "$asd" "$duration" "$work/peer.hdf5" --fs 16384 --flow 10 --seed "$i" >/dev/null
  t2=$(now)
  ours+=("$(echo "$t1 - $t0" | bc -l)"); peer+=("$(echo "$t2 - $t1" | bc -l)")
  rm -rf "$work/ours" "$work/peer.hdf5"
done
mo=$(median "${ours[@]}"); mp=$(median "${peer[@]}")
machine_line
echo "duration ${duration} s at 16384 Hz, ${repeats} alternating runs, whole process incl. start-up and HDF5 written"
echo "noise simulate (cpu):      runs ${ours[*]} s, median ${mo} s"
echo "numpy PyCBC-algorithm peer: runs ${peer[*]} s, median ${mp} s"
printf 'ratio peer/noise: %.2fx\n' "$(echo "$mp / $mo" | bc -l)"
