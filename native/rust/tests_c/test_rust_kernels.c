/* CTest: libinterop_rust's exports from C, on one instruction-set path (forced with
 * interop_rust_isa_select): pi counts against the spec's reference values and bit for bit against
 * interop_pi_count_c; inverses against the spec's scaled residual (interop_inv_residual) and the
 * statuses of interop_inv_c on singular and non-finite inputs; argument checks and the ISA switch.
 * Usage: test_rust_kernels scalar|avx2|avx512   (exit 77, "skipped", where the CPU or library lacks it) */
#include "interop.h"
#include "interop_rust.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

/* CTest's SKIP_RETURN_CODE: the path exists, but not on this CPU or in this library. */
enum { EXIT_SKIPPED = 77 };

static const char *const path_names[] = {"auto", "scalar", "avx2", "avx512"}; /* INTEROP_ISA_* order */

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                             \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
            ++failures;                                                                                      \
        }                                                                                                    \
    } while (0)

typedef int32_t (*pi_kernel)(uint64_t, int64_t, int64_t, int32_t, int64_t *);
typedef int32_t (*inv_kernel)(int64_t, double *, int32_t);

static int64_t run_pi(pi_kernel kernel, uint64_t seed, int64_t begin, int64_t end, int32_t threads)
{
    int64_t inside = -1;
    int32_t status = kernel(seed, begin, end, threads, &inside);
    CHECK(status == 0, "pi(%llu, %lld, %lld, %d) status %d", (unsigned long long)seed, (long long)begin,
          (long long)end, threads, status);
    return inside;
}

static void test_pi(void)
{
    /* The spec's reference values, on several thread counts. */
    for (int32_t threads = 1; threads <= 4; ++threads) {
        CHECK(run_pi(interop_pi_count_rust, 42, 0, 1000000, threads) == 785402, "seed 42, 1e6, %d threads",
              threads);
        CHECK(run_pi(interop_pi_count_rust, 0, 0, 1000, threads) == 784, "seed 0, 1000, %d threads", threads);
    }
    /* Bit for bit the C kernel's counts: ranges not starting at 0, sizes around the vector widths and
     * the unrolled blocks, more threads than darts, thread counts that do not divide the size. */
    const int64_t begins[] = {0, 1, 7, 31, 33, 1000003, (int64_t)1 << 40};
    const int64_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 100003};
    const uint64_t seeds[] = {0, 1, 42, 0xFFFFFFFFFFFFFFFFULL};
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; ++s)
        for (size_t b = 0; b < sizeof begins / sizeof *begins; ++b)
            for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i) {
                int64_t begin = begins[b], end = begins[b] + sizes[i];
                int64_t expected = run_pi(interop_pi_count_c, seeds[s], begin, end, 1);
                for (int32_t threads = 1; threads <= 5; threads += 2)
                    CHECK(run_pi(interop_pi_count_rust, seeds[s], begin, end, threads) == expected,
                          "seed %llu [%lld, %lld) %d threads", (unsigned long long)seeds[s], (long long)begin,
                          (long long)end, threads);
            }
    const int64_t top = INT64_MAX;
    CHECK(run_pi(interop_pi_count_rust, 7, top - 100, top, 3) == run_pi(interop_pi_count_c, 7, top - 100, top, 1),
          "top of the index space");
    /* A larger run on every thread count up to 6. */
    const int64_t begin = 12345, end = 12345 + 5000003;
    const int64_t expected = run_pi(interop_pi_count_c, 2024, begin, end, 2);
    for (int32_t threads = 1; threads <= 6; ++threads)
        CHECK(run_pi(interop_pi_count_rust, 2024, begin, end, threads) == expected, "5e6 darts, %d threads",
              threads);
    /* Bad arguments: the C kernel's codes. */
    int64_t inside = -7;
    CHECK(interop_pi_count_rust(1, -1, 10, 1, &inside) == -2, "negative begin");
    CHECK(interop_pi_count_rust(1, 10, 9, 1, &inside) == -3, "end before begin");
    CHECK(interop_pi_count_rust(1, 0, 10, 0, &inside) == -4, "zero threads");
    CHECK(interop_pi_count_rust(1, 0, 10, 1, NULL) == -5, "NULL result");
    CHECK(inside == -7, "a failed call leaves *inside alone");
}

/* The spec's matrix A = R∘Rᵀ, row-major, written from the spec independently of the kernels. */
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
    if (a == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[i * n + j] = unit(seed, (uint64_t)(i * n + j)) * unit(seed, (uint64_t)(j * n + i));
    return a;
}

static double *copy_of(const double *a, int64_t n)
{
    double *b = malloc(sizeof(double) * (size_t)(n * n));
    if (b == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memcpy(b, a, sizeof(double) * (size_t)(n * n));
    return b;
}

static double residual(int64_t n, const double *a, const double *x)
{
    double r = INFINITY;
    int32_t status = interop_inv_residual(n, a, x, 2, &r);
    CHECK(status == 0, "residual status %d", status);
    return r;
}

/* The status of a kernel on a copy of a. */
static int32_t status_of(inv_kernel kernel, const double *a, int64_t n, int32_t threads)
{
    double *x = copy_of(a, n);
    int32_t status = kernel(n, x, threads);
    free(x);
    return status;
}

static void test_inv(void)
{
    /* Sizes around the block sizes (NB 128, MC 96 and 128, the micro-tiles), several thread counts. */
    const int64_t orders[] = {1, 2, 3, 5, 8, 17, 95, 128, 129, 200, 300};
    for (size_t s = 0; s < sizeof orders / sizeof *orders; ++s)
        for (int32_t threads = 1; threads <= 3; ++threads) {
            int64_t n = orders[s];
            double *a = spec_matrix(n, (uint64_t)(100 + n));
            double *x = copy_of(a, n);
            int32_t status = interop_inv_rust(n, x, threads);
            CHECK(status == 0, "n=%lld threads=%d status %d", (long long)n, threads, status);
            double r = status == 0 ? residual(n, a, x) : -1;
            CHECK(r >= 0 && r <= 30, "n=%lld threads=%d residual %g", (long long)n, threads, r);
            free(a);
            free(x);
        }
    /* Pivoting of A itself: unit diagonal, -1 above, zeros below but a last row of uniform numbers
     * (no growth for A's row pivoting, 2^(n-1) for Aᵀ's). */
    {
        int64_t n = 150;
        double *a = calloc((size_t)(n * n), sizeof(double));
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                a[i * n + j] = j > i ? -1.0 : j == i ? 1.0 : i == n - 1 ? unit(2024, (uint64_t)j) : 0.0;
        double *x = copy_of(a, n);
        int32_t status = interop_inv_rust(n, x, 2);
        double r = status == 0 ? residual(n, a, x) : -1;
        CHECK(status == 0 && r >= 0 && r <= 30, "row pivoting of A: status %d residual %g", status, r);
        free(a);
        free(x);
    }
    /* Singular and non-finite inputs: the C kernel's statuses, on the same path. */
    {
        int64_t n = 9;
        double *a = spec_matrix(n, 7);
        for (int64_t i = 0; i < n; ++i)
            a[i * n + 4] = 0; /* column 5 */
        CHECK(status_of(interop_inv_rust, a, n, 2) == 5, "zero column 5");
        free(a);
        a = calloc((size_t)(n * n), sizeof(double));
        CHECK(status_of(interop_inv_rust, a, n, 1) == 1, "all-zero matrix fails at step 1");
        free(a);
        a = spec_matrix(n, 7);
        for (int64_t j = 0; j < n; ++j)
            a[2 * n + j] = a[6 * n + j]; /* two equal rows */
        int32_t expected = status_of(interop_inv_c, a, n, 1);
        CHECK(expected > 0 && status_of(interop_inv_rust, a, n, 1) == expected, "equal rows: C says %d", expected);
        free(a);
    }
    {
        const int64_t orders_bad[] = {9, 200};
        const double bad[] = {NAN, INFINITY, -INFINITY};
        for (size_t s = 0; s < sizeof orders_bad / sizeof *orders_bad; ++s)
            for (size_t b = 0; b < sizeof bad / sizeof *bad; ++b) {
                int64_t n = orders_bad[s];
                const int64_t where[] = {0, 10, n * n / 2 + 3, n * n - 1};
                for (size_t w = 0; w < sizeof where / sizeof *where; ++w) {
                    double *a = spec_matrix(n, 7);
                    a[where[w]] = bad[b];
                    int32_t status = status_of(interop_inv_rust, a, n, 2);
                    int32_t expected = status_of(interop_inv_c, a, n, 2);
                    CHECK(status > 0 && (status & INTEROP_STATUS_NONFINITE) && status == expected,
                          "%g at %lld of n=%lld: status %d, C kernel %d", bad[b], (long long)where[w], (long long)n,
                          status, expected);
                    free(a);
                }
            }
    }
    /* Bad arguments, and a size whose workspace cannot exist (n*n overflows): a status, no abort. */
    double one = 2;
    CHECK(interop_inv_rust(0, &one, 1) == -1, "n = 0");
    CHECK(interop_inv_rust(1, NULL, 1) == -2, "NULL matrix");
    CHECK(interop_inv_rust(1, &one, 0) == -3, "zero threads");
    CHECK(interop_inv_rust((int64_t)1 << 32, &one, 1) == INTEROP_STATUS_NO_MEMORY, "n = 2^32");
    CHECK(interop_inv_rust(1, &one, 4) == 0 && one == 0.5, "1 x 1 on 4 threads");
}

int main(int argc, char **argv)
{
    int32_t isa = -1;
    for (int32_t i = INTEROP_ISA_SCALAR; argc == 2 && i <= INTEROP_ISA_AVX512; ++i)
        if (strcmp(argv[1], path_names[i]) == 0)
            isa = i;
    if (isa < 0) {
        fprintf(stderr, "usage: %s scalar|avx2|avx512\n", argv[0]);
        return 2;
    }
    CHECK(interop_rust_abi_version() == INTEROP_RUST_ABI_VERSION, "ABI version");
    /* The switch: interop_isa_select's semantics; this library has no AVX-512 path. */
    CHECK(interop_rust_isa_supported(-1) == -1 && interop_rust_isa_supported(4) == -1, "unknown paths");
    CHECK(interop_rust_isa_supported(INTEROP_ISA_AUTO) == 1 && interop_rust_isa_supported(INTEROP_ISA_SCALAR) == 1,
          "auto and scalar supported");
    CHECK(interop_rust_isa_supported(INTEROP_ISA_AVX512) == 0, "no AVX-512 path");
    int32_t best = interop_rust_isa_active();
    CHECK(best == (interop_rust_isa_supported(INTEROP_ISA_AVX2) == 1 ? INTEROP_ISA_AVX2 : INTEROP_ISA_SCALAR),
          "auto is the best path: %d", best);
    CHECK(interop_rust_isa_select(9) == -1 && interop_rust_isa_select(INTEROP_ISA_AVX512) == 1 &&
              interop_rust_isa_active() == best,
          "refused selections leave the path alone");
    if (interop_rust_isa_supported(isa) != 1) {
        printf("skipped: libinterop_rust cannot run the %s path on this CPU\n", argv[1]);
        return failures ? 1 : EXIT_SKIPPED;
    }
    CHECK(interop_rust_isa_select(isa) == 0 && interop_rust_isa_active() == isa, "select %s", argv[1]);
    /* The C kernel on the same path, for the statuses compared above. */
    CHECK(interop_isa_select(isa) == 0, "C select %s", argv[1]);
    test_pi();
    test_inv();
    /* No panic happened: no message, and the buffer is left a valid empty string. */
    char message[16] = "x";
    CHECK(interop_rust_last_error(message, sizeof message) == 0 && message[0] == '\0', "no last error");
    CHECK(interop_rust_isa_select(INTEROP_ISA_AUTO) == 0 && interop_rust_isa_active() == best, "back to auto");
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed (rust %s)\n", argv[1]);
    return 0;
}
