using System.Diagnostics;
using Interop.Cli.Jobs;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// Measures one backend on Monte Carlo pi across the ranks of a job: the darts are split exactly
/// over ranks (contiguous index ranges, remainder spread), each rank counts its own range with the
/// backend's threads, and the counts are summed (split, apply, combine; the lesson's Pool.map and
/// MPI gather in one). A count that changes between repeats is an error.
/// </summary>
internal static class PiBench
{
    /// <summary>This rank's part of darts [0, <paramref name="darts"/>): contiguous, remainder spread.</summary>
    private static IndexRange Mine(IJob job, long darts) => RangeSplitter.Part(new IndexRange(0, darts), job.Size, job.Rank);

    /// <summary>One untimed count of darts [0, <paramref name="darts"/>) over the job's ranks (a cross-check).</summary>
    public static long Count(IJob job, IPiBackend backend, ulong seed, long darts, int threads) =>
        job.SumAll(backend.CountInside(seed, Mine(job, darts), threads));

    /// <summary>
    /// Seconds one count of <paramref name="darts"/> takes over the job (the slowest rank), after a
    /// small untimed warm-up: a probe run for calibrating sizes.
    /// </summary>
    public static double Probe(IJob job, IPiBackend backend, ulong seed, long darts, int threads)
    {
        Count(job, backend, seed, Math.Min(darts, 1L << 16), threads);
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        backend.CountInside(seed, Mine(job, darts), threads);
        return job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    public static PiResult Run(IJob job, IPiBackend backend, ulong seed, long darts, int threads, int repeat) =>
        Run(job, backend, seed, darts, threads, RepeatPolicy.Fixed(repeat));

    /// <summary>
    /// This rank's count of the darts inside: its own range (static, split by the backend over its
    /// threads), or the chunks the task pool gives its threads (dynamic, guided; each chunk counted by
    /// the backend on the thread that took it, so the schedule spans threads as well as ranks), with
    /// what this rank ran of the pool (null under static).
    /// </summary>
    private static (long Inside, TaskPoolRun? Pool) CountMine(IJob job, IPiBackend backend, ulong seed, long darts, int threads, int workers, RankSchedule schedule)
    {
        if (!schedule.Dynamic)
        {
            return (backend.CountInside(seed, Mine(job, darts), threads), null);
        }

        long inside = 0;
        TaskPoolRun pool = job.Map(darts, schedule.ChunkFor(darts, workers), schedule.Guided, (first, count) =>
            Interlocked.Add(ref inside, backend.CountInside(seed, new IndexRange(first, first + count), 1)), threads);
        return (inside, pool);
    }

    /// <summary>
    /// <paramref name="warmup"/> untimed counts, then timed ones as <paramref name="repeat"/> says.
    /// Every rank sees the same timings (the slowest rank's), so every rank stops after the same run.
    /// Under a task-pool schedule the result carries each rank's chunks, darts and busy time of the
    /// run whose time is the median (<see cref="TaskPoolLoad.MedianRun"/>), gathered from every rank.
    /// In a heterogeneous job <paramref name="rankThreads"/> holds every rank's threads (this rank's
    /// being <paramref name="threads"/>): the pool has their sum of workers, a static split still one
    /// equal range per rank.
    /// </summary>
    public static PiResult Run(IJob job, IPiBackend backend, ulong seed, long darts, int threads, RepeatPolicy repeat, int warmup = 1,
        RankSchedule? schedule = null, IReadOnlyList<int>? rankThreads = null)
    {
        schedule ??= RankSchedule.Static(ScheduleUnit.Darts);
        int workers = rankThreads?.Sum() ?? job.Size * threads;
        string split = schedule.Dynamic ? $"darts [0, {darts}) {schedule.Describe(darts, workers)}" : $"darts {Mine(job, darts)}";
        long? inside = null;
        for (int i = 0; i < warmup; i++)
        {
            inside = job.SumAll(CountMine(job, backend, seed, darts, threads, workers, schedule).Inside);
        }

        var seconds = new List<double>(repeat.MinRuns);
        var compute = new List<double>(repeat.MinRuns);
        var communication = new List<double>(repeat.MinRuns);
        var pools = new List<TaskPoolRun?>(repeat.MinRuns);
        while (!repeat.Done(seconds))
        {
            job.Barrier();
            job.TakeCommunicationSeconds();
            long start = Stopwatch.GetTimestamp();
            long local;
            using (Tracing.Span($"pi {backend.Name}", "compute", $"{threads} thread(s), {split}"))
            {
                (local, TaskPoolRun? pool) = CountMine(job, backend, seed, darts, threads, workers, schedule);
                pools.Add(pool);
            }

            compute.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            long total;
            using (Tracing.Span("reduce", "mpi"))
            {
                total = job.SumAll(local);
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            communication.Add(job.TakeCommunicationSeconds());
            seconds.Add(job.MaxAll(wall));
            TaskPoolGather.CheckEveryItemRan(job, pools[^1], darts, "darts");
            inside ??= total;
            if (total != inside)
            {
                throw new InvalidOperationException($"{backend.Name} counted {total} darts inside, then {inside} on an earlier run of the same darts");
            }
        }

        double[] rankCompute = job.GatherAll([TimingStats.From(compute).Median]);
        double[] rankCommunication = job.GatherAll([TimingStats.From(communication).Median]);
        TaskPoolLoad? load = TaskPoolGather.OfMedianRun(job, pools, seconds);
        return new PiResult(backend.Name, threads, job.Size, darts, seed, inside!.Value, seconds, rankCompute, rankCommunication.Max(), backend.PiIsa)
        {
            Pool = load,
            RankThreads = rankThreads,
        };
    }

    /// <summary>Each rank's darts under the static split, in rank order (equal ranges, whatever the ranks' threads).</summary>
    public static long[] StaticItems(int ranks, long darts) =>
        [.. Enumerable.Range(0, ranks).Select(r => RangeSplitter.Part(new IndexRange(0, darts), ranks, r).Length)];
}
