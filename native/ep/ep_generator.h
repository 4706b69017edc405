/* Internal to native/ep: NPB EP's generator in exact 64-bit integer arithmetic, and the per-path
 * batch functions the exported entry points (ep_entry.c) choose from.
 *
 * NPB's randlc/vranlc compute x_{k+1} = a x_k mod 2^46 in double precision, splitting the operands in
 * 23-bit halves so that every product is exact. The same value comes from one 64-bit multiply: the low
 * 64 bits of the product are exact modulo 2^64, and 2^46 divides 2^64, so masking them to 46 bits is
 * the product modulo 2^46. A state below 2^46 converts to a double exactly, and r = x 2^-46 and
 * 2 r - 1 = x 2^-45 - 1 are NPB's values to the bit. */
#ifndef INTEROP_EP_GENERATOR_H
#define INTEROP_EP_GENERATOR_H

#include "interop_ep.h"
#include "isa.h"

#include <stdint.h>

#define EP_MULTIPLIER UINT64_C(1220703125) /* a = 5^13 */
#define EP_SEED UINT64_C(271828183)
#define EP_MASK ((UINT64_C(1) << 46) - 1)
/* Where a pair's |t3| or |t4| lands past annulus 9 (a failure), and a rejected pair: the two extra
 * slots of a kernel's histogram beside annuli 0..9. */
#define EP_PAST_ANNULI INTEROP_EP_ANNULI
#define EP_REJECTED (INTEROP_EP_ANNULI + 1)
#define EP_HISTOGRAM (INTEROP_EP_ANNULI + 2)

/* x y mod 2^46, for x, y < 2^46. */
static inline uint64_t ep_multiply(uint64_t x, uint64_t y)
{
    return (x * y) & EP_MASK;
}

/* base^exponent mod 2^46 by binary exponentiation (NPB's jump-ahead). */
static inline uint64_t ep_power(uint64_t base, uint64_t exponent)
{
    uint64_t result = 1;
    while (exponent != 0) {
        if (exponent & 1)
            result = ep_multiply(result, base);
        base = ep_multiply(base, base);
        exponent >>= 1;
    }
    return result;
}

/* The step from one batch's start to the next: A = a^(2 * pairs per batch). */
static inline uint64_t ep_batch_step(void)
{
    return ep_power(EP_MULTIPLIER, 2 * INTEROP_EP_BATCH_PAIRS);
}

/* s_k = seed A^k mod 2^46, the state before batch k's first random. */
static inline uint64_t ep_batch_start(int64_t batch)
{
    return ep_multiply(EP_SEED, ep_power(ep_batch_step(), (uint64_t)batch));
}

/* One path's C kernel (ep_c_kernel.c) on the calling thread: batches [first_batch, first_batch +
 * batches), their sums into batch_sums[4 j ..], and the pairs per histogram slot (0..9 the annuli,
 * EP_PAST_ANNULI, EP_REJECTED) added to histogram. The arguments are checked by the caller. */
typedef void (*interop_ep_batches)(int64_t first_batch, int64_t batches, double *batch_sums,
                                   int64_t histogram[EP_HISTOGRAM]);

/* One path's Fortran kernel (ep_fortran_openmp.F90): interop_ep_fortran's whole contract. */
typedef int32_t (*interop_ep_kernel)(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                                     int64_t *counts);

#define INTEROP_DECLARE_EP_KERNELS(suffix)                                                                   \
    INTEROP_INTERNAL void interop_ep_batches_c##suffix(int64_t first_batch, int64_t batches,                 \
                                                       double *batch_sums, int64_t histogram[EP_HISTOGRAM]); \
    INTEROP_INTERNAL int32_t interop_ep_fortran##suffix(int64_t first_batch, int64_t batches,                \
                                                        int32_t threads, double *batch_sums, int64_t *counts);

INTEROP_DECLARE_EP_KERNELS(_scalar)
#if defined(INTEROP_HAVE_X86_ISAS)
INTEROP_DECLARE_EP_KERNELS(_avx2)
INTEROP_DECLARE_EP_KERNELS(_avx512)
#endif

#endif
