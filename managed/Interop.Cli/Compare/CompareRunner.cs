using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli.Compare;

/// <summary>
/// One workload of a compare run and the backends that run it, in the order they run (for inv: the
/// single-process backends, then those over every rank of the job). The list may be empty.
/// </summary>
internal sealed record WorkloadPlan(IWorkload Workload, IReadOnlyList<IBackend> Backends);

/// <summary>
/// A workload's size given on the command line or taken from a --baseline run (null: calibrated),
/// and that of its serial baseline's points when it differs and came from the baseline (pi's
/// managed-serial darts; null: as <see cref="Size"/>, else calibrated).
/// </summary>
internal sealed record PlannedSize(long? Size, long? SerialSize = null);

/// <summary>What one `interop compare` run measures, workload by workload; sizes the user did not give are calibrated.</summary>
internal sealed record ComparePlan(
    IReadOnlyList<WorkloadPlan> Workloads,
    IReadOnlyList<int> Threads,
    IReadOnlyList<Isa> Paths,
    IReadOnlyDictionary<IWorkload, PlannedSize> Sizes,
    ulong Seed,
    RepeatPolicy Repeat,
    CompareBudget Budget)
{
    /// <summary>Untimed runs before every point's timed ones (--warmup, default 1).</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Where sizes that were not calibrated came from, for the header: "given", "from the baseline ...".</summary>
    public string SizeSource { get; init; } = "given";

    /// <summary>The size of <paramref name="workload"/> given or taken from the baseline; null: calibrated.</summary>
    public long? SizeOf(IWorkload workload) => Sizes.TryGetValue(workload, out PlannedSize? size) ? size.Size : null;

    /// <summary>The size of <paramref name="workload"/>'s serial baseline when taken from the baseline; null: as <see cref="SizeOf"/>.</summary>
    public long? SerialSizeOf(IWorkload workload) => Sizes.TryGetValue(workload, out PlannedSize? size) ? size.SerialSize : null;

    /// <summary>The workloads' names, in the order they run: "pi", "inv".</summary>
    public IReadOnlyList<string> Names => [.. Workloads.Select(w => w.Workload.Name)];

    /// <summary>Every backend of every workload, in the order they run (a backend of two workloads twice).</summary>
    public IReadOnlyList<IBackend> Backends => [.. Workloads.SelectMany(w => w.Backends)];

    /// <summary>Whether the run measures <paramref name="workload"/> (even with no backend for it).</summary>
    public bool Has(IWorkload workload) => Workloads.Any(w => w.Workload == workload);

    /// <summary>The backends that run <paramref name="workload"/>; none when the run does not measure it.</summary>
    public IReadOnlyList<IBackend> BackendsOf(IWorkload workload) => Workloads.FirstOrDefault(w => w.Workload == workload)?.Backends ?? [];

    /// <summary>Every (workload, backend, threads) point of one path, in the order they run: serial backends at 1 thread only.</summary>
    public IEnumerable<(IWorkload Workload, IBackend Backend, int Threads)> Points()
    {
        foreach ((IWorkload workload, IReadOnlyList<IBackend> backends) in Workloads)
        {
            foreach (IBackend backend in backends)
            {
                foreach (int t in backend.IsParallel ? Threads : [1])
                {
                    yield return (workload, backend, t);
                }
            }
        }
    }

    /// <summary>1, 2, 4, ... up to <paramref name="cpus"/>, and <paramref name="cpus"/> itself.</summary>
    public static IReadOnlyList<int> DefaultThreads(int cpus)
    {
        var counts = new SortedSet<int>();
        for (int t = 1; t <= cpus; t *= 2)
        {
            counts.Add(t);
        }

        counts.Add(Math.Max(1, cpus));
        return [.. counts];
    }
}

/// <summary>One point a compare run will measure: the path switched to, the workload, backend and threads, and the path the backend then runs.</summary>
internal sealed record ScheduledPoint(Isa Path, IWorkload Workload, IBackend Backend, int Threads, string Isa);

/// <summary>
/// Runs a <see cref="ComparePlan"/> over the ranks of a job: every point gets one warm-up and
/// <see cref="ComparePlan.Repeat"/> timed runs, and every result is verified (pi: one count for all
/// points; inv: the scaled residual). Inversion runs on rank 0 alone. Each finished point is handed
/// to <c>finished</c> with every point so far, so that they can be saved as the run goes.
/// </summary>
internal sealed class CompareRunner(IJob job, ComparePlan plan, CompareSizes sizes, IProgress<CompareProgress> progress)
{
    private readonly List<ComparePoint> points = [];

    /// <summary>
    /// Every point of <paramref name="plan"/> in the order they run, each path switched to in turn.
    /// A backend whose path does not follow the switch (the serial pi loop, OpenBLAS once loaded)
    /// appears once, not once per path. Leaves the first path selected.
    /// </summary>
    public static IReadOnlyList<ScheduledPoint> Schedule(ComparePlan plan)
    {
        var schedule = new List<ScheduledPoint>();
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload workload, IBackend backend, int threads) in plan.Points())
            {
                string isa = IsaNames.Name(workload.PathOf(backend));
                if (!schedule.Any(p => p.Workload == workload && p.Backend.Name == backend.Name && p.Threads == threads && p.Isa == isa))
                {
                    schedule.Add(new ScheduledPoint(path, workload, backend, threads, isa));
                }
            }
        }

        IsaSwitch.Apply(plan.Paths[0]);
        return schedule;
    }

    /// <summary>
    /// The keys (<see cref="PointKey"/>) of the points <paramref name="schedule"/> will measure on
    /// <paramref name="ranks"/> ranks; a size not known yet (to be calibrated) is 0.
    /// </summary>
    public static IReadOnlyList<PointKey> Keys(IReadOnlyList<ScheduledPoint> schedule, ComparePlan plan, int ranks) =>
        [.. schedule.Select(p => new PointKey(p.Workload.Name, p.Backend.Name, OnAllRanks(p) ? ranks : 1, p.Threads, p.Isa,
            (p.Backend.IsParallel ? null : plan.SerialSizeOf(p.Workload)) ?? plan.SizeOf(p.Workload) ?? 0,
            plan.Seed.ToString(CultureInfo.InvariantCulture)))];

    /// <summary>The points this rank measures of <paramref name="schedule"/> (rank 0: all; the others: pi and the distributed inversions).</summary>
    public static int Count(IReadOnlyList<ScheduledPoint> schedule, bool root) => schedule.Count(p => root || OnAllRanks(p));

    // pi splits its darts over the ranks, a distributed inversion its matrix; the other inversions run on rank 0 alone.
    private static bool OnAllRanks(ScheduledPoint p) => p.Workload.OnEveryRank(p.Backend);

    public IReadOnlyList<ComparePoint> Run(IReadOnlyList<ScheduledPoint> schedule, Action<IReadOnlyList<ComparePoint>> finished)
    {
        int total = Count(schedule, job.IsRoot);
        int done = 0;
        var clock = Stopwatch.StartNew();
        InvBench? inv = null;
        foreach ((Isa path, IWorkload workload, IBackend backend, int threads, string isa) in schedule)
        {
            bool everyRank = workload.OnEveryRank(backend);
            if (!everyRank && !job.IsRoot)
            {
                continue;
            }

            IsaSwitch.Apply(path);
            progress.Report(new CompareProgress(done, total, workload.Name, backend.Name, everyRank ? job.Size : 1, threads, isa, clock.Elapsed));
            points.Add(backend switch
            {
                IPiBackend pi when workload is PiWorkload => MeasurePi(pi, threads) with { Isa = isa },
                IDistributedInvBackend distributed => MeasureDistributedInv(distributed, threads, inv) with { Isa = isa },
                _ => MeasureInv(inv ??= GenerateMatrix(), (IInvBackend)backend, threads) with { Isa = isa },
            });
            done++;
            finished(Settled(points));
        }

        IsaSwitch.Apply(plan.Paths[0]);
        progress.Report(new CompareProgress(done, total, null, null, job.Size, 0, null, clock.Elapsed));
        return Settled(points);
    }

    // The points as they stand: pi counts cross-checked, every inversion held against the limit now
    // kept for its path and threads (a later point that beat it had it measured again).
    private static List<ComparePoint> Settled(List<ComparePoint> points) => [.. VerifyPi(points).Select(LatestLimit)];

    private static ComparePoint LatestLimit(ComparePoint p) =>
        p.Workload == InvWorkload.Instance.Name && p.PeakGflops is double limit && p.Isa != "unknown"
            ? p with { PeakGflops = FmaLimits.Latest(new PathLimit(IsaNames.Parse(p.Isa, "isa"), p.Threads, limit))!.Gflops }
            : p;

    private ComparePoint MeasurePi(IPiBackend backend, int threads)
    {
        long darts = backend.IsParallel ? sizes.Of(PiWorkload.Instance) : sizes.SerialOf(PiWorkload.Instance);
        PiResult r = PiBench.Run(job, backend, plan.Seed, darts, threads, plan.Repeat, plan.Warmup);
        string check = $"inside={r.Inside.ToString(CultureInfo.InvariantCulture)}";
        bool verified = true;
        if (darts != sizes.Of(PiWorkload.Instance) && plan.BackendsOf(PiWorkload.Instance).OfType<IPiBackend>().FirstOrDefault(b => b.IsParallel) is IPiBackend other)
        {
            // Fewer darts than the other rows: no other row counted them, so count them again,
            // untimed, with another backend; the counts must agree exactly.
            long again = PiBench.Count(job, other, plan.Seed, darts, plan.Threads.Max());
            verified = again == r.Inside;
            check += verified ? $" (= {other.Name})" : $" ({other.Name}: {again.ToString(CultureInfo.InvariantCulture)})";
        }

        PiWorkload pi = PiWorkload.Instance;
        return new ComparePoint(pi.Name, backend.Name, r.Ranks, threads, r.Seconds, pi.WorkPerRun(darts), pi.ThroughputUnit, verified, check) { Size = darts, Inside = r.Inside };
    }

    // The order of the inversions' matrix: an int, since --size, a baseline and the calibration keep it within SpecMatrix.MaxOrder.
    private int Order => checked((int)sizes.Of(InvWorkload.Instance));

    private InvBench GenerateMatrix()
    {
        int threads = plan.Threads.Max();
        using var span = Tracing.Span("generate", "generate", $"n = {Order}");
        return new InvBench(SpecMatrix.Generate(Order, plan.Seed, threads), Order, threads);
    }

    private ComparePoint MeasureInv(InvBench bench, IInvBackend backend, int threads) =>
        InvPoint(bench.Run(backend, threads, new InvRunSettings(plan.Repeat, plan.Warmup)), string.Empty);

    // An inversion result as a point: GFLOP/s of 2n³, the residual (and the grid, for a distributed one) as its check.
    private static ComparePoint InvPoint(InvResult r, string detail) =>
        new(InvWorkload.Instance.Name, r.Backend, r.Ranks, r.Threads, r.Seconds, InvWorkload.Instance.WorkPerRun(r.N), InvWorkload.Instance.ThroughputUnit,
            r.Verified, $"residual={r.Residual.ToString("G3", CultureInfo.InvariantCulture)}{detail}")
        {
            Size = r.N,
            PeakGflops = r.Limit?.Gflops,
            DgemmGflops = r.Dgemm?.Gflops,
            Residual = r.Residual,
            MaxAbsDiffVsLapack = r.MaxDifferenceFromLapack,
        };

    // Every rank inverts its blocks of the spec's matrix, generated in place; the other ranks wait
    // for rank 0 (asleep, bounded) while it runs the single-process points before this one.
    private ComparePoint MeasureDistributedInv(IDistributedInvBackend backend, int threads, InvBench? bench)
    {
        (InvResult r, DistributedInversion done) = DistributedInvBench.Run(job, backend, new DistributedInvRequest(Order, plan.Seed, threads, Runs: 0),
            plan.Repeat, plan.Warmup, () => bench is not null ? bench.Peak(threads) : InvBench.PeakAt(Order, threads));
        return InvPoint(r, $" grid={done.GridRows}x{done.GridCols}");
    }

    // Points that threw the same darts must have counted the same number inside, or none of them is verified.
    private static List<ComparePoint> VerifyPi(List<ComparePoint> points)
    {
        HashSet<long> disagreeing = [.. points.Where(p => p.Workload == PiWorkload.Instance.Name).GroupBy(p => p.Size)
            .Where(g => g.Select(p => p.Check.Split(' ')[0]).Distinct().Count() > 1).Select(g => g.Key)];
        return [.. points.Select(p => p.Workload == PiWorkload.Instance.Name && disagreeing.Contains(p.Size) ? p with { Verified = false } : p)];
    }
}

/// <summary>Where a compare run is: <see cref="Done"/> of <see cref="Total"/> points finished, the next one named.</summary>
internal readonly record struct CompareProgress(int Done, int Total, string? Workload, string? Backend, int Ranks, int Threads, string? Isa, TimeSpan Elapsed);
