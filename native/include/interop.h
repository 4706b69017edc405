/*
 * interop.h: the whole exported C ABI of libinterop_native.
 *
 * Rules (kept so that the managed side can bind with [LibraryImport] and blittable types only):
 *   - every export starts with "interop_";
 *   - only fixed-width integers, double and pointers cross the boundary (no long, no size_t, no bool);
 *   - every kernel returns an int32_t status with LAPACK's meaning:
 *       0 = success, -i = argument i is invalid, > 0 = a numerical failure (e.g. a zero pivot).
 */
#ifndef INTEROP_H
#define INTEROP_H

#include <stdint.h>

#if defined(_WIN32)
#define INTEROP_EXPORT __declspec(dllexport)
#else
#define INTEROP_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the managed side refuses a mismatched library. */
#define INTEROP_ABI_VERSION 1

INTEROP_EXPORT int32_t interop_abi_version(void);

/*
 * Monte Carlo pi (shared/reference/workload-spec.md): counts the darts k in [begin, end) of the
 * stream seeded `seed` that land inside the quarter circle, using exactly `threads` OpenMP
 * threads, and stores the count in *inside.
 * Status: -2 begin < 0, -3 end < begin, -4 threads < 1, -5 inside is NULL.
 */
INTEROP_EXPORT int32_t interop_pi_count_c(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                          int64_t *inside);

/* The same contract, implemented in Fortran (native/src/pi_fortran_openmp.f90, bind(C)). */
INTEROP_EXPORT int32_t interop_pi_count_fortran(uint64_t seed, int64_t begin, int64_t end,
                                                int32_t threads, int64_t *inside);

/*
 * Which instruction path interop_pi_count_c takes on this CPU: "avx512" or "scalar".
 * Returns a static NUL-terminated string owned by the library.
 */
INTEROP_EXPORT const char *interop_pi_c_simd_path(void);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_H */
