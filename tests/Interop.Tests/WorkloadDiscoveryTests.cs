using System.CommandLine;
using System.Text.Json.Nodes;
using Interop.Backends;
using Interop.Cli;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Report;
using Interop.Cli.Schema;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// A third workload that exists only in this test assembly (<see cref="StencilWorkload"/>), registered for
/// each test: compare's table and report.md, results.csv, results.json (written and read back) and
/// report's table take its size, its own fields and its columns from the class alone. Were a column list
/// written out anywhere, its headings, cells and keys would be missing and these tests fail.
/// </summary>
public sealed class WorkloadDiscoveryTests : TempFolderTest
{
    private const string Name = "stencil";

    private IDisposable? registration;

    [SetUp]
    public void RegisterTheFake() => registration = WorkloadRegistry.Register(StencilWorkload.Instance);

    [TearDown]
    public void Unregister() => registration?.Dispose();

    private static ComparePoint Pi(string backend, int threads, params double[] seconds) =>
        new("pi", backend, 1, threads, seconds, 1e9, "darts/s", true, "inside=785398") { Size = 1_000_000_000, Inside = 785398 };

    private static ComparePoint Stencil(string backend, int threads, double haloError, double sweeps, params double[] seconds) =>
        new(Name, backend, 1, threads, seconds, 4096, "cells/s", true, "halo ok")
        {
            Size = 4096,
            OwnFields = new Dictionary<string, double> { ["halo_error"] = haloError, ["sweeps"] = sweeps },
        };

    private static CompareRun Run(params ComparePoint[] points) => new(
        new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero),
        12.5,
        [new("workloads", $"pi,{Name}"), new("darts", "1000000000"), new("seed", "42"), new("isa", "auto"), new("threads", "1,2"), new("ranks", "1"), new("repeat", "3")],
        [new("cpu_model", "Test CPU"), new("cpus_usable", "2")],
        [new("OMP_NUM_THREADS", null)],
        points);

    private static CompareRun Mixed() => Run(
        Pi("managed-serial", 1, 4.0, 4.1, 4.2),
        Pi("c-openmp", 2, 0.20, 0.21, 0.22),
        Stencil("managed-serial", 1, 0.125, 7, 2.0, 2.1, 2.2),
        Stencil("c-openmp", 2, 0.25, 9, 0.5, 0.52, 0.51));

    [Test]
    public void RegisteringAddsTheWorkloadAfterTheDriversOwnAndDisposingRemovesIt()
    {
        string[] names = [.. WorkloadRegistry.All.Select(w => w.Name)];
        Assert.That(names[..2], Is.EqualTo(new[] { "pi", "inv" }), "the driver's own first");
        Assert.That(names[^1], Is.EqualTo(Name), "then the test's");
        Assert.That(WorkloadRegistry.Named(Name), Is.SameAs(StencilWorkload.Instance));
        Assert.Throws<ArgumentException>(() => WorkloadRegistry.Register(StencilWorkload.Instance), "a name is registered once");
        registration!.Dispose();
        Assert.That(WorkloadRegistry.Find(Name), Is.Null);
        Assert.That(WorkloadRegistry.All.Select(w => w.Name), Is.EqualTo(names[..^1]));
    }

    [Test]
    public void TheDriverHasTheWorkloadsCommandAfterTheDriversOwnAndRunsIt()
    {
        string[] names = [.. Driver.CommandNames];
        Assert.That(names, Has.Member(Name));
        Assert.That(Array.IndexOf(names, Name), Is.EqualTo(WorkloadRegistry.All.Count - 1), "the workloads' commands in registry order, the test's last");
        Assert.That(names.TakeLast(4), Is.EqualTo(new[] { "compare", "sweep", "report", "env" }), "then the driver's other commands");

        var (code, output, error) = Cli.Run(Name, "--cells", "512");
        Assert.That(code, Is.EqualTo(Driver.Success), error);
        Assert.That(output.Trim(), Is.EqualTo("Fake stencil: 512 cells"));
        Assert.That(Cli.Run("compare", "--help").Out, Does.Contain("--cells"), "and its size option in compare");

        registration!.Dispose();
        Assert.That(Driver.CommandNames, Has.No.Member(Name), "gone with its registration");
    }

    [Test]
    public void CompareTableHasTheWorkloadsTitleSizeAndOwnColumns()
    {
        using var output = new StringWriter();
        CompareTables.Write(output, Mixed(), ColumnChoice.Every);
        string[] lines = output.ToString().Split('\n');
        int title = Array.IndexOf(lines, "Fake stencil, cells = 4096");
        Assert.That(title, Is.GreaterThanOrEqualTo(0), output.ToString());
        string header = lines[title + 1];
        Assert.That(header, Does.Contain("cells/s/core").And.Contain("halo error").And.Contain("sweeps"), "its unit per core and its own headings");
        Assert.That(header.IndexOf("sweeps", StringComparison.Ordinal), Is.LessThan(header.IndexOf("check", StringComparison.Ordinal)), "own columns before check");
        string row = lines.Skip(title + 2).First(l => l.StartsWith("c-openmp", StringComparison.Ordinal));
        Assert.That(row, Does.Contain("0.250").And.Contain(" 9 "), "its own fields in their formats");
        Assert.That(row, Does.Contain((4096 / 0.51).ToString("0.000e0", System.Globalization.CultureInfo.InvariantCulture)), "its throughput in its format");
        string piHeader = lines[Array.IndexOf(lines, "Monte Carlo pi") + 1];
        Assert.That(piHeader, Does.Not.Contain("halo error"), "pi's table keeps its columns");
    }

    [Test]
    public void MarkdownReportHasTheWorkloadsSectionWithItsColumns()
    {
        string md = MarkdownReport.Render(Mixed(), ["A summary."], []);
        Assert.That(md, Does.Contain("## Fake stencil"));
        string header = md.Split('\n').First(l => l.StartsWith("| backend", StringComparison.Ordinal) && l.Contains("| cells |", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("| cells/s/core | speedup | efficiency | native/managed | halo error | sweeps | verified |"));
        string separator = md.Split('\n')[Array.IndexOf(md.Split('\n'), header) + 1];
        Assert.That(separator.Split('|').Length, Is.EqualTo(header.Split('|').Length), "a separator cell per column");
        Assert.That(md, Does.Contain("| 0.125 | 7 | ok halo ok |"));
    }

    [Test]
    public void ResultsCsvAppendsTheWorkloadsColumnsAfterTodaysAndPiAloneAddsNone()
    {
        string[] lines = ResultsFiles.Csv(Mixed()).TrimEnd().Split(Environment.NewLine);
        Assert.That(lines[0], Is.EqualTo(ResultCsv.Header + ",cells,halo_error,sweeps"));
        Assert.That(lines.Where(l => l.Contains($",{Name},", StringComparison.Ordinal)).Select(l => string.Join(',', l.Split(',')[^3..])), Is.EqualTo(new[] { "4096,0.125,7", "4096,0.25,9" }));
        Assert.That(lines.Where(l => l.Contains(",pi,", StringComparison.Ordinal)).Select(l => l.Split(',')[^3..]), Has.All.EqualTo(new[] { string.Empty, string.Empty, string.Empty }));
        int columns = lines[0].Split(',').Length;
        Assert.That(lines.Skip(1).Select(l => l.Split(',').Length), Has.All.EqualTo(columns));

        string piAlone = ResultsFiles.Csv(Run([.. Mixed().Points.Where(p => p.Workload == "pi")]));
        Assert.That(piAlone.Split(Environment.NewLine)[0], Is.EqualTo(ResultCsv.Header), "today's header for pi");
    }

    [Test]
    public void ResultsJsonHoldsTheWorkloadsOwnKeysAfterTheCommonOnesAndReadsThemBack()
    {
        CompareRun run = Mixed();
        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, ResultsFiles.Json(run));
        JsonArray points = JsonNode.Parse(File.ReadAllText(path))!["points"]!.AsArray();
        JsonObject pi = points[0]!.AsObject();
        JsonObject stencil = points[2]!.AsObject();
        string[] piKeys = [.. pi.Select(p => p.Key)];
        Assert.That(stencil.Select(p => p.Key), Is.EqualTo((string[])[.. piKeys, "cells", "halo_error", "sweeps"]), "schema 6's keys, then its own");
        Assert.That(piKeys, Does.Not.Contain("cells").And.Not.Contain("halo_error"));
        Assert.That((stencil["cells"]!.GetValue<long>(), stencil["halo_error"]!.GetValue<double>(), stencil["sweeps"]!.GetValue<double>()), Is.EqualTo((4096L, 0.125, 7.0)));

        CompareRun back = ResultsJsonReader.Read(path);
        for (int i = 0; i < run.Points.Count; i++)
        {
            ComparePoint read = back.Points[i];
            Assert.That((read.Workload, read.Size), Is.EqualTo((run.Points[i].Workload, run.Points[i].Size)), $"point {i}");
            Assert.That(read.OwnFields, Is.EquivalentTo(run.Points[i].OwnFields), $"point {i}");
        }
    }

    [Test]
    public void TheReaderChecksTheWorkloadsOwnKeysAndForgetsTheWorkloadOnceUnregistered()
    {
        JsonObject document = JsonNode.Parse(ResultsFiles.Json(Mixed()))!.AsObject();
        document["points"]![3]!["halo_error"] = "small";
        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, document.ToJsonString());
        var e = Assert.Throws<UsageException>(() => ResultsJsonReader.Read(path));
        Assert.That(e!.Message, Is.EqualTo($"{path}: points[3].halo_error is the string \"small\", not a number"));

        File.WriteAllText(path, ResultsFiles.Json(Mixed()));
        registration!.Dispose();
        e = Assert.Throws<UsageException>(() => ResultsJsonReader.Read(path));
        Assert.That(e!.Message, Does.StartWith($"{path}: points[2].workload is '{Name}': not {string.Join(" or ", WorkloadRegistry.All.Select(w => w.Name))}"));
    }

    [Test]
    public void ReportsMergedTableHasTheWorkloadsRowsAndColumns()
    {
        File.WriteAllText(Path.Combine(Folder, "results.json"), ResultsFiles.Json(Mixed()));
        ReportModel model = ReportModel.Merge([ReportModel.Load(Folder)], allowMixed: false, allowIncomplete: false);
        ReportWorkload stencil = model.Workloads.Single(w => w.Workload == Name);
        Assert.That(stencil.Title, Is.EqualTo("Fake stencil, 4,096 cells"));
        string[] header = ReportTable.Header(stencil);
        Assert.That(header[^3..], Is.EqualTo(new[] { "halo error", "sweeps", "check" }));
        string[][] rows = [.. ReportTable.Rows(stencil)];
        Assert.That(rows.Select(r => r.Length), Has.All.EqualTo(header.Length));
        Assert.That(rows.Select(r => (r[5], r[^3], r[^2])), Is.EquivalentTo(new[] { ("4096", "0.125", "7"), ("4096", "0.250", "9") }));
        Assert.That(ReportTable.Header(model.Workloads.Single(w => w.Workload == "pi")), Does.Not.Contain("halo error"));
    }

    /// <summary>compare's --cells, the stencil's size (its command's option too).</summary>
    private sealed class CellsOption : ICompareSizeOption
    {
        private readonly Option<long?> cells = new("--cells") { Description = "Cells for the fake stencil." };

        public void AddTo(Command command) => command.Options.Add(cells);

        public long? Read(ParseResult parsed, TextWriter stderr) => parsed.GetValue(cells);
    }

    /// <summary>A workload the driver does not know: a stencil sweep over cells, with two fields of its own.</summary>
    internal sealed class StencilWorkload : IWorkload
    {
        public static StencilWorkload Instance { get; } = new();

        public string Name => WorkloadDiscoveryTests.Name;

        public string Title => "Fake stencil";

        public string SizeName => "cells";

        public string SizeMeaning => "number of cells";

        public string SizeText(string sizes) => $"{sizes} cells";

        public long MaxSize => int.MaxValue;

        public string WorkUnit => "cells";

        public string ThroughputUnit => "cells/s";

        public string VerificationRule => "halo error below 1";

        /// <summary>`interop stencil`: says its size back, so that a test sees the driver run a command it was not written for.</summary>
        public Command CreateCommand(TextWriter stdout, TextWriter stderr)
        {
            var cells = new Option<long>("--cells") { Description = "Number of cells.", DefaultValueFactory = _ => 4096 };
            var command = new Command(Name, "A fake stencil sweep (a test's workload).") { cells };
            command.SetAction(parsed =>
            {
                stdout.WriteLine($"{Title}: {SizeText(parsed.GetValue(cells).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                return 0;
            });
            return command;
        }

        public string? RateFormat => "0.000e0";

        public IReadOnlyList<ResultField> ResultFields { get; } = [new("halo_error", "halo error", "0.000"), new("sweeps", "sweeps", "0")];

        public double WorkPerRun(long size) => size;

        public bool RunsOn(IBackend backend) => false;

        public Isa PathOf(IBackend backend) => Isa.Scalar;

        public bool OnEveryRank(IBackend backend) => false;

        // Measuring and calibrating: these tests hand compare's writers measured points; none is measured.
        public IReadOnlyList<IBackend> CatalogBackends => [];

        public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => [];

        public bool NeedsMpi(IBackend backend) => false;

        public ICompareSizeOption CreateCompareSizeOption() => new CellsOption();

        public double BudgetWeight => 1;

        public ISizeCalibration Probe(IJob job, ComparePlan plan) => throw new NotSupportedException("the stencil workload is never calibrated");

        public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => throw new NotSupportedException("the stencil workload is never measured");

        public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => points;

        public string PlannedText(long? size) => $"stencil with {size} cells";

        public string ChosenText(ChosenSize size) => $"stencil with {size.Size} cells";

        public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) => [new(SizeName, size?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }
}
