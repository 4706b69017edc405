/* Dense matrix inversion in C with OpenMP: the c-openmp backend of `interop inv`.
 *
 * The n x n buffer is factored as stored, read column-major (element (i, j) at a[i + j*n]); for the
 * managed side's row-major A that is Aᵀ, and inv(Aᵀ) read back row-major is inv(A), so no transpose
 * is ever needed. Algorithm (the LU family, as LAPACK's dgesv applied to the identity):
 *   1. blocked right-looking LU with partial pivoting, P M = L U (panel, triangular solve, GEMM update);
 *   2. Y = inv(L) by the blocked solve L Y = I, skipping the zero upper triangle of Y (n^3/3 flops);
 *   3. Z = inv(U) Y by the blocked solve U Z = Y; the updates of both solves are GEMMs;
 *   4. inv(M) = Z P (P's column permutation) replaces M. 2n^3 flops in all, as dgetrf + dgetri.
 * The blocking loops (gemm_update) and the register micro-kernel (micro_kernel) are separate pieces,
 * BLIS style: panels of A and B are packed so that the micro-kernel streams contiguous memory. */
#include "dense.h"
#include "interop.h"
#include "isa.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum {
    MR = 16,  /* micro-tile rows: two 8-double vectors */
    NR = 6,   /* micro-tile columns: 12 vector accumulators in registers */
    KC = 256, /* depth of a packed panel: MR x KC of A stays in L1, KC x NR of B streams */
    MC = 96,  /* rows of A packed at once (MC x KC = 192 KiB, in L2) */
    NB = 128  /* block size of the LU and of the triangular solves */
};

#define AT(a, ld, i, j) ((a)[(i) + (int64_t)(j) * (ld)])

/* Eight doubles: one AVX-512 register where the build targets it, split by the compiler otherwise. */
typedef double v8d __attribute__((vector_size(64)));

/* The register micro-kernel: C[MR x NR] -= Ap[MR x kc] * Bp[kc x NR], Ap and Bp packed, 12
 * accumulators held in registers over the whole depth; only the top-left mr x nr of C is stored. */
static void micro_kernel(int64_t kc, const double *restrict ap, const double *restrict bp, double *restrict c,
             int64_t ldc, int64_t mr, int64_t nr)
{
    v8d c00 = {0}, c01 = {0}, c02 = {0}, c03 = {0}, c04 = {0}, c05 = {0};
    v8d c10 = {0}, c11 = {0}, c12 = {0}, c13 = {0}, c14 = {0}, c15 = {0};
    for (int64_t k = 0; k < kc; ++k, ap += MR, bp += NR) {
        v8d a0, a1; /* memcpy: unaligned loads, and no vector-returning helper (its ABI differs by ISA) */
        memcpy(&a0, ap, sizeof a0);
        memcpy(&a1, ap + 8, sizeof a1);
        c00 += a0 * bp[0], c10 += a1 * bp[0];
        c01 += a0 * bp[1], c11 += a1 * bp[1];
        c02 += a0 * bp[2], c12 += a1 * bp[2];
        c03 += a0 * bp[3], c13 += a1 * bp[3];
        c04 += a0 * bp[4], c14 += a1 * bp[4];
        c05 += a0 * bp[5], c15 += a1 * bp[5];
    }
    double acc[NR][MR];
    memcpy(acc[0], &c00, 64), memcpy(acc[0] + 8, &c10, 64);
    memcpy(acc[1], &c01, 64), memcpy(acc[1] + 8, &c11, 64);
    memcpy(acc[2], &c02, 64), memcpy(acc[2] + 8, &c12, 64);
    memcpy(acc[3], &c03, 64), memcpy(acc[3] + 8, &c13, 64);
    memcpy(acc[4], &c04, 64), memcpy(acc[4] + 8, &c14, 64);
    memcpy(acc[5], &c05, 64), memcpy(acc[5] + 8, &c15, 64);
    for (int64_t j = 0; j < nr; ++j)
        for (int64_t i = 0; i < mr; ++i)
            c[i + j * ldc] -= acc[j][i];
}

/* Packs the mc x kc block of A into MR-row slivers (zero-padded), k-major inside a sliver. */
static void pack_a(int64_t mc, int64_t kc, const double *a, int64_t lda, double *restrict out)
{
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
        int64_t mr = mc - i0 < MR ? mc - i0 : MR;
        for (int64_t k = 0; k < kc; ++k) {
            const double *col = &AT(a, lda, i0, k);
            int64_t i = 0;
            for (; i < mr; ++i)
                out[i] = col[i];
            for (; i < MR; ++i)
                out[i] = 0.0;
            out += MR;
        }
    }
}

/* Packs the kc x nc block of B into NR-column slivers (zero-padded), k-major inside a sliver. */
static void pack_b(int64_t kc, int64_t nc, const double *b, int64_t ldb, double *restrict out)
{
    for (int64_t j0 = 0; j0 < nc; j0 += NR) {
        int64_t nr = nc - j0 < NR ? nc - j0 : NR;
        for (int64_t k = 0; k < kc; ++k) {
            int64_t j = 0;
            for (; j < nr; ++j)
                out[j] = AT(b, ldb, k, j0 + j);
            for (; j < NR; ++j)
                out[j] = 0.0;
            out += NR;
        }
    }
}

/* Per-thread packing buffers, allocated once per inversion. */
typedef struct {
    double *a; /* MC x KC */
    double *b; /* KC x (n rounded up to NR) */
} pack_buffers;

/* C[m x n] -= A[m x k] * B[k x n], column-major. Called by every thread of the team: each takes
 * whole NR-wide column slivers of C (remainder spread), so no two threads write the same element. */
static void gemm_update(int64_t m, int64_t n, int64_t k, const double *a, int64_t lda, const double *b,
                        int64_t ldb, double *c, int64_t ldc, pack_buffers *pack)
{
    int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t slivers = (n + NR - 1) / NR;
    int64_t q = slivers / threads, r = slivers % threads;
    int64_t first = t * q + (t < r ? t : r), count = q + (t < r ? 1 : 0);
    int64_t j_begin = first * NR;
    int64_t j_end = (first + count) * NR < n ? (first + count) * NR : n;
    if (m <= 0 || k <= 0 || j_begin >= j_end)
        return;
    int64_t nc = j_end - j_begin;
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
        int64_t kc = k - p0 < KC ? k - p0 : KC;
        pack_b(kc, nc, &AT(b, ldb, p0, j_begin), ldb, pack->b);
        for (int64_t i0 = 0; i0 < m; i0 += MC) {
            int64_t mc = m - i0 < MC ? m - i0 : MC;
            pack_a(mc, kc, &AT(a, lda, i0, p0), lda, pack->a);
            for (int64_t j = 0; j < nc; j += NR) {
                int64_t nr = nc - j < NR ? nc - j : NR;
                for (int64_t i = 0; i < mc; i += MR) {
                    int64_t mr = mc - i < MR ? mc - i : MR;
                    micro_kernel(kc, pack->a + i * kc, pack->b + j * kc, &AT(c, ldc, i0 + i, j_begin + j),
                                 ldc, mr, nr);
                }
            }
        }
    }
}

/* Unblocked LU with partial pivoting of the panel M[k0:n, k0:k0+kb]; row swaps are applied inside
 * the panel only (the other columns get them from swap_rows_in_column, in parallel) and recorded in
 * ipiv. Returns 0, or the 1-based step of a failing pivot. */
static int32_t panel_lu(int64_t n, double *a, int64_t k0, int64_t kb, int64_t *ipiv, double threshold)
{
    for (int64_t j = k0; j < k0 + kb; ++j) {
        double *col = &AT(a, n, 0, j);
        int64_t p = j;
        double best = fabs(col[j]);
        for (int64_t i = j + 1; i < n; ++i)
            if (fabs(col[i]) > best) {
                best = fabs(col[i]);
                p = i;
            }
        if (!(best > threshold)) /* also catches NaN */
            return (int32_t)(j + 1);
        ipiv[j] = p;
        if (p != j)
            for (int64_t c = k0; c < k0 + kb; ++c) {
                double tmp = AT(a, n, j, c);
                AT(a, n, j, c) = AT(a, n, p, c);
                AT(a, n, p, c) = tmp;
            }
        double inv = 1.0 / col[j];
        for (int64_t i = j + 1; i < n; ++i)
            col[i] *= inv;
        /* Rank-1 update of the rest of the panel: contiguous column axpys. */
        for (int64_t c = j + 1; c < k0 + kb; ++c) {
            double *target = &AT(a, n, 0, c);
            double u = target[j];
            for (int64_t i = j + 1; i < n; ++i)
                target[i] -= col[i] * u;
        }
    }
    return 0;
}

/* The row interchanges of steps k0..k0+kb-1, applied in order within column c (LAPACK's dlaswp,
 * one contiguous column at a time, so that columns can be swapped in parallel). */
static void swap_rows_in_column(int64_t n, double *a, const int64_t *ipiv, int64_t k0, int64_t kb, int64_t c)
{
    double *col = &AT(a, n, 0, c);
    for (int64_t j = k0; j < k0 + kb; ++j) {
        double tmp = col[j];
        col[j] = col[ipiv[j]];
        col[ipiv[j]] = tmp;
    }
}

/* Column c of B[k0:k0+kb, :] := inv(unit lower L[k0:k0+kb, k0:k0+kb]) * itself. */
static void solve_unit_lower_column(int64_t n, const double *l, int64_t k0, int64_t kb, double *b,
                                    int64_t ldb, int64_t c)
{
    double *x = &AT(b, ldb, 0, c);
    for (int64_t k = k0; k < k0 + kb; ++k) {
        double xk = x[k];
        const double *lk = &AT(l, n, 0, k);
        for (int64_t i = k + 1; i < k0 + kb; ++i)
            x[i] -= lk[i] * xk;
    }
}

/* Column c of B[k0:k0+kb, :] := inv(upper U[k0:k0+kb, k0:k0+kb]) * itself. */
static void solve_upper_column(int64_t n, const double *u, int64_t k0, int64_t kb, double *b, int64_t ldb,
                               int64_t c)
{
    double *x = &AT(b, ldb, 0, c);
    for (int64_t k = k0 + kb - 1; k >= k0; --k) {
        const double *uk = &AT(u, n, 0, k);
        double xk = x[k] / uk[k];
        x[k] = xk;
        for (int64_t i = k0; i < k; ++i)
            x[i] -= uk[i] * xk;
    }
}

INTEROP_INTERNAL int32_t INTEROP_ISA_NAME(interop_inv_c)(int64_t n, double *a, int32_t threads)
{
    if (n < 1)
        return -1;
    if (a == NULL)
        return -2;
    if (threads < 1)
        return -3;

    int64_t *ipiv = malloc(sizeof(int64_t) * (size_t)n);
    int64_t *perm = malloc(sizeof(int64_t) * (size_t)n);
    double *x = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (ipiv == NULL || perm == NULL || x == NULL) {
        free(ipiv);
        free(perm);
        free(x);
        return INTEROP_STATUS_NO_MEMORY;
    }
    /* A pivot at or below n * eps * max|a_ij| counts as zero: numerically singular. */
    double threshold = (double)n * 0x1p-52 * interop_max_abs(n * n, a);
    int32_t status = 0;
    int allocation_failures = 0;

#pragma omp parallel num_threads(threads)
    {
        pack_buffers pack;
        pack.a = malloc(sizeof(double) * MC * KC);
        pack.b = malloc(sizeof(double) * KC * (size_t)((n + NR - 1) / NR * NR));
        if (pack.a == NULL || pack.b == NULL) {
#pragma omp atomic
            allocation_failures++;
        }
#pragma omp barrier
        if (allocation_failures == 0) {
            /* 1. P M = L U, blocked right-looking. */
            for (int64_t k0 = 0; k0 < n; k0 += NB) {
                int64_t kb = n - k0 < NB ? n - k0 : NB;
#pragma omp single
                {
                    int32_t s = panel_lu(n, a, k0, kb, ipiv, threshold);
                    if (s != 0)
                        status = s;
                }
                if (status != 0)
                    break;
#pragma omp for schedule(static)
                for (int64_t c = 0; c < n; ++c)
                    if (c < k0 || c >= k0 + kb)
                        swap_rows_in_column(n, a, ipiv, k0, kb, c);
                int64_t rest = n - k0 - kb;
                /* U12 = inv(L11) A12, column by column. */
#pragma omp for schedule(static)
                for (int64_t c = k0 + kb; c < n; ++c)
                    solve_unit_lower_column(n, a, k0, kb, a, n, c);
                /* A22 -= L21 U12: the GEMM that carries most of the work. */
                gemm_update(rest, rest, kb, &AT(a, n, k0 + kb, k0), n, &AT(a, n, k0, k0 + kb), n,
                            &AT(a, n, k0 + kb, k0 + kb), n, &pack);
#pragma omp barrier
            }

            if (status == 0) {
                /* 2. Y = inv(L): L Y = I by blocks of rows. Y is unit lower triangular, so row block k0
                 * has nonzeros only in columns < k0 + kb: the solves and the GEMM skip the zero columns
                 * (n^3/3 flops instead of n^3 for a dense right-hand side). */
#pragma omp for schedule(static)
                for (int64_t c = 0; c < n; ++c) {
                    memset(&AT(x, n, 0, c), 0, sizeof(double) * (size_t)n);
                    AT(x, n, c, c) = 1.0;
                }
                for (int64_t k0 = 0; k0 < n; k0 += NB) {
                    int64_t kb = n - k0 < NB ? n - k0 : NB;
#pragma omp for schedule(static)
                    for (int64_t c = 0; c < k0 + kb; ++c)
                        solve_unit_lower_column(n, a, k0, kb, x, n, c);
                    gemm_update(n - k0 - kb, k0 + kb, kb, &AT(a, n, k0 + kb, k0), n, &AT(x, n, k0, 0), n,
                                &AT(x, n, k0 + kb, 0), n, &pack);
#pragma omp barrier
                }
                /* 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows. */
                for (int64_t k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB) {
                    int64_t kb = n - k0 < NB ? n - k0 : NB;
#pragma omp for schedule(static)
                    for (int64_t c = 0; c < n; ++c)
                        solve_upper_column(n, a, k0, kb, x, n, c);
                    gemm_update(k0, n, kb, &AT(a, n, 0, k0), n, &AT(x, n, k0, 0), n, x, n, &pack);
#pragma omp barrier
                }
                /* 4. inv(M) = Z P replaces M. Row i of P is row perm[i] of the identity, so column i of
                 * Z is column perm[i] of the inverse: a column copy, no swaps. */
#pragma omp single
                {
                    for (int64_t i = 0; i < n; ++i)
                        perm[i] = i;
                    for (int64_t j = 0; j < n; ++j) {
                        int64_t tmp = perm[j];
                        perm[j] = perm[ipiv[j]];
                        perm[ipiv[j]] = tmp;
                    }
                }
#pragma omp for schedule(static)
                for (int64_t c = 0; c < n; ++c)
                    memcpy(&AT(a, n, 0, perm[c]), &AT(x, n, 0, c), sizeof(double) * (size_t)n);
            }
        }
        free(pack.a);
        free(pack.b);
    }
    free(ipiv);
    free(perm);
    free(x);
    if (allocation_failures != 0)
        return INTEROP_STATUS_NO_MEMORY;
    return status;
}
