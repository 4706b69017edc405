/* CTest: the inversion kernels of the kernel table (native/kernels.json, bound by symbol) and LAPACK
 * against each other and the spec's scaled residual, on sizes around the block sizes, known matrices
 * and singular inputs. A table kernel runs on one instruction-set path, forced with its library's
 * <prefix>_select. The residual suite also checks the O(n^2) estimate of the residual against the full one.
 * Usage: test_inv_kernels <table id> scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks it)
 *        test_inv_kernels lapack|residual */
#include "interop.h"
#include "kernel_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The spec's matrix A = R∘Rᵀ, row-major, written from the spec independently of native/src. */
static double unit(uint64_t s, uint64_t k)
{
    uint64_t z = s + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static double *spec_matrix(int64_t n, uint64_t seed)
{
    double *a = malloc(sizeof(double) * (size_t)(n * n));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[i * n + j] = unit(seed, (uint64_t)(i * n + j)) * unit(seed, (uint64_t)(j * n + i));
    return a;
}

/* A well-conditioned matrix whose partial pivoting must be A's own (issue 9, item 18): unit
 * diagonal, -1 above it, zeros below it except a last row of uniform [0, 1) numbers (seeded). LU
 * with row pivoting of A has no element growth; row pivoting of Aᵀ (pivoting A's columns) has
 * Wilkinson's 2^(n-1), and fails the residual check (so does NumPy on Aᵀ). */
static double *growth_matrix(int64_t n, uint64_t seed, int transposed)
{
    double *a = calloc((size_t)(n * n), sizeof(double));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double v = j > i ? -1.0 : j == i ? 1.0 : i == n - 1 ? unit(seed, (uint64_t)j) : 0.0;
            a[transposed ? j * n + i : i * n + j] = v;
        }
    return a;
}

static double *copy(const double *a, int64_t n)
{
    double *b = malloc(sizeof(double) * (size_t)(n * n));
    memcpy(b, a, sizeof(double) * (size_t)(n * n));
    return b;
}

static double residual(int64_t n, const double *a, const double *x)
{
    double r = -1;
    int32_t status = interop_inv_residual(n, a, x, 2, &r);
    CHECK(status == 0, "residual status %d", status);
    return r;
}

static double estimate(int64_t n, const double *a, const double *x)
{
    double r = -1;
    int32_t status = interop_inv_residual_estimate(n, a, x, 2, &r, NULL);
    CHECK(status == 0, "estimate status %d", status);
    return r;
}

/* The kernel under test: its name in messages, its last-error message beside a failing status. */
static const char *kernel_name = "lapack";
static const interop_kernel *current;

static const char *last_error(void)
{
    return current ? interop_kernel_last_error(current) : "";
}

/* Inverts the spec matrix of order n on each of the thread counts given and checks every result:
 * status, scaled residual, and agreement with LAPACK's inverse. */
static void check_sizes(interop_inv_kernel kernel, const int64_t *sizes, size_t count, int32_t min_threads,
                        int32_t max_threads)
{
    for (size_t s = 0; s < count; ++s) {
        int64_t n = sizes[s];
        double *a = spec_matrix(n, 42);
        double *reference = copy(a, n);
        CHECK(interop_inv_lapack(n, reference, 1) == 0, "lapack n=%lld", (long long)n);
        for (int32_t threads = min_threads; threads <= max_threads; ++threads) {
            double *x = copy(a, n);
            int32_t status = kernel(n, x, threads);
            CHECK(status == 0, "%s n=%lld threads=%d status %d %s", kernel_name, (long long)n, threads,
                  status, last_error());
            double r = residual(n, a, x);
            CHECK(r >= 0 && r <= 30, "%s n=%lld threads=%d residual %g", kernel_name, (long long)n, threads,
                  r);
            double diff = 0, scale = 0;
            for (int64_t i = 0; i < n * n; ++i) {
                diff = fmax(diff, fabs(x[i] - reference[i]));
                scale = fmax(scale, fabs(reference[i]));
            }
            CHECK(diff <= 1e-8 * scale, "%s n=%lld threads=%d differs from LAPACK by %g (scale %g)",
                  kernel_name, (long long)n, threads, diff, scale);
            free(x);
        }
        free(a);
        free(reference);
    }
}

/* The spec matrix on sizes around every tile and block edge; `own_orders`: the kernel's own block
 * edges beyond the shared ones (the table's test_orders), on one thread. */
static void test_sizes(interop_inv_kernel kernel, const int64_t *own_orders, size_t own_order_count)
{
    /* The kernels' tiles and blocks (native/src/lu_inverse_c.c; lu_inverse_fortran.F90 has its own):
     * micro-tiles MR x NR of 4 x 4 (scalar), 8 x 6 (avx2), 16 x 12 (avx512) and 16 x 6 (Fortran);
     * A blocks of MC = 96, 128, 192 rows; NB = 128 for the LU and the solves, with recursive panels
     * halved down to 16 columns. Sizes one below, at and above multiples of these, in one and
     * several blocks, so that every edge tile and every partial block is met; 3 threads on 2 cores
     * give uneven and empty column shares. */
    const int64_t sizes[] = {1,  2,  3,  4,   5,   6,   7,   8,   9,   11,  12,  13,  15,  16,  17,  18,
                             19, 23, 24, 25,  31,  32,  33,  35,  36,  37,  47,  48,  49,  63,  64,  65,
                             95, 96, 97, 127, 128, 129, 191, 192, 193, 255, 256, 257, 289, 383, 384, 385};
    check_sizes(kernel, sizes, sizeof sizes / sizeof *sizes, 1, 3);
    /* Orders at a kernel's own larger blocks, from the table: e.g. the C kernel packs B in blocks of
     * NC = 1536 columns, and one thread's share of n = 1537 columns takes two, the second of one column
     * (the solves multiply in place, which holds only if each block is packed before it is written). */
    if (own_order_count > 0)
        check_sizes(kernel, own_orders, own_order_count, 1, 1);
}

/* Matrices whose inverse is known: exactly (identity, permutation) or by its residual (Hilbert). */
static void test_known_inverses(interop_inv_kernel kernel)
{
    /* The identity is its own inverse, exactly. */
    {
        int64_t n = 70;
        double *a = calloc((size_t)(n * n), sizeof(double));
        for (int64_t i = 0; i < n; ++i)
            a[i * n + i] = 1;
        CHECK(kernel(n, a, 2) == 0, "identity");
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                CHECK(a[i * n + j] == (i == j ? 1.0 : 0.0), "identity inverse at (%lld,%lld)", (long long)i,
                      (long long)j);
        free(a);
    }
    /* A permutation with a zero diagonal needs pivoting; its inverse is its transpose. */
    {
        int64_t n = 131;
        double *a = calloc((size_t)(n * n), sizeof(double));
        for (int64_t i = 0; i < n; ++i)
            a[i * n + (i * 7 + 3) % n] = 1; /* 7 is coprime with 131: a permutation, no fixed diagonal */
        double *x = copy(a, n);
        CHECK(kernel(n, x, 2) == 0, "permutation");
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                CHECK(x[i * n + j] == a[j * n + i], "permutation inverse at (%lld,%lld)", (long long)i,
                      (long long)j);
        free(a);
        free(x);
    }
    /* Hilbert matrix of order 8 (condition ~1.5e10): still a small scaled residual. */
    {
        int64_t n = 8;
        double a[64], x[64];
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                a[i * n + j] = 1.0 / (double)(i + j + 1);
        memcpy(x, a, sizeof a);
        CHECK(kernel(n, x, 1) == 0, "hilbert");
        double r = residual(n, a, x);
        CHECK(r <= 30, "hilbert residual %g", r);
    }
}

static void test_pivoting(interop_inv_kernel kernel)
{
    /* The pivoting is A's own, on the matrix where it matters: it passes the residual check as NumPy
     * does, in one block and in several (panels, recursion, uneven thread shares). Aᵀ is the
     * matrix on which partial pivoting itself has 2^(n-1) growth: its inverse fails the check, also
     * as NumPy's does, and the check is what reports it. */
    {
        const int64_t orders[] = {40, 300};
        for (size_t s = 0; s < sizeof orders / sizeof *orders; ++s)
            for (int32_t threads = 1; threads <= 3; ++threads) {
                int64_t n = orders[s];
                double *a = growth_matrix(n, 2024, 0);
                double *x = copy(a, n);
                int32_t status = kernel(n, x, threads);
                double r = status == 0 ? residual(n, a, x) : -1;
                CHECK(status == 0 && r >= 0 && r <= 30,
                      "%s: row pivoting of A, n=%lld threads=%d: status %d residual %g", kernel_name,
                      (long long)n, threads, status, r);
                free(a);
                free(x);
                a = growth_matrix(n, 2024, 1);
                x = copy(a, n);
                status = kernel(n, x, threads);
                r = status == 0 ? residual(n, a, x) : -1;
                CHECK(status != 0 || r > 30,
                      "%s: Aᵀ (growth 2^(n-1)) n=%lld threads=%d: status %d residual %g", kernel_name,
                      (long long)n, threads, status, r);
                free(a);
                free(x);
            }
    }
}

static void test_singular(interop_inv_kernel kernel)
{
    /* Singular inputs name the failing step: a zero column k of A fails at step k. */
    {
        int64_t n = 9;
        double *a = spec_matrix(n, 7);
        for (int64_t i = 0; i < n; ++i)
            a[i * n + 4] = 0; /* column 5 */
        int32_t zero_column = kernel(n, a, 2);
        CHECK(zero_column == 5, "zero column 5: status %d", zero_column);
        free(a);
        a = spec_matrix(n, 7);
        for (int64_t j = 0; j < n; ++j)
            a[4 * n + j] = 0; /* row 5 */
        int32_t zero_row = kernel(n, a, 2);
        CHECK(zero_row > 0 && zero_row <= n, "zero row 5: status %d", zero_row);
        free(a);
        a = calloc((size_t)(n * n), sizeof(double));
        CHECK(kernel(n, a, 1) == 1, "all-zero matrix fails at step 1");
        free(a);
        a = spec_matrix(n, 7);
        for (int64_t j = 0; j < n; ++j)
            a[2 * n + j] = a[6 * n + j]; /* two equal rows */
        double *b = copy(a, n);
        int32_t status = kernel(n, a, 1), c_status = interop_inv_c(n, b, 1);
        /* Which step fails depends on rounding; every backend reports the same one as C. */
        CHECK(status > 0 && status <= n && status == c_status, "equal rows: status %d, C's %d", status,
              c_status);
        free(a);
        free(b);
    }
}

static void test_scaled(interop_inv_kernel kernel)
{
    /* Numerical singularity is judged on the equilibrated matrix (issue 20, class 4): a badly scaled
     * regular matrix is inverted (a diagonal exactly), a well-conditioned one scaled by 1e+-k passes
     * the check and matches LAPACK, and [[1, 1], [1, 1 + 2^-52]] behind a 1e300 (the pivot of step 3
     * at rounding level of the equilibrated matrix) is refused at step 3 at any scale. */
    {
        const double d[] = {1e300, 1e-300, 1, 2, 3e200, 7e-150};
        const int64_t n = (int64_t)(sizeof d / sizeof *d);
        double *a = calloc((size_t)(n * n), sizeof(double));
        for (int64_t i = 0; i < n; ++i)
            a[i * n + i] = d[i];
        int32_t status = kernel(n, a, 2);
        CHECK(status == 0, "%s: diag(1e300, 1e-300, ...): status %d", kernel_name, status);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                CHECK(a[i * n + j] == (i == j ? 1 / d[i] : 0.0), "%s: diagonal inverse at (%lld,%lld): %g",
                      kernel_name, (long long)i, (long long)j, a[i * n + j]);
        free(a);

        const int64_t m = 50;
        const int exponents[] = {-300, -100, -4, 4, 100, 300};
        for (size_t e = 0; e < sizeof exponents / sizeof *exponents; ++e) {
            double *w = spec_matrix(m, 20), factor = pow(10.0, exponents[e]);
            for (int64_t i = 0; i < m * m; ++i)
                w[i] = (w[i] + (i % (m + 1) == 0 ? (double)m : 0.0)) * factor;
            double *x = copy(w, m), *reference = copy(w, m);
            CHECK(interop_inv_lapack(m, reference, 1) == 0, "lapack x1e%d", exponents[e]);
            status = kernel(m, x, 2);
            double r = status == 0 ? residual(m, w, x) : INFINITY;
            CHECK(status == 0 && r <= 30, "%s x1e%d: status %d, residual %g", kernel_name, exponents[e],
                  status, r);
            double diff = 0, scale = 0;
            for (int64_t i = 0; i < m * m; ++i) {
                diff = fmax(diff, fabs(x[i] - reference[i]));
                scale = fmax(scale, fabs(reference[i]));
            }
            CHECK(diff <= 1e-12 * scale, "%s x1e%d differs from LAPACK by %g (scale %g)", kernel_name,
                  exponents[e], diff, scale);
            free(w);
            free(x);
            free(reference);
        }

        const double scales[] = {1, 1e-200, 1e200};
        for (size_t s = 0; s < sizeof scales / sizeof *scales; ++s) {
            double b[16] = {0};
            b[0] = 1e300;
            b[5] = b[6] = b[9] = b[15] = scales[s];
            b[10] = scales[s] * (1 + 0x1p-52);
            status = kernel(4, b, 2);
            CHECK(status == 3, "%s: numerically singular x%g: status %d, expected step 3", kernel_name,
                  scales[s], status);
        }
    }
}

static void test_nonfinite(interop_inv_kernel kernel)
{
    /* NaN or Inf is a non-finite pivot at some step, not a singular matrix (issue 9, item 13); so is
     * an overflow inside the factorization. Anywhere in the matrix, in one block and in several. */
    {
        const int64_t orders[] = {9, 200};
        const double bad[] = {NAN, INFINITY, -INFINITY};
        for (size_t s = 0; s < sizeof orders / sizeof *orders; ++s)
            for (size_t b = 0; b < sizeof bad / sizeof *bad; ++b) {
                int64_t n = orders[s];
                const int64_t where[] = {0, 10, n * n / 2 + 3, n * n - 1};
                for (size_t w = 0; w < sizeof where / sizeof *where; ++w) {
                    /* The step differs between algorithms (NaN propagates along each one's own order of
                     * updates: fortran-openmp and lapack name other steps than C), so only its range is
                     * checked. */
                    double *a = spec_matrix(n, 7);
                    a[where[w]] = bad[b];
                    int32_t status = kernel(n, a, 2);
                    int32_t step = status & ~INTEROP_STATUS_NONFINITE;
                    CHECK(status > 0 && (status & INTEROP_STATUS_NONFINITE) && step >= 1 && step <= n,
                          "%s: %g at %lld of n=%lld: status %d, expected non-finite", kernel_name, bad[b],
                          (long long)where[w], (long long)n, status);
                    free(a);
                }
            }
        int64_t n = 9;
        double *a = spec_matrix(n, 7);
        for (int64_t i = 0; i < n * n; ++i)
            a[i] = NAN;
        CHECK(kernel(n, a, 1) == (INTEROP_STATUS_NONFINITE | 1), "all NaN: non-finite at step 1");
        free(a);
        /* Aᵀ of the growth matrix: its last column doubles at every step of the LU, to Inf. The kernels
         * factor A equilibrated (every |b_ij| <= 1), so no scale of A overflows it: it takes a growth
         * beyond 2^1024, 2^(n-1) at n = 1060. */
        n = 1060;
        a = growth_matrix(n, 2024, 1);
        int32_t status = kernel(n, a, 2);
        CHECK(status > 0 && (status & INTEROP_STATUS_NONFINITE), "overflow in the factorization: status %d",
              status);
        free(a);
    }
}

static void test_arguments(interop_inv_kernel kernel)
{
    /* Bad arguments. */
    double one = 1;
    CHECK(kernel(0, &one, 1) == -1, "n = 0");
    CHECK(kernel(1, NULL, 1) == -2, "NULL matrix");
    CHECK(kernel(1, &one, 0) == -3, "zero threads");
    double two = 2;
    CHECK(kernel(1, &two, 4) == 0 && two == 0.5, "1 x 1 on 4 threads: status, %g", two);
    /* An order whose n² elements no allocation can hold: refused, not attempted (LAPACK's bound is
     * 46340, an argument error). */
    int32_t huge = kernel((int64_t)1 << 32, &one, 1);
    CHECK(huge == (kernel == interop_inv_lapack ? -1 : INTEROP_STATUS_NO_MEMORY), "n = 2^32: status %d",
          huge);
}

/* Every suite of one inversion kernel (a table row's, or LAPACK's); `own_orders` as test_sizes. */
static void test_kernel(interop_inv_kernel kernel, const int64_t *own_orders, size_t own_order_count)
{
    test_sizes(kernel, own_orders, own_order_count);
    test_known_inverses(kernel);
    test_pivoting(kernel);
    test_singular(kernel);
    test_scaled(kernel);
    test_nonfinite(kernel);
    test_arguments(kernel);
}

static void test_residual(void)
{
    int64_t n = 40;
    double *a = spec_matrix(n, 3);
    double *x = copy(a, n);
    CHECK(interop_inv_lapack(n, x, 2) == 0, "lapack");
    CHECK(residual(n, a, x) <= 30, "a true inverse passes");
    x[5] *= 1.0001;
    CHECK(residual(n, a, x) > 1000, "a perturbed inverse fails");
    x[5] = NAN;
    CHECK(isinf(residual(n, a, x)), "NaN gives +Inf");
    double r = 0;
    CHECK(interop_inv_residual(0, a, x, 1, &r) == -1 && interop_inv_residual(n, NULL, x, 1, &r) == -2 &&
              interop_inv_residual(n, a, NULL, 1, &r) == -3 && interop_inv_residual(n, a, x, 0, &r) == -4 &&
              interop_inv_residual(n, a, x, 1, NULL) == -5,
          "residual argument checks");
    /* The estimate (dlacn2, O(n^2) per step) on the same cases: the perturbed inverse fails, NaN and
     * Inf give +Inf. */
    memcpy(x, a, sizeof(double) * (size_t)(n * n));
    CHECK(interop_inv_lapack(n, x, 2) == 0, "lapack");
    CHECK(estimate(n, a, x) <= 30, "a true inverse passes the estimate");
    x[5] *= 1.0001;
    CHECK(estimate(n, a, x) > 1000, "a perturbed inverse fails the estimate");
    x[5] = NAN;
    CHECK(isinf(estimate(n, a, x)), "NaN gives +Inf (estimate)");
    x[5] = INFINITY;
    CHECK(isinf(estimate(n, a, x)), "Inf gives +Inf (estimate)");
    int32_t products = 0;
    CHECK(interop_inv_residual_estimate(0, a, x, 1, &r, NULL) == -1 &&
              interop_inv_residual_estimate(n, NULL, x, 1, &r, NULL) == -2 &&
              interop_inv_residual_estimate(n, a, NULL, 1, &r, NULL) == -3 &&
              interop_inv_residual_estimate(n, a, x, 0, &r, NULL) == -4 &&
              interop_inv_residual_estimate(n, a, x, 1, NULL, &products) == -5,
          "estimate argument checks");
    /* On good inverses the estimate agrees with the full residual within a factor of 2 (both are
     * then rounding noise, ~1e-3; measured 0.82-1.00 on the spec and uniform matrices, n = 40-2000). */
    const int64_t orders[] = {40, 300, 1000};
    for (size_t s = 0; s < sizeof orders / sizeof *orders; ++s) {
        int64_t m = orders[s];
        for (int kind = 0; kind < 2; ++kind) {
            double *b = spec_matrix(m, 11);
            if (kind == 1)
                for (int64_t i = 0; i < m * m; ++i)
                    b[i] = unit(5, (uint64_t)i) - 0.5;
            double *y = copy(b, m);
            CHECK(interop_inv_lapack(m, y, 2) == 0, "lapack n=%lld", (long long)m);
            double full = residual(m, b, y), est = -1;
            CHECK(interop_inv_residual_estimate(m, b, y, 2, &est, &products) == 0 && products >= 2 &&
                      products <= 11,
                  "estimate n=%lld status, %d products", (long long)m, products);
            CHECK(full <= 30 && est >= full / 2 && est <= 2 * full, "%s n=%lld: estimate %g, full %g",
                  kind ? "uniform" : "spec", (long long)m, est, full);
            free(b);
            free(y);
        }
    }
    /* A failing inverse is caught: the growth matrix (unit diagonal, -1 below it, a last column of
     * uniform numbers; partial pivoting has element growth 2^(n-1)) at n = 60, where LAPACK's inverse
     * has a scaled residual of ~1e12; the estimate finds the same norm. */
    {
        int64_t m = 60;
        double *g = growth_matrix(m, 2024, 1);
        double *y = copy(g, m);
        CHECK(interop_inv_lapack(m, y, 2) == 0, "lapack on the growth matrix");
        double full = residual(m, g, y), est = estimate(m, g, y);
        CHECK(full > 1e6 && est > 30 && fabs(est - full) <= 1e-6 * full,
              "growth matrix: estimate %g, full %g", est, full);
        free(g);
        free(y);
    }
    char info[256];
    int32_t length = interop_openblas_info(info, (int32_t)sizeof info);
    CHECK(length > 0 && strstr(info, "core=") != NULL && strstr(info, "threading=") != NULL,
          "openblas info '%s'", info);
    CHECK(interop_openblas_info(NULL, 10) == -1 && interop_openblas_info(info, 0) == -2,
          "openblas info arguments");
    free(a);
    free(x);
}

int main(int argc, char **argv)
{
    int32_t isa = argc == 3 ? interop_kernel_isa_parse(argv[2]) : -1;
    int path_suite = argc == 3 && isa > INTEROP_ISA_AUTO && interop_kernel_find(argv[1]) != NULL;
    int other_suite = argc == 2 && (strcmp(argv[1], "lapack") == 0 || strcmp(argv[1], "residual") == 0);
    if (!path_suite && !other_suite) {
        fprintf(stderr, "usage: %s %s scalar|avx2|avx512\n       %s lapack|residual\n", argv[0],
                interop_kernel_ids(), argv[0]);
        return 2;
    }
    if (path_suite) {
        interop_kernel kernel;
        int prepared = interop_kernel_prepare(argv[1], "inv", isa, &kernel);
        if (prepared != 0)
            return prepared;
        kernel_name = kernel.row->id;
        current = &kernel;
        test_kernel((interop_inv_kernel)interop_kernel_function_of(&kernel, "inv"), kernel.row->test_orders, kernel.row->test_order_count);
        CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    } else if (strcmp(argv[1], "lapack") == 0) {
        test_kernel(interop_inv_lapack, NULL, 0);
    } else {
        test_residual();
    }
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed (%s%s%s)\n", argv[1], argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
    return 0;
}
