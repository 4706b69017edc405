using Interop.Core;

namespace Interop.Backends.Inversion;

/// <summary>
/// Dense matrix inversion in C#: the same algorithm as native/src/lu_inverse_c.c, so that the
/// comparison is about language and runtime. The kernel works column-major, on the row-major A:
/// 0. M = A by an in-place transpose, so that the pivoting is A's own (LAPACK's on A; the buffer
/// read as stored is Aᵀ, whose partial pivoting can have an element growth of 2^(n-1) where A's has none);
/// 1. blocked right-looking LU with partial pivoting, P M = L U (recursive panel, triangular solve, GEMM);
/// 2. Y = inv(L) by the blocked solve L Y = I, skipping the zero upper triangle of Y;
/// 3. Z = inv(U) Y by the blocked solve U Z = Y (both solves' updates are GEMMs);
/// 4. inv(M) = Z P replaces M, written back row-major: 2n³ flops in all, as dgetrf + dgetri.
/// The phases are <see cref="BlockedInverse{TPath}"/>'s, compiled for the path of
/// <see cref="ManagedIsa.Active"/> (its micro-kernel's shape and blocking, <see cref="IKernelPath"/>),
/// on a team of dedicated threads.
/// </summary>
public static unsafe partial class ManagedInverse
{
    public static void Invert(Span<double> a, int n, int threads, string backendName)
    {
        if (n < 1 || a.Length != (long)n * n)
        {
            throw new ArgumentException($"expected an {n} x {n} matrix, got {a.Length} elements");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        // The kernel factors B = diag(r) A diag(c), A equilibrated by powers of two, and judges its
        // pivots on B (Equilibration says why). NaN and Inf are left out of the threshold: the
        // factorization finds them as a non-finite pivot.
        double[] scales = new double[2 * n];
        double threshold = Equilibration.Equilibrate(a, n, scales, out bool scaled);

        int failedStep;
        fixed (double* m = a)
        {
            failedStep = ManagedIsa.Active switch
            {
                Isa.Avx512 => BlockedInverse<Avx512Path>.Run(m, n, threads, threshold),
                Isa.Avx2 => BlockedInverse<Avx2Path>.Run(m, n, threads, threshold),
                _ => BlockedInverse<ScalarPath>.Run(m, n, threads, threshold),
            };
        }

        if (failedStep < 0)
        {
            throw new NonFiniteFactorizationException(-failedStep, backendName);
        }

        if (failedStep > 0)
        {
            throw new SingularMatrixException(failedStep, backendName);
        }

        if (scaled)
        {
            Equilibration.Unequilibrate(a, n, scales);
        }
    }
}
