#!/usr/bin/env bash
# `cloudpact sweep --slurm` against a real Slurm cluster started on localhost:
# the job array's tasks (this same binary, `sweep-worker`) must produce the
# same sweep.csv, byte for byte, as the local sweep; a rerun with --resume
# then has nothing to do. Skips (77) without root or Slurm.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CLOUDPACT_BIN:?CLOUDPACT_BIN names the cloudpact binary}

if [ "$(id -u)" != 0 ]; then echo "SKIP: starting slurmctld/slurmd needs root"; exit 77; fi
for p in slurmctld slurmd sbatch squeue munged; do
  command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || { echo "SKIP: $p not installed (scripts/setup installs Slurm)"; exit 77; }
done
if ss -ltn 2>/dev/null | grep -qE ':(6817|6818)\b'; then echo "SKIP: Slurm ports 6817/6818 are in use"; exit 77; fi

# A scratch folder whose path the Slurm script accepts ([A-Za-z0-9._/+@%=:,-]).
work=$(mktemp -d /tmp/cloudpact-slurm-test.XXXXXX)
. "$here/slurm-cluster.sh"
trap 'slurm_down; rm -rf "$work"' EXIT

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}

slurm_up "$work/cluster" || { echo "FAILED: could not start the local Slurm cluster"; exit 1; }
echo "cluster up: $(sinfo -h -o '%P %D %T %c')"

cat >"$work/sweep.json" <<JSON
{ "base": "$root/scenarios/01-one-vendor-vs-two.json", "mode": "grid", "name": "slurm-ci",
  "parameters": [ { "pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2.0, 2.5] },
                  { "pointer": "/workloads/0/demand_gpus", "values": [6000, 8000, 12000] } ],
  "run": ["run", "risk"], "risk_paths": 64 }
JSON

start=$(date +%s)
"$bin" sweep "$work/sweep.json" --out "$work/slurm-out" --slurm --array-size 4 --partition debug \
  >"$work/slurm.stdout" 2>"$work/slurm.stderr"
rc=$?
echo "sweep --slurm: exit $rc in $(( $(date +%s) - start )) s"
cat "$work/slurm.stderr"
check "sweep --slurm exits 0" [ "$rc" = 0 ]
check "the job was submitted to Slurm" grep -q "submitted Slurm job" "$work/slurm.stderr"
check "four array tasks ran (one log each)" [ "$(ls "$work/slurm-out/slurm"/task-*.log 2>/dev/null | wc -l)" = 4 ]
check "every task ran in Slurm (worker lines in the logs)" \
  [ "$(cat "$work/slurm-out/slurm"/task-*.log | grep -c '^shard ')" = 4 ]

"$bin" sweep "$work/sweep.json" --out "$work/local-out" -j 2 >/dev/null 2>"$work/local.stderr"
check "the local sweep exits 0" [ $? = 0 ]
check "sweep.csv from Slurm equals the local one byte for byte" cmp "$work/slurm-out/sweep.csv" "$work/local-out/sweep.csv"
check "nine variants, nine rows" [ "$(tail -n +2 "$work/slurm-out/sweep.csv" | wc -l)" = 9 ]
check "no variant id twice" [ -z "$(tail -n +2 "$work/slurm-out/sweep.csv" | cut -d, -f1 | sort | uniq -d)" ]

# Resume on Slurm with everything committed: nothing is submitted.
"$bin" sweep "$work/sweep.json" --out "$work/slurm-out" --slurm --resume >/dev/null 2>"$work/resume.stderr"
check "--resume with nothing missing exits 0" [ $? = 0 ]
check "--resume with nothing missing submits no job" bash -c "! grep -q 'submitted Slurm job' '$work/resume.stderr'"
check "the table is unchanged" cmp "$work/slurm-out/sweep.csv" "$work/local-out/sweep.csv"

# A variant lost on the cluster (its folder removed) is rerun by the next --slurm --resume.
victim=$(ls "$work/slurm-out/variants" | head -1)
rm -rf "$work/slurm-out/variants/$victim"
"$bin" sweep "$work/sweep.json" --out "$work/slurm-out" --slurm --resume --array-size 2 >/dev/null 2>"$work/rerun.stderr"
check "a second job reruns the missing variant" grep -q "submitted Slurm job .* 1 variants" "$work/rerun.stderr"
check "and the table is whole again" cmp "$work/slurm-out/sweep.csv" "$work/local-out/sweep.csv"

if [ "$failures" = 0 ]; then echo "slurm sweep: all checks passed"; exit 0; fi
echo "slurm sweep: $failures checks failed"
for f in "$work/cluster/log/"*.log; do echo "== $f"; tail -20 "$f"; done
exit 1
