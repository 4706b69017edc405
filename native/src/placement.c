/* Where OpenMP threads run: the xthi-style placement lines of `interop env`. */
#define _GNU_SOURCE /* sched_getcpu */
#include "interop.h"

#include <omp.h>
#include <sched.h>
#include <stddef.h>

INTEROP_EXPORT int32_t interop_omp_placement(int32_t threads, int32_t *cpus)
{
    if (threads < 1)
        return -1;
    if (cpus == NULL)
        return -2;
    int32_t team = 0;
#pragma omp parallel num_threads(threads)
    {
        /* All threads alive at once, as in a real parallel region, before they report. */
#pragma omp barrier
        cpus[omp_get_thread_num()] = (int32_t)sched_getcpu();
#pragma omp single
        team = (int32_t)omp_get_num_threads();
    }
    for (int32_t t = team; t < threads; ++t)
        cpus[t] = -1;
    return team;
}
