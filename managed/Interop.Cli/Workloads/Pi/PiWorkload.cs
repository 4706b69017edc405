using System.CommandLine;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>Monte Carlo pi: darts thrown, counted in darts per second, on every rank.</summary>
internal sealed class PiWorkload : IWorkload
{
    public static PiWorkload Instance { get; } = new();

    private PiWorkload()
    {
    }

    public string Name => "pi";

    public string Title => "Monte Carlo pi";

    public string SizeName => "darts";

    public string SizeMeaning => "number of darts";

    public string SizeText(string sizes) => $"{sizes} darts";

    public long MaxSize => long.MaxValue;

    public string WorkUnit => "darts";

    public string ThroughputUnit => "darts/s";

    public ScheduleUnit? ScheduledItems => ScheduleUnit.Darts;

    public string VerificationRule => "identical counts for identical darts";

    public Command CreateCommand(TextWriter stdout, TextWriter stderr) => PiCommand.Create(stdout, stderr);

    /// <summary>A run's work is its darts.</summary>
    public double WorkPerRun(long size) => size;

    /// <summary>A native row runs pi only where the kernel table names its pi symbol.</summary>
    public bool RunsOn(IBackend backend) => backend is IPiBackend && (backend is not NativeKernelBackend row || row.Runs(typeof(IPiBackend)));

    public Isa PathOf(IBackend backend) => ((IPiBackend)backend).PiIsa;

    /// <summary>Every rank throws its share of the darts.</summary>
    public bool OnEveryRank(IBackend backend) => true;

    // Measuring and calibrating

    public IReadOnlyList<IBackend> CatalogBackends => BackendCatalog.All<IPiBackend>();

    public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => selection.Available<IPiBackend>();

    /// <summary>Darts split over the ranks there are: one process needs no MPI.</summary>
    public bool NeedsMpi(IBackend backend) => false;

    public ICompareSizeOption CreateCompareSizeOption() => new PiDartsOption();

    /// <summary>A third of the budget beside the inversion's two thirds: darts scale finely, and fewer still verify.</summary>
    public double BudgetWeight => 1;

    public ISizeCalibration Probe(IJob job, ComparePlan plan) => PiCalibration.Probe(job, plan);

    public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => new PiComparePoints(job, plan, sizes);

    /// <summary>Points that threw the same darts must agree on the count inside.</summary>
    public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => PiComparePoints.CheckCounts(points);

    public string PlannedText(long? size) => size is long d ? $"pi with {d:N0} darts" : "pi with calibrated darts";

    // "pi with 1,600,000,000 darts (managed-serial 400,000,000: compare darts/s)"
    public string ChosenText(ChosenSize size) =>
        $"pi with {size.Size.ToString("N0", CultureInfo.InvariantCulture)} darts" +
        (size.SerialSize != size.Size ? $" ({CompareMetrics.Baseline} {size.SerialSize.ToString("N0", CultureInfo.InvariantCulture)}: compare darts/s)" : string.Empty);

    /// <summary>darts, and darts_serial_baseline (the serial baseline's, fewer or the same).</summary>
    public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) =>
    [
        new(SizeName, size?.Size.ToString(CultureInfo.InvariantCulture)),
        new($"{SizeName}_serial_baseline", size?.SerialSize.ToString(CultureInfo.InvariantCulture)),
    ];

    // Result fields and columns

    public IReadOnlyList<string> ThroughputNames => ["darts_per_second"];

    /// <summary>
    /// `interop pi`'s table: backend, isa, ranks, threads, darts, the count inside, the estimate and its error,
    /// the median, its CI, runs, darts/s and per core, speedup, check; with several ranks the per-rank columns.
    /// </summary>
    public IReadOnlyList<TableColumn> CommandColumns(bool severalRanks) => CommandColumns(severalRanks, taskPool: false);

    /// <summary>
    /// As <see cref="CommandColumns(bool)"/>; with <paramref name="taskPool"/> (a run under --schedule dynamic
    /// or guided) the task pool's columns last: each rank's chunks, darts and busy time, min-max.
    /// </summary>
    public IReadOnlyList<TableColumn> CommandColumns(bool severalRanks, bool taskPool) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Ranks, CommonColumns.Threads, CommonColumns.SizeOf(this),
        new("inside", ["inside"], ColumnPriority.Own),
        new("estimate", ["estimate"], ColumnPriority.Own + 1),
        new("|est-pi|", ["abs_error"], ColumnPriority.Own + 2),
        CommonColumns.Median, CommonColumns.Ci, CommonColumns.Runs, CommonColumns.ThroughputOf(this), CommonColumns.PerWorker.As("darts/s/core"),
        CommonColumns.Speedup, CommonColumns.Check,
        .. severalRanks ? CommonColumns.PerRank : [],
        .. taskPool ? CommonColumns.TaskPool(SizeName) : [],
    ];

    /// <summary>Darts per second as 1.26e9.</summary>
    public string? RateFormat => "0.00e0";

    /// <summary>Darts as 1.5e9 in compare's tables.</summary>
    public string SizeFormat => "0.0#e0";

    /// <summary>Darts as 1.5e9 in report's narrower column.</summary>
    public string ReportSizeFormat => "0.0e0";

    /// <summary>Its rows may throw different numbers of darts (the serial baseline fewer), so the table's title names none.</summary>
    public string TableTitle(IReadOnlyList<ComparePoint> points) => Title;

    /// <summary>"Monte Carlo pi, 1,500,000,000 darts (managed-serial 280,000,000)": the most darts, and the rows that threw fewer.</summary>
    public string ChartTitle(IReadOnlyList<ComparePoint> points, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        long[] sizes = [.. points.Select(p => p.Size).Where(s => s > 0).Distinct().Order()];
        long darts = sizes.Length > 0 ? sizes[^1] : long.TryParse(parameters.FirstOrDefault(p => p.Key == SizeName).Value, NumberStyles.Integer, invariant, out long d) ? d : 0;
        string[] fewer = [.. points.Where(p => p.Size > 0 && p.Size < darts).Select(p => $"{p.Backend} {p.Size.ToString("N0", invariant)}").Distinct()];
        return $"{Title}, {(darts > 0 ? darts.ToString("N0", invariant) : "?")} darts" + (fewer.Length > 0 ? $" ({string.Join(", ", fewer)})" : string.Empty);
    }

    /// <summary>Schema 6's keys: darts, darts_per_second, inside and the estimate it gives (4 inside / darts) and its error.</summary>
    public MeasuredPoint ToDocument(MeasuredPoint common, ComparePoint p) =>
        common with
        {
            Darts = p.Size,
            DartsPerSecond = Documents.Finite(p.Throughput),
            Inside = p.Inside,
            Estimate = p.Inside is long inside && p.Size > 0 ? 4.0 * inside / p.Size : null,
            AbsError = p.Inside is long i && p.Size > 0 ? Math.Abs((4.0 * i / p.Size) - Math.PI) : null,
        };

    /// <summary>Its size and count from schema 6's keys (an older file's point may name its size n: read as before).</summary>
    public ComparePoint FromDocument(ComparePoint common, MeasuredPoint document) =>
        common with { Size = document.Darts ?? document.N ?? 0, Inside = document.Inside };

    /// <summary>A count inside is at least 0 and at most the darts thrown.</summary>
    public (string Field, string Problem)? CheckFields(ComparePoint p) =>
        p.Inside is long inside && (inside < 0 || (p.Size > 0 && inside > p.Size))
            ? ("inside", $"is {inside.ToString(CultureInfo.InvariantCulture)}: not between 0 and the darts thrown")
            : null;
}
