/* NPB EP's batches in C, compiled once per instruction-set path (src/isa.h): the spec's pair-by-pair
 * loop with libm's log on the scalar path; on the AVX2 and AVX-512 paths two vectors of 4 or 8 pairs
 * at a time, the generator stepping every lane at once and glibc's vector log (libmvec's _ZGVdN4v_log and
 * _ZGVeN8v_log, the functions GCC calls for `#pragma omp simd` loops under -ffast-math, called here
 * by name so that the rest of the code keeps strict IEEE semantics). Compiled with -ffp-contract=off:
 * t1 = x1 x1 + x2 x2 and the rest round as NPB's Fortran does, with no fused multiply-add.
 * ep_entry.c splits the batches over the threads. */
#include "ep_generator.h"

#include <math.h>

#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
#include <immintrin.h>
#endif

/* The annulus of an accepted pair, EP_PAST_ANNULI for 10 and beyond (and a NaN): m is clamped
 * before the conversion, which is undefined past int's range. */
static inline int annulus_of(double t3, double t4)
{
    double m = fmax(fabs(t3), fabs(t4));
    return (int)(m < (double)INTEROP_EP_ANNULI ? m : (double)EP_PAST_ANNULI);
}

#if INTEROP_ISA_LEVEL == 1 || !defined(__x86_64__)
/* The spec's loop: the pairs in order, the sums in pair order. The generator steps by a^2 from one
 * pair's x_{2p} to the next's, so that the pairs' randoms hang on one multiply each, not two. */
static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    const uint64_t a2 = ep_multiply(EP_MULTIPLIER, EP_MULTIPLIER);
    double sx = 0.0, sy = 0.0, ax = 0.0, ay = 0.0;
    uint64_t x = start;
    for (int32_t pair = 0; pair < INTEROP_EP_BATCH_PAIRS; ++pair) {
        uint64_t first = ep_multiply(x, EP_MULTIPLIER);
        x = ep_multiply(x, a2);
        double x1 = (double)first * 0x1p-45 - 1.0;
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

/* The vector paths: VECTORS vectors of WIDTH pairs in flight per step (two independent log, divide
 * and square-root chains to overlap), so LANES = VECTORS x WIDTH pairs a step. Lane j (vector j /
 * WIDTH, element j % WIDTH) runs pairs j, j + LANES, j + 2 LANES, ... of the batch: the random before
 * pair p's first is x_{2p} = a^(2p) s, its first a^(2p+1) s, its second a^(2p+2) s, and a lane steps
 * by a^(2 LANES). Each lane sums its own pairs in order; a batch's sum is the lanes' in lane order. */
#if INTEROP_ISA_LEVEL == 3
enum { WIDTH = 8 };
#else
enum { WIDTH = 4 };
#endif
enum { VECTORS = 2, LANES = VECTORS * WIDTH };

/* The histogram slots of a lane, packed in one 64-bit counter of 5-bit fields (slot l at bit 5 l:
 * 12 slots, 60 bits), so that counting a vector of pairs is a shift and an add; the fields are
 * flushed into the batch's histogram before any can pass 31. */
enum { FIELD_BITS = 5, FLUSH_EVERY = (1 << FIELD_BITS) - 1 };

static void flush_fields(const uint64_t *packed, int count, int64_t histogram[EP_HISTOGRAM])
{
    for (int j = 0; j < count; ++j)
        for (int slot = 0; slot < EP_HISTOGRAM; ++slot)
            histogram[slot] += (int64_t)((packed[j] >> (FIELD_BITS * slot)) & FLUSH_EVERY);
}

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

/* Accumulators of one vector of lanes. */
typedef struct {
    __m512d sx, sy, ax, ay;
    __m512i packed;
} lane_sums;

/* One vector of pairs whose randoms are `first` and `second`, into `acc`. */
static inline void pairs(__m512i first, __m512i second, lane_sums *acc)
{
    const __m512d scale = _mm512_set1_pd(0x1p-45), one = _mm512_set1_pd(1.0), minus_two = _mm512_set1_pd(-2.0);
    const __m512d annuli = _mm512_set1_pd((double)INTEROP_EP_ANNULI);
    const __m512d sign = _mm512_set1_pd(-0.0);
    __m512d x1 = _mm512_sub_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(first), scale), one);
    __m512d x2 = _mm512_sub_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(second), scale), one);
    __m512d t1 = _mm512_add_pd(_mm512_mul_pd(x1, x1), _mm512_mul_pd(x2, x2));
    __mmask8 accepted = _mm512_cmp_pd_mask(t1, one, _CMP_LE_OQ);
    /* Every lane's log: a rejected lane's t1 is in (1, 2], harmless, and its results are dropped. */
    __m512d t2 = _mm512_sqrt_pd(_mm512_div_pd(_mm512_mul_pd(minus_two, _ZGVeN8v_log(t1)), t1));
    __m512d t3 = _mm512_mul_pd(x1, t2), t4 = _mm512_mul_pd(x2, t2);
    __m512d abs3 = _mm512_andnot_pd(sign, t3), abs4 = _mm512_andnot_pd(sign, t4);
    acc->sx = _mm512_mask_add_pd(acc->sx, accepted, acc->sx, t3);
    acc->sy = _mm512_mask_add_pd(acc->sy, accepted, acc->sy, t4);
    acc->ax = _mm512_mask_add_pd(acc->ax, accepted, acc->ax, abs3);
    acc->ay = _mm512_mask_add_pd(acc->ay, accepted, acc->ay, abs4);
    /* min(m, 10) is 10 for a NaN m too (minpd returns its second operand then). */
    __m512d m = _mm512_min_pd(_mm512_max_pd(abs3, abs4), annuli);
    __m512i slot = _mm512_mask_blend_epi64(accepted, _mm512_set1_epi64(EP_REJECTED), _mm512_cvttpd_epi64(m));
    __m512i shift = _mm512_add_epi64(_mm512_slli_epi64(slot, 2), slot); /* 5 slot */
    acc->packed = _mm512_add_epi64(acc->packed, _mm512_sllv_epi64(_mm512_set1_epi64(1), shift));
}

static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    const __m512i mask = _mm512_set1_epi64((long long)EP_MASK);
    const __m512i a = _mm512_set1_epi64((long long)EP_MULTIPLIER);
    const __m512i step = _mm512_set1_epi64((long long)ep_power(EP_MULTIPLIER, 2 * LANES));
    uint64_t lane_start[LANES];
    for (int j = 0; j < LANES; ++j)
        lane_start[j] = ep_multiply(start, ep_power(EP_MULTIPLIER, (uint64_t)(2 * j)));
    __m512i x[VECTORS];
    lane_sums acc[VECTORS];
    for (int v = 0; v < VECTORS; ++v) {
        x[v] = _mm512_loadu_si512(lane_start + v * WIDTH); /* x_{2p} of each lane's pair p */
        acc[v].sx = acc[v].sy = acc[v].ax = acc[v].ay = _mm512_setzero_pd();
        acc[v].packed = _mm512_setzero_si512();
    }
    uint64_t packed[LANES];
    int since_flush = 0;
    for (int32_t group = 0; group < INTEROP_EP_BATCH_PAIRS / LANES; ++group) {
        for (int v = 0; v < VECTORS; ++v) {
            __m512i first = _mm512_and_si512(_mm512_mullo_epi64(x[v], a), mask);
            __m512i second = _mm512_and_si512(_mm512_mullo_epi64(first, a), mask);
            x[v] = _mm512_and_si512(_mm512_mullo_epi64(x[v], step), mask);
            pairs(first, second, &acc[v]);
        }
        if (++since_flush == FLUSH_EVERY) {
            for (int v = 0; v < VECTORS; ++v) {
                _mm512_storeu_si512(packed + v * WIDTH, acc[v].packed);
                acc[v].packed = _mm512_setzero_si512();
            }
            flush_fields(packed, LANES, histogram);
            since_flush = 0;
        }
    }
    double lane[4][LANES];
    for (int v = 0; v < VECTORS; ++v) {
        _mm512_storeu_pd(lane[0] + v * WIDTH, acc[v].sx);
        _mm512_storeu_pd(lane[1] + v * WIDTH, acc[v].sy);
        _mm512_storeu_pd(lane[2] + v * WIDTH, acc[v].ax);
        _mm512_storeu_pd(lane[3] + v * WIDTH, acc[v].ay);
        _mm512_storeu_si512(packed + v * WIDTH, acc[v].packed);
    }
    flush_fields(packed, LANES, histogram);
    for (int s = 0; s < 4; ++s)
        sums[s] = lanes_sum(lane[s]);
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

typedef struct {
    __m256d sx, sy, ax, ay;
    __m256i packed;
} lane_sums;

static inline void pairs(__m256i first, __m256i second, lane_sums *acc)
{
    const __m256d scale = _mm256_set1_pd(0x1p-45), one = _mm256_set1_pd(1.0), minus_two = _mm256_set1_pd(-2.0);
    const __m256d annuli = _mm256_set1_pd((double)INTEROP_EP_ANNULI);
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d x1 = _mm256_sub_pd(_mm256_mul_pd(to_double(first), scale), one);
    __m256d x2 = _mm256_sub_pd(_mm256_mul_pd(to_double(second), scale), one);
    __m256d t1 = _mm256_add_pd(_mm256_mul_pd(x1, x1), _mm256_mul_pd(x2, x2));
    __m256d accepted = _mm256_cmp_pd(t1, one, _CMP_LE_OQ);
    __m256d t2 = _mm256_sqrt_pd(_mm256_div_pd(_mm256_mul_pd(minus_two, _ZGVdN4v_log(t1)), t1));
    __m256d t3 = _mm256_mul_pd(x1, t2), t4 = _mm256_mul_pd(x2, t2);
    __m256d abs3 = _mm256_andnot_pd(sign, t3), abs4 = _mm256_andnot_pd(sign, t4);
    /* A rejected lane adds +0.0. */
    acc->sx = _mm256_add_pd(acc->sx, _mm256_and_pd(accepted, t3));
    acc->sy = _mm256_add_pd(acc->sy, _mm256_and_pd(accepted, t4));
    acc->ax = _mm256_add_pd(acc->ax, _mm256_and_pd(accepted, abs3));
    acc->ay = _mm256_add_pd(acc->ay, _mm256_and_pd(accepted, abs4));
    /* min(m, 10) is 10 for a NaN m too (minpd returns its second operand then); a rejected lane's m
     * is replaced by EP_REJECTED before the conversion. */
    __m256d m = _mm256_min_pd(_mm256_max_pd(abs3, abs4), annuli);
    m = _mm256_blendv_pd(_mm256_set1_pd((double)EP_REJECTED), m, accepted);
    __m256i slot = _mm256_cvtepi32_epi64(_mm256_cvttpd_epi32(m));
    __m256i shift = _mm256_add_epi64(_mm256_slli_epi64(slot, 2), slot); /* 5 slot */
    acc->packed = _mm256_add_epi64(acc->packed, _mm256_sllv_epi64(_mm256_set1_epi64x(1), shift));
}

static void batch(uint64_t start, double sums[4], int64_t histogram[EP_HISTOGRAM])
{
    const __m256i mask = _mm256_set1_epi64x((long long)EP_MASK);
    const uint64_t step_value = ep_power(EP_MULTIPLIER, 2 * LANES);
    const __m256i a = _mm256_set1_epi64x((long long)EP_MULTIPLIER);
    const __m256i a_high = _mm256_set1_epi64x((long long)(EP_MULTIPLIER >> 32));
    const __m256i step = _mm256_set1_epi64x((long long)step_value);
    const __m256i step_high = _mm256_set1_epi64x((long long)(step_value >> 32));
    uint64_t lane_start[LANES];
    for (int j = 0; j < LANES; ++j)
        lane_start[j] = ep_multiply(start, ep_power(EP_MULTIPLIER, (uint64_t)(2 * j)));
    __m256i x[VECTORS];
    lane_sums acc[VECTORS];
    for (int v = 0; v < VECTORS; ++v) {
        x[v] = _mm256_loadu_si256((const __m256i *)(lane_start + v * WIDTH));
        acc[v].sx = acc[v].sy = acc[v].ax = acc[v].ay = _mm256_setzero_pd();
        acc[v].packed = _mm256_setzero_si256();
    }
    uint64_t packed[LANES];
    int since_flush = 0;
    for (int32_t group = 0; group < INTEROP_EP_BATCH_PAIRS / LANES; ++group) {
        for (int v = 0; v < VECTORS; ++v) {
            __m256i first = _mm256_and_si256(multiply_low(x[v], a, a_high), mask);
            __m256i second = _mm256_and_si256(multiply_low(first, a, a_high), mask);
            x[v] = _mm256_and_si256(multiply_low(x[v], step, step_high), mask);
            pairs(first, second, &acc[v]);
        }
        if (++since_flush == FLUSH_EVERY) {
            for (int v = 0; v < VECTORS; ++v) {
                _mm256_storeu_si256((__m256i *)(packed + v * WIDTH), acc[v].packed);
                acc[v].packed = _mm256_setzero_si256();
            }
            flush_fields(packed, LANES, histogram);
            since_flush = 0;
        }
    }
    double lane[4][LANES];
    for (int v = 0; v < VECTORS; ++v) {
        _mm256_storeu_pd(lane[0] + v * WIDTH, acc[v].sx);
        _mm256_storeu_pd(lane[1] + v * WIDTH, acc[v].sy);
        _mm256_storeu_pd(lane[2] + v * WIDTH, acc[v].ax);
        _mm256_storeu_pd(lane[3] + v * WIDTH, acc[v].ay);
        _mm256_storeu_si256((__m256i *)(packed + v * WIDTH), acc[v].packed);
    }
    flush_fields(packed, LANES, histogram);
    for (int s = 0; s < 4; ++s)
        sums[s] = lanes_sum(lane[s]);
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
