/* The array workload's per-path pieces inside libinterop_native (not exported): array_entry.c checks
 * the arguments, lists the pass's pieces of work and hands them to an OpenMP team; each piece is one
 * call of the path's functions below, compiled once per instruction-set path (src/isa.h). */
#ifndef INTEROP_ARRAY_KERNEL_H
#define INTEROP_ARRAY_KERNEL_H

#include "interop_array.h"
#include "isa.h"

#include <stdint.h>

/* Where a piece reads x: generated (x NULL), or rows and transposed columns in memory. */
typedef struct {
    int64_t n;
    uint64_t seed;
    int64_t row_begin;  /* the first row the pointers below start at */
    const double *x;    /* NULL: generated; else x[(i - row_begin) ldx + j] = x[i][j] */
    int64_t ldx;
    const double *xt;   /* xt[j ldxt + (i - row_begin)] = x[j][i]; NULL when generated */
    int64_t ldxt;
} array_source;

/* One piece's partial results: y's sum and checksum over the piece. */
typedef struct {
    double sum;
    uint64_t checksum;
} array_partial;

/* out[j - col_begin] = the sum over rows [first, first + rows) of x[i][j], in row order from 0. */
typedef void (*array_column_sums)(const array_source *src, int64_t first, int64_t rows, int64_t col_begin,
                                  int64_t col_end, double *out);
/* y's block rows [i0, i1) x columns [j0, j1); with pair set, also the transposed block (rows [j0, j1)
 * x columns [i0, i1)) from the same elements of x. y is NULL (not kept) or y[(i - row_begin) ldy + j]. */
typedef array_partial (*array_block)(const array_source *src, const double *m, int64_t i0, int64_t i1, int64_t j0,
                                     int64_t j1, int32_t pair, double *y, int64_t ldy);
/* out[(i - first) ldout + j] = x[i][j] for rows [first, first + rows) and columns [col_begin, col_end). */
typedef void (*array_generate)(uint64_t seed, int64_t n, int64_t first, int64_t rows, int64_t col_begin,
                               int64_t col_end, double *out, int64_t ldout);

/* One path's Fortran kernel (array_fortran_openmp.F90): interop_array_fortran's whole contract. */
typedef int32_t (*array_fortran_kernel)(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                        int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                        int64_t ldxt, const double *m, double *out, int64_t ldout, double *sum,
                                        uint64_t *checksum, int32_t threads);

#define INTEROP_DECLARE_ARRAY_KERNELS(suffix)                                                                 \
    INTEROP_INTERNAL void interop_array_column_sums_c##suffix(const array_source *src, int64_t first,         \
                                                              int64_t rows, int64_t col_begin, int64_t col_end, \
                                                              double *out);                                   \
    INTEROP_INTERNAL array_partial interop_array_block_c##suffix(const array_source *src, const double *m,     \
                                                                 int64_t i0, int64_t i1, int64_t j0, int64_t j1, \
                                                                 int32_t pair, double *y, int64_t ldy);         \
    INTEROP_INTERNAL void interop_array_generate_c##suffix(uint64_t seed, int64_t n, int64_t first, int64_t rows, \
                                                           int64_t col_begin, int64_t col_end, double *out,    \
                                                           int64_t ldout);                                     \
    INTEROP_INTERNAL int32_t interop_array_fortran##suffix(                                                   \
        int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin, int64_t row_end,            \
        const double *x, int64_t ldx, const double *xt, int64_t ldxt, const double *m, double *out,           \
        int64_t ldout, double *sum, uint64_t *checksum, int32_t threads);

INTEROP_DECLARE_ARRAY_KERNELS(_scalar)
#if defined(INTEROP_HAVE_X86_ISAS)
INTEROP_DECLARE_ARRAY_KERNELS(_avx2)
INTEROP_DECLARE_ARRAY_KERNELS(_avx512)
#endif

#endif
