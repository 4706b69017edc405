using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// One measured point of `interop compare`: one workload on one backend at one ranks x threads
/// shape on one instruction-set path, with every timed repeat (after one untimed warm-up) and its
/// verification. <see cref="WorkPerRun"/> may differ between points (the serial pi baseline throws
/// fewer darts), so every comparison is made on <see cref="Throughput"/>, never on seconds.
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
    /// <summary>The instruction-set path the backend's kernel took ("avx2", ...).</summary>
    public string Isa { get; init; } = "unknown";

    /// <summary>
    /// How a workload that schedules its items split them (compare --schedule, as <see cref="Workloads.RankSchedule.Text"/>
    /// spells it: "static", "dynamic", "guided:1000"); null for a workload that does not schedule (inv).
    /// </summary>
    public string? Schedule { get; init; }

    /// <summary>Each rank's median compute seconds, in rank order, for a point measured on several ranks now; null otherwise (and when read from a file).</summary>
    public IReadOnlyList<double>? RankComputeSeconds { get; init; }

    /// <summary>The items (darts, batches) each rank computed in the run whose time is the median, beside <see cref="RankComputeSeconds"/>.</summary>
    public IReadOnlyList<long>? RankItems { get; init; }

    /// <summary>Darts (pi) or matrix order (inv) of one run.</summary>
    public long Size { get; init; }

    /// <summary>How many times the point was measured again because it came out noisy (0: once); <see cref="Seconds"/> are the quietest measurement's.</summary>
    public int RemeasureRounds { get; init; }

    /// <summary>
    /// Inversion: the FMA limit of the point's own path at its threads (one rank's), GFLOP/s; null
    /// otherwise, and for a point read from a file older than schema 5, whose peak was dgemm's
    /// (<see cref="DgemmGflops"/>).
    /// </summary>
    public double? PeakGflops { get; init; }

    /// <summary>Inversion: OpenBLAS dgemm's GFLOP/s at the same thread count (one rank's); null otherwise.</summary>
    public double? DgemmGflops { get; init; }

    /// <summary>pi: darts counted inside the quarter circle; null for inv.</summary>
    public long? Inside { get; init; }

    /// <summary>inv: the scaled residual of the check; null for pi.</summary>
    public double? Residual { get; init; }

    /// <summary>inv: the largest |X - X_lapack|, where LAPACK's inverse was at hand.</summary>
    public double? MaxAbsDiffVsLapack { get; init; }

    /// <summary>
    /// The workload's own fields beyond those above (its <see cref="Workloads.IWorkload.ResultFields"/>, by key);
    /// empty for pi and inv, whose fields are the properties above.
    /// </summary>
    public IReadOnlyDictionary<string, double> OwnFields { get; init; } = NoOwnFields;

    // One shared empty map, so that two points without own fields are equal records (a record compares maps by reference).
    private static readonly IReadOnlyDictionary<string, double> NoOwnFields = new Dictionary<string, double>();

    /// <summary>
    /// In a heterogeneous job (ranks that run different thread counts), each rank's threads at this
    /// point, in rank order (<see cref="Threads"/> is rank 0's); null when every rank runs <see cref="Threads"/>.
    /// </summary>
    public IReadOnlyList<int>? RankThreads { get; init; }

    /// <summary>"2" or, for a heterogeneous point, "2+1": the threads as tables and charts show them.</summary>
    public string ThreadsText => Jobs.RankThreads.Text(Threads, RankThreads);

    /// <summary>Workers: ranks x threads, or the sum of <see cref="RankThreads"/>.</summary>
    public int Workers => RankThreads?.Sum() ?? Ranks * Threads;

    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>Work per second at the median time: darts/s for pi, GFLOP/s (2n³ / 1e9) for inv.</summary>
    public double Throughput => WorkPerRun / Stats.Median;

    /// <summary>The point as <see cref="Speedups"/> sees it.</summary>
    public SpeedupPoint AsSpeedupPoint => new(Backend, Isa, Ranks, Threads, Size, WorkPerRun, Stats);

    /// <summary>Throughput per worker (darts/s/core for pi).</summary>
    public double ThroughputPerWorker => Throughput / Workers;

    /// <summary>Inversion: GFLOP/s per rank as a percentage of <see cref="PeakGflops"/> (per rank: the peak is one rank's).</summary>
    public double? PercentOfPeak => PeakGflops is > 0 ? 100 * Throughput / Ranks / PeakGflops : null;

    /// <summary>Inversion: above its path's limit even after the limit was measured again (<see cref="PeakGflops"/> is the re-measured one).</summary>
    public bool AbovePeak => PercentOfPeak > 100;

    /// <summary>Inversion: GFLOP/s per rank over <see cref="DgemmGflops"/>.</summary>
    public double? OverDgemm => DgemmGflops is > 0 ? Throughput / Ranks / DgemmGflops : null;
}

/// <summary>A whole `interop compare` run: what was asked, where it ran, every point.</summary>
internal sealed record CompareRun(
    DateTimeOffset Started,
    double WallSeconds,
    IReadOnlyList<KeyValuePair<string, string?>> Parameters,
    IReadOnlyList<KeyValuePair<string, string?>> Environment,
    IReadOnlyList<KeyValuePair<string, string?>> Variables,
    IReadOnlyList<ComparePoint> Points)
{
    /// <summary>
    /// False while the run goes on (results.json is rewritten as every point finishes) and after it
    /// was interrupted or failed: then <see cref="Points"/> are those measured so far.
    /// </summary>
    public bool Complete { get; init; } = true;

    /// <summary>"complete", "running", "interrupted by SIGINT after 5 of 16 points", "failed: ...".</summary>
    public string Status { get; init; } = "complete";

    /// <summary>How many points the run set out to measure; null where unknown (an older results.json).</summary>
    public int? PointsPlanned { get; init; }

    /// <summary>Interop version, commit, host and time of the run (Schema/Provenance); null: this build's, now.</summary>
    public Schema.Provenance? Provenance { get; init; }

    /// <summary>The schema version of the file the run was read from (this build's for a run measured here).</summary>
    public int SchemaVersion { get; init; } = Schema.ResultDocument.CurrentVersion;

    /// <summary>How busy the machine was while the run measured; null before it finished, and in files older than schema 8.</summary>
    public Schema.MachineLoad? MachineLoad { get; init; }

    /// <summary>Whether every point measured passed its check.</summary>
    public bool Verified => Points.All(p => p.Verified);
}

/// <summary>Numbers derived from the points of one run, shared by the console, CSV, charts and report.</summary>
internal static class CompareMetrics
{
    public const string Baseline = "managed-serial";
    public const string ManagedParallel = "managed-parallel";

    /// <summary>True when the run was asked for more than one instruction-set path (compare --isa all).</summary>
    public static bool SeveralPaths(CompareRun run) =>
        run.Parameters.FirstOrDefault(p => p.Key == "isa").Value is string paths && paths.Contains(',', StringComparison.Ordinal);

    /// <summary>True when the points of <paramref name="workload"/> in the run were measured under more than one schedule (compare --schedule static,dynamic).</summary>
    public static bool SeveralSchedules(CompareRun run, string workload) =>
        run.Points.Where(p => p.Workload == workload && p.Schedule is not null).Select(p => p.Schedule).Distinct().Skip(1).Any();

    /// <summary>
    /// A point's name in charts and tables: the backend, with its path when a run has several, and its schedule
    /// when its workload ran several ("c-openmp (dynamic)").
    /// </summary>
    public static string Series(CompareRun run, ComparePoint p) =>
        SeveralPaths(run) ? $"{BackendName(run, p)} [{p.Isa}]" : BackendName(run, p);

    /// <summary>A point's backend with its schedule where its workload ran several ("c-openmp (dynamic)"): a row's name beside its isa column.</summary>
    public static string BackendName(CompareRun run, ComparePoint p) =>
        p.Schedule is not null && SeveralSchedules(run, p.Workload) ? $"{p.Backend} ({p.Schedule})" : p.Backend;

    /// <summary>Whether <paramref name="p"/> split its items statically (or does not schedule them): the points speedups are taken against.</summary>
    public static bool IsStatic(ComparePoint p) => p.Schedule is null or "static";

    /// <summary>
    /// The point's speedup as <see cref="Speedups"/> defines it, among the points of its workload in
    /// this run: over the same backend on 1 x 1 (same path, same size), else over managed-serial,
    /// named by <see cref="Interop.Core.Speedup.Reference"/>; as a throughput ratio (pi's serial
    /// baseline may run less work).
    /// </summary>
    public static Speedup? SpeedupOf(CompareRun run, ComparePoint p) =>
        Speedups.Of(p, run.Points.Where(b => b.Workload == p.Workload && IsStatic(b)), x => x.AsSpeedupPoint);

    /// <summary>The value of <see cref="SpeedupOf"/>.</summary>
    public static double? Speedup(CompareRun run, ComparePoint p) => SpeedupOf(run, p)?.Ratio.Value;

    /// <summary><see cref="SpeedupOf"/>'s ratio with its 95 % interval (the two medians' propagated on the log scale).</summary>
    public static RatioEstimate? SpeedupRatio(CompareRun run, ComparePoint p) => SpeedupOf(run, p)?.Ratio;

    /// <summary>The line under a workload's table naming what its speedups are against.</summary>
    public static string? SpeedupLegend(CompareRun run, IEnumerable<ComparePoint> points) =>
        Speedups.Legend(points.Select(p => (p.AsSpeedupPoint, SpeedupOf(run, p))));

    /// <summary>Throughput of <paramref name="p"/> over <paramref name="other"/>'s, with the two medians' 95 % CIs propagated.</summary>
    public static RatioEstimate Ratio(ComparePoint p, ComparePoint other) => Speedups.RatioOf(p.AsSpeedupPoint, other.AsSpeedupPoint);

    /// <summary>
    /// Parallel efficiency: the speedup over the same backend on 1 x 1 (same path) divided by the
    /// workers (1 = perfect scaling); null where the speedup is over another backend.
    /// </summary>
    public static double? Efficiency(CompareRun run, ComparePoint p) => EfficiencyRatio(run, p)?.Value;

    /// <summary><see cref="Efficiency"/> with its uncertainty; the 1-worker point itself is exactly 1.</summary>
    public static RatioEstimate? EfficiencyRatio(CompareRun run, ComparePoint p) => ScalingRatio(run, p)?.Scale(1.0 / p.Workers);

    /// <summary>
    /// The backend's own speedup from its 1-worker point (same path) to <paramref name="p"/>, with its
    /// interval (what the scaling chart draws): <see cref="SpeedupOf"/> where its reference is the same
    /// backend; exactly 1 for that point itself; null without it.
    /// </summary>
    public static RatioEstimate? ScalingRatio(CompareRun run, ComparePoint p) =>
        SpeedupOf(run, p) is { SameBackend: true } s ? s.Ratio : null;

    /// <summary>
    /// How many times faster this backend is than managed-parallel at the same ranks x threads on
    /// the same path (the "native over managed" ratio); null for the managed backends themselves.
    /// </summary>
    public static double? OverManaged(CompareRun run, ComparePoint p) => OverManagedRatio(run, p)?.Value;

    /// <summary><see cref="OverManaged"/> with its uncertainty.</summary>
    public static RatioEstimate? OverManagedRatio(CompareRun run, ComparePoint p) =>
        p.Backend is Baseline or ManagedParallel ? null
        : ManagedAt(run, p) is ComparePoint m ? Ratio(p, m) : null;

    /// <summary>managed-parallel's point at the shape and path of <paramref name="p"/>, if measured.</summary>
    public static ComparePoint? ManagedAt(CompareRun run, ComparePoint p)
    {
        ComparePoint[] managed = [.. run.Points.Where(m => m.Workload == p.Workload && m.Backend == ManagedParallel && m.Ranks == p.Ranks && m.Threads == p.Threads && m.Schedule == p.Schedule)];
        return managed.FirstOrDefault(m => m.Isa == p.Isa) ?? (SeveralPaths(run) ? null : managed.FirstOrDefault());
    }
}
