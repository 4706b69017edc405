/* Which instruction-set path the kernels take: the CPU's best by default, or the one forced with
 * interop_isa_select (the driver's --isa and INTEROP_ISA). The exported Fortran and inversion entry
 * points are here too: each calls its kernel on the path in use. */
#include "isa.h"
#include "cpu_runs.h"
#include "interop.h"

#include <stddef.h>

static const interop_isa_kernels kernels[] = {
    {INTEROP_ISA_SCALAR, interop_pi_range_c_scalar, interop_pi_count_fortran_scalar, interop_inv_c_scalar,
     interop_inv_fortran_scalar, interop_fma_chains_scalar},
#if defined(INTEROP_HAVE_X86_ISAS)
    {INTEROP_ISA_AVX2, interop_pi_range_c_avx2, interop_pi_count_fortran_avx2, interop_inv_c_avx2,
     interop_inv_fortran_avx2, interop_fma_chains_avx2},
    {INTEROP_ISA_AVX512, interop_pi_range_c_avx512, interop_pi_count_fortran_avx512, interop_inv_c_avx512,
     interop_inv_fortran_avx512, interop_fma_chains_avx512},
#endif
};

/* 0 = AUTO. Written by interop_isa_select, which callers use before they start kernels. */
static int32_t forced = INTEROP_ISA_AUTO;

INTEROP_EXPORT int32_t interop_isa_supported(int32_t isa)
{
    if (isa < INTEROP_ISA_AUTO || isa > INTEROP_ISA_AVX512)
        return -1;
    return isa == INTEROP_ISA_AUTO || interop_cpu_runs(isa) ? 1 : 0;
}

INTEROP_EXPORT int32_t interop_isa_select(int32_t isa)
{
    int32_t supported = interop_isa_supported(isa);
    if (supported < 0)
        return -1;
    if (supported == 0)
        return 1;
    forced = isa;
    return 0;
}

INTEROP_EXPORT int32_t interop_isa_active(void)
{
    return interop_isa_kernels_active()->isa;
}

const interop_isa_kernels *interop_isa_kernels_active(void)
{
    const size_t count = sizeof kernels / sizeof *kernels;
    for (size_t i = count; i-- > 0;)
        if (forced == INTEROP_ISA_AUTO ? interop_cpu_runs(kernels[i].isa) : kernels[i].isa == forced)
            return &kernels[i];
    return &kernels[0];
}

const interop_isa_kernels *interop_isa_kernels_of(int32_t isa)
{
    for (size_t i = 0; i < sizeof kernels / sizeof *kernels; ++i)
        if (kernels[i].isa == isa)
            return &kernels[i];
    return NULL;
}

INTEROP_EXPORT int32_t interop_pi_count_fortran(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                                int64_t *inside)
{
    return interop_isa_kernels_active()->pi_count_fortran(seed, begin, end, threads, inside);
}

INTEROP_EXPORT int32_t interop_inv_c(int64_t n, double *a, int32_t threads)
{
    return interop_isa_kernels_active()->inv_c(n, a, threads);
}

INTEROP_EXPORT int32_t interop_inv_fortran(int64_t n, double *a, int32_t threads)
{
    return interop_isa_kernels_active()->inv_fortran(n, a, threads);
}
