#!/usr/bin/env bash
# srun against mpiexec on one node (issue 23): the same 2-rank interop command started by each,
#   a long run:  interop pi --darts 1e9 --repeat 5   (every backend)
#   start-up:    interop pi --darts 1e3 --backend c-openmp --repeat 1   (process start to exit)
# under `srun --mpi=pmix -n 2 -c 1` (a throw-away one-node Slurm cluster from tests/slurm, started
# and stopped here: run as root, with Slurm installed by ./build.sh test) and `mpiexec -n 2` (Open
# MPI's defaults: one core per rank, like Slurm's task/affinity). Prints medians and ratios.
#
# Usage: examples/slurm/bench-srun-vs-mpiexec.sh [runs]     (default 10 start-up runs per launcher)
#   LONG_ROUNDS=5     rounds of the long run (each launcher once a round, after a warm-up round)
#   ISA=auto          the instruction-set path of both runs (--isa: avx512, avx2, scalar)
set -euo pipefail

RUNS="${1:-10}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
INTEROP="$BIN/interop"
[ -x "$INTEROP" ] || { echo "bench-srun-vs-mpiexec: no $INTEROP (build: ./build.sh)" >&2; exit 1; }
command -v hyperfine >/dev/null 2>&1 || { echo "bench-srun-vs-mpiexec: needs hyperfine" >&2; exit 1; }
export INTEROP_NATIVE_DIR="$BIN"
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's shared-memory transport without UCX's start-up (docs/mpi.md, "Open MPI
# settings"), the same for the ranks of both launchers (srun passes the environment on).
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_osc="${OMPI_MCA_osc:-^ucx}"
export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
for name in ${!SLURM_@} ${!SRUN_@}; do unset "$name"; done

CLUSTER_DIR=$(mktemp -d /tmp/interop-bench-slurm.XXXXXX)
WORK=$(mktemp -d)
trap '"$ROOT/tests/slurm/slurm-cluster.sh" stop "$CLUSTER_DIR"; rm -rf "$WORK"' EXIT
"$ROOT/tests/slurm/slurm-cluster.sh" start "$CLUSTER_DIR" --nodes local ||
  { echo "bench-srun-vs-mpiexec: the Slurm cluster did not start" >&2; exit 1; }
. "$CLUSTER_DIR/cluster.env"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(srun --version), $(mpiexec --version 2>&1 | head -n 1), hyperfine $(hyperfine --version | cut -d' ' -f2)"

# Start-up: hyperfine, each command after a warm-up.
startup() {
  local args="pi --darts 1e3 --backend c-openmp --repeat 1 --isa $ISA"
  hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$WORK/startup.json" \
    -n "mpiexec -n 2" "mpiexec -n 2 $INTEROP $args" \
    -n "srun --mpi=pmix -n 2" "srun --mpi=pmix -n 2 -c 1 $INTEROP $args"
  python3 - "$WORK/startup.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
m, s = results["mpiexec -n 2"]["median"], results["srun --mpi=pmix -n 2"]["median"]
print(f"start-up (pi 1e3, process start to exit): median mpiexec {m:.3f} s, srun {s:.3f} s; "
      f"srun - mpiexec = {s - m:+.3f} s, srun / mpiexec = {s / m:.3f}")
PY
}

# The long run: `interop pi --darts 1e9 --repeat 5` (every backend, a fixed number of timed runs so
# that both launchers do the same work), the launchers in turn, one warm-up round first. Wall time
# of each whole command, and each backend's median compute time from the --json results.
long_run() {
  local round launcher
  for round in $(seq 0 "$LONG_ROUNDS"); do
    for launcher in mpiexec srun; do
      local command=(mpiexec -n 2) began ended
      [ "$launcher" = srun ] && command=(srun --mpi=pmix -n 2 -c 1)
      began=$(date +%s.%N)
      "${command[@]}" "$INTEROP" pi --darts 1e9 --repeat 5 --isa "$ISA" --json >"$WORK/$launcher-$round.json" 2>/dev/null
      ended=$(date +%s.%N)
      # Round 0 is the warm-up.
      [ "$round" -gt 0 ] && echo "$launcher $round $began $ended" >>"$WORK/walls"
    done
  done
  python3 - "$WORK" "$LONG_ROUNDS" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
walls = {"mpiexec": [], "srun": []}
for line in open(f"{work}/walls"):
    launcher, _, began, ended = line.split()
    walls[launcher].append(float(ended) - float(began))
m, s = statistics.median(walls["mpiexec"]), statistics.median(walls["srun"])
print(f"pi 1e9 --repeat 5, {rounds} rounds: median wall mpiexec {m:.2f} s, srun {s:.2f} s; srun / mpiexec = {s / m:.3f}")
medians = {"mpiexec": {}, "srun": {}}
for launcher in medians:
    for r in range(1, rounds + 1):
        for point in json.load(open(f"{work}/{launcher}-{r}.json"))["points"]:
            medians[launcher].setdefault(point["backend"], []).append(point["seconds_median"])
ratios = []
for backend, times in medians["mpiexec"].items():
    a, b = statistics.median(times), statistics.median(medians["srun"][backend])
    ratios.append(b / a)
    print(f"  {backend:17s} compute median mpiexec {a * 1e3:8.2f} ms, srun {b * 1e3:8.2f} ms; srun / mpiexec = {b / a:.3f}")
print(f"  geometric mean of srun / mpiexec over the backends: {statistics.geometric_mean(ratios):.3f}")
PY
}

LONG_ROUNDS=${LONG_ROUNDS:-5}
ISA=${ISA:-auto}
echo "# isa $ISA"
long_run
startup
