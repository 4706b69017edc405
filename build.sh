#!/usr/bin/env bash
# Interop's one build entry point.
#   ./build.sh              install missing system packages (apt-get), build native + managed
#   ./build.sh test         build if needed, then run every suite (CTest, cargo, NUnit, the lower CPU
#                           classes, MPI, Slurm) and print one summary line: "N passed, N failed",
#                           or "N passed, N failed, N skipped" when tests were skipped (the Slurm
#                           tests where Slurm cannot start, an instruction-set path this CPU lacks)
#   ./build.sh fuzz         build if needed, then run the property tests (NUnit category Property: the
#                           readers of .npy files, results.json, the kernel table and the thread
#                           variables fed random and mutated input) with INTEROP_PROPERTY_CASES cases
#                           each (default 100000; those that run the driver take a hundredth) from a
#                           fresh seed, printed first; INTEROP_PROPERTY_SEED=<seed> ./build.sh fuzz reruns it
#   ./build.sh clean        remove build/
# Options (before or after the command):
#   --full                  test: also the scalar-only CPU class (the default suite runs the classes
#                           below this CPU that the project supports: AVX2-only under an AVX-512 CPU)
#   --portable              tune native code for no CPU in particular instead of -march=native
#                           (the kernels are compiled per instruction-set path in both builds)
#   --no-install            never call apt-get; only report what is missing
#   -h, --help              this text
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$ROOT/build"
BIN="$BUILD/bin"
NATIVE_BUILD="$BUILD/native"

command="build"
portable="OFF"
install="yes"
full="no"
for arg in "$@"; do
  case "$arg" in
    build|test|fuzz|clean) command="$arg" ;;
    --portable) portable="ON" ;;
    --no-install) install="no" ;;
    --full) full="yes" ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (see ./build.sh --help)" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Debian/Ubuntu packages the build and the tests need: g++ and rustc/cargo build the C++ and Rust kernels,
# clang dumps the headers' AST for the ABI check, libscalapack-openmpi-dev is the distributed inversion
# backend, python3-numpy checks the .npy round trip with NumPy.
REQUIRED_PACKAGES=(cmake make gcc g++ gfortran clang rustc cargo libgomp1 libopenblas-dev liblapacke-dev openmpi-bin libopenmpi-dev libscalapack-openmpi-dev python3-numpy)
# The test suite's Slurm cluster (tests/slurm): installed by `./build.sh test` only; where they cannot
# be installed the Slurm tests are skipped with the reason, and the rest of the suite runs.
# iproute2 (ip) makes the network namespaces of the two-node cluster.
TEST_PACKAGES=(slurmctld slurmd slurm-client munge iproute2)

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

install_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    log "not a Debian/Ubuntu system: install cmake, gcc, gfortran, OpenMP, OpenBLAS+LAPACKE and OpenMPI yourself"
    return
  fi
  local missing=()
  for p in "${REQUIRED_PACKAGES[@]}"; do package_installed "$p" || missing+=("$p"); done
  if ! command -v dotnet >/dev/null 2>&1; then missing+=("dotnet-sdk-10.0"); fi
  [ ${#missing[@]} -eq 0 ] && return

  local line="apt-get install -y --no-install-recommends ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else install="no"; fi
  fi
  if [ "$install" = "no" ]; then
    die "missing system packages; install them with:  sudo apt-get update && sudo $line"
  fi
  log "installing missing system packages: ${missing[*]}"
  apt_install "$sudo" "${missing[@]}" ||
    die "apt-get could not install: ${missing[*]} (the .NET 10 SDK may need Microsoft's package feed on this distribution)"
}

# apt-get install with a temporary /usr/sbin/policy-rc.d that answers 101 ("action forbidden"): the
# maintainer scripts of daemons (munge, slurmctld, slurmd) then leave their services stopped instead
# of failing where there is no init system, and nothing keeps running after the install. A
# policy-rc.d that exists already is the machine's own: it is used as it is and left alone.
apt_install() {
  local sudo=$1; shift
  local policy=/usr/sbin/policy-rc.d made_policy="no" status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Written by build.sh while it installs packages: no service starts. Removed afterwards.\nexit 101\n' |
      $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && made_policy="yes"
    trap '[ "$made_policy" = yes ] && $sudo rm -f "$policy"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null; } || status=$?
  if [ "$made_policy" = "yes" ]; then $sudo rm -f "$policy"; fi
  trap - EXIT
  return "$status"
}

# The Slurm packages of the test suite, when missing and apt-get may be used; otherwise the Slurm
# tests say why they are skipped.
install_test_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=() p
  for p in "${TEST_PACKAGES[@]}"; do package_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else return 0; fi
  fi
  [ "$install" = "no" ] && { log "not installing ${missing[*]} (--no-install): the Slurm tests will be skipped"; return 0; }
  log "installing the test suite's packages: ${missing[*]}"
  apt_install "$sudo" "${missing[@]}" || log "apt-get could not install ${missing[*]}: the Slurm tests will be skipped"
}

build_native() {
  log "configuring native code (CMake, portable=$portable)"
  # Warnings fail the build in CI (CI=true), where the compiler is known; elsewhere they are shown.
  local werror="OFF"
  [ "${CI:-}" = "true" ] && werror="ON"
  cmake -S "$ROOT" -B "$NATIVE_BUILD" -DCMAKE_BUILD_TYPE=Release -DINTEROP_BIN_DIR="$BIN" \
    -DINTEROP_PORTABLE="$portable" -DINTEROP_WARNINGS_AS_ERRORS="$werror" >"$BUILD/cmake-configure.log" 2>&1 ||
    { cat "$BUILD/cmake-configure.log" >&2; die "CMake configuration failed"; }
  log "building native code"
  cmake --build "$NATIVE_BUILD" --parallel "$(nproc 2>/dev/null || echo 2)"
}

build_managed() {
  log "building managed code (Release)"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  dotnet publish "$ROOT/managed/Interop.Cli/Interop.Cli.csproj" -c Release -o "$BIN" --nologo -v quiet
  dotnet build "$ROOT/tests/Interop.Tests/Interop.Tests.csproj" -c Release --nologo -v quiet
  dotnet build "$ROOT/tests/Interop.Mpi.Tests/Interop.Mpi.Tests.csproj" -c Release --nologo -v quiet
  [ -x "$BIN/interop" ] || die "the driver was not produced at $BIN/interop"
}

build_all() {
  mkdir -p "$BUILD"
  install_system_packages
  build_native
  build_managed
  log "done: run $BIN/interop pi --backend all"
}

# Each suite appends "suite passed failed skipped" to this file; the last line of ./build.sh test
# adds them up.
SUMMARY_FILE=""
record() { echo "$1 $2 $3 ${4:-0}" >>"$SUMMARY_FILE"; }
# The closing line: "N passed, N failed", with ", N skipped" when any test was skipped.
summary_line() {
  local passed=$1 failed=$2 skipped=$3
  if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
}

run_ctest() {
  log "CTest: native kernels"
  local out status=0
  out=$(cd "$NATIVE_BUILD" && ctest --output-on-failure --timeout 300 2>&1) || status=$?
  printf '%s\n' "$out"
  local line passed failed skipped=0
  line=$(printf '%s\n' "$out" | grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' | tail -1 || true)
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    # Tests of an instruction-set path this CPU lacks are skipped: neither passed nor failed.
    skipped=$(printf '%s\n' "$out" | grep -c '(Skipped)' || true)
    passed=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - failed - skipped ))
  else
    passed=0; failed=1
  fi
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record ctest "$passed" "$failed" "$skipped"
}

# One `cargo test` of native/rust with the given cargo, rustc, features and target folder; adds its
# counts to the caller's `passed` and `failed`.
cargo_suite() {
  local cargo=$1 rustc=$2 features=$3 target=$4
  log "cargo test with $cargo and $("$rustc" --version 2>/dev/null || echo "$rustc")${features:+, features: $features}"
  local out status=0
  out=$(cd "$ROOT/native/rust" && RUSTC="$rustc" CARGO_TARGET_DIR="$target" \
        "$cargo" test --release --offline --locked ${features:+--features "$features"} 2>&1) || status=$?
  printf '%s\n' "$out"
  # One "test result: ok. N passed; M failed; ..." line per test binary (unit tests, tests/*.rs).
  local lines p f suite_failed=0
  lines=$(printf '%s\n' "$out" | grep -E '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' || true)
  if [ -n "$lines" ]; then
    while read -r p f; do
      passed=$((passed + p)); suite_failed=$((suite_failed + f))
    done < <(sed -E 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' <<<"$lines")
  else
    suite_failed=1
  fi
  [ "$status" -ne 0 ] && [ "$suite_failed" -eq 0 ] && suite_failed=1
  failed=$((failed + suite_failed))
}

run_cargo() {
  log "cargo test: Rust kernels (native/rust)"
  # The cargo, rustc and features the library is built with, as native/rust/CMakeLists.txt chose them
  # (the newest toolchain found), and then the distribution's (Debian: /usr/bin, rustc 1.63, without
  # the AVX-512 path) where it is installed and was not the one chosen: the crate must keep building
  # and passing with the toolchain of a fresh machine.
  local env_file="$NATIVE_BUILD/native/rust/toolchain.env"
  if [ ! -f "$env_file" ]; then
    log "cargo or rustc not found (CMake wrote no $env_file)"
    record cargo 0 1
    return
  fi
  local CARGO RUSTC RUST_FEATURES RUSTC_VERSION RUST_ISA_PATHS passed=0 failed=0
  # shellcheck source=/dev/null
  . "$env_file"
  cargo_suite "$CARGO" "$RUSTC" "$RUST_FEATURES" "$NATIVE_BUILD/native/rust/cargo"
  if [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ "$(realpath /usr/bin/rustc)" != "$(realpath "$RUSTC")" ]; then
    cargo_suite /usr/bin/cargo /usr/bin/rustc "" "$NATIVE_BUILD/native/rust/cargo-distribution"
  fi
  record cargo "$passed" "$failed"
}

# One `dotnet test` run of the NUnit suite, recorded as suite $1 with the filter $2 (empty: every
# test) and the environment assignments that follow (NAME=value ...).
nunit_suite() {
  local suite="$1" filter="$2"
  shift 2
  local out status=0
  out=$(env INTEROP_NATIVE_DIR="$BIN" "$@" dotnet test "$ROOT/tests/Interop.Tests/Interop.Tests.csproj" -c Release \
        --no-build --nologo ${filter:+--filter "$filter"} 2>&1) || status=$?
  printf '%s\n' "$out"
  local line passed failed skipped=0
  line=$(printf '%s\n' "$out" | grep -E 'Failed: +[0-9]+, Passed: +[0-9]+' | tail -1 || true)
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$line")
    passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$line")
    if grep -qE 'Skipped: +[0-9]+' <<<"$line"; then skipped=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line"); fi
  else
    passed=0; failed=1
  fi
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record "$suite" "$passed" "$failed" "$skipped"
}

run_nunit() {
  log "NUnit: managed library, backends and driver"
  nunit_suite nunit ""
}

# The CPU classes below this one (docs/backends.md, "CPU classes"): the instruction-set tests again with detection
# capped by INTEROP_TEST_ISA_MAX (read by every kernel library and the driver) and .NET's own switches
# (DOTNET_EnableAVX512=0 turns Avx512F.IsSupported and Vector512 acceleration off), so that the
# expectations of an AVX2-only machine are checked on an AVX-512 one. A class above the CPU at hand
# cannot be run (no emulator). The default suite runs the AVX2-only class where the CPU is above it;
# --full adds the scalar-only one.
CPU_CLASS_TESTS="FullyQualifiedName~Isa|FullyQualifiedName~KernelTable|FullyQualifiedName~InverseKernelPath|FullyQualifiedName~PiBackend|FullyQualifiedName~CpuClass"
run_cpu_classes() {
  local paths
  paths=$(INTEROP_NATIVE_DIR="$BIN" "$BIN/interop" env 2>/dev/null | sed -n 's/^isa_cpu_paths *//p' | tr -d ' ')
  local classes=()
  case ",$paths," in *,avx512,*) classes+=(avx2) ;; esac
  if [ "$full" = "yes" ]; then case ",$paths," in *,avx2,*) classes+=(scalar) ;; esac; fi
  if [ ${#classes[@]} -eq 0 ]; then
    log "CPU classes: this CPU ($paths) is the lowest class tested; none below it to run"
    return
  fi
  local class
  for class in "${classes[@]}"; do
    log "NUnit: the $class class (INTEROP_TEST_ISA_MAX=$class on a CPU with $paths)"
    local dotnet_caps=(DOTNET_EnableAVX512=0)
    [ "$class" = "scalar" ] && dotnet_caps+=(DOTNET_EnableAVX2=0)
    nunit_suite "nunit-$class-class" "$CPU_CLASS_TESTS" INTEROP_TEST_ISA_MAX="$class" "${dotnet_caps[@]}"
  done
}

run_mpi() {
  log "MPI: the binding under mpiexec -n 1, 2, 3, abort and kill paths"
  local out status=0
  out=$(INTEROP_NATIVE_DIR="$BIN" "$ROOT/tests/mpi/run-mpi-tests.sh" --no-build 2>&1 </dev/null) || status=$?
  printf '%s\n' "$out"
  local line passed failed
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1 || true)
  if [ -n "$line" ]; then
    passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    failed=$(sed -E 's/.*, ([0-9]+) failed$/\1/' <<<"$line")
  else
    passed=0; failed=1
  fi
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record mpi "$passed" "$failed"
}

# The Slurm cluster tests (tests/slurm): one node, then two in network namespaces; cases that cannot
# run here are skipped with the reason, counted apart.
run_slurm() {
  log "Slurm: a one-node cluster, then two nodes in network namespaces (srun, sbatch, the examples)"
  local out status=0
  out=$(INTEROP_NATIVE_DIR="$BIN" "$ROOT/tests/slurm/run-slurm-tests.sh" 2>&1 </dev/null) || status=$?
  printf '%s\n' "$out"
  local line passed=0 failed=1 skipped=0
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -1 || true)
  if [ -n "$line" ]; then
    read -r passed failed skipped < <(sed -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$line")
  fi
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record slurm "$passed" "$failed" "$skipped"
}

run_tests() {
  build_all
  install_test_packages
  SUMMARY_FILE="$(mktemp)"
  trap 'rm -f "$SUMMARY_FILE"' EXIT
  run_ctest
  run_cargo
  run_nunit
  run_cpu_classes
  run_mpi
  run_slurm
  local passed=0 failed=0 skipped=0
  while read -r suite p f s; do
    if [ "${s:-0}" -gt 0 ]; then log "$suite: $p passed, $f failed, $s skipped"; else log "$suite: $p passed, $f failed"; fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
  done <"$SUMMARY_FILE"
  summary_line "$passed" "$failed" "$skipped"
  [ "$failed" -eq 0 ]
}

# The property tests alone, with many cases: each property's case count and seed come from these
# variables (tests/Interop.Tests/PropertyCases.cs); a failure prints the seed and case that reproduce it.
run_fuzz() {
  local cases="${INTEROP_PROPERTY_CASES:-100000}"
  local seed="${INTEROP_PROPERTY_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
  case "$cases" in ''|*[!0-9]*|0) die "INTEROP_PROPERTY_CASES='$cases' is not a positive number of cases" ;; esac
  build_all
  SUMMARY_FILE="$(mktemp)"
  trap 'rm -f "$SUMMARY_FILE"' EXIT
  log "fuzz: property tests, $cases cases each, seed $seed (rerun with INTEROP_PROPERTY_SEED=$seed ./build.sh fuzz)"
  nunit_suite fuzz "TestCategory=Property" INTEROP_PROPERTY_CASES="$cases" INTEROP_PROPERTY_SEED="$seed"
  local suite passed failed skipped
  read -r suite passed failed skipped <"$SUMMARY_FILE"
  log "seed $seed"
  summary_line "$passed" "$failed" "$skipped"
  [ "$failed" -eq 0 ]
}

case "$command" in
  build) build_all ;;
  test) run_tests ;;
  fuzz) run_fuzz ;;
  clean) rm -rf "$BUILD"; log "removed $BUILD" ;;
esac
