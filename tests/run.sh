#!/usr/bin/env bash
# Runs every test of the solution from a fresh clone: installs what the tests use as independent readers
# (Debian's python3-h5py/numpy/scipy, python3-torch for the model's PyTorch form, Node's DuckDB), headless Chromium for the streaming live page, then
# `dotnet test`, then prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c 'import h5py, numpy, scipy' 2>/dev/null || need+=(python3-h5py python3-numpy python3-scipy)
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "tests need these Debian packages: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
(cd tests/tools && npm ci --no-audit --no-fund --silent)

log=$(mktemp)
# Every scratch file of the run (the tests' own, the CLI processes and Python/Node/Chromium they start) goes under
# one folder that is removed at the end, whatever happened: a run writes about 1 GB.
scratch=$(mktemp -d /tmp/noise-test-scratch.XXXXXX)
trap 'rm -f "$log"; rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
set +e
dotnet test Noise.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, ..." line per test project
awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { f += $2; p += $4; s += $6 }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
