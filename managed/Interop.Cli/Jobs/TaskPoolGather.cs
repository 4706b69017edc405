using System.Runtime.InteropServices;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Jobs;

/// <summary>
/// Every rank's part of one task-pool run, gathered so that rank 0 can report who ran what
/// (<see cref="TaskPoolLoad"/>): the chunks and items as whole numbers (a count of darts can pass
/// 2^53, which a double would round), the busy seconds as doubles. Collective.
/// </summary>
internal static class TaskPoolGather
{
    /// <summary>
    /// "task pool, c-openmp: rank 0 ran 40 chunks (1.2e9 darts, busy 0.61 s), rank 1 ran 24 chunks (...)":
    /// who ran what, in the run whose time is the median, the items as <paramref name="items"/> writes them.
    /// </summary>
    public static string Line(string backend, TaskPoolLoad pool, string unit, Func<long, string> items) =>
        $"task pool, {backend}: " + string.Join(", ", Enumerable.Range(0, pool.Chunks.Count).Select(rank =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"rank {rank} ran {pool.Chunks[rank]} chunk{(pool.Chunks[rank] == 1 ? string.Empty : "s")} ({items(pool.Items[rank])} {unit}, busy {Units.Seconds(pool.BusySeconds[rank])})")));

    /// <summary>
    /// Every rank's part of the run whose time is the median (<see cref="TaskPoolLoad.MedianRun"/>)
    /// among <paramref name="pools"/>, one per timed run in the order of <paramref name="seconds"/>,
    /// with each rank's threads' chunks and busy seconds; null when that run used no pool (a static
    /// split). Collective.
    /// </summary>
    public static TaskPoolLoad? OfMedianRun(IJob job, IReadOnlyList<TaskPoolRun?> pools, IReadOnlyList<double> seconds) =>
        pools[TaskPoolLoad.MedianRun(seconds)] is TaskPoolRun mine
            ? All(job, mine) with
            {
                ThreadChunks = PerRank<long>(job, mine.ThreadChunks),
                ThreadBusySeconds = PerRank<double>(job, mine.ThreadBusySeconds),
            }
            : null;

    /// <summary>
    /// "load, c-openmp (static): rank 0 (2 threads) computed 0.31 s for 500,000,000 darts, rank 1 (1 thread)
    /// computed 0.61 s for 500,000,000 darts; slowest/mean 1.33": how evenly the schedule loaded the
    /// ranks, under any schedule, from each rank's compute seconds (the slowest rank holds up the job).
    /// </summary>
    public static string LoadLine(string backend, string schedule, IReadOnlyList<double> computeSeconds, IReadOnlyList<long> items,
        IReadOnlyList<int> threads, string unit, Func<long, string> format)
    {
        ArgumentNullException.ThrowIfNull(computeSeconds);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(threads);
        ArgumentNullException.ThrowIfNull(format);
        return $"load, {backend} ({schedule}): " + string.Join(", ", Enumerable.Range(0, computeSeconds.Count).Select(rank =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"rank {rank} ({threads[rank]} thread{(threads[rank] == 1 ? string.Empty : "s")}) computed {Units.Seconds(computeSeconds[rank])} for {format(items[rank])} {unit}"))) +
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; slowest/mean {SlowestOverMean(computeSeconds):0.00}");
    }

    /// <summary>The slowest rank's seconds over the mean: 1 when the ranks finished together; NaN without time.</summary>
    public static double SlowestOverMean(IReadOnlyList<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        double mean = seconds.Count == 0 ? 0 : seconds.Average();
        return mean > 0 ? seconds.Max() / mean : double.NaN;
    }

    // A list of any length from every rank (ranks of a heterogeneous job have different thread counts).
    private static IReadOnlyList<IReadOnlyList<T>> PerRank<T>(IJob job, IReadOnlyList<T> mine)
        where T : unmanaged =>
        [.. job.GatherAll(MemoryMarshal.AsBytes(mine.ToArray().AsSpan()).ToArray()).Select(b => (IReadOnlyList<T>)MemoryMarshal.Cast<byte, T>(b).ToArray())];

    /// <summary>
    /// Checks that the ranks' chunks of one pool run held exactly the run's <paramref name="items"/>: a
    /// chunk run twice or never (a counter per node where one for the job was meant) would otherwise
    /// give a total that every backend agrees on and that is still wrong. Collective; nothing to check
    /// without a pool (a static split, on every rank alike).
    /// </summary>
    public static void CheckEveryItemRan(IJob job, TaskPoolRun? pool, long items, string unit)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (pool is not null && job.SumAll(pool.Items) is long ran && ran != items)
        {
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"task pool: the ranks' chunks held {ran} {unit} of the run's {items}: a chunk ran twice or never"));
        }
    }

    public static TaskPoolLoad All(IJob job, TaskPoolRun mine)
    {
        ArgumentNullException.ThrowIfNull(mine);
        return new TaskPoolLoad(job.GatherAll(mine.Chunks), job.GatherAll(mine.Items), job.GatherAll([mine.BusySeconds]));
    }
}
