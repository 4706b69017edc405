/* The inversion kernels of the kernel table (native/kernels.json), and LAPACK, timed from C on the spec
 * matrix, with no .NET in between:
 *   bench_inverse [kernel=<table id>|lapack|all] [n=4000] [threads=2] [repeat=5] [isa=auto]
 * isa (auto|scalar|avx2|avx512) forces the instruction-set path of each table kernel through its
 * library's <prefix>_select; a path a kernel's library cannot run here is refused. One untimed
 * warm-up, then `repeat` runs per kernel, each on a fresh copy of A (the copy is not timed); prints
 * the path, the median, min and max seconds, GFLOP/s counted as 2n³ (the flops of dgetrf + dgetri,
 * whatever a kernel really does) and the spec's scaled residual of the last inverse. */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "interop.h"
#include "kernel_table.h"
#include "splitmix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Times one kernel (`table`: its table binding, NULL for LAPACK); returns 0, or 1 after printing why it
 * failed. */
static int bench(const char *name, interop_inv_kernel kernel, const interop_kernel *table, int64_t n,
                 int32_t threads, int repeat, const double *a, double *x, double *seconds)
{
    size_t bytes = sizeof(double) * (size_t)n * (size_t)n;
    for (int r = -1; r < repeat; ++r) {
        memcpy(x, a, bytes);
        double start = now();
        int32_t status = kernel(n, x, threads);
        double elapsed = now() - start;
        if (status != 0) {
            fprintf(stderr, "%s: status %d %s\n", name, status,
                    table ? interop_kernel_last_error(table) : "");
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
    /* LAPACK is OpenBLAS's own code, whatever path the table's kernels take. */
    const char *isa = table ? interop_kernel_isa_name(table->isa_active()) : "openblas";
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
    int all = strcmp(which, "all") == 0, lapack = all || strcmp(which, "lapack") == 0;
    int known = lapack || interop_kernel_find(which) != NULL;
    int32_t isa = interop_kernel_isa_parse(isa_name);
    if (!known || n < 1 || n > 46340 || threads < 1 || repeat < 1 || repeat > 100 || isa < 0 || argc > 6) {
        fprintf(stderr,
                "usage: %s [%s|lapack|all] [n 1..46340] [threads >= 1] [repeat 1..100] "
                "[auto|scalar|avx2|avx512]\n",
                argv[0], interop_kernel_ids());
        return 2;
    }
    /* The CPU's own answer first (libinterop_native), for every kernel LAPACK included. */
    if (interop_isa_select(isa) != 0) {
        fprintf(stderr, "%s: this CPU cannot run the %s path\n", argv[0], isa_name);
        return 2;
    }
    /* Bind the kernels to time and force the path on their libraries before anything is timed. */
    interop_kernel *kernels = calloc(interop_kernel_row_count, sizeof *kernels);
    int *chosen = calloc(interop_kernel_row_count, sizeof *chosen);
    if (kernels == NULL || chosen == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t k = 0; k < interop_kernel_row_count; ++k) {
        const interop_kernel_row *row = &interop_kernel_rows[k];
        chosen[k] = all || strcmp(which, row->id) == 0 || strcmp(which, row->backend) == 0;
        char error[512];
        if (chosen[k] && interop_kernel_bind(row, &kernels[k], error, sizeof error) != 0) {
            fprintf(stderr, "%s: %s\n", row->id, error);
            return 1;
        }
        if (chosen[k] && kernels[k].isa_select(isa) != 0) {
            fprintf(stderr, "%s: %s cannot run the %s path on this CPU\n", argv[0], row->library->name,
                    isa_name);
            return 2;
        }
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
    for (size_t k = 0; k < interop_kernel_row_count; ++k)
        if (chosen[k])
            failed |= bench(interop_kernel_rows[k].id, kernels[k].inv, &kernels[k], n, threads, repeat, a, x,
                            seconds);
    if (lapack)
        failed |= bench("lapack", interop_inv_lapack, NULL, n, threads, repeat, a, x, seconds);
    free(a);
    free(x);
    free(seconds);
    free(kernels);
    free(chosen);
    return failed;
}
