#!/usr/bin/env bash
# NPB's own EP beside `interop ep`, class A, 1 and 2 threads, every instruction-set path this CPU has,
# in one session (ratios measured together: a shared machine drifts between sessions).
# Usage: run-npb-and-interop-ep.sh NPB_BUILD_DIR [CLASS] [REPS]
#   NPB_BUILD_DIR  OUT_DIR of build-npb-ep.sh (holds bin/npb342-omp/ep.<CLASS>.x)
# Prints NPB's "Mop/s total" per run (one untimed warm-up first) and interop's tables.
set -euo pipefail
npb=$1 class=${2:-A} reps=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
interop=$here/../../build/bin/interop
exe=$npb/bin/npb342-omp/ep.$class.x
[[ -x $exe ]] || { echo "$0: no $exe (run build-npb-ep.sh first)" >&2; exit 2; }
lscpu | grep -E "Model name|CPU family|^Model:"
paths=$("$interop" env --json | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["environment"]["isa_cpu_paths"]))' 2>/dev/null || echo "scalar avx2 avx512")
for t in 1 2; do
    for rep in $(seq 0 "$reps"); do
        line=$(OMP_NUM_THREADS=$t "$exe" | awk '/Mop\/s total/ {print $NF}')
        [[ $rep == 0 ]] || echo "NPB 3.4.2 OMP EP class $class, $t thread(s), run $rep: $line Mop/s"
    done
    for p in $paths; do
        "$interop" ep --class "$class" --threads "$t" --isa "$p" --repeat "$reps"
    done
done
