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
    /// among <paramref name="pools"/>, one per timed run in the order of <paramref name="seconds"/>;
    /// null when that run used no pool (a static split). Collective.
    /// </summary>
    public static TaskPoolLoad? OfMedianRun(IJob job, IReadOnlyList<TaskPoolRun?> pools, IReadOnlyList<double> seconds) =>
        pools[TaskPoolLoad.MedianRun(seconds)] is TaskPoolRun mine ? All(job, mine) : null;

    public static TaskPoolLoad All(IJob job, TaskPoolRun mine)
    {
        ArgumentNullException.ThrowIfNull(mine);
        return new TaskPoolLoad(job.GatherAll(mine.Chunks), job.GatherAll(mine.Items), job.GatherAll([mine.BusySeconds]));
    }
}
