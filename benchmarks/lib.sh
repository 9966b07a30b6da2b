# Helpers shared by the whole-run comparison scripts (sourced, not run).

# publish_noise DIR: the self-contained ReadyToRun publish that ships in containers, into DIR
publish_noise() { dotnet publish src/Noise.Cli -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -o "$1" >/dev/null; }

# now: wall-clock seconds with nanoseconds
now() { date +%s.%N; }

# median X...: the median of its arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# machine_line: what ran the benchmark, for RESULTS.md
machine_line() { echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%d)"; }
