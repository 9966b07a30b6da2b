#!/usr/bin/env bash
# Cost of the Virgo-like components over noise alone: `noise simulate` of the full O3 scenario (every
# component it defines) against `--components noise`, same duration, alternating runs, medians.
# usage: benchmarks/run-component-overhead.sh [DURATION_S=4096] [REPEATS=5] [FORMAT=hdf5]
# (FORMAT: hdf5, parquet or both, as simulate's --format; the witness channels follow it)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration=${1:-4096}; repeats=${2:-5}; format=${3:-hdf5}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
publish_noise "$work/noise"
full=(); noise=()
for i in $(seq "$repeats"); do
  t0=$(now); "$work/noise/noise" simulate --config virgo-o3.yaml --duration "$duration" --out "$work/a" --format "$format" --device cpu >/dev/null 2>"$work/a.log"; t1=$(now)
  "$work/noise/noise" simulate --config virgo-o3.yaml --duration "$duration" --out "$work/b" --format "$format" --device cpu --components noise >/dev/null 2>&1; t2=$(now)
  full+=("$(echo "$t1 - $t0" | bc -l)"); noise+=("$(echo "$t2 - $t1" | bc -l)")
  rm -rf "$work/a" "$work/b"
done
mf=$(median "${full[@]}"); mn=$(median "${noise[@]}")
machine_line
echo "format: $format, $duration s, $repeats alternating runs"
grep catalogue "$work/a.log" || true
echo "full O3 scenario (every component):  runs ${full[*]} s, median $mf s"
echo "noise alone:                          runs ${noise[*]} s, median $mn s"
printf 'overhead of the other components: %+.1f %%\n' "$(echo "100 * ($mf / $mn - 1)" | bc -l)"
