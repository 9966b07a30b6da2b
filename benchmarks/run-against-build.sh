#!/usr/bin/env bash
# Speed side by side with an earlier build, in one invocation: the working tree's `noise` and REV's, both published
# self-contained ReadyToRun, run alternately on the same inputs, so each ratio is measured on one machine state.
#   1. simulate SIM_S s of O3 noise alone at 16384 Hz, HDF5 written (the peer comparison's run);
#   2. detect over DETECT_S s of O3 strain (every component, seed 5) with the shipped model; the two builds'
#      trigger files compared (times to 1 ms, pipelines and classes exactly);
#   3. stream --speed max replaying that file: model alone (--no-baseline), and model with the baseline.
# Whole process, start-up included; medians of REPEATS runs each; ratio = REV's time / this tree's.
# usage: benchmarks/run-against-build.sh REV [SIM_S=4096] [DETECT_S=1024] [REPEATS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
rev=${1:?usage: benchmarks/run-against-build.sh REV [SIM_S] [DETECT_S] [REPEATS]}
sim=${2:-4096}; det=${3:-1024}; repeats=${4:-3}
git rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "run-against-build: '$rev' is not a commit of this repository" >&2; exit 2; }
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
echo "publishing this tree and $rev ($(git rev-parse --short "$rev"))" >&2
publish_noise "$work/new"
git worktree add -q --detach "$work/base-src" "$rev"
(cd "$work/base-src" && publish_noise "$work/old")
new="$work/new/noise"; old="$work/old/noise"
machine_line
echo "this tree: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes to src'); base: $(git rev-parse --short "$rev")"

# side N LABEL CMD...: N alternating runs of CMD with each build ("{}" stands for the binary), medians and ratio
side() {
  local n=$1 label=$2; shift 2
  local a=() b=()
  for i in $(seq "$n"); do
    for which in old new; do
      local bin=$old; [ "$which" = new ] && bin=$new
      local cmd=("${@//\{\}/$bin}") t0 t1
      cmd=("${cmd[@]//\{which\}/$which}")
      t0=$(now); "${cmd[@]}" >/dev/null 2>&1; t1=$(now)
      if [ "$which" = old ]; then a+=("$(echo "$t1 - $t0" | bc -l)"); else b+=("$(echo "$t1 - $t0" | bc -l)"); fi
    done
  done
  local ma mb; ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
  printf '%-44s base %6.2f s  this %6.2f s  ratio %.2fx   (runs base %s; this %s)\n' "$label" "$ma" "$mb" "$(echo "$ma / $mb" | bc -l)" "${a[*]}" "${b[*]}"
}

side "$repeats" "simulate ${sim} s, noise alone, HDF5" \
  bash -c "rm -rf '$work/sim-{which}' && {} simulate --config configs/virgo-o3.yaml --duration $sim --out '$work/sim-{which}' --format hdf5 --device cpu --components noise"

"$new" simulate --config configs/virgo-o3.yaml --duration "$det" --out "$work/data" --format hdf5 --seed 5 >/dev/null 2>&1
file=$(ls "$work"/data/*-"$det".hdf5 | grep -v '_ENV_')
side "$repeats" "detect ${det} s (conditioning, model, baseline)" \
  bash -c "rm -rf '$work/det-{which}' && {} detect --in '$file' --model models/glitchnet-o3 --out '$work/det-{which}'"
side "$repeats" "stream --speed max ${det} s, model alone" \
  {} stream --source "file:$file" --speed max --no-baseline --sink "jsonl:$work/st-m-{which}.jsonl"
side "$repeats" "stream --speed max ${det} s, model and baseline" \
  {} stream --source "file:$file" --speed max --sink "jsonl:$work/st-b-{which}.jsonl"

/usr/bin/python3 - "$work"/det-old/*.jsonl "$work"/det-new/*.jsonl <<'PY'
import json, sys
def rows(p):
    out = []
    for line in open(p):
        d = json.loads(line)
        out.append((d["pipeline"], round(d["time"], 3), d.get("class"), None if d.get("snr") is None else round(d["snr"], 2)))
    return sorted(out)
a, b = rows(sys.argv[1]), rows(sys.argv[2])
same = a == b
print(f"detect triggers: base {len(a)}, this {len(b)}; {'identical' if same else 'DIFFERENT'} (pipeline, time to 1 ms, class, SNR to 0.01)")
if not same:
    for r in sorted(set(a) ^ set(b)): print("  only in", "base" if r in a else "this", r)
PY
