#!/usr/bin/env bash
# Streaming latency, throughput and memory (issue: streaming trigger mode), on this machine, with the shipped model:
#   1. paced at real time: twin:virgo-o3 (16384 Hz, every component) for REALTIME_S seconds; compute latency
#      (last needed sample's arrival -> emission) and end-to-end latency (transient's GPS time -> emission);
#      again at threshold 0.5, where the model emits ten times more triggers to take latencies from;
#   2. replay throughput at max speed: 1 h of the twin, model alone and with the baseline;
#   3. soak: the same hour at max speed, resident memory after the first 10 min of data and at the end.
# usage: benchmarks/run-stream-benchmark.sh [REALTIME_S=300] [SOAK_S=3600]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
realtime=${1:-300}
soak=${2:-3600}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
publish_noise "$work/noise"
n="$work/noise/noise"
machine_line
summary() { /usr/bin/python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c, e, m = d["compute_latency_ms"], d["end_to_end_latency_s"], d["memory"]
print(f"  data {d['data_seconds']:.0f} s in {d['uptime_s']:.1f} s ({d['throughput_x_realtime']}x real time); triggers {d['triggers']}")
for p in ("model", "baseline"):
    print(f"  {p:8s} compute latency ms p50 {c[p]['p50']} p90 {c[p]['p90']} p99 {c[p]['p99']} max {c[p]['max']} (n {c[p]['count']});"
          f" end-to-end s p50 {e[p]['p50']} p90 {e[p]['p90']} p99 {e[p]['p99']}")
w = c["every_window"]
print(f"  every scored window: decision latency ms p50 {w['p50']} p90 {w['p90']} p99 {w['p99']} max {w['max']} (n {w['count']})")
print(f"  memory MB: start {m['rss_start_mb']}, after {m['warmup_data_seconds']} s of data {m['rss_after_warmup_mb']}, end {m['rss_end_mb']}, peak {m['rss_peak_mb']}; growth after warm-up {m['growth_after_warmup_percent']} %")
print(f"  memory timeline (data s: RSS MB / managed heap MB): {[(t['data_seconds'], t['rss_mb'], t['managed_heap_mb']) for t in m['timeline']]}")
print(f"  stage seconds: {d['stage_seconds']}")
PY
}
echo "1. real time, ${realtime} s of twin:virgo-o3 (seed 20190401)"
"$n" stream --source twin:virgo-o3.yaml --speed realtime --duration "$realtime" --sink jsonl:"$work/rt.jsonl" --stats "$work/rt.json" 2>/dev/null
summary "$work/rt.json"
echo "1b. real time again at glitch probability 0.5 (more triggers for the trigger latency figures)"
"$n" stream --source twin:virgo-o3.yaml --speed realtime --duration "$realtime" --threshold 0.5 --sink jsonl:"$work/rt05.jsonl" --stats "$work/rt05.json" 2>/dev/null
summary "$work/rt05.json"
echo "2. max speed, 3600 s, model alone"
"$n" stream --source twin:virgo-o3.yaml --seed 20190402 --speed max --duration 3600 --no-baseline --sink jsonl:"$work/m.jsonl" --stats "$work/m.json" 2>/dev/null
summary "$work/m.json"
echo "3. max speed, ${soak} s, model and baseline (soak)"
"$n" stream --source twin:virgo-o3.yaml --seed 20190402 --speed max --duration "$soak" --sink jsonl:"$work/s.jsonl" --stats "$work/s.json" 2>/dev/null
summary "$work/s.json"
