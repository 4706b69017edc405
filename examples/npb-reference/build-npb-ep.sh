#!/usr/bin/env bash
# Build NPB's own EP kernel, for reference and measurement only, from a git mirror of
# github kaustav-goswami/npb-hooks. That repository carries NASA's NPB 3.4.2 (branch kg/npb-3.4.2)
# and NPB 3.3.1 (branch master), with gem5 hooks that are compiled only on request (left off here).
#
# Usage: build-npb-ep.sh MIRROR_GIT_DIR [OUT_DIR] [CLASSES]
#   MIRROR_GIT_DIR  a bare clone of github.com/kaustav-goswami/npb-hooks
#                   (git clone --bare https://github.com/kaustav-goswami/npb-hooks npb-hooks.git)
#   OUT_DIR         where the sources are unpacked and built, outside this repository
#                   (default: ./npb-reference-build in the current directory)
#   CLASSES         space-separated NPB classes (default: "S W A B")
# Binaries: OUT_DIR/bin/<variant>/ep.<CLASS>.x, variants:
#   npb342-omp         NPB 3.4.2 OMP, NPB's make.def_gcc flags: gfortran -O3 -fopenmp
#   npb342-omp-native  the same plus -march=native
#   npb342-ser         NPB 3.4.2 OMP sources compiled without OpenMP (NPB 3.4's stand-in for NPB-SER)
#   npb331-ser         NPB 3.3.1 SER (signed-sum verification), gfortran -O3
# NPB's sources and binaries stay in OUT_DIR: never commit them to this repository (docs/results.md).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 MIRROR_GIT_DIR [OUT_DIR] [CLASSES]" >&2
    exit 2
fi
mirror=$1
out=${2:-$PWD/npb-reference-build}
classes=${3:-"S W A B"}

# Pinned commits, so that a newer snapshot of the mirror cannot change what is measured.
npb342_commit=2232ad9def60881222f798b0b93abeb139b3ae9e   # branch kg/npb-3.4.2
npb331_commit=b222a03a35611da3f221a835c2db6b95fb477dbb   # branch master

git --git-dir="$mirror" cat-file -e "$npb342_commit^{commit}" 2>/dev/null ||
    { echo "$0: $mirror lacks commit $npb342_commit (not a mirror of kaustav-goswami/npb-hooks?)" >&2; exit 1; }
git --git-dir="$mirror" cat-file -e "$npb331_commit^{commit}" 2>/dev/null ||
    { echo "$0: $mirror lacks commit $npb331_commit" >&2; exit 1; }

mkdir -p "$out/src" "$out/bin"

# unpack COMMIT PREFIX DEST: the tree PREFIX of COMMIT into DEST (fresh copy).
unpack() {
    local commit=$1 prefix=$2 dest=$3
    rm -rf "$dest"
    mkdir -p "$dest"
    local depth
    depth=$(awk -F/ '{print NF}' <<<"$prefix")
    git --git-dir="$mirror" archive --format=tar "$commit" "$prefix" |
        tar -x -C "$dest" --strip-components="$depth"
}

# make_def DEST FC FFLAGS RAND: NPB's make.def (from config/NAS.samples/make.def_gcc), with our flags.
# -cpp only strips the gem5 hook lines (#ifdef M5_ANNOTATION) that this mirror added to ep.f90.
make_def() {
    local dest=$1 fc=$2 fflags=$3 rand=$4
    cat >"$dest/config/make.def" <<EOF
FC = $fc
F77 = $fc
FLINK = \$(FC)
F_LIB =
F_INC =
FFLAGS = $fflags
FLINKFLAGS = \$(FFLAGS)
CC = gcc
CLINK = \$(CC)
C_LIB = -lm
C_INC =
CFLAGS = -O3
CLINKFLAGS = \$(CFLAGS)
UCC = gcc
BINDIR = ../bin
RAND = $rand
WTIME = wtime.c
EOF
}

# build VARIANT COMMIT PREFIX FFLAGS RAND
build() {
    local variant=$1 commit=$2 prefix=$3 fflags=$4 rand=$5
    local tree=$out/src/$variant
    echo "== $variant: $prefix @ ${commit:0:12}, gfortran $fflags"
    unpack "$commit" "$prefix" "$tree"
    make_def "$tree" gfortran "$fflags" "$rand"
    mkdir -p "$tree/bin" "$out/bin/$variant"
    local c
    for c in $classes; do
        # -j1: shared 2-core machine; EP is three small files.
        make -C "$tree" -j1 ep CLASS="$c" >"$tree/build-$c.log" 2>&1 ||
            { echo "$0: build of $variant class $c failed, see $tree/build-$c.log" >&2; exit 1; }
        cp "$tree/bin/ep.$c.x" "$out/bin/$variant/ep.$c.x"
    done
}

# RAND = randi8 (NPB's default integer(8) generator) for both. NPB 3.3.1's randi8.f writes a hex
# constant as X'..', which gfortran >= 10 rejects unless -fallow-invalid-boz is given (the
# alternative, randdp, is exact too but 4x slower and would skew the serial timing).
build npb342-omp        "$npb342_commit" NPB3.4.2/NPB3.4-OMP "-O3 -fopenmp -cpp" randi8
build npb342-omp-native "$npb342_commit" NPB3.4.2/NPB3.4-OMP "-O3 -fopenmp -march=native -cpp" randi8
build npb342-ser        "$npb342_commit" NPB3.4.2/NPB3.4-OMP "-O3 -cpp" randi8
build npb331-ser        "$npb331_commit" NPB3.3.1/NPB3.3-SER "-O3 -fallow-invalid-boz" randi8

echo "built: $(cd "$out/bin" && ls -d */ep.*.x | tr '\n' ' ')"
