/* Equilibration by powers of two, shared by the C and C++ inversion kernels and the lapack and
 * scalapack wrappers (C and C++ alike; not part of the exported ABI). The spec (workload-spec.md,
 * "Checking an inverse") judges numerical singularity on the equilibrated matrix, as LAPACK's
 * dgeequb scales it: B = diag(r) A diag(c), r and c powers of two, so that a badly scaled regular
 * matrix (diag(1e300, 1e-300, 1, 2)) is inverted and only one whose equilibrated pivots vanish is
 * refused. The kernels factor B with the pivot threshold n * 2^-52 * max|b_ij| and return
 * X = diag(c) inv(B) diag(r); multiplying by a power of two is exact (short of the subnormal range),
 * so X is what inverting A would give, with the pivots judged scale-free.
 *
 * The rule, the same in every backend (the Fortran, Rust and C# kernels carry copies):
 *   r_i = 2^-e, e the exponent of max_j |a_ij| (max = f * 2^e, f in [0.5, 1), frexp's e);
 *   c_j = 2^-e, e that of max_i |a_ij| * r_i;
 * each exponent clamped to [-1022, 1023] so that the scale is a normal double; a row or column with
 * no nonzero finite element gets 1. NaN and Inf are left out of the maxima (and stay NaN or Inf in
 * B): the factorization finds them as a non-finite pivot. Every |b_ij| is at most 1 (a clamped row
 * or column aside), so B cannot overflow. */
#ifndef INTEROP_EQUILIBRATE_H
#define INTEROP_EQUILIBRATE_H

#include <math.h>
#include <stdint.h>

/* The scale 2^-e for a row or column whose largest finite |element| is max (0 if none). */
static inline double interop_equilibration_scale(double max)
{
    if (!(max > 0.0))
        return 1.0;
    int e = 0;
    (void)frexp(max, &e);
    e = -e;
    return ldexp(1.0, e < -1022 ? -1022 : e > 1023 ? 1023 : e);
}

/* Computes the row scales r = scales[0..n) and column scales c = scales[n..2n) of the row-major
 * n x n matrix a, replaces a with B = diag(r) a diag(c) when any scale is not 1, and returns the
 * pivot threshold on B, n * 2^-52 * max|b_ij| over the finite elements. *scaled says whether a was
 * changed (then the inverse of B must go through interop_unequilibrate). One pass over a reads each
 * row twice while it is in L1 (its maximum, then its scaled elements into the column maxima); a
 * second pass scales, only when some scale is not 1. */
static inline double interop_equilibrate(int64_t n, double *a, double *scales, int *scaled)
{
    double *r = scales, *c = scales + n;
    for (int64_t j = 0; j < n; ++j)
        c[j] = 0.0;
    int any = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double *row = a + i * n;
        double m = 0.0;
        /* Branch-free (NaN and Inf count as 0), so that both loops vectorize. */
        for (int64_t j = 0; j < n; ++j) {
            double v = fabs(row[j]);
            v = v <= 0x1.fffffffffffffp1023 ? v : 0.0;
            m = v > m ? v : m;
        }
        const double ri = interop_equilibration_scale(m);
        r[i] = ri;
        any |= ri != 1.0;
        for (int64_t j = 0; j < n; ++j) {
            double v = fabs(row[j]) * ri;
            v = v <= 0x1.fffffffffffffp1023 ? v : 0.0;
            c[j] = v > c[j] ? v : c[j];
        }
    }
    double max_b = 0.0;
    for (int64_t j = 0; j < n; ++j) {
        double s = interop_equilibration_scale(c[j]);
        double scaled_max = c[j] * s;
        if (scaled_max > max_b)
            max_b = scaled_max;
        c[j] = s;
        any |= s != 1.0;
    }
    if (any) {
        for (int64_t i = 0; i < n; ++i) {
            double *row = a + i * n;
            for (int64_t j = 0; j < n; ++j)
                row[j] = row[j] * r[i] * c[j];
        }
    }
    *scaled = any;
    return (double)n * 0x1p-52 * max_b;
}

/* x := diag(c) x diag(r) for the row-major inverse x of B (scales as interop_equilibrate made them):
 * inv(A) = diag(c) inv(B) diag(r). */
static inline void interop_unequilibrate(int64_t n, double *x, const double *scales)
{
    const double *r = scales, *c = scales + n;
    for (int64_t i = 0; i < n; ++i) {
        double *row = x + i * n;
        for (int64_t j = 0; j < n; ++j)
            row[j] = row[j] * c[i] * r[j];
    }
}

#endif
