/* Monte Carlo pi in C with OpenMP: the c-openmp backend. The darts are split over the team here; each
 * thread counts its range with the counting loop of the instruction-set path in use (pi_c_kernel.c). */
#include "interop.h"
#include "isa.h"
#include "splitmix.h"

#include <omp.h>
#include <stddef.h>

INTEROP_EXPORT int32_t interop_pi_count_c(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                          int64_t *inside)
{
    if (begin < 0)
        return -2;
    if (end < begin)
        return -3;
    if (threads < 1)
        return -4;
    if (inside == NULL)
        return -5;

    uint64_t (*const count)(uint64_t, uint64_t, uint64_t) = interop_isa_kernels_active()->pi_range_c;
    uint64_t total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
        /* Split by the team size OpenMP actually gave us (it may be smaller than asked, e.g. under
         * OMP_THREAD_LIMIT), so no dart is ever dropped. */
        int64_t part_begin, part_end;
        interop_split(begin, end, omp_get_num_threads(), omp_get_thread_num(), &part_begin, &part_end);
        total += count(seed, (uint64_t)part_begin, (uint64_t)part_end);
    }
    *inside = (int64_t)total;
    return 0;
}

INTEROP_EXPORT int32_t interop_abi_version(void)
{
    return INTEROP_ABI_VERSION;
}
