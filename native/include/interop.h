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
#define INTEROP_ABI_VERSION 3

/* Status returned when a kernel cannot allocate its workspace (distinct from any argument index). */
#define INTEROP_STATUS_NO_MEMORY (-1000)

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
INTEROP_EXPORT int32_t interop_pi_count_fortran(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                                int64_t *inside);

/*
 * Which instruction path interop_pi_count_c takes on this CPU: "avx512" or "scalar".
 * Returns a static NUL-terminated string owned by the library.
 */
INTEROP_EXPORT const char *interop_pi_c_simd_path(void);

/*
 * Dense matrix inversion (shared/reference/workload-spec.md), in place.
 *
 * `a` holds n*n contiguous doubles. Every kernel factors the buffer as stored, read column-major:
 * for the managed side's row-major A that is Aᵀ, and the inverse written back in the same layout
 * reads row-major as inv(A) (inv(Aᵀ) = inv(A)ᵀ), so no transpose or copy is needed.
 * c and fortran: LU with partial pivoting (blocked, right-looking), then the blocked triangular
 * solves L Y = I and U Z = Y, inverse = Z P (2n^3 flops); lapack: dgetrf + dgetri.
 * `threads` threads exactly.
 *
 * Status: 0 ok; -1 n < 1; -2 a is NULL; -3 threads < 1; INTEROP_STATUS_NO_MEMORY;
 *         > 0: the matrix is singular or numerically singular: the value is the 1-based step of the
 *         LU at which the pivot failed, |u_jj| <= n * 2^-52 * max_ij |a_ij| (an exact zero included).
 *         A zero row k of the row-major matrix fails at step k. On a failure `a` is unspecified.
 */
INTEROP_EXPORT int32_t interop_inv_c(int64_t n, double *a, int32_t threads);       /* C + OpenMP   */
INTEROP_EXPORT int32_t interop_inv_fortran(int64_t n, double *a, int32_t threads); /* Fortran      */
INTEROP_EXPORT int32_t interop_inv_lapack(int64_t n, double *a, int32_t threads);  /* OpenBLAS     */

/*
 * The spec's scaled residual of an inverse: r = ||I - A X||_1 / (n * 2^-52 * ||A||_1 * ||X||_1),
 * computed with OpenBLAS's dgemm on `threads` threads. NaN/Inf anywhere gives r = +Inf.
 * Status: 0 ok; -1 n < 1; -2 a NULL; -3 x NULL; -4 threads < 1; -5 residual NULL; NO_MEMORY.
 */
INTEROP_EXPORT int32_t interop_inv_residual(int64_t n, const double *a, const double *x, int32_t threads,
                                            double *residual);

/*
 * Describes the OpenBLAS in use, NUL-terminated in `buffer` (truncated to capacity), as
 * "version=<config string>;core=<core name>;threading=<sequential|pthreads|openmp>;max_threads=<n>".
 * Returns the length of the full description (excluding NUL), or -1 buffer NULL, -2 capacity < 1.
 */
INTEROP_EXPORT int32_t interop_openblas_info(char *buffer, int32_t capacity);

/*
 * Starts a team of `threads` OpenMP threads and stores in cpus[t] the CPU thread t runs on
 * (sched_getcpu), -1 for threads OpenMP did not start. Returns the team size, or -1 threads < 1,
 * -2 cpus is NULL.
 */
INTEROP_EXPORT int32_t interop_omp_placement(int32_t threads, int32_t *cpus);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_H */
