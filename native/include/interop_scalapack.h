/*
 * interop_scalapack.h: the whole exported C ABI of libinterop_scalapack, the distributed inversion
 * backend (ScaLAPACK's pdgetrf + pdgetri over MPI_COMM_WORLD, on a 2-D block-cyclic distribution).
 *
 * libinterop_scalapack is a sibling of libinterop_mpi, built only when CMake finds MPI and
 * ScaLAPACK; neither libinterop_native nor libinterop_mpi depends on it. It never initializes or
 * finalizes MPI: the process's MPI belongs to whoever initialized it (the managed driver, through
 * libinterop_mpi), and every function below returns INTEROP_SCALAPACK_ERR_STATE while MPI is not
 * usable. It never calls blacs_exit either (that finalizes MPI): a plan frees its grids with
 * blacs_gridexit.
 *
 * Rules (the same as interop.h and interop_mpi.h, so that the managed side binds with
 * [LibraryImport] and blittable types only):
 *   - every export starts with "interop_scalapack_";
 *   - only fixed-width integers, double and pointers cross the boundary; no MPI or BLACS handle
 *     does: a plan is an opaque pointer, and every plan works on MPI_COMM_WORLD;
 *   - every function returns an int32_t status with LAPACK's meaning, as interop.h:
 *       0 ok; -k argument k is invalid; INTEROP_SCALAPACK_NO_MEMORY (= INTEROP_STATUS_NO_MEMORY);
 *       the other negative INTEROP_SCALAPACK_ERR_* codes below; > 0 (interop_scalapack_invert
 *       only) a failed pivot at the 1-based global step k, or INTEROP_SCALAPACK_NONFINITE | k for
 *       a NaN or Inf pivot (= INTEROP_STATUS_NONFINITE), with the same rules as every other
 *       inversion backend (interop.h, interop_inv_lapack).
 *
 * Collective calls (everything but abi_version and grid_shape) are called by every rank of
 * MPI_COMM_WORLD with the same arguments (pointers excepted), and return the SAME status on every
 * rank: each rank checks its arguments first, then the ranks combine their statuses (and compare
 * n, the grid, the block size and the seed) in one MPI_Allreduce before any other communication.
 * A bad argument on one rank is therefore an error on all of them, never a rank left waiting in a
 * collective; when several statuses differ, every rank returns the most negative one; arguments
 * that are valid but differ between ranks give INTEROP_SCALAPACK_ERR_MISMATCH, and so do ranks
 * that call different functions (say rank 0 scatter while the others generate): that first
 * MPI_Allreduce has the same shape in every function.
 *
 * The grid must use every rank: grid_rows * grid_cols == the size of MPI_COMM_WORLD
 * (INTEROP_SCALAPACK_ERR_GRID otherwise). Idle ranks would still have to call every function and
 * would only hide a mistyped grid. Rank r is process (r / grid_cols, r % grid_cols) (row-major).
 *
 * Layouts: the caller's matrices (scatter's input, gather's output) are n x n, row-major, on rank 0
 * only, as everywhere else in the project. ScaLAPACK is column-major: the plan factors A itself
 * (not Aᵀ, whose partial pivoting would pivot A's columns: other pivots and other failing steps
 * than every other backend) by transposing the scattered matrix once in distributed form (pdtran),
 * and rank 0 transposes the gathered matrix back in place (O(n²), no extra memory).
 *
 * Memory per rank: one local matrix of about 8 n² / P bytes (A, factored and inverted in place), two
 * residual panels of about 1/8 of it each, and ScaLAPACK's pivots and pdgetri workspace (about
 * 8 n NB / P_rows bytes), all allocated by interop_scalapack_create: about 1.25 x 8 n² / P. The
 * residual of a generated A makes A's panels again from the formula instead of keeping A; a
 * scattered A cannot be made again, so the first interop_scalapack_scatter adds one more local
 * matrix (its copy, kept for the residual).
 */
#ifndef INTEROP_SCALAPACK_H
#define INTEROP_SCALAPACK_H

#include <stdint.h>

#if defined(_WIN32)
#define INTEROP_SCALAPACK_EXPORT __declspec(dllexport)
#else
#define INTEROP_SCALAPACK_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the managed side refuses a mismatched library. */
#define INTEROP_SCALAPACK_ABI_VERSION 3

/* The block size (NB = MB) the managed side uses when none is given; PBLAS's blocking factor is set
 * to it too (pilaenv_, in the library). Measured with 2 ranks x 1 OpenBLAS thread on the 2 x 1 grid,
 * AMD EPYC Zen 3 (2 vCPUs), time rate over lapack's on 2 threads in the same run, 3 rounds each
 * (a noisy machine): n = 3000: NB 128 0.82-0.92, 192 0.79-1.29 (median 0.93), 256 0.84-1.31;
 * n = 4000: 128 0.71-0.79, 192 0.81-0.89, 256 0.79-0.84. Larger blocks make the updates DGEMMs of
 * more depth; much larger ones leave more of the work in the panel, on one process column. */
#define INTEROP_SCALAPACK_DEFAULT_BLOCK 192

/*
 * The largest n of interop_scalapack_scatter and _gather: they hold the whole matrix on rank 0 as
 * one ScaLAPACK block, whose n * n elements must fit its 32-bit integers (as interop_inv_lapack). A
 * generated matrix has no such bound: only each rank's local matrix must have fewer than 2^31
 * elements (INTEROP_SCALAPACK_ERR_TOO_LARGE), so n grows with the number of ranks.
 */
#define INTEROP_SCALAPACK_MAX_GATHER_ORDER 46340

/* The environment variable that caps the bytes the ranks of one node may allocate together (a
 * number, optionally followed by K, M, G or T, powers of 1024), below what the node offers. */
#define INTEROP_SCALAPACK_MEMORY_LIMIT_VARIABLE "INTEROP_MEMORY_LIMIT"

/* Equal to interop.h's INTEROP_STATUS_NO_MEMORY and INTEROP_STATUS_NONFINITE (checked at build time). */
#define INTEROP_SCALAPACK_NO_MEMORY (-1000)
#define INTEROP_SCALAPACK_NONFINITE 0x40000000

/*
 * The library's own negative statuses (beyond -k for argument k):
 *   STATE     MPI is not initialized, or already finalized
 *   MISMATCH  the ranks passed different n, grid, block size or seed, or called different functions
 *   GRID      grid_rows * grid_cols is not the number of ranks
 *   ORDER     a call out of order: invert without a matrix, residual without an inverse, gather
 *             after a failed inversion (no inverse is ever written then)
 *   LIBRARY   ScaLAPACK or BLACS rejected a call (an INFO < 0: a bug in this library)
 *   MPI       an MPI call failed
 *   TOO_LARGE create: some rank's local matrix would have 2^31 elements or more (ScaLAPACK indexes
 *             it with 32-bit integers: more ranks are needed); scatter and gather: n is above
 *             INTEROP_SCALAPACK_MAX_GATHER_ORDER
 *   ENVIRONMENT INTEROP_MEMORY_LIMIT is set but is not a size
 */
#define INTEROP_SCALAPACK_ERR_STATE (-1001)
#define INTEROP_SCALAPACK_ERR_MISMATCH (-1002)
#define INTEROP_SCALAPACK_ERR_GRID (-1003)
#define INTEROP_SCALAPACK_ERR_ORDER (-1004)
#define INTEROP_SCALAPACK_ERR_LIBRARY (-1005)
#define INTEROP_SCALAPACK_ERR_MPI (-1006)
#define INTEROP_SCALAPACK_ERR_TOO_LARGE (-1007)
#define INTEROP_SCALAPACK_ERR_ENVIRONMENT (-1008)

/* A distributed inversion: the BLACS grids, the descriptors and every local buffer. Opaque. */
typedef struct interop_scalapack_plan interop_scalapack_plan;

INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_abi_version(void);

/*
 * The default grid for `ranks` processes, as MPI_Dims_create(ranks, 2) chooses it: the most nearly
 * square rows x cols = ranks, with rows >= cols (2 x 1, 3 x 1, 2 x 2, 3 x 2, 7 x 1, ...). Local: no
 * MPI call. Status: -1 ranks < 1; -2 rows NULL; -3 cols NULL.
 * Why rows >= cols: pdgetri, which takes most of the time, updates one block column at a time; on
 * a 2 x 1 grid every rank holds part of each block column and works on it, on a 1 x 2 grid one rank
 * does. 2 ranks x 1 thread, n = 3000 and 4000, AMD EPYC Zen 3: 2 x 1 ran 1.2 to 1.4x faster than
 * 1 x 2 (pdgetrf alone was faster on 1 x 2, by less than pdgetri lost).
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_grid_shape(int32_t ranks, int32_t *rows, int32_t *cols);

/*
 * Collective. Builds the grid_rows x grid_cols BLACS grid over MPI_COMM_WORLD (and a 1 x 1 grid on
 * rank 0 for scatter and gather), the n x n descriptors with block size `block` (MB = NB), and
 * allocates every local buffer; OpenBLAS runs `threads` threads in this rank from then on
 * (openblas_set_num_threads, process-wide). *plan receives the plan, or NULL on failure.
 * Before allocating, the ranks of each node (MPI_COMM_TYPE_SHARED) add up what they will allocate
 * and compare it with what the node offers: the smallest of MemAvailable (/proc/meminfo), the room
 * left under the memory limit of this process's cgroup and its parents (a batch system's job
 * limit) and INTEROP_MEMORY_LIMIT; more than that is NO_MEMORY on every rank, before any rank
 * touches the memory (rather than the kernel's out-of-memory killer ending one rank mid-run).
 * Status: -1 n < 1 or n > INT32_MAX; -2 grid_rows < 1; -3 grid_cols < 1; -4 block < 1;
 *         -5 threads < 1; -6 plan NULL; GRID; MISMATCH; TOO_LARGE; NO_MEMORY; ENVIRONMENT; STATE;
 *         LIBRARY; MPI.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_create(int64_t n, int32_t grid_rows, int32_t grid_cols,
                                                          int32_t block, int32_t threads,
                                                          interop_scalapack_plan **plan);

/*
 * Local. What the plan holds on this rank: *local_rows x *local_cols elements of the local matrix
 * (numroc), and *bytes_this_rank / *bytes_max_rank the bytes allocated by this rank and the largest
 * number over every rank (combined by create and by the first scatter). Any output may be NULL.
 * Status: -1 plan NULL.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_layout(const interop_scalapack_plan *plan,
                                                          int64_t *local_rows, int64_t *local_cols,
                                                          int64_t *bytes_this_rank, int64_t *bytes_max_rank);

/*
 * Collective. Fills every rank's part of A from the workload spec (A[i][j] = R[i][j] * R[j][i],
 * R[i][j] = (mix(seed, i*n + j) >> 11) * 2^-53: bit-identical to the managed SpecMatrix), with no
 * communication beyond the argument check: no rank ever holds the whole matrix.
 * Status: -1 plan NULL; MISMATCH (seeds differ); STATE.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_generate(interop_scalapack_plan *plan, uint64_t seed);

/*
 * Collective. Distributes rank 0's row-major n x n matrix `a` (read on rank 0 only; NULL
 * elsewhere is fine) with pdgemr2d from the 1 x 1 grid, then transposes it in distributed form.
 * The first scatter of a plan allocates the copy of A the residual needs (NO_MEMORY if it cannot).
 * Status: -1 plan NULL; -2 a NULL on rank 0; TOO_LARGE (n > INTEROP_SCALAPACK_MAX_GATHER_ORDER);
 *         NO_MEMORY; STATE; MPI.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_scatter(interop_scalapack_plan *plan, const double *a);

/*
 * Collective. Inverts the plan's matrix in place: A equilibrated by powers of two as every backend
 * does, B = diag(r) A diag(c) (the maxima of rows and columns combined over the ranks), pdgetrf of B,
 * the pivot checks of every backend (|u_kk| <= n * 2^-52 * max finite |b_ij| fails at step k; a NaN or Inf u_kk fails with the
 * NONFINITE flag; the first failing step in step order, agreed by every rank), then pdgetri with
 * its workspace and X = diag(c) inv(B) diag(r), exactly. On a failed pivot pdgetri is not called and the plan holds no inverse (gather
 * returns ORDER). *seconds receives the time of the factorization and inversion, the largest over
 * the ranks (MPI_Wtime, from a common barrier); it may be NULL.
 * Status: 0; > 0 the failed step (see above); -1 plan NULL; ORDER (no matrix yet, or already
 *         inverted); STATE; LIBRARY; MPI.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_invert(interop_scalapack_plan *plan, double *seconds);

/*
 * Collective. The spec's scaled residual of the inverse, r = ||I - A X||_1 / (n * 2^-52 * ||A||_1 *
 * ||X||_1), the formula of interop_inv_residual, in distributed form: pdgemm of A with column
 * panels of X (a generated A made again panel by panel), pdlange for the 1-norms. NaN or Inf anywhere, or a
 * zero norm, gives r = +Inf. The same *residual on every rank. Status: -1 plan NULL; -2 residual NULL; ORDER
 * (no inverse); STATE; MPI.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_residual(interop_scalapack_plan *plan, double *residual);

/*
 * Collective. Collects the plan's matrix (A before invert, the inverse after it) into rank 0's
 * row-major n x n buffer `x` with pdgemr2d (written on rank 0 only; NULL elsewhere is fine).
 * Status: -1 plan NULL; -2 x NULL on rank 0; TOO_LARGE (n > INTEROP_SCALAPACK_MAX_GATHER_ORDER);
 *         ORDER (no matrix, or a failed inversion); STATE; MPI.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_gather(interop_scalapack_plan *plan, double *x);

/*
 * Local. The longest any MPI call inside ScaLAPACK (and this library) may wait for another rank, in
 * seconds (default INTEROP_MPI_DEFAULT_WAIT_LIMIT of interop_mpi.h, one day). The library has a
 * bounded version of each blocking MPI call that ScaLAPACK and BLACS make (MPI_Send, MPI_Recv,
 * MPI_Bcast, MPI_Allreduce, ...: native/scalapack/bounded_mpi.c): the nonblocking call completed by
 * the wait loop of libinterop_mpi; a wait past the limit prints one line on stderr and ends the
 * job with MPI_Abort (an operation left pending inside ScaLAPACK cannot be returned from).
 * Status: -1 seconds not finite or not positive.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_set_wait_limit(double seconds);

/*
 * Local. Points libscalapack's own entries for those MPI calls (its PLT slots and GOT entries), and
 * this library's, at the bounded versions, as the dynamic linker does when it binds them. Symbol
 * order could not do it: Open MPI puts libmpi into the process's global scope during MPI_Init,
 * ahead of this library in every later lookup. interop_scalapack_create does it first; calling it
 * again changes nothing. Returns how many entries point at the bounded calls (at least one per
 * name libscalapack imports; 0 when libscalapack is not loaded or the architecture is neither
 * x86-64 nor AArch64, where the waits stay MPI's).
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_bound_mpi_calls(void);

/*
 * Frees the plan's buffers and its BLACS grids (blacs_gridexit, which frees the grids' MPI
 * communicators; MPI stays initialized). Every rank frees its own plan; no rank waits for another,
 * so a rank may free its plan while the others are already gone, but it must call from the thread
 * that calls MPI. NULL does nothing.
 */
INTEROP_SCALAPACK_EXPORT int32_t interop_scalapack_destroy(interop_scalapack_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_SCALAPACK_H */
