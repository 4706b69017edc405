/* The kernels of the kernel table (native/kernels.json), and LAPACK for the inversion, timed from C
 * with no .NET in between:
 *   bench_kernels pi  [kernel=<table id>|all] [darts=1e8] [threads=1] [repeat=5] [isa=auto]
 *   bench_kernels inv [kernel=<table id>|lapack|all] [n=4000] [threads=2] [repeat=5] [isa=auto]
 * isa (auto|scalar|avx2|avx512) forces the instruction-set path of each table kernel through its
 * library's <prefix>_select; a path a kernel's library cannot run here is refused. One untimed
 * warm-up, then `repeat` rounds in which every chosen kernel runs once, in turn, so that all of them
 * see the same machine state (an inversion from a fresh copy of A each time, the copy not timed).
 * Prints per kernel the path, the median, min and max seconds and the rate: darts/s, or GFLOP/s
 * counted as 2n³ (the flops of dgetrf + dgetri, whatever a kernel really does); and the first
 * kernel's median over each other's (>= 1: as fast or faster than the first), the ratio the issues'
 * speed targets are written in. Checks: every pi count equals the first kernel's (the spec makes
 * them bit-identical), every last inverse passes the spec's scaled residual; exit 1 otherwise.
 * One process holds every kernel's runtime: libgomp's and OpenBLAS's workers spin for a while after
 * their work, on the cores the next kernel needs. On few cores, set OMP_WAIT_POLICY=passive (as the
 * CTest runs do; Zen 3, 2 cores, n = 2000: every kernel ran faster so) or time two kernels at a time.
 * A row that runs no kernel of the workload (its "symbols" in the table leave it out) is skipped by
 * `all` and refused by name.
 * Take flock /tmp/interop-bench.lock while timing on a shared machine. */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "bench_timing.h"
#include "interop.h"
#include "kernel_table.h"
#include "splitmix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One kernel to time: its name, its table binding (NULL for LAPACK) and its run times. */
typedef struct {
    const char *name;
    const interop_kernel *kernel;
    interop_pi_kernel pi;
    interop_inv_kernel inv;
    double *seconds;
    int64_t inside; /* pi: the count of the last run */
    int failed;
} timed_kernel;

/* What every run shares. */
typedef struct {
    int pi;       /* 1: pi, 0: inversion */
    int64_t size; /* darts, or n */
    int32_t threads;
    const double *a; /* inv: the spec matrix */
    double *x;       /* inv: the copy a kernel inverts */
} workload;

/* One run of `k`; its seconds, or a negative number after printing why it failed. */
static double run_once(const workload *w, timed_kernel *k)
{
    int32_t status;
    double start, elapsed;
    if (w->pi) {
        start = bench_now();
        status = k->pi(42, 0, w->size, w->threads, &k->inside);
        elapsed = bench_now() - start;
    } else {
        memcpy(w->x, w->a, sizeof(double) * (size_t)w->size * (size_t)w->size);
        start = bench_now();
        status = k->inv(w->size, w->x, w->threads);
        elapsed = bench_now() - start;
    }
    if (status != 0) {
        fprintf(stderr, "%s: status %d %s\n", k->name, status,
                k->kernel ? interop_kernel_last_error(k->kernel) : "");
        return -1.0;
    }
    return elapsed;
}

/* The check of a kernel's last run, "" or the reason it failed; prints nothing. */
static const char *check_last(const workload *w, const timed_kernel *k, const timed_kernel *first, char *text,
                              size_t capacity)
{
    if (w->pi) {
        if (k->inside != first->inside)
            snprintf(text, capacity, "count %lld, %s's %lld", (long long)k->inside, first->name,
                     (long long)first->inside);
        else
            snprintf(text, capacity, "%s", "");
        return text;
    }
    double residual = -1.0;
    int32_t status = interop_inv_residual(w->size, w->a, w->x, w->threads, &residual);
    if (status != 0 || !(residual <= 30.0))
        snprintf(text, capacity, "residual %.3g (status %d)", residual, status);
    else
        snprintf(text, capacity, "%s", "");
    return text;
}

static int usage(const char *program)
{
    fprintf(stderr,
            "usage: %s pi [%s|all] [darts 1..1e12] [threads >= 1] [repeat 1..100] [auto|scalar|avx2|avx512]\n"
            "       %s inv [%s|lapack|all] [n 1..46340] [threads >= 1] [repeat 1..100] "
            "[auto|scalar|avx2|avx512]\n",
            program, interop_kernel_ids(), program, interop_kernel_ids());
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "pi") != 0 && strcmp(argv[1], "inv") != 0) || argc > 7)
        return usage(argv[0]);
    workload w = {.pi = strcmp(argv[1], "pi") == 0};
    const char *which = argc > 2 ? argv[2] : "all";
    double size = argc > 3 ? atof(argv[3]) : w.pi ? 1e8 : 4000;
    w.threads = argc > 4 ? atoi(argv[4]) : w.pi ? 1 : 2;
    int repeat = argc > 5 ? atoi(argv[5]) : 5;
    const char *isa_name = argc > 6 ? argv[6] : "auto";
    int all = strcmp(which, "all") == 0, lapack = !w.pi && (all || strcmp(which, "lapack") == 0);
    int known = lapack || interop_kernel_find(which) != NULL || all;
    int32_t isa = interop_kernel_isa_parse(isa_name);
    w.size = (int64_t)size;
    if (!known || w.size < 1 || (double)w.size != size || w.size > (w.pi ? (int64_t)1e12 : 46340) ||
        w.threads < 1 || repeat < 1 || repeat > 100 || isa < 0)
        return usage(argv[0]);
    /* The CPU's own answer first (libinterop_native), for every kernel LAPACK included. */
    if (interop_isa_select(isa) != 0) {
        fprintf(stderr, "%s: this CPU cannot run the %s path\n", argv[0], isa_name);
        return 2;
    }
    /* Bind the kernels to time and force the path on their libraries before anything is timed. */
    interop_kernel *kernels = calloc(interop_kernel_row_count, sizeof *kernels);
    timed_kernel *timed = calloc(interop_kernel_row_count + 1, sizeof *timed);
    size_t count = 0;
    if (kernels == NULL || timed == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    const char *workload_key = w.pi ? "pi" : "inv";
    for (size_t r = 0; r < interop_kernel_row_count; ++r) {
        const interop_kernel_row *row = &interop_kernel_rows[r];
        if (!all && strcmp(which, row->id) != 0 && strcmp(which, row->backend) != 0)
            continue;
        if (interop_kernel_symbol_of(row, workload_key) == NULL) {
            if (all)
                continue;
            fprintf(stderr, "%s: %s runs no %s kernel (native/kernels.json names no '%s' symbol for it)\n",
                    argv[0], row->id, workload_key, workload_key);
            return 2;
        }
        char message[512];
        int status = interop_kernel_bind_path(row, isa, &kernels[r], message, sizeof message);
        if (status != 0) {
            fprintf(stderr, "%s: %s: %s\n", argv[0], row->id, message);
            return status == INTEROP_KERNEL_PATH_MISSING ? 2 : 1;
        }
        timed[count++] = (timed_kernel){row->id, &kernels[r],
                                        (interop_pi_kernel)interop_kernel_function_of(&kernels[r], "pi"),
                                        (interop_inv_kernel)interop_kernel_function_of(&kernels[r], "inv"), NULL, 0, 0};
    }
    if (lapack)
        timed[count++] = (timed_kernel){"lapack", NULL, NULL, interop_inv_lapack, NULL, 0, 0};
    if (count == 0) {
        fprintf(stderr, "%s: no kernel of native/kernels.json in this build runs %s\n", argv[0],
                workload_key);
        return 2;
    }
    double *a = NULL, *x = NULL;
    if (!w.pi) {
        size_t elements = (size_t)w.size * (size_t)w.size;
        a = malloc(sizeof(double) * elements);
        x = malloc(sizeof(double) * elements);
        if (a == NULL || x == NULL) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        /* The spec matrix A = R∘Rᵀ, row-major, seed 42. */
        for (int64_t i = 0; i < w.size; ++i)
            for (int64_t j = 0; j < w.size; ++j) {
                double rij = (double)(interop_mix(42, (uint64_t)(i * w.size + j)) >> 11) * 0x1p-53;
                double rji = (double)(interop_mix(42, (uint64_t)(j * w.size + i)) >> 11) * 0x1p-53;
                a[i * w.size + j] = rij * rji;
            }
        w.a = a;
        w.x = x;
    }
    for (size_t k = 0; k < count; ++k)
        if ((timed[k].seconds = malloc(sizeof(double) * (size_t)repeat)) == NULL) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }

    /* Round -1 is the warm-up. An inversion's check needs its x before the next kernel overwrites it. */
    int failed = 0;
    char reason[256];
    for (int round = -1; round < repeat; ++round)
        for (size_t k = 0; k < count; ++k) {
            if (timed[k].failed)
                continue;
            double seconds = run_once(&w, &timed[k]);
            if (seconds < 0.0) {
                timed[k].failed = failed = 1;
                continue;
            }
            if (round >= 0)
                timed[k].seconds[round] = seconds;
            if (round == repeat - 1 &&
                check_last(&w, &timed[k], &timed[0], reason, sizeof reason)[0] != '\0') {
                fprintf(stderr, "%s: FAILED: %s\n", timed[k].name, reason);
                timed[k].failed = failed = 1;
            }
        }

    double first_median = 0.0;
    for (size_t k = 0; k < count; ++k) {
        if (timed[k].failed)
            continue;
        double median = bench_median(timed[k].seconds, repeat);
        double rate = w.pi ? (double)w.size / median
                           : 2.0 * (double)w.size * (double)w.size * (double)w.size / median / 1e9;
        /* LAPACK is OpenBLAS's own code, whatever path the table's kernels take. */
        const char *path =
            timed[k].kernel ? interop_kernel_isa_name(timed[k].kernel->isa_active()) : "openblas";
        if (k == 0)
            first_median = median;
        printf("%-8s %-8s %s=%lld threads=%d median %.4f s (min %.4f, max %.4f) %.4g %s", timed[k].name, path,
               w.pi ? "darts" : "n", (long long)w.size, w.threads, median, timed[k].seconds[0],
               timed[k].seconds[repeat - 1], rate, w.pi ? "darts/s" : "GFLOP/s");
        if (k > 0 && !timed[0].failed)
            printf(", %s's time over this one's %.2f", timed[0].name, first_median / median);
        printf("\n");
    }
    for (size_t k = 0; k < count; ++k)
        free(timed[k].seconds);
    free(timed);
    free(kernels);
    free(a);
    free(x);
    return failed;
}
