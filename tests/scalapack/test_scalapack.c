/*
 * Tests and benchmark of libinterop_scalapack, run under mpiexec at any size by
 * tests/mpi/run-mpi-tests.sh (build/native/tests/scalapack/test_scalapack):
 *
 *   test_scalapack check              every check below on every grid of the world size; rank 0
 *                                     prints "ok <name>" or "FAIL <name>: detail" per check, then
 *                                     "N passed, N failed"; exit 0 only if all passed on every rank.
 *   test_scalapack bench N NB REPEAT  scalapack on the default grid, 1 OpenBLAS thread per rank:
 *                                     median seconds of REPEAT inversions of the spec matrix, GFLOP/s
 *                                     (2n^3) and % of the ranks' DGEMM rate.
 *   test_scalapack lapack N T REPEAT  (one rank) interop_inv_lapack on T threads, the same numbers.
 *   test_scalapack stall              (2 ranks or more) rank 0 waits inside BLACS for a message
 *                                     rank 1 never sends, under a 1 s wait limit: the job must end
 *                                     with the library's line and a non-zero status within seconds.
 *
 * Checks, for every grid rows x cols = world size, block sizes 32 and 64, n in {1, 7, NB-1, NB+3,
 * 100, 301}: the generated matrix gathered to rank 0 equals the spec's bit for bit; its inverse
 * equals the lapack backend's (interop_inv_lapack, libinterop_native) to 1e-10 relative, with a
 * residual below 30, the same on every rank; a non-symmetric matrix scattered from rank 0 comes back
 * unchanged and its inverse equals lapack's (a transposed layout anywhere would invert Aᵀ). Then:
 * singular matrices (a zero column, a duplicated row) and a NaN fail at lapack's step with the same
 * status on every rank, without hanging, and leave nothing to gather; a bad argument on one rank, or
 * parameters that differ between ranks, are an error on every rank; calls out of order are refused.
 * Sizes a rank cannot index or a node cannot hold are refused before anything is allocated.
 * libscalapack's blocking MPI calls are pointed at the library's bounded ones (and a wait inside
 * BLACS for a rank that never sends ends the job: the `stall` mode, run by run-mpi-tests.sh).
 * And the library's pilaenv_ (PBLAS's blocking factor) is the one ScaLAPACK calls, and answers the
 * block size of the plan that ran last.
 */
#define _GNU_SOURCE /* dladdr */
#include "interop.h"
#include "interop_mpi.h"
#include "interop_scalapack.h"

#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

static int rank_, size_;
static int passed_, failed_;

/* Records one check: it fails if `detail` is non-empty on any rank; rank 0 prints the lowest
 * failing rank's detail. */
static void report(const char *name, const char *detail)
{
    int mine = detail[0] != '\0' ? rank_ : size_, first = size_;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size_) {
        ++passed_;
        if (rank_ == 0)
            printf("ok %s\n", name);
        return;
    }
    char text[512];
    if (rank_ == first)
        snprintf(text, sizeof text, "%s", detail);
    MPI_Bcast(text, sizeof text, MPI_CHAR, first, MPI_COMM_WORLD);
    ++failed_;
    if (rank_ == 0)
        printf("FAIL %s: rank %d: %s\n", name, first, text);
    fflush(stdout);
}

/* snprintf into a check's detail, once (the first problem is the one reported). */
static void note(char *detail, const char *format, ...)
{
    if (detail[0] != '\0')
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(detail, 512, format, args);
    va_end(args);
}

/* The spec's matrix, row-major (the same formula as SpecMatrix and the library). */
static uint64_t mix(uint64_t s, uint64_t k)
{
    uint64_t z = s + (k + 1) * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double unit(uint64_t seed, int64_t k)
{
    return (double)(mix(seed, (uint64_t)k) >> 11) * 0x1p-53;
}

static double *spec_matrix(int n, uint64_t seed)
{
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[i * n + j] = unit(seed, i * n + j) * unit(seed, j * n + i);
    return a;
}

/* A non-symmetric, well-conditioned matrix: R + n I (R's entries in [0, 1)). */
static double *nonsymmetric_matrix(int n, uint64_t seed)
{
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[i * n + j] = unit(seed, i * n + j) + (i == j ? n : 0.0);
    return a;
}

static double *copy_of(const double *a, int n)
{
    double *c = malloc(sizeof(double) * (size_t)n * (size_t)n);
    memcpy(c, a, sizeof(double) * (size_t)n * (size_t)n);
    return c;
}

/* max |x - y| / max |y|. */
static double relative_difference(const double *x, const double *y, int n)
{
    double diff = 0.0, scale = 0.0;
    for (int64_t k = 0; k < (int64_t)n * n; ++k) {
        double d = fabs(x[k] - y[k]);
        if (d > diff || isnan(d))
            diff = d;
        if (fabs(y[k]) > scale)
            scale = fabs(y[k]);
    }
    return diff / scale;
}

/* 1 if every rank holds the same value. */
static int same_everywhere(double value)
{
    double low = 0.0, high = 0.0;
    MPI_Allreduce(&value, &low, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&value, &high, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return low == high || (isnan(low) && isnan(high));
}

/* Inverts rank 0's row-major `a` with the plan (scattered when scatter is set, else generated from
 * seed), checks the inverse against lapack's, the residual, and agreement across ranks. */
static void check_inverse(char *detail, int n, int rows, int cols, int nb, const double *a, int scatter,
                          uint64_t seed)
{
    interop_scalapack_plan *plan = NULL;
    int32_t status = interop_scalapack_create(n, rows, cols, nb, 1, &plan);
    if (status != 0) {
        note(detail, "create: status %d", status);
        return;
    }
    double *x = rank_ == 0 ? malloc(sizeof(double) * (size_t)n * (size_t)n) : NULL;
    status = scatter ? interop_scalapack_scatter(plan, rank_ == 0 ? a : NULL)
                     : interop_scalapack_generate(plan, seed);
    if (status != 0)
        note(detail, "%s: status %d", scatter ? "scatter" : "generate", status);
    /* Before inversion the plan holds A: it must come back exactly. */
    if (status == 0 && (status = interop_scalapack_gather(plan, x)) != 0)
        note(detail, "gather A: status %d", status);
    if (status == 0 && rank_ == 0 && memcmp(x, a, sizeof(double) * (size_t)n * (size_t)n) != 0)
        note(detail, "A gathered differs from A %s", scatter ? "scattered" : "of the spec");
    double seconds = -1.0, residual = NAN;
    if (status == 0 && (status = interop_scalapack_invert(plan, &seconds)) != 0)
        note(detail, "invert: status %d", status);
    if (status == 0 && (status = interop_scalapack_residual(plan, &residual)) != 0)
        note(detail, "residual: status %d", status);
    if (status == 0 && (status = interop_scalapack_gather(plan, x)) != 0)
        note(detail, "gather X: status %d", status);
    if (status == 0) {
        if (!(residual < 30.0))
            note(detail, "residual %.3g is not below 30", residual);
        if (!same_everywhere(residual) || !same_everywhere(seconds))
            note(detail, "the ranks got different residuals or times");
        if (!(seconds >= 0.0))
            note(detail, "time %g", seconds);
    }
    if (status == 0 && rank_ == 0) {
        double *reference = copy_of(a, n);
        int32_t lapack = interop_inv_lapack(n, reference, 1);
        double lapack_residual = 0.0;
        interop_inv_residual(n, a, x, 1, &lapack_residual);
        double difference = relative_difference(x, reference, n);
        if (lapack != 0)
            note(detail, "lapack failed with %d", lapack);
        else if (!(difference <= 1e-10))
            note(detail, "max|X - X_lapack| / max|X_lapack| = %.3g > 1e-10", difference);
        /* ||I - A X|| is mostly the rounding error of the product itself: pdgemm's order of the
         * sums gives up to about 2x less or more than dgemm's. A wrong formula (a norm, a factor n,
         * a misplaced identity) would be off by far more. */
        else if (fmax(lapack_residual, residual) > 4.0 * fmin(lapack_residual, residual) + 1e-3)
            note(detail, "residual %.6g, interop_inv_residual of the same X: %.6g", residual,
                 lapack_residual);
        free(reference);
    }
    interop_scalapack_destroy(plan);
    free(x);
}

static void check_grid(int rows, int cols)
{
    const int blocks[2] = {32, 64};
    for (int b = 0; b < 2; ++b) {
        int nb = blocks[b];
        const int sizes[6] = {1, 7, nb - 1, nb + 3, 100, 301};
        for (int s = 0; s < 6; ++s) {
            int n = sizes[s];
            char name[128], detail[512] = "";
            uint64_t seed = 42 + (uint64_t)n;
            double *a = rank_ == 0 ? spec_matrix(n, seed) : NULL;
            snprintf(name, sizeof name, "generated inverse = lapack's, grid %dx%d, NB %d, n %d", rows, cols,
                     nb, n);
            check_inverse(detail, n, rows, cols, nb, a, 0, seed);
            report(name, detail);
            free(a);
            detail[0] = '\0';
            a = rank_ == 0 ? nonsymmetric_matrix(n, seed) : NULL;
            snprintf(name, sizeof name, "scattered non-symmetric inverse = lapack's, grid %dx%d, NB %d, n %d",
                     rows, cols, nb, n);
            check_inverse(detail, n, rows, cols, nb, a, 1, seed);
            report(name, detail);
            free(a);
        }
    }
}

/* A failing inversion: the status equals lapack's on every rank, and nothing can be gathered. */
static void check_failure(const char *what, int n, int rows, int cols, int nb, double *a)
{
    char name[160], detail[512] = "";
    snprintf(name, sizeof name, "%s fails at lapack's step on every rank, grid %dx%d, NB %d, n %d", what,
             rows, cols, nb, n);
    int32_t expected = 0;
    if (rank_ == 0) {
        double *reference = copy_of(a, n);
        expected = interop_inv_lapack(n, reference, 1);
        free(reference);
    }
    MPI_Bcast(&expected, 1, MPI_INT32_T, 0, MPI_COMM_WORLD);
    interop_scalapack_plan *plan = NULL;
    int32_t status = interop_scalapack_create(n, rows, cols, nb, 1, &plan);
    if (status == 0)
        status = interop_scalapack_scatter(plan, a);
    if (status == 0)
        status = interop_scalapack_invert(plan, NULL);
    if (expected <= 0)
        note(detail, "lapack did not fail (%d): a bad test matrix", expected);
    else if ((expected & INTEROP_STATUS_NONFINITE) == 0 && status != expected)
        note(detail, "status %d, lapack's %d", status, expected);
    /* A NaN spreads from its row once that row is eliminated: where it first reaches a pivot
     * depends on which pivot the search picks beside the NaN (idamax skips NaN, OpenBLAS's may not;
     * pdgetrf's search across process rows is ScaLAPACK's own). Never before lapack's step. */
    else if ((expected & INTEROP_STATUS_NONFINITE) != 0 &&
             ((status & INTEROP_STATUS_NONFINITE) == 0 || status < expected))
        note(detail, "status %#x, lapack's %#x: expected the NONFINITE flag at step >= %d", status, expected,
             expected & ~INTEROP_STATUS_NONFINITE);
    if (!same_everywhere(status))
        note(detail, "the ranks got different statuses");
    double *x = rank_ == 0 ? malloc(sizeof(double) * (size_t)n * (size_t)n) : NULL;
    int32_t gather = plan != NULL ? interop_scalapack_gather(plan, x) : INTEROP_SCALAPACK_ERR_ORDER;
    if (gather != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "gather after the failure: status %d, expected ORDER", gather);
    double residual = 0.0;
    int32_t check = plan != NULL ? interop_scalapack_residual(plan, &residual) : INTEROP_SCALAPACK_ERR_ORDER;
    if (check != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "residual after the failure: status %d, expected ORDER", check);
    interop_scalapack_destroy(plan);
    free(x);
    report(name, detail);
}

static void check_failures(int rows, int cols)
{
    const int n = 40, nb = 8;
    double *a = NULL;
    /* A zero column k fails at step k (columns on different process columns). */
    const int columns[2] = {5, 27};
    for (int c = 0; c < 2; ++c) {
        if (rank_ == 0) {
            a = nonsymmetric_matrix(n, 7);
            for (int i = 0; i < n; ++i)
                a[i * n + columns[c] - 1] = 0.0;
        }
        char what[64];
        snprintf(what, sizeof what, "zero column %d", columns[c]);
        check_failure(what, n, rows, cols, nb, a);
        free(a);
    }
    /* A duplicated row (of the spec's matrix, so that no pivot is dominant). */
    if (rank_ == 0) {
        a = spec_matrix(n, 11);
        memcpy(a + 30 * n, a + 9 * n, sizeof(double) * n);
    }
    check_failure("duplicated row", n, rows, cols, nb, a);
    free(a);
    /* A NaN: the NONFINITE flag over the step. */
    if (rank_ == 0) {
        a = nonsymmetric_matrix(n, 13);
        a[17 * n + 17] = NAN;
    }
    check_failure("a NaN", n, rows, cols, nb, a);
    free(a);
}

/* Creates a plan (and destroys it): a note in `detail` unless the status is `expected` and a plan
 * came back exactly when the status is 0. */
static void expect_create(int64_t n, int32_t rows, int32_t cols, int32_t block, int32_t threads,
                          int32_t expected, char *detail)
{
    interop_scalapack_plan *plan = NULL;
    int32_t status = interop_scalapack_create(n, rows, cols, block, threads, &plan);
    if (status != expected)
        note(detail, "status %d", status);
    if ((status == 0) != (plan != NULL))
        note(detail, "plan %p with status %d", (void *)plan, status);
    interop_scalapack_destroy(plan);
}

/* One rank's bad argument (or differing parameters) is the same error on every rank. */
static void check_agreement(int rows, int cols)
{
    const int last = size_ - 1;
    struct {
        const char *name;
        int64_t n;
        int32_t rows, cols, nb, threads;
        int32_t expected;
    } cases[] = {
        {"n = 0 on the last rank", rank_ == last ? 0 : 50, rows, cols, 16, 1, -1},
        {"block 0 on the last rank", 50, rows, cols, rank_ == last ? 0 : 16, 1, -4},
        {"threads 0 on the last rank", 50, rows, cols, 16, rank_ == last ? 0 : 1, -5},
        {"n 50 against 51 on the last rank", rank_ == last ? 51 : 50, rows, cols, 16, 1,
         size_ > 1 ? INTEROP_SCALAPACK_ERR_MISMATCH : 0},
        {"a grid of one rank too many", 50, rows, cols + 1, 16, 1, INTEROP_SCALAPACK_ERR_GRID},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        char name[160], detail[512] = "";
        snprintf(name, sizeof name, "create with %s: status %d on every rank, grid %dx%d", cases[c].name,
                 cases[c].expected, rows, cols);
        expect_create(cases[c].n, cases[c].rows, cases[c].cols, cases[c].nb, cases[c].threads,
                      cases[c].expected, detail);
        report(name, detail);
    }

    char name[160], detail[512] = "";
    interop_scalapack_plan *plan = NULL;
    int32_t status = interop_scalapack_create(50, rows, cols, 16, 1, &plan);
    snprintf(name, sizeof name,
             "calls out of order, bad pointers and seeds are refused everywhere, grid %dx%d", rows, cols);
    if (status != 0)
        note(detail, "create: %d", status);
    /* What a new plan holds: one local matrix, two residual panels and ScaLAPACK's workspace. */
    int64_t rows_here = 0, cols_here = 0, bytes = 0, bytes_max = 0;
    if ((status = interop_scalapack_layout(plan, &rows_here, &cols_here, &bytes, &bytes_max)) != 0)
        note(detail, "layout: %d", status);
    double value = 0.0;
    if ((status = interop_scalapack_invert(plan, NULL)) != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "invert before a matrix: %d", status);
    if ((status = interop_scalapack_gather(plan, &value)) != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "gather before a matrix: %d", status);
    if ((status = interop_scalapack_scatter(plan, NULL)) != -2)
        note(detail, "scatter of NULL on rank 0: %d", status);
    if ((status = interop_scalapack_generate(rank_ == last ? NULL : plan, 1)) != -1)
        note(detail, "generate with NULL plan on the last rank: %d", status);
    int32_t expected = size_ > 1 ? INTEROP_SCALAPACK_ERR_MISMATCH : 0;
    if ((status = interop_scalapack_generate(plan, rank_ == last ? UINT64_C(0x100000001) : 1)) != expected)
        note(detail, "generate with another seed on the last rank: %d, expected %d", status, expected);
    /* Rank 0 scatters while the others generate: different calls, one error, no hang. */
    double *a = rank_ == 0 ? spec_matrix(50, 3) : NULL;
    status = rank_ == 0 ? interop_scalapack_scatter(plan, a) : interop_scalapack_generate(plan, 3);
    if (status != expected)
        note(detail, "scatter on rank 0, generate elsewhere: %d, expected %d", status, expected);
    free(a);
    if ((status = interop_scalapack_generate(plan, 3)) != 0)
        note(detail, "generate: %d", status);
    if ((status = interop_scalapack_residual(plan, &value)) != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "residual before invert: %d", status);
    if ((status = interop_scalapack_invert(plan, NULL)) != 0)
        note(detail, "invert: %d", status);
    if ((status = interop_scalapack_invert(plan, NULL)) != INTEROP_SCALAPACK_ERR_ORDER)
        note(detail, "invert twice: %d", status);
    if ((status = interop_scalapack_residual(plan, NULL)) != -2)
        note(detail, "residual into NULL: %d", status);
    double matrix_bytes = 8.0 * (double)rows_here * (double)cols_here;
    if (!((double)bytes >= matrix_bytes && bytes <= bytes_max && (double)bytes <= 2 * matrix_bytes + 65536))
        note(detail, "layout: %lld x %lld elements, %lld bytes here, %lld at most", (long long)rows_here,
             (long long)cols_here, (long long)bytes, (long long)bytes_max);
    int64_t total = 0, elements = rows_here * cols_here;
    MPI_Allreduce(&elements, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (total != 50 * 50)
        note(detail, "the local parts hold %lld elements in all, not 2500", (long long)total);
    /* A scattered matrix adds its copy, kept for the residual, once (the first scatter may have
     * been the one above, with one rank). */
    a = rank_ == 0 ? spec_matrix(50, 3) : NULL;
    for (int twice = 0; twice < 2; ++twice)
        if ((status = interop_scalapack_scatter(plan, a)) != 0)
            note(detail, "scatter: %d", status);
    free(a);
    int64_t bytes_scattered = 0;
    interop_scalapack_layout(plan, NULL, NULL, &bytes_scattered, NULL);
    if ((double)(bytes_scattered - bytes) != (elements > 0 ? matrix_bytes : 8.0))
        note(detail, "layout: %lld bytes before scatter, %lld after, the local matrix is %.0f",
             (long long)bytes, (long long)bytes_scattered, matrix_bytes);
    interop_scalapack_destroy(plan);
    report(name, detail);
}

static void check_grid_shape(void)
{
    char detail[512] = "";
    const int32_t expected[][3] = {{1, 1, 1}, {2, 2, 1}, {3, 3, 1},  {4, 2, 2},
                                   {6, 3, 2}, {7, 7, 1}, {12, 4, 3}, {16, 4, 4}};
    for (size_t c = 0; c < sizeof expected / sizeof expected[0]; ++c) {
        int32_t rows = 0, cols = 0;
        int32_t status = interop_scalapack_grid_shape(expected[c][0], &rows, &cols);
        if (status != 0 || rows != expected[c][1] || cols != expected[c][2])
            note(detail, "%d ranks: %d x %d (status %d), expected %d x %d", expected[c][0], rows, cols,
                 status, expected[c][1], expected[c][2]);
    }
    int32_t rows = 0;
    if (interop_scalapack_grid_shape(0, &rows, &rows) != -1 ||
        interop_scalapack_grid_shape(2, NULL, &rows) != -2)
        note(detail, "bad arguments accepted");
    if (interop_scalapack_abi_version() != INTEROP_SCALAPACK_ABI_VERSION)
        note(detail, "ABI version %d, header %d", interop_scalapack_abi_version(),
             INTEROP_SCALAPACK_ABI_VERSION);
    report("grid_shape is MPI_Dims_create's nearly square rows >= cols; ABI version", detail);
}

/* Sizes past what a rank can index or its node can hold are refused by create on every rank, before
 * anything is allocated: TOO_LARGE for a local matrix of 2^31 elements or more (n = 100000 on up to
 * 4 ranks), NO_MEMORY past INTEROP_MEMORY_LIMIT (set on the last rank only: agreed everywhere),
 * ENVIRONMENT for a limit that is not a size. */
static void check_sizes(void)
{
    const int last = size_ - 1;
    struct {
        const char *name;
        int64_t n;
        const char *limit; /* INTEROP_MEMORY_LIMIT on the last rank, or NULL */
        int32_t expected;
    } cases[] = {
        {"n = 100000 on at most 4 ranks: TOO_LARGE", 100000, NULL, INTEROP_SCALAPACK_ERR_TOO_LARGE},
        {"n = 4000 under a 1M limit on the last rank: NO_MEMORY", 4000, "1M", INTEROP_SCALAPACK_NO_MEMORY},
        {"n = 50 under a 1M limit: fits", 50, "1m", 0},
        {"n = 4000 under a 1.5G limit: fits", 4000, "1.5G", 0},
        {"a limit that is not a size: ENVIRONMENT", 50, "lots", INTEROP_SCALAPACK_ERR_ENVIRONMENT},
        {"a limit with trailing text: ENVIRONMENT", 50, "1Gb", INTEROP_SCALAPACK_ERR_ENVIRONMENT},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        char name[160], detail[512] = "";
        snprintf(name, sizeof name, "create with %s, on every rank", cases[c].name);
        if (cases[c].limit != NULL && rank_ == last)
            setenv(INTEROP_SCALAPACK_MEMORY_LIMIT_VARIABLE, cases[c].limit, 1);
        expect_create(cases[c].n, size_, 1, 128, 1, cases[c].expected, detail);
        unsetenv(INTEROP_SCALAPACK_MEMORY_LIMIT_VARIABLE);
        report(name, detail);
    }
}

/* Where libscalapack's own entry for `name` (a PLT slot or GOT entry) points: the file of the
 * function it holds, read through libscalapack's dynamic section (as the library writes it). */
struct slot_query {
    const char *name;
    const char *library; /* out: the file, NULL when no entry was found */
};

static int find_slot(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct slot_query *query = data;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, "/libscalapack") == NULL)
        return 0;
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; ++i)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    const ElfW(Sym) *symbols = NULL;
    const char *names = NULL;
    const ElfW(Rela) * tables[2] = {NULL, NULL};
    size_t sizes[2] = {0, 0};
    for (const ElfW(Dyn) *d = dynamic; d != NULL && d->d_tag != DT_NULL; ++d) {
        if (d->d_tag == DT_SYMTAB)
            symbols = (const ElfW(Sym) *)d->d_un.d_ptr;
        else if (d->d_tag == DT_STRTAB)
            names = (const char *)d->d_un.d_ptr;
        else if (d->d_tag == DT_JMPREL)
            tables[0] = (const ElfW(Rela) *)d->d_un.d_ptr;
        else if (d->d_tag == DT_PLTRELSZ)
            sizes[0] = d->d_un.d_val;
        else if (d->d_tag == DT_RELA)
            tables[1] = (const ElfW(Rela) *)d->d_un.d_ptr;
        else if (d->d_tag == DT_RELASZ)
            sizes[1] = d->d_un.d_val;
    }
    for (int t = 0; t < 2 && symbols != NULL && names != NULL; ++t)
        for (size_t r = 0; tables[t] != NULL && r < sizes[t] / sizeof(ElfW(Rela)); ++r)
            if (strcmp(names + symbols[ELF64_R_SYM(tables[t][r].r_info)].st_name, query->name) == 0) {
                void *target = *(void **)(info->dlpi_addr + tables[t][r].r_offset);
                Dl_info where;
                query->library = dladdr(target, &where) != 0 ? where.dli_fname : "(nowhere)";
                return 1;
            }
    return 1;
}

/* After interop_scalapack_bound_mpi_calls, libscalapack's entries for the blocking MPI calls point
 * into libinterop_scalapack (its bounded versions), not libmpi. */
static void check_bounded_calls(void)
{
    static const char *const names[] = {"MPI_Send",     "MPI_Rsend",   "MPI_Recv",
                                        "MPI_Sendrecv", "MPI_Waitall", "MPI_Barrier",
                                        "MPI_Bcast",    "MPI_Reduce",  "MPI_Allreduce"};
    char detail[512] = "";
    int bound = interop_scalapack_bound_mpi_calls(), again = interop_scalapack_bound_mpi_calls();
    if (bound < (int)(sizeof names / sizeof names[0]) || again != bound)
        note(detail, "interop_scalapack_bound_mpi_calls: %d, then %d; expected at least %d, twice the same",
             bound, again, (int)(sizeof names / sizeof names[0]));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        struct slot_query query = {names[i], NULL};
        dl_iterate_phdr(find_slot, &query);
        if (query.library == NULL)
            note(detail, "libscalapack has no entry for %s", names[i]);
        else if (strstr(query.library, "libinterop_scalapack") == NULL)
            note(detail, "libscalapack's %s goes to %s", names[i], query.library);
    }
    if (interop_scalapack_set_wait_limit(0.0) != -1 || interop_scalapack_set_wait_limit(NAN) != -1 ||
        interop_scalapack_set_wait_limit(INTEROP_MPI_DEFAULT_WAIT_LIMIT) != 0)
        note(detail, "set_wait_limit accepts a bad limit or refuses the default");
    report("libscalapack's blocking MPI calls go to the library's bounded ones", detail);
}

/* ScaLAPACK's pilaenv_ must be the library's (not ScaLAPACK's constant 32), found first by the
 * process's symbol search, and must answer the block size of the plan that ran last. */
static void check_pblas_block(void)
{
    char detail[512] = "";
    /* dlsym's object pointer read as a function pointer through a union (ISO C has no cast). */
    union {
        void *object;
        int (*function)(const int *, const char *);
    } symbol = {dlsym(RTLD_DEFAULT, "pilaenv_")};
    int (*pilaenv)(const int *, const char *) = symbol.function;
    Dl_info where;
    if (symbol.object == NULL || dladdr(symbol.object, &where) == 0 || where.dli_fname == NULL)
        note(detail, "pilaenv_ not found");
    else if (strstr(where.dli_fname, "libinterop_scalapack") == NULL)
        note(detail, "pilaenv_ is %s's, not libinterop_scalapack's", where.dli_fname);
    interop_scalapack_plan *plan = NULL;
    const int block = 48, context = 0;
    if (detail[0] == '\0' &&
        (interop_scalapack_create(100, size_, 1, block, 1, &plan) != 0 ||
         interop_scalapack_generate(plan, 7) != 0 || interop_scalapack_invert(plan, NULL) != 0))
        note(detail, "inversion of n = 100 failed");
    else if (detail[0] == '\0' && pilaenv(&context, "D") != block)
        note(detail, "pilaenv_ answers %d after a plan of block %d", pilaenv(&context, "D"), block);
    interop_scalapack_destroy(plan);
    report("PBLAS's blocking factor (pilaenv_) is the library's, the plan's block size", detail);
}

static int check(void)
{
    check_grid_shape();
    check_pblas_block();
    check_bounded_calls();
    check_sizes();
    for (int rows = 1; rows <= size_; ++rows) {
        if (size_ % rows != 0)
            continue;
        check_grid(rows, size_ / rows);
        check_failures(rows, size_ / rows);
        check_agreement(rows, size_ / rows);
    }
    if (rank_ == 0)
        printf("%d passed, %d failed\n", passed_, failed_);
    return failed_ == 0 ? 0 : 1;
}

static int compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof(double), compare_doubles);
    return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

/* DGEMM rate of every rank at once (each on one thread), the yardstick of "% of peak" per rank. */
static double slowest_dgemm_rate(int threads)
{
    double rate = 0.0, slowest = 0.0;
    interop_dgemm_gflops(2000, threads, &rate);
    MPI_Allreduce(&rate, &slowest, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    return slowest;
}

static int bench(int n, int nb, int repeat)
{
    int32_t rows = 0, cols = 0;
    interop_scalapack_grid_shape(size_, &rows, &cols);
    interop_scalapack_plan *plan = NULL;
    int32_t status = interop_scalapack_create(n, rows, cols, nb, 1, &plan);
    double *times = malloc(sizeof(double) * (size_t)repeat), residual = NAN;
    for (int r = 0; r < repeat && status == 0; ++r) {
        status = interop_scalapack_generate(plan, 42);
        if (status == 0)
            status = interop_scalapack_invert(plan, &times[r]);
    }
    if (status == 0)
        status = interop_scalapack_residual(plan, &residual);
    int64_t bytes_max = 0;
    interop_scalapack_layout(plan, NULL, NULL, NULL, &bytes_max);
    interop_scalapack_destroy(plan);
    if (status != 0) {
        if (rank_ == 0)
            fprintf(stderr, "scalapack bench: status %d\n", status);
        return 1;
    }
    double peak = slowest_dgemm_rate(1);
    if (rank_ == 0) {
        double m = median(times, repeat), gflops = 2.0 * n * (double)n * n / m / 1e9;
        printf(
            "scalapack: ranks=%d grid=%dx%d nb=%d threads/rank=1 n=%d median %.4f s (min %.4f, max %.4f) "
            "%.2f GFLOP/s, %.2f GFLOP/s per rank = %.0f%% of one rank's DGEMM (%.2f GFLOP/s); residual %.3g; "
            "%.1f MB per rank (8n^2/P = %.1f MB)\n",
            size_, rows, cols, nb, n, m, times[0], times[repeat - 1], gflops, gflops / size_,
            100.0 * gflops / size_ / peak, peak, residual, (double)bytes_max / 1e6,
            8.0 * n * n / size_ / 1e6);
    }
    free(times);
    return 0;
}

static int bench_lapack(int n, int threads, int repeat)
{
    double *times = malloc(sizeof(double) * (size_t)repeat);
    for (int r = 0; r < repeat; ++r) {
        double *a = spec_matrix(n, 42);
        double start = MPI_Wtime();
        int32_t status = interop_inv_lapack(n, a, threads);
        times[r] = MPI_Wtime() - start;
        free(a);
        if (status != 0) {
            fprintf(stderr, "lapack bench: status %d\n", status);
            return 1;
        }
    }
    double peak = slowest_dgemm_rate(threads);
    double m = median(times, repeat), gflops = 2.0 * n * (double)n * n / m / 1e9;
    printf("lapack: threads=%d n=%d median %.4f s (min %.4f, max %.4f) %.2f GFLOP/s = %.0f%% of DGEMM on %d "
           "threads (%.2f GFLOP/s)\n",
           threads, n, m, times[0], times[repeat - 1], gflops, 100.0 * gflops / peak, threads, peak);
    free(times);
    return 0;
}

/* BLACS's C interface, for stall(). */
extern int Csys2blacs_handle(MPI_Comm comm);
extern void Cblacs_gridinit(int *context, const char *order, int rows, int cols);
extern void Cdgerv2d(int context, int m, int n, double *a, int lda, int source_row, int source_col);

/* Rank 0 waits inside BLACS (a point-to-point receive) for a matrix from process (0, 1), which
 * sleeps instead of sending it: under a 1 s limit the library's bounded wait must end the job. Not
 * a check that returns: run-mpi-tests.sh expects the abort, its line and a non-zero status. */
static int stall(void)
{
    if (size_ < 2) {
        fprintf(stderr, "stall needs 2 ranks or more\n");
        return 2;
    }
    interop_scalapack_set_wait_limit(1.0);
    interop_scalapack_bound_mpi_calls(); /* as create does */
    int context = Csys2blacs_handle(MPI_COMM_WORLD);
    Cblacs_gridinit(&context, "R", 1, size_);
    double a[4] = {0};
    if (rank_ == 0)
        Cdgerv2d(context, 2, 2, a, 2, 0, 1);
    else
        sleep(60);
    fprintf(stderr, "stall: rank %d came back (the wait was not bounded)\n", rank_);
    return 1;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    int result = 2;
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        result = check();
    else if (argc == 5 && strcmp(argv[1], "bench") == 0)
        result = bench(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    else if (argc == 5 && strcmp(argv[1], "lapack") == 0 && size_ == 1)
        result = bench_lapack(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    else if (argc == 2 && strcmp(argv[1], "stall") == 0)
        result = stall();
    else if (rank_ == 0)
        fprintf(
            stderr,
            "usage: test_scalapack check | bench N NB REPEAT | lapack N THREADS REPEAT (one rank) | stall\n");
    /* MPI is still usable after every plan is destroyed: the library never finalizes it. */
    int usable = 0;
    MPI_Initialized(&usable);
    if (!usable && result == 0)
        result = 1;
    MPI_Finalize();
    return result;
}
