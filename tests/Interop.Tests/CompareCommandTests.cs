using System.Text.Json;
using Interop.Cli;
using Interop.Core;

namespace Interop.Tests;

/// <summary>`interop compare`, `interop env` and `--trace` end to end, on small sizes.</summary>
public sealed class CompareCommandTests : TempFolderTest
{
    private static string[] Small(string output, params string[] extra) =>
        ["compare", "--quick", "--darts", "1000003", "--size", "96", "--repeat", "1", .. extra.Contains("--threads") ? [] : new[] { "--threads", "1,2" }, "--out-dir", output, .. extra];

    [Test]
    public void ASmallCompareWritesEveryFileAndVerifiesEveryPoint()
    {
        string output = Path.Combine(Folder, "run");
        var (code, stdout, stderr) = Cli.Run(Small(output));
        Assert.That(code, Is.Zero, stderr);
        foreach (string file in new[] { "results.json", "results.csv", "report.md", "pi-throughput.svg", "pi-throughput.png", "pi-speedup.svg", "pi-speedup.png", "inv-throughput.svg", "inv-throughput.png", "inv-speedup.svg", "inv-speedup.png" })
        {
            Assert.That(new FileInfo(Path.Combine(output, file)).Length, Is.GreaterThan(0), file);
        }

        Assert.That(stdout, Does.Contain("Monte Carlo pi").And.Contain("Matrix inversion").And.Contain("Summary:"));
        Assert.That(stdout, Does.Not.Contain("FAILED"));
        Assert.That(stderr, Does.Contain("progress: [1/"));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        JsonElement points = doc.RootElement.GetProperty("points");
        // Every backend at 1 and 2 threads, the serial ones once (for pi and inv: any other workload registered has its own).
        int Of(string workload) => points.EnumerateArray().Count(p => p.GetProperty("workload").GetString() == workload);
        Assert.That(Of("pi"), Is.EqualTo(Catalog.Points<IPiBackend>(2)));
        Assert.That(Of("inv"), Is.EqualTo(Catalog.Points<IInvBackend>(2)));
        Assert.That(points.EnumerateArray().All(p => p.GetProperty("verified").GetBoolean()), Is.True);
        Assert.That(points.EnumerateArray().Where(p => p.GetProperty("workload").GetString() == "pi").Select(p => p.GetProperty("check").GetString()).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void ACompareWithNothingToMeasureIsAUsageErrorSayingWhyAndWritesNothing()
    {
        // Issue 20, class 6: no backend of the list runs the workload (lapack inverts only). It exited 0.
        string output = Path.Combine(Folder, "nothing");
        var (code, stdout, stderr) = Cli.Run("compare", "--workload", "pi", "--backend", "lapack", "--darts", "1000", "--out-dir", output);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("nothing to measure").And.Contain("lapack").And.Contain("pi"));
        Assert.That(Directory.Exists(output), Is.False, "nothing written");
        Assert.That(stdout, Is.Empty);

        // The same backend on the workload it runs measures as before.
        (code, _, stderr) = Cli.Run("compare", "--workload", "inv", "--backend", "lapack", "--size", "20", "--repeat", "1", "--threads", "1", "--out-dir", Path.Combine(Folder, "something"));
        Assert.That(code, Is.Zero, stderr);
    }

    [Test]
    public void CompareMatchesBackendNamesWhateverTheirCaseAsPiDoesAndSharesItsDefaultSeed()
    {
        // Issue 21: compare's --backend was matched case-sensitively ("unknown backend 'Managed-Serial'")
        // where pi's and inv's are not, and its default seed was a literal of its own.
        var (code, stdout, stderr) = Cli.Run("compare", "--workload", "pi", "--backend", "Managed-Serial,MANAGED-PARALLEL", "--dry-run");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("backends managed-serial,managed-parallel;").And.Contain($"seed {SharedOptions.DefaultSeed};"));
        (code, _, stderr) = Cli.Run("pi", "--backend", "Managed-Serial", "--dry-run");
        Assert.That(code, Is.Zero, stderr);
    }

    [Test]
    public void TheConsoleTableMatchesResultsJson()
    {
        string output = Path.Combine(Folder, "match");
        var (code, stdout, stderr) = Cli.Run(Small(output, "--workload", "pi"));
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        foreach (JsonElement p in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            string median = Units.Seconds(p.GetProperty("seconds_median").GetDouble());
            string row = $"{p.GetProperty("backend").GetString()}  ";
            Assert.That(stdout.Split('\n').Any(l => l.StartsWith(row, StringComparison.Ordinal) && l.Contains($"1x{p.GetProperty("threads").GetInt32()}") && l.Contains(median)),
                Is.True, $"{row} {median}");
        }
    }

    [Test]
    public void ABaselineOfAnIdenticalRunFlagsNothingSerious()
    {
        string first = Path.Combine(Folder, "first");
        Assert.That(Cli.Run(Small(first, "--workload", "pi")).Code, Is.Zero);
        var (code, stdout, stderr) = Cli.Run(Small(Path.Combine(Folder, "second"), "--workload", "pi", "--baseline", Path.Combine(first, "results.json")));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("baseline"));
    }

    [Test]
    public void ABaselineWithOtherDartsIsRefusedBeforeAnyComputingNamingTheDifference()
    {
        string first = Path.Combine(Folder, "first");
        Assert.That(Cli.Run(Small(first, "--workload", "pi", "--threads", "1")).Code, Is.Zero);
        string second = Path.Combine(Folder, "second");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "2000003", "--threads", "1", "--out-dir", second, "--baseline", Path.Combine(first, "results.json"));
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("baseline has darts = 1000003, this run darts = 2000003"));
        Assert.That(stderr, Does.Not.Contain("progress"));
        Assert.That(Directory.Exists(second), Is.False, "nothing computed, nothing written");
    }

    [Test]
    public void ABaselineGivesItsSizesAndSeedAndPointsOnOneSideAreListedNotCompared()
    {
        string first = Path.Combine(Folder, "first");
        Assert.That(Cli.Run(Small(first, "--workload", "pi", "--seed", "7")).Code, Is.Zero);
        string second = Path.Combine(Folder, "second");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--repeat", "1", "--threads", "1", "--out-dir", second, "--baseline", Path.Combine(first, "results.json"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Sizes: darts, seed from the baseline"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(second, "results.json")));
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("darts").GetInt64(), Is.EqualTo(1000003));
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("seed").GetUInt64(), Is.EqualTo(7));
        Assert.That(stdout, Does.Contain("only in the baseline, not compared: pi managed-parallel 1x2"));
        Assert.That(stdout, Does.Contain($"of {Catalog.PiNames.Length} common point(s)"));
        Assert.That(stdout, Does.Not.Contain("only in this run"));
    }

    [Test]
    public void AMissingBaselineIsAUsageError()
    {
        var (code, _, stderr) = Cli.Run(Small(Path.Combine(Folder, "x"), "--baseline", Path.Combine(Folder, "none.json")));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [TestCase("--workload", "gpu")]
    [TestCase("--threads", "0")]
    [TestCase("--backend", "cuda")]
    [TestCase("--size", "0")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        var (code, _, stderr) = Cli.Run("compare", option, value, "--out-dir", Path.Combine(Folder, "bad"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
    }

    [TestCase("pi", "--darts", "1000003", "--threads", "2")]
    [TestCase("inv", "--size", "80", "--threads", "2")]
    public void TraceFilesAreTraceEventJsonWithSpansOnEveryThread(params string[] args)
    {
        string trace = Path.Combine(Folder, "trace.json");
        var (code, _, stderr) = Cli.Run([.. args, "--repeat", "1", "--backend", "managed-parallel", "--trace", trace]);
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(trace));
        JsonElement[] events = [.. doc.RootElement.GetProperty("traceEvents").EnumerateArray()];
        JsonElement[] spans = [.. events.Where(e => e.GetProperty("ph").GetString() == "X")];
        Assert.That(spans, Is.Not.Empty);
        foreach (JsonElement e in spans)
        {
            Assert.That(e.GetProperty("ts").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(e.GetProperty("dur").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(e.GetProperty("pid").GetInt32(), Is.Zero);
        }

        // Both threads of the team have spans, and each thread track is named.
        int[] tids = [.. spans.Select(e => e.GetProperty("tid").GetInt32()).Distinct().Order()];
        Assert.That(tids, Is.SupersetOf(new[] { 0, 1 }));
        Assert.That(events.Count(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name"), Is.EqualTo(tids.Length));
        string[] names = [.. spans.Select(e => e.GetProperty("name").GetString()!)];
        Assert.That(names, Does.Contain(args[0] == "pi" ? "reduce" : "verify"));
        if (args[0] == "inv")
        {
            Assert.That(names, Does.Contain("generate").And.Contain("generate chunk"));
        }
    }

    [Test]
    public void EnvPrintsTheEnvironmentBlock()
    {
        var (code, stdout, stderr) = Cli.Run("env");
        Assert.That(code, Is.Zero, stderr);
        foreach (string key in new[] { "cpu_model", "cpus_usable", "memory_total_bytes", "dotnet", "vector512_hardware_accelerated", "native_build_c_compiler", "native_build_fortran_compiler", "openblas", "variables:" })
        {
            Assert.That(stdout, Does.Contain(key));
        }

        Assert.That(Cli.Run("env", "--threads", "2").Out, Does.Contain("OpenMP thread 0/2").And.Contain("OpenMP thread 1/2"));

        var json = Cli.Run("env", "--json");
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.That(doc.RootElement.GetProperty("environment").GetProperty("cpus_usable").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(doc.RootElement.GetProperty("provenance").GetProperty("git_commit").GetString(), Is.EqualTo(Interop.Cli.Schema.BuildInfo.Commit));
    }

    [Test]
    public void EnvWarnsAboutSettingsThatFightEachOther()
    {
        string?[] saved = [Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS"), Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK")];
        try
        {
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "2");
            Environment.SetEnvironmentVariable("OPENBLAS_NUM_THREADS", "64");
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", (Environment.ProcessorCount + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var (code, _, stderr) = Cli.Run("env");
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stderr, Does.Contain("OPENBLAS_NUM_THREADS=1").And.Contain("SLURM_CPUS_PER_TASK=").And.Contain("disagree"));

            Environment.SetEnvironmentVariable("OPENBLAS_NUM_THREADS", "1");
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", null);
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "1");
            Assert.That(Cli.Run("env").Err, Does.Not.Contain("warning"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", saved[0]);
            Environment.SetEnvironmentVariable("OPENBLAS_NUM_THREADS", saved[1]);
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", saved[2]);
        }
    }
}
