#!/usr/bin/env bash
# `interop array` on every instruction-set path this CPU runs and every thread count up to the CPUs,
# every parallel backend side by side in one run per (path, threads), each against the machine's
# triad limit and against c-openmp measured in the same run (issue 25's targets: c-openmp at >= 0.5
# of the triad, managed-parallel at >= 0.8x c-openmp, the other natives at >= 0.9x).
#   build/bin/interop array --size N --chunk C --case CASE --backend LIST --isa P --threads T --repeat R --json
# for P in the CPU's paths (`interop env`'s isa_cpu_paths: forced with --isa, each library's own kernel of
# that path) and T in 1..nproc. Prints one line per point: path, threads, backend, median seconds, GB/s
# (24 n^2 bytes), the triad limit of T threads, the fraction of it, and the ratio to c-openmp's
# seconds of the same run (c-openmp / backend: above 1 is faster than c-openmp).
#
# Usage: examples/array/bench-paths.sh [options]
#   --size N        order (default 10000)      --chunk C     chunk (default 1000, or N when smaller)
#   --case CASE     memory (default) or sum    --repeat R    timed runs per point (default 5)
#   --backends L    default c-openmp,managed-parallel,fortran-openmp,cpp-threads,rust-threads
#   --results PATH  also write the lines there (default: none; '-' for none)
#   BIN=build/bin
set -euo pipefail

die() { echo "bench-paths: $*" >&2; exit 2; }

SIZE=10000 CHUNK="" CASE=memory REPEAT=5 BACKENDS="c-openmp,managed-parallel,fortran-openmp,cpp-threads,rust-threads" RESULTS=-
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see the usage at the top of $0)"
  case "$1" in
    --size) SIZE=$2 ;;
    --chunk) CHUNK=$2 ;;
    --case) CASE=$2 ;;
    --repeat) REPEAT=$2 ;;
    --backends) BACKENDS=$2 ;;
    --results) RESULTS=$2 ;;
    *) die "unknown option '$1' (--size, --chunk, --case, --repeat, --backends, --results)" ;;
  esac
  shift 2
done
for pair in "--size:$SIZE" "--repeat:$REPEAT" ${CHUNK:+"--chunk:$CHUNK"}; do
  [[ "${pair#*:}" =~ ^[1-9][0-9]*$ ]] || die "${pair%%:*} ${pair#*:}: a positive whole number"
done
case "$CASE" in memory|sum) ;; *) die "--case $CASE: memory or sum" ;; esac
[ -n "$CHUNK" ] || CHUNK=$(( SIZE < 1000 ? SIZE : 1000 ))
case ",$BACKENDS," in *,c-openmp,*) ;; *) BACKENDS="c-openmp,$BACKENDS" ;; esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
[ -x "$BIN/interop" ] || die "no $BIN/interop: run ./build.sh first"
export INTEROP_NATIVE_DIR="${INTEROP_NATIVE_DIR:-$BIN}"

paths=$("$BIN/interop" env 2>/dev/null | sed -n 's/^isa_cpu_paths *//p' | tr ',' ' ')
[ -n "$paths" ] || die "'interop env' names no isa_cpu_paths"
cpus=$(nproc)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
  echo "# interop array --case $CASE --size $SIZE --chunk $CHUNK --repeat $REPEAT, $(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p' | head -1), $cpus CPU(s)"
  echo "# path threads backend median_s gb_per_s triad_gb_per_s of_triad c-openmp/backend"
} | tee "$out"
for path in $paths; do
  for ((t = 1; t <= cpus; t++)); do
    json=$("$BIN/interop" array --size "$SIZE" --chunk "$CHUNK" --case "$CASE" --backend "$BACKENDS" --isa "$path" \
      --threads "$t" --repeat "$REPEAT" --json) || die "interop array --isa $path --threads $t failed"
    PATH_NAME=$path THREADS=$t python3 -c '
import json, math, os, sys
points = json.load(sys.stdin)["points"]
base = next(p["seconds_median"] for p in points if p["backend"] == "c-openmp")
for p in points:
    triad = p.get("triad_gb_per_s") or math.nan
    share = p.get("fraction_of_triad") or math.nan
    seconds = p["seconds_median"]
    print("%-6s %s %-16s %.4f %5.1f %5.1f %.2f %.2f" % (os.environ["PATH_NAME"], os.environ["THREADS"], p["backend"], seconds,
          p["gb_per_s"], triad, share, base / seconds))
' <<<"$json" | tee -a "$out"
  done
done
[ "$RESULTS" = "-" ] || cp "$out" "$RESULTS"
