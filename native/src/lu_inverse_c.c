/* Dense matrix inversion in C with OpenMP: the c-openmp backend of `interop inv`, compiled once per
 * instruction-set path (isa.h), each copy with its own register micro-kernel and block sizes.
 *
 * The buffer holds the row-major A, and the kernel works column-major (element (i, j) at a[i + j*n]):
 * it first transposes the buffer in place, so that it reads column-major as M = A and the pivoting is
 * LAPACK's on A itself (factoring the buffer as stored would pivot Aᵀ, whose partial pivoting can have
 * an element growth of 2^(n-1) where A's has none). Algorithm (as LAPACK's dgesv on the identity):
 *   0. M = A: the in-place transpose (O(n^2), no extra memory);
 *   1. blocked right-looking LU with partial pivoting, P M = L U: a recursive panel, row swaps, the
 *      triangular solve for U12 and the GEMM update of the trailing matrix;
 *   2. Y = inv(L) by the blocked solve L Y = I, skipping the zero upper triangle of Y (n^3/3 flops);
 *   3. Z = inv(U) Y by the blocked solve U Z = Y;
 *   4. inv(M) = Z P replaces M, written row-major: the copy out of the work matrix that the solves
 *      need anyway, gathering P's column permutation and transposing by tiles. 2n^3 flops in all, as
 *      dgetrf + dgetri.
 * Every triangular solve by a diagonal block T (NB x NB) is a GEMM too: T's inverse is formed once
 * (NB^3/3 flops, as dgetri forms inv(U)) and the block rows of the right-hand side are multiplied
 * by it, so nearly all the flops run in the micro-kernel.
 *
 * The GEMM is BLIS style, in separate pieces: blocking loops (gemm), packing (pack_a, pack_b), a
 * macro-kernel over the packed blocks and a register micro-kernel per path whose shape follows the
 * register file:
 *   avx512  16 x 12: 2 x 12 zmm accumulators + 2 for A + 1 broadcast of B, of 32 registers;
 *   avx2     8 x 6:  2 x 6 ymm accumulators + 2 for A + 1 broadcast, of 16. (12 x 4, the other fit,
 *                    needs all 16: GCC then folds A's loads into the FMAs and reloads A for each
 *                    column, 16 loads per 12 FMAs; measured 0.72x the speed of 8 x 6 on Zen 3);
 *   scalar   4 x 4:  2 x 4 xmm accumulators (SSE2 has no FMA: a multiply and an add each).
 * In the solves the threads share chunks of the right-hand sides' columns: each chunk is solved from
 * start to end (both solves) by one thread, with no barrier. */
/* madvise and MADV_HUGEPAGE (POSIX and Linux), beside ISO C11. */
#define _DEFAULT_SOURCE

#include "dense.h"
#include "equilibrate.h"
#include "interop.h"
#include "isa.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Block sizes. Every GEMM here has depth k <= NB (KC only caps it): an NR-column sliver of packed B
 * (k x NR) is reused from L1 by all the micro-tiles of an MC x k block of packed A, which stays in
 * L2; NC columns of packed B (k x NC, 1.5 MiB on AVX2) stay in L3. NB = 128 was measured against
 * 96, 192 and 256, MC = 96 against 72, 144 and 192, NC = 1536 against 480, 768 and 3072 on Zen 3
 * (AVX2): all within a few percent, these among the best. The AVX-512 sizes are scaled for its
 * wider tile and the 1-2 MiB L2 of those CPUs, not measured. */
#if INTEROP_ISA_LEVEL == INTEROP_ISA_AVX512 && defined(__AVX512F__)
#include <immintrin.h>
#define KERNEL_AVX512 1
/* B sliver 12 KiB of a 32-48 KiB L1; A block 192 KiB. */
enum { MR = 16, NR = 12, KC = 256, MC = 192, NC = 1536, NB = 128 };
#elif INTEROP_ISA_LEVEL == INTEROP_ISA_AVX2 && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define KERNEL_AVX2 1
/* Zen 3: B sliver 6 KiB of the 32 KiB L1; A block 96 KiB of the 512 KiB L2. */
enum { MR = 8, NR = 6, KC = 256, MC = 96, NC = 1536, NB = 128 };
#else
/* Two doubles per register: a 4 x 4 tile in 8 accumulators. */
enum { MR = 4, NR = 4, KC = 256, MC = 128, NC = 1536, NB = 128 };
#endif

/* The solves multiply a block row by a diagonal block's inverse in place: gemm packs all k rows of
 * its B before it writes C, which holds only while a GEMM's k fits one packed panel. */
_Static_assert(NB <= KC, "a block's GEMMs must fit one packed KC panel");
_Static_assert(NC % NR == 0 && MC % MR == 0, "blocks are whole slivers");

#define AT(a, ld, i, j) ((a)[(i) + (int64_t)(j) * (ld)])

static int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

/* How a micro-tile is written: C -= A B (the updates) or C = A B (the multiplications by an inverse). */
enum { UPDATE = 0, SET = 1 };

/* The shape of the packed A in a GEMM: general, or a triangle whose zero micro-tiles are skipped. */
enum { FULL = 0, LOWER = 1, UPPER = 2 };

/* ---- Register micro-kernels: acc = Ap[MR x kc] Bp[kc x NR], both packed k-major (Ap 64-byte
 * aligned), accumulators held in registers over the whole depth; then C -= acc or C = acc on a full
 * MR x NR tile of C (column stride ldc). ---- */

#if defined(KERNEL_AVX512)
#define FMA_COLUMN(j)                                                                                        \
    do {                                                                                                     \
        const __m512d bj = _mm512_set1_pd(b[j]);                                                             \
        c0_##j = _mm512_fmadd_pd(a0, bj, c0_##j);                                                            \
        c1_##j = _mm512_fmadd_pd(a1, bj, c1_##j);                                                            \
    } while (0)
#define STORE_COLUMN(j)                                                                                      \
    do {                                                                                                     \
        double *cj = c + ldc * (j);                                                                          \
        if (mode == SET) {                                                                                   \
            _mm512_storeu_pd(cj, c0_##j);                                                                    \
            _mm512_storeu_pd(cj + 8, c1_##j);                                                                \
        } else {                                                                                             \
            _mm512_storeu_pd(cj, _mm512_sub_pd(_mm512_loadu_pd(cj), c0_##j));                                \
            _mm512_storeu_pd(cj + 8, _mm512_sub_pd(_mm512_loadu_pd(cj + 8), c1_##j));                        \
        }                                                                                                    \
    } while (0)

static inline void micro_kernel(int64_t kc, const double *restrict a, const double *restrict b,
                                double *restrict c, int64_t ldc, int mode)
{
    __m512d c0_0 = _mm512_setzero_pd(), c1_0 = _mm512_setzero_pd(), c0_1 = _mm512_setzero_pd();
    __m512d c1_1 = _mm512_setzero_pd(), c0_2 = _mm512_setzero_pd(), c1_2 = _mm512_setzero_pd();
    __m512d c0_3 = _mm512_setzero_pd(), c1_3 = _mm512_setzero_pd(), c0_4 = _mm512_setzero_pd();
    __m512d c1_4 = _mm512_setzero_pd(), c0_5 = _mm512_setzero_pd(), c1_5 = _mm512_setzero_pd();
    __m512d c0_6 = _mm512_setzero_pd(), c1_6 = _mm512_setzero_pd(), c0_7 = _mm512_setzero_pd();
    __m512d c1_7 = _mm512_setzero_pd(), c0_8 = _mm512_setzero_pd(), c1_8 = _mm512_setzero_pd();
    __m512d c0_9 = _mm512_setzero_pd(), c1_9 = _mm512_setzero_pd(), c0_10 = _mm512_setzero_pd();
    __m512d c1_10 = _mm512_setzero_pd(), c0_11 = _mm512_setzero_pd(), c1_11 = _mm512_setzero_pd();
    /* The tile of C is written at the end: start fetching its 12 columns (two lines each) now. */
    for (int64_t j = 0; j < NR; ++j) {
        __builtin_prefetch(c + j * ldc, 1);
        __builtin_prefetch(c + j * ldc + MR - 1, 1);
    }
    /* Unrolled: the loop's own adds, compare and branch are a sixth of the AVX2 loop's instructions
     * otherwise (measured +5-9% for the whole inversion on Zen 3). */
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const __m512d a0 = _mm512_load_pd(a), a1 = _mm512_load_pd(a + 8);
        FMA_COLUMN(0);
        FMA_COLUMN(1);
        FMA_COLUMN(2);
        FMA_COLUMN(3);
        FMA_COLUMN(4);
        FMA_COLUMN(5);
        FMA_COLUMN(6);
        FMA_COLUMN(7);
        FMA_COLUMN(8);
        FMA_COLUMN(9);
        FMA_COLUMN(10);
        FMA_COLUMN(11);
    }
    STORE_COLUMN(0);
    STORE_COLUMN(1);
    STORE_COLUMN(2);
    STORE_COLUMN(3);
    STORE_COLUMN(4);
    STORE_COLUMN(5);
    STORE_COLUMN(6);
    STORE_COLUMN(7);
    STORE_COLUMN(8);
    STORE_COLUMN(9);
    STORE_COLUMN(10);
    STORE_COLUMN(11);
}

#elif defined(KERNEL_AVX2)
#define FMA_COLUMN(j)                                                                                        \
    do {                                                                                                     \
        const __m256d bj = _mm256_broadcast_sd(b + (j));                                                     \
        c0_##j = _mm256_fmadd_pd(a0, bj, c0_##j);                                                            \
        c1_##j = _mm256_fmadd_pd(a1, bj, c1_##j);                                                            \
    } while (0)
#define STORE_COLUMN(j)                                                                                      \
    do {                                                                                                     \
        double *cj = c + ldc * (j);                                                                          \
        if (mode == SET) {                                                                                   \
            _mm256_storeu_pd(cj, c0_##j);                                                                    \
            _mm256_storeu_pd(cj + 4, c1_##j);                                                                \
        } else {                                                                                             \
            _mm256_storeu_pd(cj, _mm256_sub_pd(_mm256_loadu_pd(cj), c0_##j));                                \
            _mm256_storeu_pd(cj + 4, _mm256_sub_pd(_mm256_loadu_pd(cj + 4), c1_##j));                        \
        }                                                                                                    \
    } while (0)

static inline void micro_kernel(int64_t kc, const double *restrict a, const double *restrict b,
                                double *restrict c, int64_t ldc, int mode)
{
    __m256d c0_0 = _mm256_setzero_pd(), c1_0 = _mm256_setzero_pd(), c0_1 = _mm256_setzero_pd();
    __m256d c1_1 = _mm256_setzero_pd(), c0_2 = _mm256_setzero_pd(), c1_2 = _mm256_setzero_pd();
    __m256d c0_3 = _mm256_setzero_pd(), c1_3 = _mm256_setzero_pd(), c0_4 = _mm256_setzero_pd();
    __m256d c1_4 = _mm256_setzero_pd(), c0_5 = _mm256_setzero_pd(), c1_5 = _mm256_setzero_pd();
    /* The tile of C is written at the end: start fetching its 6 columns (two lines each) now. */
    for (int64_t j = 0; j < NR; ++j) {
        __builtin_prefetch(c + j * ldc, 1);
        __builtin_prefetch(c + j * ldc + MR - 1, 1);
    }
    /* Unrolled: the loop's own adds, compare and branch are a sixth of the AVX2 loop's instructions
     * otherwise (measured +5-9% for the whole inversion on Zen 3). */
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const __m256d a0 = _mm256_load_pd(a), a1 = _mm256_load_pd(a + 4);
        FMA_COLUMN(0);
        FMA_COLUMN(1);
        FMA_COLUMN(2);
        FMA_COLUMN(3);
        FMA_COLUMN(4);
        FMA_COLUMN(5);
    }
    STORE_COLUMN(0);
    STORE_COLUMN(1);
    STORE_COLUMN(2);
    STORE_COLUMN(3);
    STORE_COLUMN(4);
    STORE_COLUMN(5);
}

#else
/* Portable: GCC vectors of two doubles, SSE2 registers on x86-64 (and whatever fits elsewhere).
 * memcpy moves them: no alignment or aliasing assumptions, compiled to plain vector loads. */
typedef double v2d __attribute__((vector_size(16)));

#define FMA_COLUMN(j)                                                                                        \
    do {                                                                                                     \
        const v2d bj = {b[j], b[j]};                                                                         \
        c0_##j += a0 * bj;                                                                                   \
        c1_##j += a1 * bj;                                                                                   \
    } while (0)
#define STORE_COLUMN(j)                                                                                      \
    do {                                                                                                     \
        double *cj = c + ldc * (j);                                                                          \
        if (mode == SET) {                                                                                   \
            memcpy(cj, &c0_##j, sizeof(v2d));                                                                \
            memcpy(cj + 2, &c1_##j, sizeof(v2d));                                                            \
        } else {                                                                                             \
            v2d t0, t1;                                                                                      \
            memcpy(&t0, cj, sizeof t0);                                                                      \
            memcpy(&t1, cj + 2, sizeof t1);                                                                  \
            t0 -= c0_##j;                                                                                    \
            t1 -= c1_##j;                                                                                    \
            memcpy(cj, &t0, sizeof t0);                                                                      \
            memcpy(cj + 2, &t1, sizeof t1);                                                                  \
        }                                                                                                    \
    } while (0)

static inline void micro_kernel(int64_t kc, const double *restrict a, const double *restrict b,
                                double *restrict c, int64_t ldc, int mode)
{
    v2d c0_0 = {0, 0}, c1_0 = {0, 0}, c0_1 = {0, 0}, c1_1 = {0, 0};
    v2d c0_2 = {0, 0}, c1_2 = {0, 0}, c0_3 = {0, 0}, c1_3 = {0, 0};
    /* Unrolled: the loop's own adds, compare and branch are a sixth of the AVX2 loop's instructions
     * otherwise (measured +5-9% for the whole inversion on Zen 3). */
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        v2d a0, a1;
        memcpy(&a0, a, sizeof a0);
        memcpy(&a1, a + 2, sizeof a1);
        FMA_COLUMN(0);
        FMA_COLUMN(1);
        FMA_COLUMN(2);
        FMA_COLUMN(3);
    }
    STORE_COLUMN(0);
    STORE_COLUMN(1);
    STORE_COLUMN(2);
    STORE_COLUMN(3);
}
#endif

/* ---- Packing and the blocking loops. ---- */

/* Packs the mc x kc block of A into MR-row slivers (zero-padded), k-major inside a sliver. */
static void pack_a(int64_t mc, int64_t kc, const double *a, int64_t lda, double *restrict out)
{
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
        const double *src = a + i0;
        if (mc - i0 >= MR) {
            for (int64_t k = 0; k < kc; ++k, out += MR)
                memcpy(out, src + k * lda, sizeof(double) * MR);
        } else {
            int64_t mr = mc - i0;
            for (int64_t k = 0; k < kc; ++k, out += MR) {
                int64_t i = 0;
                for (; i < mr; ++i)
                    out[i] = src[i + k * lda];
                for (; i < MR; ++i)
                    out[i] = 0.0;
            }
        }
    }
}

/* Packs the kc x nc block of B into NR-column slivers (zero-padded), k-major inside a sliver. Column
 * by column: the reads are contiguous, the writes strided by NR inside the sliver (in L1). */
static void pack_b(int64_t kc, int64_t nc, const double *b, int64_t ldb, double *restrict out)
{
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * kc) {
        int64_t nr = min64(nc - j0, NR);
        for (int64_t j = 0; j < nr; ++j) {
            const double *src = b + (j0 + j) * ldb;
            for (int64_t k = 0; k < kc; ++k)
                out[k * NR + j] = src[k];
        }
        for (int64_t j = nr; j < NR; ++j)
            for (int64_t k = 0; k < kc; ++k)
                out[k * NR + j] = 0.0;
    }
}

/* One thread's packing buffers, 64-byte aligned for the micro-kernels' aligned loads. */
typedef struct {
    double *a; /* MC x KC */
    double *b; /* KC x NC, or less for a small matrix */
} pack_buffers;

/* The macro-kernel: every micro-tile of C[mc x nc] from the packed Ap (MR slivers) and Bp (NR
 * slivers). Each B sliver (kc x NR) stays in L1 while all the A slivers stream from L2. With a
 * triangular A (row0: this block's first row in it) the k range of a sliver stops at its diagonal. */
static void macro_kernel(int64_t mc, int64_t nc, int64_t kc, const double *pa, const double *pb, double *c,
                         int64_t ldc, int mode, int shape, int64_t row0)
{
    for (int64_t j = 0; j < nc; j += NR) {
        int64_t nr = min64(nc - j, NR);
        for (int64_t i = 0; i < mc; i += MR) {
            int64_t mr = min64(mc - i, MR);
            int64_t k_begin = 0, k_end = kc;
            if (shape == LOWER)
                k_end = min64(kc, row0 + i + MR);
            else if (shape == UPPER)
                k_begin = min64(kc, row0 + i);
            const double *ap = pa + i * kc + k_begin * MR, *bp = pb + j * kc + k_begin * NR;
            double *cij = &AT(c, ldc, i, j);
            if (mr == MR && nr == NR) {
                micro_kernel(k_end - k_begin, ap, bp, cij, ldc, mode);
            } else {
                /* Edge tile: a full tile into a buffer, then only its mr x nr corner into C. */
                _Alignas(64) double tile[MR * NR];
                micro_kernel(k_end - k_begin, ap, bp, tile, MR, SET);
                for (int64_t jj = 0; jj < nr; ++jj)
                    for (int64_t ii = 0; ii < mr; ++ii)
                        AT(cij, ldc, ii, jj) =
                            mode == SET ? tile[ii + jj * MR] : AT(cij, ldc, ii, jj) - tile[ii + jj * MR];
            }
        }
    }
}

/* C[m x n] -= A[m x k] B[k x n] (mode UPDATE) or C = A B (mode SET), column-major, on the calling
 * thread. SET and a triangular shape need k <= KC (one k panel; the callers' k is at most NB). Then
 * C may be B itself: all of B's rows in a column block are packed before C's are written. */
static void gemm(int64_t m, int64_t n, int64_t k, const double *a, int64_t lda, const double *b, int64_t ldb,
                 double *c, int64_t ldc, int mode, int shape, const pack_buffers *pack)
{
    if (m <= 0 || n <= 0 || k <= 0)
        return;
    for (int64_t jc = 0; jc < n; jc += NC) {
        int64_t nc = min64(n - jc, NC);
        for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = min64(k - pc, KC);
            pack_b(kc, nc, &AT(b, ldb, pc, jc), ldb, pack->b);
            for (int64_t ic = 0; ic < m; ic += MC) {
                int64_t mc = min64(m - ic, MC);
                pack_a(mc, kc, &AT(a, lda, ic, pc), lda, pack->a);
                macro_kernel(mc, nc, kc, pack->a, pack->b, &AT(c, ldc, ic, jc), ldc, mode, shape, ic);
            }
        }
    }
}

/* ---- LU of a panel: recursive (Toledo), so that most of its flops are GEMMs too. ---- */

/* Below this width a panel is factored column by column (its m x w block stays in L2). */
enum { PANEL_LEAF = 16 };

/* Swaps rows j and ipiv[j] for the steps j in [j_begin, j_end) in columns [c_begin, c_end). */
static void swap_rows(int64_t n, double *a, const int64_t *ipiv, int64_t j_begin, int64_t j_end,
                      int64_t c_begin, int64_t c_end)
{
    for (int64_t c = c_begin; c < c_end; ++c) {
        double *col = &AT(a, n, 0, c);
        for (int64_t j = j_begin; j < j_end; ++j) {
            double tmp = col[j];
            col[j] = col[ipiv[j]];
            col[ipiv[j]] = tmp;
        }
    }
}

/* Unblocked LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w); swaps stay inside
 * these columns. Returns 0, or the 1-based step of a pivot at or below the threshold. */
static int32_t panel_leaf(int64_t n, double *a, int64_t j0, int64_t w, int64_t *ipiv, double threshold)
{
    for (int64_t j = j0; j < j0 + w; ++j) {
        double *col = &AT(a, n, 0, j);
        int64_t p = j;
        double best = fabs(col[j]);
        for (int64_t i = j + 1; i < n; ++i)
            if (fabs(col[i]) > best) {
                best = fabs(col[i]);
                p = i;
            }
        if (!(best > threshold) || !isfinite(best)) /* NaN fails the first test, Inf the second */
            return interop_pivot_failure(best, j + 1);
        ipiv[j] = p;
        if (p != j)
            for (int64_t c = j0; c < j0 + w; ++c) {
                double tmp = AT(a, n, j, c);
                AT(a, n, j, c) = AT(a, n, p, c);
                AT(a, n, p, c) = tmp;
            }
        double inv = 1.0 / col[j];
        for (int64_t i = j + 1; i < n; ++i)
            col[i] *= inv;
        for (int64_t c = j + 1; c < j0 + w; ++c) {
            double *target = &AT(a, n, 0, c);
            double u = target[j];
            for (int64_t i = j + 1; i < n; ++i)
                target[i] -= col[i] * u;
        }
    }
    return 0;
}

/* LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w): factor the left half, bring the
 * right half up to date (swaps, U12 = inv(L11) A12, A22 -= L21 U12), factor it, then apply its
 * swaps to the left half. Same return as panel_leaf. */
static int32_t panel_lu(int64_t n, double *a, int64_t j0, int64_t w, int64_t *ipiv, double threshold,
                        const pack_buffers *pack)
{
    if (w <= PANEL_LEAF)
        return panel_leaf(n, a, j0, w, ipiv, threshold);
    int64_t w1 = w / 2, w2 = w - w1, j1 = j0 + w1;
    int32_t status = panel_lu(n, a, j0, w1, ipiv, threshold, pack);
    if (status != 0)
        return status;
    swap_rows(n, a, ipiv, j0, j1, j1, j0 + w);
    /* U12 = inv(L11) A12 by substitution: w1 x w2 is small next to the GEMM below. */
    for (int64_t c = j1; c < j0 + w; ++c) {
        double *x = &AT(a, n, 0, c);
        for (int64_t k = j0; k < j1; ++k) {
            const double *lk = &AT(a, n, 0, k);
            double xk = x[k];
            for (int64_t i = k + 1; i < j1; ++i)
                x[i] -= lk[i] * xk;
        }
    }
    gemm(n - j1, w2, w1, &AT(a, n, j1, j0), n, &AT(a, n, j0, j1), n, &AT(a, n, j1, j1), n, UPDATE, FULL,
         pack);
    status = panel_lu(n, a, j1, w2, ipiv, threshold, pack);
    if (status != 0)
        return status;
    swap_rows(n, a, ipiv, j1, j0 + w, j0, j1);
    return 0;
}

/* ---- Inverses of the diagonal blocks (kb x kb, leading dimension kb), for the solves. ---- */

/* inv(L11) of the unit lower L11 at l (column-major, ld n): column j solves L t = e_j. */
static void invert_unit_lower(int64_t n, const double *l, int64_t kb, double *t)
{
    for (int64_t j = 0; j < kb; ++j) {
        double *x = t + j * kb;
        memset(x, 0, sizeof(double) * (size_t)kb);
        x[j] = 1.0;
        for (int64_t k = j; k < kb; ++k) {
            const double *lk = &AT(l, n, 0, k);
            double xk = x[k];
            for (int64_t i = k + 1; i < kb; ++i)
                x[i] -= lk[i] * xk;
        }
    }
}

/* inv(U11) of the upper U11 at u (column-major, ld n): column j solves U t = e_j. */
static void invert_upper(int64_t n, const double *u, int64_t kb, double *t)
{
    for (int64_t j = 0; j < kb; ++j) {
        double *x = t + j * kb;
        memset(x, 0, sizeof(double) * (size_t)kb);
        x[j] = 1.0;
        for (int64_t k = j; k >= 0; --k) {
            const double *uk = &AT(u, n, 0, k);
            double xk = x[k] / uk[k];
            x[k] = xk;
            for (int64_t i = 0; i < k; ++i)
                x[i] -= uk[i] * xk;
        }
    }
}

/* Columns [c_begin, c_end) of the trailing matrix of the LU step at k0 (kb wide, inv(L11) at tl):
 * the step's row swaps, U12 = inv(L11) A12 in place, then A22 -= L21 U12, the GEMM carrying most
 * of the work. (The columns of L left of the panel get the swaps after the LU.) */
static void update_columns(int64_t n, double *a, const int64_t *ipiv, int64_t k0, int64_t kb,
                           const double *tl, int64_t c_begin, int64_t c_end, const pack_buffers *pack)
{
    if (c_end <= c_begin)
        return;
    swap_rows(n, a, ipiv, k0, k0 + kb, c_begin, c_end);
    gemm(kb, c_end - c_begin, kb, tl, kb, &AT(a, n, k0, c_begin), n, &AT(a, n, k0, c_begin), n, SET, LOWER,
         pack);
    gemm(n - k0 - kb, c_end - c_begin, kb, &AT(a, n, k0 + kb, k0), n, &AT(a, n, k0, c_begin), n,
         &AT(a, n, k0 + kb, c_begin), n, UPDATE, FULL, pack);
}

/* The solves share the columns in about this many chunks per thread. */
enum { SOLVE_CHUNKS = 4 };

/* 2. Columns [cb, ce) of Y = inv(L): L Y = I by blocks of rows. Y is unit lower triangular, so row
 * block k0 has nonzeros only in columns < k0 + kb: the GEMMs skip the zero columns (n^3/3 flops
 * instead of n^3 over all columns). */
static void invert_lower(int64_t n, const double *a, double *x, const double *inv_l, int64_t cb, int64_t ce,
                         const pack_buffers *pack)
{
    for (int64_t c = cb; c < ce; ++c) {
        memset(&AT(x, n, 0, c), 0, sizeof(double) * (size_t)n);
        AT(x, n, c, c) = 1.0;
    }
    for (int64_t k0 = cb / NB * NB; k0 < n; k0 += NB) {
        int64_t kb = min64(n - k0, NB), w = min64(ce, k0 + kb) - cb;
        if (w <= 0)
            continue;
        gemm(kb, w, kb, inv_l + k0 * NB, kb, &AT(x, n, k0, cb), n, &AT(x, n, k0, cb), n, SET, LOWER, pack);
        gemm(n - k0 - kb, w, kb, &AT(a, n, k0 + kb, k0), n, &AT(x, n, k0, cb), n, &AT(x, n, k0 + kb, cb), n,
             UPDATE, FULL, pack);
    }
}

/* 3. Columns [cb, ce) of Z = inv(U) Y: U Z = Y, backward by blocks of rows, in place in X. */
static void solve_upper(int64_t n, const double *a, double *x, const double *inv_u, int64_t cb, int64_t ce,
                        const pack_buffers *pack)
{
    for (int64_t k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB) {
        int64_t kb = min64(n - k0, NB);
        gemm(kb, ce - cb, kb, inv_u + k0 * NB, kb, &AT(x, n, k0, cb), n, &AT(x, n, k0, cb), n, SET, UPPER,
             pack);
        gemm(k0, ce - cb, kb, &AT(a, n, 0, k0), n, &AT(x, n, k0, cb), n, &AT(x, n, 0, cb), n, UPDATE, FULL,
             pack);
    }
}

/* a[i*n + j] = x[i + source[j]*n]: the column-major x, its columns gathered by source, written
 * row-major. By tiles of T x T, each read as T runs down T columns of x and written as T runs along
 * T rows of a, so both stay in L1; the team shares the tile rows. */
static void store_transposed(int64_t n, const double *x, const int64_t *source, double *a)
{
    enum { T = 32 };
#pragma omp for schedule(static)
    for (int64_t i0 = 0; i0 < n; i0 += T) {
        int64_t i1 = min64(n, i0 + T);
        for (int64_t j0 = 0; j0 < n; j0 += T) {
            int64_t j1 = min64(n, j0 + T);
            for (int64_t i = i0; i < i1; ++i) {
                double *row = a + i * n;
                for (int64_t j = j0; j < j1; ++j)
                    row[j] = x[i + source[j] * n];
            }
        }
    }
}

/* ---- The workspace: X, the inverses of the diagonal blocks, the pivots and every thread's packing
 * buffers in one block, kept from one call to the next. ----
 *
 * Memory the process has not touched before costs a page fault per 4 KiB page on its first write,
 * and a fresh n x n X (92 MB at n = 3400) is new memory on every call: malloc maps a block that
 * large afresh and unmaps it on free. Measured on a Zen 5 VM (2 cores), n = 3400, 1 thread: zeroing
 * a fresh X took 0.25-0.30 s, and the first GEMM passes over it ran 2.5x slower (Y = inv(L): 0.50 s
 * against 0.19 s); the whole inversion took 1.44 s of CPU time against 1.06 s with the workspace
 * kept. The cpp-threads kernel keeps its workspace in a plan; this ABI has none, so the library
 * keeps the last call's workspace for the next, which is the same size when a matrix order is
 * inverted again and again (a benchmark, a solver's iterations). The cost: up to 8n^2 bytes + a few
 * MiB (at most KEEP_LIMIT_BYTES) stay allocated after a call (until a call needs more, then the new workspace
 * replaces the old one). Above 2 MiB the block asks for transparent huge pages (where the kernel offers them
 * on request): 512 times fewer faults when it is new, and fewer TLB misses in the packing of X's columns
 * every time. */
typedef struct {
    size_t bytes; /* capacity */
    char *base;
} workspace;

/* The kept workspace, or {0, NULL}; taken and given back inside the critical section only. */
static workspace kept_workspace;

enum { HUGE_PAGE = 2 << 20 };

static size_t round_up(size_t bytes, size_t unit)
{
    return (bytes + unit - 1) / unit * unit;
}

/* A workspace of at least `bytes`: the kept one if it is big enough, else a new one (NULL base if
 * there is no memory). */
static workspace workspace_take(size_t bytes)
{
    workspace w = {0, NULL}, stale = {0, NULL};
#pragma omp critical(interop_inv_c_workspace)
    {
        if (kept_workspace.base != NULL && kept_workspace.bytes >= bytes)
            w = kept_workspace;
        else
            stale = kept_workspace;
        kept_workspace = (workspace){0, NULL};
    }
    free(stale.base);
    if (w.base != NULL)
        return w;
    w.bytes = round_up(bytes, bytes >= HUGE_PAGE ? HUGE_PAGE : 64);
    w.base = aligned_alloc(bytes >= HUGE_PAGE ? HUGE_PAGE : 64, w.bytes);
#if defined(MADV_HUGEPAGE)
    if (w.base != NULL && w.bytes >= HUGE_PAGE)
        (void)madvise(w.base, w.bytes, MADV_HUGEPAGE); /* a request: without THP, plain pages */
#endif
    if (w.base == NULL)
        w.bytes = 0;
    return w;
}

/* The largest workspace kept after a call (about n = 11500). Page faults cost O(n^2) against the
 * inversion's O(n^3), so above this order they are a few per cent at most, while a kept workspace of
 * that size in each of several kernels of one process (compare, inv --backend all) would add up to
 * memory the user's matrix needs. */
#define KEEP_LIMIT_BYTES ((size_t)1 << 30)

/* Keeps `w` for the next call (another call's workspace, given back meanwhile, is freed), unless it
 * is larger than KEEP_LIMIT_BYTES. */
static void workspace_give_back(workspace w)
{
    if (w.bytes > KEEP_LIMIT_BYTES) {
        free(w.base);
        return;
    }
    workspace stale;
#pragma omp critical(interop_inv_c_workspace)
    {
        stale = kept_workspace;
        kept_workspace = w;
    }
    free(stale.base);
}

/* ---- The phases, with the names of the C# kernel (managed/Interop.Backends/Inversion/
 * BlockedInverse.cs). Each is called by every thread of the team inside the parallel region of
 * interop_inv_c, and shares its work through orphaned OpenMP constructs. ---- */

/* What the team shares during one inversion: the matrix, the workspace's pieces, the outcome. */
typedef struct {
    int64_t n;
    double *a;     /* M, column-major, factored in place */
    double *x;     /* n x n: Y, then Z */
    double *inv_l; /* inv(L11) of every diagonal block, NB x NB apart */
    double *inv_u; /* inv(U11) of every diagonal block */
    int64_t *ipiv; /* the pivot of each step; then source, perm's inverse */
    int64_t *perm; /* n */
    double threshold;
    int32_t status;       /* written by thread 0 only, read by all after a barrier */
    int64_t failed_panel; /* the LU step whose panel failed, if any (n: none); atomic */
} inverse_team;

/* 1. P M = L U, blocked right-looking, with a look-ahead of one panel: in step k, thread 0 brings the
 * next panel's columns up to date first and factors that panel while the others update the rest of
 * the trailing matrix; it joins them when the panel is done. The rest is shared in chunks taken
 * dynamically, so that the serial panel overlaps the update instead of stalling the team, and a
 * thread slowed by anything takes fewer chunks. Returns 1 when L and U are complete (the later
 * panels' swaps in L's columns under way, nowait), 0 on a failed pivot (team->status), on every
 * thread alike. */
static int factor_lu(inverse_team *team, const pack_buffers *pack)
{
    const int64_t n = team->n;
    double *const a = team->a;
    const int threads = omp_get_num_threads(); /* the team may be smaller than asked, never larger */
#pragma omp single
    {
        int32_t s = panel_lu(n, a, 0, min64(n, NB), team->ipiv, team->threshold, pack);
        if (s != 0) {
            team->status = s;
            team->failed_panel = 0;
        } else {
            invert_unit_lower(n, a, min64(n, NB), team->inv_l);
        }
    }
    for (int64_t k0 = 0, step = 0; k0 < n; k0 += NB, ++step) {
        /* Only this step's panel counts: thread 0 may have failed on the next one already. */
        int64_t failed;
#pragma omp atomic read
        failed = team->failed_panel;
        if (failed <= step)
            break;
        int64_t kb = min64(n - k0, NB), next = k0 + kb, next_width = min64(n - next, NB);
        if (omp_get_thread_num() == 0 && next_width > 0) {
            update_columns(n, a, team->ipiv, k0, kb, team->inv_l + k0 * NB, next, next + next_width, pack);
            int32_t s = panel_lu(n, a, next, next_width, team->ipiv, team->threshold, pack);
            if (s != 0) {
                team->status = s;
#pragma omp atomic write
                team->failed_panel = step + 1;
            } else {
                invert_unit_lower(n, &AT(a, n, next, next), next_width, team->inv_l + next * NB);
            }
        }
        /* The rest in chunks of whole slivers, about four per thread (one on a single thread,
         * which then packs L21 once per NC columns, as before). */
        int64_t first = next + next_width, rest = n - first;
        int64_t width =
            threads == 1 ? rest : min64(NC, ((rest + 2 * threads - 1) / (2 * threads) + NR - 1) / NR * NR);
        int64_t chunks = width > 0 ? (rest + width - 1) / width : 0;
#pragma omp for schedule(dynamic, 1) nowait
        for (int64_t c = 0; c < chunks; ++c)
            update_columns(n, a, team->ipiv, k0, kb, team->inv_l + k0 * NB, first + c * width,
                           min64(n, first + (c + 1) * width), pack);
#pragma omp barrier
    }
    if (team->status != 0) {
        return 0;
    }
    /* The later panels' swaps in the columns of L, deferred to here so that each column takes all
     * of its swaps at once while it sits in L1, rather than one panel's worth per pass over the
     * whole of L. The work falls along the columns: dynamic chunks. No barrier: what follows,
     * inv(U11), reads only the diagonal blocks, which these swaps (rows below a column's block) do
     * not touch. */
#pragma omp for schedule(dynamic, 8) nowait
    for (int64_t c = 0; c < n; ++c) {
        swap_rows(n, a, team->ipiv, (c / NB + 1) * NB, n, c, c + 1);
    }
    return 1;
}

/* inv(U11) of every diagonal block, for solve_upper, shared among the threads (ends with the
 * loop's barrier). */
static void invert_upper_blocks(inverse_team *team)
{
    const int64_t n = team->n, blocks = (n + NB - 1) / NB;
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < blocks; ++b)
        invert_upper(n, &AT(team->a, n, b * NB, b * NB), min64(n - b * NB, NB), team->inv_u + b * NB * NB);
}

/* 2. and 3., column by column: Y = inv(L), then Z = inv(U) Y. Each column of X needs only itself, L
 * and U, so the team shares chunks of columns taken dynamically, each solved from start to end with
 * no barrier between the two solves: a thread slowed by anything (the other solve's uneven cost,
 * another process on its core) takes fewer chunks instead of holding the team up at the end, as a
 * static split of the columns did (measured on the scalar path: one thread 30% behind the other for
 * the whole of both solves). The chunks' columns fall in cost (Y is lower triangular), so taking
 * them left to right hands out the heaviest first. More chunks balance better but pack the blocks
 * of L and U once more each: four per thread (one on a single thread). No barrier at the end. */
static void solve_columns(inverse_team *team, const pack_buffers *pack)
{
    const int64_t n = team->n;
    const int threads = omp_get_num_threads();
    int64_t width = threads == 1 ? n : (n + SOLVE_CHUNKS * threads - 1) / (SOLVE_CHUNKS * threads);
    width = (width + NR - 1) / NR * NR;
    int64_t chunks = (n + width - 1) / width;
#pragma omp for schedule(dynamic, 1) nowait
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
        int64_t cb = chunk * width, ce = min64(n, cb + width);
        invert_lower(n, team->a, team->x, team->inv_l, cb, ce, pack);
        solve_upper(n, team->a, team->x, team->inv_u, cb, ce, pack);
    }
}

/* 4. inv(M) = Z P replaces M, row-major. Row i of P is row perm[i] of the identity, so column c of Z
 * is column perm[c] of the inverse; column j of the inverse is column source[j] of Z (source =
 * perm's inverse), and element (i, j) goes to a[i*n + j]. The single's barrier also waits for every
 * thread's columns of Z. */
static void permute(inverse_team *team)
{
    const int64_t n = team->n;
    int64_t *const ipiv = team->ipiv, *const perm = team->perm;
#pragma omp single
    {
        for (int64_t i = 0; i < n; ++i)
            perm[i] = i;
        for (int64_t j = 0; j < n; ++j) {
            int64_t tmp = perm[j];
            perm[j] = perm[ipiv[j]];
            perm[ipiv[j]] = tmp;
        }
        for (int64_t c = 0; c < n; ++c)
            ipiv[perm[c]] = c; /* ipiv is free now: source[j] */
    }
    store_transposed(n, team->x, ipiv, team->a);
}

/* The workspace's pieces, in bytes, each 64-byte aligned (the micro-kernels' aligned loads of packed
 * A and B): X (n x n), inv(L11) and inv(U11) of every diagonal block (NB x NB apart), the pivots,
 * their permutation, the scales, and per thread a packed A (MC x KC) and B (KC x NC, or less for a
 * small n). */
typedef struct {
    size_t x, inv, index, scale, pack_a, per_thread, total;
} workspace_layout;

static workspace_layout layout_of(int64_t n, int32_t threads)
{
    workspace_layout l;
    int64_t blocks = (n + NB - 1) / NB;
    l.x = round_up(sizeof(double) * (size_t)n * (size_t)n, 64);
    l.inv = round_up(sizeof(double) * (size_t)(blocks * NB * NB), 64);
    l.index = round_up(sizeof(int64_t) * (size_t)n, 64);
    l.pack_a = sizeof(double) * (size_t)MC * KC;
    size_t pack_b = sizeof(double) * (size_t)KC * (size_t)min64(NC, (n + NR - 1) / NR * NR);
    l.per_thread = round_up(l.pack_a + pack_b, 64);
    l.scale = round_up(sizeof(double) * 2 * (size_t)n, 64);
    l.total = l.x + 2 * l.inv + 2 * l.index + l.scale + (size_t)threads * l.per_thread;
    return l;
}

INTEROP_INTERNAL int32_t INTEROP_ISA_NAME(interop_inv_c)(int64_t n, double *a, int32_t threads)
{
    if (n < 1)
        return -1;
    if (a == NULL)
        return -2;
    if (threads < 1)
        return -3;

    const workspace_layout layout = layout_of(n, threads);
    workspace work = workspace_take(layout.total);
    if (work.base == NULL)
        return INTEROP_STATUS_NO_MEMORY;
    char *const base = work.base;
    const size_t index_at = layout.x + 2 * layout.inv, scale_at = index_at + 2 * layout.index;
    inverse_team team = {
        .n = n,
        .a = a,
        .x = (double *)base,
        .inv_l = (double *)(base + layout.x),
        .inv_u = (double *)(base + layout.x + layout.inv),
        .ipiv = (int64_t *)(base + index_at),
        .perm = (int64_t *)(base + index_at + layout.index),
        .status = 0,
        .failed_panel = n,
    };
    double *scales = (double *)(base + scale_at);
    char *packing = base + scale_at + layout.scale;

    /* The kernel factors B = diag(r) A diag(c), equilibrated by powers of two (equilibrate.h), and a
     * pivot at or below n * eps * max|b_ij| counts as zero: numerically singular. */
    int scaled = 0;
    team.threshold = interop_equilibrate(n, a, scales, &scaled);

#pragma omp parallel num_threads(threads)
    {
        char *mine = packing + (size_t)omp_get_thread_num() * layout.per_thread;
        const pack_buffers pack = {(double *)mine, (double *)(mine + layout.pack_a)};
        /* 0. M = A: the row-major A read column-major is Aᵀ (the loop ends with a barrier). */
        interop_transpose_in_place(n, a);
        if (factor_lu(&team, &pack)) {
            invert_upper_blocks(&team);
            solve_columns(&team, &pack);
            permute(&team);
        }
    }
    /* inv(A) = diag(c) inv(B) diag(r), exactly. */
    if (team.status == 0 && scaled)
        interop_unequilibrate(n, a, scales);
    workspace_give_back(work);
    return team.status;
}
