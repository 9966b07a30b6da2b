#!/usr/bin/env bash
# Proof, on this machine, that the offloading story works (called by .ci/run; a few minutes):
#   1. build the OCI image without a Docker engine (build-image.sh) and run it with podman + runc:
#      `noise info`, a short `noise simulate` and a minute of `noise stream` writing to a bind-mounted folder;
#   2. start a real single-node Slurm, submit the repo's Slurm array (4 shards, the published binary in place
#      of Apptainer, which Debian 12 lacks) with its dependent merge, and compare the merged files with an
#      unsharded run: identical bytes;
#   3. validate every Kubernetes manifest offline (kubernetes-models) with the interLink checks;
#   4. stop every daemon it started, by PID, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/noise-proof.XXXXXX)
slurm_dir=$work/slurm
cleanup() {
  status=$?
  [ -f "$slurm_dir/pids" ] && bash containers/local-slurm.sh stop "$slurm_dir" || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM
step() { echo; echo "== $*"; }

need=()
for p in debootstrap:debootstrap buildah:buildah podman:podman runc:runc slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge node:nodejs; do
  command -v "${p%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${p%%:*}" ] || need+=("${p##*:}")
done
if ((${#need[@]})); then
  step "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
(cd tests/tools && [ -d node_modules/kubernetes-models ] || npm ci --no-audit --no-fund --silent)

step "1. OCI image without a Docker engine"
archive=$(bash containers/build-image.sh "$root/containers/.build" | tail -1)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
run() { podman --storage-driver vfs run --rm --runtime runc --network=none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@"; }
run "localhost/noise:$version" info | tee "$work/info.txt"
grep -q "device auto -> cpu" "$work/info.txt"
mkdir -p "$work/data" && chmod 777 "$work/data"
run -v "$work/data:/data" "localhost/noise:$version" simulate --config virgo-o3.yaml --duration 8 --out /data/img --format both
test -s "$work/data/img/V-V1_NOISE_VIRGO_O3-1238166018-8.hdf5"
test -s "$work/data/img/run.json"
run -v "$work/data:/data" "localhost/noise:$version" stream --source twin:virgo-o3.yaml --speed max --duration 60 --no-baseline \
  --sink jsonl:/data/stream.jsonl --stats /data/stream-stats.json
grep -q '"data_seconds": 60' "$work/data/stream-stats.json"
echo "image OK: $(du -h "$archive" | cut -f1) oci-archive, noise info and simulate ran in podman (runc)"

step "2. sharded run on a real Slurm (array of 4 + dependent merge) vs an unsharded run"
bin=$root/containers/.build/publish/noise
bash containers/local-slurm.sh start "$slurm_dir"
export SLURM_CONF=$slurm_dir/slurm.conf
ids=$(NOISE_RUN=$bin bash containers/slurm/submit.sh virgo-o3.yaml 128 4 "$work/slurm-run" --cpus-per-task=1 --mem=1G)
echo "submitted: array $(echo "$ids" | head -1), merge $(echo "$ids" | tail -1)"
for _ in $(seq 240); do
  [ -z "$(squeue -h -o %i)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -o %i)" ] || { squeue; echo "jobs did not finish in 120 s" >&2; exit 1; }
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|Name|JobState|ArrayTaskId|ExitCode)=/) printf "%s ", $i; print "" }' "$slurm_dir/log/jobcomp.txt" 
if grep -q "JobState=FAILED\|JobState=CANCELLED\|JobState=TIMEOUT" "$slurm_dir/log/jobcomp.txt"; then
  tail -20 "$work"/slurm-run/*.log >&2; exit 1
fi
"$bin" simulate --config virgo-o3.yaml --duration 128 --out "$work/unsharded" >/dev/null 2>&1
for whole in "$work/unsharded/"*.parquet "$work/unsharded/"*.hdf5; do
  name=$(basename "$whole")   # strain files and the ground-truth catalogue
  merged="$work/slurm-run/merged/$name"
  [ -f "$merged" ] || { echo "merge did not write $name" >&2; exit 1; }
  a=$(sha256sum < "$merged" | cut -d' ' -f1); b=$(sha256sum < "$whole" | cut -d' ' -f1)
  [ "$a" = "$b" ] || { echo "merged $name ($a) differs from the unsharded one ($b)" >&2; exit 1; }
  echo "$name: merged == unsharded (sha256 ${a:0:16}...)"
done

step "3. Kubernetes manifests: API types and interLink fields"
node tests/tools/validate-k8s.mjs containers/k8s/*.yaml

step "4. stopping Slurm"
bash containers/local-slurm.sh stop "$slurm_dir"
echo
echo "containers proof: OK"
