/* Monte Carlo pi in C with OpenMP: the c-openmp backend. */
#include "interop.h"
#include "splitmix.h"

#include <omp.h>
#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define INTEROP_HAVE_AVX512_PATH 1
#endif

/* Below 2^62 means inside: x, y are 31-bit, so x*x + y*y is exact in 64 bits. */
#define PI_RADIUS_SQUARED (UINT64_C(1) << 62)

/* The reference loop, straight from the spec. Also handles the tails of the vector path. */
static uint64_t count_scalar(uint64_t seed, uint64_t begin, uint64_t end)
{
    uint64_t inside = 0;
    for (uint64_t k = begin; k < end; ++k) {
        uint64_t z = interop_mix(seed, k);
        uint64_t x = (uint32_t)(z >> 32) >> 1;
        uint64_t y = ((uint32_t)z) >> 1;
        inside += (x * x + y * y) < PI_RADIUS_SQUARED;
    }
    return inside;
}

#ifdef INTEROP_HAVE_AVX512_PATH
/* Register micro-kernel: 8 darts per vector. The 31-bit squares use vpmuludq (32x32->64), which is
 * cheaper than the 64-bit vpmullq the generator needs; the count is a masked subtract of -1. */
__attribute__((target("avx512f,avx512dq"))) static inline __m512i pi_block8(__m512i z, __m512i inside)
{
    const __m512i mix1 = _mm512_set1_epi64((long long)INTEROP_MIX1);
    const __m512i mix2 = _mm512_set1_epi64((long long)INTEROP_MIX2);
    const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512i radius2 = _mm512_set1_epi64((long long)PI_RADIUS_SQUARED);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), mix1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), mix2);
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    __m512i x = _mm512_srli_epi64(z, 33);
    __m512i y = _mm512_srli_epi64(_mm512_and_si512(z, low32), 1);
    __m512i r2 = _mm512_add_epi64(_mm512_mul_epu32(x, x), _mm512_mul_epu32(y, y));
    __mmask8 hit = _mm512_cmplt_epu64_mask(r2, radius2);
    return _mm512_mask_sub_epi64(inside, hit, inside, _mm512_set1_epi64(-1));
}

/* Blocking loop: four independent vectors in flight (32 darts per iteration) to hide the
 * multiply latency. The counter is advanced by addition: s + (k+1)*golden is linear in k. */
__attribute__((target("avx512f,avx512dq"))) static uint64_t count_avx512(uint64_t seed, uint64_t begin,
                                                                         uint64_t end)
{
    enum { LANES = 8, UNROLL = 4 };
    const uint64_t n = end - begin;
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i golden = _mm512_set1_epi64((long long)INTEROP_GOLDEN);
    const __m512i step = _mm512_set1_epi64((long long)(LANES * UNROLL * INTEROP_GOLDEN));
    __m512i z0 = _mm512_add_epi64(_mm512_set1_epi64((long long)(seed + (begin + 1) * INTEROP_GOLDEN)),
                                  _mm512_mullo_epi64(lane, golden));
    __m512i z[UNROLL], inside[UNROLL];
    for (int u = 0; u < UNROLL; ++u) {
        z[u] = _mm512_add_epi64(z0, _mm512_set1_epi64((long long)((uint64_t)(u * LANES) * INTEROP_GOLDEN)));
        inside[u] = _mm512_setzero_si512();
    }
    uint64_t i = 0;
    for (; i + LANES * UNROLL <= n; i += LANES * UNROLL) {
        for (int u = 0; u < UNROLL; ++u) {
            inside[u] = pi_block8(z[u], inside[u]);
            z[u] = _mm512_add_epi64(z[u], step);
        }
    }
    uint64_t total = 0;
    for (int u = 0; u < UNROLL; ++u)
        total += (uint64_t)_mm512_reduce_add_epi64(inside[u]);
    return total + count_scalar(seed, begin + i, end);
}
#endif

typedef uint64_t (*count_fn)(uint64_t, uint64_t, uint64_t);

/* Chosen at run time, so a library built for any x86-64 never executes AVX-512 on a CPU
 * without it. */
static count_fn select_kernel(void)
{
#ifdef INTEROP_HAVE_AVX512_PATH
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return count_avx512;
#endif
    return count_scalar;
}

INTEROP_EXPORT const char *interop_pi_c_simd_path(void)
{
#ifdef INTEROP_HAVE_AVX512_PATH
    if (select_kernel() == count_avx512)
        return "avx512";
#endif
    return "scalar";
}

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

    const count_fn count = select_kernel();
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
