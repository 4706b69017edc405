/* cpu_runs.h: whether this CPU runs an instruction-set path, for every kernel library that chooses
 * its path itself (libinterop_native's isa.c, libinterop_cpp's exports.cpp); C and C++. */
#ifndef INTEROP_CPU_RUNS_H
#define INTEROP_CPU_RUNS_H

#include "interop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The test-only cap on detection: INTEROP_TEST_ISA_MAX=scalar|avx2|avx512 makes this CPU look as if
 * it had no path above that one, so that the AVX2-only class's expectations run on an AVX-512
 * machine (docs/backends.md, "CPU classes"). Unset, empty or any other value: no cap (a typo must not quietly
 * turn a library's fast paths off for a user; the tests that set it check that it took effect). Read
 * once per library: the driver and the test programs set it before the first kernel call. */
#define INTEROP_TEST_ISA_MAX_VARIABLE "INTEROP_TEST_ISA_MAX"

static inline int32_t interop_test_isa_cap(void)
{
    static volatile int32_t cap = -1; /* -1: not read yet; a benign race stores the same value */
    if (cap < 0) {
        const char *value = getenv(INTEROP_TEST_ISA_MAX_VARIABLE);
        int32_t read = INTEROP_ISA_AVX512;
        if (value != NULL && strcmp(value, "scalar") == 0)
            read = INTEROP_ISA_SCALAR;
        else if (value != NULL && strcmp(value, "avx2") == 0)
            read = INTEROP_ISA_AVX2;
        cap = read;
    }
    return cap;
}

/* 1 when this CPU runs path `isa` (INTEROP_ISA_SCALAR always; AVX2 and AVX-512 only in a build with
 * the x86 paths, INTEROP_HAVE_X86_ISAS, and not above the test cap); 0 otherwise, AUTO and unknown
 * values included. */
static inline int interop_cpu_runs(int32_t isa)
{
    if (isa > interop_test_isa_cap())
        return 0;
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
