/* The rust-threads kernels timed against the c-openmp ones, from C so that no managed code sits in
 * between (not a test). Each measurement is the median of `repeat` timed runs after one untimed
 * warm-up; the two kernels alternate, so that both see the same machine state.
 *   pi:  1e8 darts on 1 thread (interop_pi_count_rust against interop_pi_count_c);
 *   inv: the spec's matrix, n = 2000, 2 threads (interop_inv_rust against interop_inv_c); another
 *        thread count with the fourth argument (1: the kernels without their threads' synchronisation).
 * The ratio is the C kernel's time over the Rust kernel's (>= 1: Rust as fast or faster). Both
 * libraries take the same path: auto (each its best), scalar or avx2.
 * Usage: bench_rust [pi|inv|all] [auto|scalar|avx2] [repeat] [inv threads]
 *        (take flock /tmp/interop-bench.lock) */
/* clock_gettime(CLOCK_MONOTONIC) under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "interop.h"
#include "interop_rust.h"

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

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof *values, compare);
    return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

enum { MAX_REPEAT = 99 };

static void report(const char *what, const double *c, const double *rust, int repeat, double work, const char *unit)
{
    double tc[MAX_REPEAT], tr[MAX_REPEAT];
    memcpy(tc, c, sizeof(double) * (size_t)repeat);
    memcpy(tr, rust, sizeof(double) * (size_t)repeat);
    double mc = median(tc, repeat), mr = median(tr, repeat);
    printf("%-28s c-openmp %8.4f s (%7.2f %s)   rust-threads %8.4f s (%7.2f %s)   ratio rust/c %.3f\n", what, mc,
           work / mc, unit, mr, work / mr, unit, mc / mr);
}

static int bench_pi(int repeat)
{
    const int64_t darts = 100000000;
    double tc[MAX_REPEAT], tr[MAX_REPEAT];
    int64_t inside_c = 0, inside_rust = 0;
    for (int r = -1; r < repeat; ++r) {
        double t0 = now();
        if (interop_pi_count_c(42, 0, darts, 1, &inside_c) != 0)
            return 1;
        double t1 = now();
        if (interop_pi_count_rust(42, 0, darts, 1, &inside_rust) != 0)
            return 1;
        double t2 = now();
        if (r >= 0) {
            tc[r] = t1 - t0;
            tr[r] = t2 - t1;
        }
    }
    if (inside_c != inside_rust) {
        fprintf(stderr, "pi counts differ: c %lld, rust %lld\n", (long long)inside_c, (long long)inside_rust);
        return 1;
    }
    report("pi 1e8 darts, 1 thread", tc, tr, repeat, (double)darts * 1e-9, "Gdarts/s");
    return 0;
}

static double unit(uint64_t s, uint64_t k)
{
    uint64_t z = s + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static int bench_inv(int repeat, int32_t threads)
{
    const int64_t n = 2000;
    const size_t bytes = sizeof(double) * (size_t)(n * n);
    double *a = malloc(bytes), *x = malloc(bytes);
    if (a == NULL || x == NULL)
        return 1;
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[i * n + j] = unit(1, (uint64_t)(i * n + j)) * unit(1, (uint64_t)(j * n + i));
    double tc[MAX_REPEAT], tr[MAX_REPEAT];
    for (int r = -1; r < repeat; ++r) {
        memcpy(x, a, bytes);
        double t0 = now();
        int32_t sc = interop_inv_c(n, x, threads);
        double t1 = now();
        memcpy(x, a, bytes);
        double t2 = now();
        int32_t sr = interop_inv_rust(n, x, threads);
        double t3 = now();
        if (sc != 0 || sr != 0) {
            fprintf(stderr, "inversion failed: c %d, rust %d\n", sc, sr);
            return 1;
        }
        if (r >= 0) {
            tc[r] = t1 - t0;
            tr[r] = t3 - t2;
        }
    }
    free(a);
    free(x);
    char what[64];
    snprintf(what, sizeof what, "inv n=2000, %d thread%s", threads, threads == 1 ? "" : "s");
    report(what, tc, tr, repeat, 2.0 * (double)(n * n * n) * 1e-9, "GFLOP/s");
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    const char *path = argc > 2 ? argv[2] : "auto";
    int repeat = argc > 3 ? atoi(argv[3]) : 5;
    int32_t threads = argc > 4 ? (int32_t)atoi(argv[4]) : 2;
    int32_t isa = strcmp(path, "auto") == 0     ? INTEROP_ISA_AUTO
                  : strcmp(path, "scalar") == 0 ? INTEROP_ISA_SCALAR
                  : strcmp(path, "avx2") == 0   ? INTEROP_ISA_AVX2
                                                : -1;
    if (isa < 0 || repeat < 1 || repeat > MAX_REPEAT || threads < 1 ||
        (strcmp(what, "pi") != 0 && strcmp(what, "inv") != 0 && strcmp(what, "all") != 0)) {
        fprintf(stderr, "usage: %s [pi|inv|all] [auto|scalar|avx2] [repeat 1..%d] [inv threads]\n", argv[0], MAX_REPEAT);
        return 2;
    }
    if (interop_isa_select(isa) != 0 || interop_rust_isa_select(isa) != 0) {
        fprintf(stderr, "this CPU cannot run the %s path\n", path);
        return 2;
    }
    printf("path: c-openmp %s, rust-threads %s; median of %d after a warm-up\n",
           interop_isa_active() == INTEROP_ISA_AVX2 ? "avx2" : interop_isa_active() == INTEROP_ISA_AVX512 ? "avx512" : "scalar",
           interop_rust_isa_active() == INTEROP_ISA_AVX2 ? "avx2" : "scalar", repeat);
    int failed = 0;
    if (strcmp(what, "inv") != 0)
        failed |= bench_pi(repeat);
    if (strcmp(what, "pi") != 0)
        failed |= bench_inv(repeat, threads);
    return failed;
}
