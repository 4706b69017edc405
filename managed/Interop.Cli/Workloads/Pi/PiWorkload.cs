using System.Globalization;
using Interop.Backends;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
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

    public string VerificationRule => "identical counts for identical darts";

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
}
