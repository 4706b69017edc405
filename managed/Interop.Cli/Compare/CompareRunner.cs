using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// One workload of a compare run and the backends that run it, in the order they run (as the workload
/// selected them: single-process backends before those over every rank of the job). The list may be empty.
/// </summary>
internal sealed record WorkloadPlan(IWorkload Workload, IReadOnlyList<IBackend> Backends);

/// <summary>
/// A workload's size given on the command line or taken from a --baseline run (null: calibrated),
/// and that of its serial baseline's points when it differs and came from the baseline (the
/// managed-serial points' smaller size; null: as <see cref="Size"/>, else calibrated).
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

    /// <summary>
    /// compare --schedule: the schedules each point of a workload that schedules its items is measured under,
    /// as <see cref="RankSchedule.Text"/> spells them, in the order given (default static alone).
    /// </summary>
    public IReadOnlyList<string> Schedules { get; init; } = ["static"];

    /// <summary>
    /// The schedules <paramref name="backend"/>'s points of <paramref name="workload"/> run under: null alone for a
    /// workload that does not schedule its items; static alone for a serial backend (the baseline speedups are
    /// taken against, which has one worker to schedule); else <see cref="Schedules"/>.
    /// </summary>
    public IReadOnlyList<string?> SchedulesOf(IWorkload workload, IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(backend);
        if (workload.ScheduledItems is null)
        {
            return [null];
        }

        return backend.IsParallel ? [.. Schedules] : ["static"];
    }

    /// <summary>Where sizes that were not calibrated came from, for the header: "given", "from the baseline ...".</summary>
    public string SizeSource { get; init; } = "given";

    /// <summary>The size of <paramref name="workload"/> given or taken from the baseline; null: calibrated.</summary>
    public long? SizeOf(IWorkload workload) => Sizes.TryGetValue(workload, out PlannedSize? size) ? size.Size : null;

    /// <summary>The size of <paramref name="workload"/>'s serial baseline when taken from the baseline; null: as <see cref="SizeOf"/>.</summary>
    public long? SerialSizeOf(IWorkload workload) => Sizes.TryGetValue(workload, out PlannedSize? size) ? size.SerialSize : null;

    /// <summary>The workloads' names, in the order they run.</summary>
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

    /// <summary>
    /// In a heterogeneous job, every rank's threads at the point this rank runs with
    /// <paramref name="threads"/> (the ranks' --threads lists pair by position); null when the job is
    /// not heterogeneous or every rank runs the same count at that position.
    /// </summary>
    public IReadOnlyList<int>? RankThreadsAt(IJob job, int threads)
    {
        ArgumentNullException.ThrowIfNull(job);
        int position = Threads.ToList().IndexOf(threads);
        if (job.Heterogeneous is not RankThreads heterogeneous || position < 0)
        {
            return null;
        }

        int[] all = heterogeneous.At(position);
        return all.Distinct().Count() > 1 ? all : null;
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

/// <summary>
/// One point a compare run will measure: the path switched to, the workload, backend and threads, the path the
/// backend then runs, and the schedule of its items (null: the workload does not schedule them).
/// </summary>
internal sealed record ScheduledPoint(Isa Path, IWorkload Workload, IBackend Backend, int Threads, string Isa, string? Schedule = null);

/// <summary>
/// Measures one workload's points of a compare run, one point at a time, with the sizes chosen (see
/// <see cref="IWorkload.Measurer"/>): on every rank for a point that runs on every rank, else on rank 0.
/// </summary>
internal interface IPointMeasurer
{
    /// <summary>
    /// <paramref name="backend"/> at <paramref name="threads"/> threads on the path switched to: the
    /// warm-up, the timed runs as the plan's repeat policy says, the result verified; its items split by
    /// <paramref name="schedule"/> (<see cref="RankSchedule.Text"/>; null for a workload that does not schedule them).
    /// </summary>
    ComparePoint Measure(IBackend backend, int threads, string? schedule);
}

/// <summary>
/// Runs a <see cref="ComparePlan"/> over the ranks of a job: every point gets its warm-up and
/// <see cref="ComparePlan.Repeat"/> timed runs from its workload's measurer, and every result is
/// verified, alone and against the workload's other points (<see cref="IWorkload.Settle"/>). A point
/// runs on every rank or on rank 0 alone as its workload says. Each finished point is handed to
/// <c>finished</c> with every point so far, so that they can be saved as the run goes.
/// </summary>
internal sealed class CompareRunner(IJob job, ComparePlan plan, CompareSizes sizes, IProgress<CompareProgress> progress)
{
    private readonly List<ComparePoint> points = [];
    private readonly List<ScheduledPoint> measured = [];

    /// <summary>After <see cref="Run"/>: the note on the points measured again (for rank 0 to print once the progress line is gone), or null.</summary>
    public string? SecondPassNote { get; private set; }

    /// <summary>
    /// Every point of <paramref name="plan"/> in the order they run, each path switched to in turn.
    /// A backend whose path does not follow the switch (a plain serial loop, OpenBLAS once loaded)
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
                // Each schedule a point of its own, measured one after the other at the same shape.
                foreach (string? items in plan.SchedulesOf(workload, backend))
                {
                    if (!schedule.Any(p => p.Workload == workload && p.Backend.Name == backend.Name && p.Threads == threads && p.Isa == isa && p.Schedule == items))
                    {
                        schedule.Add(new ScheduledPoint(path, workload, backend, threads, isa, items));
                    }
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
            plan.Seed.ToString(CultureInfo.InvariantCulture)) { Schedule = p.Schedule ?? string.Empty })];

    /// <summary>The points this rank measures of <paramref name="schedule"/> (rank 0: all; the others: those whose workload runs them on every rank).</summary>
    public static int Count(IReadOnlyList<ScheduledPoint> schedule, bool root) => schedule.Count(p => root || OnAllRanks(p));

    // A workload splits such a point's work over the ranks (darts, a distributed matrix); its other points run on rank 0 alone.
    private static bool OnAllRanks(ScheduledPoint p) => p.Workload.OnEveryRank(p.Backend);

    public IReadOnlyList<ComparePoint> Run(IReadOnlyList<ScheduledPoint> schedule, Action<IReadOnlyList<ComparePoint>> finished)
    {
        int total = Count(schedule, job.IsRoot);
        int done = 0;
        var clock = Stopwatch.StartNew();
        Dictionary<IWorkload, IPointMeasurer> measurers = plan.Workloads.ToDictionary(w => w.Workload, w => w.Workload.Measurer(job, plan, sizes));
        foreach ((Isa path, IWorkload workload, IBackend backend, int threads, string isa, string? items) in schedule)
        {
            bool everyRank = workload.OnEveryRank(backend);
            if (!everyRank && !job.IsRoot)
            {
                continue;
            }

            IsaSwitch.Apply(path);
            progress.Report(new CompareProgress(done, total, workload.Name, backend.Name, everyRank ? job.Size : 1, threads, isa, clock.Elapsed));
            points.Add(measurers[workload].Measure(backend, threads, items) with { Isa = isa, Schedule = items });
            measured.Add(new ScheduledPoint(path, workload, backend, threads, isa, items));
            done++;
            finished(Settled(points));
        }

        // The repeat policy's second pass over the noisy points, within what the budget has left.
        // Rank 0 decides for the points every rank measures; each rank's list holds only its own
        // points, whose every-rank ones come in the same order on every rank.
        int[] rounds = SecondPass.Run(job, plan.Repeat, points, p => p.Seconds, i =>
        {
            ScheduledPoint again = measured[i];
            IsaSwitch.Apply(again.Path);
            progress.Report(new CompareProgress(done, total, again.Workload.Name, again.Backend.Name, again.Workload.OnEveryRank(again.Backend) ? job.Size : 1, again.Threads, again.Isa, clock.Elapsed));
            return measurers[again.Workload].Measure(again.Backend, again.Threads, again.Schedule) with { Isa = again.Isa, Schedule = again.Schedule };
        }, i => measured[i].Workload.OnEveryRank(measured[i].Backend), plan.Budget.Seconds * plan.Paths.Count, Label, stderr: null);
        for (int i = 0; i < points.Count; i++)
        {
            points[i] = points[i] with { RemeasureRounds = rounds[i] };
        }

        if (rounds.Any(r => r > 0))
        {
            finished(Settled(points));
        }

        SecondPassNote = SecondPass.Note([.. points.Select(p => (Label(p), p.RemeasureRounds, p.Stats))], plan.Budget.Seconds * plan.Paths.Count);
        IsaSwitch.Apply(plan.Paths[0]);
        progress.Report(new CompareProgress(done, total, null, null, job.Size, 0, null, clock.Elapsed));
        return Settled(points);
    }

    // A point as the second pass names it: "pi c-openmp 2x1", with its schedule where the run has several.
    private string Label(ComparePoint p) =>
        $"{p.Workload} {p.Backend} {p.Ranks}x{p.Threads}" + (p.Schedule is not null && plan.Schedules.Count > 1 ? $" {p.Schedule}" : string.Empty);

    // The points as they stand, each workload's settled by the workload (checked against each other,
    // held against the references kept now), in the order they were measured.
    private List<ComparePoint> Settled(List<ComparePoint> measured)
    {
        ComparePoint[] settled = [.. measured];
        foreach (IWorkload workload in plan.Workloads.Select(w => w.Workload))
        {
            int[] mine = [.. Enumerable.Range(0, measured.Count).Where(i => measured[i].Workload == workload.Name)];
            IReadOnlyList<ComparePoint> checkedPoints = workload.Settle([.. mine.Select(i => measured[i])]);
            for (int j = 0; j < mine.Length; j++)
            {
                settled[mine[j]] = checkedPoints[j];
            }
        }

        return [.. settled];
    }
}

/// <summary>Where a compare run is: <see cref="Done"/> of <see cref="Total"/> points finished, the next one named.</summary>
internal readonly record struct CompareProgress(int Done, int Total, string? Workload, string? Backend, int Ranks, int Threads, string? Isa, TimeSpan Elapsed);
