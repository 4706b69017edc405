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
#define INTEROP_ABI_VERSION 8

/* Status returned when a kernel cannot allocate its workspace (distinct from any argument index). */
#define INTEROP_STATUS_NO_MEMORY (-1000)

/* Flag of an inversion status > 0 whose pivot was not finite (NaN or Inf: the matrix holds NaN or
 * Inf, or its factorization overflowed): the status is INTEROP_STATUS_NONFINITE | step, with the
 * 1-based step in the low bits (n <= 46340 < 2^30). Without the flag, a status > 0 is a singular step. */
#define INTEROP_STATUS_NONFINITE 0x40000000

INTEROP_EXPORT int32_t interop_abi_version(void);

/*
 * Monte Carlo pi (docs/workload-spec.md): counts the darts k in [begin, end) of the
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
 * Instruction-set paths. Every hand-written kernel (pi and inversion, C and Fortran) is compiled once
 * per x86-64 level and the path is chosen at run time, in the native and in the portable build:
 *   INTEROP_ISA_SCALAR  the portable x86-64 baseline (what the compiler makes of plain code, SSE2 at most)
 *   INTEROP_ISA_AVX2    x86-64-v3: AVX2 + FMA, 16 vector registers of 4 doubles
 *   INTEROP_ISA_AVX512  x86-64-v4: AVX-512 F/DQ/BW/VL, 32 vector registers of 8 doubles
 * INTEROP_ISA_AUTO chooses the best this CPU has. On CPUs that are not x86-64 only SCALAR exists.
 */
#define INTEROP_ISA_AUTO 0
#define INTEROP_ISA_SCALAR 1
#define INTEROP_ISA_AVX2 2
#define INTEROP_ISA_AVX512 3

/* 1 if this CPU (and this build) can run the path, 0 if not, -1 for a value that is no path. */
INTEROP_EXPORT int32_t interop_isa_supported(int32_t isa);

/* Forces the path of every kernel from now on (AUTO: the best this CPU has).
 * Status: 0 ok; -1 not a path; 1 this CPU or build cannot run it (the path in use is unchanged). */
INTEROP_EXPORT int32_t interop_isa_select(int32_t isa);

/* The path the kernels take now: SCALAR, AVX2 or AVX512, never AUTO. */
INTEROP_EXPORT int32_t interop_isa_active(void);

/*
 * Dense matrix inversion (docs/workload-spec.md), in place.
 *
 * `a` holds n*n contiguous doubles, the row-major matrix A (element (i, j) at a[i*n + j]). Every
 * kernel inverts A from an LU factorization of A itself with partial (row) pivoting, P A = L U, as
 * LAPACK on A would: the kernels work column-major, so they first transpose the buffer in place
 * (O(n^2), no extra memory), and write the inverse back row-major. (Factoring the buffer as stored
 * would factor Aᵀ, i.e. pivot A's columns: not the same pivots, and for some well-conditioned A an
 * element growth of 2^(n-1).)
 * c and fortran: LU with partial pivoting (blocked, right-looking), then the blocked triangular
 * solves L Y = I and U Z = Y, inverse = Z P (2n^3 flops); lapack: dgetrf + dgetri.
 * `threads` threads exactly.
 *
 * Status: 0 ok; -1 n < 1; -2 a is NULL; -3 threads < 1; INTEROP_STATUS_NO_MEMORY;
 *         > 0: a pivot failed, at the 1-based step k of the LU:
 *           k: the matrix is singular or numerically singular, |u_kk| <= n * 2^-52 * max_ij |b_ij|
 *              (max over the finite elements; an exact zero included), judged on the LU of
 *              B = diag(r) A diag(c), A equilibrated by powers of two (native/common/equilibrate.h): a
 *              badly scaled regular matrix such as diag(1e300, 1e-300, 1, 2) is inverted, exactly.
 *              A zero column k of A fails at step k;
 *           INTEROP_STATUS_NONFINITE | k: u_kk is NaN or Inf (the matrix holds NaN or Inf, or the
 *              factorization overflowed).
 *         On a failure `a` is unspecified.
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
 * The same scaled residual with ||I - A X||_1 estimated instead of computed: Higham's 1-norm
 * estimator (LAPACK's dlacn2), each step one product of B = I - A X or Bᵀ with a vector, formed as
 * two dgemv (4n^2 flops; 4 to 7 steps measured, at most 11), against the full residual's 2n^3.
 * The estimate is a lower bound of the full residual, in practice equal to it or within a factor of a
 * few: a check of an everyday inverse, not a proof. NaN/Inf anywhere gives r = +Inf. Stores the
 * number of products with B or Bᵀ in *products unless it is NULL.
 * Status: 0 ok; -1 n < 1; -2 a NULL; -3 x NULL; -4 threads < 1; -5 residual NULL; NO_MEMORY.
 */
INTEROP_EXPORT int32_t interop_inv_residual_estimate(int64_t n, const double *a, const double *x, int32_t threads,
                                                     double *residual, int32_t *products);

/*
 * The floating-point limit of instruction-set path `isa` (SCALAR, AVX2 or AVX512; not AUTO) on a team
 * of `threads` OpenMP threads, the yardstick of "% of peak": every thread runs independent chains of
 * multiply-adds, as many as fill the path's FMA units (avx512: 16 chains of 8-double FMAs; avx2: 12 of
 * 4-double FMAs; scalar: 12 of SSE2 2-double multiply + add pairs, since the x86-64 baseline has no
 * FMA), counted as 2 flops per lane. One warm-up run and `runs` timed runs of about 4 ms each; stores
 * the best run's GFLOP/s (the whole team's) in *gflops.
 * Status: 0 ok; -1 not a path; -2 threads < 1; -3 runs < 1; -4 gflops NULL;
 *         1 this CPU or build cannot run the path (nothing measured).
 */
INTEROP_EXPORT int32_t interop_fma_limit_gflops(int32_t isa, int32_t threads, int32_t runs, double *gflops);

/*
 * The memory-bandwidth limit of a team of `threads` OpenMP threads, the yardstick of a memory-bound
 * workload's GB/s: STREAM's triad a[i] = b[i] + s * c[i] over three 64-byte-aligned arrays of
 * `elements` doubles each (0: 2^25, 256 MiB each; huge pages asked for from 2 MiB), first touched by
 * the threads that run it (static schedule, so pages land on each thread's NUMA node). One untimed
 * run and `runs` timed ones; stores the best run's GB/s (the whole team's) in *gbps, counted as
 * STREAM counts the triad: 3 x 8 x elements bytes per run (write-allocate reads of a are not
 * counted, as STREAM does not count them).
 * Every element of a is checked after the last run, as STREAM checks its arrays.
 * Status: 0 ok; -1 threads < 1; -2 elements < 0; -3 runs < 1; -4 gbps NULL; NO_MEMORY;
 *         1 the triad's result was wrong (nothing stored).
 */
INTEROP_EXPORT int32_t interop_triad_limit_gbps(int32_t threads, int64_t elements, int32_t runs, double *gbps);

/*
 * OpenBLAS's DGEMM rate, the second reference of an inversion's rate ("over dgemm"): OpenBLAS dgemm
 * on n x n matrices with `threads` threads, one untimed warm-up at a smaller size, then one timed
 * C = A B. Stores GFLOP/s (2n^3 / seconds / 1e9) in *gflops.
 * Status: 0 ok; -1 n < 1 or n > 46340; -2 threads < 1; -3 gflops NULL; NO_MEMORY.
 */
INTEROP_EXPORT int32_t interop_dgemm_gflops(int64_t n, int32_t threads, double *gflops);

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
