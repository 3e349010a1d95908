#!/usr/bin/env bash
# scripts/gpu-check's parts that need no GPU, so that a GPU machine's few
# minutes are not the first to run them:
#   - --ncu-summary reads saved Nsight Compute output (fixtures/, written in
#     the layout `ncu --csv --print-units base --metrics ...` prints: its own
#     ==PROF== lines and the program's output mixed in, values with thousands
#     separators) into the "ncu" object --run records: the kernel with the most
#     instructions, named by its functor, each figure as the file states it
#     (the expected values below are read off the fixtures by hand);
#   - columns are found by name (an older ncu's layout, with "Kernel Time" and
#     without block and grid sizes), and a metric the file lacks is null;
#   - --ncu-summary --memory reads the second pass's figures (what the
#     path kernel's warps wait on) into the "ncu_memory" object;
#   - a file with no metric rows (ncu refused the counters) gives null;
#   - --stages-summary adds up the CUDA backend's per-batch stage lines
#     (CLOUDPACT_CUDA_TIMING) into the "cuda_stages" object --run records
#     (the sums below are the fixture's, added by hand), and gives null for
#     a stderr without them;
#   - usage errors exit 2 with one line naming the problem;
#   - --run without a GPU stops with exit 3 after the CPU run, and profiles
#     nothing (GPU_CHECK_NCU names a stand-in ncu that must not be called);
#   - --run from end to end with stand-ins for the GPU (below): the rates in
#     §10's unit, the stage sums, and the builds of another grouping
#     (--also-group) and register limit (--also-registers) recorded, each
#     kind under its own key, a disagreeing one making the check exit 1;
#     both profile passes recorded, each with the metrics its file holds,
#     and a memory pass that fails recorded as an error beside the first.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
fx=tests/gpu_check/fixtures
scratch=$(mktemp -d /tmp/gpu_check_test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect_json NAME JSON PY_ASSERTIONS: the JSON parses and every assertion holds (j is the object).
expect_json() {
  if printf '%s' "$2" | "$py" -c "import json, sys
j = json.load(sys.stdin)
$3" 2>"$scratch/py.err"; then ok; else bad "$1: $2 ($(tail -n 1 "$scratch/py.err"))"; fi
}

out=$(scripts/gpu-check --ncu-summary "$fx/ncu-risk.csv" --paths 4096)
expect_json "current ncu layout" "$out" '
assert j["paths"] == 4096
assert j["kernel"] == "cloudpact::risk::kernel::PathFunctor<1>", j["kernel"]
assert j["sm__inst_executed"] == 21075340288 and isinstance(j["sm__inst_executed"], int)
assert j["issue_active_pct"] == 12.53
assert j["sm_throughput_pct"] == 5.81
assert j["achieved_occupancy_pct"] == 23.4568   # 23.45678912 to 6 significant digits
assert j["duration_ns"] == 126901472
assert len(j) == 7'

out=$(scripts/gpu-check --ncu-summary "$fx/ncu-older-columns.csv")
expect_json "older ncu layout" "$out" '
assert j["paths"] is None
assert j["kernel"] == "cloudpact::risk::kernel::PathFunctor<1>", j["kernel"]
assert j["sm__inst_executed"] == 987654321
assert j["issue_active_pct"] == 12.5          # the path kernel, not the copy kernel (80.25)
assert j["sm_throughput_pct"] is None and j["achieved_occupancy_pct"] is None and j["duration_ns"] is None'

# The memory pass (--memory): the new kernel's name (walk_paths, its own
# launch) still gives the functor; integers of 13 digits keep every digit.
out=$(scripts/gpu-check --ncu-summary "$fx/ncu-memory.csv" --paths 65536 --memory)
expect_json "memory figures" "$out" '
assert list(j) == ["paths", "kernel", "sm__inst_executed", "cycles_per_issue", "l1tex_wait_cycles_per_issue",
                   "threads_active_per_warp", "l1_hit_pct", "l2_hit_pct", "dram_throughput_pct",
                   "local_load_bytes", "local_store_bytes", "registers_per_thread", "shared_config_bytes",
                   "duration_ns"], list(j)
assert j["paths"] == 65536 and j["kernel"] == "cloudpact::risk::kernel::PathFunctor<5>", j["kernel"]
assert j["sm__inst_executed"] == 59374812672       # walk_paths, not the sampling kernel
assert j["cycles_per_issue"] == 51.625 and j["l1tex_wait_cycles_per_issue"] == 46.5625
assert j["threads_active_per_warp"] == 13.0234     # 13.0234375 to 6 significant digits
assert j["l1_hit_pct"] == 60.875 and j["l2_hit_pct"] == 57.125 and j["dram_throughput_pct"] == 19.5
assert j["local_load_bytes"] == 9876543210112 and j["local_store_bytes"] == 1234567890048
assert j["registers_per_thread"] == 80 and j["shared_config_bytes"] == 8192 and j["duration_ns"] == 852406272'
# The same file read for the issue figures: those it lacks are null.
out=$(scripts/gpu-check --ncu-summary "$fx/ncu-memory.csv")
expect_json "issue figures of a memory pass" "$out" '
assert j["sm__inst_executed"] == 59374812672 and j["duration_ns"] == 852406272
assert j["issue_active_pct"] is None and j["sm_throughput_pct"] is None and len(j) == 7'

out=$(scripts/gpu-check --ncu-summary "$fx/ncu-no-metrics.csv" --paths 10)
if [ "$out" = null ]; then ok; else bad "no metric rows: got '$out', want null"; fi

out=$(scripts/gpu-check --stages-summary "$fx/cuda-stages.err")
expect_json "stage sums" "$out" '
assert j == {"batches": 2, "paths": 100000, "setup_s": 0.140625, "sample_s": 0.0625, "walk_s": 1.6875,
             "copy_s": 0.03625}, j'
out=$(scripts/gpu-check --stages-summary "$fx/cuda-untimed.err")
if [ "$out" = null ]; then ok; else bad "no stage lines: got '$out', want null"; fi

# Usage errors: exit 2, one line on stderr, nothing on stdout.
check_usage() {  # check_usage WANT_IN_MESSAGE ARGS...
  local want=$1 err rc stdout
  shift
  stdout=$(scripts/gpu-check "$@" 2>"$scratch/usage.err")
  rc=$?
  err=$(cat "$scratch/usage.err")
  if [ "$rc" -eq 2 ] && [ -z "$stdout" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
    [[ "$err" == *"$want"* ]]; then ok; else bad "gpu-check $*: exit $rc, stderr '$err', stdout '$stdout'"; fi
}
check_usage "$fx/missing.csv: no such readable file" --ncu-summary "$fx/missing.csv"
check_usage "needs the file ncu wrote" --ncu-summary
check_usage "takes one file" --ncu-summary "$fx/ncu-risk.csv" "$fx/ncu-risk.csv"
check_usage "--paths needs a positive integer" --ncu-summary "$fx/ncu-risk.csv" --paths x
check_usage "$fx/missing.err: no such readable file" --stages-summary "$fx/missing.err"
check_usage "needs the stderr of a timed CUDA run" --stages-summary
check_usage "takes one file" --stages-summary "$fx/cuda-stages.err" "$fx/cuda-stages.err"
check_usage "--also-group needs an integer in 1..16" --also-group 0
check_usage "--also-group needs an integer in 1..16" --also-group 17
check_usage "--also-group needs an integer in 1..16" --also-group x
check_usage "--also-registers needs an integer in 24..255" --also-registers 23
check_usage "--also-registers needs an integer in 24..255" --also-registers 256
check_usage "--also-registers needs an integer in 24..255" --also-registers=8x
check_usage "--also-group needs an integer in 1..16" --also-registers 64 --also-group 0

# --run without a GPU: the CPU run, then exit 3 at the CUDA run, before any
# profile (the stand-in ncu leaves a mark if it is called) and before any
# results file is written; its scratch folder is removed.
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "test_gpu_check: the --run case is for machines without a GPU; skipped here" >&2
elif [ -z "${CLOUDPACT_BIN:-}" ]; then
  bad "--run case: CLOUDPACT_BIN is not set"
else
  tmp=$scratch/run
  mkdir "$tmp"
  printf '#!/bin/sh\ntouch "%s/ncu-called"\n' "$tmp" >"$tmp/ncu"
  chmod +x "$tmp/ncu"
  GPU_CHECK_BIN=$CLOUDPACT_BIN GPU_CHECK_NCU=$tmp/ncu scripts/gpu-check --run --paths 20 >"$tmp/out" 2>"$tmp/err"
  rc=$?
  written=$(find results/bench -type f -newer "$tmp/ncu" 2>/dev/null)
  leftover=$(find /tmp -maxdepth 1 -name 'cloudpact-gpu-check.*' -newer "$tmp/ncu" 2>/dev/null)
  if [ "$rc" -eq 3 ] && grep -q 'gpu-check: CPU [0-9.]* s' "$tmp/err" && grep -q 'CUDA run exited' "$tmp/err" &&
    [ ! -e "$tmp/ncu-called" ] && [ ! -s "$tmp/out" ] && [ -z "$written" ] && [ -z "$leftover" ]; then
    ok
  else
    bad "--run without a GPU: exit $rc (want 3), ncu called: $([ -e "$tmp/ncu-called" ] && echo yes || echo no), stderr: $(tail -n 3 "$tmp/err" | tr '\n' '|')"
  fi
fi

# --run from end to end, with stand-ins for the GPU: wrappers of the real
# binary that run `--backend cuda` on the CPU and print a stage line as the
# CUDA backend does (CLOUDPACT_CUDA_TIMING). Beside the default stand-in,
# cloudpact-g3 computes the same numbers, so it must be recorded as
# agreeing, and cloudpact-g7 another seed's, so it must be recorded as
# disagreeing and the check exit 1. The record goes to GPU_CHECK_OUT.
if [ -n "${CLOUDPACT_BIN:-}" ]; then
  fake=$scratch/fake
  mkdir "$fake"
  stand_in() {  # stand_in FILE SEED_SHIFT
    cat >"$1" <<STAND_IN
#!/usr/bin/env bash
args=() cuda=0 seed_next=0
for a in "\$@"; do
  if [ "\$a" = cuda ]; then a=cpu; cuda=1; fi
  if [ \$seed_next = 1 ]; then a=\$((a + $2)); seed_next=0; fi
  [ "\$a" = --seed ] && seed_next=1
  args+=("\$a")
done
"$CLOUDPACT_BIN" "\${args[@]}"
rc=\$?
if [ \$cuda = 1 ] && [ -n "\${CLOUDPACT_CUDA_TIMING:-}" ]; then
  echo "risk: cuda batch of 20 paths: setup 0.25 s, sample 0.125 s, walk 1.5 s, copy 0.0625 s" >&2
fi
exit \$rc
STAND_IN
    chmod +x "$1"
  }
  stand_in "$fake/cloudpact" 0
  stand_in "$fake/cloudpact-g3" 0
  stand_in "$fake/cloudpact-g7" 1
  stand_in "$fake/cloudpact-r64" 0
  stand_in "$fake/cloudpact-r128" 0
  # Nsight Compute's stand-in: the saved output of the pass it is asked for,
  # once it has checked that every metric it is asked for is in that file;
  # the memory pass fails as an ncu that knows one of them not, when
  # $fake/memory-fails exists.
  cat >"$fake/ncu" <<STAND_IN
#!/usr/bin/env bash
metrics="" prev=""
for a in "\$@"; do [ "\$prev" = --metrics ] && metrics=\$a; prev=\$a; done
case "\$metrics" in
  *long_scoreboard*)
    file=$root/$fx/ncu-memory.csv
    if [ -e "$fake/memory-fails" ]; then
      echo "==ERROR== Failed to find metric smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio"
      exit 1
    fi ;;
  *) file=$root/$fx/ncu-risk.csv ;;
esac
for m in \${metrics//,/ }; do grep -q "\"\$m\"" "\$file" || { echo "stand-in ncu: \$m not in \$file" >&2; exit 1; }; done
cat "\$file"
STAND_IN
  chmod +x "$fake/ncu"
  GPU_CHECK_BIN=$fake/cloudpact GPU_CHECK_NCU=$fake/ncu GPU_CHECK_OUT=$fake/gpu.json \
    scripts/gpu-check --run --paths 20 >"$fake/out" 2>"$fake/err"
  rc=$?
  if [ "$rc" -eq 1 ] && [ -f "$fake/gpu.json" ]; then ok; else bad "--run with stand-ins: exit $rc (want 1), stderr: $(tail -n 3 "$fake/err" | tr '\n' '|')"; fi
  expect_json "--run with stand-ins" "$(cat "$fake/gpu.json" 2>/dev/null)" '
import json as _j
sc = _j.load(open("scenarios/openai-2025-2027.json"))
declared = sum(len(r.get("clusters", [])) for p in sc["providers"] for r in p.get("regions", []))
assert j["paths"] == 20 and j["clusters"] == declared == 11, (j["clusters"], declared)
assert j["agree"] is False                      # g7 disagrees
assert j["mismatches"] == 0 and j["max_rel_diff"] == 0
assert abs(j["cuda_cluster_days_per_s"] - 20 * j["days"] * 11 / j["cuda_seconds"]) <= 1e-6 * j["cuda_cluster_days_per_s"]
assert j["cuda_stages"] == {"batches": 1, "paths": 20, "setup_s": 0.25, "sample_s": 0.125, "walk_s": 1.5,
                            "copy_s": 0.0625}, j["cuda_stages"]
v = j["group_variants"]
assert [x["group"] for x in v] == [3, 7], v
assert v[0]["agree"] is True and v[0]["mismatches"] == 0 and v[0]["cuda_stages"]["walk_s"] == 1.5
assert v[1]["agree"] is False and v[1]["mismatches"] > 0
r = j["register_variants"]
assert [x["max_registers"] for x in r] == [64, 128], r   # by N, not by name
assert all(x["agree"] is True and x["mismatches"] == 0 and "group" not in x for x in r), r
assert j["ncu"]["paths"] == 65536 and j["ncu"]["issue_active_pct"] == 12.53, j["ncu"]
assert j["ncu_memory"]["paths"] == 65536 and j["ncu_memory"]["l1tex_wait_cycles_per_issue"] == 46.5625, j["ncu_memory"]'
  written=$(find results/bench -type f -newer "$fake/ncu" 2>/dev/null)
  if [ -z "$written" ]; then ok; else bad "--run with GPU_CHECK_OUT wrote into results/bench: $written"; fi

  # A memory pass that fails (an ncu that knows one of its metrics not)
  # is recorded as an error beside the issue figures, which stay.
  touch "$fake/memory-fails"
  rm -f "$fake"/cloudpact-[gr]*
  GPU_CHECK_BIN=$fake/cloudpact GPU_CHECK_NCU=$fake/ncu GPU_CHECK_OUT=$fake/gpu2.json \
    scripts/gpu-check --run --paths 20 >"$fake/out2" 2>"$fake/err2"
  rc=$?
  if [ "$rc" -eq 0 ]; then ok; else bad "--run, memory pass failing: exit $rc (want 0), stderr: $(tail -n 3 "$fake/err2" | tr '\n' '|')"; fi
  expect_json "--run, memory pass failing" "$(cat "$fake/gpu2.json" 2>/dev/null)" '
assert j["agree"] is True and "group_variants" not in j and "register_variants" not in j
assert j["ncu"]["issue_active_pct"] == 12.53, j["ncu"]
assert j["ncu_memory"] == {"error": "==ERROR== Failed to find metric smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio"}, j["ncu_memory"]'
fi

echo "test_gpu_check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
