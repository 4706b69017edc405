using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Interop.Backends.Ep;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// The NAS Parallel Benchmarks' EP kernel: 2^M Gaussian pairs by the Marsaglia polar method, counted
/// in NPB's Mop/s (2^(M+1) randoms per run), on every rank (batches split over the ranks). Its size is
/// M; NPB's classes are sizes with reference values (<see cref="EpClass"/>). No backend interface
/// says who runs it: <see cref="EpKernels.For"/> decides (lapack and scalapack do not).
/// </summary>
internal sealed class EpWorkload : IWorkload
{
    /// <summary>A compare point's own numbers for q0..q9 (results.json holds them as one array, q).</summary>
    public static readonly string[] CountKeys = [.. Enumerable.Range(0, EpArguments.Annuli).Select(l => $"q{l}")];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static EpWorkload Instance { get; } = new();

    private EpWorkload()
    {
    }

    public string Name => EpKernels.Workload;

    public string Title => "NPB EP";

    public string SizeName => "m";

    public string SizeMeaning => "log2 of the pairs (NPB's M, 16 to 43)";

    public string SizeText(string sizes) => $"M = {sizes}";

    public long MaxSize => EpClass.MaxM;

    public string WorkUnit => "Mop";

    public string ThroughputUnit => "Mop/s";

    public ScheduleUnit? ScheduledItems => ScheduleUnit.EpBatches;

    public string VerificationRule => "sx, sy within 1e-8 of NPB 3.4.2+'s values and its exact pair count (a class); the same pair count and q0..q9 on every backend";

    public Command CreateCommand(TextWriter stdout, TextWriter stderr) => EpCommand.Create(stdout, stderr);

    /// <summary>NPB's operation count: 2^(M+1) randoms, in millions (Mop/s = this / seconds).</summary>
    public double WorkPerRun(long size) => Math.ScaleB(1.0, checked((int)size + 1)) / 1e6;

    public bool RunsOn(IBackend backend) => EpKernels.Runs(backend);

    public Isa PathOf(IBackend backend) =>
        (EpKernels.For(backend) ?? throw new ArgumentException($"{backend.Name} does not run EP", nameof(backend))).Path;

    /// <summary>Every rank runs its contiguous share of the batches, as NPB's MPI version does.</summary>
    public bool OnEveryRank(IBackend backend) => true;

    // Measuring and calibrating

    public IReadOnlyList<IBackend> CatalogBackends => EpKernels.Backends;

    public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => selection.Available(EpKernels.Backends);

    /// <summary>Batches split over the ranks there are: one process needs no MPI.</summary>
    public bool NeedsMpi(IBackend backend) => false;

    public ICompareSizeOption CreateCompareSizeOption() => new EpCompareSize();

    /// <summary>As much of the budget as pi: its size is whole classes, and any class verifies.</summary>
    public double BudgetWeight => 1;

    public ISizeCalibration Probe(IJob job, ComparePlan plan) => EpCalibration.Probe(job, plan);

    public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes) => new EpComparePoints(job, plan, sizes);

    /// <summary>Points of one M must agree on the pair count and q0..q9.</summary>
    public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points) => EpComparePoints.CheckCounts(points);

    public string PlannedText(long? size) => size is long m ? $"ep {EpReport.SizeText(SizeOf(m))}" : "ep with a calibrated class";

    // "ep class A (2^28 = ... batches) (managed-serial class S: compare Mop/s)"
    public string ChosenText(ChosenSize size) =>
        $"ep {EpReport.SizeText(SizeOf(size.Size))}" +
        (size.SerialSize != size.Size ? $" ({CompareMetrics.Baseline} {Short(SizeOf(size.SerialSize))}: compare Mop/s)" : string.Empty);

    /// <summary>m, and m_serial_baseline (the serial baseline's, smaller or the same).</summary>
    public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) =>
    [
        new(SizeName, size?.Size.ToString(Invariant)),
        new($"{SizeName}_serial_baseline", size?.SerialSize.ToString(Invariant)),
    ];

    // Result fields and columns

    public IReadOnlyList<string> ThroughputNames => ["mops"];

    /// <summary>
    /// `interop ep`'s table: backend, isa, ranks, threads, class, M, pairs, sx, sy, the median, its CI, runs, Mop/s
    /// and per worker, speedup, check; with several ranks the per-rank columns.
    /// </summary>
    public IReadOnlyList<TableColumn> CommandColumns(bool severalRanks) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Ranks, CommonColumns.Threads,
        new("class", ["class"], ColumnPriority.Size),
        CommonColumns.SizeOf(this, "M"),
        .. CommonColumns.Own([("pairs", "pairs"), ("sx", "sx"), ("sy", "sy")]),
        CommonColumns.Median, CommonColumns.Ci, CommonColumns.Runs, CommonColumns.ThroughputOf(this), CommonColumns.PerWorker.As("Mop/s/worker", "mops_per_worker"),
        CommonColumns.Speedup, CommonColumns.Check,
        .. severalRanks ? CommonColumns.PerRank : [],
    ];

    /// <summary>The pair count and NPB 3.4.2+'s sums in tables and results.csv; results.json has all of EP's keys (<see cref="EpFields"/>).</summary>
    public IReadOnlyList<ResultField> ResultFields { get; } =
    [
        new("pairs", "pairs", "0"),
        new("sum_abs_x", "sum |t3|", "0.000000e+00"),
        new("sum_abs_y", "sum |t4|", "0.000000e+00"),
    ];

    /// <summary>"NPB EP, class S (M = 24)".</summary>
    public string TableTitle(IReadOnlyList<ComparePoint> points) =>
        $"{Title}, {string.Join(" / ", points.Select(p => p.Size).Distinct().Order().Select(m => Short(SizeOf(m))))}";

    /// <summary>EP's keys as `interop ep --json` writes them, from the compare point's own numbers.</summary>
    public MeasuredPoint ToDocument(MeasuredPoint common, ComparePoint p)
    {
        EpClass size = SizeOf(p.Size);
        string? against = p.Verified && size.IsNpbClass ? $"{EpVerification.Name(EpVariant.Npb34)} class {size.Name}" : null;
        return common with { OwnFields = EpFields.Own(size, ResultOf(p), p.Throughput, p.ThroughputPerWorker, against) };
    }

    /// <summary>M and the numbers of EP's keys (q as q0..q9).</summary>
    public ComparePoint FromDocument(ComparePoint common, MeasuredPoint document)
    {
        var own = new Dictionary<string, double>();
        foreach (string key in (string[])["pairs", "sx", "sy", "sum_abs_x", "sum_abs_y"])
        {
            if (OwnFieldsJson.Number(document, key) is double v)
            {
                own[key] = v;
            }
        }

        if (document.OwnFields?.TryGetValue("q", out JsonElement q) == true && q.ValueKind == JsonValueKind.Array)
        {
            int l = 0;
            foreach (JsonElement count in q.EnumerateArray().Take(CountKeys.Length))
            {
                if (count.TryGetInt64(out long c))
                {
                    own[CountKeys[l]] = c;
                }

                l++;
            }
        }

        return common with { Size = OwnFieldsJson.Integer(document, SizeName) ?? 0, OwnFields = own };
    }

    /// <summary>A pair count is at least 0 and at most the 2^M pairs drawn, and the sum of q0..q9 where they are given.</summary>
    public (string Field, string Problem)? CheckFields(ComparePoint p)
    {
        if (!p.OwnFields.TryGetValue("pairs", out double pairs))
        {
            return null;
        }

        if (pairs < 0 || (p.Size is > 0 and <= EpClass.MaxM && pairs > Math.ScaleB(1.0, (int)p.Size)))
        {
            return ("pairs", $"is {pairs.ToString(Invariant)}: not between 0 and the 2^{p.Size.ToString(Invariant)} pairs drawn");
        }

        return CountKeys.All(p.OwnFields.ContainsKey) && CountKeys.Sum(k => p.OwnFields[k]) != pairs
            ? ("q", $"sums to {CountKeys.Sum(k => p.OwnFields[k]).ToString(Invariant)}, not the {pairs.ToString(Invariant)} pairs")
            : null;
    }

    /// <summary>A compare point's own numbers of <paramref name="result"/>: the pair count, the four sums and q0..q9.</summary>
    public static IReadOnlyDictionary<string, double> OwnFields(EpResult result)
    {
        var own = new Dictionary<string, double>
        {
            ["pairs"] = result.Pairs,
            ["sx"] = result.Sx,
            ["sy"] = result.Sy,
            ["sum_abs_x"] = result.SumAbsX,
            ["sum_abs_y"] = result.SumAbsY,
        };
        for (int l = 0; l < CountKeys.Length; l++)
        {
            own[CountKeys[l]] = result.Counts[l];
        }

        return own;
    }

    // The result a compare point's own numbers describe (NaN and 0 where a number is missing).
    private static EpResult ResultOf(ComparePoint p)
    {
        double Get(string key) => p.OwnFields.TryGetValue(key, out double v) ? v : double.NaN;
        return new EpResult(Get("sx"), Get("sy"), Get("sum_abs_x"), Get("sum_abs_y"),
            [.. CountKeys.Select(k => p.OwnFields.TryGetValue(k, out double c) ? (long)c : 0)]);
    }

    // The size of M: NPB's class of that M, or a custom size (without reference values).
    private static EpClass SizeOf(long m) =>
        EpClass.All.FirstOrDefault(c => c.M == m) ?? new EpClass($"M={m}", (int)Math.Clamp(m, 0, EpClass.MaxM), null, null);

    // "class S (M = 24)" or "M = 17".
    private static string Short(EpClass size) => size.IsNpbClass ? $"class {size.Name} (M = {size.M})" : $"M = {size.M}";
}
