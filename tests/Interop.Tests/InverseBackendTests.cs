using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>Every inversion backend against LAPACK and the scaled residual, on odd sizes and known matrices.</summary>
public sealed class InverseBackendTests
{
    private static IEnumerable<IInvBackend> Backends() => BackendCatalog.All<IInvBackend>();

    private static double[] Invert(IInvBackend backend, double[] a, int n, int threads)
    {
        double[] x = SpecMatrix.Allocate(n);
        a.CopyTo(x, 0);
        backend.Invert(x, n, threads);
        return x;
    }

    [Test]
    public void CatalogListsEveryInversionBackend()
    {
        Assert.That(Backends().Select(b => b.Name), Is.EqualTo(Catalog.InvNames));
    }

    [TestCaseSource(nameof(Backends))]
    public void MatchesLapackOnSizesAroundTheBlockSizes(IInvBackend backend)
    {
        foreach (int n in new[] { 1, 2, 3, 17, 63, 65, 129, 257 })
        {
            double[] a = SpecMatrix.Generate(n, 42, 2);
            double[] reference = Invert(new LapackBackend(), a, n, 1);
            double scale = SpecMatrix.MaxAbs(reference);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                double[] x = Invert(backend, a, n, threads);
                Assert.That(ManagedInverse.Residual(a, x, n, 2), Is.InRange(0.0, 30.0), $"{backend.Name} n={n} threads={threads}");
                Assert.That(SpecMatrix.MaxAbsDifference(x, reference), Is.LessThanOrEqualTo(1e-8 * scale), $"{backend.Name} n={n} threads={threads}");
            }
        }
    }

    [TestCaseSource(nameof(Backends))]
    public void InvertsKnownMatricesExactlyOrWithinTheResidual(IInvBackend backend)
    {
        const int n = 67;
        double[] identity = new double[n * n];
        double[] permutation = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            identity[(i * n) + i] = 1;
            permutation[(i * n) + ((i * 5) + 2) % n] = 1; // zero diagonal: needs pivoting
        }

        Assert.That(Invert(backend, identity, n, 2), Is.EqualTo(identity));
        double[] inverse = Invert(backend, permutation, n, 2);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.That(inverse[(i * n) + j], Is.EqualTo(permutation[(j * n) + i]));
            }
        }

        double[] hilbert = new double[64];
        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                hilbert[(i * 8) + j] = 1.0 / (i + j + 1);
            }
        }

        Assert.That(NativeInverse.Residual(hilbert, Invert(backend, hilbert, 8, 1), 8, 1), Is.LessThanOrEqualTo(30));
    }

    [TestCaseSource(nameof(Backends))]
    public void SingularMatricesNameTheFailingStep(IInvBackend backend)
    {
        // The LU is A's own with row pivoting: a zero column k of A fails at step k.
        const int n = 9;
        double[] zeroColumn = SpecMatrix.Generate(n, 7, 1);
        for (int i = 0; i < n; i++)
        {
            zeroColumn[(i * n) + 4] = 0; // column 5
        }

        var e = Assert.Throws<SingularMatrixException>(() => Invert(backend, zeroColumn, n, 2));
        Assert.That(e!.Step, Is.EqualTo(5));
        Assert.That(e.Message, Does.Contain(backend.Name).And.Contain("step 5"));

        double[] zeroRow = SpecMatrix.Generate(n, 7, 1);
        Array.Clear(zeroRow, 4 * n, n); // row 5
        Assert.That(Assert.Throws<SingularMatrixException>(() => Invert(backend, zeroRow, n, 2))!.Step, Is.InRange(1, n));

        Assert.That(Assert.Throws<SingularMatrixException>(() => Invert(backend, new double[n * n], n, 1))!.Step, Is.EqualTo(1));

        double[] equalRows = SpecMatrix.Generate(n, 7, 1);
        Array.Copy(equalRows, 6 * n, equalRows, 2 * n, n);
        Assert.Throws<SingularMatrixException>(() => Invert(backend, equalRows, n, 1));
    }

    [Test]
    public void TheManagedResidualAgreesWithOpenBlasAndCatchesWrongInverses()
    {
        const int n = 50;
        double[] a = SpecMatrix.Generate(n, 3, 1);
        double[] x = Invert(new LapackBackend(), a, n, 1);
        Assert.That(ManagedInverse.Residual(a, x, n, 2), Is.EqualTo(NativeInverse.Residual(a, x, n, 2)).Within(1e-6).Percent.Or.LessThan(1.0));
        x[7] *= 1.001;
        Assert.That(ManagedInverse.Residual(a, x, n, 1), Is.GreaterThan(1000));
        x[7] = double.NaN;
        Assert.That(ManagedInverse.Residual(a, x, n, 1), Is.EqualTo(double.PositiveInfinity));
    }
}
