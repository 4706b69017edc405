using System.Diagnostics;
using Interop.Cli.Jobs;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Sweep;

/// <summary>
/// Runs a sweep's tasks through a <see cref="TaskQueue{TTask, TResult}"/>: rank 0 submits every
/// (seed, darts) task in the sweep's order and gets back a task of its count for each; every rank
/// runs the queue, whose workers are the threads of every rank (chunks of one task, rank 0 working
/// too), so one process and any number of ranks run the same code. The counts come back in task
/// order whichever rank ran what.
/// </summary>
internal static class SweepRunner
{
    /// <summary>Collective: every rank runs some tasks; rank 0 returns the whole sweep, the others null.</summary>
    public static SweepRun? Run(IJob job, SweepOptions options)
    {
        var queue = new TaskQueue<SweepTask, long>(job.World);
        Task<long>[] counts = job.IsRoot ? [.. options.Tasks.Select(queue.Submit)] : [];
        job.Barrier();
        long started = Stopwatch.GetTimestamp();
        // The queue's workers are the threads of every rank, each task counted on the thread that took it:
        // small tasks cost no thread team each, and a large one at the end leaves the others busy.
        TaskPoolRun pool = queue.Run(task => options.Backend.CountInside(task.Seed, new IndexRange(0, task.Darts), 1), options.Threads);
        double wall = job.MaxAll(Stopwatch.GetElapsedTime(started).TotalSeconds);

        TaskPoolLoad work = TaskPoolGather.All(job, pool);
        if (!job.IsRoot)
        {
            return null;
        }

        RankWork[] ranks = [.. Enumerable.Range(0, job.Size).Select(r => new RankWork(r, work.Items[r], work.BusySeconds[r]))];
        // Complete: Run returned on rank 0 only once every result was back.
        long[] inside = Task.WhenAll(counts).GetAwaiter().GetResult();
        return new SweepRun(options, inside, ranks, wall, job.Description);
    }
}

/// <summary>What one rank did: the tasks it ran and the seconds it spent in them.</summary>
internal sealed record RankWork(int Rank, long Tasks, double BusySeconds);

/// <summary>
/// A finished sweep: each task's count of darts inside (in task order), each rank's work, the wall
/// time (the slowest rank's, from the tasks handed out to their counts back on rank 0).
/// </summary>
internal sealed record SweepRun(SweepOptions Options, IReadOnlyList<long> Inside, IReadOnlyList<RankWork> Ranks, double WallSeconds, string Job);
