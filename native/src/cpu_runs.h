/* cpu_runs.h: whether this CPU runs an instruction-set path, for every kernel library that chooses
 * its path itself (libinterop_native's isa.c, libinterop_cpp's exports.cpp); C and C++. */
#ifndef INTEROP_CPU_RUNS_H
#define INTEROP_CPU_RUNS_H

#include "interop.h"

#include <stdint.h>

/* 1 when this CPU runs path `isa` (INTEROP_ISA_SCALAR always; AVX2 and AVX-512 only in a build with
 * the x86 paths, INTEROP_HAVE_X86_ISAS); 0 otherwise, AUTO and unknown values included. */
static inline int interop_cpu_runs(int32_t isa)
{
    switch (isa) {
    case INTEROP_ISA_SCALAR:
        return 1;
#if defined(INTEROP_HAVE_X86_ISAS)
        /* The x86-64 levels the kernel copies were compiled for (-march=x86-64-v3/-v4), all of their
         * features, with the operating system's support for the register state (checked by libgcc). */
#if defined(__clang__)
    /* Clang (14) has no "x86-64-v3" here, nor "f16c" and "movbe", which every CPU with AVX2, FMA and
     * BMI2 has anyway. */
    case INTEROP_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    case INTEROP_ISA_AVX512:
        return interop_cpu_runs(INTEROP_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
#else
    case INTEROP_ISA_AVX2:
        return __builtin_cpu_supports("x86-64-v3") != 0;
    case INTEROP_ISA_AVX512:
        return __builtin_cpu_supports("x86-64-v4") != 0;
#endif
#endif
    default:
        return 0;
    }
}

#endif /* INTEROP_CPU_RUNS_H */
