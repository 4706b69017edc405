using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// One measured point of `interop compare`: one workload on one backend at one ranks x threads
/// shape, with every timed repeat (after one untimed warm-up) and its verification.
/// </summary>
internal sealed record ComparePoint(
    string Workload,
    string Backend,
    int Ranks,
    int Threads,
    IReadOnlyList<double> Seconds,
    double WorkPerRun,
    string ThroughputUnit,
    bool Verified,
    string Check)
{
    /// <summary>Workers: ranks x threads.</summary>
    public int Workers => Ranks * Threads;

    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>Work per second at the median time: darts/s for pi, GFLOP/s (2n³ / 1e9) for inv.</summary>
    public double Throughput => WorkPerRun / Stats.Median;
}

/// <summary>A whole `interop compare` run: what was asked, where it ran, every point.</summary>
internal sealed record CompareRun(
    DateTimeOffset Started,
    double WallSeconds,
    IReadOnlyList<KeyValuePair<string, string?>> Parameters,
    IReadOnlyList<KeyValuePair<string, string?>> Environment,
    IReadOnlyList<KeyValuePair<string, string?>> Variables,
    IReadOnlyList<ComparePoint> Points);

/// <summary>Numbers derived from the points of one run, shared by the console, CSV, charts and report.</summary>
internal static class CompareMetrics
{
    public const string Baseline = "managed-serial";
    public const string ManagedParallel = "managed-parallel";

    /// <summary>Speedup over managed-serial at 1 rank x 1 thread of the same workload (null without that point).</summary>
    public static double? Speedup(CompareRun run, ComparePoint p) =>
        run.Points.FirstOrDefault(b => b.Workload == p.Workload && b.Backend == Baseline && b.Workers == 1) is ComparePoint b
            ? b.Stats.Median / p.Stats.Median
            : null;

    /// <summary>
    /// Parallel efficiency: the backend's own speedup from 1 worker to this point, divided by the
    /// workers (1 = perfect scaling); null without the backend's 1-worker point.
    /// </summary>
    public static double? Efficiency(CompareRun run, ComparePoint p) =>
        run.Points.FirstOrDefault(b => b.Workload == p.Workload && b.Backend == p.Backend && b.Workers == 1) is ComparePoint one
            ? one.Stats.Median / p.Stats.Median / p.Workers
            : null;

    /// <summary>
    /// How many times faster this backend is than managed-parallel at the same ranks x threads
    /// (the "native over managed" ratio); null for the managed backends themselves.
    /// </summary>
    public static double? OverManaged(CompareRun run, ComparePoint p) =>
        p.Backend is Baseline or ManagedParallel ? null
        : run.Points.FirstOrDefault(m => m.Workload == p.Workload && m.Backend == ManagedParallel && m.Ranks == p.Ranks && m.Threads == p.Threads) is ComparePoint m
            ? m.Stats.Median / p.Stats.Median
            : null;
}
