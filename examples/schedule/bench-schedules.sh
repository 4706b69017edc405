#!/usr/bin/env bash
# Static against dynamic and guided (interop pi --schedule, issue 24), as ratios measured in one run:
#   balanced   mpiexec -n 2 --bind-to core                          (nothing else running)
#   noisy      mpiexec -n 2 --bind-to core, while a busy loop of this script's own is pinned to
#              the last CPU (a noisy neighbour: the rank bound there gets about half of it)
#   oversub    mpiexec -n 3 --map-by core:OVERSUBSCRIBE --bind-to core:overload-allowed (two ranks
#              share a core; Open MPI refuses the binding without overload-allowed)
# each `interop pi --darts $DARTS --backend c-openmp --threads 1 --repeat $REPEAT --isa $ISA`, the
# schedules in turn, round after round (one warm-up round first), and the medians over the rounds
# of each run's median. Then the task pool's cost per chunk: tiny chunks (dynamic:$TINY) against
# static on 1 and 2 ranks, (dynamic - static) / (chunks per rank).
# Imbalance must be real for the ratio to mean anything: with fair scheduling and no binding, ranks
# that share cores run at equal speed and static equals dynamic; hence the binding.
#
# Usage: examples/schedule/bench-schedules.sh [rounds]     (default 5)
#   DARTS=2e9 REPEAT=5 ISA=auto TINY=20000 CASES="balanced noisy oversub overhead"
#   INTEROP_POOL=messages: the request protocol instead of the shared counter (docs/mpi.md)
set -euo pipefail

ROUNDS="${1:-5}"
DARTS="${DARTS:-2e9}" REPEAT="${REPEAT:-5}" ISA="${ISA:-auto}" TINY="${TINY:-20000}"
CASES="${CASES:-balanced noisy oversub overhead}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
INTEROP="$BIN/interop"
[ -x "$INTEROP" ] || { echo "bench-schedules: no $INTEROP (build: ./build.sh)" >&2; exit 1; }
export INTEROP_NATIVE_DIR="$BIN"
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's shared-memory transport without UCX's start-up (docs/mpi.md, "Open MPI settings").
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_osc="${OMPI_MCA_osc:-^ucx}"
export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"

WORK=$(mktemp -d)
NEIGHBOUR=""
# (wait reports the loop's SIGTERM as a failure, which set -e must not take for the script's own)
stop_neighbour() {
  if [ -n "$NEIGHBOUR" ]; then kill "$NEIGHBOUR" 2>/dev/null || true; wait "$NEIGHBOUR" 2>/dev/null || true; fi
  NEIGHBOUR=""
}
trap 'stop_neighbour; rm -rf "$WORK"' EXIT

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(mpiexec --version 2>&1 | head -n 1); interop pi --darts $DARTS --backend c-openmp --threads 1 --repeat $REPEAT --isa $ISA; $ROUNDS rounds after a warm-up; INTEROP_POOL=${INTEROP_POOL:-auto}"

# One point's median seconds from pi's --json on stdout.
median_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["points"][0]["seconds_median"])' "$1"; }

# run_case NAME "MPIEXEC ARGS" SCHEDULE...: every schedule once a round; medians and ratios to the first.
run_case() {
  local name=$1 launch=$2; shift 2
  local round schedule
  for round in $(seq 0 "$ROUNDS"); do
    for schedule in "$@"; do
      # shellcheck disable=SC2086 # the launcher's words
      mpiexec $launch "$INTEROP" pi --darts "$DARTS" --backend c-openmp --threads 1 --repeat "$REPEAT" --isa "$ISA" \
        --schedule "$schedule" --json >"$WORK/run.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
      [ "$round" -gt 0 ] && echo "$schedule $(median_of "$WORK/run.json")" >>"$WORK/$name"
    done
  done
  python3 - "$WORK/$name" "$name" "$launch" "$@" <<'PY'
import statistics, sys
path, name, launch, schedules = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
times = {s: [] for s in schedules}
for line in open(path):
    s, t = line.split()
    times[s].append(float(t))
base = statistics.median(times[schedules[0]])
print(f"{name} (mpiexec {launch}):")
for s in schedules:
    m = statistics.median(times[s])
    spread = f"{min(times[s]) * 1e3:.1f}-{max(times[s]) * 1e3:.1f} ms"
    print(f"  {s:14s} median {m * 1e3:8.1f} ms ({spread}); {schedules[0]} / {s} = {base / m:.3f}")
PY
}

# The pool's cost per chunk: TINY darts a chunk (a few microseconds of work each) against static.
overhead() {
  local ranks chunks
  for ranks in 1 2; do
    local static=() dynamic=()
    for round in $(seq 0 "$ROUNDS"); do
      mpiexec -n "$ranks" --bind-to core "$INTEROP" pi --darts 2e8 --backend c-openmp --threads 1 --repeat "$REPEAT" --isa "$ISA" --json >"$WORK/s.json"
      mpiexec -n "$ranks" --bind-to core "$INTEROP" pi --darts 2e8 --backend c-openmp --threads 1 --repeat "$REPEAT" --isa "$ISA" \
        --schedule "dynamic:$TINY" --json >"$WORK/d.json"
      [ "$round" -gt 0 ] && static+=("$(median_of "$WORK/s.json")") && dynamic+=("$(median_of "$WORK/d.json")")
    done
    python3 - "$ranks" "$TINY" "${static[*]}" "${dynamic[*]}" <<'PY'
import statistics, sys
ranks, tiny = int(sys.argv[1]), int(sys.argv[2])
s = statistics.median(map(float, sys.argv[3].split()))
d = statistics.median(map(float, sys.argv[4].split()))
chunks = 2e8 / tiny
print(f"pool overhead, {ranks} rank(s), 2e8 darts in {chunks:.0f} chunks of {tiny}: static {s * 1e3:.1f} ms, "
      f"dynamic {d * 1e3:.1f} ms; {(d - s) / (chunks / ranks) * 1e6:.2f} us per chunk")
PY
  done
}

for c in $CASES; do
  case "$c" in
    balanced) run_case balanced "-n 2 --bind-to core" static dynamic guided ;;
    noisy)
      taskset -c "$(($(nproc) - 1))" sh -c 'while :; do :; done' &
      NEIGHBOUR=$!
      run_case "noisy neighbour on CPU $(($(nproc) - 1))" "-n 2 --bind-to core" static dynamic guided
      stop_neighbour ;;
    oversub) run_case "3 ranks on $(nproc) cores" "-n 3 --map-by core:OVERSUBSCRIBE --bind-to core:overload-allowed" static dynamic guided ;;
    overhead) overhead ;;
    *) echo "bench-schedules: unknown case '$c' (balanced, noisy, oversub, overhead)" >&2; exit 2 ;;
  esac
done
