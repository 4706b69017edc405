/*
 * interop_array.h: the lesson's Dask example, y = x + xT - mean(x, axis 0) (docs/workload-spec.md,
 * "The chunked-array example"), one contract that every kernel library implements with one symbol
 * per language: interop_array_c and interop_array_fortran (libinterop_native, OpenMP; native/array/),
 * interop_array_cpp (libinterop_cpp, std::thread; native/cpp/array/), interop_array_rust
 * (libinterop_rust; native/rust/src/array.rs). A shared header: named after no library, each
 * function is the library's that exports it (the ABI check).
 *
 * x is n x n, row-major; x[i][j] = (mix(seed, i n + j) >> 11) 2^-53 when generated. The column sums
 * are taken over fixed tiles of INTEROP_ARRAY_TILE_ROWS rows (each tile's sum of column j in row
 * order, from 0), the caller adds the tiles' sums in tile order and divides by n to get m, and
 * y[i][j] = (x[i][j] + x[j][i]) - m[j], in that order. Both are sums of plain IEEE additions with no
 * reassociation, so every path and thread count gives the same bits.
 */
#ifndef INTEROP_ARRAY_H
#define INTEROP_ARRAY_H

#include "interop.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef INTEROP_STATUS_INTERNAL
#define INTEROP_STATUS_INTERNAL (-1001)
#endif

/* Rows per tile of the column sums: fixed, independent of the chunk, the threads and the ranks. */
#define INTEROP_ARRAY_TILE_ROWS 256

/* The passes of one entry point (the kernel table gives each language one symbol per workload). */
#define INTEROP_ARRAY_COLUMN_SUMS 0 /* the tiles' column sums of rows [row_begin, row_end) */
#define INTEROP_ARRAY_Y 1           /* y's rows [row_begin, row_end), with its sum and checksum */
#define INTEROP_ARRAY_GENERATE 2    /* x's rows [row_begin, row_end) from the generator */

/*
 * Every interop_array_<language>(pass, n, chunk, seed, row_begin, row_end, x, ldx, xt, ldxt, m, out,
 * ldout, sum, checksum, threads) runs one pass over rows [row_begin, row_end) of the n x n matrices
 * on exactly `threads` threads, which take blocks of chunk x chunk elements (the global grid of
 * blocks, clipped to the rows and to n) dynamically.
 *
 * x: NULL, x is generated from seed (elements of any row, the transposed ones included); else
 *    x[(i - row_begin) ldx + j] is x[i][j] for i in [row_begin, row_end) and every j.
 * xt (INTEROP_ARRAY_Y with x given): xt[j ldxt + (i - row_begin)] is x[j][i] for every j and i in
 *    [row_begin, row_end): the columns of x that the rows' transposed partners need. When the rows
 *    are all of x (row_begin 0, row_end n) and xt == x with ldxt == ldx, the kernel may take a block
 *    and its transposed partner together, reading each element of x once.
 *
 * INTEROP_ARRAY_COLUMN_SUMS: row_begin is a multiple of INTEROP_ARRAY_TILE_ROWS and row_end is one
 *    or n; out[t ldout + j] = the sum of column j over the rows of tile t of the range (t from 0),
 *    in row order, starting from 0. xt, m, sum and checksum are not used (may be NULL).
 * INTEROP_ARRAY_Y: m[j] the column means; out NULL (y is not kept) or out[(i - row_begin) ldout + j]
 *    = y[i][j]. *sum = the sum of the rows' y in an order of the kernel's choosing (a check: in
 *    exact arithmetic sum(y) = sum(x)), *checksum = the sum modulo 2^64 of the 64-bit patterns of
 *    the rows' y (no order matters).
 * INTEROP_ARRAY_GENERATE: x must be NULL; out[(i - row_begin) ldout + j] = x[i][j]. xt, m, sum and
 *    checksum are not used.
 *
 * Status: 0; -1 pass unknown; -2 n < 1; -3 chunk < 1 or chunk > n; -4 rows not 0 <= row_begin <=
 * row_end <= n (or, for the column sums, not on tile boundaries); -5 a leading dimension too small
 * (ldx < n, ldxt < row_end - row_begin, ldout < n); -6 a pointer the pass needs is NULL (xt with x,
 * m, out, sum, checksum; out of the column sums and the generation), or x given to the generation;
 * -7 threads < 1; INTEROP_STATUS_NO_MEMORY; INTEROP_STATUS_INTERNAL (C++, Rust).
 */
INTEROP_EXPORT int32_t interop_array_c(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                       int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                       int64_t ldxt, const double *m, double *out, int64_t ldout, double *sum,
                                       uint64_t *checksum, int32_t threads);
INTEROP_EXPORT int32_t interop_array_cpp(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                         int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                         int64_t ldxt, const double *m, double *out, int64_t ldout, double *sum,
                                         uint64_t *checksum, int32_t threads);
INTEROP_EXPORT int32_t interop_array_rust(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                          int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                          int64_t ldxt, const double *m, double *out, int64_t ldout, double *sum,
                                          uint64_t *checksum, int32_t threads);
INTEROP_EXPORT int32_t interop_array_fortran(int32_t pass, int64_t n, int64_t chunk, uint64_t seed,
                                             int64_t row_begin, int64_t row_end, const double *x, int64_t ldx,
                                             const double *xt, int64_t ldxt, const double *m, double *out,
                                             int64_t ldout, double *sum, uint64_t *checksum, int32_t threads);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_ARRAY_H */
