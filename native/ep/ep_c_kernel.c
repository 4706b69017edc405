/* NPB EP's batches in C, compiled once per instruction-set path (src/isa.h): the spec's pair-by-pair
 * loop with libm's log on the scalar path; on the AVX2 and AVX-512 paths 4 or 8 pairs per vector, the
 * generator stepping every lane at once and glibc's vector log (libmvec's _ZGVdN4v_log and
 * _ZGVeN8v_log, the functions GCC calls for `#pragma omp simd` loops under -ffast-math, called here
 * by name so that the rest of the code keeps strict IEEE semantics). Compiled with -ffp-contract=off:
 * t1 = x1 x1 + x2 x2 and the rest round as NPB's Fortran does, with no fused multiply-add.
 * ep_entry.c splits the batches over the threads. */
#include "ep_generator.h"

#include <math.h>

#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
#include <immintrin.h>
#endif

/* The annulus of an accepted pair, EP_PAST_ANNULI for 10 and beyond (and a NaN). */
static inline int annulus_of(double t3, double t4)
{
    double m = fmax(fabs(t3), fabs(t4));
    return m < (double)INTEROP_EP_ANNULI ? (int)m : EP_PAST_ANNULI;
}

#if INTEROP_ISA_LEVEL == 1 || !defined(__x86_64__)
/* The spec's loop: the pairs in order, each random from the one before, the sums in pair order. */
static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    double sx = 0.0, sy = 0.0, ax = 0.0, ay = 0.0;
    uint64_t x = start;
    for (int32_t pair = 0; pair < INTEROP_EP_BATCH_PAIRS; ++pair) {
        x = ep_multiply(x, EP_MULTIPLIER);
        double x1 = (double)x * 0x1p-45 - 1.0;
        x = ep_multiply(x, EP_MULTIPLIER);
        double x2 = (double)x * 0x1p-45 - 1.0;
        double t1 = x1 * x1 + x2 * x2;
        if (t1 <= 1.0) {
            double t2 = sqrt(-2.0 * log(t1) / t1);
            double t3 = x1 * t2, t4 = x2 * t2;
            sx += t3;
            sy += t4;
            ax += fabs(t3);
            ay += fabs(t4);
            ++histogram[annulus_of(t3, t4)];
        } else {
            ++histogram[EP_REJECTED];
        }
    }
    sums[0] = sx;
    sums[1] = sy;
    sums[2] = ax;
    sums[3] = ay;
}
#else

/* The lanes of one vector, and the multipliers that start lane j of a batch at pair j: the random
 * before pair p's first is x_{2p} = a^(2p) s, its first a^(2p+1) s, its second a^(2p+2) s. */
#if INTEROP_ISA_LEVEL == 3
enum { LANES = 8 };
#else
enum { LANES = 4 };
#endif

/* Per-lane slot histograms, four of them in turn, so that pairs of the same annulus in a row do not
 * wait on each other's increment of one counter. */
enum { HISTOGRAMS = 4 };

/* Adds the lanes in order: the vector paths' fixed reduction. */
static double lanes_sum(const double *lane)
{
    double sum = 0.0;
    for (int j = 0; j < LANES; ++j)
        sum += lane[j];
    return sum;
}

#if INTEROP_ISA_LEVEL == 3
/* glibc's libmvec: log of 8 doubles (AVX-512). */
__m512d _ZGVeN8v_log(__m512d x);

static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    const __m512i mask = _mm512_set1_epi64((long long)EP_MASK);
    const __m512i a = _mm512_set1_epi64((long long)EP_MULTIPLIER);
    const __m512i step = _mm512_set1_epi64((long long)ep_power(EP_MULTIPLIER, 2 * LANES));
    const __m512d scale = _mm512_set1_pd(0x1p-45), one = _mm512_set1_pd(1.0), minus_two = _mm512_set1_pd(-2.0);
    const __m512d annuli = _mm512_set1_pd((double)INTEROP_EP_ANNULI);
    const __m512d sign = _mm512_set1_pd(-0.0);
    uint64_t lane_start[LANES];
    for (int j = 0; j < LANES; ++j)
        lane_start[j] = ep_multiply(start, ep_power(EP_MULTIPLIER, (uint64_t)(2 * j)));
    __m512i x = _mm512_loadu_si512(lane_start); /* x_{2p} of each lane's pair p */
    __m512d sx = _mm512_setzero_pd(), sy = sx, ax = sx, ay = sx;
    int32_t slots[HISTOGRAMS][EP_HISTOGRAM] = {{0}};
    for (int32_t group = 0; group < INTEROP_EP_BATCH_PAIRS / LANES; ++group) {
        __m512i first = _mm512_and_si512(_mm512_mullo_epi64(x, a), mask);
        __m512i second = _mm512_and_si512(_mm512_mullo_epi64(first, a), mask);
        x = _mm512_and_si512(_mm512_mullo_epi64(x, step), mask);
        __m512d x1 = _mm512_sub_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(first), scale), one);
        __m512d x2 = _mm512_sub_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(second), scale), one);
        __m512d t1 = _mm512_add_pd(_mm512_mul_pd(x1, x1), _mm512_mul_pd(x2, x2));
        __mmask8 accepted = _mm512_cmp_pd_mask(t1, one, _CMP_LE_OQ);
        /* Every lane's log: a rejected lane's t1 is in (1, 2], harmless, and its results are dropped. */
        __m512d t2 = _mm512_sqrt_pd(_mm512_div_pd(_mm512_mul_pd(minus_two, _ZGVeN8v_log(t1)), t1));
        __m512d t3 = _mm512_mul_pd(x1, t2), t4 = _mm512_mul_pd(x2, t2);
        __m512d abs3 = _mm512_andnot_pd(sign, t3), abs4 = _mm512_andnot_pd(sign, t4);
        sx = _mm512_mask_add_pd(sx, accepted, sx, t3);
        sy = _mm512_mask_add_pd(sy, accepted, sy, t4);
        ax = _mm512_mask_add_pd(ax, accepted, ax, abs3);
        ay = _mm512_mask_add_pd(ay, accepted, ay, abs4);
        /* min(m, 10) is 10 for a NaN m too (minpd returns its second operand then). */
        __m512d m = _mm512_min_pd(_mm512_max_pd(abs3, abs4), annuli);
        __m256i l = _mm512_cvttpd_epi32(m);
        l = _mm256_mask_blend_epi32(accepted, _mm256_set1_epi32(EP_REJECTED), l);
        int32_t lane_slot[LANES];
        _mm256_storeu_si256((__m256i *)lane_slot, l);
        for (int j = 0; j < LANES; ++j)
            ++slots[j % HISTOGRAMS][lane_slot[j]];
    }
    double lane[4][LANES];
    _mm512_storeu_pd(lane[0], sx);
    _mm512_storeu_pd(lane[1], sy);
    _mm512_storeu_pd(lane[2], ax);
    _mm512_storeu_pd(lane[3], ay);
    for (int s = 0; s < 4; ++s)
        sums[s] = lanes_sum(lane[s]);
    for (int h = 0; h < HISTOGRAMS; ++h)
        for (int slot = 0; slot < EP_HISTOGRAM; ++slot)
            histogram[slot] += slots[h][slot];
}

#else /* AVX2 */
/* glibc's libmvec: log of 4 doubles (AVX2). */
__m256d _ZGVdN4v_log(__m256d x);

/* x c mod 2^64 for 64-bit lanes x and a constant c below 2^46 (AVX2 has no 64-bit multiply): the
 * low halves' product plus the two cross products shifted up; the high halves' product is past 2^64. */
static inline __m256i multiply_low(__m256i x, __m256i c, __m256i c_high)
{
    __m256i low = _mm256_mul_epu32(x, c);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), c), _mm256_mul_epu32(x, c_high));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

/* A 64-bit lane below 2^52 as a double, exactly: its bits under 2^52's exponent make 2^52 + x. */
static inline __m256d to_double(__m256i x)
{
    const __m256i two52_bits = _mm256_set1_epi64x(0x4330000000000000LL);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, two52_bits)), _mm256_set1_pd(0x1p52));
}

static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    const __m256i mask = _mm256_set1_epi64x((long long)EP_MASK);
    const uint64_t step_value = ep_power(EP_MULTIPLIER, 2 * LANES);
    const __m256i a = _mm256_set1_epi64x((long long)EP_MULTIPLIER);
    const __m256i a_high = _mm256_set1_epi64x((long long)(EP_MULTIPLIER >> 32));
    const __m256i step = _mm256_set1_epi64x((long long)step_value);
    const __m256i step_high = _mm256_set1_epi64x((long long)(step_value >> 32));
    const __m256d scale = _mm256_set1_pd(0x1p-45), one = _mm256_set1_pd(1.0), minus_two = _mm256_set1_pd(-2.0);
    const __m256d annuli = _mm256_set1_pd((double)INTEROP_EP_ANNULI);
    const __m256d sign = _mm256_set1_pd(-0.0);
    uint64_t lane_start[LANES];
    for (int j = 0; j < LANES; ++j)
        lane_start[j] = ep_multiply(start, ep_power(EP_MULTIPLIER, (uint64_t)(2 * j)));
    __m256i x = _mm256_loadu_si256((const __m256i *)lane_start);
    __m256d sx = _mm256_setzero_pd(), sy = sx, ax = sx, ay = sx;
    int32_t slots[HISTOGRAMS][EP_HISTOGRAM] = {{0}};
    for (int32_t group = 0; group < INTEROP_EP_BATCH_PAIRS / LANES; ++group) {
        __m256i first = _mm256_and_si256(multiply_low(x, a, a_high), mask);
        __m256i second = _mm256_and_si256(multiply_low(first, a, a_high), mask);
        x = _mm256_and_si256(multiply_low(x, step, step_high), mask);
        __m256d x1 = _mm256_sub_pd(_mm256_mul_pd(to_double(first), scale), one);
        __m256d x2 = _mm256_sub_pd(_mm256_mul_pd(to_double(second), scale), one);
        __m256d t1 = _mm256_add_pd(_mm256_mul_pd(x1, x1), _mm256_mul_pd(x2, x2));
        __m256d accepted = _mm256_cmp_pd(t1, one, _CMP_LE_OQ);
        __m256d t2 = _mm256_sqrt_pd(_mm256_div_pd(_mm256_mul_pd(minus_two, _ZGVdN4v_log(t1)), t1));
        __m256d t3 = _mm256_mul_pd(x1, t2), t4 = _mm256_mul_pd(x2, t2);
        __m256d abs3 = _mm256_andnot_pd(sign, t3), abs4 = _mm256_andnot_pd(sign, t4);
        /* A rejected lane adds +0.0. */
        sx = _mm256_add_pd(sx, _mm256_and_pd(accepted, t3));
        sy = _mm256_add_pd(sy, _mm256_and_pd(accepted, t4));
        ax = _mm256_add_pd(ax, _mm256_and_pd(accepted, abs3));
        ay = _mm256_add_pd(ay, _mm256_and_pd(accepted, abs4));
        __m256d m = _mm256_min_pd(_mm256_max_pd(abs3, abs4), annuli);
        /* A rejected lane's slot: its m replaced by EP_REJECTED before the conversion. */
        m = _mm256_blendv_pd(_mm256_set1_pd((double)EP_REJECTED), m, accepted);
        int32_t lane_slot[LANES];
        _mm_storeu_si128((__m128i *)lane_slot, _mm256_cvttpd_epi32(m));
        for (int j = 0; j < LANES; ++j)
            ++slots[j % HISTOGRAMS][lane_slot[j]];
    }
    double lane[4][LANES];
    _mm256_storeu_pd(lane[0], sx);
    _mm256_storeu_pd(lane[1], sy);
    _mm256_storeu_pd(lane[2], ax);
    _mm256_storeu_pd(lane[3], ay);
    for (int s = 0; s < 4; ++s)
        sums[s] = lanes_sum(lane[s]);
    for (int h = 0; h < HISTOGRAMS; ++h)
        for (int slot = 0; slot < EP_HISTOGRAM; ++slot)
            histogram[slot] += slots[h][slot];
}
#endif
#endif

void INTEROP_ISA_NAME(interop_ep_batches_c)(int64_t first_batch, int64_t batches, double *batch_sums,
                                            int64_t histogram[EP_HISTOGRAM])
{
    if (batches <= 0)
        return;
    const uint64_t step = ep_batch_step();
    uint64_t start = ep_batch_start(first_batch);
    for (int64_t j = 0; j < batches; ++j) {
        batch(start, batch_sums + 4 * j, histogram);
        start = ep_multiply(start, step);
    }
}
