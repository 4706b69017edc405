using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 4: an inverse does not depend on the scale of its input. Every inversion backend
/// inverts a well-conditioned matrix scaled by 1e±k (k up to 300) and badly scaled regular matrices
/// (rows and columns scaled apart, diag(1e300, 1e-300, 1, 2)), and judges numerical singularity on
/// the equilibrated matrix (workload-spec.md, "Checking an inverse"): a singular or numerically
/// singular matrix is refused at the same step, however it is scaled. fortran-openmp returned a
/// wrong inverse from a scale of about 1e4 (scaled residual 1.24e4 at 1e4, Inf with a 1e300).
/// </summary>
[NonParallelizable]
public sealed class InverseScalingTests : TempFolderTest
{
    private static IEnumerable<IInvBackend> Backends() => BackendCatalog.All<IInvBackend>();

    // Every backend on every instruction-set path this CPU has: for the small exact cases.
    private static IEnumerable<TestCaseData> BackendsOnEveryPath() =>
        from path in IsaNames.Paths.Where(ManagedIsa.Supports)
        from backend in BackendCatalog.All<IInvBackend>()
        select new TestCaseData(backend, path).SetArgDisplayNames(backend.Name, IsaNames.Name(path));

    [TearDown]
    public void BackToAuto() => IsaSwitch.Apply(Isa.Auto);

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

    private static double[] Diagonal(params double[] d)
    {
        int n = d.Length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] = d[i];
        }

        return a;
    }

    /// <summary>
    /// Numerically singular: the second pivot of [[1, 1], [1, 1 + 2^-52]] is 2^-52, at rounding level
    /// of the equilibrated matrix, after <paramref name="lead"/> leading rows and columns of a
    /// diagonal with <paramref name="leadValue"/> on it; the LU fails at step lead + 2.
    /// </summary>
    private static double[] NumericallySingular(int lead, double leadValue, double scale)
    {
        int n = lead + 3;
        double[] a = new double[n * n];
        for (int i = 0; i < lead; i++)
        {
            a[(i * n) + i] = leadValue;
        }

        int k = lead;
        a[(k * n) + k] = scale;
        a[(k * n) + k + 1] = scale;
        a[((k + 1) * n) + k] = scale;
        a[((k + 1) * n) + k + 1] = scale * (1 + Math.Pow(2, -52));
        a[((k + 2) * n) + k + 2] = scale;
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

    [TestCaseSource(nameof(Backends))]
    public void ABadlyScaledRegularMatrixIsInvertedAsItsWellScaledCore(IInvBackend backend)
    {
        // A = D1 W D2 with power-of-two diagonals of 2^-450..2^450 each: inv(A) = inv(D2) inv(W) inv(D1)
        // exactly, and D2 (X - inv(A)) D1 is the error seen at W's scale.
        const int n = 40;
        double[] w = WellConditioned(n, 21);
        double[] inverseW = Invert(new LapackBackend(), w, n, 1);
        int[] rowExponent = [.. Enumerable.Range(0, n).Select(i => ((i * 37) % 61) * 15 - 450)];
        int[] columnExponent = [.. Enumerable.Range(0, n).Select(j => ((j * 23) % 59) * 15 - 435)];
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = Math.ScaleB(w[(i * n) + j], rowExponent[i] + columnExponent[j]);
            }
        }

        double[] x = Invert(backend, a, n, 2);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double seen = Math.ScaleB(x[(i * n) + j], columnExponent[i] + rowExponent[j]);
                worst = Math.Max(worst, Math.Abs(seen - inverseW[(i * n) + j]));
            }
        }

        Assert.That(worst, Is.LessThanOrEqualTo(1e-12 * SpecMatrix.MaxAbs(inverseW)), backend.Name);
    }

    [TestCaseSource(nameof(BackendsOnEveryPath))]
    public void BadlyScaledDiagonalsAreInvertedExactly(IInvBackend backend, Isa path)
    {
        IsaSwitch.Apply(path);
        double[][] diagonals =
        [
            [1e300, 1e-300, 1, 2],
            [1e300, 1, 1, 1, 1, 1],
            [.. Enumerable.Range(0, 20).Select(i => (1 + (i / 7.0)) * Math.Pow(10, new[] { 300, -300, 0, 150, -150 }[i % 5]))],
        ];
        foreach (double[] d in diagonals)
        {
            int n = d.Length;
            foreach (int threads in new[] { 1, 2 })
            {
                double[] x = Invert(backend, Diagonal(d), n, threads);
                Assert.That(x, Is.EqualTo(Diagonal([.. d.Select(v => 1 / v)])), $"{backend.Name} [{IsaNames.Name(path)}] diag({string.Join(", ", d)}) threads={threads}");
            }
        }
    }

    [TestCaseSource(nameof(Backends))]
    public void SingularAndNumericallySingularMatricesAreRefusedAtTheirStepAtAnyScale(IInvBackend backend)
    {
        foreach (double scale in new[] { 1.0, 1e-200, 1e200 })
        {
            // Rank 2 of 3, in integers: row 3 = row 1 + row 2.
            double[] rankDeficient = [.. new double[] { 1, 2, 3, 4, 5, 6, 5, 7, 9 }.Select(v => v * scale)];
            Assert.Throws<SingularMatrixException>(() => Invert(backend, rankDeficient, 3, 2), $"{backend.Name} x{scale}");

            var e = Assert.Throws<SingularMatrixException>(() => Invert(backend, NumericallySingular(0, 0, scale), 3, 2), $"{backend.Name} x{scale}");
            Assert.That(e!.Step, Is.EqualTo(2), $"{backend.Name} x{scale}");
            Assert.That(e.Message, Does.Contain(backend.Name).And.Contain("step 2"));
        }

        // Behind a 1e300 the step is still that of the equilibrated pivot, not the first small one.
        var behind = Assert.Throws<SingularMatrixException>(() => Invert(backend, NumericallySingular(1, 1e300, 1), 4, 2), backend.Name);
        Assert.That(behind!.Step, Is.EqualTo(3), backend.Name);
        Assert.That(behind.Message, Does.Contain("step 3"));
    }

    [Test]
    public void TheCommandInvertsABadlyScaledDiagonalWithEveryBackendAndRefusesANumericallySingularOne()
    {
        string backends = string.Join(",", Backends().Select(b => b.Name));
        double[] d = [1e300, 1e-300, 1, 2];
        string input = WriteMatrix("diagonal.npy", Diagonal(d), 4);
        foreach (IInvBackend backend in Backends())
        {
            string output = Path.Combine(Folder, $"{backend.Name}.npy");
            var run = Cli.Run("inv", "--input", input, "--backend", backend.Name, "--output", output);
            Assert.That(run.Code, Is.Zero, $"{backend.Name}: {run.Err}");
            (double[] x, int order) = NpyFile.ReadSquare(output);
            Assert.That(order, Is.EqualTo(4));
            Assert.That(x, Is.EqualTo(Diagonal([.. d.Select(v => 1 / v)])), backend.Name);
        }

        string singular = WriteMatrix("singular.npy", NumericallySingular(1, 1e300, 1e-100), 4);
        var refused = Cli.Run("inv", "--input", singular, "--backend", backends);
        Assert.That(refused.Code, Is.EqualTo(1), refused.Out + refused.Err);
        Assert.That(refused.Err, Does.Contain("singular").And.Contain("step 3"));
    }

    [Test]
    public void ScalapackInvertsABadlyScaledDiagonalExactlyAndRefusesANumericallySingularMatrix()
    {
        double[] d = [1e300, 1e-300, 1, 2, 1e-150, 3e200];
        string input = WriteMatrix("diagonal.npy", Diagonal(d), d.Length);
        string output = Path.Combine(Folder, "x.npy");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--backend", "scalapack", "--input", input, "--output", output, "--block", "2"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        (double[] x, _) = NpyFile.ReadSquare(output);
        Assert.That(x, Is.EqualTo(Diagonal([.. d.Select(v => 1 / v)])));

        const int n = 50;
        double[] well = WellConditioned(n, 22);
        foreach (int k in new[] { -300, 4, 300 })
        {
            double factor = Math.Pow(10, k);
            double[] a = [.. well.Select(v => v * factor)];
            string scaled = WriteMatrix($"scaled{k}.npy", a, n);
            string scaledOutput = Path.Combine(Folder, $"x{k}.npy");
            var scaledRun = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--backend", "scalapack", "--input", scaled, "--output", scaledOutput, "--block", "8"]);
            Assert.That(scaledRun.Code, Is.Zero, scaledRun.Err);
            (double[] xs, _) = NpyFile.ReadSquare(scaledOutput);
            double[] reference = Invert(new LapackBackend(), a, n, 1);
            Assert.That(NativeInverse.Residual(a, xs, n, 1), Is.InRange(0.0, InvResult.ResidualThreshold), $"x1e{k}");
            Assert.That(SpecMatrix.MaxAbsDifference(xs, reference), Is.LessThanOrEqualTo(1e-12 * SpecMatrix.MaxAbs(reference)), $"x1e{k}");
        }

        string singular = WriteMatrix("singular.npy", NumericallySingular(1, 1e300, 1e-100), 4);
        var refused = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--backend", "scalapack", "--input", singular, "--block", "2"]);
        Assert.That(refused.Code, Is.EqualTo(1), refused.Out + refused.Err);
        Assert.That(refused.Err, Does.Contain("singular").And.Contain("step 3"));
    }
}
