using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// Issue 9, items 18 and 13: every backend on every instruction-set path this CPU has pivots the
/// rows of A itself (as LAPACK and NumPy on A do), not those of the buffer read column-major (Aᵀ),
/// and a NaN or Inf in the factorization is reported as such, never as a singular matrix.
/// </summary>
[NonParallelizable]
public sealed class InversePivotingTests : TempFolderTest
{
    private const ulong Seed = 2024;

    private static IEnumerable<TestCaseData> Cases() =>
        from path in IsaNames.Paths.Where(ManagedIsa.Supports)
        from backend in BackendCatalog.All<IInvBackend>()
        select new TestCaseData(backend, path).SetArgDisplayNames(backend.Name, IsaNames.Name(path));

    /// <summary>
    /// Well conditioned (cond1 about 60 at n = 40): unit diagonal, -1 above it, zeros below it
    /// except a last row of seeded uniform [0, 1) numbers. Row pivoting of A has no element growth;
    /// row pivoting of Aᵀ has Wilkinson's 2^(n-1).
    /// </summary>
    private static double[] GrowthMatrix(int n, bool transposed)
    {
        double[] a = SpecMatrix.Allocate(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = j > i ? -1 : j == i ? 1 : i == n - 1 ? SplitMix64.ToUnitDouble(SplitMix64.Mix(Seed, (ulong)j)) : 0;
                a[transposed ? (j * n) + i : (i * n) + j] = v;
            }
        }

        return a;
    }

    private static double[] Invert(IInvBackend backend, double[] a, int n, int threads)
    {
        double[] x = SpecMatrix.Allocate(n);
        a.CopyTo(x, 0);
        backend.Invert(x, n, threads);
        return x;
    }

    [TearDown]
    public void BackToAuto() => IsaSwitch.Apply(Isa.Auto);

    [TestCaseSource(nameof(Cases))]
    public void TheGrowthMatrixPassesTheCheckAsWithNumPy(IInvBackend backend, Isa path)
    {
        IsaSwitch.Apply(path);
        foreach (int n in new[] { 40, 300 })
        {
            double[] a = GrowthMatrix(n, transposed: false);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                double[] x = Invert(backend, a, n, threads);
                string where = $"{backend.Name} [{IsaNames.Name(path)}] n={n} threads={threads}";
                Assert.That(NativeInverse.Residual(a, x, n, 2), Is.InRange(0.0, InvResult.ResidualThreshold), where);
                Assert.That(ManagedInverse.Residual(a, x, n, 2), Is.InRange(0.0, InvResult.ResidualThreshold), where);
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ItsTransposeFailsTheCheckAsWithNumPy(IInvBackend backend, Isa path)
    {
        // On Aᵀ partial pivoting itself has 2^(n-1) growth (NumPy's inverse fails the check too):
        // the inverse is either refused or fails the check, never reported as verified.
        IsaSwitch.Apply(path);
        const int n = 40;
        double[] a = GrowthMatrix(n, transposed: true);
        foreach (int threads in new[] { 1, 2 })
        {
            try
            {
                double[] x = Invert(backend, a, n, threads);
                double residual = NativeInverse.Residual(a, x, n, 2);
                var result = new InvResult(backend.Name, threads, 1, n, [1.0], residual, null, 0, path, null);
                Assert.That(result.Verified, Is.False, $"{backend.Name} [{IsaNames.Name(path)}] threads={threads}: residual {residual}");
            }
            catch (MatrixFactorizationException)
            {
                // Refused: as good as failing the check.
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void NaNOrInfIsANonFinitePivotNotASingularMatrix(IInvBackend backend, Isa path)
    {
        IsaSwitch.Apply(path);
        foreach (int n in new[] { 9, 200 })
        {
            foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                foreach (int where in new[] { 0, 10, (n * n / 2) + 3, (n * n) - 1 })
                {
                    double[] a = SpecMatrix.Generate(n, 7, 1);
                    a[where] = bad;
                    string what = $"{backend.Name} [{IsaNames.Name(path)}] n={n}: {bad} at {where}";
                    var e = Assert.Throws<NonFiniteFactorizationException>(() => Invert(backend, a, n, 2), what);
                    Assert.That(e!.Step, Is.InRange(1, n), what);
                    Assert.That(e.Message, Does.Contain("non-finite").And.Contain(backend.Name).And.Not.Contain("singular"), what);
                }
            }
        }

        // An overflow inside the factorization. Every backend factors A equilibrated (every |b_ij| <= 1),
        // so no scale of A overflows it: it takes an element growth beyond 2^1024, Aᵀ's 2^(n-1) at n = 1060.
        double[] huge = GrowthMatrix(1060, transposed: true);
        Assert.Throws<NonFiniteFactorizationException>(() => Invert(backend, huge, 1060, 2), $"{backend.Name}: overflow");
    }

    [Test]
    public void ANaNResidualIsAFailedCheck()
    {
        var result = new InvResult("x", 1, 1, 2, [1.0], double.NaN, null, 0, Isa.Scalar, null);
        Assert.That(result.Verified, Is.False);
        Assert.That(result with { Residual = double.PositiveInfinity }, Has.Property(nameof(InvResult.Verified)).False);
        Assert.That(result with { Residual = 1 }, Has.Property(nameof(InvResult.Verified)).True);
    }

    [TestCase("managed-serial")]
    [TestCase("managed-parallel")]
    [TestCase("c-openmp")]
    [TestCase("fortran-openmp")]
    [TestCase("lapack")]
    public void TheCommandVerifiesTheGrowthMatrixAndFailsItsTranspose(string backend)
    {
        const int n = 40;
        string input = Path.Combine(Folder, "a.npy");
        NpyFile.WriteSquare(input, GrowthMatrix(n, transposed: false), n);
        var (code, output, error) = Cli.Run("inv", "--input", input, "--backend", backend, "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), output + error);

        string transposed = Path.Combine(Folder, "at.npy");
        NpyFile.WriteSquare(transposed, GrowthMatrix(n, transposed: true), n);
        (code, output, error) = Cli.Run("inv", "--input", transposed, "--backend", backend, "--repeat", "1");
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(error, Does.Contain("failed the scaled-residual check").And.Contain(backend));
    }
}
