/* CTest: the exported pi kernels against the spec's reference values and an independent scalar
 * reference, over ranges that do not start at 0 and thread counts that do not divide the size, on
 * one instruction-set path (forced with interop_isa_select); and all paths and thread counts
 * against each other, bit for bit.
 * Usage: test_pi_kernels c|fortran scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks it)
 *        test_pi_kernels agree */
#include "interop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*pi_kernel)(uint64_t, int64_t, int64_t, int32_t, int64_t *);

static int failures;

/* CTest's SKIP_RETURN_CODE: the path exists, but not on this CPU. */
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

/* Written from the spec independently of native/src, so a shared mistake cannot hide. */
static int64_t reference_count(uint64_t seed, int64_t begin, int64_t end)
{
    int64_t inside = 0;
    for (int64_t k = begin; k < end; ++k) {
        uint64_t z = seed + ((uint64_t)k + 1) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        uint64_t x = (uint32_t)(z >> 32) >> 1;
        uint64_t y = (uint32_t)z >> 1;
        if (x * x + y * y < (1ULL << 62))
            ++inside;
    }
    return inside;
}

static int64_t run(pi_kernel kernel, uint64_t seed, int64_t begin, int64_t end, int32_t threads)
{
    int64_t inside = -1;
    int32_t status = kernel(seed, begin, end, threads, &inside);
    CHECK(status == 0, "kernel(%llu, %lld, %lld, %d) returned status %d", (unsigned long long)seed,
          (long long)begin, (long long)end, threads, status);
    return inside;
}

static void test_kernel(pi_kernel kernel)
{
    /* The spec's reference values, on several thread counts. */
    for (int32_t threads = 1; threads <= 4; ++threads) {
        CHECK(run(kernel, 42, 0, 1000000, threads) == 785402, "seed 42, 1e6 darts, %d threads", threads);
        CHECK(run(kernel, 0, 0, 1000, threads) == 784, "seed 0, 1000 darts, %d threads", threads);
    }

    /* Ranges not starting at 0, sizes not divisible by the thread count, more threads than darts,
     * and sizes around the vector widths (4, 8) and the unrolled blocks (up to 32 darts). */
    const int64_t begins[] = {0, 1, 7, 31, 33, 1000003, (int64_t)1 << 40};
    const int64_t sizes[] = {0,  1,  2,  3,  4,  5,  7,  8,  9,  15,   16,    17,
                             23, 24, 25, 31, 32, 33, 63, 64, 65, 1000, 100003};
    const uint64_t seeds[] = {0, 1, 42, 0xFFFFFFFFFFFFFFFFULL};
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; ++s)
        for (size_t b = 0; b < sizeof begins / sizeof *begins; ++b)
            for (size_t n = 0; n < sizeof sizes / sizeof *sizes; ++n) {
                int64_t begin = begins[b], end = begins[b] + sizes[n];
                int64_t expected = reference_count(seeds[s], begin, end);
                for (int32_t threads = 1; threads <= 5; threads += 2)
                    CHECK(run(kernel, seeds[s], begin, end, threads) == expected,
                          "seed %llu, [%lld, %lld), %d threads", (unsigned long long)seeds[s],
                          (long long)begin, (long long)end, threads);
            }

    /* The last darts of the 64-bit index space: no overflow in the counter arithmetic. */
    const int64_t top = INT64_MAX;
    CHECK(run(kernel, 7, top - 100, top, 3) == reference_count(7, top - 100, top), "top of range");

    /* Bad arguments come back as LAPACK-style status codes, never a crash. */
    int64_t inside = 0;
    CHECK(kernel(1, -1, 10, 1, &inside) == -2, "negative begin");
    CHECK(kernel(1, 10, 9, 1, &inside) == -3, "end before begin");
    CHECK(kernel(1, 0, 10, 0, &inside) == -4, "zero threads");
    CHECK(kernel(1, 0, 10, 1, NULL) == -5, "NULL result");
}

static void test_agree(void)
{
    /* Larger runs: C and Fortran on every path this CPU has agree with each other and with the
     * independent reference at every thread count. */
    const int64_t begin = 12345, end = 12345 + 20000003;
    const int64_t expected = reference_count(2024, begin, end);
    int paths = 0;
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
        if (interop_isa_supported(isa) != 1)
            continue;
        ++paths;
        CHECK(interop_isa_select(isa) == 0 && interop_isa_active() == isa, "select %s", path_names[isa]);
        for (int32_t threads = 1; threads <= 6; ++threads) {
            CHECK(run(interop_pi_count_c, 2024, begin, end, threads) == expected, "c %s, %d threads",
                  path_names[isa], threads);
            CHECK(run(interop_pi_count_fortran, 2024, begin, end, threads) == expected,
                  "fortran %s, %d threads", path_names[isa], threads);
        }
    }
    CHECK(paths >= 1, "no path ran");
    /* A path the CPU lacks is refused and leaves the path in use as it was. */
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa)
        if (interop_isa_supported(isa) == 0) {
            int32_t before = interop_isa_active();
            CHECK(interop_isa_select(isa) == 1 && interop_isa_active() == before, "refuse %s",
                  path_names[isa]);
        }
    CHECK(interop_isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    CHECK(interop_abi_version() == INTEROP_ABI_VERSION, "ABI version");
    /* Placement: every thread of the team reports a CPU; bad arguments are codes. */
    int32_t cpus[3] = {-7, -7, -7};
    int32_t team = interop_omp_placement(3, cpus);
    CHECK(team >= 1 && team <= 3, "placement team %d", team);
    for (int32_t t = 0; t < 3; ++t)
        CHECK(t < team ? cpus[t] >= 0 : cpus[t] == -1, "placement cpu[%d] = %d", t, cpus[t]);
    CHECK(interop_omp_placement(0, cpus) == -1 && interop_omp_placement(2, NULL) == -2,
          "placement arguments");
    /* ISA selection: AUTO and SCALAR always exist, bad values are codes, the active path is a real one. */
    CHECK(interop_isa_supported(INTEROP_ISA_AUTO) == 1 && interop_isa_supported(INTEROP_ISA_SCALAR) == 1,
          "auto and scalar supported");
    CHECK(interop_isa_supported(-1) == -1 && interop_isa_supported(4) == -1, "unknown paths");
    CHECK(interop_isa_select(9) == -1, "select unknown path");
    int32_t active = interop_isa_active();
    CHECK(active >= INTEROP_ISA_SCALAR && active <= INTEROP_ISA_AVX512 && interop_isa_supported(active) == 1,
          "active path %d", active);
}

int main(int argc, char **argv)
{
    int32_t isa = -1;
    for (int32_t i = INTEROP_ISA_SCALAR; argc == 3 && i <= INTEROP_ISA_AVX512; ++i)
        if (strcmp(argv[2], path_names[i]) == 0)
            isa = i;
    int kernel_suite = argc == 3 && isa > 0 && (strcmp(argv[1], "c") == 0 || strcmp(argv[1], "fortran") == 0);
    if (!kernel_suite && !(argc == 2 && strcmp(argv[1], "agree") == 0)) {
        fprintf(stderr, "usage: %s c|fortran scalar|avx2|avx512\n       %s agree\n", argv[0], argv[0]);
        return 2;
    }
    if (kernel_suite) {
        if (interop_isa_supported(isa) != 1) {
            printf("skipped: this CPU cannot run the %s path\n", argv[2]);
            return EXIT_SKIPPED;
        }
        CHECK(interop_isa_select(isa) == 0 && interop_isa_active() == isa, "select %s", argv[2]);
        test_kernel(strcmp(argv[1], "c") == 0 ? interop_pi_count_c : interop_pi_count_fortran);
        CHECK(interop_isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
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
