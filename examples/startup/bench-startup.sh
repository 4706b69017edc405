#!/usr/bin/env bash
# Start-up time of the driver (issue 22): start-to-exit of
#   interop --version
#   interop pi --darts 1e3 --backend c-openmp --repeat 1
#   mpiexec -n 2 interop pi --darts 1e3 --backend c-openmp --repeat 1
# beside a C MPI hello world under mpiexec -n 2 (Open MPI's own start-up, the floor), and the
# ratios the issue asks for: `interop --version` against another build's (BASELINE_BIN, e.g. a copy
# of an older build/bin) and the mpiexec line against the C hello world.
#
# Usage: examples/startup/bench-startup.sh [runs]        (default 20 runs per command)
#   BIN=build/bin            the driver measured
#   BASELINE_BIN=/path/bin   optional: a second build whose `interop --version` is the reference
# hyperfine is used when installed (medians from its JSON); otherwise a loop timing each run with
# date +%s%N and taking the median. The median of wall time is printed with user+system CPU time
# (hyperfine only): on a busy machine the wall time grows with the load, the CPU time much less.
set -euo pipefail

RUNS="${1:-20}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
INTEROP="$BIN/interop"
[ -x "$INTEROP" ] || { echo "bench-startup: no $INTEROP (build: ./build.sh)" >&2; exit 1; }
export INTEROP_NATIVE_DIR="$BIN"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Open MPI as the MPI tests run it (tests/mpi/run-mpi-tests.sh says why each setting).
MPIEXEC=()
if command -v mpiexec >/dev/null 2>&1; then
  MPIEXEC=(mpiexec)
  if mpiexec --version 2>&1 | grep -q -E 'Open MPI|OpenRTE'; then
    MPIEXEC+=(--oversubscribe --bind-to none)
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_MCA_btl="${OMPI_MCA_btl:-self,vader}" OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
    export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_osc="${OMPI_MCA_osc:-^ucx}"
  fi
fi

HELLO=""
if [ ${#MPIEXEC[@]} -gt 0 ] && command -v mpicc >/dev/null 2>&1; then
  cat > "$WORK/hello.c" <<'EOF'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) printf("hello from %d ranks\n", size);
    MPI_Finalize();
    return 0;
}
EOF
  mpicc -O2 -o "$WORK/hello" "$WORK/hello.c" && HELLO="$WORK/hello"
fi

PI="pi --darts 1e3 --backend c-openmp --repeat 1"
NAMES=() COMMANDS=()
add() { NAMES+=("$1"); COMMANDS+=("$2"); }
[ -n "${BASELINE_BIN:-}" ] && add "baseline interop --version" "$BASELINE_BIN/interop --version"
add "interop --version" "$INTEROP --version"
add "interop pi 1e3" "$INTEROP $PI"
if [ ${#MPIEXEC[@]} -gt 0 ]; then
  add "mpiexec -n 2 interop pi" "${MPIEXEC[*]} -n 2 $INTEROP $PI"
  [ -n "$HELLO" ] && add "mpiexec -n 2 C hello" "${MPIEXEC[*]} -n 2 $HELLO"
fi

declare -A MEDIAN CPU
if command -v hyperfine >/dev/null 2>&1; then
  args=()
  for i in "${!NAMES[@]}"; do args+=("--command-name=${NAMES[$i]}" "${COMMANDS[$i]}"); done
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/times.json" "${args[@]}" >&2
  while IFS=$'\t' read -r name median cpu; do MEDIAN["$name"]=$median; CPU["$name"]=$cpu; done < <(python3 - "$WORK/times.json" <<'EOF'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']}\t{statistics.median(r['times']) * 1000:.1f}\t{(r['user'] + r['system']) * 1000:.1f}")
EOF
)
else
  echo "bench-startup: hyperfine not found; timing $RUNS runs of each with date +%s%N" >&2
  for i in "${!NAMES[@]}"; do
    read -r -a cmd <<< "${COMMANDS[$i]}"
    for _ in 1 2 3; do "${cmd[@]}" >/dev/null 2>&1; done
    times=()
    for _ in $(seq "$RUNS"); do
      t0=$(date +%s%N); "${cmd[@]}" >/dev/null 2>&1; t1=$(date +%s%N)
      times+=($(( (t1 - t0) / 1000 )))
    done
    MEDIAN["${NAMES[$i]}"]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}')
    CPU["${NAMES[$i]}"]="n/a"
  done
fi

echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs usable, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %14s %14s\n' "command" "median wall ms" "mean CPU ms"
for name in "${NAMES[@]}"; do printf '%-30s %14s %14s\n' "$name" "${MEDIAN[$name]}" "${CPU[$name]}"; done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
[ -n "${BASELINE_BIN:-}" ] && echo "interop --version against the baseline's: $(ratio "${MEDIAN[interop --version]}" "${MEDIAN[baseline interop --version]}")x (target <= 0.4x)"
[ -n "${MEDIAN[mpiexec -n 2 C hello]:-}" ] && echo "mpiexec -n 2 interop pi against the C hello world: $(ratio "${MEDIAN[mpiexec -n 2 interop pi]}" "${MEDIAN[mpiexec -n 2 C hello]}")x (target <= 1.2x)"
exit 0
