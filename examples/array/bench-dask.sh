#!/usr/bin/env bash
# `interop array` beside Dask's own version of each case and NumPy's, on the same machine, as
# ratios (issue 25): the lesson's y = x + x.T - x.mean(axis=0) on an n x n array in c x c chunks.
#   sum     x generated, y reduced to its sum   Dask: random_sample, the expression, .sum()
#   memory  x in memory, y into a preallocated  Dask: from_array, the expression, da.store
#           array (x made before timing)
#   file    x.npy to y.npy                      Dask: from_array over np.load(mmap_mode='r'),
#                                               da.store into np.lib.format.open_memmap
# Dask runs with its threaded scheduler (num_workers = the threads) and its synchronous one; NumPy
# runs the same expression (one thread: its ufuncs use none). examples/array/dask_cases.py says how
# each is written and checked. interop runs `interop array --case sum|memory --size N --chunk C
# --threads T --backend B --repeat R --json` and its median ("seconds_median") is taken.
# In the sum and memory cases Dask's and NumPy's x come from NumPy's Mersenne Twister (Dask seeds
# one per chunk), interop's from the SplitMix64 generator of docs/workload-spec.md: the values of x
# and y differ, the work does not, so the times compare and the results do not (each side checks
# its own). In the file case all of them read the same x.npy, written once by NumPy into a
# temporary folder (n^2 doubles; read through the page cache). interop's file case
# (--input/--output) runs where `interop array --help` offers --input; until then the table says
# that interop's file case is not built yet.
#
# Usage: examples/array/bench-dask.sh [options]
#   --size N         order of x (default 10000, the lesson's)
#   --chunk C        chunks' edge (default 1000, or N when smaller)
#   --threads T      Dask's workers and interop's threads (default: nproc; 1 allowed)
#   --rounds R       timed rounds after a warm-up: Dask's and NumPy's turn by turn in each round,
#                    interop's --repeat R (default 5); the medians are compared
#   --cases LIST     comma-separated: sum,memory,file (default all three)
#   --backends LIST  interop backends, comma-separated (default c-openmp; e.g.
#                    c-openmp,managed-parallel): a column and a ratio each
#   --results PATH   where the output is copied as well (default: next to this script,
#                    results-<date>-<cpu>-<nproc>cores.txt, the CPU from lscpu or $CPU_NAME;
#                    '-' for none)
#   PYTHON=/usr/bin/python3 (default, where Debian's python3-dask goes), BIN=build/bin
# Example: examples/array/bench-dask.sh --size 10000 --chunk 1000 --rounds 5
#   prints, per case, Dask threads s, Dask sync s, NumPy s, interop's s per backend and
#   "Dask threads / <backend>" (how many times faster than Dask's threads the backend is).
# Dask comes from Debian's python3-dask: when $PYTHON cannot import dask.array, this script installs
# python3-dask and python3-numpy with apt-get (as root, or with sudo without a password); the
# driver and its tests never need it.
set -euo pipefail

die() { echo "bench-dask: $*" >&2; exit 2; }

SIZE=10000 CHUNK="" THREADS="$(nproc)" ROUNDS=5 CASES="sum,memory,file" BACKENDS="c-openmp" RESULTS=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see the usage at the top of $0)"
  case "$1" in
    --size) SIZE=$2 ;;
    --chunk) CHUNK=$2 ;;
    --threads) THREADS=$2 ;;
    --rounds) ROUNDS=$2 ;;
    --cases) CASES=$2 ;;
    --backends) BACKENDS=$2 ;;
    --results) RESULTS=$2 ;;
    *) die "unknown option '$1' (--size, --chunk, --threads, --rounds, --cases, --backends, --results)" ;;
  esac
  shift 2
done
for pair in "--size:$SIZE" "--threads:$THREADS" "--rounds:$ROUNDS" ${CHUNK:+"--chunk:$CHUNK"}; do
  [[ "${pair#*:}" =~ ^[1-9][0-9]*$ ]] || die "${pair%%:*} ${pair#*:}: a positive whole number"
done
[ "$SIZE" -ge 16 ] || die "--size $SIZE: at least 16 (dask_cases.py's sum check needs it)"
[ -n "$CHUNK" ] || CHUNK=$(( SIZE < 1000 ? SIZE : 1000 ))
IFS=, read -r -a CASE_LIST <<<"$CASES"
[ ${#CASE_LIST[@]} -gt 0 ] || die "--cases: none given"
for c in "${CASE_LIST[@]}"; do
  case "$c" in sum|memory|file) ;; *) die "--cases: unknown case '$c' (sum, memory, file)" ;; esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${BIN:-$ROOT/build/bin}"
INTEROP="$BIN/interop"
[ -x "$INTEROP" ] || { echo "bench-dask: no $INTEROP (build: ./build.sh)" >&2; exit 1; }
export INTEROP_NATIVE_DIR="$BIN"
# Debian's python3-dask installs for Debian's python3; a python3 earlier on PATH (pyenv, a venv)
# would not see it.
if [ -z "${PYTHON:-}" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

# interop checks the size, chunk, threads and backends before anything long runs (exit 2 on bad input).
"$INTEROP" array --size "$SIZE" --chunk "$CHUNK" --threads "$THREADS" --backend "$BACKENDS" --repeat "$ROUNDS" \
  --dry-run >/dev/null || exit 2

ensure_dask() {
  "$PYTHON" -c 'import dask.array' 2>/dev/null && return
  command -v apt-get >/dev/null 2>&1 ||
    { echo "bench-dask: $PYTHON cannot import dask.array and there is no apt-get: install Dask for it" >&2; exit 1; }
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); else
      echo "bench-dask: $PYTHON cannot import dask.array; install it with:  sudo apt-get install python3-dask python3-numpy" >&2
      exit 1
    fi
  fi
  echo "bench-dask: installing python3-dask and python3-numpy with apt-get" >&2
  # python3-numpy is only a recommendation of python3-dask, and dask.array needs it.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-dask python3-numpy >/dev/null
  "$PYTHON" -c 'import dask.array' ||
    { echo "bench-dask: python3-dask is installed but $PYTHON cannot import dask.array (PYTHON=/usr/bin/python3?)" >&2; exit 1; }
}
ensure_dask

if [ -z "$RESULTS" ]; then
  cpu="${CPU_NAME:-$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)}"
  cpu=$(printf '%s' "${cpu:-cpu}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//')
  RESULTS="$HERE/results-$(date -u +%F)-$cpu-$(nproc)cores.txt"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# interop's file case, if this build has one: its command words for x.npy to y.npy, else nothing.
interop_file_args() {
  local help
  help=$("$INTEROP" array --help)
  grep -q -- '--input' <<<"$help" || return 0
  echo "--input $WORK/x.npy --output $WORK/y-interop.npy"
  # (a --case that lists file wants it named; one that does not takes the file from --input)
  grep -q -E -- '--case <[a-z|]*file' <<<"$help" && echo "--case file"
  return 0
}

# run_case CASE: Dask's and NumPy's runs (one JSON line each), then interop's medians (one line
# each, the same shape), all into $WORK/lines and onto stdout.
run_case() {
  local c=$1 interop_args=()
  "$PYTHON" "$HERE/dask_cases.py" --case "$c" --size "$SIZE" --chunk "$CHUNK" --threads "$THREADS" \
    --rounds "$ROUNDS" --dir "$WORK" | tee -a "$WORK/lines"
  if [ "$c" = file ]; then
    read -r -a interop_args <<<"$(interop_file_args | tr '\n' ' ')"
    if [ ${#interop_args[@]} -eq 0 ]; then
      echo "{\"case\": \"file\", \"impl\": \"interop\", \"missing\": \"interop's file case is not built yet (interop array --help has no --input)\"}" |
        tee -a "$WORK/lines"
      return
    fi
  else
    interop_args=(--case "$c" --size "$SIZE")
  fi
  "$INTEROP" array "${interop_args[@]}" --chunk "$CHUNK" --threads "$THREADS" --backend "$BACKENDS" \
    --repeat "$ROUNDS" --json >"$WORK/interop.json" 2>"$WORK/interop.err" || { cat "$WORK/interop.err" >&2; exit 1; }
  # interop's warnings (a busy machine above all) stay with the numbers they qualify
  sed 's/^/# /' "$WORK/interop.err"
  "$PYTHON" - "$WORK/interop.json" "$c" <<'PY' | tee -a "$WORK/lines"
import json, sys
doc, case = json.load(open(sys.argv[1])), sys.argv[2]
for p in doc["points"]:
    print(json.dumps({"case": case, "impl": "interop " + p["backend"], "n": p["order"], "chunk": p["chunk"],
                      "threads": p["threads"], "isa": p["isa"], "seconds_median": p["seconds_median"],
                      "seconds": p["seconds"], "verified": p["verified"]}))
PY
}

bench() {
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $("$PYTHON" -c 'import sys, numpy, dask; print(f"Python {sys.version.split()[0]}, NumPy {numpy.__version__}, Dask {dask.__version__}")'); interop $("$INTEROP" --version)"
  echo "# n $SIZE, chunk $CHUNK, $THREADS thread(s), $ROUNDS round(s) after a warm-up (medians); interop --backend $BACKENDS"
  echo "# x in sum and memory: NumPy's Mersenne Twister for Dask and NumPy, SplitMix64 for interop (docs/workload-spec.md): the times compare, the values differ; file: one x.npy for all"
  local c
  for c in "${CASE_LIST[@]}"; do run_case "$c"; done
  "$PYTHON" - "$WORK/lines" "$BACKENDS" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
backends = sys.argv[2].split(",")
cases = list(dict.fromkeys(l["case"] for l in lines))
def median(case, impl):
    runs = [l for l in lines if l["case"] == case and l["impl"] == impl]
    if not runs or "missing" in runs[0]:
        return None
    return runs[0]["seconds_median"] if "seconds_median" in runs[0] else statistics.median(r["seconds"] for r in runs)
heads = ["case", "Dask threads s", "Dask sync s", "NumPy s"]
for b in backends:
    heads += [f"{b} s", f"Dask threads / {b}"]
rows, notes = [], []
for case in cases:
    dask = median(case, "dask-threads")
    row = [case] + [f"{m:.4f}" if m is not None else "-" for m in (dask, median(case, "dask-sync"), median(case, "numpy"))]
    for b in backends:
        t = median(case, "interop " + b)
        row += [f"{t:.4f}", f"{dask / t:.2f}x"] if t is not None else ["-", "-"]
    missing = [l["missing"] for l in lines if l["case"] == case and "missing" in l]
    notes += [f"{case}: {m}" for m in missing]
    rows.append(row)
widths = [max(len(r[i]) for r in rows + [heads]) for i in range(len(heads))]
print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(heads, widths))))
for r in rows:
    print("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
for n in notes:
    print(n)
PY
}

bench | tee "$WORK/results"
if [ "$RESULTS" != "-" ]; then
  cp "$WORK/results" "$RESULTS"
  echo "bench-dask: written to $RESULTS" >&2
fi
