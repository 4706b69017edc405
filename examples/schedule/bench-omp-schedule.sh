#!/usr/bin/env bash
# The schedule over threads in one place in C# (interop pi --schedule, the task pool's threads, each
# chunk counted by c-openmp on one thread) against OpenMP's own schedule clause over the same chunks
# (native/bench/bench_pi_schedule: a native `parallel for schedule(runtime)`, OMP_SCHEDULE), one
# process of 2 threads on CPUs 0-1 while a busy loop of this script's own is pinned to CPU 1. The
# threads are not pinned in either (the C# pool's threads cannot be), so the kernel's scheduler may
# move them. Medians of 5 runs after a warm-up, each variant in turn, ROUNDS rounds.
# Usage: examples/schedule/bench-omp-schedule.sh [rounds]   (DARTS=2e9)
set -euo pipefail
ROUNDS="${1:-3}" DARTS="${DARTS:-2e9}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
BENCH="${BENCH:-$ROOT/build/native/native/bench_pi_schedule}"
[ -x "$BIN/interop" ] && [ -x "$BENCH" ] || { echo "bench-omp-schedule: build first (./build.sh)" >&2; exit 1; }
export INTEROP_NATIVE_DIR="$BIN"
NEIGHBOUR=""
stop_neighbour() {
  if [ -n "$NEIGHBOUR" ]; then kill "$NEIGHBOUR" 2>/dev/null || true; wait "$NEIGHBOUR" 2>/dev/null || true; fi
  NEIGHBOUR=""
}
trap stop_neighbour EXIT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $DARTS darts, 2 threads on CPUs 0-1, busy loop on CPU 1"
taskset -c 1 sh -c 'while :; do :; done' &
NEIGHBOUR=$!
chunk=$(python3 -c "d=int(float('$DARTS')); print((d + 127) // 128)")
for round in $(seq 1 "$ROUNDS"); do
  for s in static dynamic guided; do
    t=$(taskset -c 0,1 "$BIN/interop" pi --darts "$DARTS" --backend c-openmp --threads 2 --repeat 5 --schedule "$s" --json 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["points"][0]["seconds_median"])')
    echo "round $round: C# pool       --schedule $s: median $(python3 -c "print(f'{$t * 1e3:.1f}')") ms"
  done
  for s in static "dynamic,1" "guided,1"; do
    echo "round $round: $(OMP_NUM_THREADS=2 OMP_SCHEDULE="$s" taskset -c 0,1 "$BENCH" "$DARTS" "$chunk" 5)"
  done
done
