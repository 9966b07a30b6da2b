#!/bin/bash
# Submits a sharded simulation as a Slurm array and a merge that waits for all of it.
# usage: submit.sh CONFIG DURATION_S SHARDS OUT_DIR [extra sbatch flags, e.g. --partition=gpu --gres=gpu:1]
# env:   NOISE_SIF (default noise_0.1.0.sif) or NOISE_RUN (a command that runs noise, e.g. /opt/noise/noise)
# prints: the array job id and the merge job id, one per line
set -euo pipefail
if [ $# -lt 4 ]; then sed -n '2,5p' "$0" >&2; exit 2; fi
config=$1 duration=$2 shards=$3 out=$4; shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export NOISE_CONFIG=$config NOISE_DURATION=$duration NOISE_OUT=$(cd "$out" && pwd)
array=$(sbatch --parsable --array=0-$((shards - 1)) --chdir="$NOISE_OUT" --export=ALL "$@" "$here/noise-shards.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" --kill-on-invalid-dep=yes --chdir="$NOISE_OUT" --export=ALL "$here/noise-merge.sbatch")
echo "$array"
echo "$merge"
