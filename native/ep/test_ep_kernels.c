/* CTest: NPB EP on every kernel of the table (native/kernels.json) that runs it (its "symbols" name
 * "ep"), bound by symbol as the pi and inversion suites bind theirs (native/table).
 *   test_ep_kernels <id> <path>  one kernel on one instruction-set path (77: skipped, the path is not
 *                                there): class S at 1, 2 and 3 threads against NPB 3.3's and NPB 3.4.2+'s
 *                                values and NPB's own q0..q9; the same sums to the bit and the same counts at every thread
 *                                count; sub-ranges of batches as the whole run has them; single batches
 *                                against this program's own EP, written the way NPB writes it (randlc
 *                                in double arithmetic, jump-ahead, libm's log); argument statuses.
 *   test_ep_kernels agree        every such kernel on every path its library runs here: the same
 *                                q0..q9, and sums within 1e-12 of each other (on the scale of the
 *                                sums of absolute values).
 *   test_ep_kernels generator    this program's randlc against hand-computed values, and the jump-ahead
 *                                against stepping.
 * Nothing here assumes which paths this CPU has: a library says (its <prefix>_supported). */
#include "interop.h"
#include "interop_ep.h"
#include "kernel_table.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef int32_t (*ep_kernel)(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                             int64_t *counts);

static const char workload[] = "ep";

/* Class S: 2^24 pairs, 256 batches. NPB 3.3 verifies the signed sums; NPB 3.4.2+ the sums of absolute
 * values and the accepted pairs (/work/wt/EP-REFERENCE.md: NPB's ep.f, class S). Relative 1e-8. */
enum { CLASS_S_BATCHES = 256 };
static const double npb33_sx = -3.247834652034740e+3, npb33_sy = -6.958407078382297e+3;
static const double npb34_sx = 1.051299420395306e+07, npb34_sy = 1.051517131857535e+07;
static const int64_t npb34_pairs = 13176389;
static const double npb_tolerance = 1e-8;
/* q0..q9 of class S as NPB's own EP prints them (3.3.1 and 3.4.2 alike, EP-REFERENCE.md). */
static const int64_t npb_class_s_counts[INTEROP_EP_ANNULI] = {6140517, 5865300, 1100361, 68546, 1648, 17, 0, 0, 0, 0};

static int relative_ok(double value, double reference, double tolerance)
{
    return fabs((value - reference) / reference) <= tolerance;
}

/* ---- This program's own EP, as NPB's Fortran writes it ---- */

/* NPB's randlc: x = a x mod 2^46 in double arithmetic on 23-bit halves (every product exact), and
 * r = x 2^-46. Independent of the kernels' 64-bit integer generator. */
static double randlc(double *x, double a)
{
    const double r23 = 0x1p-23, t23 = 0x1p23, r46 = 0x1p-46, t46 = 0x1p46;
    double t1 = r23 * a;
    double a1 = (double)(int32_t)t1;
    double a2 = a - t23 * a1;
    t1 = r23 * *x;
    double x1 = (double)(int32_t)t1;
    double x2 = *x - t23 * x1;
    t1 = a1 * x2 + a2 * x1;
    double t2 = (double)(int32_t)(r23 * t1);
    double z = t1 - t23 * t2;
    double t3 = t23 * z + a2 * x2;
    double t4 = (double)(int32_t)(r46 * t3);
    *x = t3 - t46 * t4;
    return r46 * *x;
}

static const double npb_a = 1220703125.0, npb_seed = 271828183.0;

/* NPB's start of batch k: an = a^(2^17) by squaring, then seed an^k by binary jump-ahead. */
static double npb_batch_start(int64_t k)
{
    double an = npb_a;
    for (int i = 0; i < 17; ++i)
        randlc(&an, an);
    double t1 = npb_seed, t2 = an;
    for (int64_t kk = k; kk != 0; kk /= 2) {
        if (kk % 2 != 0)
            randlc(&t1, t2);
        randlc(&t2, t2);
    }
    return t1;
}

typedef struct {
    double sums[4];
    int64_t counts[INTEROP_EP_ANNULI];
    int past_annuli;
} reference_batch;

/* Batch k with NPB's loop (libm's log, the sums in pair order). Prints the pairs whose annulus is
 * within a last-bit change of the next (a vector log could move them) when `near_edges` is set. */
static reference_batch npb_batch(int64_t k, int near_edges)
{
    reference_batch b = {{0.0, 0.0, 0.0, 0.0}, {0}, 0};
    double x = npb_batch_start(k);
    for (int32_t i = 0; i < INTEROP_EP_BATCH_PAIRS; ++i) {
        double x1 = 2.0 * randlc(&x, npb_a) - 1.0;
        double x2 = 2.0 * randlc(&x, npb_a) - 1.0;
        double t1 = x1 * x1 + x2 * x2;
        if (t1 <= 1.0) {
            double t2 = sqrt(-2.0 * log(t1) / t1);
            double t3 = x1 * t2, t4 = x2 * t2;
            double m = fmax(fabs(t3), fabs(t4));
            if (m >= INTEROP_EP_ANNULI) {
                b.past_annuli = 1;
                continue;
            }
            ++b.counts[(int)m];
            if (near_edges && fabs(m - nearbyint(m)) < 1e-12 * m)
                printf("  batch %lld pair %d: max(|t3|, |t4|) = %.17g, at an annulus edge\n", (long long)k, i, m);
            b.sums[0] += t3;
            b.sums[1] += t4;
            b.sums[2] += fabs(t3);
            b.sums[3] += fabs(t4);
        }
    }
    return b;
}

/* ---- The kernels ---- */

static const interop_kernel *current;

static ep_kernel ep_of(const interop_kernel *kernel)
{
    return (ep_kernel)interop_kernel_function_of(kernel, workload);
}

/* A run's status; a failure names the kernel, path, range and threads. */
static int32_t run(ep_kernel kernel, int64_t first_batch, int64_t batches, int32_t threads, double *sums,
                   int64_t *counts)
{
    int32_t status = kernel(first_batch, batches, threads, sums, counts);
    CHECK(status == 0, "%s %s: batches [%lld, %lld), %d threads: status %d %s", current->row->id,
          interop_kernel_isa_name(current->isa_active()), (long long)first_batch,
          (long long)(first_batch + batches), threads, status, interop_kernel_last_error(current));
    return status;
}

/* Class S's totals: the batch sums added in batch order, as the driver adds them. */
static void totals(const double *batch_sums, int64_t batches, double total[4])
{
    total[0] = total[1] = total[2] = total[3] = 0.0;
    for (int64_t j = 0; j < batches; ++j)
        for (int s = 0; s < 4; ++s)
            total[s] += batch_sums[4 * j + s];
}

static int64_t accepted_pairs(const int64_t *counts)
{
    int64_t pairs = 0;
    for (int l = 0; l < INTEROP_EP_ANNULI; ++l)
        pairs += counts[l];
    return pairs;
}

static void print_counts(const char *label, const int64_t *counts)
{
    printf("%s", label);
    for (int l = 0; l < INTEROP_EP_ANNULI; ++l)
        printf(" %lld", (long long)counts[l]);
    printf("\n");
}

static void test_class_s(ep_kernel kernel, const char *what)
{
    double sums[3][4 * CLASS_S_BATCHES];
    int64_t counts[3][INTEROP_EP_ANNULI];
    for (int32_t threads = 1; threads <= 3; ++threads) {
        memset(sums[threads - 1], 0xff, sizeof sums[threads - 1]); /* NaN: a batch not written shows */
        if (run(kernel, 0, CLASS_S_BATCHES, threads, sums[threads - 1], counts[threads - 1]) != 0)
            return;
    }
    double total[4];
    totals(sums[0], CLASS_S_BATCHES, total);
    printf("%s class S: sx %.15e sy %.15e |sx| %.15e |sy| %.15e pairs %lld\n", what, total[0], total[1], total[2],
           total[3], (long long)accepted_pairs(counts[0]));
    print_counts("  q:", counts[0]);
    CHECK(relative_ok(total[0], npb33_sx, npb_tolerance) && relative_ok(total[1], npb33_sy, npb_tolerance),
          "%s: NPB 3.3 class S: sx %.15e (reference %.15e), sy %.15e (reference %.15e)", what, total[0], npb33_sx,
          total[1], npb33_sy);
    CHECK(relative_ok(total[2], npb34_sx, npb_tolerance) && relative_ok(total[3], npb34_sy, npb_tolerance),
          "%s: NPB 3.4 class S: sx %.15e (reference %.15e), sy %.15e (reference %.15e)", what, total[2], npb34_sx,
          total[3], npb34_sy);
    CHECK(accepted_pairs(counts[0]) == npb34_pairs, "%s: NPB 3.4 class S: %lld pairs (reference %lld)", what,
          (long long)accepted_pairs(counts[0]), (long long)npb34_pairs);
    CHECK(memcmp(counts[0], npb_class_s_counts, sizeof npb_class_s_counts) == 0,
          "%s: class S: q0..q9 differ from NPB's own run's", what);
    for (int t = 1; t < 3; ++t) {
        CHECK(memcmp(sums[t], sums[0], sizeof sums[0]) == 0, "%s: %d threads' batch sums differ from 1 thread's",
              what, t + 1);
        CHECK(memcmp(counts[t], counts[0], sizeof counts[0]) == 0, "%s: %d threads' counts differ from 1 thread's",
              what, t + 1);
    }

    /* A range that does not start at batch 0 is the whole run's batches, to the bit. */
    double part[4 * 5];
    int64_t part_counts[INTEROP_EP_ANNULI];
    if (run(kernel, 100, 5, 2, part, part_counts) == 0)
        CHECK(memcmp(part, sums[0] + 4 * 100, sizeof part) == 0, "%s: batches 100..104 differ from the whole run's",
              what);

    /* Single batches against NPB's own way of computing them; the last batch of the period too. */
    const int64_t batches[] = {0, 1, 137, 255, INTEROP_EP_MAX_BATCHES - 1};
    for (size_t i = 0; i < sizeof batches / sizeof *batches; ++i) {
        int64_t k = batches[i];
        double one[4];
        int64_t one_counts[INTEROP_EP_ANNULI];
        int32_t status = kernel(k, 1, 1, one, one_counts);
        reference_batch reference = npb_batch(k, 0);
        CHECK(status == (reference.past_annuli ? 1 : 0), "%s: batch %lld: status %d", what, (long long)k, status);
        if (k < CLASS_S_BATCHES)
            CHECK(memcmp(one, sums[0] + 4 * k, sizeof one) == 0, "%s: batch %lld alone differs from the whole run's",
                  what, (long long)k);
        /* A vector path adds in another order and may use another log: the sums agree to rounding, on
         * the scale of the sum of absolute values (a signed sum may be near 0). */
        for (int s = 0; s < 4; ++s)
            CHECK(fabs(one[s] - reference.sums[s]) <= 1e-12 * reference.sums[2 + s % 2],
                  "%s: batch %lld sum %d: %.17g, NPB's loop %.17g", what, (long long)k, s, one[s], reference.sums[s]);
        if (memcmp(one_counts, reference.counts, sizeof one_counts) != 0) {
            CHECK(0, "%s: batch %lld: counts differ from NPB's loop; the pairs a last-bit change could move:", what,
                  (long long)k);
            print_counts("  kernel:   ", one_counts);
            print_counts("  NPB loop: ", reference.counts);
            npb_batch(k, 1);
        }
    }
}

static void test_arguments(ep_kernel kernel, const char *what)
{
    double sums[8];
    int64_t counts[INTEROP_EP_ANNULI];
    const int64_t max = INTEROP_EP_MAX_BATCHES;
    CHECK(kernel(-1, 1, 1, sums, counts) == -1, "%s: first_batch < 0", what);
    CHECK(kernel(0, -1, 1, sums, counts) == -2, "%s: batches < 0", what);
    CHECK(kernel(0, 1, 0, sums, counts) == -3, "%s: threads < 1", what);
    CHECK(kernel(0, 1, 1, NULL, counts) == -4, "%s: batch_sums NULL", what);
    CHECK(kernel(0, 1, 1, sums, NULL) == -5, "%s: counts NULL", what);
    CHECK(kernel(max, 1, 1, sums, counts) == -6, "%s: past the period", what);
    CHECK(kernel(0, max + 1, 1, sums, counts) == -6, "%s: more batches than the period", what);
    CHECK(kernel(INT64_MAX, INT64_MAX, 1, sums, counts) == -6, "%s: a range whose end overflows", what);
    /* No batch: every count overwritten with 0. */
    for (int l = 0; l < INTEROP_EP_ANNULI; ++l)
        counts[l] = 99;
    CHECK(kernel(max, 0, 2, sums, counts) == 0 && accepted_pairs(counts) == 0 && counts[0] == 0,
          "%s: no batch at the end of the period", what);
    /* More threads than batches: the idle ones add nothing. */
    CHECK(kernel(max - 2, 2, 5, sums, counts) == 0 && accepted_pairs(counts) > 0, "%s: 2 batches on 5 threads",
          what);
}

static void test_kernel(const interop_kernel *kernel)
{
    char what[64];
    snprintf(what, sizeof what, "%s %s", kernel->row->id, interop_kernel_isa_name(kernel->isa_active()));
    test_arguments(ep_of(kernel), what);
    test_class_s(ep_of(kernel), what);
}

/* Every row that runs EP on every path its library runs here: the same counts, sums close. */
typedef struct {
    int64_t counts[INTEROP_EP_ANNULI];
    double total[4];
    char what[64]; /* the first row and path's; "" before it */
} first_run;

static void agree_on_path(const interop_kernel_row *row, interop_kernel *kernel, int32_t isa, void *context)
{
    first_run *first = context;
    current = kernel;
    double sums[4 * CLASS_S_BATCHES], total[4];
    int64_t counts[INTEROP_EP_ANNULI];
    if (run(ep_of(kernel), 0, CLASS_S_BATCHES, 2, sums, counts) == 0) {
        totals(sums, CLASS_S_BATCHES, total);
        char what[64];
        snprintf(what, sizeof what, "%s %s", row->id, interop_kernel_isa_name(isa));
        printf("%-16s sx %.15e sy %.15e pairs %lld\n", what, total[0], total[1], (long long)accepted_pairs(counts));
        if (first->what[0] == '\0') {
            memcpy(first->counts, counts, sizeof counts);
            memcpy(first->total, total, sizeof total);
            snprintf(first->what, sizeof first->what, "%s", what);
        } else {
            if (memcmp(counts, first->counts, sizeof counts) != 0) {
                CHECK(0, "%s: q0..q9 differ from %s's", what, first->what);
                print_counts("  this:  ", counts);
                print_counts("  first: ", first->counts);
            }
            for (int s = 0; s < 4; ++s)
                CHECK(fabs(total[s] - first->total[s]) <= 1e-12 * first->total[2 + s % 2],
                      "%s: sum %d %.17g, %s's %.17g", what, s, total[s], first->what, first->total[s]);
        }
    }
    current = NULL;
}

static void test_agree(void)
{
    first_run first = {.what = ""};
    failures += interop_kernel_for_each_path(workload, agree_on_path, &first);
}

/* The reference generator itself: randlc's first values from the seed, worked out by hand (a s mod
 * 2^46 with a = 1220703125, s = 271828183), and the jump-ahead against stepping. */
static void test_generator(void)
{
    const double expected[] = {32883653486115.0, 55063727434591.0, 39106144873291.0, 46899331031975.0};
    double x = npb_seed;
    for (int i = 0; i < 4; ++i) {
        double r = randlc(&x, npb_a);
        CHECK(x == expected[i] && r == expected[i] * 0x1p-46, "randlc value %d: %.17g, expected %.17g", i + 1, x,
              expected[i]);
    }
    /* a^(2^17) mod 2^46 and the start of batch 1 and 255 (s A^k), by hand as above. */
    double an = npb_a;
    for (int i = 0; i < 17; ++i)
        randlc(&an, an);
    CHECK(an == 62362532446209.0, "a^(2^17) mod 2^46: %.17g", an);
    CHECK(npb_batch_start(1) == 7493776032983.0, "start of batch 1: %.17g", npb_batch_start(1));
    CHECK(npb_batch_start(255) == 58991384970455.0, "start of batch 255: %.17g", npb_batch_start(255));
    /* Stepping: 2^17 randoms from batch k's start reach batch k + 1's. */
    const int64_t batches[] = {0, 3, 1000};
    for (size_t i = 0; i < sizeof batches / sizeof *batches; ++i) {
        double stepped = npb_batch_start(batches[i]);
        for (int32_t j = 0; j < 2 * INTEROP_EP_BATCH_PAIRS; ++j)
            randlc(&stepped, npb_a);
        CHECK(stepped == npb_batch_start(batches[i] + 1), "batch %lld stepped: %.17g, jump-ahead %.17g",
              (long long)batches[i], stepped, npb_batch_start(batches[i] + 1));
    }
}

int main(int argc, char **argv)
{
    int32_t isa = argc == 3 ? interop_kernel_isa_parse(argv[2]) : -1;
    int kernel_suite = argc == 3 && isa > INTEROP_ISA_AUTO && interop_kernel_find(argv[1]) != NULL;
    int other_suite = argc == 2 && (strcmp(argv[1], "agree") == 0 || strcmp(argv[1], "generator") == 0);
    if (!kernel_suite && !other_suite) {
        fprintf(stderr, "usage: %s %s scalar|avx2|avx512\n       %s agree|generator\n", argv[0],
                interop_kernel_ids(), argv[0]);
        return 2;
    }
    if (kernel_suite) {
        interop_kernel kernel;
        int prepared = interop_kernel_prepare(argv[1], workload, isa, &kernel);
        if (prepared != 0)
            return prepared;
        current = &kernel;
        test_kernel(&kernel);
        CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    } else if (strcmp(argv[1], "agree") == 0) {
        test_agree();
    } else {
        test_generator();
    }
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed (%s%s%s)\n", argv[1], argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
    return 0;
}
