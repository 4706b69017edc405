using System.CommandLine;
using System.Globalization;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// The lesson's Dask example, y = x + xᵀ − mean(x, axis 0) on chunks: bound by memory traffic, not
/// arithmetic. Its size is the order n; its throughput GB/s of the least traffic of the memory case
/// (x read twice, y written), so that points compare with the machine's memory bandwidth. Compare
/// runs the memory case (x in memory, y stored) with Dask's chunk, 1000, or n when smaller.
/// <see cref="ArrayKernels.For"/> decides who runs it.
/// </summary>
internal sealed class ArrayWorkload : IWorkload
{
    /// <summary>A compare point's own numbers: y's checksum as two exact 32-bit halves, y's sum and x's.</summary>
    public const string ChecksumHigh = "checksum_high";

    public const string ChecksumLow = "checksum_low";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static ArrayWorkload Instance { get; } = new();

    private ArrayWorkload()
    {
    }

    public string Name => ArrayKernels.Workload;

    public string Title => "Chunked array (Dask's x + x.T - x.mean(axis=0))";

    public string SizeName => "order";

    public string SizeMeaning => "array order n (n x n doubles)";

    public string SizeText(string sizes) => $"n = {sizes}";

    public long MaxSize => ArrayShape.MaxOrder;

    public string WorkUnit => "GB";

    public string ThroughputUnit => "GB/s";

    public string VerificationRule => "y's checksum the same on every backend (the spec's for n <= 2048), sampled means and elements the spec's bits, sum(y) = sum(x) to rounding";

    public Command CreateCommand(TextWriter stdout, TextWriter stderr) => ArrayCommand.Create(stdout, stderr);

    /// <summary>The memory case's least traffic in GB: x read twice, y written once.</summary>
    public double WorkPerRun(long size) => ArrayShape.BytesOf(size) / 1e9;

    public bool RunsOn(IBackend backend) => ArrayKernels.Runs(backend);

    public Isa PathOf(IBackend backend) =>
        (ArrayKernels.For(backend) ?? throw new ArgumentException($"{backend.Name} does not run the array workload", nameof(backend))).Path;

    /// <summary>Every rank holds a band of the distributed array (one rank: the whole array).</summary>
    public bool OnEveryRank(IBackend backend) => true;

    // Measuring and calibrating

    public IReadOnlyList<IBackend> CatalogBackends => ArrayKernels.Backends;

    public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => selection.Available(ArrayKernels.Backends);

    public bool NeedsMpi(IBackend backend) => false;

    public ICompareSizeOption CreateCompareSizeOption() => new ArraySizeOption();

    public double BudgetWeight => 1;

    public ISizeCalibration Probe(IJob job, ComparePlan plan) => ArrayCalibration.Probe(job, plan);

    public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => new ArrayComparePoints(job, plan, sizes);

    /// <summary>Points of one order must have the same checksum, or none of them is verified.</summary>
    public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => ArrayComparePoints.CheckChecksums(points);

    public string PlannedText(long? size) => size is long n ? $"array with n = {n}" : "array with a calibrated n";

    public string ChosenText(ChosenSize size) =>
        $"array with n = {size.Size}" + (size.SerialSize != size.Size ? $" ({CompareMetrics.Baseline} n = {size.SerialSize}: compare GB/s)" : string.Empty);

    public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) =>
    [
        new(SizeName, size?.Size.ToString(Invariant)),
        new($"{SizeName}_serial_baseline", size?.SerialSize.ToString(Invariant)),
    ];

    // Result fields and columns

    public IReadOnlyList<string> ThroughputNames => ["gb_per_s"];

    public string ReportRateFormat => "0.00";

    public IReadOnlyList<ResultField> ResultFields { get; } =
    [
        new("chunk", "chunk", "0"),
        new("fraction_of_triad", "of triad", "0%"),
        new("sum_y", "sum(y)", "0.000000e+00"),
    ];

    /// <summary>Its compare table's own columns, in <see cref="ResultFields"/>' order: "of triad" kept as long as "% of peak" is.</summary>
    public IReadOnlyList<TableColumn> OwnColumns => [.. ResultFields.Select(f => f.Key == "fraction_of_triad" ? OfTriad : CommonColumns.Own([(f.Heading, f.Key)])[0])];

    /// <summary>GB/s over the triad limit: the memory-bound workload's "% of peak", kept as long as that is.</summary>
    public static readonly TableColumn OfTriad = new("of triad", ["of_triad", "fraction_of_triad"], ColumnPriority.Peak);

    /// <summary>`interop array`'s table: backend, isa, ranks, threads, n, chunk, the median, its CI, runs, GB/s, of triad, per worker, speedup, checksum, check.</summary>
    public IReadOnlyList<TableColumn> CommandColumns(bool severalRanks) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Ranks, CommonColumns.Threads, CommonColumns.SizeOf(this, "n"),
        .. CommonColumns.Own([("chunk", "chunk")]),
        CommonColumns.Median, CommonColumns.Ci, CommonColumns.Runs, CommonColumns.ThroughputOf(this),
        OfTriad,
        CommonColumns.PerWorker.As("GB/s/worker", "gb_per_s_per_worker"),
        CommonColumns.Speedup,
        .. CommonColumns.Own([("checksum", "checksum"), ("sum(y) - sum(x)", "sum_error")]),
        CommonColumns.Check,
    ];

    /// <summary>The checksum as one hex string besides the common and own keys.</summary>
    public MeasuredPoint ToDocument(MeasuredPoint common, ComparePoint p) =>
        common with { OwnFields = ArrayFields.Own(p.Size, (long)Get(p, "chunk"), ChecksumOf(p), Get(p, "sum_y"), Get(p, "sum_x"), p.Throughput, p.ThroughputPerWorker, Get(p, "triad_gb_per_s")) };

    /// <summary>The order and the numbers of the array's keys (the checksum split into its halves).</summary>
    public ComparePoint FromDocument(ComparePoint common, MeasuredPoint document) =>
        common with { Size = OwnFieldsJson.Integer(document, SizeName) ?? 0, OwnFields = ArrayFields.Read(document) };

    /// <summary>The chunk lies in [1, n].</summary>
    public (string Field, string Problem)? CheckFields(ComparePoint p) =>
        p.OwnFields.TryGetValue("chunk", out double chunk) && (chunk < 1 || (p.Size > 0 && chunk > p.Size))
            ? ("chunk", $"is {chunk.ToString(Invariant)}: not between 1 and n = {p.Size.ToString(Invariant)}")
            : null;

    /// <summary>A compare point's own numbers of <paramref name="r"/>.</summary>
    public static IReadOnlyDictionary<string, double> OwnFields(ArrayMeasurement r) => new Dictionary<string, double>
    {
        ["chunk"] = r.Shape.Chunk,
        ["sum_y"] = r.Result.Sum,
        ["sum_x"] = r.Result.SumX,
        [ChecksumHigh] = r.Result.Checksum >> 32,
        [ChecksumLow] = r.Result.Checksum & 0xFFFF_FFFF,
        ["triad_gb_per_s"] = r.TriadGigabytesPerSecond ?? double.NaN,
        ["fraction_of_triad"] = r.FractionOfTriad ?? double.NaN,
    };

    /// <summary>y's checksum of a compare point, from its two halves (null when either is missing).</summary>
    public static ulong? ChecksumOf(ComparePoint p) =>
        p.OwnFields.TryGetValue(ChecksumHigh, out double high) && p.OwnFields.TryGetValue(ChecksumLow, out double low)
            ? ((ulong)high << 32) | (ulong)low
            : null;

    private static double Get(ComparePoint p, string key) => p.OwnFields.TryGetValue(key, out double v) ? v : double.NaN;
}
