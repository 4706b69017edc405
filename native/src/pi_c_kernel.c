/* The counting loop of the c-openmp pi backend, compiled once per instruction-set path (isa.h): the
 * spec's scalar loop (the portable path, and the tails of the vector paths), an AVX2 micro-kernel of
 * 4 darts per vector and an AVX-512 one of 8. pi_c_openmp.c splits the darts over the threads. */
#include "isa.h"
#include "interop.h"
#include "splitmix.h"

#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
#include <immintrin.h>
#endif

/* Below 2^62 means inside: x, y are 31-bit, so x*x + y*y is exact in 64 bits. */
#define PI_RADIUS_SQUARED (UINT64_C(1) << 62)

/* The reference loop, straight from the spec. */
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

#if INTEROP_ISA_LEVEL == INTEROP_ISA_AVX512 && defined(__AVX512F__) && defined(__AVX512DQ__)
/* Register micro-kernel: 8 darts per vector. The 31-bit squares use vpmuludq (32x32->64), which is
 * cheaper than the 64-bit vpmullq the generator needs; the count is a masked subtract of -1. */
static inline __m512i pi_block(__m512i z, __m512i inside)
{
    const __m512i mix1 = _mm512_set1_epi64((long long)INTEROP_MIX1);
    const __m512i mix2 = _mm512_set1_epi64((long long)INTEROP_MIX2);
    const __m512i radius2 = _mm512_set1_epi64((long long)PI_RADIUS_SQUARED);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), mix1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), mix2);
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    __m512i x = _mm512_srli_epi64(z, 33);
    /* vpmuludq reads the low 32 bits of each lane only: a 32-bit shift makes (uint32)z >> 1 there. */
    __m512i y = _mm512_srli_epi32(z, 1);
    __m512i r2 = _mm512_add_epi64(_mm512_mul_epu32(x, x), _mm512_mul_epu32(y, y));
    __mmask8 hit = _mm512_cmplt_epu64_mask(r2, radius2);
    return _mm512_mask_sub_epi64(inside, hit, inside, _mm512_set1_epi64(-1));
}

/* Blocking loop: four independent vectors in flight (32 darts per iteration) to hide the multiply
 * latency. The counter s + (k+1)*golden is linear in k, so it is advanced by addition. */
static uint64_t count_vector(uint64_t seed, uint64_t begin, uint64_t end)
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
            inside[u] = pi_block(z[u], inside[u]);
            z[u] = _mm512_add_epi64(z[u], step);
        }
    }
    uint64_t total = 0;
    for (int u = 0; u < UNROLL; ++u)
        total += (uint64_t)_mm512_reduce_add_epi64(inside[u]);
    return total + count_scalar(seed, begin + i, end);
}
#define HAVE_COUNT_VECTOR 1

#elif INTEROP_ISA_LEVEL == INTEROP_ISA_AVX2 && defined(__AVX2__)
/* z * c modulo 2^64 for a constant c = c_hi 2^32 + c_lo, without AVX-512's vpmullq: three 32x32->64
 * vpmuludq, z_lo c_lo + ((z_hi c_lo + z_lo c_hi) << 32); vpmuludq reads the low 32 bits of each lane. */
static inline __m256i mul64_const(__m256i z, __m256i c_lo, __m256i c_hi)
{
    __m256i low = _mm256_mul_epu32(z, c_lo);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(z, 32), c_lo), _mm256_mul_epu32(z, c_hi));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

/* Register micro-kernel: 4 darts per vector. The 31-bit squares are single vpmuludq; x*x + y*y is
 * below 2^63, so the signed compare vpcmpgtq decides "inside", and subtracting its all-ones lanes
 * counts. */
static inline __m256i pi_block(__m256i z, __m256i inside, __m256i mix1_lo, __m256i mix1_hi, __m256i mix2_lo,
                               __m256i mix2_hi, __m256i radius2)
{
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), mix1_lo, mix1_hi);
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), mix2_lo, mix2_hi);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
    __m256i x = _mm256_srli_epi64(z, 33);
    __m256i y = _mm256_srli_epi32(z, 1); /* (uint32)z >> 1 in each lane's low half */
    __m256i r2 = _mm256_add_epi64(_mm256_mul_epu32(x, x), _mm256_mul_epu32(y, y));
    return _mm256_sub_epi64(inside, _mm256_cmpgt_epi64(radius2, r2));
}

/* Blocking loop: four vectors in flight (16 darts per iteration) to hide the multiply latency. */
static uint64_t count_vector(uint64_t seed, uint64_t begin, uint64_t end)
{
    enum { LANES = 4, UNROLL = 4 };
    const uint64_t n = end - begin;
    const __m256i mix1_lo = _mm256_set1_epi64x((long long)(INTEROP_MIX1 & 0xFFFFFFFFu));
    const __m256i mix1_hi = _mm256_set1_epi64x((long long)(INTEROP_MIX1 >> 32));
    const __m256i mix2_lo = _mm256_set1_epi64x((long long)(INTEROP_MIX2 & 0xFFFFFFFFu));
    const __m256i mix2_hi = _mm256_set1_epi64x((long long)(INTEROP_MIX2 >> 32));
    const __m256i radius2 = _mm256_set1_epi64x((long long)PI_RADIUS_SQUARED);
    const __m256i step = _mm256_set1_epi64x((long long)(LANES * UNROLL * INTEROP_GOLDEN));
    const uint64_t z0 = seed + (begin + 1) * INTEROP_GOLDEN;
    __m256i z[UNROLL], inside[UNROLL];
    for (int u = 0; u < UNROLL; ++u) {
        uint64_t first = z0 + (uint64_t)(u * LANES) * INTEROP_GOLDEN;
        z[u] = _mm256_set_epi64x((long long)(first + 3 * INTEROP_GOLDEN), (long long)(first + 2 * INTEROP_GOLDEN),
                                 (long long)(first + INTEROP_GOLDEN), (long long)first);
        inside[u] = _mm256_setzero_si256();
    }
    uint64_t i = 0;
    for (; i + LANES * UNROLL <= n; i += LANES * UNROLL) {
        for (int u = 0; u < UNROLL; ++u) {
            inside[u] = pi_block(z[u], inside[u], mix1_lo, mix1_hi, mix2_lo, mix2_hi, radius2);
            z[u] = _mm256_add_epi64(z[u], step);
        }
    }
    __m256i sum = _mm256_add_epi64(_mm256_add_epi64(inside[0], inside[1]), _mm256_add_epi64(inside[2], inside[3]));
    uint64_t lanes[LANES];
    _mm256_storeu_si256((__m256i *)lanes, sum);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + count_scalar(seed, begin + i, end);
}
#define HAVE_COUNT_VECTOR 1
#endif

INTEROP_INTERNAL uint64_t INTEROP_ISA_NAME(interop_pi_range_c)(uint64_t seed, uint64_t begin, uint64_t end)
{
#ifdef HAVE_COUNT_VECTOR
    return count_vector(seed, begin, end);
#else
    return count_scalar(seed, begin, end);
#endif
}
