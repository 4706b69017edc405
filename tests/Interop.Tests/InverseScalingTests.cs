using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 4: an inverse does not depend on the scale of its input. Every inversion backend
/// inverts a well-conditioned matrix scaled by 1e±k (k up to 300). fortran-openmp returned a wrong
/// inverse from a scale of about 1e4 (scaled residual 1.24e4 at 1e4, Inf with a 1e300).
/// </summary>
[NonParallelizable]
public sealed class InverseScalingTests : TempFolderTest
{
    private static IEnumerable<IInvBackend> Backends() => BackendCatalog.All<IInvBackend>();

    private static double[] Invert(IInvBackend backend, double[] a, int n, int threads)
    {
        double[] x = SpecMatrix.Allocate(n);
        a.CopyTo(x, 0);
        backend.Invert(x, n, threads);
        return x;
    }

    /// <summary>The spec's matrix plus n on the diagonal: strictly diagonally dominant, cond1 below 4.</summary>
    private static double[] WellConditioned(int n, ulong seed)
    {
        double[] a = SpecMatrix.Generate(n, seed, 1);
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] += n;
        }

        return a;
    }

    [TestCaseSource(nameof(Backends))]
    public void AWellConditionedMatrixScaledBy1EPlusOrMinusKPassesTheCheckAndMatchesLapack(IInvBackend backend)
    {
        const int n = 50;
        double[] well = WellConditioned(n, 20);
        foreach (int k in new[] { -300, -200, -100, -20, -4, 0, 4, 8, 20, 100, 200, 300 })
        {
            double factor = Math.Pow(10, k);
            double[] a = [.. well.Select(v => v * factor)];
            double[] reference = Invert(new LapackBackend(), a, n, 1);
            double[] x = Invert(backend, a, n, 2);
            string where = $"{backend.Name}, x1e{k}";
            Assert.That(NativeInverse.Residual(a, x, n, 1), Is.InRange(0.0, InvResult.ResidualThreshold), where);
            Assert.That(ManagedInverse.Residual(a, x, n, 1), Is.InRange(0.0, InvResult.ResidualThreshold), where);
            Assert.That(SpecMatrix.MaxAbsDifference(x, reference), Is.LessThanOrEqualTo(1e-12 * SpecMatrix.MaxAbs(reference)), where);
        }
    }
}
