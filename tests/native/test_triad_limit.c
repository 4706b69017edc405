/* CTest: interop_triad_limit_gbps, the memory-bandwidth limit behind a memory-bound workload's GB/s.
 * Its arguments (each refused, nothing stored); on 1, 2 and 3 threads (more than this machine may
 * have cores) at a small size, status 0, which the function returns only after checking every
 * element of its result against b + s * c (so a triad that skips or misplaces a store fails here),
 * and a rate that is positive, finite and below what any memory system delivers; sizes that leave
 * threads without elements, or one element, still measure. */
#include "interop.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"

/* Small enough for a shared machine's test run (24 MiB for the three arrays), large enough that one
 * run lasts well above the clock's tick. */
#define ELEMENTS (INT64_C(1) << 20)

/* No memory system of today moves 10 TB/s to one team of doubles' loads and stores, and a small size
 * run from cache still falls well below it per thread; a triad that skipped its loop would not. */
#define GBPS_PER_THREAD_CEILING 10000.0

int main(void)
{
    double gbps = -1;
    CHECK(interop_triad_limit_gbps(0, ELEMENTS, 1, &gbps) == -1, "threads < 1");
    CHECK(interop_triad_limit_gbps(-3, ELEMENTS, 1, &gbps) == -1, "threads negative");
    CHECK(interop_triad_limit_gbps(1, -1, 1, &gbps) == -2, "elements < 0");
    CHECK(interop_triad_limit_gbps(1, ELEMENTS, 0, &gbps) == -3, "runs < 1");
    CHECK(interop_triad_limit_gbps(1, ELEMENTS, 1, NULL) == -4, "gbps NULL");
    CHECK(interop_triad_limit_gbps(1, INT64_MAX, 1, &gbps) == INTEROP_STATUS_NO_MEMORY,
          "arrays past any address space");
    CHECK(gbps == -1, "a refused call stored %g", gbps);

    for (int32_t threads = 1; threads <= 3; ++threads) {
        double g = -1;
        int32_t status = interop_triad_limit_gbps(threads, ELEMENTS, 3, &g);
        CHECK(status == 0, "%d thread(s): status %d (1: the triad's result was wrong)", threads, status);
        CHECK(g > 0 && isfinite(g) && g < threads * GBPS_PER_THREAD_CEILING, "%d thread(s): %g GB/s", threads,
              g);
        printf("triad, 2^20 doubles per array, %d thread(s): %.1f GB/s\n", threads, g);
    }

    /* Fewer elements than threads (a thread with none) and a single element: still checked, still a rate. */
    for (int64_t elements = 1; elements <= 2; ++elements) {
        double g = -1;
        int32_t status = interop_triad_limit_gbps(3, elements, 2, &g);
        CHECK(status == 0 && g > 0 && isfinite(g), "%lld element(s) on 3 threads: status %d, %g GB/s",
              (long long)elements, status, g);
    }

    if (failures > 0)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
