/* CTest: the pi kernels of the kernel table (native/kernels.json, bound by symbol) against the spec's
 * reference values and an independent scalar reference, over ranges that do not start at 0 and thread
 * counts that do not divide the size, on one instruction-set path (forced with the library's
 * <prefix>_select); and every kernel on all paths and thread counts against each other, bit for bit.
 * Usage: test_pi_kernels <table id> scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks it)
 *        test_pi_kernels agree */
#include "interop.h"
#include "kernel_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

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

/* The kernel under test: its last-error message goes beside a failing status. */
static const interop_kernel *current;

/* The workload key of this program's kernels in native/kernels.json's "symbols". */
static const char workload[] = "pi";

/* The bound pi entry point of `kernel` (NULL if its row runs no pi). */
static interop_pi_kernel pi_of(const interop_kernel *kernel)
{
    return (interop_pi_kernel)interop_kernel_function_of(kernel, workload);
}

static int64_t run(interop_pi_kernel kernel, uint64_t seed, int64_t begin, int64_t end, int32_t threads)
{
    int64_t inside = -1;
    int32_t status = kernel(seed, begin, end, threads, &inside);
    CHECK(status == 0, "kernel(%llu, %lld, %lld, %d) returned status %d %s", (unsigned long long)seed,
          (long long)begin, (long long)end, threads, status,
          current ? interop_kernel_last_error(current) : "");
    return inside;
}

static void test_kernel(interop_pi_kernel kernel)
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

/* Whether this CPU (and this build) can run the path: libinterop_native's own check. */
static int cpu_runs(int32_t isa)
{
    return interop_isa_supported(isa) == 1;
}

static void test_agree(void)
{
    /* Larger runs: every kernel of the table on every path this CPU has agrees with the independent
     * reference at every thread count (so with each other); a row that runs no pi is left out. Each
     * library runs exactly the paths the table lists for it that this CPU has (libinterop_native's
     * interop_isa_supported is the CPU). */
    const int64_t begin = 12345, end = 12345 + 20000003;
    const int64_t expected = reference_count(2024, begin, end);
    for (size_t r = 0; r < interop_kernel_row_count; ++r) {
        const interop_kernel_row *row = &interop_kernel_rows[r];
        if (interop_kernel_symbol_of(row, workload) == NULL) {
            printf("%s: runs no pi kernel, left out\n", row->id);
            continue;
        }
        interop_kernel kernel;
        char error[512];
        if (interop_kernel_bind(row, &kernel, error, sizeof error) != 0) {
            CHECK(0, "%s: %s", row->backend, error);
            continue;
        }
        current = &kernel;
        int paths = 0;
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
            int listed = (row->library->isa_paths >> isa) & 1;
            CHECK(kernel.isa_supported(isa) == (listed && cpu_runs(isa)), "%s: %s_supported(%s) = %d",
                  row->backend, row->library->isa_prefix, interop_kernel_isa_name(isa),
                  kernel.isa_supported(isa));
            if (!listed || !cpu_runs(isa))
                continue;
            ++paths;
            CHECK(kernel.isa_select(isa) == 0 && kernel.isa_active() == isa, "%s: select %s", row->backend,
                  interop_kernel_isa_name(isa));
            for (int32_t threads = 1; threads <= 6; ++threads)
                CHECK(run(pi_of(&kernel), 2024, begin, end, threads) == expected, "%s %s, %d threads", row->id,
                      interop_kernel_isa_name(isa), threads);
        }
        CHECK(paths >= 1, "%s: no path ran", row->backend);
        /* A path the library cannot run here is refused and leaves the path in use as it was. */
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa)
            if (kernel.isa_supported(isa) == 0) {
                int32_t before = kernel.isa_active();
                CHECK(kernel.isa_select(isa) == 1 && kernel.isa_active() == before, "%s: refuse %s",
                      row->backend, interop_kernel_isa_name(isa));
            }
        CHECK(kernel.isa_supported(INTEROP_ISA_AUTO) == 1 && kernel.isa_supported(-1) == -1 &&
                  kernel.isa_supported(INTEROP_ISA_AVX512 + 1) == -1 && kernel.isa_select(9) == -1,
              "%s: auto and unknown paths", row->backend);
        CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "%s: back to auto", row->backend);
        /* Auto is the widest path the library runs here. */
        int32_t widest = INTEROP_ISA_SCALAR;
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa)
            if (kernel.isa_supported(isa) == 1)
                widest = isa;
        CHECK(kernel.isa_active() == widest, "%s: auto runs %s, the widest path here is %s", row->backend,
              interop_kernel_isa_name(kernel.isa_active()), interop_kernel_isa_name(widest));
        /* No call failed: no message kept. */
        CHECK(interop_kernel_last_error(&kernel)[0] == '\0', "%s: last error '%s'", row->backend,
              interop_kernel_last_error(&kernel));
        current = NULL;
    }
    CHECK(interop_abi_version() == INTEROP_ABI_VERSION, "ABI version");
    /* The table's expected version of libinterop_native is the header's (bind checked the library's). */
    for (size_t r = 0; r < interop_kernel_row_count; ++r)
        if (strcmp(interop_kernel_rows[r].library->name, "interop_native") == 0)
            CHECK(interop_kernel_rows[r].library->abi_version == INTEROP_ABI_VERSION,
                  "native/kernels.json expects ABI version %d of interop_native, interop.h has %d",
                  interop_kernel_rows[r].library->abi_version, INTEROP_ABI_VERSION);
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
    int32_t isa = argc == 3 ? interop_kernel_isa_parse(argv[2]) : -1;
    int kernel_suite = argc == 3 && isa > INTEROP_ISA_AUTO && interop_kernel_find(argv[1]) != NULL;
    if (!kernel_suite && !(argc == 2 && strcmp(argv[1], "agree") == 0)) {
        fprintf(stderr, "usage: %s %s scalar|avx2|avx512\n       %s agree\n", argv[0], interop_kernel_ids(),
                argv[0]);
        return 2;
    }
    if (kernel_suite) {
        interop_kernel kernel;
        int prepared = interop_kernel_prepare(argv[1], workload, isa, &kernel);
        if (prepared != 0)
            return prepared;
        current = &kernel;
        test_kernel(pi_of(&kernel));
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
