/* NPB EP on the kernels of the kernel table (native/kernels.json) that run it, timed from C with no
 * .NET in between:
 *   bench_ep [kernel=<table id>|all] [class=A: S|W|A|B|C, or M 16..36] [threads=1] [repeat=3] [isa=auto]
 * isa (auto|scalar|avx2|avx512) forces the instruction-set path of each kernel through its library's
 * <prefix>_select; a path a kernel's library cannot run here is refused. One untimed warm-up of every
 * kernel, then `repeat` rounds in which every kernel runs once, in turn. Prints per kernel the path,
 * the median, min and max seconds and NPB's rate, Mop/s = 2^(M+1) / seconds / 10^6 (randoms per
 * microsecond), and the same rate over the process's CPU seconds (the median run's neighbours
 * aside: each run's CPU time, median), which a machine shared with other jobs disturbs less than the
 * wall clock (NPB's own rate is wall-clock), and the first kernel's median over each other's. Checks each kernel's last run: for a
 * class, NPB 3.3's signed sums and NPB 3.4.2+'s sums of absolute values and pair count (relative
 * 1e-8); for every size, q0..q9 equal to the first kernel's; exit 1 otherwise.
 * Take flock /tmp/interop-bench.lock while timing on a shared machine. */
/* clock_gettime, CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID are POSIX, not ISO C11. */
#define _POSIX_C_SOURCE 199309L

#include "bench_timing.h"
#include "interop.h"
#include "interop_ep.h"
#include "kernel_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*ep_kernel)(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                             int64_t *counts);

/* NPB's classes and their verification values (NPB 3.3: signed sums; NPB 3.4.2+: sums of absolute
 * values and the accepted pairs). */
typedef struct {
    char name;
    int m;
    double sx33, sy33, sx34, sy34;
    int64_t pairs34;
} npb_class;

static const npb_class classes[] = {
    {'S', 24, -3.247834652034740e+3, -6.958407078382297e+3, 1.051299420395306e+07, 1.051517131857535e+07, 13176389},
    {'W', 25, -2.863319731645753e+3, -6.320053679109499e+3, 2.102505525182392e+07, 2.103162209578822e+07, 26354769},
    {'A', 28, -4.295875165629892e+3, -1.580732573678431e+4, 1.682235632304711e+08, 1.682195123368299e+08, 210832767},
    {'B', 30, 4.033815542441498e+4, -2.660669192809235e+4, 6.728927543423024e+08, 6.728951822504275e+08, 843345606},
    {'C', 32, 4.764367927995374e+4, -8.084072988043731e+4, 2.691444083862931e+09, 2.691519118724585e+09,
     3373275903},
};

typedef struct {
    const char *name;
    interop_kernel kernel;
    ep_kernel ep;
    double *seconds;
    double *cpu_seconds;
    double total[4];
    int64_t counts[INTEROP_EP_ANNULI];
    int failed;
} timed_kernel;

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s [%s|all] [S|W|A|B|C|16..36] [threads >= 1] [repeat 1..100] [auto|scalar|avx2|avx512]\n",
            program, interop_kernel_ids());
    return 2;
}

/* The CPU seconds of the whole process, every thread. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int relative_ok(double value, double reference)
{
    return fabs((value - reference) / reference) <= 1e-8;
}

int main(int argc, char **argv)
{
    if (argc > 6)
        return usage(argv[0]);
    const char *which = argc > 1 ? argv[1] : "all";
    const char *size = argc > 2 ? argv[2] : "A";
    int32_t threads = argc > 3 ? atoi(argv[3]) : 1;
    int repeat = argc > 4 ? atoi(argv[4]) : 3;
    int32_t isa = interop_kernel_isa_parse(argc > 5 ? argv[5] : "auto");
    const npb_class *npb = NULL;
    int m = 0;
    for (size_t c = 0; c < sizeof classes / sizeof *classes; ++c)
        if (strlen(size) == 1 && size[0] == classes[c].name)
            npb = &classes[c];
    if (npb != NULL)
        m = npb->m;
    else
        m = atoi(size);
    int all = strcmp(which, "all") == 0;
    if ((!all && interop_kernel_find(which) == NULL) || m < 16 || m > 36 || threads < 1 || repeat < 1 ||
        repeat > 100 || isa < 0)
        return usage(argv[0]);
    const int64_t batches = INT64_C(1) << (m - 16);

    timed_kernel *timed = calloc(interop_kernel_row_count, sizeof *timed);
    double *sums = malloc(sizeof(double) * 4 * (size_t)batches);
    if (timed == NULL || sums == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    size_t count = 0;
    for (size_t r = 0; r < interop_kernel_row_count; ++r) {
        const interop_kernel_row *row = &interop_kernel_rows[r];
        if (!all && strcmp(which, row->id) != 0 && strcmp(which, row->backend) != 0)
            continue;
        if (interop_kernel_symbol_of(row, "ep") == NULL) {
            if (all)
                continue;
            fprintf(stderr, "%s: %s runs no EP kernel (native/kernels.json names no 'ep' symbol for it)\n", argv[0],
                    row->id);
            return 2;
        }
        char message[512];
        timed_kernel *k = &timed[count];
        int status = interop_kernel_bind_path(row, isa, &k->kernel, message, sizeof message);
        if (status != 0) {
            fprintf(stderr, "%s: %s: %s\n", argv[0], row->id, message);
            return status == INTEROP_KERNEL_PATH_MISSING ? 2 : 1;
        }
        k->name = row->id;
        k->ep = (ep_kernel)interop_kernel_function_of(&k->kernel, "ep");
        k->cpu_seconds = malloc(sizeof(double) * (size_t)repeat);
        if ((k->seconds = malloc(sizeof(double) * (size_t)repeat)) == NULL || k->cpu_seconds == NULL) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        ++count;
    }
    if (count == 0) {
        fprintf(stderr, "%s: no kernel of native/kernels.json in this build runs EP\n", argv[0]);
        return 2;
    }

    /* Round -1 is the warm-up. */
    int failed = 0;
    for (int round = -1; round < repeat; ++round)
        for (size_t i = 0; i < count; ++i) {
            timed_kernel *k = &timed[i];
            if (k->failed)
                continue;
            double start = bench_now(), cpu_start = cpu_now();
            int32_t status = k->ep(0, batches, threads, sums, k->counts);
            double elapsed = bench_now() - start, cpu_elapsed = cpu_now() - cpu_start;
            if (status != 0) {
                fprintf(stderr, "%s: status %d %s\n", k->name, status, interop_kernel_last_error(&k->kernel));
                k->failed = failed = 1;
                continue;
            }
            if (round >= 0) {
                k->seconds[round] = elapsed;
                k->cpu_seconds[round] = cpu_elapsed;
            }
            /* The driver's reduction: batch sums in batch order. */
            k->total[0] = k->total[1] = k->total[2] = k->total[3] = 0.0;
            for (int64_t j = 0; j < batches; ++j)
                for (int s = 0; s < 4; ++s)
                    k->total[s] += sums[4 * j + s];
        }

    double first_median = 0.0;
    for (size_t i = 0; i < count; ++i) {
        timed_kernel *k = &timed[i];
        if (k->failed)
            continue;
        int64_t pairs = 0;
        for (int l = 0; l < INTEROP_EP_ANNULI; ++l)
            pairs += k->counts[l];
        const char *check = "";
        if (npb != NULL && !(relative_ok(k->total[0], npb->sx33) && relative_ok(k->total[1], npb->sy33)))
            check = "FAILED NPB 3.3 (signed sums)";
        else if (npb != NULL &&
                 !(relative_ok(k->total[2], npb->sx34) && relative_ok(k->total[3], npb->sy34) && pairs == npb->pairs34))
            check = "FAILED NPB 3.4 (sums of absolute values, pairs)";
        else if (memcmp(k->counts, timed[0].counts, sizeof k->counts) != 0)
            check = "FAILED: q0..q9 differ from the first kernel's";
        double median = bench_median(k->seconds, repeat);
        double cpu_median = bench_median(k->cpu_seconds, repeat);
        if (i == 0)
            first_median = median;
        printf("%-8s %-7s M=%d threads=%d median %.4f s (min %.4f, max %.4f) %.1f Mop/s (%.1f per CPU second), sx %.15e sy %.15e "
               "pairs %lld%s%s",
               k->name, interop_kernel_isa_name(k->kernel.isa_active()), m, threads, median, k->seconds[0],
               k->seconds[repeat - 1], ldexp(1.0, m + 1) / median / 1e6, ldexp(1.0, m + 1) / cpu_median / 1e6, k->total[0], k->total[1], (long long)pairs,
               npb != NULL && check[0] == '\0' ? ", verified" : "", check[0] ? ", " : "");
        printf("%s", check);
        if (i > 0 && !timed[0].failed)
            printf(", %s's time over this one's %.2f", timed[0].name, first_median / median);
        printf("\n");
        if (check[0] != '\0')
            failed = 1;
    }
    for (size_t i = 0; i < count; ++i) {
        free(timed[i].seconds);
        free(timed[i].cpu_seconds);
    }
    free(timed);
    free(sums);
    return failed;
}
