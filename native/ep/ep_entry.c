/* The exported EP entry points of libinterop_native (interop_ep.h): the argument checks, the C
 * kernel's split of the batches over an OpenMP team, and the call of the Fortran kernel of the
 * instruction-set path in use (src/isa.c's choice: interop_isa_select, else the best the CPU has). */
#include "ep_generator.h"
#include "interop_ep.h"
#include "isa.h"
#include "splitmix.h"

#include <omp.h>
#include <stddef.h>
#include <string.h>

/* interop_ep_c's argument statuses (the Fortran kernel checks its own, the same). */
static int32_t check_arguments(int64_t first_batch, int64_t batches, int32_t threads, const double *batch_sums,
                               const int64_t *counts)
{
    if (first_batch < 0)
        return -1;
    if (batches < 0)
        return -2;
    if (threads < 1)
        return -3;
    if (batch_sums == NULL)
        return -4;
    if (counts == NULL)
        return -5;
    if (first_batch > INTEROP_EP_MAX_BATCHES || batches > INTEROP_EP_MAX_BATCHES - first_batch)
        return -6;
    return 0;
}

typedef struct {
    int32_t isa;
    interop_ep_batches batches_c;
    interop_ep_kernel fortran;
} ep_kernels;

static const ep_kernels kernels[] = {
    {INTEROP_ISA_SCALAR, interop_ep_batches_c_scalar, interop_ep_fortran_scalar},
#if defined(INTEROP_HAVE_X86_ISAS)
    {INTEROP_ISA_AVX2, interop_ep_batches_c_avx2, interop_ep_fortran_avx2},
    {INTEROP_ISA_AVX512, interop_ep_batches_c_avx512, interop_ep_fortran_avx512},
#endif
};

/* The EP kernels of the path in use; every path the library selects has them. */
static const ep_kernels *active_kernels(void)
{
    int32_t isa = interop_isa_kernels_active()->isa;
    for (size_t i = 0; i < sizeof kernels / sizeof *kernels; ++i)
        if (kernels[i].isa == isa)
            return &kernels[i];
    return &kernels[0];
}

INTEROP_EXPORT int32_t interop_ep_c(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                                    int64_t *counts)
{
    int32_t status = check_arguments(first_batch, batches, threads, batch_sums, counts);
    if (status != 0)
        return status;
    interop_ep_batches run = active_kernels()->batches_c;
    int64_t histogram[EP_HISTOGRAM] = {0};
#pragma omp parallel num_threads(threads)
    {
        /* Whole batches per thread, contiguous, split by the team OpenMP actually gave (it may be
         * smaller than asked, e.g. under OMP_THREAD_LIMIT): every batch is run once whatever the team,
         * and a batch's sums do not depend on which thread ran it. */
        int64_t part_begin, part_end;
        interop_split(first_batch, first_batch + batches, omp_get_num_threads(), omp_get_thread_num(), &part_begin,
                      &part_end);
        int64_t mine[EP_HISTOGRAM] = {0};
        run(part_begin, part_end - part_begin, batch_sums + 4 * (part_begin - first_batch), mine);
        /* Integer counts: the order in which the threads add them does not matter. */
        for (int slot = 0; slot < EP_HISTOGRAM; ++slot) {
#pragma omp atomic
            histogram[slot] += mine[slot];
        }
    }
    memcpy(counts, histogram, sizeof(int64_t) * INTEROP_EP_ANNULI);
    return histogram[EP_PAST_ANNULI] != 0 ? 1 : 0;
}

INTEROP_EXPORT int32_t interop_ep_fortran(int64_t first_batch, int64_t batches, int32_t threads,
                                          double *batch_sums, int64_t *counts)
{
    return active_kernels()->fortran(first_batch, batches, threads, batch_sums, counts);
}
