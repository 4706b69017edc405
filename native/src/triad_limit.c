/* The memory-bandwidth limit of a team of threads (interop.h, interop_triad_limit_gbps): STREAM's
 * triad, a[i] = b[i] + s * c[i], over three arrays too large for any cache, the best of several runs,
 * counted as STREAM counts it (3 x 8 bytes per element: two loads and one store; the read that a
 * cached store first makes of a's line, write-allocate, is real traffic but is not counted, as STREAM
 * does not count it). The yardstick of a memory-bound workload's GB/s, as the FMA limit
 * (fma_limit.c) is of a compute-bound one's GFLOP/s.
 *
 * Compiled once, with the library's own flags, not once per instruction-set path as the FMA chains
 * are: the loop moves 24 bytes per multiply-add, and even the baseline's 16-byte SSE2 loads and
 * stores issue far more bytes per cycle than one core can draw from memory (its outstanding misses,
 * not its vector width, bound it), so a wider path would change the instruction count, not the rate.
 * No non-temporal stores are written by hand: where the compiler emits none by itself, the
 * write-allocate reads cost bandwidth here as they do in a plainly compiled STREAM. */
#define _DEFAULT_SOURCE /* madvise */

#include "interop.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* Each array's length when the caller passes 0: 2^25 doubles, 256 MiB, 768 MiB for the three. STREAM
 * asks for arrays of at least 4 x the last-level cache the team can fill; a thread fills only its
 * own CCD's L3 (32 MiB on Zen 4/5, 96 MiB with stacked cache), so one array is 8x the first and the
 * three 8x the second. A team spread over more than 64 MiB of L3 passes a larger `elements` to stay
 * within STREAM's rule; this default stays small enough for a shared machine. */
#define DEFAULT_ELEMENTS (INT64_C(1) << 25)

/* Cache-line alignment: no line is shared by two arrays, and vector loads never split a line. */
#define ALIGNMENT 64

/* Arrays of at least a huge page are aligned to one and asked to get huge pages: with 4 KiB pages the
 * first touch of the default 768 MiB is 196,608 page faults, measured at 2.5 s of a 3 s call on a
 * VM whose transparent huge pages are "madvise"; the triad itself then also misses the TLB less
 * (as STREAM does on a machine whose huge pages are "always"). */
#define HUGE_PAGE ((size_t)2 << 20)

/* The arrays' values: small integers, so that b + s * c is exact for every s used (below 2^53) however
 * the compiler evaluates it (fused or not) and the check after the runs can compare with ==; masks,
 * not %, since a division per element would slow the first touch. No element of a's result is 0,
 * the value a holds before the first run. */
static double b_value(int64_t i)
{
    return (double)(i & 1023);
}
static double c_value(int64_t i)
{
    return (double)((i & 7) + 1);
}

/* Run `run`'s scalar: a different one each run, so that a run that stored nothing leaves the previous
 * run's values, which the check after the last run tells apart. */
static double scalar_of(int32_t run)
{
    return (double)run + 1.0;
}

static double *allocate(int64_t elements)
{
    size_t bytes = (size_t)elements * sizeof(double);
    const size_t alignment = bytes >= HUGE_PAGE ? HUGE_PAGE : ALIGNMENT;
    bytes = (bytes + alignment - 1) / alignment * alignment; /* aligned_alloc wants a multiple */
    double *array = aligned_alloc(alignment, bytes > 0 ? bytes : alignment);
#if defined(MADV_HUGEPAGE)
    if (array != NULL && alignment == HUGE_PAGE)
        (void)madvise(array, bytes, MADV_HUGEPAGE); /* a request: without THP, plain pages */
#endif
    return array;
}

INTEROP_EXPORT int32_t interop_triad_limit_gbps(int32_t threads, int64_t elements, int32_t runs, double *gbps)
{
    if (threads < 1)
        return -1;
    if (elements < 0)
        return -2;
    if (runs < 1)
        return -3;
    if (gbps == NULL)
        return -4;
    const int64_t n = elements == 0 ? DEFAULT_ELEMENTS : elements;
    if ((uint64_t)n > (SIZE_MAX - HUGE_PAGE) / sizeof(double))
        return INTEROP_STATUS_NO_MEMORY;

    double *a = allocate(n);
    double *b = allocate(n);
    double *c = allocate(n);
    if (a == NULL || b == NULL || c == NULL) {
        free(a);
        free(b);
        free(c);
        return INTEROP_STATUS_NO_MEMORY;
    }

    double best_seconds = 0;
    double start = 0;
    int64_t wrong = 0;
    /* One parallel region for the first touch, the runs and the check: the same team throughout, and
     * every loop the same static schedule over the same range, so each thread's part of the arrays is
     * the part it wrote first, its pages on that thread's NUMA node. */
#pragma omp parallel num_threads(threads) reduction(+ : wrong)
    {
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; ++i) {
            a[i] = 0;
            b[i] = b_value(i);
            c[i] = c_value(i);
        }

        /* Run 0 warms up (threads spinning, TLBs and pages settled) and is not counted. */
        for (int32_t run = 0; run <= runs; ++run) {
            const double s = scalar_of(run);
#pragma omp barrier
            if (omp_get_thread_num() == 0)
                start = omp_get_wtime();
#pragma omp for schedule(static)
            for (int64_t i = 0; i < n; ++i)
                a[i] = b[i] + s * c[i];
            /* The loop's implicit barrier: every thread is done when thread 0 reads the clock. */
            if (omp_get_thread_num() == 0 && run > 0) {
                double seconds = omp_get_wtime() - start;
                if (best_seconds == 0 || seconds < best_seconds)
                    best_seconds = seconds;
            }
        }

        /* STREAM checks its arrays after the runs; so does this, exactly: a rate is only stored for a
         * triad that really computed every element in the last run. */
        const double last = scalar_of(runs);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; ++i)
            wrong += a[i] != b_value(i) + last * c_value(i);
    }
    free(a);
    free(b);
    free(c);
    if (wrong != 0)
        return 1;

    /* A run shorter than the clock's tick (a handful of elements) is taken as one tick. */
    const double tick = omp_get_wtick();
    const double seconds = best_seconds > tick ? best_seconds : tick;
    *gbps = 3.0 * (double)sizeof(double) * (double)n / seconds / 1e9;
    return 0;
}
