/* The floating-point limit of one instruction-set path, on one thread: independent chains of
 * multiply-adds, acc = acc * m + c, on as many accumulator registers as keep every FMA unit busy
 * (latency x units: 4 cycles x 2 units on Skylake-X, Zen 4 and Zen 5, 5 x 2 on Zen 3; a few more to
 * spare). Compiled once per path (isa.h); fma_limit.c times it on a team of threads.
 *   avx512: 16 zmm chains of vfmadd (8 doubles, 2 flops per lane)
 *   avx2:   12 ymm chains of vfmadd (4 doubles, 2 flops per lane)
 *   scalar: 12 chains of SSE2 mulpd + addpd (2 doubles, 2 flops per lane per pair): the x86-64
 *           baseline has no FMA, and a mul and an add are all that path's kernels can issue. On other
 *           processors the compiler may fuse the pair into an FMA; it still counts 2 flops per lane.
 * With m just below 1, every chain converges (to c / (1 - m)): no overflow, no subnormals. */
#include "interop.h"
#include "isa.h"

#include <string.h>

#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
#include <immintrin.h>
#endif

#if INTEROP_ISA_LEVEL == INTEROP_ISA_AVX512 && defined(__AVX512F__)
enum { CHAINS = 16, LANES = 8 };
typedef __m512d vec;
#define VEC_SET1(x) _mm512_set1_pd(x)
#define VEC_MULADD(a, m, c) _mm512_fmadd_pd(a, m, c)
#elif INTEROP_ISA_LEVEL == INTEROP_ISA_AVX2 && defined(__FMA__)
enum { CHAINS = 12, LANES = 4 };
typedef __m256d vec;
#define VEC_SET1(x) _mm256_set1_pd(x)
#define VEC_MULADD(a, m, c) _mm256_fmadd_pd(a, m, c)
#else
enum { CHAINS = 12, LANES = 2 };
typedef double vec __attribute__((vector_size(16)));
#define VEC_SET1(x) ((vec){(x), (x)})
#define VEC_MULADD(a, m, c) ((a) * (m) + (c))
#endif

/* Runs `iterations` steps of every chain and returns the sum of the accumulators (which the caller
 * keeps, so the loop cannot be dropped); stores the flops done in *flops. */
double INTEROP_ISA_NAME(interop_fma_chains)(int64_t iterations, double m, double c, double *flops)
{
    const vec vm = VEC_SET1(m);
    const vec vc = VEC_SET1(c);
    vec acc[CHAINS];
    for (int k = 0; k < CHAINS; ++k)
        acc[k] = VEC_SET1(1.0 + (double)k * 0x1p-10);
    for (int64_t i = 0; i < iterations; ++i) {
        /* Unrolled by the compiler: CHAINS is a constant, and the accumulators stay in registers. */
        for (int k = 0; k < CHAINS; ++k)
            acc[k] = VEC_MULADD(acc[k], vm, vc);
    }
    double lanes[LANES];
    double sum = 0;
    for (int k = 0; k < CHAINS; ++k) {
        memcpy(lanes, &acc[k], sizeof lanes);
        for (int l = 0; l < LANES; ++l)
            sum += lanes[l];
    }
    *flops = 2.0 * LANES * CHAINS * (double)iterations;
    return sum;
}
