using System.Globalization;

namespace Interop.Cli.Compare;

/// <summary>One point of a run compared with the same point of a baseline run.</summary>
internal sealed record BaselineChange(string Workload, string Backend, int Ranks, int Threads, double? OldMedian, double? NewMedian, bool Flagged)
{
    /// <summary>Old time / new time: above 1 is faster now.</summary>
    public double? Speedup => OldMedian is double o && NewMedian is double n ? o / n : null;
}

/// <summary>
/// `--baseline OLD/results.json`: each point (workload, backend, ranks, threads) against the
/// same point of an earlier run. A change is flagged only beyond the measured spread: the two
/// runs' [min, max] intervals do not overlap and the medians differ by more than 3%.
/// </summary>
internal sealed class BaselineComparison(IReadOnlyList<BaselineChange> changes)
{
    public const double Tolerance = 0.03;

    public IReadOnlyList<BaselineChange> Changes => changes;

    public static BaselineComparison Compare(CompareRun old, CompareRun current)
    {
        static (string, string, int, int) Key(ComparePoint p) => (p.Workload, p.Backend, p.Ranks, p.Threads);
        Dictionary<(string, string, int, int), ComparePoint> before = old.Points.ToDictionary(Key);
        Dictionary<(string, string, int, int), ComparePoint> after = current.Points.ToDictionary(Key);
        var changes = new List<BaselineChange>();
        foreach (ComparePoint p in current.Points)
        {
            if (before.TryGetValue(Key(p), out ComparePoint? o))
            {
                bool apart = p.Stats.Min > o.Stats.Max || p.Stats.Max < o.Stats.Min;
                bool large = Math.Abs((p.Stats.Median / o.Stats.Median) - 1) > Tolerance;
                changes.Add(new BaselineChange(p.Workload, p.Backend, p.Ranks, p.Threads, o.Stats.Median, p.Stats.Median, apart && large));
            }
            else
            {
                changes.Add(new BaselineChange(p.Workload, p.Backend, p.Ranks, p.Threads, null, p.Stats.Median, false));
            }
        }

        changes.AddRange(old.Points.Where(o => !after.ContainsKey(Key(o)))
            .Select(o => new BaselineChange(o.Workload, o.Backend, o.Ranks, o.Threads, o.Stats.Median, null, false)));
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
                { OldMedian: null } => $"  added    {point}",
                { NewMedian: null } => $"  removed  {point}",
                { Flagged: true } => $"  {(c.Speedup > 1 ? "FASTER " : "SLOWER ")}  {point}: {c.OldMedian:0.0000} s -> {c.NewMedian:0.0000} s ({Ratio(c.Speedup!.Value)})",
                _ => $"  same     {point}: {c.OldMedian:0.0000} s -> {c.NewMedian:0.0000} s ({Ratio(c.Speedup!.Value)}, within the spread)",
            };
        }
    }

    private static string Ratio(double speedup) =>
        speedup >= 1 ? $"{speedup.ToString("0.00", CultureInfo.InvariantCulture)}x faster" : $"{(1 / speedup).ToString("0.00", CultureInfo.InvariantCulture)}x slower";
}
