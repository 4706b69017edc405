#!/usr/bin/env bash
# interop under a real Slurm: a one-node cluster, then two nodes (n1, n2) in network namespaces,
# both started by tests/slurm/slurm-cluster.sh in a temporary folder and stopped (daemons, job
# steps, namespaces, files) when the tests end, fail, time out or are interrupted. One line per case
# ("ok NAME", "FAIL NAME" with the output, "skip NAME: reason"), then "N passed, N failed, N skipped";
# exits non-zero if a case failed. A cluster that cannot start here (Slurm not installed, not root,
# no CAP_NET_ADMIN for the namespaces) skips its cases with the reason; skipped cases never count
# as passed.
#
#   tests/slurm/run-slurm-tests.sh
#
# Needs build/bin/interop (./build.sh) and Slurm's slurmctld, slurmd, slurm-client and munge
# (./build.sh test installs them). About a minute, plus 60 to 90 s for the time-limit case (Slurm
# keeps limits in whole minutes and checks them every 30 s).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${INTEROP_NATIVE_DIR:-$ROOT/build/bin}"
INTEROP="$BIN/interop"
CLUSTER="$ROOT/tests/slurm/slurm-cluster.sh"
EXAMPLES="$ROOT/examples/slurm"
CASE_LIMIT=180   # seconds for one case's srun/sbatch/mpiexec

for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-slurm-tests.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

passed=0; failed=0; skipped=0
CASE_STARTED=$(date +%s)
took() { echo "$(( $(date +%s) - CASE_STARTED )) s"; }
pass() { passed=$((passed + 1)); echo "ok $1 [$(took)]"; }
fail() {
  failed=$((failed + 1)); echo "FAIL $1 [$(took)]"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 40 | sed 's/^/    | /'
  return 0
}
skip() { skipped=$((skipped + 1)); echo "skip $1: $2"; }
finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}

# A job inherits the submitting environment: nothing of a Slurm job this script itself may run in.
for name in ${!SLURM_@} ${!SRUN_@} ${!SBATCH_@}; do unset "$name"; done
# As root (CI) Open MPI's mpiexec refuses to start without these; the test suite's usual MPI settings.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export INTEROP_NATIVE_DIR="$BIN"

WORK=$(mktemp -d /tmp/interop-slurm-tests.XXXXXX)
CLUSTER_DIR=""
stop_cluster() {
  [ -n "$CLUSTER_DIR" ] && "$CLUSTER" stop "$CLUSTER_DIR"
  CLUSTER_DIR=""
}
cleanup() { stop_cluster; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'echo "run-slurm-tests.sh: interrupted" >&2; exit 130' INT
trap 'echo "run-slurm-tests.sh: terminated" >&2; exit 143' TERM

# Starts a cluster (local | namespaces); on failure prints why and returns non-zero.
start_cluster() {
  CLUSTER_DIR=$(mktemp -d /tmp/interop-slurm.XXXXXX)
  local out status=0
  out=$("$CLUSTER" start "$CLUSTER_DIR" --nodes "$1" 2>&1) || status=$?
  if [ "$status" -ne 0 ]; then
    START_PROBLEM=$(printf '%s\n' "$out" | tail -n 1)
    [ "$status" -ne 3 ] && START_FAILED=1
    stop_cluster
    return 1
  fi
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/cluster.env"
}

# run NAME COMMAND...: runs COMMAND bounded by CASE_LIMIT; output in $out, exit status in $status.
run() {
  status=0
  out=$(timeout -k 10 "$CASE_LIMIT" "$@" 2>&1 </dev/null) || status=$?
}
# The output file of a batch job: sbatch --wait --parsable prints the job id.
job_output() { cat "$WORK/job-$1.out" 2>/dev/null; }
# sbatch --wait OPTIONS... SCRIPT: the job's id in $job, its output in $out, sbatch's status in $status.
batch() {
  status=0
  local submitted
  submitted=$(cd "$WORK" && timeout -k 10 "$CASE_LIMIT" sbatch --wait --parsable --output="$WORK/job-%j.out" "$@" 2>&1 </dev/null) || status=$?
  job=$(printf '%s\n' "$submitted" | grep -E '^[0-9]+$' | head -n 1)
  out="$submitted"$'\n'"$(job_output "$job")"
}
has() { grep -qE -- "$1" <<<"$out"; }
count_inside() { sed -nE 's/.*counted exactly ([0-9]+) darts inside.*/\1/p' <<<"$1" | head -n 1; }

if [ ! -x "$INTEROP" ]; then
  fail "build/bin/interop exists (run ./build.sh first)"; finish; exit $?
fi

# Each case is a function; TITLE[function] is its line. A section runs its cases on one cluster.
declare -A TITLE
section() {
  local mode=$1; shift
  START_PROBLEM=""; START_FAILED=0
  local started c
  started=$(date +%s)
  if ! start_cluster "$mode"; then
    if [ "$START_FAILED" -eq 1 ]; then
      fail "start the $mode Slurm cluster" "$START_PROBLEM"
    else
      for c in "$@"; do skip "${TITLE[$c]}" "$START_PROBLEM"; done
    fi
    return
  fi
  # Every case runs 2 ranks of 1 CPU, or 1 task of 2 CPUs, on one node.
  local cpus
  cpus=$(sinfo -h -N -o '%c' | sort -n | head -n 1)
  if [ "${cpus:-0}" -lt 2 ]; then
    for c in "$@"; do skip "${TITLE[$c]}" "the cases need nodes of 2 CPUs at least; this one has ${cpus:-none}"; done
    stop_cluster
    return
  fi
  echo "# Slurm cluster ($mode) up in $(( $(date +%s) - started )) s: $(sinfo -h -N -o '%N %c CPUs %t' | sort -u | tr '\n' ';')"
  for c in "$@"; do CASE_STARTED=$(date +%s); "$c"; done
  stop_cluster
}

DARTS=10000000            # every pi case throws these darts from seed 42: the counts must agree
PI_BACKENDS=c-openmp,managed-parallel
INV_SIZE=600              # scalapack cases: this order on a 2x1 grid; the inverse files must agree

# --- one node ---------------------------------------------------------------------------------

TITLE[srun_pmix_pi]="srun --mpi=pmix -n 2 -c 1 interop pi: one job of 2 ranks, exact counts"
srun_pmix_pi() {
  run srun --mpi=pmix -n 2 -c 1 "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  local tables
  tables=$(grep -c '^Monte Carlo pi:' <<<"$out")
  # Two singletons would print two tables of 1 rank each (or be refused): one table, 2 ranks.
  if [ "$status" -eq 0 ] && [ "$tables" -eq 1 ] && has '^Monte Carlo pi: .* 2 ranks \(MPI \(PMIx' &&
     has 'check: all 2 backend\(s\) counted exactly [0-9]+ darts inside'; then
    ONE_NODE_COUNT=$(count_inside "$out")
    pass "${TITLE[srun_pmix_pi]}"
  else
    fail "${TITLE[srun_pmix_pi]} (exit $status, $tables table(s))" "$out"
  fi
}

TITLE[srun_threads]="srun -n 1 -c 2 interop pi: 2 threads from SLURM_CPUS_PER_TASK, one process"
srun_threads() {
  run srun -n 1 -c 2 "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  if [ "$status" -eq 0 ] && has '^Monte Carlo pi: [0-9,]+ darts, seed 42, 2 thread\(s\) per parallel backend \(from SLURM_CPUS_PER_TASK\)' &&
     [ "$(count_inside "$out")" = "$ONE_NODE_COUNT" ]; then
    pass "${TITLE[srun_threads]}"
  else
    fail "${TITLE[srun_threads]} (exit $status; count $(count_inside "$out"), srun -n 2: $ONE_NODE_COUNT)" "$out"
  fi
}

TITLE[sbatch_threads]="sbatch -c 1 and -c 2: 1 and 2 threads from SLURM_CPUS_PER_TASK on a 2-CPU node"
sbatch_threads() {
  local c ok=1 all=""
  for c in 1 2; do
    batch -n 1 -c $c --wrap "'$INTEROP' pi --darts $DARTS --backend $PI_BACKENDS --repeat 1"
    all+="$out"$'\n'
    [ "$status" -eq 0 ] && has "^Monte Carlo pi: [0-9,]+ darts, seed 42, $c thread\(s\) per parallel backend \(from SLURM_CPUS_PER_TASK\)" &&
      [ "$(count_inside "$out")" = "$ONE_NODE_COUNT" ] || ok=0
  done
  [ "$ok" -eq 1 ] && pass "${TITLE[sbatch_threads]}" || fail "${TITLE[sbatch_threads]}" "$all"
}

TITLE[cpus_on_node]="srun --mpi=pmix --cpu-bind=none -n 2 interop pi (no -c): threads per rank from SLURM_CPUS_ON_NODE over the node's 2 tasks"
cpus_on_node() {
  # Unbound, each rank may use every CPU of the node: only the allocation keeps 2 ranks from taking
  # 2 threads each.
  run srun --mpi=pmix --cpu-bind=none -n 2 "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  # CR_Core allocates whole cores: with 2 hardware threads a core, the node's share is 4 CPUs.
  local threads cpus
  threads=$(sed -nE 's/.*2 ranks \(MPI \(PMIx.* x ([0-9]+) thread\(s\) per parallel backend \(from SLURM_CPUS_ON_NODE=[0-9]+ \/ 2 tasks on this node\).*/\1/p' <<<"$out")
  cpus=$(sed -nE 's/.*from SLURM_CPUS_ON_NODE=([0-9]+) \/ 2 tasks on this node.*/\1/p' <<<"$out" | head -n 1)
  if [ "$status" -eq 0 ] && [ -n "$threads" ] && [ "$threads" -eq $((cpus / 2)) ] &&
     [ "$(count_inside "$out")" = "$ONE_NODE_COUNT" ]; then
    pass "${TITLE[cpus_on_node]}"
  else
    fail "${TITLE[cpus_on_node]} (exit $status)" "$out"
  fi
}

TITLE[env_slurm_block]="srun -n 1 -c 1 interop env: the Slurm block (job, step, tasks, CPUs per task, nodes, binding) and a warning for OMP_NUM_THREADS=2"
env_slurm_block() {
  run srun -n 1 -c 1 "$INTEROP" env
  local block="$out" block_status=$status
  OMP_NUM_THREADS=2 run srun -n 1 -c 1 "$INTEROP" env
  out="$block"$'\n'"$out"
  if [ "$block_status" -eq 0 ] && [ "$status" -eq 0 ] && has '^  job_id +[0-9]+$' && has '^  step +0' && has '^  tasks +1 ' &&
     has '^  cpus_per_task +1' && has "^  nodes +$(hostname -s)" && has '^  binding +.*mask' &&
     has '^interop: warning: 2 threads \(from OMP_NUM_THREADS\) but the Slurm allocation gives this task 1 CPU\(s\)'; then
    pass "${TITLE[env_slurm_block]}"
  else
    fail "${TITLE[env_slurm_block]} (exits $block_status, $status)" "$out"
  fi
}

TITLE[srun_without_plugin]="srun -n 2 interop pi without --mpi=pmix: refused before MPI starts, one line from task 0, exit 2"
srun_without_plugin() {
  run srun -n 2 "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  local said
  said=$(grep -c '^interop: srun started 2 tasks without an MPI plugin' <<<"$out")
  if [ "$status" -ne 0 ] && [ "$said" -eq 1 ] && has 'tasks? 0(-1)?: Exited with exit code 2' && ! has 'MPI_Init|Monte Carlo pi'; then
    pass "${TITLE[srun_without_plugin]}"
  else
    fail "${TITLE[srun_without_plugin]} (exit $status, said $said time(s))" "$out"
  fi
}

TITLE[example_pi]="sbatch --wait examples/slurm/pi.sbatch: 2 ranks, the counts of srun -n 2"
example_pi() {
  INTEROP="$INTEROP" DARTS=$DARTS batch "$EXAMPLES/pi.sbatch"
  if [ "$status" -eq 0 ] && has '^Monte Carlo pi: .* 2 ranks \(MPI \(PMIx' && [ "$(count_inside "$out")" = "$ONE_NODE_COUNT" ]; then
    pass "${TITLE[example_pi]}"
  else
    fail "${TITLE[example_pi]} (exit $status)" "$out"
  fi
}

TITLE[example_inv]="sbatch --wait examples/slurm/inv-scalapack.sbatch: inv --backend scalapack on a 2x1 grid, residual passes"
example_inv() {
  INTEROP="$INTEROP" SIZE=$INV_SIZE OUTPUT="$WORK/inverse-one-node.npy" batch "$EXAMPLES/inv-scalapack.sbatch"
  if [ "$status" -eq 0 ] && has 'scalapack' && has '2x1' && [ -s "$WORK/inverse-one-node.npy" ] && ! has 'FAIL'; then
    pass "${TITLE[example_inv]}"
  else
    fail "${TITLE[example_inv]} (exit $status)" "$out"
  fi
}

# results.json's complete flag and status, and the files of the folder that are not results (a
# partial file, a temporary left behind).
results_state() {
  python3 - "$1" <<'PY'
import json, os, sys
folder = sys.argv[1]
known = {"results.json", "results.csv", "report.md"}
stray = [f for f in os.listdir(folder) if f not in known and not f.endswith((".svg", ".png"))]
with open(os.path.join(folder, "results.json")) as f:
    r = json.load(f)
print("complete=%s status=%r stray=%s" % (r.get("complete"), r.get("status"), ",".join(stray) or "none"))
PY
}

TITLE[example_compare]="sbatch --wait examples/slurm/compare.sbatch, then interop report merges it with a threads-only run"
example_compare() {
  local threads="$WORK/compare-threads" hybrid="$WORK/compare-slurm" merged="$WORK/compare-report"
  run "$INTEROP" compare --workload pi --darts $DARTS --threads 1,2 --repeat 2 --backend $PI_BACKENDS --out-dir "$threads"
  local first="$out" first_status=$status
  INTEROP="$INTEROP" DARTS=$DARTS REPEAT=2 BACKEND=$PI_BACKENDS OUT_DIR="$hybrid" batch -c 1 "$EXAMPLES/compare.sbatch"
  local second="$out" second_status=$status
  run "$INTEROP" report "$threads" "$hybrid" --out-dir "$merged"
  if [ "$first_status" -eq 0 ] && [ "$second_status" -eq 0 ] && [ "$status" -eq 0 ] &&
     grep -qE '; 2 rank\(s\);' <<<"$second" && [ -f "$merged/report.md" ] && grep -q '2x1' "$merged/report.md" &&
     grep -q '1x2' "$merged/report.md" && [ "$(results_state "$hybrid")" = "complete=True status='complete' stray=none" ]; then
    ONE_NODE_COMPARE="$hybrid"
    pass "${TITLE[example_compare]}"
  else
    fail "${TITLE[example_compare]} (exits $first_status, $second_status, $status)" "$first"$'\n'"$second"$'\n'"$out"
  fi
}

# A 2-rank compare that would run for minutes, submitted without waiting: its job id in $job, its
# results folder $1. Returns once the compare has written its folder (it is measuring), or fails.
submit_long_compare() {
  local folder=$1; shift
  job=$(cd "$WORK" && INTEROP="$INTEROP" DARTS=1e12 BACKEND=c-openmp OUT_DIR="$folder" \
    timeout 30 sbatch --parsable --output="$WORK/job-%j.out" -n 2 -c 1 "$@" "$EXAMPLES/compare.sbatch" 2>&1 </dev/null)
  [[ "$job" =~ ^[0-9]+$ ]] || return 1
  local tries=0
  until [ -f "$folder/results.json" ]; do
    tries=$((tries + 1)); [ "$tries" -lt 600 ] || return 1
    sleep 0.1
  done
}
# Waits (bounded: 150 s, past a 1-minute limit and Slurm's 30 s check) until job $1 has left the queue and no process of results folder $2 is left.
wait_job_gone() {
  local tries=0
  while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] || pgrep -f -- "--out-dir $2" >/dev/null; do
    tries=$((tries + 1)); [ "$tries" -lt 1500 ] || return 1
    sleep 0.1
  done
}

TITLE[cancelled_job]="scancel of a running compare.sbatch: the ranks end, the folder says interrupted, no partial file"
cancelled_job() {
  local folder="$WORK/compare-cancelled"
  if ! submit_long_compare "$folder"; then
    fail "${TITLE[cancelled_job]} (the job did not start: $job)" "$(job_output "$job")"; return
  fi
  sleep 1
  scancel "$job"
  local gone=1
  wait_job_gone "$job" "$folder" || gone=0
  local state
  state=$(results_state "$folder" 2>&1)
  if [ "$gone" -eq 1 ] && [[ "$state" == "complete=False status='interrupted by SIGTERM"*"stray=none" ]]; then
    pass "${TITLE[cancelled_job]}"
  else
    fail "${TITLE[cancelled_job]} (job gone: $gone; $state)" "$(job_output "$job")"
  fi
}

TITLE[time_limit]="compare.sbatch past its time limit (--time=1): the ranks end, the folder says interrupted, no partial file"
time_limit() {
  local folder="$WORK/compare-timed-out"
  if ! submit_long_compare "$folder" --time=1; then
    fail "${TITLE[time_limit]} (the job did not start: $job)" "$(job_output "$job")"; return
  fi
  # Slurm checks time limits every 30 s: the job ends 60 to about 90 s after it started.
  local gone=1
  wait_job_gone "$job" "$folder" || gone=0
  local state reason
  state=$(results_state "$folder" 2>&1)
  reason=$(grep -o 'DUE TO TIME LIMIT' "$WORK/job-$job.out" | head -n 1)
  if [ "$gone" -eq 1 ] && [ -n "$reason" ] && [[ "$state" == "complete=False status='interrupted by SIGTERM"*"stray=none" ]]; then
    pass "${TITLE[time_limit]}"
  else
    fail "${TITLE[time_limit]} (job gone: $gone; '$reason'; $state)" "$(job_output "$job")"
  fi
}

# --- two nodes: n1 and n2, each a network namespace with its own host name ----------------------

# Every value of a "host" field in results.json (provenance and machine load): the hosts it names.
results_hosts() {
  python3 - "$1" <<'PY'
import json, sys
def hosts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "host" and isinstance(value, str):
                yield value
            else:
                yield from hosts(value)
    elif isinstance(node, list):
        for item in node:
            yield from hosts(item)
with open(sys.argv[1] + "/results.json") as f:
    r = json.load(f)
print(",".join(sorted(set(hosts(r.get("provenance", {}))))))
PY
}
# Open MPI's own word on the transport: with btl_base_verbose each rank logs "[host:pid] mca: bml:
# Using tcp btl for send to [...] on node OTHER" for the peer on the other node.
tcp_between_nodes() {
  has '^\[n1:[0-9]+\] mca: bml: Using tcp btl for send to .* on node n2' &&
    has '^\[n2:[0-9]+\] mca: bml: Using tcp btl for send to .* on node n1'
}

# The verdict on a 2-rank pi run across n1 and n2 ($out, $status) whose launcher $2 ("PMIx", "Open
# MPI") the header names: one job, Open MPI's TCP transport between the nodes, the one-node count.
judge_pi_across_nodes() {
  local title=$1 launcher=$2
  if [ "$status" -eq 0 ] && has "^Monte Carlo pi: .* 2 ranks \\(MPI \\($launcher" && tcp_between_nodes &&
     [ -n "$ONE_NODE_COUNT" ] && [ "$(count_inside "$out")" = "$ONE_NODE_COUNT" ]; then
    pass "$title"
  else
    fail "$title (exit $status; count $(count_inside "$out"), one node: ${ONE_NODE_COUNT:-not run})" "$(grep -v 'mca: base' <<<"$out")"
  fi
}

TITLE[two_node_pi]="srun -N 2 -n 2 --mpi=pmix interop pi: ranks on n1 and n2 over Open MPI's TCP transport, the one-node counts"
two_node_pi() {
  OMPI_MCA_btl_base_verbose=30 run srun -N 2 -n 2 --mpi=pmix "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  judge_pi_across_nodes "${TITLE[two_node_pi]}" PMIx
}

# Across nodes the task pool must take the message path: a shared-memory counter on each node
# would hand every chunk out once per node, and the count would be off.
TITLE[two_node_pool]="srun -N 2 -n 2 --mpi=pmix interop pi --schedule dynamic: the task pool over TCP between n1 and n2 (messages, not a counter per node), the one-node counts"
two_node_pool() {
  OMPI_MCA_btl_base_verbose=30 run srun -N 2 -n 2 --mpi=pmix "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1 --schedule dynamic
  judge_pi_across_nodes "${TITLE[two_node_pool]}" PMIx
}

TITLE[two_node_env]="srun -N 2 -n 2 --mpi=pmix interop env: rank 0 on host n1, rank 1 on host n2, both in its hosts line"
two_node_env() {
  run srun -N 2 -n 2 --mpi=pmix "$INTEROP" env
  if [ "$status" -eq 0 ] && has '^  host n1 +rank 0/2 ' && has '^  host n2 +rank 1/2 ' && has '^hosts +n1 \(rank 0\), n2 \(rank 1\)$'; then
    pass "${TITLE[two_node_env]}"
  else
    fail "${TITLE[two_node_env]} (exit $status)" "$out"
  fi
}

TITLE[two_node_inv]="sbatch -N 2 examples/slurm/inv-scalapack.sbatch: the 2x1 grid across n1 and n2, the one-node inverse bit for bit"
two_node_inv() {
  INTEROP="$INTEROP" SIZE=$INV_SIZE OUTPUT="$WORK/inverse-two-nodes.npy" OMPI_MCA_btl_base_verbose=30 \
    batch -N 2 "$EXAMPLES/inv-scalapack.sbatch"
  if [ "$status" -eq 0 ] && tcp_between_nodes && [ -s "$WORK/inverse-one-node.npy" ] &&
     cmp -s "$WORK/inverse-one-node.npy" "$WORK/inverse-two-nodes.npy"; then
    pass "${TITLE[two_node_inv]}"
  else
    fail "${TITLE[two_node_inv]} (exit $status; inverses: $(cmp "$WORK/inverse-one-node.npy" "$WORK/inverse-two-nodes.npy" 2>&1 || true))" \
      "$(grep -v 'mca: base' <<<"$out")"
  fi
}

TITLE[two_node_compare]="sbatch -N 2 -c 2 examples/slurm/compare.sbatch: 2 ranks x 1..2 threads on n1 and n2, results.json names both hosts"
two_node_compare() {
  local folder="$WORK/compare-two-nodes"
  INTEROP="$INTEROP" DARTS=$DARTS REPEAT=2 BACKEND=$PI_BACKENDS OUT_DIR="$folder" batch -N 2 -c 2 "$EXAMPLES/compare.sbatch"
  local hosts=""
  [ -f "$folder/results.json" ] && hosts=$(results_hosts "$folder")
  if [ "$status" -eq 0 ] && [ "$hosts" = "n1,n2" ] && [ "$(results_state "$folder")" = "complete=True status='complete' stray=none" ] &&
     has 'all [0-9]+ results verified' && [ "$(grep -o 'inside=[0-9]*' "$folder/report.md" | sort -u)" = "inside=$ONE_NODE_COUNT" ]; then
    pass "${TITLE[two_node_compare]}"
  else
    fail "${TITLE[two_node_compare]} (exit $status; hosts in results.json: '${hosts}')" "$out"
  fi
}

TITLE[mpiexec_hosts]="mpiexec --host n1,n2 (launch agent entering the namespaces): TCP between the nodes, the one-node counts"
mpiexec_hosts() {
  run mpiexec --host n1,n2 -n 2 --bind-to none --mca plm_rsh_agent "$CLUSTER agent $CLUSTER_DIR" --mca btl_base_verbose 30 \
    "$INTEROP" pi --darts $DARTS --backend $PI_BACKENDS --repeat 1
  judge_pi_across_nodes "${TITLE[mpiexec_hosts]}" "Open MPI"
}

# --- the run ----------------------------------------------------------------------------------
ONE_NODE_COUNT=""
one_node=(srun_pmix_pi srun_threads sbatch_threads cpus_on_node env_slurm_block srun_without_plugin example_pi example_inv
  example_compare cancelled_job time_limit)
echo "# one node: this host as a Slurm node"
section local "${one_node[@]}"
echo "# two nodes: n1 and n2 in network namespaces of their own, joined by a bridge"
section namespaces two_node_pi two_node_pool two_node_env two_node_inv two_node_compare mpiexec_hosts
finish
