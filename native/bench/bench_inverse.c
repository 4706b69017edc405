/* The library's own inversion kernels, timed from C on the spec matrix, with no .NET in between:
 *   bench_inverse [kernel=c|fortran|lapack|all] [n=4000] [threads=2] [repeat=5] [isa=auto]
 * isa (auto|scalar|avx2|avx512) forces the instruction-set path of the c and fortran kernels through
 * interop_isa_select; a path this CPU cannot run is refused. One untimed warm-up, then `repeat` runs
 * per kernel, each on a fresh copy of A (the copy is not timed); prints the path, the median, min
 * and max seconds, GFLOP/s counted as 2n³ (the flops of dgetrf + dgetri, whatever a kernel really
 * does) and the spec's scaled residual of the last inverse. */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "interop.h"
#include "splitmix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int32_t (*inv_kernel)(int64_t, double *, int32_t);

static const struct {
    const char *name;
    inv_kernel kernel;
} kernels[] = {{"c", interop_inv_c}, {"fortran", interop_inv_fortran}, {"lapack", interop_inv_lapack}};

static const char *const isa_names[] = {"auto", "scalar", "avx2", "avx512"}; /* INTEROP_ISA_* order */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Times one kernel; returns 0, or 1 after printing why it failed. */
static int bench(const char *name, inv_kernel kernel, int64_t n, int32_t threads, int repeat, const double *a,
                 double *x, double *seconds)
{
    size_t bytes = sizeof(double) * (size_t)n * (size_t)n;
    for (int r = -1; r < repeat; ++r) {
        memcpy(x, a, bytes);
        double start = now();
        int32_t status = kernel(n, x, threads);
        double elapsed = now() - start;
        if (status != 0) {
            fprintf(stderr, "%s: status %d\n", name, status);
            return 1;
        }
        if (r >= 0)
            seconds[r] = elapsed;
    }
    double residual = -1.0;
    int32_t status = interop_inv_residual(n, a, x, threads, &residual);
    if (status != 0) {
        fprintf(stderr, "%s: residual status %d\n", name, status);
        return 1;
    }
    qsort(seconds, (size_t)repeat, sizeof(double), compare);
    double median = repeat % 2 ? seconds[repeat / 2] : (seconds[repeat / 2 - 1] + seconds[repeat / 2]) / 2;
    double flops = 2.0 * (double)n * (double)n * (double)n;
    /* LAPACK is OpenBLAS's own code, whatever path the library's kernels take. */
    const char *isa = strcmp(name, "lapack") == 0 ? "openblas" : isa_names[interop_isa_active()];
    printf("%-8s %-8s n=%lld threads=%d median %.4f s (min %.4f, max %.4f) %.1f GFLOP/s, residual %.3g%s\n",
           name, isa, (long long)n, threads, median, seconds[0], seconds[repeat - 1], flops / median / 1e9,
           residual, residual <= 30.0 ? "" : " FAILED");
    return residual <= 30.0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int64_t n = argc > 2 ? atoll(argv[2]) : 4000;
    int32_t threads = argc > 3 ? atoi(argv[3]) : 2;
    int repeat = argc > 4 ? atoi(argv[4]) : 5;
    const char *isa_name = argc > 5 ? argv[5] : "auto";
    int known = strcmp(which, "all") == 0;
    for (size_t k = 0; k < sizeof kernels / sizeof *kernels; ++k)
        known |= strcmp(which, kernels[k].name) == 0;
    int32_t isa = -1;
    for (int32_t i = 0; i < (int32_t)(sizeof isa_names / sizeof *isa_names); ++i)
        if (strcmp(isa_name, isa_names[i]) == 0)
            isa = i;
    if (!known || n < 1 || n > 46340 || threads < 1 || repeat < 1 || repeat > 100 || isa < 0 || argc > 6) {
        fprintf(stderr,
                "usage: %s [c|fortran|lapack|all] [n 1..46340] [threads >= 1] [repeat 1..100] "
                "[auto|scalar|avx2|avx512]\n",
                argv[0]);
        return 2;
    }
    if (interop_isa_select(isa) != 0) {
        fprintf(stderr, "%s: this CPU cannot run the %s path\n", argv[0], isa_name);
        return 2;
    }
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(sizeof(double) * count), *x = malloc(sizeof(double) * count);
    double *seconds = malloc(sizeof(double) * (size_t)repeat);
    if (a == NULL || x == NULL || seconds == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    /* The spec matrix A = R∘Rᵀ, row-major, seed 42. */
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double rij = (double)(interop_mix(42, (uint64_t)(i * n + j)) >> 11) * 0x1p-53;
            double rji = (double)(interop_mix(42, (uint64_t)(j * n + i)) >> 11) * 0x1p-53;
            a[i * n + j] = rij * rji;
        }
    int failed = 0;
    for (size_t k = 0; k < sizeof kernels / sizeof *kernels; ++k)
        if (strcmp(which, "all") == 0 || strcmp(which, kernels[k].name) == 0)
            failed |= bench(kernels[k].name, kernels[k].kernel, n, threads, repeat, a, x, seconds);
    free(a);
    free(x);
    free(seconds);
    return failed;
}
