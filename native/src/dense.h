/* Internal helpers shared by the C inversion kernels. Not part of the exported ABI. */
#ifndef INTEROP_DENSE_H
#define INTEROP_DENSE_H

#include <math.h>
#include <stdint.h>

/* max |a_i| over count elements; NaN if any element is NaN (so that the singular-pivot threshold
 * n * eps * max|a_ij| rejects a matrix holding NaN). */
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

#endif
