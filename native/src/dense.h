/* Internal helpers shared by the C inversion kernels. Not part of the exported ABI. */
#ifndef INTEROP_DENSE_H
#define INTEROP_DENSE_H

#include "interop.h"

#include <math.h>
#include <stdint.h>

/* max |a_i| over count elements; NaN if any element is NaN (the residual's norms propagate NaN). */
static inline double interop_max_abs(int64_t count, const double *a)
{
    double m = 0.0;
    for (int64_t i = 0; i < count; ++i) {
        double v = fabs(a[i]);
        if (v > m || v != v)
            m = v;
    }
    return m;
}

/* The status of a failed pivot at 1-based step `step`: a non-finite one (NaN, or Inf: the input held
 * NaN or Inf, or the factorization overflowed) or one at or below the threshold on the equilibrated matrix
 * (singular; equilibrate.h). */
static inline int32_t interop_pivot_failure(double pivot, int64_t step)
{
    return isfinite(pivot) ? (int32_t)step : INTEROP_STATUS_NONFINITE | (int32_t)step;
}

/* Tiles of the in-place transpose: two 32 x 32 tiles of doubles (16 KiB) stay in L1 while they swap. */
enum { INTEROP_TRANSPOSE_TILE = 32 };

/* a := aᵀ in place for the n x n matrix a, by pairs of tiles across the diagonal. An orphaned
 * OpenMP loop: called inside a parallel region, the team shares the tile columns (and ends with the
 * loop's barrier); called outside one, it runs on the calling thread. */
static inline void interop_transpose_in_place(int64_t n, double *a)
{
    const int64_t t = INTEROP_TRANSPOSE_TILE, tiles = (n + t - 1) / t;
#pragma omp for schedule(dynamic, 1)
    for (int64_t bj = 0; bj < tiles; ++bj) {
        int64_t j0 = bj * t, j1 = j0 + t < n ? j0 + t : n;
        for (int64_t i0 = 0; i0 <= j0; i0 += t) {
            int64_t i1 = i0 + t < n ? i0 + t : n;
            /* Elements (i, j) with i in [i0, i1), j in [j0, j1), j > i, swap with (j, i). */
            for (int64_t i = i0; i < i1; ++i) {
                double *row = a + i * n, *column = a + i;
                for (int64_t j = (j0 > i + 1 ? j0 : i + 1); j < j1; ++j) {
                    double tmp = row[j];
                    row[j] = column[j * n];
                    column[j * n] = tmp;
                }
            }
        }
    }
}

#endif
