/* OpenMP's own schedule clause over pi's darts, for comparing with the C# task pool's schedule over
 * threads (interop pi --schedule dynamic, issue 24): the loop over chunks is native here, and
 * OMP_SCHEDULE picks the schedule (schedule(runtime)): static, dynamic[,1] or guided[,1], in chunks.
 *   bench_pi_schedule [darts=2e9] [chunk=0: darts / (threads x 64)] [repeat=5]
 * Each chunk is counted by interop_pi_count_c on one thread (the c-openmp backend's entry point: a
 * nested region of one thread), so the chunks are those the C# pool hands out with the same chunk
 * size. One untimed warm-up, then `repeat` timed runs; prints the schedule, the median, min and max
 * seconds and the count, which must be the same on every run (exit 1 otherwise).
 * examples/schedule/bench-omp-schedule.sh runs it beside the driver under a noisy neighbour. */
#define _POSIX_C_SOURCE 199309L

#include "bench_timing.h"
#include "interop.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static int64_t count_all(int64_t darts, int64_t chunk)
{
    int64_t chunks = (darts + chunk - 1) / chunk;
    int64_t total = 0;
    int failed = 0;
#pragma omp parallel for schedule(runtime) reduction(+ : total, failed)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t begin = c * chunk;
        int64_t end = begin + chunk < darts ? begin + chunk : darts;
        int64_t inside = 0;
        failed += interop_pi_count_c(0x5eed, begin, end, 1, &inside) != 0;
        total += inside;
    }
    return failed ? -1 : total;
}

int main(int argc, char **argv)
{
    int64_t darts = argc > 1 ? (int64_t)strtod(argv[1], NULL) : 2000000000;
    int64_t chunk = argc > 2 ? (int64_t)strtod(argv[2], NULL) : 0;
    int repeat = argc > 3 ? atoi(argv[3]) : 5;
    int threads = omp_get_max_threads();
    if (darts < 1 || chunk < 0 || repeat < 1 || repeat > 1000) {
        fprintf(stderr, "usage: bench_pi_schedule [darts >= 1] [chunk >= 0] [repeat 1..1000]\n");
        return 2;
    }
    if (chunk == 0) {
        chunk = (darts + (int64_t)threads * 64 - 1) / ((int64_t)threads * 64);
    }

    omp_sched_t kind;
    int modifier;
    omp_get_schedule(&kind, &modifier);
    const char *names[] = {"?", "static", "dynamic", "guided", "auto"};
    int64_t first = count_all(darts, chunk);
    double seconds[1000];
    int mismatch = first < 0;
    for (int r = 0; r < repeat; r++) {
        double start = bench_now();
        int64_t again = count_all(darts, chunk);
        seconds[r] = bench_now() - start;
        mismatch |= again != first;
    }
    double median = bench_median(seconds, repeat);
    int name = ((int)kind & 0x7fffffff) < 5 ? ((int)kind & 0x7fffffff) : 0; /* without omp_sched_monotonic */
    printf("omp schedule(%s,%d) %d threads, %lld darts in chunks of %lld: median %.1f ms (%.1f-%.1f ms), inside %lld%s\n",
           names[name], modifier, threads, (long long)darts, (long long)chunk, median * 1e3, seconds[0] * 1e3,
           seconds[repeat - 1] * 1e3, (long long)first, mismatch ? " MISMATCH" : "");
    return mismatch ? 1 : 0;
}
