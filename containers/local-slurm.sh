#!/usr/bin/env bash
# A real single-node Slurm on this machine (Debian's slurmctld/slurmd/munge 22.05), for tests.
#   local-slurm.sh start DIR   writes DIR/slurm.conf, starts munged, slurmctld, slurmd; PIDs in DIR/pids
#   local-slurm.sh stop DIR    cancels jobs, stops every daemon it started, by PID
# Clients need: export SLURM_CONF=DIR/slurm.conf
set -euo pipefail
cmd=${1:?start|stop}; dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)

stop() {
  export SLURM_CONF=$dir/slurm.conf
  scancel --full --quiet -u root 2>/dev/null || true
  if [ -f "$dir/pids" ]; then
    while read -r name pid; do
      kill -TERM "$pid" 2>/dev/null && echo "stopped $name ($pid)" || true
    done < <(tac "$dir/pids")
    sleep 1
    while read -r name pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$dir/pids"
    rm -f "$dir/pids"
  fi
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
: > "$dir/pids"
# munge: key from the package (created at install), socket dir owned by munge
[ -s /etc/munge/munge.key ] || { /usr/sbin/mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; }
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge; chown munge:munge /run/munge /var/log/munge /var/lib/munge
runuser -u munge -- /usr/sbin/munged --foreground >"$dir/log/munged.log" 2>&1 &
echo "munged $!" >> "$dir/pids"
for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done

node=$(slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+/NodeName=localhost NodeAddr=127.0.0.1/; s/ UpTime=.*//')
cat > "$dir/slurm.conf" <<CONF
ClusterName=noise-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
$node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -D -i -f "$dir/slurm.conf" >"$dir/log/slurmctld.out" 2>&1 &
echo "slurmctld $!" >> "$dir/pids"
sleep 1
slurmd -D -N localhost -f "$dir/slurm.conf" >"$dir/log/slurmd.out" 2>&1 &
echo "slurmd $!" >> "$dir/pids"
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle' && { echo "slurm up: $(sinfo -h -o '%N %c CPUs %m MB %T')"; exit 0; }
  sleep 0.5
done
echo "slurm did not come up; logs in $dir/log" >&2
tail -5 "$dir/log/"*.log >&2 || true
stop
exit 1
