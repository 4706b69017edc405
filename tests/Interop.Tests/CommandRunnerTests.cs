using System.CommandLine;
using Interop.Cli;
using Interop.Cli.Commands;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Cli.Schema;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// The command layer: one runner for pi, inv and compare (job, checks before running, exit codes,
/// output formats), verdicts decided apart from the writers, and a workload or format added as one
/// class without touching the runner.
/// </summary>
public class CommandRunnerTests
{
    [Test]
    public void AWorkloadIsOneClassTheRunnerDrives()
    {
        using var run = new FakeRun(Verdict.Ok);
        var (code, stdout, stderr) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.Success), stderr);
        Assert.That(stdout, Is.EqualTo("fake table\n"));
        Assert.That(run.Calls, Is.EqualTo(new[] { "check", "begin", "measure", "commit" }));
    }

    [Test]
    public void AFailedVerdictIsExitOneWithOneLineAndNothingCommitted()
    {
        using var run = new FakeRun(Verdict.Failed("the fake count was off by one"));
        var (code, stdout, stderr) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.Failure));
        Assert.That(stdout, Is.EqualTo("fake table\n"), "the report is still written, saying what failed");
        Assert.That(stderr, Is.EqualTo("interop: error: the fake count was off by one\n"));
        Assert.That(run.Calls, Does.Not.Contain("commit"));
    }

    [Test]
    public void AProblemFoundBeforeRunningIsAUsageErrorAndNothingRuns()
    {
        using var run = new FakeRun(Verdict.Ok) { Problem = "--fake: no such folder" };
        var stderr = new StringWriter();
        int code = Driver.Guard(stderr, () => CommandRunner.Run(run, new StringWriter(), stderr));
        Assert.That(code, Is.EqualTo(Driver.UsageError));
        Assert.That(stderr.ToString(), Is.EqualTo("interop: --fake: no such folder\n"));
        Assert.That(run.Calls, Is.EqualTo(new[] { "check" }));
    }

    [Test]
    public void ADryRunChecksAndPlansButNeverMeasures()
    {
        using var run = new FakeRun(Verdict.Ok) { DryRun = new DryRun(16) };
        var (code, stdout, stderr) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.Success), stderr);
        Assert.That(stdout, Is.EqualTo("interop: dry run: would run fake on 16 rank(s); nothing was run\n"));
        Assert.That(run.Calls, Is.EqualTo(new[] { "check", "begin", "plan" }));
    }

    [Test]
    public void ADryRunThatCannotRunIsTheRunsUsageError()
    {
        using var run = new FakeRun(Verdict.Ok) { DryRun = new DryRun(3), PlanProblem = "--grid 2x2 needs 4 ranks" };
        var (code, stdout, stderr) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.UsageError));
        Assert.That(stderr, Is.EqualTo("interop: --grid 2x2 needs 4 ranks\n"));
        Assert.That(stdout, Is.Empty);
        Assert.That(run.Calls, Does.Not.Contain("measure"));
    }

    [Test]
    public void AFailureWhileMeasuringIsExitOneWithOneLine()
    {
        using var run = new FakeRun(Verdict.Ok) { Throw = new InvalidOperationException("the fake kernel broke") };
        var (code, _, stderr) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.Failure));
        Assert.That(stderr, Is.EqualTo("interop: error: the fake kernel broke\n"));
    }

    [TestCase("table", "fake table\n")]
    [TestCase("json", "{")]
    [TestCase("csv", ResultCsv.Header)]
    public void EveryFormatWritesTheSameReport(string format, string start)
    {
        using var run = new FakeRun(Verdict.Ok) { Format = ResultFormats.Named(format) };
        var (code, stdout, _) = Capture(run);
        Assert.That(code, Is.EqualTo(Driver.Success));
        Assert.That(stdout, Does.StartWith(start));
    }

    [Test]
    public void FormatsAreListedTableFirst()
    {
        Assert.That(ResultFormats.All.Select(f => f.Name), Is.EqualTo(new[] { "table", "csv", "json", "md" }));
        Assert.That(ResultFormats.Choose(null, json: true).Name, Is.EqualTo("json"));
        Assert.That(ResultFormats.Choose("JSON", json: true).Name, Is.EqualTo("json"));
        Assert.That(() => ResultFormats.Choose("csv", json: true), Throws.TypeOf<UsageException>().With.Message.Contains("--json is short for --format json"));
        Assert.That(() => ResultFormats.Named("xml"), Throws.TypeOf<UsageException>().With.Message.EqualTo("--format must be one of table, csv, json, md, not 'xml'"));
    }

    [Test]
    public void EveryFormatClassIsListed()
    {
        Type[] classes = [.. typeof(ResultFormats).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IResultFormat).IsAssignableFrom(t))];
        Assert.That(ResultFormats.All.Select(f => f.GetType()), Is.EquivalentTo(classes), "a format class missing from ResultFormats.All is offered by no command");
    }

    [Test]
    public void PiVerdictNamesEveryCountWhenTheyDisagree()
    {
        PiResult Result(string backend, long inside) => new(backend, 1, 1, 1000, 42, inside, [0.1], [0.1], 0, Isa.Scalar);
        Assert.That(PiRun.Verify([Result("a", 784), Result("b", 784)]), Is.EqualTo(Verdict.Ok));
        Assert.That(PiRun.Verify([Result("a", 784)]).Passed, Is.True);
        Verdict bad = PiRun.Verify([Result("a", 784), Result("b", 785)]);
        Assert.That(bad.Passed, Is.False);
        Assert.That(bad.Failure, Is.EqualTo("backends disagree on the count: a=784, b=785"));
    }

    [Test]
    public void InvVerdictNamesTheFailedResidualAndTheUnwrittenOutput()
    {
        InvResult Result(string backend, double residual) => new(backend, 1, 1, 10, [0.1], residual, null, 0, Isa.Scalar, null);
        Assert.That(InvRun.Verify([Result("lapack", 0.5), Result("c-openmp", 29.9)], "X.npy"), Is.EqualTo(Verdict.Ok));
        Verdict bad = InvRun.Verify([Result("lapack", 0.5), Result("c-openmp", 31)], "X.npy");
        Assert.That(bad.Passed, Is.False);
        Assert.That(bad.Failure, Does.Contain("c-openmp residual 31").And.EndWith("; X.npy not written").And.Not.Contain("lapack"));
        Assert.That(InvRun.Verify([Result("lapack", double.NaN)], null).Passed, Is.False, "a NaN residual fails");
    }

    [Test]
    public void PiAndInvWriteCsvRowsWithTheResultsCsvColumns()
    {
        var pi = Cli.Run("pi", "--darts", "10000", "--backend", "managed-serial,managed-parallel", "--repeat", "1", "--format", "csv");
        Assert.That(pi.Code, Is.EqualTo(0), pi.Err);
        string[] lines = pi.Out.TrimEnd().Split('\n');
        Assert.That(lines[0], Is.EqualTo(ResultCsv.Header));
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[5]), Is.EqualTo(new[] { "managed-serial", "managed-parallel" }));

        var inv = Cli.Run("inv", "--size", "24", "--backend", "managed-serial", "--repeat", "1", "--format", "csv");
        Assert.That(inv.Code, Is.EqualTo(0), inv.Err);
        string[] row = inv.Out.TrimEnd().Split('\n')[1].Split(',');
        Assert.That(row[4..6], Is.EqualTo(new[] { "inv", "managed-serial" }));
        Assert.That(row[8], Is.EqualTo("24"), "n");
    }

    [Test]
    public void FormatMistakesAreUsageErrors()
    {
        var unknown = Cli.Run("pi", "--darts", "100", "--format", "xml");
        Assert.That(unknown.Code, Is.EqualTo(2));
        Assert.That(unknown.Err, Is.EqualTo("interop: --format must be one of table, csv, json, md, not 'xml'\n"));
        var both = Cli.Run("inv", "--size", "8", "--json", "--format", "table");
        Assert.That(both.Code, Is.EqualTo(2));
        Assert.That(both.Err, Does.Contain("--json is short for --format json"));
    }

    [Test]
    public void CompareWritesCsvOnStdoutAndItsTablesOnStderr()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"interop-compare-csv-{Guid.NewGuid():N}");
        try
        {
            var result = Cli.Run("compare", "--workload", "pi", "--backend", "managed-serial,managed-parallel", "--darts", "20000", "--threads", "1",
                "--repeat", "1", "--warmup", "0", "--format", "csv", "--out-dir", folder);
            Assert.That(result.Code, Is.EqualTo(0), result.Err);
            Assert.That(result.Out, Is.EqualTo(File.ReadAllText(Path.Combine(folder, "results.csv")).Replace("\r\n", "\n")), "stdout is results.csv");
            Assert.That(result.Err, Does.Contain("Summary:").And.Contain("Results: "));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static (int Code, string Out, string Err) Capture(ICommandRun run)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Driver.Guard(stderr, () => CommandRunner.Run(run, stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A workload of its own, as a new one would be written: only this class, nothing in the runner.</summary>
    private sealed class FakeRun(Verdict verdict) : ICommandRun
    {
        public List<string> Calls { get; } = [];

        public string? Problem { get; init; }

        public Exception? Throw { get; init; }

        public IReadOnlyList<IBackend> Backends => [];

        public bool Mpi => false;

        public string? Trace => null;

        public IResultFormat Format { get; init; } = ResultFormats.Named("table");

        public bool TextBesideData => false;

        public DryRun? DryRun { get; init; }

        public string? PlanProblem { get; init; }

        public string Plan(int ranks)
        {
            Calls.Add("plan");
            return PlanProblem is null ? $"fake on {ranks} rank(s)" : throw new UsageException(PlanProblem);
        }

        public string? CheckBeforeRunning(IJob job, TextWriter stderr)
        {
            Calls.Add("check");
            return Problem;
        }

        public void Begin(IJob job, TextWriter stderr) => Calls.Add("begin");

        public int ThreadsPerRank => 1;

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
        {
            Calls.Add("measure");
            return Throw is null ? new FakeReport(verdict) : throw Throw;
        }

        public void Commit() => Calls.Add("commit");

        public void Dispose()
        {
        }
    }

    private sealed class FakeReport(Verdict verdict) : IRunReport
    {
        public Verdict Verdict => verdict;

        public ResultDocument Document() =>
            Documents.OfThisProcess("fake", verdict.Passed, new RunParameters { Workloads = ["fake"], Isa = ["scalar"], Threads = [1], Job = "single process" },
                [Documents.Point(FakeWorkload.Instance, "fake-backend", Isa.Scalar, 1, 1, 100, null, 42, [0.5, 0.6], verdict.Passed, "fake")]);

        public string CheckLine => verdict.Passed ? "check: the fake passed" : $"check: FAILED, {verdict.Failure}";

        public void WriteText(TextWriter output) => output.WriteLine("fake table");
    }

    /// <summary>A workload the driver does not know: the runner and the document take it all the same.</summary>
    private sealed class FakeWorkload : IWorkload
    {
        public static FakeWorkload Instance { get; } = new();

        public string Name => "fake";

        public string Title => "Fake workload";

        public string SizeName => "darts";

        public string SizeMeaning => "number of fake darts";

        public string SizeText(string sizes) => $"{sizes} fake darts";

        public long MaxSize => long.MaxValue;

        public string WorkUnit => "fake darts";

        public string ThroughputUnit => "fake darts/s";

        public string VerificationRule => "none";

        public Command CreateCommand(TextWriter stdout, TextWriter stderr) => throw new NotSupportedException("the fake has no command of its own");

        public double WorkPerRun(long size) => size;

        public bool RunsOn(IBackend backend) => false;

        public Isa PathOf(IBackend backend) => Isa.Scalar;

        public bool OnEveryRank(IBackend backend) => false;

        // Measuring and calibrating: it runs on no backend, so compare never probes or measures it.
        public IReadOnlyList<IBackend> CatalogBackends => [];

        public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => [];

        public bool NeedsMpi(IBackend backend) => false;

        public ICompareSizeOption CreateCompareSizeOption() => throw new NotSupportedException("compare does not know the fake workload");

        public double BudgetWeight => 1;

        public ISizeCalibration Probe(IJob job, ComparePlan plan) => throw new NotSupportedException("the fake workload has no backend to probe");

        public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => throw new NotSupportedException("the fake workload has no backend to measure");

        public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => points;

        public string PlannedText(long? size) => $"fake with {size} fake darts";

        public string ChosenText(ChosenSize size) => $"fake with {size.Size} fake darts";

        public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) => [new("fake_darts", size?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }
}
