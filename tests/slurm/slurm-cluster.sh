#!/usr/bin/env bash
# A real single-node Slurm cluster on localhost for tests: munge, slurmctld
# and slurmd in the foreground under this shell, a fresh state folder, torn
# down on exit.
# Source it, then call `slurm_up SCRATCH_DIR`; `slurm_down` runs from the trap.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge.

slurm_pids=()
munged_pid=""

slurm_down() {
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  for pid in "${slurm_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null || true
  done
  [ -n "$munged_pid" ] && kill "$munged_pid" 2>/dev/null || true
  slurm_pids=()
  munged_pid=""
}

slurm_up() {  # slurm_up SCRATCH: returns 0 when `sinfo` shows the node idle
  local dir=$1 host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"

  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --force >/dev/null 2>&1 || return 1
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge
  if ! (munge -n | unmunge) >/dev/null 2>&1; then
    setpriv --reuid=munge --regid=munge --clear-groups /usr/sbin/munged -F >"$dir/log/munged.log" 2>&1 &
    munged_pid=$!
    for _ in $(seq 1 50); do (munge -n | unmunge) >/dev/null 2>&1 && break; sleep 0.1; done
    (munge -n | unmunge) >/dev/null 2>&1 || { echo "munged did not start"; cat "$dir/log/munged.log"; return 1; }
  fi

  cat >"$dir/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=${host}(127.0.0.1)
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
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -D >"$dir/log/slurmctld.out" 2>&1 &
  slurm_pids+=($!)
  slurmd -D >"$dir/log/slurmd.out" 2>&1 &
  slurm_pids+=($!)
  for _ in $(seq 1 100); do
    [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
    sleep 0.2
  done
  echo "the Slurm node did not become idle:"; sinfo 2>&1; tail -5 "$dir/log/"*.log
  return 1
}
