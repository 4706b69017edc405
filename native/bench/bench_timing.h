/* bench_timing.h: the clock and the median of the C benchmarks (bench_kernels, bench_lapack_inverse).
 * Include after defining _POSIX_C_SOURCE (clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11). */
#ifndef INTEROP_BENCH_TIMING_H
#define INTEROP_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int bench_compare(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Sorts the count > 0 values (so that [0] and [count - 1] are the min and max) and returns their median. */
static inline double bench_median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof(double), bench_compare);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

#endif /* INTEROP_BENCH_TIMING_H */
