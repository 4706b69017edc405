using System.Text.Json;
using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// `interop inv --input` as an everyday tool (issue 10): one verified run of lapack, no warm-up, the
/// residual estimated in O(n²) (LAPACK's dlacn2), unless options say otherwise; and the estimate
/// itself against the full residual.
/// </summary>
public sealed class InvInputTests : TempFolderTest
{
    private const ulong Seed = 2024;

    /// <summary>
    /// Wilkinson's growth matrix: unit diagonal, -1 below it, a last column of seeded uniform [0, 1)
    /// numbers. LU with row pivoting has element growth 2^(n-1): at n = 60 LAPACK's inverse has a
    /// scaled residual of about 1e12. (With a last column of ones every number stays a power of
    /// two and the inverse is exact up to n = 54; it fails only from n of about 1000.)
    /// </summary>
    private static double[] GrowthMatrix(int n)
    {
        double[] a = SpecMatrix.Allocate(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = i == j ? 1 : j < i ? -1 : j == n - 1 ? SplitMix64.ToUnitDouble(SplitMix64.Mix(Seed, (ulong)i)) : 0;
            }
        }

        return a;
    }

    private static JsonDocument Json(string output) => JsonDocument.Parse(output);

    [Test]
    public void AnInputFileGetsOneVerifiedLapackRunWithoutWarmUp()
    {
        string input = WriteMatrix("a.npy", SpecMatrix.Generate(50, 3, 1), 50);
        var (code, output, error) = Cli.Run("inv", "--input", input, "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = Json(output);
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("parameters").GetProperty("warmup").GetInt32(), Is.EqualTo(0));
        Assert.That(root.GetProperty("parameters").GetProperty("repeat").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("parameters").GetProperty("residual_check").GetString(), Is.EqualTo("estimate"));
        JsonElement[] results = [.. root.GetProperty("points").EnumerateArray()];
        Assert.That(results.Select(r => r.GetProperty("backend").GetString()), Is.EqualTo(new[] { "lapack" }));
        JsonElement r = results[0];
        Assert.That(r.GetProperty("verified").GetBoolean(), Is.True);
        Assert.That(r.GetProperty("residual").GetDouble(), Is.InRange(0.0, 30.0));
        // No DGEMM yardstick and no second LAPACK inversion to compare with: neither is needed here.
        Assert.That(r.GetProperty("peak_gflops").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(r.GetProperty("max_abs_diff_vs_lapack").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void TheTableSaysOneRunNoWarmUpAndAnEstimatedResidual()
    {
        string input = WriteMatrix("a.npy", SpecMatrix.Generate(30, 3, 1), 30);
        var (code, output, error) = Cli.Run("inv", "--input", input);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("median of 1 run(s) without warm-up"));
        Assert.That(output, Does.Match(@"(?m)^lapack\s+(scalar|avx2|avx512)\s+\d+\s+30\s.*\sok$"));
        Assert.That(output, Does.Contain("estimated").And.Contain("--check full"));
        Assert.That(output, Does.Not.Match(@"(?m)^(c-openmp|managed-serial)\s"));
    }

    [Test]
    public void ExplicitBackendRepeatAndCheckAreHonouredWithAnInputFile()
    {
        string input = WriteMatrix("a.npy", SpecMatrix.Generate(40, 3, 1), 40);
        var (code, output, error) = Cli.Run("inv", "--input", input, "--backend", "c-openmp,lapack", "--repeat", "2", "--check", "full", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = Json(output);
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("parameters").GetProperty("warmup").GetInt32(), Is.EqualTo(1), "--repeat makes it a benchmark: warm-up as for generated matrices");
        Assert.That(root.GetProperty("parameters").GetProperty("repeat").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("parameters").GetProperty("residual_check").GetString(), Is.EqualTo("full"));
        JsonElement[] results = [.. root.GetProperty("points").EnumerateArray()];
        Assert.That(results.Select(r => r.GetProperty("backend").GetString()), Is.EqualTo(new[] { "c-openmp", "lapack" }));
        foreach (JsonElement r in results)
        {
            Assert.That(r.GetProperty("seconds").GetArrayLength(), Is.EqualTo(2));
            Assert.That(r.GetProperty("verified").GetBoolean(), Is.True);
            Assert.That(r.GetProperty("max_abs_diff_vs_lapack").GetDouble(), Is.LessThan(1e-6));
            Assert.That(r.GetProperty("peak_gflops").ValueKind, Is.EqualTo(JsonValueKind.Number));
        }
    }

    [Test]
    public void AnExplicitBackendAloneStaysOneRunWithoutWarmUp()
    {
        string input = WriteMatrix("a.npy", SpecMatrix.Generate(30, 3, 1), 30);
        var (code, output, error) = Cli.Run("inv", "--input", input, "-b", "fortran-openmp", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = Json(output);
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("warmup").GetInt32(), Is.EqualTo(0));
        JsonElement r = doc.RootElement.GetProperty("points")[0];
        Assert.That(r.GetProperty("backend").GetString(), Is.EqualTo("fortran-openmp"));
        Assert.That(r.GetProperty("seconds").GetArrayLength(), Is.EqualTo(1));
        Assert.That(r.GetProperty("max_abs_diff_vs_lapack").GetDouble(), Is.LessThan(1e-6));
    }

    [Test]
    public void GeneratedMatricesKeepTheBenchmarkDefaults()
    {
        var (code, output, error) = Cli.Run("inv", "--size", "30", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = Json(output);
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("parameters").GetProperty("warmup").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("parameters").GetProperty("repeat").GetInt32(), Is.EqualTo(0), "0: repeats chosen automatically");
        Assert.That(root.GetProperty("parameters").GetProperty("residual_check").GetString(), Is.EqualTo("full"));
        Assert.That(root.GetProperty("points").GetArrayLength(), Is.EqualTo(BackendCatalog.All<IInvBackend>().Count()));
        Assert.That(root.GetProperty("points")[0].GetProperty("seconds").GetArrayLength(), Is.InRange(RepeatPolicy.AutoMinRuns, RepeatPolicy.AutoMaxRuns));
    }

    [Test]
    public void RoundTripWritesAVerifiedInverse()
    {
        const int n = 120;
        double[] a = SpecMatrix.Generate(n, 9, 1);
        string input = WriteMatrix("a.npy", a, n);
        string output = Path.Combine(Folder, "x.npy");
        var (code, stdout, error) = Cli.Run("inv", "--input", input, "--output", output);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain($"inverse from lapack written to {output}"));
        (double[] x, int m) = NpyFile.ReadSquare(output);
        Assert.That(m, Is.EqualTo(n));
        Assert.That(NativeInverse.Residual(a, x, n, 1), Is.InRange(0.0, 30.0), "the file holds an inverse that passes the full check");
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "a.npy", "x.npy" }), "no temporary left");
    }

    [TestCase("estimate")]
    [TestCase("full")]
    public void AFailingInverseIsExitOneAndNothingIsWritten(string check)
    {
        const int n = 60;
        string input = WriteMatrix("growth.npy", GrowthMatrix(n), n);
        string output = Path.Combine(Folder, "x.npy");
        var (code, stdout, error) = Cli.Run("inv", "--input", input, "--output", output, "--check", check);
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(error, Does.Contain("failed the scaled-residual check").And.Contain("lapack residual").And.Contain("not written"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(File.Exists(output), Is.False);
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "growth.npy" }), "no temporary left");
    }

    [Test]
    public void AnUnknownCheckIsAUsageError()
    {
        string input = WriteMatrix("a.npy", SpecMatrix.Generate(5, 3, 1), 5);
        var (code, _, error) = Cli.Run("inv", "--input", input, "--check", "none");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
    }

    /// <summary>
    /// The estimate is a lower bound of ||I - A X||_1 in exact arithmetic; on good inverses both
    /// values are rounding noise and agree within a factor of 2 (measured 0.82-1.00 on these
    /// matrices); on a failing inverse the estimate finds the norm itself.
    /// </summary>
    [TestCase(64)]
    [TestCase(300)]
    [TestCase(1000)]
    public void TheEstimateAgreesWithTheFullResidual(int n)
    {
        IInvBackend lapack = BackendCatalog.Select<IInvBackend>("lapack")[0];
        double[] spec = SpecMatrix.Generate(n, 42, 2);
        double[] uniform = SpecMatrix.Allocate(n);
        for (int i = 0; i < uniform.Length; i++)
        {
            uniform[i] = SplitMix64.ToUnitDouble(SplitMix64.Mix(Seed, (ulong)i)) - 0.5;
        }

        foreach ((string name, double[] a) in new[] { ("spec", spec), ("uniform", uniform) })
        {
            double[] x = SpecMatrix.Allocate(n);
            a.CopyTo(x, 0);
            lapack.Invert(x, n, 2);
            double full = NativeInverse.Residual(a, x, n, 2);
            double estimate = NativeInverse.ResidualEstimate(a, x, n, 2);
            Assert.That(full, Is.InRange(0.0, 30.0), name);
            Assert.That(estimate, Is.InRange(full / 2, full * 2), $"{name} n={n}: estimate {estimate}, full {full}");
        }
    }

    [Test]
    public void TheEstimateCatchesAFailingInverse()
    {
        const int n = 60;
        double[] a = GrowthMatrix(n);
        double[] x = SpecMatrix.Allocate(n);
        a.CopyTo(x, 0);
        BackendCatalog.Select<IInvBackend>("lapack")[0].Invert(x, n, 1);
        double full = NativeInverse.Residual(a, x, n, 1);
        double estimate = NativeInverse.ResidualEstimate(a, x, n, 1);
        Assert.That(full, Is.GreaterThan(1e6));
        Assert.That(estimate, Is.GreaterThan(InvResult.ResidualThreshold));
        Assert.That(estimate, Is.EqualTo(full).Within(1e-6).Percent);

        // One wrong entry in a good inverse, and NaN or Inf anywhere.
        double[] spec = SpecMatrix.Generate(n, 1, 1);
        spec.CopyTo(x, 0);
        BackendCatalog.Select<IInvBackend>("lapack")[0].Invert(x, n, 1);
        x[7] *= 1.0001;
        Assert.That(NativeInverse.ResidualEstimate(spec, x, n, 1), Is.GreaterThan(1000));
        x[7] = double.NaN;
        Assert.That(NativeInverse.ResidualEstimate(spec, x, n, 1), Is.EqualTo(double.PositiveInfinity));
        x[7] = double.NegativeInfinity;
        Assert.That(NativeInverse.ResidualEstimate(spec, x, n, 1), Is.EqualTo(double.PositiveInfinity));
    }
}
