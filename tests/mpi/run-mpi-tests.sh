#!/usr/bin/env bash
# The MPI binding's tests: tests/Interop.Mpi.Tests run under mpiexec, one line per case, then one
# line "N passed, N failed"; exits non-zero if any case failed. Needs Open MPI (openmpi-bin,
# libopenmpi-dev); works as root and with no stdin (CI).
#
#   tests/mpi/run-mpi-tests.sh [--build | --no-build]
#
# What it runs:
#   build/bin/libinterop_mpi.so     (CMake: native/mpi; found through INTEROP_NATIVE_DIR=build/bin)
#   build/artifacts/bin/Interop.Mpi.Tests/release/Interop.Mpi.Tests
#                                   (dotnet build tests/Interop.Mpi.Tests -c Release)
# Both are built when missing (--build: always rebuilt first; --no-build: never built). Override
# the locations with INTEROP_NATIVE_DIR and INTEROP_MPI_TESTS.
#
# Cases: "detect" without a launcher (nothing MPI may be loaded); the collective checks under
# mpiexec -n 1, 2 and 3 (and -n 2 asking for MPI_THREAD_MULTIPLE); start-up cost (MPI init and
# finalize only, -n 2); a rank that calls MPI_Abort, a rank killed by SIGKILL, and a rank that never
# arrives (the others' 1 s wait limit expires), while the others wait in a barrier, or in the wait of a
# started all-to-all (alltoall-stall): the job must end non-zero within FAILURE_LIMIT seconds instead
# of hanging; and the same inside a task pool (a chunk
# that throws, a rank SIGKILLed, a rank whose chunk outlasts the others' 1 s wait limit), once with
# the shared counter and once with INTEROP_POOL=messages, and inside a task queue whose tasks fail on
# the last rank or on rank 0 (whose submitted tasks must all fault).
# The scalapack backend, when libinterop_scalapack was built (CMake found ScaLAPACK; otherwise its
# cases print "skip" and count neither way), under mpiexec -n 1, 2, 3 and 4 (oversubscribed): the C
# checks of the library (build/native/tests/scalapack/test_scalapack check: every grid of the world
# size, n < NB, n not a multiple of NB, singular and NaN input, one rank's bad argument) and the
# managed ScalapackInverse checks (Interop.Mpi.Tests scalapack). Override the C program's location
# with INTEROP_SCALAPACK_TESTS.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${INTEROP_NATIVE_DIR:-$ROOT/build/bin}"
APP="${INTEROP_MPI_TESTS:-$ROOT/build/artifacts/bin/Interop.Mpi.Tests/release/Interop.Mpi.Tests}"
SCALAPACK_TESTS="${INTEROP_SCALAPACK_TESTS:-$ROOT/build/native/tests/scalapack/test_scalapack}"
CASE_LIMIT=120    # seconds for a whole mpiexec run
FAILURE_LIMIT=60  # seconds within which a job with a failed rank must have ended

build="auto"
for arg in "$@"; do
  case "$arg" in
    --build) build="always" ;;
    --no-build) build="never" ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-mpi-tests.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok $1"; }
fail() {
  failed=$((failed + 1)); echo "FAIL $1"
  # The output without the checks that passed.
  [ -n "${2:-}" ] && printf '%s\n' "$2" | grep -v '^ok ' | tail -n 40 | sed 's/^/    | /'
  return 0
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# --- build (only what these tests need: the MPI shim and the test program) -------------------
build_native() {
  cmake -S "$ROOT" -B "$ROOT/build/native" -DINTEROP_BIN_DIR="$ROOT/build/bin" >/dev/null &&
    cmake --build "$ROOT/build/native" --target interop_mpi -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
}
build_managed() {
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet build "$ROOT/tests/Interop.Mpi.Tests/Interop.Mpi.Tests.csproj" -c Release --nologo -v quiet >/dev/null
}
if [ "$build" = "always" ] || { [ "$build" = "auto" ] && [ ! -f "$BIN/libinterop_mpi.so" ]; }; then
  out=$(build_native 2>&1) || { fail "build libinterop_mpi (cmake)" "$out"; finish; }
fi
# The scalapack library and its C checks exist as targets only when CMake found ScaLAPACK.
if [ "$build" = "always" ] || { [ "$build" = "auto" ] && [ ! -x "$SCALAPACK_TESTS" ]; }; then
  if [ -f "$ROOT/build/native/CMakeCache.txt" ] && grep -q '^INTEROP_SCALAPACK_LIBRARY:.*/' "$ROOT/build/native/CMakeCache.txt"; then
    out=$(cmake --build "$ROOT/build/native" --target interop_scalapack test_scalapack -j "$(nproc 2>/dev/null || echo 2)" 2>&1) ||
      fail "build libinterop_scalapack and test_scalapack (cmake)" "$out"
  fi
fi
if [ "$build" = "always" ] || { [ "$build" = "auto" ] && [ ! -x "$APP" ]; }; then
  out=$(build_managed 2>&1) || { fail "build Interop.Mpi.Tests (dotnet build)" "$out"; finish; }
fi
command -v mpiexec >/dev/null 2>&1 || { fail "mpiexec not found (install openmpi-bin libopenmpi-dev)"; finish; }
[ -f "$BIN/libinterop_mpi.so" ] || { fail "no $BIN/libinterop_mpi.so (build: cmake --build build/native)"; finish; }
[ -x "$APP" ] || { fail "no $APP (build: dotnet build tests/Interop.Mpi.Tests -c Release)"; finish; }
export INTEROP_NATIVE_DIR="$BIN"

# --- the launcher's settings ------------------------------------------------------------------
# Open MPI refuses root unless told (CI containers run as root); these two variables are the
# documented equivalent of --allow-run-as-root. --oversubscribe: more ranks than this machine's
# cores; --bind-to none: ranks are not pinned, so three on two cores do not share one.
# btl self,vader: single-node transports only (no TCP/InfiniBand probing, no warnings about them);
# vader_single_copy_mechanism none: CMA (process_vm_readv) fails in containers without
# CAP_SYS_PTRACE, so large messages go through shared-memory copies instead.
# pml ob1 + osc ^ucx: no UCX, which costs ~0.2 s per rank in MPI_Init probing for network
# devices a single node does not use (measured here: MPI_Init 0.23 s -> 0.02 s).
# TERM=dumb: Open MPI gives each rank's stdout a pseudo-terminal, and .NET writes terminal set-up
# sequences to a terminal; these would prefix the first line of output.
MPIEXEC=(mpiexec)
if mpiexec --version 2>&1 | grep -q -E 'Open MPI|OpenRTE'; then
  MPIEXEC+=(--oversubscribe --bind-to none)
  if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_btl="${OMPI_MCA_btl:-self,vader}"
  export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
  export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_osc="${OMPI_MCA_osc:-^ucx}"
fi
export TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Variables by which MpiLaunch recognizes a launcher: none may leak into the no-launcher case
# (say when this script itself runs inside an srun step).
LAUNCHER_VARIABLES=(OMPI_COMM_WORLD_SIZE OMPI_COMM_WORLD_RANK PMI_RANK PMI_SIZE PMIX_RANK SLURM_PROCID SLURM_STEP_ID)
unset_launcher=()
for v in "${LAUNCHER_VARIABLES[@]}"; do unset_launcher+=(-u "$v"); done

# --- cases ------------------------------------------------------------------------------------
# Runs the program; sets $out (stdout and stderr), $rc and $elapsed.
run_app() {
  local limit=$1; shift
  local start; start=$(now)
  out=$(timeout -k 5 "$limit" "$@" </dev/null 2>&1); rc=$?
  elapsed=$(seconds_since "$start")
}

# The program's own summary line: "N passed, N failed ...".
summary_of() { printf '%s\n' "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1; }

case_detect() {
  local name="detect without a launcher (MPI not loaded)"
  run_app "$CASE_LIMIT" env "${unset_launcher[@]}" "$APP" detect
  if [ "$rc" -eq 0 ] && summary_of "$out" | grep -q ', 0 failed'; then
    pass "$name: $(summary_of "$out"), ${elapsed} s"
  else
    fail "$name: exit $rc" "$out"
  fi
}

case_check() {
  local n=$1; shift
  local name="check mpiexec -n $n${*:+ $*}"
  run_app "$CASE_LIMIT" "${MPIEXEC[@]}" -n "$n" "$APP" check "$@"
  local summary; summary=$(summary_of "$out")
  if [ "$rc" -eq 0 ] && printf '%s' "$summary" | grep -q ' 0 failed'; then
    pass "$name: $summary, ${elapsed} s"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && [ -z "$summary" ]; then
    fail "$name: timed out after ${CASE_LIMIT} s" "$out"
  else
    fail "$name: exit $rc${summary:+, $summary}" "$out"
  fi
}

case_startup() {
  local name="start-up: mpiexec -n 2 with MPI init and finalize only"
  run_app "$CASE_LIMIT" env "${unset_launcher[@]}" "$APP" detect
  local plain=$elapsed
  run_app "$CASE_LIMIT" "${MPIEXEC[@]}" -n 2 "$APP" noop
  if [ "$rc" -eq 0 ]; then
    pass "$name: ${elapsed} s (the program without MPI: ${plain} s)"
  else
    fail "$name: exit $rc" "$out"
  fi
}

# A failing rank must end the whole job with a non-zero status, well before the time limit.
# The program: the rest of the arguments, or "$APP $mode".
case_failure() {
  local mode=$1 expect=$2 n=3; shift 2
  local name="$mode: a rank fails while the others wait (mpiexec -n $n${INTEROP_POOL:+, INTEROP_POOL=$INTEROP_POOL})"
  local program=("$@"); [ ${#program[@]} -gt 0 ] || program=("$APP" "$mode")
  run_app "$FAILURE_LIMIT" "${MPIEXEC[@]}" -n "$n" "${program[@]}"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && awk -v e="$elapsed" -v l="$FAILURE_LIMIT" 'BEGIN { exit !(e >= l) }'; then
    fail "$name: still running after ${FAILURE_LIMIT} s (hang)" "$out"
  elif [ "$rc" -eq 0 ]; then
    fail "$name: exit 0, expected non-zero" "$out"
  elif ! printf '%s\n' "$out" | grep -q -- "$expect"; then
    fail "$name: exit $rc, but no '$expect' in the output" "$out"
  else
    pass "$name: exit $rc after ${elapsed} s"
  fi
}

# The scalapack backend's checks: the C program (`native`) or the managed one (`managed`), one mpiexec
# run of all its checks per world size; a library that was not built is skipped, not failed.
case_scalapack() {
  local kind=$1 n=$2 name program
  if [ "$kind" = native ]; then
    name="scalapack C checks mpiexec -n $n"; program=("$SCALAPACK_TESTS" check)
  else
    name="scalapack ScalapackInverse checks mpiexec -n $n"; program=("$APP" scalapack)
  fi
  if [ ! -f "$BIN/libinterop_scalapack.so" ] || [ ! -x "$SCALAPACK_TESTS" ]; then
    echo "skip $name: libinterop_scalapack was not built (CMake did not find ScaLAPACK: libscalapack-openmpi-dev)"
    return 0
  fi
  run_app "$CASE_LIMIT" "${MPIEXEC[@]}" -n "$n" "${program[@]}"
  local summary; summary=$(summary_of "$out")
  if [ "$rc" -eq 0 ] && printf '%s' "$summary" | grep -q ' 0 failed'; then
    pass "$name: $summary, ${elapsed} s"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    fail "$name: timed out after ${CASE_LIMIT} s" "$out"
  else
    fail "$name: exit $rc${summary:+, $summary}" "$out"
  fi
}

case_detect
case_check 1
case_check 2
case_check 3
case_check 2 --thread-level multiple
case_startup
case_failure abort "rank $((3 - 1)): error: simulated failure"
case_failure kill "rank $((3 - 1)): killing myself"
case_failure timeout "MPI_Barrier waited 1 s (the wait limit)"
case_failure alltoall-stall "MPI_Alltoallw waited 1 s (the wait limit)"
# The task pool's failures on both of its paths: the shared counter (one node, the default) and messages.
for pool in auto messages; do
  export INTEROP_POOL=$pool
  case_failure pool-fail "rank $((3 - 1)): error: task pool: the chunk of items \[[0-9]*, [0-9]*) failed on rank $((3 - 1)) (host "
  case_failure pool-kill "rank $((3 - 1)): killing myself with SIGKILL mid-pool"
  case_failure pool-stall "error: .*waited 1 s (the wait limit)"
done
unset INTEROP_POOL
case_failure queue-fail "rank $((3 - 1)): error: task pool: the chunk of items \[[0-9]*, [0-9]*) failed on rank $((3 - 1)) (host [^)]*): task [0-9]* (Probe { Id = [0-9]*, Value = [0-9]* }): simulated failure of task "
case_failure queue-fail-root "rank 0: 1000 of 1000 submitted tasks faulted with the run's error"
for n in 1 2 3 4; do case_scalapack native "$n"; done
for n in 1 2 3 4; do case_scalapack managed "$n"; done
# ScaLAPACK's own waits are bounded too: rank 0 waits inside BLACS for a rank that stopped.
if [ -f "$BIN/libinterop_scalapack.so" ] && [ -x "$SCALAPACK_TESTS" ]; then
  case_failure scalapack-stall "waited more than 1 s in MPI_.* inside ScaLAPACK" "$SCALAPACK_TESTS" stall
fi
finish
