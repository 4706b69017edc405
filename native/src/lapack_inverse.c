/* "Just call the library": the lapack backend of `interop inv` (dgetrf + dgetri from the system's
 * OpenBLAS), the scaled-residual check every inverse must pass (in full with OpenBLAS's dgemm, or
 * estimated in O(n^2) per step with LAPACK's 1-norm estimator dlacn2), and a description of the OpenBLAS in use. The Fortran LAPACK symbols are called directly on the
 * caller's buffer, no copies: LAPACK is column-major, so the row-major A is transposed in place
 * before dgetrf (which then pivots the rows of A itself, not of Aᵀ: see interop.h) and the inverse
 * back after dgetri, O(n^2) each. */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "dense.h"
#include "equilibrate.h"
#include "interop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* OpenBLAS's own exports and the LAPACK/BLAS Fortran symbols (LP64: 32-bit integers). Declared
 * here because Debian's cblas.h may come from another BLAS than the library linked. */
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern int openblas_get_parallel(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
extern void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork,
                    int *info);
extern void dgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
                   const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
                   const double *beta, double *c, const int *ldc);
extern void dgemv_(const char *trans, const int *m, const int *n, const double *alpha, const double *a,
                   const int *lda, const double *x, const int *incx, const double *beta, double *y,
                   const int *incy);
extern void dlacn2_(const int *n, double *v, double *x, int *isgn, double *est, int *kase, int *isave);

/* a := aᵀ in place on `threads` OpenMP threads. */
static void transpose(int64_t n, double *a, int32_t threads)
{
#pragma omp parallel num_threads(threads)
    interop_transpose_in_place(n, a);
}

INTEROP_EXPORT int32_t interop_inv_lapack(int64_t n, double *a, int32_t threads)
{
    if (n < 1 || n > 46340) /* n*n must fit LAPACK's 32-bit integers */
        return -1;
    if (a == NULL)
        return -2;
    if (threads < 1)
        return -3;
    int ni = (int)n, info = 0;
    int *ipiv = malloc(sizeof(int) * (size_t)n);
    double *scales = malloc(sizeof(double) * 2 * (size_t)n);
    if (ipiv == NULL || scales == NULL) {
        free(ipiv);
        free(scales);
        return INTEROP_STATUS_NO_MEMORY;
    }
    /* dgetrf and dgetri run on B = diag(r) A diag(c), equilibrated by powers of two as the other
     * kernels do (equilibrate.h), and the pivots are judged on B. */
    int scaled = 0;
    double threshold = interop_equilibrate(n, a, scales, &scaled);
    transpose(n, a, threads);
    openblas_set_num_threads(threads);
    dgetrf_(&ni, &ni, a, &ni, ipiv, &info);
    /* dgetrf reports exact zeros only (and goes on): apply the same rules as the other kernels,
     * non-finite or numerically singular pivots, to U's diagonal in step order. */
    for (int64_t j = 0; j < n; ++j) {
        double pivot = a[j + j * n];
        if (!(fabs(pivot) > threshold) || !isfinite(pivot)) {
            free(ipiv);
            free(scales);
            return interop_pivot_failure(pivot, j + 1);
        }
    }
    double query = 0.0;
    int lwork = -1;
    dgetri_(&ni, a, &ni, ipiv, &query, &lwork, &info);
    lwork = (int)query;
    double *work = malloc(sizeof(double) * (size_t)(lwork > 1 ? lwork : 1));
    if (work == NULL) {
        free(ipiv);
        free(scales);
        return INTEROP_STATUS_NO_MEMORY;
    }
    dgetri_(&ni, a, &ni, ipiv, work, &lwork, &info);
    free(work);
    free(ipiv);
    if (info > 0) {
        free(scales);
        return info;
    }
    transpose(n, a, threads);
    /* inv(A) = diag(c) inv(B) diag(r), exactly. */
    if (scaled)
        interop_unequilibrate(n, a, scales);
    free(scales);
    return 0;
}

/* The arguments both residual functions share: 0, or the negated position of the first bad one. */
static int32_t residual_arguments(int64_t n, const double *a, const double *x, int32_t threads, const double *residual)
{
    if (n < 1 || n > 46340)
        return -1;
    if (a == NULL)
        return -2;
    if (x == NULL)
        return -3;
    if (threads < 1)
        return -4;
    if (residual == NULL)
        return -5;
    return 0;
}

INTEROP_EXPORT int32_t interop_inv_residual(int64_t n, const double *a, const double *x, int32_t threads,
                                            double *residual)
{
    int32_t bad = residual_arguments(n, a, x, threads, residual);
    if (bad != 0)
        return bad;
    double *product = malloc(sizeof(double) * (size_t)n * (size_t)n);
    double *sums = calloc((size_t)n, sizeof(double));
    if (product == NULL || sums == NULL) {
        free(product);
        free(sums);
        return INTEROP_STATUS_NO_MEMORY;
    }
    /* The buffers hold A and X row-major, i.e. Aᵀ and Xᵀ column-major; Xᵀ Aᵀ = (A X)ᵀ. */
    int ni = (int)n;
    const double one = 1.0, zero = 0.0;
    openblas_set_num_threads(threads);
    dgemm_("N", "N", &ni, &ni, &ni, &one, x, &ni, a, &ni, &zero, product, &ni);

    /* ||I - A X||_1 is the largest column sum of I - A X: the largest row sum of (A X)ᵀ. */
    for (int64_t c = 0; c < n; ++c)
        for (int64_t r = 0; r < n; ++r)
            sums[r] += fabs((r == c ? 1.0 : 0.0) - product[r + c * n]);
    double norm_r = interop_max_abs(n, sums);
    /* ||A||_1 and ||X||_1: largest column sums of the row-major matrices. */
    double norms[2];
    const double *m[2] = {a, x};
    for (int which = 0; which < 2; ++which) {
        memset(sums, 0, sizeof(double) * (size_t)n);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                sums[j] += fabs(m[which][i * n + j]);
        norms[which] = interop_max_abs(n, sums);
    }
    free(product);
    free(sums);
    double r = norm_r / ((double)n * 0x1p-52 * norms[0] * norms[1]);
    *residual = isfinite(r) ? r : INFINITY;
    if (norms[0] == 0.0 || norms[1] == 0.0)
        *residual = INFINITY;
    return 0;
}

/* ||M||_1 of the row-major n x n matrix m: its largest column sum (NaN propagates). */
static double norm1_row_major(int64_t n, const double *m, double *sums)
{
    memset(sums, 0, sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            sums[j] += fabs(m[i * n + j]);
    return interop_max_abs(n, sums);
}

INTEROP_EXPORT int32_t interop_inv_residual_estimate(int64_t n, const double *a, const double *x, int32_t threads,
                                                     double *residual, int32_t *products)
{
    int32_t bad = residual_arguments(n, a, x, threads, residual);
    if (bad != 0)
        return bad;
    double *v = malloc(sizeof(double) * (size_t)n);
    double *z = malloc(sizeof(double) * (size_t)n);
    double *w = malloc(sizeof(double) * (size_t)n);
    int *isgn = malloc(sizeof(int) * (size_t)n);
    if (v == NULL || z == NULL || w == NULL || isgn == NULL) {
        free(v);
        free(z);
        free(w);
        free(isgn);
        return INTEROP_STATUS_NO_MEMORY;
    }
    int ni = (int)n, one_i = 1, kase = 0, isave[3] = {0, 0, 0}, steps = 0;
    const double one = 1.0, minus_one = -1.0, zero = 0.0;
    double est = 0.0;
    openblas_set_num_threads(threads);
    /* Higham's estimator (LAPACK dlacn2) by reverse communication: each step asks for z := B z
     * (kase 1) or z := Bᵀ z (kase 2) with B = I - A X. The buffers hold Aᵀ and Xᵀ column-major, so
     * M v is dgemv "T" on M's buffer and Mᵀ v is dgemv "N". */
    for (;;) {
        dlacn2_(&ni, v, z, isgn, &est, &kase, isave);
        if (kase == 0)
            break;
        ++steps;
        if (kase == 1) {
            /* w = X z; z := z - A w */
            dgemv_("T", &ni, &ni, &one, x, &ni, z, &one_i, &zero, w, &one_i);
            dgemv_("T", &ni, &ni, &minus_one, a, &ni, w, &one_i, &one, z, &one_i);
        } else {
            /* w = Aᵀ z; z := z - Xᵀ w */
            dgemv_("N", &ni, &ni, &one, a, &ni, z, &one_i, &zero, w, &one_i);
            dgemv_("N", &ni, &ni, &minus_one, x, &ni, w, &one_i, &one, z, &one_i);
        }
    }
    double norm_a = norm1_row_major(n, a, w);
    double norm_x = norm1_row_major(n, x, w);
    free(v);
    free(z);
    free(w);
    free(isgn);
    double r = est / ((double)n * 0x1p-52 * norm_a * norm_x);
    /* An Inf in A or X (||.||_1 = Inf) would make r = 0: it fails, as NaN does, like the full residual. */
    *residual = isfinite(r) && isfinite(norm_a) && isfinite(norm_x) && norm_a != 0.0 && norm_x != 0.0 ? r : INFINITY;
    if (products != NULL)
        *products = steps;
    return 0;
}

static double monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* C = A B on n x n matrices; the operands' values do not change dgemm's speed, only their size. */
static void dgemm_square(int n, const double *a, const double *b, double *c)
{
    const double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
}

INTEROP_EXPORT int32_t interop_dgemm_gflops(int64_t n, int32_t threads, double *gflops)
{
    if (n < 1 || n > 46340)
        return -1;
    if (threads < 1)
        return -2;
    if (gflops == NULL)
        return -3;
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(sizeof(double) * count);
    double *b = malloc(sizeof(double) * count);
    double *c = malloc(sizeof(double) * count);
    if (a == NULL || b == NULL || c == NULL) {
        free(a);
        free(b);
        free(c);
        return INTEROP_STATUS_NO_MEMORY;
    }
    for (size_t i = 0; i < count; ++i) {
        a[i] = 1.0 + (double)(i % 7) * 0x1p-3;
        b[i] = 1.0 - (double)(i % 5) * 0x1p-4;
    }
    openblas_set_num_threads(threads);
    /* Warm-up: OpenBLAS starts its threads and allocates its buffers on the first call. */
    int warm = n < 512 ? (int)n : 512;
    dgemm_square(warm, a, b, c);
    double start = monotonic_seconds();
    dgemm_square((int)n, a, b, c);
    double seconds = monotonic_seconds() - start;
    free(a);
    free(b);
    free(c);
    *gflops = 2.0 * (double)n * (double)n * (double)n / (seconds > 0 ? seconds : 1e-9) / 1e9;
    return 0;
}

INTEROP_EXPORT int32_t interop_openblas_info(char *buffer, int32_t capacity)
{
    if (buffer == NULL)
        return -1;
    if (capacity < 1)
        return -2;
    static const char *const models[] = {"sequential", "pthreads", "openmp"};
    int parallel = openblas_get_parallel();
    const char *model = parallel >= 0 && parallel <= 2 ? models[parallel] : "unknown";
    int length = snprintf(buffer, (size_t)capacity, "version=%s;core=%s;threading=%s;max_threads=%d",
                          openblas_get_config(), openblas_get_corename(), model, openblas_get_num_threads());
    return length < 0 ? 0 : length;
}
