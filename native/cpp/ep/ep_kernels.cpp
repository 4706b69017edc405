// NPB EP (docs/workload-spec.md; NPB 3.4's ep.f90) for the cpp-threads backend, one
// instruction-set path per compilation: CMake compiles this file once per path with that path's
// -march, INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE (as src/kernels.cpp), and with
//   -ffp-contract=off   t1 = x1*x1 + x2*x2 and every other expression rounded as written, as NPB's;
//   -fopenmp-simd       the vector paths' `omp simd` loops, whose log calls become glibc libmvec's
//                       _ZGVdN4v_log (AVX2) and _ZGVeN8v_log (AVX-512);
//   -fno-math-errno, -fno-trapping-math   so that log and sqrt may be vectorized and the rejected
//                       pairs' root computed and discarded (no value changes: no reassociation).
//
// The generator x_{k+1} = a x_k mod 2^46 is exact in 64-bit integers (2^46 divides 2^64), so every
// path draws the same pairs and accepts the same ones; only log's last bit may differ between libm
// (scalar) and libmvec (vector). A batch's sums are added in an order fixed by the path: the scalar
// path in pair order, the vector paths in `group` per-position partials (pair p of the batch goes to
// position p mod group) added in position order at the batch's end, as libinterop_rust's paths do.
//
// No inline function or template here may be shared with another path's copy (src/isa_kernels.hpp):
// everything is in an anonymous namespace, and no standard library template is used.
#include "ep_kernels.hpp"

#include "interop.h"

#include <math.h>
#include <stdint.h>

#if !defined(INTEROP_CPP_ISA_LEVEL) || !defined(INTEROP_CPP_ISA_NAMESPACE)
#error "ep_kernels.cpp is compiled once per path: INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE"
#endif

#if INTEROP_CPP_ISA_LEVEL >= INTEROP_ISA_AVX2
// glibc's <math.h> declares log's vector variants only under -ffast-math (__FAST_MATH__), which EP
// must not use; this declaration says the same, that libmvec has them, and nothing else.
extern "C" {
#pragma omp declare simd notinbranch
double log(double) noexcept;
}
#endif

namespace interop_cpp {
namespace INTEROP_CPP_ISA_NAMESPACE {
namespace {

constexpr uint64_t multiplier = 1220703125ULL;  // a = 5^13
constexpr uint64_t seed = 271828183ULL;
constexpr uint64_t modulus_mask = (1ULL << 46) - 1;
constexpr int64_t batch_pairs = int64_t{1} << 16;

// x y mod 2^46: the low 64 bits of the product hold the low 46 exactly.
uint64_t multiply(uint64_t x, uint64_t y)
{
    return (x * y) & modulus_mask;
}

// base^exponent mod 2^46 by binary exponentiation.
uint64_t power(uint64_t base, uint64_t exponent)
{
    uint64_t result = 1, square = base & modulus_mask;
    for (; exponent > 0; exponent >>= 1) {
        if (exponent & 1)
            result = multiply(result, square);
        square = multiply(square, square);
    }
    return result;
}

// NPB's 2 r - 1 with r = x 2^-46, exactly: x's 46 bits as the top of a mantissa make 1 + r, which
// doubled and less 3 is 2r - 1 (every step exact), and no 64-bit integer conversion (AVX2 has none).
double uniform(uint64_t x)
{
    const uint64_t bits = (x << 6) | 0x3ff0000000000000ULL;
    double one_plus;
    __builtin_memcpy(&one_plus, &bits, sizeof one_plus);
    return (one_plus + one_plus) - 3.0;
}

// (int) max(|t3|, |t4|), or ep_annuli for 10 and beyond or NaN (t1 = 0 exactly, which NPB turns into
// an undefined annulus).
int annulus(double m)
{
    return m < ep_annuli ? static_cast<int>(m) : ep_annuli;
}

#if INTEROP_CPP_ISA_LEVEL == INTEROP_ISA_SCALAR

// NPB's loop: libm's log, sums in pair order.
void batch(uint64_t start, double *sums, int64_t *counts)
{
    uint64_t x = start;
    double sx = 0.0, sy = 0.0, ax = 0.0, ay = 0.0;
    for (int64_t i = 0; i < batch_pairs; ++i) {
        x = multiply(x, multiplier);
        const double x1 = uniform(x);
        x = multiply(x, multiplier);
        const double x2 = uniform(x);
        const double t1 = x1 * x1 + x2 * x2;
        if (t1 <= 1.0) {
            const double t2 = __builtin_sqrt(-2.0 * log(t1) / t1);
            const double t3 = x1 * t2, t4 = x2 * t2;
            const double a3 = __builtin_fabs(t3), a4 = __builtin_fabs(t4);
            ++counts[annulus(a3 > a4 ? a3 : a4)];
            sx += t3;
            sy += t4;
            ax += a3;
            ay += a4;
        }
    }
    sums[0] = sx;
    sums[1] = sy;
    sums[2] = ax;
    sums[3] = ay;
}

#else

// Pairs per step: position p's state is a^(2p+1) times the batch start (its first random), and
// every position steps by a^(2 group). 16 = 2 AVX-512 or 4 AVX2 vectors.
constexpr int group = 16;

void batch(uint64_t start, double *sums, int64_t *counts)
{
    uint64_t state[group];
    for (int p = 0; p < group; ++p)
        state[p] = multiply(power(multiplier, 2 * static_cast<uint64_t>(p) + 1), start);
    const uint64_t step = power(multiplier, 2 * group);
    double sx[group] = {}, sy[group] = {}, ax[group] = {}, ay[group] = {};
    // Per position: the accepted pairs, and those with max(|t3|, |t4|) >= 1, >= 2, >= 3; annulus 4
    // and beyond (about 1 pair in 10^4) is counted pair by pair in `far`.
    int64_t accepted[group] = {}, at_least_1[group] = {}, at_least_2[group] = {}, at_least_3[group] = {};
    int64_t far[ep_count_slots] = {};
    for (int64_t step_index = 0; step_index < batch_pairs / group; ++step_index) {
        double m[group];
        int any_far = 0;
#pragma omp simd reduction(| : any_far)
        for (int p = 0; p < group; ++p) {
            const uint64_t u = state[p];
            const double x1 = uniform(u), x2 = uniform(multiply(u, multiplier));
            state[p] = multiply(u, step);
            const double t1 = x1 * x1 + x2 * x2;
            const bool accept = t1 <= 1.0;
            // Computed for every pair (a rejected pair's root is NaN) and kept for the accepted.
            const double root = __builtin_sqrt(-2.0 * log(t1) / t1);
            const double t2 = accept ? root : 0.0;
            const double t3 = x1 * t2, t4 = x2 * t2;
            const double a3 = __builtin_fabs(t3), a4 = __builtin_fabs(t4);
            sx[p] += t3;
            sy[p] += t4;
            ax[p] += a3;
            ay[p] += a4;
            const double mp = a3 > a4 ? a3 : a4;
            m[p] = mp;
            accepted[p] += accept;
            at_least_1[p] += mp >= 1.0;
            at_least_2[p] += mp >= 2.0;
            at_least_3[p] += mp >= 3.0;
            any_far |= !(mp < 4.0);
        }
        if (any_far)
            for (int p = 0; p < group; ++p)
                if (!(m[p] < 4.0))
                    ++far[annulus(m[p])];
    }
    double totals[4] = {};
    int64_t n[4] = {};
    for (int p = 0; p < group; ++p) {
        totals[0] += sx[p];
        totals[1] += sy[p];
        totals[2] += ax[p];
        totals[3] += ay[p];
        n[0] += accepted[p];
        n[1] += at_least_1[p];
        n[2] += at_least_2[p];
        n[3] += at_least_3[p];
    }
    for (int s = 0; s < 4; ++s)
        sums[s] = totals[s];
    int64_t at_least_4 = 0;
    for (int l = 4; l < ep_count_slots; ++l) {
        at_least_4 += far[l];
        counts[l] += far[l];
    }
    counts[0] += n[0] - n[1];
    counts[1] += n[1] - n[2];
    counts[2] += n[2] - n[3];
    counts[3] += n[3] - at_least_4;
}

#endif

void run_batches(int64_t first, int64_t batches, double *sums, int64_t *counts)
{
    const uint64_t jump = power(multiplier, 2 * static_cast<uint64_t>(batch_pairs));
    uint64_t start = multiply(seed, power(jump, static_cast<uint64_t>(first)));
    for (int64_t j = 0; j < batches; ++j) {
        batch(start, sums + 4 * j, counts);
        start = multiply(start, jump);
    }
}

}  // namespace

extern const EpKernels ep_kernels = {INTEROP_CPP_ISA_LEVEL, run_batches};

}  // namespace INTEROP_CPP_ISA_NAMESPACE
}  // namespace interop_cpp
