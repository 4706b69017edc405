/* array_check.h: the argument checks of the array entry points (interop_array.h's statuses -1 to -7, in
 * its order), one copy for the exports that are C or C++ (libinterop_native's array_entry.c,
 * libinterop_cpp's array_exports.cpp), so that the two cannot drift apart. Not part of the exported ABI.
 * (The Fortran and Rust kernels check in their own languages, the same statuses.) */
#ifndef INTEROP_ARRAY_CHECK_H
#define INTEROP_ARRAY_CHECK_H

#include "interop_array.h"

#include <stddef.h>
#include <stdint.h>

/* 0 where the arguments meet the pass's contract, else the first failing check's status. */
static inline int32_t interop_array_check_arguments(int32_t pass, int64_t n, int64_t chunk, int64_t row_begin,
                                                    int64_t row_end, const double *x, int64_t ldx, const double *xt,
                                                    int64_t ldxt, const double *m, const double *out, int64_t ldout,
                                                    const double *sum, const uint64_t *checksum, int32_t threads)
{
    if (pass != INTEROP_ARRAY_COLUMN_SUMS && pass != INTEROP_ARRAY_Y && pass != INTEROP_ARRAY_GENERATE)
        return -1;
    if (n < 1)
        return -2;
    if (chunk < 1 || chunk > n)
        return -3;
    if (row_begin < 0 || row_begin > row_end || row_end > n)
        return -4;
    if (pass == INTEROP_ARRAY_COLUMN_SUMS &&
        (row_begin % INTEROP_ARRAY_TILE_ROWS != 0 || (row_end % INTEROP_ARRAY_TILE_ROWS != 0 && row_end != n)))
        return -4;
    if ((x != NULL && ldx < n) || (pass == INTEROP_ARRAY_Y && x != NULL && ldxt < row_end - row_begin) ||
        ((out != NULL || pass != INTEROP_ARRAY_Y) && ldout < n))
        return -5;
    if (pass == INTEROP_ARRAY_Y && ((x != NULL && xt == NULL) || m == NULL || sum == NULL || checksum == NULL))
        return -6;
    if (pass != INTEROP_ARRAY_Y && out == NULL)
        return -6;
    if (pass == INTEROP_ARRAY_GENERATE && x != NULL)
        return -6;
    if (threads < 1)
        return -7;
    return 0;
}

#endif
