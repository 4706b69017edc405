using System.CommandLine;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Workloads.Inv;

/// <summary>Dense matrix inversion: an n x n matrix, 2n^3 flops a run, counted in GFLOP/s.</summary>
internal sealed class InvWorkload : IWorkload
{
    public static InvWorkload Instance { get; } = new();

    private InvWorkload()
    {
    }

    public string Name => "inv";

    public string Title => "Matrix inversion";

    public string SizeName => "n";

    public string SizeMeaning => "matrix order";

    public string SizeText(string sizes) => $"n = {sizes}";

    public long MaxSize => int.MaxValue;

    public string WorkUnit => "GFLOP";

    public string ThroughputUnit => "GFLOP/s";

    public string VerificationRule => "scaled residual <= 30";

    public Command CreateCommand(TextWriter stdout, TextWriter stderr) => InvCommand.Create(stdout, stderr);

    /// <summary>An inversion by LU does 2n^3 flops (the count LAPACK's getrf + getri is rated by).</summary>
    public double WorkPerRun(long size) => 2.0 * size * size * (double)size / 1e9;

    /// <summary>A native row runs inv only where the kernel table names its inv symbol.</summary>
    public bool RunsOn(IBackend backend) =>
        backend is IDistributedInvBackend || (backend is IInvBackend && (backend is not NativeKernelBackend row || row.Runs(typeof(IInvBackend))));

    /// <summary>A distributed inversion's path is that of the library under it (OpenBLAS's, under ScaLAPACK).</summary>
    public Isa PathOf(IBackend backend) => backend is IDistributedInvBackend distributed ? distributed.InvIsa : ((IInvBackend)backend).InvIsa;

    /// <summary>A distributed inversion runs on every rank; the others run on rank 0 alone.</summary>
    public bool OnEveryRank(IBackend backend) => backend is IDistributedInvBackend;

    // Measuring and calibrating

    /// <summary>The single-process backends, then those over every rank of the job (scalapack).</summary>
    public IReadOnlyList<IBackend> CatalogBackends => [.. BackendCatalog.All<IInvBackend>(), .. BackendCatalog.All<IDistributedInvBackend>()];

    /// <summary>
    /// The single-process backends, then the distributed ones: in 'all' only under an MPI launcher
    /// (with one process they would measure a 1x1 grid beside lapack); named ones always.
    /// </summary>
    public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) =>
    [
        .. selection.Available<IInvBackend>(),
        .. selection.Available<IDistributedInvBackend>(inAll: MpiLaunch.Launcher(Environment.GetEnvironmentVariable) is not null),
    ];

    /// <summary>A distributed backend named without a launcher needs MPI too (one rank, a 1x1 grid).</summary>
    public bool NeedsMpi(IBackend backend) => backend is IDistributedInvBackend;

    public ICompareSizeOption CreateCompareSizeOption() => new InvSizeOption();

    /// <summary>Two thirds of the budget beside pi's third: an order's time grows as its cube.</summary>
    public double BudgetWeight => 2;

    public ISizeCalibration Probe(IJob job, ComparePlan plan) => InvCalibration.Probe(job, plan);

    public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => new InvComparePoints(job, plan, sizes);

    /// <summary>Each inversion is held against the latest FMA limit of its path and threads.</summary>
    public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => InvComparePoints.LatestLimits(points);

    public string PlannedText(long? size) => size is long n ? $"inv with n = {n}" : "inv with a calibrated n";

    public string ChosenText(ChosenSize size) => $"inv with n = {size.Size}";

    /// <summary>n alone: every inversion point, the serial baseline's too, inverts the same matrix.</summary>
    public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) => [new(SizeName, size?.Size.ToString(CultureInfo.InvariantCulture))];

    // Result fields and columns

    public IReadOnlyList<string> ThroughputNames => ["gflops"];

    /// <summary>
    /// `interop inv`'s table: backend, isa, threads (ranks x threads where a distributed backend ran), n, the median,
    /// its CI, runs, GFLOP/s, % of peak, over dgemm, speedup, the residual, the difference from LAPACK's inverse, check.
    /// </summary>
    public IReadOnlyList<TableColumn> CommandColumns(bool severalRanks) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, severalRanks ? CommonColumns.Shape : CommonColumns.Threads, CommonColumns.SizeOf(this),
        CommonColumns.Median, CommonColumns.Ci, CommonColumns.Runs, CommonColumns.ThroughputOf(this), CommonColumns.Peak, CommonColumns.OverDgemm,
        CommonColumns.Speedup,
        new("residual", ["residual"], ColumnPriority.Own),
        new("max|X-X_lapack|", ["max_abs_diff_vs_lapack"], ColumnPriority.Own + 1),
        CommonColumns.Check,
    ];

    /// <summary>GFLOP/s as 48.8 in report's table.</summary>
    public string ReportRateFormat => "0.0";

    /// <summary>An inversion is held against the FMA limit of its path (and OpenBLAS's dgemm).</summary>
    public bool HasPeak => true;

    /// <summary>dgemm's rate is measured at the inversion's order, up to <see cref="InvBench.MaxDgemmOrder"/>.</summary>
    public long DgemmOrder(long size) => Math.Min(size, InvBench.MaxDgemmOrder);

    /// <summary>Said when distributed backends ran beside those on rank 0 alone, so that "% of peak" reads per rank.</summary>
    public string? MixedRanksNote(IEnumerable<string> everyRank) =>
        $"ranks: {string.Join(", ", everyRank)} ran on every rank, the other inversion backends on rank 0 alone (1 x threads); % of peak is per rank";

    /// <summary>Schema 6's keys: n, gflops, the scaled residual, its threshold and the difference from LAPACK's inverse.</summary>
    public MeasuredPoint ToDocument(MeasuredPoint common, ComparePoint p) =>
        common with
        {
            N = checked((int)p.Size),
            Gflops = Documents.Finite(p.Throughput),
            Residual = Documents.Finite(p.Residual),
            ResidualThreshold = InvResult.ResidualThreshold,
            MaxAbsDiffVsLapack = Documents.Finite(p.MaxAbsDiffVsLapack),
        };

    /// <summary>Its order and check from schema 6's keys (an older file's point may name its size darts: read as before).</summary>
    public ComparePoint FromDocument(ComparePoint common, MeasuredPoint document) =>
        common with { Size = document.Darts ?? document.N ?? 0, Residual = document.Residual, MaxAbsDiffVsLapack = document.MaxAbsDiffVsLapack };

    /// <summary>A residual and a difference are not negative.</summary>
    public (string Field, string Problem)? CheckFields(ComparePoint p) =>
        p.Residual is double r && (double.IsNaN(r) || r < 0) ? ("residual", $"is {Show(r)}: a residual is not negative")
        : p.MaxAbsDiffVsLapack is double d && (double.IsNaN(d) || d < 0) ? ("max_abs_diff_vs_lapack", $"is {Show(d)}: a difference is not negative")
        : null;

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
