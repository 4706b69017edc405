/* The floating-point limit of an instruction-set path on a team of threads (interop.h,
 * interop_fma_limit_gflops): every thread runs the path's independent multiply-add chains
 * (fma_chains.c) at once, and the best of several short runs is the limit, as peak rates are
 * measured. The yardstick of an inversion's "% of peak". */
#include "cpu_runs.h"
#include "interop.h"
#include "isa.h"

#include <omp.h>
#include <stddef.h>

/* One timed run lasts about this long on each thread: long enough for the timer (and for a CPU that
 * powers its wide units up on first use), short enough that runs x this stays a few tens of ms. */
#define RUN_SECONDS 0.004

/* m just below 1 and c small: every chain converges to c / (1 - m) = 1, far from overflow and from
 * subnormals. Passed as values, so the compiler cannot fold the chains. */
#define CHAIN_M (1.0 - 0x1p-20)
#define CHAIN_C 0x1p-20

/* Where the chains' sums go, so that no run is work without a result. */
static volatile double fma_sink;

/* Iterations of one thread's chains that last about RUN_SECONDS: doubled from a small count until
 * a run takes a quarter of that, then scaled. */
static int64_t calibrate(const interop_isa_kernels *kernels, double *sink)
{
    int64_t iterations = 1024;
    for (;;) {
        double flops;
        double start = omp_get_wtime();
        *sink += kernels->fma_chains(iterations, CHAIN_M, CHAIN_C, &flops);
        double seconds = omp_get_wtime() - start;
        if (seconds >= RUN_SECONDS / 4 || iterations >= (INT64_C(1) << 40))
            return (int64_t)((double)iterations * RUN_SECONDS / (seconds > 0 ? seconds : RUN_SECONDS)) + 1;
        iterations *= 2;
    }
}

INTEROP_EXPORT int32_t interop_fma_limit_gflops(int32_t isa, int32_t threads, int32_t runs, double *gflops)
{
    if (isa < INTEROP_ISA_SCALAR || isa > INTEROP_ISA_AVX512)
        return -1;
    if (threads < 1)
        return -2;
    if (runs < 1)
        return -3;
    if (gflops == NULL)
        return -4;
    const interop_isa_kernels *kernels = interop_isa_kernels_of(isa);
    if (kernels == NULL || !interop_cpu_runs(isa))
        return 1;

    double sink = 0;
    const int64_t iterations = calibrate(kernels, &sink);
    double best = 0;
    double start = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
        /* Run 0 warms up (threads started and spinning, wide units powered up) and is not counted. */
        for (int32_t run = 0; run <= runs; ++run) {
            double flops = 0;
#pragma omp barrier
            if (omp_get_thread_num() == 0)
                start = omp_get_wtime();
            sink += kernels->fma_chains(iterations, CHAIN_M, CHAIN_C, &flops);
#pragma omp barrier
            if (omp_get_thread_num() == 0 && run > 0) {
                /* Every thread did the same work: the team's flops over the slowest thread's time. */
                double rate = flops * omp_get_num_threads() / (omp_get_wtime() - start) / 1e9;
                best = rate > best ? rate : best;
            }
        }
    }
    fma_sink = sink;
    *gflops = best;
    return 0;
}
