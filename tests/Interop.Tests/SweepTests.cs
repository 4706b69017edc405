using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interop.Backends;
using Interop.Cli;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Sweep;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop sweep`: the least-squares fit and its interval on data whose answer is known, the darts
/// grid, the same counts in one process and under `mpiexec -n 1, 2, 3` (every task run exactly once),
/// the CSV and JSON shapes, the chart (written, and not written when a check fails), and bad input.
/// </summary>
[NonParallelizable]
public sealed class SweepTests : TempFolderTest
{
    // Small enough for a few seconds on 2 cores, large enough for several tasks per rank.
    private static readonly string[] Small = ["sweep", "--darts", "1e3..1e5", "--seeds", "5", "--backend", "c-openmp", "--threads", "1"];

    [Test]
    public void TheFitRecoversAnExactSlopeOfMinusOneHalf()
    {
        double[] x = [3, 3.5, 4, 4.5, 5, 6];
        ConvergenceFit fit = ConvergenceFit.Of(x, [.. x.Select(v => Math.Log10(1.64 * Math.Pow(Math.Pow(10, v), -0.5)))])!;
        Assert.That(fit.Slope, Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(fit.Intercept, Is.EqualTo(Math.Log10(1.64)).Within(1e-12));
        Assert.That(fit.SlopeUpper!.Value - fit.SlopeLower!.Value, Is.LessThan(1e-9), "points on the line: no residual, no width");
        Assert.That(fit.ContainsPredicted, Is.True);
    }

    [Test]
    public void TheIntervalIsStudentsTWithKMinusTwoDegreesOfFreedom()
    {
        // By hand: mean x 1.5, Sxx 5, Sxy -2.6, slope -0.52, intercept 0.03; residuals -0.03, 0.09, -0.09, 0.03
        // (sum of squares 0.018, s^2 = 0.009 over 2 degrees of freedom), SE = sqrt(0.009 / 5); t(0.975, 2) = 4.302653.
        ConvergenceFit fit = ConvergenceFit.Of([0, 1, 2, 3], [0, -0.4, -1.1, -1.5])!;
        double half = 4.302653 * Math.Sqrt(0.009 / 5);
        Assert.That(fit.Slope, Is.EqualTo(-0.52).Within(1e-12));
        Assert.That(fit.Intercept, Is.EqualTo(0.03).Within(1e-12));
        Assert.That(fit.SlopeLower, Is.EqualTo(-0.52 - half).Within(1e-5));
        Assert.That(fit.SlopeUpper, Is.EqualTo(-0.52 + half).Within(1e-5));
        Assert.That(fit.ContainsPredicted, Is.True);
        Assert.That(ConvergenceFit.StudentQuantile(1), Is.EqualTo(12.7062).Within(1e-4));
        Assert.That(ConvergenceFit.StudentQuantile(10), Is.EqualTo(2.2281).Within(1e-4));

        ConvergenceFit steep = ConvergenceFit.Of([0, 1, 2, 3], [0, -0.9, -2.1, -3])!;
        Assert.That(steep.ContainsPredicted, Is.False, "a slope of about -1 with a narrow interval excludes -0.5");
    }

    [Test]
    public void TwoPointsGiveASlopeWithoutAnIntervalAndOneGivesNoFit()
    {
        ConvergenceFit two = ConvergenceFit.Of([3, 5], [-1, -2])!;
        Assert.That((two.Slope, two.SlopeLower, two.SlopeUpper, two.ContainsPredicted), Is.EqualTo((-0.5, (double?)null, (double?)null, (bool?)null)));
        Assert.That(ConvergenceFit.Of([3], [-1]), Is.Null);
        Assert.That(ConvergenceFit.Of([3, 3], [-1, -2]), Is.Null, "one darts count twice has no slope");
    }

    [Test]
    public void TheGridCutsARangePerDecadeAndKeepsItsEnds()
    {
        Assert.That(SweepGrid.Parse("1e3..1e5", 2), Is.EqualTo(new long[] { 1000, 3162, 10000, 31623, 100000 }));
        Assert.That(SweepGrid.Parse("1e3..5e4", 1), Is.EqualTo(new long[] { 1000, 10000, 50000 }), "TO is included");
        Assert.That(SweepGrid.Parse("7..7", 3), Is.EqualTo(new long[] { 7 }));
        Assert.That(SweepGrid.Parse("500, 1e3,500", 2), Is.EqualTo(new long[] { 500, 1000 }), "a list, sorted, each once");
        Assert.That(SweepTask.All([10, 30, 20], 5, 2), Is.EqualTo(new SweepTask[] { new(5, 30), new(6, 30), new(5, 20), new(6, 20), new(5, 10), new(6, 10) }), "largest first");
    }

    [Test]
    public void RanksAndOneProcessCountTheSameAndEveryTaskRunsOnce()
    {
        var (code, stdout, stderr) = Cli.Run([.. Small, "--json"]);
        Assert.That(code, Is.Zero, stderr);
        string expected = Counts(stdout, out _);
        foreach (int ranks in new[] { 1, 2, 3 })
        {
            var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, .. Small, "--json"]);
            Assert.That(run.Code, Is.Zero, run.Err);
            Assert.That(Counts(run.Out, out JsonElement work), Is.EqualTo(expected), $"{ranks} rank(s): the same tasks, counts, summary and fit");
            Assert.That(work.GetArrayLength(), Is.EqualTo(ranks));
            Assert.That(work.EnumerateArray().Sum(r => r.GetProperty("tasks").GetInt64()), Is.EqualTo(5 * 5), "each of the 25 tasks once");
        }
    }

    // The parts of a sweep document that must not depend on the ranks: the tasks with their counts, the rows and the fit.
    private static string Counts(string json, out JsonElement rankWork)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        rankWork = root.GetProperty("rank_work").Clone();
        return string.Join("\n", root.GetProperty("tasks").GetRawText(), root.GetProperty("by_darts").GetRawText(), root.GetProperty("fit").GetRawText());
    }

    [Test]
    public void TheJsonDocumentHoldsProvenanceTheRowsTheFitAndEveryTask()
    {
        var (code, stdout, stderr) = Cli.Run([.. Small, "--format", "json"]);
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("sweep"));
        Assert.That(root.GetProperty("provenance").GetProperty("run_id").GetString(), Is.Not.Empty);
        Assert.That(root.GetProperty("environment").GetProperty("cpu_model").GetString(), Is.Not.Empty);
        Assert.That((root.GetProperty("backend").GetString(), root.GetProperty("seeds").GetInt32(), root.GetProperty("seed_first").GetUInt64()), Is.EqualTo(("c-openmp", 5, 42UL)));
        Assert.That(root.GetProperty("verified").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("check").GetString(), Does.Contain("25 task(s) of at most 1,000,000 darts recounted by managed-serial: all equal"));
        JsonElement[] rows = [.. root.GetProperty("by_darts").EnumerateArray()];
        Assert.That(rows.Select(r => r.GetProperty("darts").GetInt64()), Is.EqualTo(new long[] { 1000, 3162, 10000, 31623, 100000 }));
        JsonElement[] tasks = [.. root.GetProperty("tasks").EnumerateArray()];
        Assert.That(tasks, Has.Length.EqualTo(25));
        Assert.That(tasks[0].GetProperty("darts").GetInt64(), Is.EqualTo(100000), "in task order: largest first");
        // Each row from its tasks: the mean estimate and the RMS error against π.
        foreach (JsonElement row in rows)
        {
            long n = row.GetProperty("darts").GetInt64();
            double[] errors = [.. tasks.Where(t => t.GetProperty("darts").GetInt64() == n).Select(t => 4.0 * t.GetProperty("inside").GetInt64() / n - Math.PI)];
            Assert.That(row.GetProperty("seeds").GetInt32(), Is.EqualTo(5));
            Assert.That(row.GetProperty("rms_error").GetDouble(), Is.EqualTo(Math.Sqrt(errors.Average(e => e * e))).Within(1e-15));
            Assert.That(row.GetProperty("theory_sd").GetDouble(), Is.EqualTo(Math.Sqrt(Math.PI * (4 - Math.PI) / n)).Within(1e-15));
        }

        // docs/result-schema.md's section names every top-level field (first column, in backticks) and no other.
        string page = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "result-schema.md"));
        string section = page[page.IndexOf("## The sweep document", StringComparison.Ordinal)..];
        string[] documented =
        [
            .. Regex.Matches(section, @"^\| (`[^|]+) \|", RegexOptions.Multiline)
                .SelectMany(row => Regex.Matches(row.Groups[1].Value, @"`([a-z_]+)(\[\])?`").Select(name => name.Groups[1].Value)),
        ];
        Assert.That(documented, Is.EquivalentTo(root.EnumerateObject().Select(p => p.Name)));

        JsonElement fit = root.GetProperty("fit");
        Assert.That(fit.GetProperty("points").GetInt32(), Is.EqualTo(5));
        Assert.That(fit.GetProperty("slope_ci_lower").GetDouble(), Is.LessThan(fit.GetProperty("slope").GetDouble()));
        Assert.That(fit.GetProperty("slope_ci_upper").GetDouble(), Is.GreaterThan(fit.GetProperty("slope").GetDouble()));
        Assert.That(fit.GetProperty("predicted_slope").GetDouble(), Is.EqualTo(-0.5));
    }

    [Test]
    public void TheCsvHasOneRowPerTaskDartsAscendingThenSeed()
    {
        var (code, stdout, stderr) = Cli.Run([.. Small, "--format", "csv", "--seed", "7"]);
        Assert.That(code, Is.Zero, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("seed,darts,inside,estimate,error"));
        Assert.That(lines, Has.Length.EqualTo(1 + 25));
        string[][] cells = [.. lines.Skip(1).Select(l => l.Split(','))];
        Assert.That(cells.Select(c => (long.Parse(c[1], CultureInfo.InvariantCulture), ulong.Parse(c[0], CultureInfo.InvariantCulture))),
            Is.Ordered.By("Item1").Then.By("Item2"));
        Assert.That(cells.Select(c => c[0]).Distinct(), Is.EquivalentTo(new[] { "7", "8", "9", "10", "11" }));
        foreach (string[] c in cells)
        {
            double estimate = 4.0 * long.Parse(c[2], CultureInfo.InvariantCulture) / long.Parse(c[1], CultureInfo.InvariantCulture);
            Assert.That(double.Parse(c[3], CultureInfo.InvariantCulture), Is.EqualTo(estimate));
            Assert.That(double.Parse(c[4], CultureInfo.InvariantCulture), Is.EqualTo(estimate - Math.PI));
        }
    }

    [Test]
    public void TheTableSaysTheFitTheWorkAndTheCheckAndTheChartIsWritten()
    {
        string chart = Path.Combine(Folder, "sweep.svg");
        var (code, stdout, stderr) = Cli.Run([.. Small, "--chart", chart]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("5 seed(s) 42..46 x 5 darts count(s) 1,000..100,000: 25 tasks"));
        Assert.That(stdout, Does.Match(@"fit: log10\(RMS error\) on log10\(darts\) over 5 darts counts: slope -?\d\.\d{3} \(95% CI -?\d\.\d{3} to -?\d\.\d{3}\); 1/√N predicts -0.5: (inside|outside) the CI"));
        Assert.That(stdout, Does.Contain("work: rank 0 ran 25 tasks"));
        Assert.That(stdout, Does.Contain("check: each of 25 tasks ran exactly once (rank 0: 25)"));
        Assert.That(File.ReadAllText(chart), Does.Contain("<svg").And.Contain("Monte Carlo pi convergence: c-openmp, 1 rank(s) x 1 thread(s), 5 seeds"));
    }

    // A backend whose counts are wrong in a way the check must see: outside [0, N], or one dart off the reference.
    [TestCase(MiscountingBackend.Fault.AboveDarts, "for task (seed 42, 10,000 darts), outside [0, 10000]")]
    [TestCase(MiscountingBackend.Fault.OneOff, "managed-serial")]
    public void AFailedCheckIsExitOneWithOneLineAndNoChart(MiscountingBackend.Fault fault, string message)
    {
        string chart = Path.Combine(Folder, "sweep.png");
        IReadOnlyList<IPiBackend> pi = BackendCatalog.All<IPiBackend>();
        var options = new SweepOptions([1000, 10000], 42, 3, new MiscountingBackend(fault, pi.Single(b => b.Name == "managed-serial")),
            pi.Single(b => b.Name == "managed-serial"), 1, SweepFormat.Table, chart, Mpi: false, DryRun: null);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var job = new SingleProcessJob();
        int code = SweepCommand.Execute(job, options, stdout, stderr);
        Assert.That(code, Is.EqualTo(1));
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stderr.ToString());
        Assert.That(lines[0], Does.StartWith("interop: error: miscounting counted").And.Contain(message));
        Assert.That(stdout.ToString(), Is.Empty);
        Assert.That(File.Exists(chart), Is.False);
    }

    // A task back twice or never is the task queue's to refuse (TaskQueueTests); the check still
    // requires the ranks' tallies to add up to the tasks.
    [Test]
    public void TasksTheRanksDidNotAllRunFailTheCheck()
    {
        IReadOnlyList<IPiBackend> pi = BackendCatalog.All<IPiBackend>();
        IPiBackend serial = pi.Single(b => b.Name == "managed-serial");
        var options = new SweepOptions([100], 1, 2, serial, serial, 1, SweepFormat.Table, null, Mpi: false, DryRun: null);
        long[] inside = [serial.CountInside(1, new IndexRange(0, 100), 1), serial.CountInside(2, new IndexRange(0, 100), 1)];
        (Verdict verdict, _) = SweepCheck.Verify(new SweepRun(options, inside, [new RankWork(0, 1, 0), new RankWork(1, 0, 0)], 0, "test"));
        Assert.That(verdict.Failure, Does.Contain("the ranks ran 1 tasks between them, not the sweep's 2"));
        (verdict, _) = SweepCheck.Verify(new SweepRun(options, inside, [new RankWork(0, 2, 0), new RankWork(1, 1, 0)], 0, "test"));
        Assert.That(verdict.Failure, Does.Contain("the ranks ran 3 tasks between them, not the sweep's 2"));
        (verdict, _) = SweepCheck.Verify(new SweepRun(options, inside, [new RankWork(0, 1, 0), new RankWork(1, 1, 0)], 0, "test"));
        Assert.That(verdict.Passed, Is.True);
    }

    [TestCase("--seeds", "0", "--seeds 0 is out of range")]
    [TestCase("--seeds", "10001", "--seeds 10001 is out of range")]
    [TestCase("--darts", "0..10", "--darts FROM 0 is out of range")]
    [TestCase("--darts", "1e6..1e3", "--darts 1e6..1e3 is reversed")]
    [TestCase("--darts", "1e3..", "--darts TO '' is not a whole number")]
    [TestCase("--darts", "1e3..1e5,1e7", "--darts is a range FROM..TO or a list N1,N2,...; not both")]
    [TestCase("--darts", "1,,2", "--darts '1,,2' has an empty count")]
    [TestCase("--darts", "1..1e18", "--darts 1..1000000000000000000 at 100 per decade gives 1801 darts counts; at most 1000")]
    [TestCase("--per-decade", "0", "--per-decade 0 is out of range")]
    [TestCase("--backend", "lapack", "unknown backend 'lapack' for this workload")]
    [TestCase("--backend", "nope", "unknown backend 'nope' for this workload")]
    [TestCase("--backend", "all", "sweep runs one backend, not 'all'")]
    [TestCase("--backend", "c-openmp,managed-serial", "sweep runs one backend, not 'c-openmp,managed-serial'")]
    [TestCase("--chart", "x.pdf", "--chart x.pdf: the chart is drawn as .svg or .png")]
    [TestCase("--chart", "/nonexistent-folder/x.svg", "--chart /nonexistent-folder/x.svg: folder /nonexistent-folder does not exist")]
    [TestCase("--format", "md", "--format must be one of table, csv, json, not 'md'")]
    [TestCase("--seed", "18446744073709551615", "--seed 18446744073709551615 with --seeds 16 runs past the last seed")]
    [TestCase("--threads", "0", "--threads 0 is out of range")]
    public void BadInputIsOneLineAndExitTwo(string option, string value, string message)
    {
        string[] perDecade = option == "--darts" && value == "1..1e18" ? ["--per-decade", "100"] : [];
        string chart = Path.Combine(Folder, "never.svg");
        string[] chartOption = option == "--chart" ? [] : ["--chart", chart];
        var (code, stdout, stderr) = Cli.Run(["sweep", option, value, .. perDecade, .. chartOption]);
        Assert.That(code, Is.EqualTo(2), stderr);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stderr);
        Assert.That(lines[0], Does.StartWith("interop: " + message));
        Assert.That(stdout, Is.Empty);
        Assert.That(File.Exists(chart), Is.False);
    }

    [Test]
    public void ADryRunSaysWhatWouldRunAndRunsNothing()
    {
        var (code, stdout, stderr) = Cli.Run(["sweep", "--darts", "10,100", "--seeds", "3", "--backend", "managed-parallel", "--threads", "2", "--dry-run", "--ranks", "4"]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo(
            "interop: dry run: would run sweep: 6 pi tasks (3 seed(s) 42..44 x 2 darts count(s) 10..100) on managed-parallel; 4 rank(s) x 2 thread(s); " +
            "tasks of at most 1,000,000 darts recounted by managed-serial; nothing was run"));
    }
}

/// <summary>A pi backend whose counts are wrong on purpose, for the sweep's checks: the reference's count, made wrong.</summary>
public sealed class MiscountingBackend : IPiBackend
{
    private readonly Fault fault;
    private readonly IPiBackend reference;

    internal MiscountingBackend(Fault fault, IPiBackend reference) => (this.fault, this.reference) = (fault, reference);

    public enum Fault
    {
        /// <summary>More darts inside than were thrown.</summary>
        AboveDarts,

        /// <summary>One dart more than the reference counts: in range, but wrong.</summary>
        OneOff,
    }

    public string Name => "miscounting";

    public string Description => "counts wrong on purpose";

    public string Language => "C#";

    public int Order => 999;

    public bool IsParallel => false;

    public Isa PiIsa => Isa.Scalar;

    public void EnsureAvailable()
    {
    }

    public long CountInside(ulong seed, IndexRange darts, int threads) =>
        fault == Fault.AboveDarts ? darts.Length + 1 : reference.CountInside(seed, darts, threads) + 1;
}
