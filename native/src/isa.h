/* Internal: the per-ISA variants of the hand-written kernels and how their names are made. Not part
 * of the exported ABI (interop.h's interop_isa_* functions are).
 *
 * CMake compiles the kernel sources once per path (native/CMakeLists.txt, interop_isa_variants):
 * -march=x86-64, -march=x86-64-v3 and -march=x86-64-v4, each with INTEROP_ISA_SUFFIX (_scalar, _avx2,
 * _avx512) and INTEROP_ISA_LEVEL (an INTEROP_ISA_* value) defined. Inside such a source,
 * INTEROP_ISA_NAME(f) is f with the suffix, so the three copies link side by side; isa.c calls the
 * one of the path in use. The Fortran sources get their names from CMake instead (INTEROP_FORTRAN_*),
 * since gfortran's traditional preprocessor cannot paste tokens. */
#ifndef INTEROP_ISA_H
#define INTEROP_ISA_H

#include <stdint.h>

#define INTEROP_ISA_PASTE2(name, suffix) name##suffix
#define INTEROP_ISA_PASTE(name, suffix) INTEROP_ISA_PASTE2(name, suffix)
#define INTEROP_ISA_NAME(name) INTEROP_ISA_PASTE(name, INTEROP_ISA_SUFFIX)

/* Hidden: called only through isa.c's table, never from outside the library. */
#if defined(__GNUC__)
#define INTEROP_INTERNAL __attribute__((visibility("hidden")))
#else
#define INTEROP_INTERNAL
#endif

/* One path's kernels. The C pi kernel counts one contiguous range on the calling thread (the
 * OpenMP split is shared, in pi_c_openmp.c); the others have their exported signatures. */
typedef struct {
    int32_t isa;
    uint64_t (*pi_range_c)(uint64_t seed, uint64_t begin, uint64_t end);
    int32_t (*pi_count_fortran)(uint64_t seed, int64_t begin, int64_t end, int32_t threads, int64_t *inside);
    int32_t (*inv_c)(int64_t n, double *a, int32_t threads);
    int32_t (*inv_fortran)(int64_t n, double *a, int32_t threads);
    /* The path's floating-point limit on one thread (fma_chains.c; timed by fma_limit.c). */
    double (*fma_chains)(int64_t iterations, double m, double c, double *flops);
} interop_isa_kernels;

#define INTEROP_DECLARE_ISA_KERNELS(suffix)                                                                  \
    INTEROP_INTERNAL uint64_t interop_pi_range_c##suffix(uint64_t seed, uint64_t begin, uint64_t end);       \
    INTEROP_INTERNAL int32_t interop_pi_count_fortran##suffix(uint64_t seed, int64_t begin, int64_t end,     \
                                                              int32_t threads, int64_t *inside);             \
    INTEROP_INTERNAL int32_t interop_inv_c##suffix(int64_t n, double *a, int32_t threads);                   \
    INTEROP_INTERNAL int32_t interop_inv_fortran##suffix(int64_t n, double *a, int32_t threads);             \
    INTEROP_INTERNAL double interop_fma_chains##suffix(int64_t iterations, double m, double c, double *flops);

INTEROP_DECLARE_ISA_KERNELS(_scalar)
#if defined(INTEROP_HAVE_X86_ISAS)
INTEROP_DECLARE_ISA_KERNELS(_avx2)
INTEROP_DECLARE_ISA_KERNELS(_avx512)
#endif

/* The kernels of the path in use (interop_isa_select, else the best the CPU has). */
INTEROP_INTERNAL const interop_isa_kernels *interop_isa_kernels_active(void);

/* The kernels of path `isa` whatever the path in use; NULL for a path this build lacks. */
INTEROP_INTERNAL const interop_isa_kernels *interop_isa_kernels_of(int32_t isa);

#endif
