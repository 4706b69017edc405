/* CTest: the array workload (interop_array.h) on every kernel of the table (native/kernels.json) that
 * runs it (its "symbols" name "array"), bound by symbol as the other suites bind theirs (native/table).
 *   test_array_kernels <id> <path>  one kernel on one instruction-set path (77: skipped, the path is
 *                                   not there): y bit for bit against this program's own plain loops
 *                                   (the spec's), generated and in memory, whole and in bands of rows
 *                                   with the transposed columns apart (as an MPI rank holds them), at
 *                                   several orders, chunks and thread counts; the column sums of every
 *                                   tile; the generation; the checksum and sum; argument statuses.
 *   test_array_kernels agree        every such kernel on every path its library runs here: the same
 *                                   checksum at one order.
 * Nothing here assumes which paths this CPU has: a library says (its <prefix>_supported). */
#include "interop.h"
#include "interop_array.h"
#include "kernel_table.h"
#include "splitmix.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef int32_t (*array_kernel)(int32_t pass, int64_t n, int64_t chunk, uint64_t seed, int64_t row_begin,
                                int64_t row_end, const double *x, int64_t ldx, const double *xt, int64_t ldxt,
                                const double *m, double *out, int64_t ldout, double *sum, uint64_t *checksum,
                                int32_t threads);

static const char workload[] = "array";
static const uint64_t seed = 42;

/* ---- This program's own plain loops, as docs/workload-spec.md writes them ---- */

static double spec_x(int64_t n, int64_t i, int64_t j)
{
    return (double)(interop_mix(seed, (uint64_t)(i * n + j)) >> 11) * 0x1p-53;
}

typedef struct {
    int64_t n;
    double *x, *tiles, *m, *y;
    uint64_t checksum;
    double sum_x;
} reference;

static reference make_reference(int64_t n)
{
    reference r = {n, malloc(sizeof(double) * (size_t)(n * n)), NULL, malloc(sizeof(double) * (size_t)n),
                   malloc(sizeof(double) * (size_t)(n * n)), 0, 0.0};
    int64_t tiles = (n + INTEROP_ARRAY_TILE_ROWS - 1) / INTEROP_ARRAY_TILE_ROWS;
    r.tiles = calloc((size_t)(tiles * n), sizeof(double));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            r.x[i * n + j] = spec_x(n, i, j);
    for (int64_t j = 0; j < n; ++j) {
        double total = 0.0;
        for (int64_t t = 0; t < tiles; ++t) {
            double s = 0.0;
            for (int64_t i = t * INTEROP_ARRAY_TILE_ROWS; i < n && i < (t + 1) * INTEROP_ARRAY_TILE_ROWS; ++i)
                s += r.x[i * n + j];
            r.tiles[t * n + j] = s;
            total += s;
        }
        r.sum_x += total;
        r.m[j] = total / (double)n;
    }
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double y = (r.x[i * n + j] + r.x[j * n + i]) - r.m[j];
            uint64_t bits;
            memcpy(&bits, &y, sizeof bits);
            r.y[i * n + j] = y;
            r.checksum += bits;
        }
    return r;
}

static void free_reference(reference *r)
{
    free(r->x);
    free(r->tiles);
    free(r->m);
    free(r->y);
}

/* ---- The kernels ---- */

static const interop_kernel *current;
static char what[96];

static array_kernel array_of(const interop_kernel *kernel)
{
    return (array_kernel)interop_kernel_function_of(kernel, workload);
}

/* The first element of y (or x) that differs from the reference, -1 if none. */
static int64_t first_difference(const double *got, const double *expected, int64_t count)
{
    for (int64_t k = 0; k < count; ++k)
        if (memcmp(&got[k], &expected[k], sizeof(double)) != 0)
            return k;
    return -1;
}

/* sum(y) against sum(x): equal in exact arithmetic; each kernel adds n^2 terms of size < 2. */
static int sum_close(double sum, double sum_x, int64_t n)
{
    return fabs(sum - sum_x) <= 1e-13 * (double)(n * n) + 1e-12;
}

/* y whole, generated and from memory (x and xt the same array, the paired blocks), at `chunk` and
 * `threads`: every bit, the checksum and the sum. */
static void test_whole(array_kernel kernel, const reference *r, int64_t chunk, int32_t threads)
{
    int64_t n = r->n;
    double *y = malloc(sizeof(double) * (size_t)(n * n));
    for (int source = 0; source < 2; ++source) {
        const double *x = source == 0 ? NULL : r->x;
        memset(y, 0xff, sizeof(double) * (size_t)(n * n));
        double sum = 0.0;
        uint64_t checksum = 0;
        int32_t status =
            kernel(INTEROP_ARRAY_Y, n, chunk, seed, 0, n, x, n, x, n, r->m, y, n, &sum, &checksum, threads);
        const char *how = source == 0 ? "generated" : "in memory";
        CHECK(status == 0, "%s: y %s n %lld chunk %lld threads %d: status %d %s", what, how, (long long)n,
              (long long)chunk, threads, status, interop_kernel_last_error(current));
        if (status != 0)
            continue;
        int64_t k = first_difference(y, r->y, n * n);
        CHECK(k < 0, "%s: y %s n %lld chunk %lld threads %d: y[%lld][%lld] = %.17g, the spec's %.17g", what, how,
              (long long)n, (long long)chunk, threads, (long long)(k / n), (long long)(k % n), k < 0 ? 0.0 : y[k],
              k < 0 ? 0.0 : r->y[k]);
        CHECK(checksum == r->checksum, "%s: y %s n %lld chunk %lld: checksum %016llx, the spec's %016llx", what, how,
              (long long)n, (long long)chunk, (unsigned long long)checksum, (unsigned long long)r->checksum);
        CHECK(sum_close(sum, r->sum_x, n), "%s: y %s n %lld: sum %.17g, sum(x) %.17g", what, how, (long long)n, sum,
              r->sum_x);
        /* Not kept: the same checksum. */
        uint64_t bare = 0;
        status = kernel(INTEROP_ARRAY_Y, n, chunk, seed, 0, n, x, n, x, n, r->m, NULL, n, &sum, &bare, threads);
        CHECK(status == 0 && bare == r->checksum, "%s: y %s n %lld not kept: status %d checksum %016llx", what, how,
              (long long)n, status, (unsigned long long)bare);
    }
    free(y);
}

/* y in bands of rows, as an MPI rank computes its own: the band's rows of x and the transposed
 * columns in a separate array (xt[j][i - begin] = x[j][i]), or generated. */
static void test_bands(array_kernel kernel, const reference *r, int64_t chunk, int64_t bands, int32_t threads)
{
    int64_t n = r->n;
    uint64_t total = 0;
    for (int64_t b = 0; b < bands; ++b) {
        int64_t begin, end;
        interop_split(0, n, bands, b, &begin, &end);
        int64_t rows = end - begin;
        double *xt = malloc(sizeof(double) * (size_t)(n * (rows > 0 ? rows : 1)));
        double *y = malloc(sizeof(double) * (size_t)((rows > 0 ? rows : 1) * n));
        for (int64_t j = 0; j < n; ++j)
            for (int64_t i = begin; i < end; ++i)
                xt[j * rows + (i - begin)] = r->x[j * n + i];
        for (int source = 0; source < 2; ++source) {
            const double *x = source == 0 ? NULL : r->x + begin * n;
            double sum = 0.0;
            uint64_t checksum = 0;
            int32_t status = kernel(INTEROP_ARRAY_Y, n, chunk, seed, begin, end, x, n, source == 0 ? NULL : xt,
                                    rows > 0 ? rows : 1, r->m, y, n, &sum, &checksum, threads);
            CHECK(status == 0, "%s: band [%lld, %lld) of n %lld chunk %lld: status %d %s", what, (long long)begin,
                  (long long)end, (long long)n, (long long)chunk, status, interop_kernel_last_error(current));
            if (status != 0)
                continue;
            int64_t k = first_difference(y, r->y + begin * n, rows * n);
            CHECK(k < 0, "%s: band [%lld, %lld) %s, n %lld chunk %lld: y[%lld][%lld] differs", what, (long long)begin,
                  (long long)end, source == 0 ? "generated" : "in memory", (long long)n, (long long)chunk,
                  (long long)(begin + k / n), (long long)(k % n));
            if (source == 1)
                total += checksum;
        }
        free(xt);
        free(y);
    }
    CHECK(total == r->checksum, "%s: %lld bands of n %lld: checksums add to %016llx, the spec's %016llx", what,
          (long long)bands, (long long)n, (unsigned long long)total, (unsigned long long)r->checksum);
}

/* The tiles' column sums, generated and in memory, whole and from a later tile on; the generation. */
static void test_sums_and_generation(array_kernel kernel, const reference *r, int32_t threads)
{
    int64_t n = r->n;
    int64_t tiles = (n + INTEROP_ARRAY_TILE_ROWS - 1) / INTEROP_ARRAY_TILE_ROWS;
    double *sums = malloc(sizeof(double) * (size_t)(tiles * n));
    for (int64_t first_tile = 0; first_tile < tiles; first_tile += tiles > 1 ? tiles - 1 : 1) {
        int64_t begin = first_tile * INTEROP_ARRAY_TILE_ROWS;
        for (int source = 0; source < 2; ++source) {
            const double *x = source == 0 ? NULL : r->x + begin * n;
            memset(sums, 0xff, sizeof(double) * (size_t)(tiles * n));
            int32_t status = kernel(INTEROP_ARRAY_COLUMN_SUMS, n, 1, seed, begin, n, x, n, NULL, 0, NULL, sums, n,
                                    NULL, NULL, threads);
            CHECK(status == 0, "%s: column sums from row %lld of n %lld: status %d", what, (long long)begin,
                  (long long)n, status);
            int64_t k = first_difference(sums, r->tiles + first_tile * n, (tiles - first_tile) * n);
            CHECK(status != 0 || k < 0, "%s: column sums %s, n %lld from tile %lld: tile %lld column %lld differs",
                  what, source == 0 ? "generated" : "in memory", (long long)n, (long long)first_tile,
                  (long long)(first_tile + k / n), (long long)(k % n));
        }
    }
    free(sums);
    double *x = malloc(sizeof(double) * (size_t)(n * n));
    int64_t begin = n / 3;
    int32_t status = kernel(INTEROP_ARRAY_GENERATE, n, n > 5 ? 5 : n, seed, begin, n, NULL, n, NULL, 0, NULL, x, n,
                            NULL, NULL, threads);
    CHECK(status == 0 && first_difference(x, r->x + begin * n, (n - begin) * n) < 0,
          "%s: generated rows [%lld, %lld) of n %lld: status %d or an element differs", what, (long long)begin,
          (long long)n, (long long)n, status);
    free(x);
}

static void test_arguments(array_kernel kernel)
{
    double out[64], m[8] = {0}, sum;
    uint64_t checksum;
    const double x[64] = {0};
    CHECK(kernel(7, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -1, "%s: pass 7", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 0, 1, seed, 0, 0, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -2,
          "%s: n 0", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 0, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -3,
          "%s: chunk 0", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 9, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -3,
          "%s: chunk past n", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 5, 4, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -4,
          "%s: rows backwards", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 9, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -4,
          "%s: rows past n", what);
    CHECK(kernel(INTEROP_ARRAY_COLUMN_SUMS, 600, 2, seed, 100, 600, NULL, 600, NULL, 0, NULL, out, 600, NULL, NULL,
                 1) == -4,
          "%s: column sums off a tile boundary", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, x, 7, x, 8, m, out, 8, &sum, &checksum, 1) == -5, "%s: ldx 7",
          what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, x, 8, x, 7, m, out, 8, &sum, &checksum, 1) == -5, "%s: ldxt 7",
          what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, m, out, 7, &sum, &checksum, 1) == -5,
          "%s: ldout 7", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, x, 8, NULL, 8, m, out, 8, &sum, &checksum, 1) == -6,
          "%s: x without xt", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, NULL, out, 8, &sum, &checksum, 1) == -6,
          "%s: no means", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, NULL, &checksum, 1) == -6,
          "%s: no sum", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, &sum, NULL, 1) == -6,
          "%s: no checksum", what);
    CHECK(kernel(INTEROP_ARRAY_COLUMN_SUMS, 8, 2, seed, 0, 8, NULL, 8, NULL, 0, NULL, NULL, 8, NULL, NULL, 1) == -6,
          "%s: column sums without out", what);
    CHECK(kernel(INTEROP_ARRAY_GENERATE, 8, 2, seed, 0, 8, x, 8, NULL, 0, NULL, out, 8, NULL, NULL, 1) == -6,
          "%s: generation given x", what);
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 0, 8, NULL, 8, NULL, 8, m, out, 8, &sum, &checksum, 0) == -7,
          "%s: threads 0", what);
    /* No rows: nothing computed, sum and checksum 0. */
    sum = 1.0;
    checksum = 1;
    CHECK(kernel(INTEROP_ARRAY_Y, 8, 2, seed, 4, 4, NULL, 8, NULL, 8, m, NULL, 8, &sum, &checksum, 3) == 0 &&
              sum == 0.0 && checksum == 0,
          "%s: no rows", what);
}

static void test_kernel(const interop_kernel *kernel)
{
    snprintf(what, sizeof what, "%s %s", kernel->row->id, interop_kernel_isa_name(kernel->isa_active()));
    array_kernel run = array_of(kernel);
    test_arguments(run);
    /* Orders below, at and past a tile and a sub-tile edge, with ragged last chunks. */
    const int64_t orders[] = {1, 7, 33, 256, 300, 513};
    for (size_t o = 0; o < sizeof orders / sizeof *orders; ++o) {
        int64_t n = orders[o];
        reference r = make_reference(n);
        const int64_t chunks[] = {1, 7, 32, 100, n};
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; ++c) {
            if (chunks[c] > n || (chunks[c] == 1 && n > 33))
                continue;
            for (int32_t threads = 1; threads <= 3; ++threads)
                test_whole(run, &r, chunks[c], threads);
            test_bands(run, &r, chunks[c], 3, 2);
        }
        test_sums_and_generation(run, &r, 2);
        free_reference(&r);
    }
}

/* Every row that runs the array workload on every path its library runs here: the same checksum. */
static void agree_on_path(const interop_kernel_row *row, interop_kernel *kernel, int32_t isa, void *context)
{
    const int64_t n = 700;
    const reference *r = context;
    current = kernel;
    double sum;
    uint64_t checksum = 0;
    int32_t status =
        array_of(kernel)(INTEROP_ARRAY_Y, n, 128, seed, 0, n, NULL, n, NULL, n, r->m, NULL, n, &sum, &checksum, 2);
    printf("%-8s %-7s checksum %016llx sum %.17g\n", row->id, interop_kernel_isa_name(isa),
           (unsigned long long)checksum, sum);
    CHECK(status == 0 && checksum == r->checksum, "%s %s: status %d, checksum %016llx, the spec's %016llx", row->id,
          interop_kernel_isa_name(isa), status, (unsigned long long)checksum, (unsigned long long)r->checksum);
    current = NULL;
}

static void test_agree(void)
{
    reference r = make_reference(700);
    failures += interop_kernel_for_each_path(workload, agree_on_path, &r);
    free_reference(&r);
}

int main(int argc, char **argv)
{
    int32_t isa = argc == 3 ? interop_kernel_isa_parse(argv[2]) : -1;
    int kernel_suite = argc == 3 && isa > INTEROP_ISA_AUTO && interop_kernel_find(argv[1]) != NULL;
    int agree_suite = argc == 2 && strcmp(argv[1], "agree") == 0;
    if (!kernel_suite && !agree_suite) {
        fprintf(stderr, "usage: %s %s scalar|avx2|avx512\n       %s agree\n", argv[0], interop_kernel_ids(), argv[0]);
        return 2;
    }
    if (kernel_suite) {
        interop_kernel kernel;
        int prepared = interop_kernel_prepare(argv[1], workload, isa, &kernel);
        if (prepared != 0)
            return prepared;
        current = &kernel;
        test_kernel(&kernel);
        CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    } else {
        test_agree();
    }
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed (%s%s%s)\n", argv[1], argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
    return 0;
}
