/* The baseline that `interop inv --backend lapack` is held against: dgetrf + dgetri on the spec
 * matrix, called straight from C with no .NET in between. Usage:
 *   bench_lapack_inverse [n=4000] [threads=2] [repeat=5]
 * One untimed warm-up, then `repeat` runs, each on a fresh copy of A (the copy is not timed);
 * prints the median, min and max seconds and GFLOP/s counted as 2n³. */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "bench_timing.h"
#include "splitmix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void openblas_set_num_threads(int num_threads);
extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
extern void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork,
                    int *info);

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4000;
    int threads = argc > 2 ? atoi(argv[2]) : 2;
    int repeat = argc > 3 ? atoi(argv[3]) : 5;
    if (n < 1 || threads < 1 || repeat < 1 || repeat > 100) {
        fprintf(stderr, "usage: %s [n >= 1] [threads >= 1] [repeat 1..100]\n", argv[0]);
        return 2;
    }
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(sizeof(double) * count), *x = malloc(sizeof(double) * count);
    int *ipiv = malloc(sizeof(int) * (size_t)n);
    double *seconds = malloc(sizeof(double) * (size_t)repeat);
    if (a == NULL || x == NULL || ipiv == NULL || seconds == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double rij = (double)(interop_mix(42, (uint64_t)i * (uint64_t)n + (uint64_t)j) >> 11) * 0x1p-53;
            double rji = (double)(interop_mix(42, (uint64_t)j * (uint64_t)n + (uint64_t)i) >> 11) * 0x1p-53;
            a[(size_t)i * (size_t)n + (size_t)j] = rij * rji;
        }
    openblas_set_num_threads(threads);
    int info = 0, lwork = -1;
    double query;
    dgetri_(&n, x, &n, ipiv, &query, &lwork, &info);
    lwork = (int)query;
    double *work = malloc(sizeof(double) * (size_t)(lwork > 1 ? lwork : 1));
    if (work == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (int r = -1; r < repeat; ++r) {
        memcpy(x, a, sizeof(double) * count);
        double start = bench_now();
        dgetrf_(&n, &n, x, &n, ipiv, &info);
        if (info == 0)
            dgetri_(&n, x, &n, ipiv, work, &lwork, &info);
        double elapsed = bench_now() - start;
        if (info != 0) {
            fprintf(stderr, "LAPACK failed: info %d\n", info);
            return 1;
        }
        if (r >= 0)
            seconds[r] = elapsed;
    }
    double median = bench_median(seconds, repeat);
    printf("dgetrf+dgetri from C: n=%d threads=%d median %.4f s (min %.4f, max %.4f) %.1f GFLOP/s\n", n,
           threads, median, seconds[0], seconds[repeat - 1], 2.0 * n * (double)n * n / median / 1e9);
    free(a);
    free(x);
    free(ipiv);
    free(work);
    free(seconds);
    return 0;
}
