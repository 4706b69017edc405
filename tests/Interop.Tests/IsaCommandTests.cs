using System.Text.Json;
using Interop.Backends;
using Interop.Core;

namespace Interop.Tests;

/// <summary>The instruction-set switch end to end: --isa, INTEROP_ISA, the isa of every row, % of peak, compare --isa all.</summary>
public sealed class IsaCommandTests
{
    private string dir = string.Empty;

    [SetUp]
    public void CreateFolder() => dir = Directory.CreateTempSubdirectory("interop-isa-").FullName;

    [TearDown]
    public void Restore()
    {
        Environment.SetEnvironmentVariable(IsaNames.Variable, null);
        IsaSwitch.Apply(Isa.Auto);
        Directory.Delete(dir, recursive: true);
    }

    [TestCase("pi", "--isa", "sse9")]
    [TestCase("inv", "--isa", "avx3")]
    [TestCase("env", "--isa", "")]
    [TestCase("compare", "--isa", "every")]
    public void AnUnknownPathIsAUsageErrorOnOneLine(params string[] args)
    {
        var (code, _, stderr) = Cli.Run(args);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("--isa must be auto, avx512, avx2 or scalar"));
    }

    [Test]
    public void APathThisCpuLacksIsAUsageError()
    {
        Isa[] missing = [.. IsaNames.Paths.Except(ExpectedPaths.OfThisCpu())];
        Assume.That(missing, Is.Not.Empty, "this CPU has every path");
        var (code, _, stderr) = Cli.Run("pi", "--isa", IsaNames.Name(missing[0]), "--darts", "1000");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain($"no {IsaNames.Name(missing[0])} path"));
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
    }

    [Test]
    public void TheVariableForcesThePathAndIsCheckedLikeTheOption()
    {
        Environment.SetEnvironmentVariable(IsaNames.Variable, "scalar");
        var (code, stdout, stderr) = Cli.Run("pi", "--darts", "10007", "--repeat", "1", "--json");
        Assert.That(code, Is.Zero, stderr);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            Assert.That(doc.RootElement.GetProperty("points").EnumerateArray().Select(r => r.GetProperty("isa").GetString()).Distinct(), Is.EqualTo(new[] { "scalar" }));
            Assert.That(doc.RootElement.GetProperty("environment").GetProperty("isa_requested").GetString(), Is.EqualTo("scalar (from INTEROP_ISA)"));
        }

        // The option wins over the variable.
        string best = IsaNames.Name(ManagedIsa.Best);
        (code, stdout, stderr) = Cli.Run("pi", "--darts", "10007", "--repeat", "1", "--json", "--isa", best, "--backend", "c-openmp");
        Assert.That(code, Is.Zero, stderr);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("isa").GetString(), Is.EqualTo(best));
        }

        Environment.SetEnvironmentVariable(IsaNames.Variable, "mmx");
        (code, _, stderr) = Cli.Run("inv", "--size", "10");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("INTEROP_ISA must be"));
    }

    [Test]
    public void EveryPathThisCpuHasCountsTheSameDartsAndSaysWhichPathRan()
    {
        var counts = new HashSet<long>();
        foreach (Isa path in ExpectedPaths.OfThisCpu())
        {
            var (code, stdout, stderr) = Cli.Run("pi", "--isa", IsaNames.Name(path), "--darts", "1000037", "--threads", "2", "--repeat", "1", "--json");
            Assert.That(code, Is.Zero, stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            foreach (JsonElement row in doc.RootElement.GetProperty("points").EnumerateArray())
            {
                string backend = row.GetProperty("backend").GetString()!;
                Assert.That(row.GetProperty("isa").GetString(), Is.EqualTo(IsaNames.Name(ExpectedPaths.For(backend, "pi", path))), backend);
                Assert.That(row.GetProperty("throughput_per_worker").GetDouble(),
                    Is.EqualTo(row.GetProperty("darts_per_second").GetDouble() / row.GetProperty("threads").GetInt32()).Within(1e-6).Percent);
                counts.Add(row.GetProperty("inside").GetInt64());
            }
        }

        Assert.That(counts, Has.Count.EqualTo(1), "bit-identical counts on every path");
    }

    [Test]
    public void InversionRowsSayTheirPathAndHowCloseTheyCameToTheMachinesDgemm()
    {
        Isa path = ExpectedPaths.OfThisCpu().Last();
        var (code, stdout, stderr) = Cli.Run("inv", "--isa", IsaNames.Name(path), "--size", "131", "--threads", "2", "--repeat", "1", "--json");
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        var limits = new Dictionary<(string Isa, int Threads), double>();
        foreach (JsonElement row in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            string backend = row.GetProperty("backend").GetString()!;
            string isa = row.GetProperty("isa").GetString()!;
            if (backend != "lapack")
            {
                // OpenBLAS follows the switch only when told before it loads (a fresh process); here it was loaded earlier.
                Assert.That(isa, Is.EqualTo(IsaNames.Name(ExpectedPaths.For(backend, "inv", path))), backend);
            }

            // % of peak: against the FMA limit of the row's own path (lapack: OpenBLAS's), one per path and threads.
            // A path the CPU lacks as detected has no limit to measure (lapack under the test cap runs the
            // OpenBLAS core OPENBLAS_CORETYPE names, which may be above it): no % of peak, not a made-up one.
            if (!ExpectedPaths.OfThisCpu().Select(IsaNames.Name).Contains(isa))
            {
                Assert.That((row.GetProperty("peak_gflops").ValueKind, row.GetProperty("fraction_of_peak").ValueKind), Is.EqualTo((JsonValueKind.Null, JsonValueKind.Null)), backend);
                continue;
            }

            double peak = row.GetProperty("peak_gflops").GetDouble();
            Assert.That(peak, Is.GreaterThan(0));
            Assert.That(row.GetProperty("peak_source").GetString(), Is.EqualTo("fma_limit"));
            Assert.That(row.GetProperty("fraction_of_peak").GetDouble(),
                Is.EqualTo(row.GetProperty("gflops").GetDouble() / peak).Within(1e-6).Percent);
            Assert.That(row.GetProperty("above_peak").GetBoolean(), Is.EqualTo(row.GetProperty("fraction_of_peak").GetDouble() > 1), backend);
            int threads = row.GetProperty("threads").GetInt32();
            Assert.That(limits.TryAdd((isa, threads), peak) || limits[(isa, threads)] == peak, Is.True, $"{backend}: one limit per path and threads");

            // over dgemm: against OpenBLAS's dgemm at the same threads, the old yardstick.
            double dgemm = row.GetProperty("dgemm_gflops").GetDouble();
            Assert.That(dgemm, Is.GreaterThan(0));
            Assert.That(row.GetProperty("over_dgemm").GetDouble(), Is.EqualTo(row.GetProperty("gflops").GetDouble() / dgemm).Within(1e-6).Percent);
            Assert.That(row.GetProperty("verified").GetBoolean(), Is.True, backend);
        }

        (code, stdout, _) = Cli.Run("inv", "--size", "131", "--repeat", "1", "--backend", "c-openmp");
        Assert.That(code, Is.Zero);
        string core = global::Interop.Native.NativeInverse.OpenBlasCore();
        string openBlas = IsaNames.Name(global::Interop.Native.NativeIsa.OpenBlasPath(core));
        Assert.That(stdout, Does.Contain("% of peak").And.Contain("over dgemm").And.Contain("peak: FMA limit of each row's own path")
            .And.Contain($"dgemm: OpenBLAS dgemm ({core} kernels, {openBlas}) at n = 131"));
    }

    [Test]
    public void EnvShowsThePathEveryPartRuns()
    {
        Isa path = ExpectedPaths.OfThisCpu().Last();
        var (code, stdout, stderr) = Cli.Run("env", "--isa", IsaNames.Name(path));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain($"isa_managed").And.Contain("isa_native").And.Contain("isa_openblas").And.Contain("isa_cpu_paths"));
        Assert.That(stdout.Split('\n').Single(l => l.StartsWith("isa_native", StringComparison.Ordinal)), Does.EndWith(IsaNames.Name(path)));
        Assert.That(stdout.Split('\n').Single(l => l.StartsWith("isa_requested", StringComparison.Ordinal)), Does.Contain($"{IsaNames.Name(path)} (from --isa)"));
    }

    [Test]
    public void CompareAllPathsMeasuresEveryBackendOnEveryPathOnce()
    {
        string output = Path.Combine(dir, "all");
        // Every workload's size given: a calibrated array order (thousands) on every path would take minutes.
        var (code, stdout, stderr) = Cli.Run("compare", "--isa", "all", "--darts", "200003", "--size", "70", "--class", "S", "--array-size", "300", "--repeat", "1", "--threads", "1", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        string[] paths = [.. ExpectedPaths.OfThisCpu().Select(IsaNames.Name)];
        foreach (string backend in new[] { "managed-parallel", "c-openmp", "fortran-openmp" })
        {
            foreach (string workload in new[] { "pi", "inv", "ep", "array" })
            {
                Assert.That(points.Where(p => p.GetProperty("backend").GetString() == backend && p.GetProperty("workload").GetString() == workload)
                    .Select(p => p.GetProperty("isa").GetString()), Is.EquivalentTo(paths), $"{workload} {backend}");
            }
        }

        // Backends whose path does not change with the switch are measured once.
        Assert.That(points.Count(p => p.GetProperty("backend").GetString() == "managed-serial" && p.GetProperty("workload").GetString() == "pi"), Is.EqualTo(1));
        Assert.That(points.Count(p => p.GetProperty("backend").GetString() == "lapack"), Is.EqualTo(1));
        Assert.That(points.All(p => p.GetProperty("verified").GetBoolean()), Is.True);
        Assert.That(points.Where(p => p.GetProperty("workload").GetString() == "pi").Select(p => p.GetProperty("check").GetString()).Distinct().Count(), Is.EqualTo(1));
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("isa").EnumerateArray().Select(i => i.GetString()), Is.EqualTo(paths));
        // Tables name the path of each section when there are several (a CPU, or a class under the test cap, with one path has one).
        Assert.That(stdout.Contains($"[{paths[0]}]", StringComparison.Ordinal), Is.EqualTo(paths.Length > 1), stdout);
    }

    [Test]
    public void CompareCalibratesItsSizesToTheBudgetAndGivesTheSerialBaselineFewerDarts()
    {
        string output = Path.Combine(dir, "calibrated");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--budget", "2", "--workload", "pi", "--threads", "1", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Sizes: calibrated on this CPU"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        JsonElement parameters = doc.RootElement.GetProperty("parameters");
        long darts = parameters.GetProperty("darts").GetInt64();
        long serial = parameters.GetProperty("darts_serial_baseline").GetInt64();
        Assert.That(darts, Is.GreaterThanOrEqualTo(1_000_000));
        Assert.That(serial, Is.LessThan(darts), "the serial loop is several times slower than the SIMD kernels");
        JsonElement baseline = doc.RootElement.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("backend").GetString() == "managed-serial");
        Assert.That(baseline.GetProperty("darts").GetInt64(), Is.EqualTo(serial));
        Assert.That(baseline.GetProperty("verified").GetBoolean(), Is.True);
        Assert.That(baseline.GetProperty("check").GetString(), Does.Contain("(= managed-parallel)"), "recounted by another backend");
        // Each timed point lasts at least the quick budget's minimum (the fastest rate times 0.05 s).
        foreach (JsonElement p in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(p.GetProperty("seconds_median").GetDouble(), Is.GreaterThan(0.02), p.GetProperty("backend").GetString());
        }
    }
}
