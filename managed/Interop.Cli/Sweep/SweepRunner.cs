using System.Diagnostics;
using System.Runtime.InteropServices;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>
/// Runs a sweep's tasks through the task pool (<see cref="IJob.Map"/>, chunks of one task taken by the
/// threads of every rank, so one process and any number of ranks run the same code, rank 0 working too) and gathers every count
/// to its task's place on every rank: the result does not depend on which rank ran what.
/// </summary>
internal static class SweepRunner
{
    /// <summary>Marks a task this rank did not run.</summary>
    private const long NotRun = -1;

    /// <summary>Collective: every rank runs some tasks; every rank returns the whole sweep.</summary>
    public static SweepRun Run(IJob job, SweepOptions options)
    {
        IReadOnlyList<SweepTask> tasks = options.Tasks;
        long[] mine = new long[tasks.Count];
        Array.Fill(mine, NotRun);
        job.Barrier();
        long started = Stopwatch.GetTimestamp();
        // The pool's workers are the threads of every rank, each task counted on the thread that took it:
        // small tasks cost no thread team each, and a large one at the end leaves the others busy.
        Mpi.TaskPoolRun pool = job.Map(tasks.Count, chunk: 1, guided: false, (first, count) =>
        {
            for (long i = first; i < first + count; i++)
            {
                SweepTask task = tasks[(int)i];
                mine[i] = options.Backend.CountInside(task.Seed, new IndexRange(0, task.Darts), 1);
            }
        }, options.Threads);
        double wall = job.MaxAll(Stopwatch.GetElapsedTime(started).TotalSeconds);

        byte[][] all = job.GatherAll(MemoryMarshal.AsBytes(mine.AsSpan()).ToArray());
        long[][] byRank = [.. all.Select(bytes => MemoryMarshal.Cast<byte, long>(bytes).ToArray())];
        TaskPoolLoad work = TaskPoolGather.All(job, pool);
        RankWork[] ranks = [.. Enumerable.Range(0, job.Size).Select(r => new RankWork(r, work.Items[r], work.BusySeconds[r]))];
        return new SweepRun(options, Merge(byRank), ranks, wall, job.Description);
    }

    /// <summary>
    /// Every task's count from the rank that ran it, and how many ranks ran it (exactly one each, or
    /// the check fails): <paramref name="byRank"/>[r][i] is rank r's count of task i, or -1.
    /// </summary>
    public static TaskCounts Merge(IReadOnlyList<long[]> byRank)
    {
        int tasks = byRank[0].Length;
        long[] inside = new long[tasks];
        int[] runs = new int[tasks];
        foreach (long[] rank in byRank)
        {
            for (int i = 0; i < tasks; i++)
            {
                if (rank[i] != NotRun)
                {
                    inside[i] = rank[i];
                    runs[i]++;
                }
            }
        }

        return new TaskCounts(inside, runs);
    }
}

/// <summary>Each task's count of darts inside (in task order) and how many ranks ran it.</summary>
internal sealed record TaskCounts(IReadOnlyList<long> Inside, IReadOnlyList<int> Runs);

/// <summary>What one rank did: the tasks it ran and the seconds it spent in them.</summary>
internal sealed record RankWork(int Rank, long Tasks, double BusySeconds);

/// <summary>A finished sweep: the counts in task order, each rank's work, the wall time (the slowest rank's).</summary>
internal sealed record SweepRun(SweepOptions Options, TaskCounts Counts, IReadOnlyList<RankWork> Ranks, double WallSeconds, string Job);
