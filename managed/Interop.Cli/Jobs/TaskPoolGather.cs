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
    public static TaskPoolLoad All(IJob job, TaskPoolRun mine)
    {
        ArgumentNullException.ThrowIfNull(mine);
        return new TaskPoolLoad(job.GatherAll(mine.Chunks), job.GatherAll(mine.Items), job.GatherAll([mine.BusySeconds]));
    }
}
