/* CTest: interop_fma_limit_gflops, the floating-point limit behind "% of peak". Its arguments; on
 * every path the CPU runs, a rate that is positive and below what any core does; on a path the CPU
 * (or build) lacks, status 1 and nothing stored; a wider path never slower than a narrower one, as
 * far as noise allows (AVX-512 on 256-bit units, Zen 4, is as fast as AVX2, not faster). Which paths
 * this CPU has comes from interop_isa_supported, never from the test. */
#include "interop.h"

#include <stdio.h>

#include "check.h"

/* No core of any CPU runs 1000 GFLOP/s of doubles (a 5 GHz core with two 512-bit FMA units: 160). */
#define GFLOPS_PER_THREAD_CEILING 1000.0

/* A shared machine's noise: a wider path's best run may fall this much below a narrower one's. */
#define NOISE 0.8

static const char *const names[] = {"auto", "scalar", "avx2", "avx512"};

int main(void)
{
    double gflops = -1;
    CHECK(interop_fma_limit_gflops(INTEROP_ISA_AUTO, 1, 1, &gflops) == -1, "AUTO is no path");
    CHECK(interop_fma_limit_gflops(INTEROP_ISA_AVX512 + 1, 1, 1, &gflops) == -1, "past the last path");
    CHECK(interop_fma_limit_gflops(INTEROP_ISA_SCALAR, 0, 1, &gflops) == -2, "threads < 1");
    CHECK(interop_fma_limit_gflops(INTEROP_ISA_SCALAR, 1, 0, &gflops) == -3, "runs < 1");
    CHECK(interop_fma_limit_gflops(INTEROP_ISA_SCALAR, 1, 1, NULL) == -4, "gflops NULL");
    CHECK(gflops == -1, "a refused call stored %g", gflops);

    double limit[INTEROP_ISA_AVX512 + 1] = {0};
    /* Two rounds, interleaved, the better of each path's: the comparison below is of the paths, not
     * of whatever else ran on the machine meanwhile. */
    for (int round = 0; round < 2; ++round)
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
            double g = -1;
            int32_t status = interop_fma_limit_gflops(isa, 1, 5, &g);
            if (interop_isa_supported(isa) != 1) {
                CHECK(status == 1 && g == -1, "%s: the CPU lacks it, yet status %d, %g GFLOP/s", names[isa],
                      status, g);
                continue;
            }
            CHECK(status == 0, "%s: status %d", names[isa], status);
            CHECK(g > 0 && g < GFLOPS_PER_THREAD_CEILING, "%s: %g GFLOP/s on one thread", names[isa], g);
            limit[isa] = g > limit[isa] ? g : limit[isa];
        }
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa)
        if (limit[isa] > 0)
            printf("%s: %.1f GFLOP/s on 1 thread\n", names[isa], limit[isa]);
    for (int32_t isa = INTEROP_ISA_AVX2; isa <= INTEROP_ISA_AVX512; ++isa)
        if (limit[isa] > 0 && limit[isa - 1] > 0)
            CHECK(limit[isa] >= NOISE * limit[isa - 1], "%s (%.1f) below %s (%.1f)", names[isa], limit[isa],
                  names[isa - 1], limit[isa - 1]);

    /* A team, more threads than this machine may have cores included: the whole team's rate. */
    for (int32_t threads = 2; threads <= 3; ++threads) {
        double g = -1;
        int32_t status = interop_fma_limit_gflops(INTEROP_ISA_SCALAR, threads, 2, &g);
        CHECK(status == 0 && g > 0 && g < threads * GFLOPS_PER_THREAD_CEILING,
              "scalar on %d threads: status %d, %g", threads, status, g);
    }

    if (failures > 0)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
