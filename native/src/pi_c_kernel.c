/* The counting loop of the c-openmp pi backend, compiled once per instruction-set path (isa.h): the
 * spec's scalar loop (the portable path, and the tails of the vector paths), an AVX2 micro-kernel of
 * 4 darts per vector and an AVX-512 one of 8. pi_c_openmp.c splits the darts over the threads. */
#include "interop.h"
#include "isa.h"
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
/* z * c modulo 2^64 for a constant c = c_hi 2^32 + c_lo, without AVX-512's vpmullq: the low product
 * z_lo c_lo is one vpmuludq (which reads the low 32 bits of each lane); the cross terms z_lo c_hi and
 * z_hi c_lo, wanted modulo 2^32 only, are the two 32-bit halves of one vpmulld by c with its halves
 * swapped (c_swap), summed into the high half by one shift and an add, the low half masked off.
 * That is two multiplies and one shift where three vpmuludq need two shifts: on Zen 3 the shift and
 * multiply pipes are what bounds this loop (measured: 1.27e9 darts/s against 1.12e9). */
static inline __m256i mul64_const(__m256i z, __m256i c, __m256i c_swap, __m256i high_half)
{
    __m256i low = _mm256_mul_epu32(z, c);
    __m256i cross = _mm256_mullo_epi32(z, c_swap);
    cross = _mm256_and_si256(_mm256_add_epi64(cross, _mm256_slli_epi64(cross, 32)), high_half);
    return _mm256_add_epi64(low, cross);
}

/* Register micro-kernel: 4 darts per vector. The 31-bit squares are single vpmuludq; x*x + y*y is
 * below 2^63, so bit 62 alone says "outside" (x*x + y*y >= 2^62): the kernel counts the darts
 * outside with one shift and an add, and needs no compare or radius constant (one register more
 * for the four blocks in flight). */
static inline __m256i pi_block(__m256i z, __m256i outside, __m256i mix1, __m256i mix1_swap, __m256i mix2,
                               __m256i mix2_swap, __m256i high_half)
{
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), mix1, mix1_swap, high_half);
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), mix2, mix2_swap, high_half);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
    __m256i x = _mm256_srli_epi64(z, 33);
    __m256i y = _mm256_srli_epi32(z, 1); /* (uint32)z >> 1 in each lane's low half */
    __m256i r2 = _mm256_add_epi64(_mm256_mul_epu32(x, x), _mm256_mul_epu32(y, y));
    return _mm256_add_epi64(outside, _mm256_srli_epi64(r2, 62));
}

/* Blocking loop: four vectors in flight (16 darts per iteration) to hide the multiply latency
 * (3 and 4 measured alike on Zen 3; 4 leaves room for Intel's 10-cycle vpmulld). */
static uint64_t count_vector(uint64_t seed, uint64_t begin, uint64_t end)
{
    enum { LANES = 4, UNROLL = 4 };
    const uint64_t n = end - begin;
    const __m256i mix1 = _mm256_set1_epi64x((long long)INTEROP_MIX1);
    const __m256i mix1_swap = _mm256_set1_epi64x((long long)(INTEROP_MIX1 >> 32 | INTEROP_MIX1 << 32));
    const __m256i mix2 = _mm256_set1_epi64x((long long)INTEROP_MIX2);
    const __m256i mix2_swap = _mm256_set1_epi64x((long long)(INTEROP_MIX2 >> 32 | INTEROP_MIX2 << 32));
    const __m256i high_half = _mm256_set1_epi64x((long long)UINT64_C(0xFFFFFFFF00000000));
    const __m256i step = _mm256_set1_epi64x((long long)(LANES * UNROLL * INTEROP_GOLDEN));
    const uint64_t z0 = seed + (begin + 1) * INTEROP_GOLDEN;
    __m256i z[UNROLL], outside[UNROLL];
    for (int u = 0; u < UNROLL; ++u) {
        uint64_t first = z0 + (uint64_t)(u * LANES) * INTEROP_GOLDEN;
        z[u] = _mm256_set_epi64x((long long)(first + 3 * INTEROP_GOLDEN),
                                 (long long)(first + 2 * INTEROP_GOLDEN), (long long)(first + INTEROP_GOLDEN),
                                 (long long)first);
        outside[u] = _mm256_setzero_si256();
    }
    uint64_t i = 0;
    for (; i + LANES * UNROLL <= n; i += LANES * UNROLL) {
        for (int u = 0; u < UNROLL; ++u) {
            outside[u] = pi_block(z[u], outside[u], mix1, mix1_swap, mix2, mix2_swap, high_half);
            z[u] = _mm256_add_epi64(z[u], step);
        }
    }
    __m256i sum =
        _mm256_add_epi64(_mm256_add_epi64(outside[0], outside[1]), _mm256_add_epi64(outside[2], outside[3]));
    uint64_t lanes[LANES];
    _mm256_storeu_si256((__m256i *)lanes, sum);
    return i - (lanes[0] + lanes[1] + lanes[2] + lanes[3]) + count_scalar(seed, begin + i, end);
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
