using System.Globalization;
using Interop.Cli.Workloads;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace Interop.Cli.Compare;

/// <summary>
/// What makes two points comparable: the same workload with the same size (its SizeName) and seed,
/// on the same backend, ranks x threads and instruction-set path. Only points with equal keys are
/// compared; a run with other darts, n or seed measures a different workload.
/// </summary>
internal sealed record PointKey(string Workload, string Backend, int Ranks, int Threads, string Isa, long Size, string Seed)
{
    /// <summary>The schedule of the point's items ("static", "dynamic"; empty for a workload that does not schedule them).</summary>
    public string Schedule { get; init; } = string.Empty;

    public override string ToString() =>
        $"{Workload} {Backend} {Ranks}x{Threads}{(Isa.Length > 0 ? " " + Isa : string.Empty)}{(Schedule.Length > 0 ? " " + Schedule : string.Empty)} ({WorkloadRegistry.Named(Workload).SizeName} = {(Size > 0 ? Size.ToString(CultureInfo.InvariantCulture) : "?")}, seed {Seed})";
}

/// <summary>One point of a run against the same point (same <see cref="PointKey"/>) of a baseline run, by throughput; a side is null where the point is on one side only.</summary>
internal sealed record BaselineChange(PointKey Key, double? OldThroughput, double? NewThroughput, string Unit, bool Flagged)
{
    /// <summary>Why a point on both sides was not compared (a result that failed verification), or null.</summary>
    public string? NotCompared { get; init; }

    /// <summary>
    /// The one-sided Mann-Whitney p-value of the likelier direction (this run faster, or slower,
    /// than the baseline by more than the threshold); null unless compared.
    /// </summary>
    public double? PValue { get; init; }

    /// <summary>Timed runs on each side; null unless compared.</summary>
    public (int Old, int New)? Runs { get; init; }

    /// <summary>New throughput / old throughput: above 1 is faster now; null unless compared.</summary>
    public double? Speedup => OldThroughput is double o && NewThroughput is double n && NotCompared is null ? n / o : null;
}

/// <summary>
/// `--baseline OLD/results.json`: each point against the point of an earlier run with the same
/// <see cref="PointKey"/> (workload, size, seed, backend, ranks x threads, path), by throughput.
/// Points on one side only are listed as such, not compared. A change is flagged only when it is
/// significant: Perfolizer's one-sided Mann-Whitney U test on the two runs' raw throughputs (one per
/// timed run) finds this run faster, or slower, than the baseline by more than
/// <see cref="Tolerance"/> (3 %) at p &lt; <see cref="Alpha"/> (0.05). A baseline with no point in common is refused before any computing
/// (<see cref="NothingInCommon"/>), and when darts, n or the seed are not given they are the baseline's.
/// </summary>
internal sealed class BaselineComparison(IReadOnlyList<BaselineChange> changes, IReadOnlyList<string> differences, bool baselineComplete)
{
    public const double Tolerance = 0.03;

    /// <summary>The significance level of each one-sided test.</summary>
    public const double Alpha = 0.05;

    private static readonly Threshold Threshold = Threshold.Parse("3%");

    public IReadOnlyList<BaselineChange> Changes => changes;

    /// <summary>The key of <paramref name="p"/> in <paramref name="run"/>; without the path when <paramref name="withIsa"/> is false (a schema 1 baseline).</summary>
    public static PointKey Key(CompareRun run, ComparePoint p, bool withIsa = true) =>
        new(p.Workload, p.Backend, p.Ranks, p.Threads, withIsa ? p.Isa : string.Empty, p.Size > 0 ? p.Size : SizeFromParameters(run, p), Parameter(run, "seed") ?? "?")
        {
            // A point of a workload that schedules, read from a file written before its schedule was, ran static.
            Schedule = p.Schedule ?? (WorkloadRegistry.Find(p.Workload)?.ScheduledItems is not null ? "static" : string.Empty),
        };

    /// <summary>Whether every point of <paramref name="old"/> recorded its path (schema 2 and later).</summary>
    public static bool HasPaths(CompareRun old) => old.Points.All(p => p.Isa != "unknown");

    /// <summary>
    /// The sizes (and serial baseline's sizes) and seed of a baseline, for a run that does not give its own,
    /// by workload: no entry where the baseline did not run that workload.
    /// </summary>
    public static (IReadOnlyDictionary<IWorkload, PlannedSize> Sizes, ulong? Seed) Sizes(CompareRun old)
    {
        var sizes = new Dictionary<IWorkload, PlannedSize>();
        foreach (IWorkload workload in WorkloadRegistry.All)
        {
            if (SizeOf(old, workload) is long size)
            {
                long? serial = SerialSizeOf(old, workload, size);
                sizes[workload] = new PlannedSize(size > 0 ? size : null, serial > 0 ? serial : null);
            }
        }

        ulong? seed = ulong.TryParse(Parameter(old, "seed"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : null;
        return (sizes, seed);
    }

    /// <summary>
    /// Null when the <paramref name="planned"/> points of this run share at least one key with
    /// <paramref name="old"/>; otherwise why not, naming what differs ("baseline has n = 2000, this run n = 3000").
    /// </summary>
    public static string? NothingInCommon(CompareRun old, IReadOnlyList<PointKey> planned)
    {
        PointKey[] before = [.. old.Points.Select(p => Key(old, p, HasPaths(old)))];
        PointKey[] now = [.. planned.Select(k => HasPaths(old) ? k : k with { Isa = string.Empty })];
        if (before.Intersect(now).Any())
        {
            return null;
        }

        // The fields with no value in common explain it alone; else every field that differs.
        IReadOnlyList<string> what = Differences(before, now, disjointOnly: true) is { Count: > 0 } disjoint ? disjoint : Differences(before, now, disjointOnly: false);
        return $"no point in common with this run (points compare only with the same workload, {SizeNames}, seed, backend, ranks x threads, isa and schedule): " +
            (what.Count > 0 ? string.Join("; ", what) : "no combination of them matches");
    }

    public static BaselineComparison Compare(CompareRun old, CompareRun current)
    {
        bool withIsa = HasPaths(old);
        Dictionary<PointKey, ComparePoint> before = old.Points.GroupBy(p => Key(old, p, withIsa)).ToDictionary(g => g.Key, g => g.First());
        Dictionary<PointKey, ComparePoint> after = current.Points.GroupBy(p => Key(current, p, withIsa)).ToDictionary(g => g.Key, g => g.First());
        var changes = new List<BaselineChange>();
        foreach ((PointKey key, ComparePoint p) in after)
        {
            if (!before.TryGetValue(key, out ComparePoint? o))
            {
                changes.Add(new BaselineChange(key, null, p.Throughput, p.ThroughputUnit, false));
            }
            else if (!o.Verified || !p.Verified)
            {
                changes.Add(new BaselineChange(key, o.Throughput, p.Throughput, p.ThroughputUnit, false)
                {
                    NotCompared = $"failed verification in {(o.Verified ? "this run" : p.Verified ? "the baseline" : "both runs")}",
                });
            }
            else
            {
                (bool changed, double pValue) = Test([.. o.Seconds.Select(t => o.WorkPerRun / t)], [.. p.Seconds.Select(t => p.WorkPerRun / t)]);
                changes.Add(new BaselineChange(key, o.Throughput, p.Throughput, p.ThroughputUnit, changed) { PValue = pValue, Runs = (o.Seconds.Count, p.Seconds.Count) });
            }
        }

        changes.AddRange(before.Where(o => !after.ContainsKey(o.Key)).Select(o => new BaselineChange(o.Key, o.Value.Throughput, null, o.Value.ThroughputUnit, false)));
        return new BaselineComparison(changes, Differences([.. before.Keys], [.. after.Keys], disjointOnly: false), old.Complete);
    }

    /// <summary>
    /// Whether <paramref name="after"/> (throughputs, one per run) differs from <paramref name="before"/>
    /// by more than <see cref="Tolerance"/>: the smaller of the two one-sided Mann-Whitney p-values
    /// (after greater by more than 3 %, after smaller by more than 3 %) below <see cref="Alpha"/>.
    /// </summary>
    public static (bool Changed, double PValue) Test(IReadOnlyList<double> before, IReadOnlyList<double> after)
    {
        if (before.Count == 0 || after.Count == 0)
        {
            return (false, 1);
        }

        var old = new Sample([.. before]);
        var now = new Sample([.. after]);
        double faster = MannWhitneyTest.Instance.Perform(now, old, AlternativeHypothesis.Greater, Threshold).PValue.Value;
        double slower = MannWhitneyTest.Instance.Perform(old, now, AlternativeHypothesis.Greater, Threshold).PValue.Value;
        double p = Math.Min(faster, slower);
        return (p < Alpha, p);
    }

    /// <summary>The smallest one-sided p-value Mann-Whitney can give with m and n runs: 1 / C(m + n, m).</summary>
    public static double SmallestPValue(int m, int n)
    {
        double ways = 1;
        for (int i = 1; i <= Math.Min(m, n); i++)
        {
            ways = ways * (m + n - Math.Min(m, n) + i) / i;
        }

        return 1 / ways;
    }

    // Every workload's size's name, as the explanations list them: "darts or n".
    private static string SizeNames => string.Join(" or ", WorkloadRegistry.All.Select(w => w.SizeName));

    public IEnumerable<string> Describe()
    {
        int common = changes.Count(c => c.Speedup is not null);
        yield return $"Against the baseline: {changes.Count(c => c.Flagged)} of {common} common point(s) changed significantly (one-sided Mann-Whitney U test on the runs' throughputs: " +
            $"faster or slower by more than {Tolerance:P0} at p < {Alpha.ToString("0.00", CultureInfo.InvariantCulture)}); " +
            $"points compare only with the same workload, {SizeNames}, seed, backend, ranks x threads, isa and schedule.";
        if (changes.Any(c => c.Speedup is not null && c.Runs is (int m, int n) && SmallestPValue(m, n) >= Alpha))
        {
            yield return $"  note: with as few as {changes.Where(c => c.Speedup is not null && c.Runs is (int m, int n) && SmallestPValue(m, n) >= Alpha).Select(c => $"{c.Runs!.Value.Old} and {c.Runs!.Value.New}").First()} runs no change can reach p < {Alpha.ToString("0.00", CultureInfo.InvariantCulture)}: give --repeat 4 or more, or let repeats run automatically";
        }
        if (!baselineComplete)
        {
            yield return "  the baseline is incomplete (\"complete\": false): only its measured points compare";
        }

        foreach (string difference in differences)
        {
            yield return $"  differs: {difference}";
        }

        foreach (BaselineChange c in changes.OrderBy(c => c.OldThroughput is null || c.NewThroughput is null ? 1 : 0))
        {
            yield return c switch
            {
                { OldThroughput: null } => $"  only in this run, not compared: {c.Key}",
                { NewThroughput: null } => $"  only in the baseline, not compared: {c.Key}",
                { NotCompared: string why } => $"  not compared ({why}): {c.Key}",
                { Flagged: true } => $"  {(c.Speedup > 1 ? "FASTER " : "SLOWER ")}  {c.Key}: {Rate(c.OldThroughput, c.Unit)} -> {Rate(c.NewThroughput, c.Unit)} ({Ratio(c.Speedup!.Value)}, p = {P(c.PValue)})",
                _ => $"  same     {c.Key}: {Rate(c.OldThroughput, c.Unit)} -> {Rate(c.NewThroughput, c.Unit)} ({Ratio(c.Speedup!.Value)}, p = {P(c.PValue)}, not significant)",
            };
        }
    }

    // Each field whose values differ between the two sides (or, with disjointOnly, have none in
    // common): "baseline has n = 2000, this run n = 3000".
    private static List<string> Differences(IReadOnlyList<PointKey> before, IReadOnlyList<PointKey> now, bool disjointOnly)
    {
        (string Name, Func<PointKey, string?> Value)[] fields =
        [
            ("workload", k => k.Workload),
            .. WorkloadRegistry.All.Select(w => (w.SizeName, (Func<PointKey, string?>)(k => k.Workload == w.Name && k.Size > 0 ? k.Size.ToString(CultureInfo.InvariantCulture) : null))),
            ("seed", k => k.Seed),
            ("isa", k => k.Isa.Length > 0 ? k.Isa : null),
            ("schedule", k => k.Schedule.Length > 0 ? k.Schedule : null),
            ("backend", k => k.Backend),
            ("ranks x threads", k => $"{k.Ranks}x{k.Threads}"),
        ];
        var lines = new List<string>();
        foreach ((string name, Func<PointKey, string?> value) in fields)
        {
            string[] old = [.. before.Select(value).OfType<string>().Distinct().Order(StringComparer.Ordinal)];
            string[] mine = [.. now.Select(value).OfType<string>().Distinct().Order(StringComparer.Ordinal)];
            if (old.Length > 0 && mine.Length > 0 && (disjointOnly ? !old.Intersect(mine).Any() : !old.SequenceEqual(mine)))
            {
                lines.Add($"baseline has {name} = {string.Join(", ", old)}, this run {name} = {string.Join(", ", mine)}");
            }
        }

        return lines;
    }

    // The size of a workload in a run: its parameter (darts, n), else its largest point's; null when the run did not measure it.
    private static long? SizeOf(CompareRun run, IWorkload workload)
    {
        ComparePoint[] points = [.. run.Points.Where(p => p.Workload == workload.Name)];
        return points.Length == 0 ? null : Long(Parameter(run, workload.SizeName)) ?? points.Max(p => p.Size);
    }

    // The size of the serial baseline's points (darts_serial_baseline), else its point's, else the workload's size.
    private static long? SerialSizeOf(CompareRun run, IWorkload workload, long? size) =>
        size is null ? null
            : Long(Parameter(run, SerialSizeKey(workload))) ?? run.Points.FirstOrDefault(p => p.Workload == workload.Name && p.Backend == CompareMetrics.Baseline)?.Size ?? size;

    // A workload whose serial baseline may run a smaller size records it beside its own (darts_serial_baseline); the others have no such key.
    private static string SerialSizeKey(IWorkload workload) => $"{workload.SizeName}_serial_baseline";

    private static long SizeFromParameters(CompareRun run, ComparePoint p)
    {
        IWorkload workload = WorkloadRegistry.Named(p.Workload);
        long? serial = p.Backend == CompareMetrics.Baseline ? Long(Parameter(run, SerialSizeKey(workload))) : null;
        return serial ?? Long(Parameter(run, workload.SizeName)) ?? 0;
    }

    private static string? Parameter(CompareRun run, string key) => run.Parameters.FirstOrDefault(p => p.Key == key).Value;

    private static long? Long(string? text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static string Rate(double? value, string unit) => $"{CompareTables.FormatRate(value!.Value, unit)} {unit}";

    private static string Ratio(double speedup) => CompareSummary.Ratio(speedup);

    private static string P(double? p) => p is double v ? v < 0.001 ? "<0.001" : v.ToString("0.000", CultureInfo.InvariantCulture) : "?";
}
