using System.Globalization;

namespace Interop.Cli.Compare;

/// <summary>One point of a run compared with the same point of a baseline run, by throughput (work per second).</summary>
internal sealed record BaselineChange(string Workload, string Backend, int Ranks, int Threads, double? OldThroughput, double? NewThroughput, string Unit, bool Flagged)
{
    /// <summary>New throughput / old throughput: above 1 is faster now.</summary>
    public double? Speedup => OldThroughput is double o && NewThroughput is double n ? n / o : null;
}

/// <summary>
/// `--baseline OLD/results.json`: each point (workload, backend, ranks, threads, path) against the
/// same point of an earlier run, by throughput (runs may differ in darts or n). A change is flagged
/// only beyond the measured spread: the two runs' [min, max] throughput intervals do not overlap
/// and the medians differ by more than 3%.
/// </summary>
internal sealed class BaselineComparison(IReadOnlyList<BaselineChange> changes)
{
    public const double Tolerance = 0.03;

    public IReadOnlyList<BaselineChange> Changes => changes;

    public static BaselineComparison Compare(CompareRun old, CompareRun current)
    {
        // A baseline from before instruction-set paths were recorded matches on the other fields.
        bool oldHasPaths = old.Points.All(p => p.Isa != "unknown");
        (string, string, int, int, string) Key(ComparePoint p) => (p.Workload, p.Backend, p.Ranks, p.Threads, oldHasPaths ? p.Isa : string.Empty);
        Dictionary<(string, string, int, int, string), ComparePoint> before = old.Points.ToDictionary(Key);
        Dictionary<(string, string, int, int, string), ComparePoint> after = current.Points.ToDictionary(Key);
        var changes = new List<BaselineChange>();
        foreach (ComparePoint p in current.Points)
        {
            if (before.TryGetValue(Key(p), out ComparePoint? o))
            {
                // The slowest run has the lowest throughput: [work / max, work / min].
                bool apart = p.WorkPerRun / p.Stats.Max > o.WorkPerRun / o.Stats.Min || p.WorkPerRun / p.Stats.Min < o.WorkPerRun / o.Stats.Max;
                bool large = Math.Abs((p.Throughput / o.Throughput) - 1) > Tolerance;
                changes.Add(new BaselineChange(p.Workload, p.Backend, p.Ranks, p.Threads, o.Throughput, p.Throughput, p.ThroughputUnit, apart && large));
            }
            else
            {
                changes.Add(new BaselineChange(p.Workload, p.Backend, p.Ranks, p.Threads, null, p.Throughput, p.ThroughputUnit, false));
            }
        }

        changes.AddRange(old.Points.Where(o => !after.ContainsKey(Key(o)))
            .Select(o => new BaselineChange(o.Workload, o.Backend, o.Ranks, o.Threads, o.Throughput, null, o.ThroughputUnit, false)));
        return new BaselineComparison(changes);
    }

    public IEnumerable<string> Describe()
    {
        int flagged = changes.Count(c => c.Flagged);
        yield return $"Against the baseline: {flagged} of {changes.Count(c => c.Speedup is not null)} common point(s) changed beyond the measured spread (non-overlapping min-max and > {Tolerance:P0}).";
        foreach (BaselineChange c in changes)
        {
            string point = $"{c.Workload} {c.Backend} {c.Ranks}x{c.Threads}";
            yield return c switch
            {
                { OldThroughput: null } => $"  added    {point}",
                { NewThroughput: null } => $"  removed  {point}",
                { Flagged: true } => $"  {(c.Speedup > 1 ? "FASTER " : "SLOWER ")}  {point}: {Rate(c.OldThroughput, c.Unit)} -> {Rate(c.NewThroughput, c.Unit)} ({Ratio(c.Speedup!.Value)})",
                _ => $"  same     {point}: {Rate(c.OldThroughput, c.Unit)} -> {Rate(c.NewThroughput, c.Unit)} ({Ratio(c.Speedup!.Value)}, within the spread)",
            };
        }
    }

    private static string Rate(double? value, string unit) => $"{CompareTables.FormatRate(value!.Value, unit)} {unit}";

    private static string Ratio(double speedup) => CompareSummary.Ratio(speedup);
}
