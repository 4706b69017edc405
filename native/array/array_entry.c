/* The exported array entry points of libinterop_native (interop_array.h): for C, the argument checks, the
 * pass's pieces of work (a tile's column sums over a stripe of columns, a block of y or a block and
 * its transposed partner, a block of generated x) and an OpenMP team that takes them dynamically,
 * each piece run by the path in use (src/isa.c's choice: interop_isa_select, else the best the CPU has);
 * for Fortran, the call of that path's Fortran kernel (array_fortran_openmp.F90), which does it all. */
#include "array_check.h"
#include "array_kernel.h"

#include <omp.h>
#include <stddef.h>
#include <stdlib.h>

/* Columns per piece of the column sums: a stripe's sums (128 KiB) stay in L2 while its tile's rows
 * pass, each row's segment long enough for the prefetchers to stream it. */
#define SUM_STRIPE 16384

typedef struct {
    int32_t isa;
    array_column_sums column_sums;
    array_block block;
    array_generate generate;
    array_fortran_kernel fortran;
} array_kernels;

static const array_kernels kernels[] = {
    {INTEROP_ISA_SCALAR, interop_array_column_sums_c_scalar, interop_array_block_c_scalar,
     interop_array_generate_c_scalar, interop_array_fortran_scalar},
#if defined(INTEROP_HAVE_X86_ISAS)
    {INTEROP_ISA_AVX2, interop_array_column_sums_c_avx2, interop_array_block_c_avx2, interop_array_generate_c_avx2,
     interop_array_fortran_avx2},
    {INTEROP_ISA_AVX512, interop_array_column_sums_c_avx512, interop_array_block_c_avx512,
     interop_array_generate_c_avx512, interop_array_fortran_avx512},
#endif
};

static const array_kernels *active_kernels(void)
{
    int32_t isa = interop_isa_kernels_active()->isa;
    for (size_t i = 0; i < sizeof kernels / sizeof *kernels; ++i)
        if (kernels[i].isa == isa)
            return &kernels[i];
    return &kernels[0];
}

/* Block row or column b of the global grid, clipped to [lo, hi). */
static void block_range(int64_t b, int64_t chunk, int64_t lo, int64_t hi, int64_t *begin, int64_t *end)
{
    int64_t first = b * chunk, last = first + chunk;
    *begin = first > lo ? first : lo;
    *end = last < hi ? last : hi;
}

/* The block row whose pieces hold piece p: the last bi with row_starts[bi] <= p. */
static int64_t pair_row(const int64_t *row_starts, int64_t blocks, int64_t p)
{
    int64_t lo = 0, hi = blocks - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (row_starts[mid] <= p)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int32_t y_pass(const array_kernels *k, const array_source *src, int64_t chunk, int64_t row_begin,
                      int64_t row_end, const double *m, double *y, int64_t ldy, double *sum, uint64_t *checksum,
                      int32_t threads)
{
    int64_t n = src->n;
    int64_t blocks = (n + chunk - 1) / chunk;
    int64_t first_block = row_begin / chunk;
    int64_t block_rows = row_end > row_begin ? (row_end - 1) / chunk + 1 - first_block : 0;
    /* A block and its transposed partner together when both are this call's and x is read from one
     * place: every element of x then read (or generated) once. */
    int pair = row_begin == 0 && row_end == n &&
               (src->x == NULL || (src->xt == src->x && src->ldxt == src->ldx));
    int64_t pieces = pair ? blocks * (blocks + 1) / 2 : block_rows * blocks;
    /* With pairs, where block row bi's pieces (bi, bi), (bi, bi + 1), ... start: one entry per block
     * row, not one per piece (n^2 / 2 of them at chunk 1). */
    int64_t *row_starts = NULL;
    if (pair) {
        row_starts = malloc(sizeof(int64_t) * (size_t)(blocks + 1));
        if (row_starts == NULL)
            return INTEROP_STATUS_NO_MEMORY;
        row_starts[0] = 0;
        for (int64_t bi = 0; bi < blocks; ++bi)
            row_starts[bi + 1] = row_starts[bi] + (blocks - bi);
    }
    double total = 0.0;
    uint64_t bits = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(+ : total, bits)
    for (int64_t p = 0; p < pieces; ++p) {
        int64_t bi, bj;
        if (pair) {
            bi = pair_row(row_starts, blocks, p);
            bj = bi + (p - row_starts[bi]);
        } else {
            bi = first_block + p / blocks;
            bj = p % blocks;
        }
        int64_t i0, i1, j0, j1;
        block_range(bi, chunk, row_begin, row_end, &i0, &i1);
        block_range(bj, chunk, 0, n, &j0, &j1);
        array_partial part = k->block(src, m, i0, i1, j0, j1, pair, y, ldy);
        total += part.sum;
        bits += part.checksum;
    }
    free(row_starts);
    *sum = total;
    *checksum = bits;
    return 0;
}

INTEROP_EXPORT int32_t interop_array_c(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                       int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                       int64_t ldxt, const double *m, double *out, int64_t ldout, double *sum,
                                       uint64_t *checksum, int32_t threads)
{
    int32_t status = interop_array_check_arguments(pass, n, chunk, row_begin, row_end, x, ldx, xt, ldxt, m, out,
                                                   ldout, sum, checksum, threads);
    if (status != 0)
        return status;
    const array_kernels *k = active_kernels();
    array_source src = {n, seed, row_begin, x, ldx, x != NULL ? xt : NULL, ldxt};
    if (pass == INTEROP_ARRAY_Y)
        return y_pass(k, &src, chunk, row_begin, row_end, m, out, ldout, sum, checksum, threads);
    if (pass == INTEROP_ARRAY_COLUMN_SUMS) {
        int64_t tiles = (row_end - row_begin + INTEROP_ARRAY_TILE_ROWS - 1) / INTEROP_ARRAY_TILE_ROWS;
        int64_t stripes = (n + SUM_STRIPE - 1) / SUM_STRIPE;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int64_t p = 0; p < tiles * stripes; ++p) {
            int64_t t = p / stripes, s = p % stripes;
            int64_t first = row_begin + t * INTEROP_ARRAY_TILE_ROWS;
            int64_t rows = row_end - first < INTEROP_ARRAY_TILE_ROWS ? row_end - first : INTEROP_ARRAY_TILE_ROWS;
            int64_t c0 = s * SUM_STRIPE, c1 = c0 + SUM_STRIPE < n ? c0 + SUM_STRIPE : n;
            k->column_sums(&src, first, rows, c0, c1, out + t * ldout + c0);
        }
        return 0;
    }
    /* INTEROP_ARRAY_GENERATE: blocks of rows, whole rows each. */
    int64_t block_rows = (row_end - row_begin + chunk - 1) / chunk;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int64_t b = 0; b < block_rows; ++b) {
        int64_t first = row_begin + b * chunk;
        int64_t rows = row_end - first < chunk ? row_end - first : chunk;
        k->generate(seed, n, first, rows, 0, n, out + (first - row_begin) * ldout, ldout);
    }
    return 0;
}

/* The Fortran kernel checks its own arguments (the same statuses) and runs its own OpenMP team. */
INTEROP_EXPORT int32_t interop_array_fortran(int32_t pass, int64_t n, int64_t chunk, uint64_t seed,
                                             int64_t row_begin, int64_t row_end, const double *x, int64_t ldx,
                                             const double *xt, int64_t ldxt, const double *m, double *out,
                                             int64_t ldout, double *sum, uint64_t *checksum, int32_t threads)
{
    return active_kernels()->fortran(pass, n, chunk, seed, row_begin, row_end, x, ldx, xt, ldxt, m, out, ldout, sum,
                                     checksum, threads);
}
