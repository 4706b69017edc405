namespace Interop.Mpi.Tests;

/// <summary>
/// The task queue over the ranks (TaskQueue with Communicator.World): rank 0 submits, every rank runs;
/// every task run exactly once over the ranks, its result on rank 0's Task in submission order, for
/// none, one, fewer tasks than ranks and many, with several threads and larger chunks, a second run of
/// the same queue; Submit refused on any other rank; a failing task faulting rank 0's tasks (one rank;
/// with several, FailureModes.QueueTaskFails and QueueRootTaskFails end the job).
/// </summary>
internal static class QueueChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        checks.Add("queue: 200 tasks, each once, results in submission order", () => EachOnceInOrder(world, 200, workers: 1, chunk: 1));
        checks.Add("queue: 2 worker threads on every rank, chunks of 3, each once in order", () => EachOnceInOrder(world, 100, workers: 2, chunk: 3));
        checks.Add("queue: no tasks", () => EachOnceInOrder(world, 0, workers: 1, chunk: 1));
        checks.Add("queue: one task", () => EachOnceInOrder(world, 1, workers: 2, chunk: 1));
        checks.Add("queue: more ranks than tasks", () => EachOnceInOrder(world, Math.Max(0, context.Size - 1), workers: 1, chunk: 1));
        checks.Add("queue: a second run of the same queue", () => SecondRun(world));
        checks.Add("queue: Submit is refused on every rank but 0", () => SubmitRefused(world));
        checks.Add("queue: a failing task on rank 0 faults every task of the run (one rank)", () => RootTaskFails(world));
    }

    /// <summary>A task: its place in the order of submission and a value to compute from.</summary>
    internal readonly record struct Probe(int Id, long Value);

    // The tasks go in a shuffled order of ids, so a result at the wrong place shows; each rank counts
    // the tasks it ran by id (summed over ranks: exactly 1 each) and rank 0 checks every result.
    private static string? EachOnceInOrder(Communicator world, int count, int workers, long chunk)
    {
        var queue = new TaskQueue<Probe, long>(world);
        int[] ids = [.. Enumerable.Range(0, count).OrderBy(i => (i * 37) % Math.Max(count, 1))];
        Task<long>[] results = world.Rank == 0 ? [.. ids.Select(id => queue.Submit(new Probe(id, 1000 + id)))] : [];
        long[] seen = new long[count];
        // Many tasks take a millisecond each, so that every rank runs some and their results travel to rank 0.
        int pause = count >= 100 ? 1 : 0;
        TaskPoolRun run = queue.Run(probe =>
        {
            Interlocked.Increment(ref seen[probe.Id]);
            Thread.Sleep(pause);
            return probe.Value * probe.Value;
        }, workers, chunk);

        long[] total = new long[count];
        world.Allreduce<long>(seen, total, MpiOp.Sum);
        int wrong = Array.FindIndex(total, n => n != 1);
        if (wrong >= 0)
        {
            return $"task {wrong} ran {total[wrong]} times over the ranks";
        }

        long items = world.Allreduce(run.Items, MpiOp.Sum);
        if (items != count || run.ThreadChunks.Count != workers)
        {
            return $"the ranks report {items} tasks run, not {count} (rank {world.Rank}: {run.ThreadChunks.Count} threads, not {workers})";
        }

        long idle = world.Allreduce(run.Items == 0 ? 1L : 0L, MpiOp.Sum);
        if (pause > 0 && idle > 0)
        {
            return $"{idle} rank(s) ran none of {count} tasks of 1 ms: the results of other ranks than 0 went untested";
        }

        for (int i = 0; i < results.Length; i++)
        {
            long expected = (1000L + ids[i]) * (1000L + ids[i]);
            if (!results[i].IsCompletedSuccessfully || results[i].Result != expected)
            {
                return $"submission {i} (task {ids[i]}): {results[i].Status}, {(results[i].IsCompletedSuccessfully ? results[i].Result : 0)}, expected {expected}";
            }
        }

        return queue.Count == 0 ? null : $"{queue.Count} tasks still queued after the run";
    }

    // Tasks submitted after a run wait for the next; the next runs them alone.
    private static string? SecondRun(Communicator world)
    {
        var queue = new TaskQueue<Probe, long>(world);
        bool root = world.Rank == 0;
        Task<long>[] first = root ? [.. Enumerable.Range(0, 5).Select(i => queue.Submit(new Probe(i, i)))] : [];
        queue.Run(probe => probe.Value + 1);
        Task<long>[] second = root ? [.. Enumerable.Range(0, 3).Select(i => queue.Submit(new Probe(i, 10 * i)))] : [];
        if (second.Any(t => t.IsCompleted))
        {
            return "a task submitted after the run was completed before the next";
        }

        TaskPoolRun run = queue.Run(probe => probe.Value + 2);
        long ran = world.Allreduce(run.Items, MpiOp.Sum);
        if (ran != 3)
        {
            return $"the second run ran {ran} tasks, not 3";
        }

        return root && (!first.Select(t => t.Result).SequenceEqual([1L, 2, 3, 4, 5]) || !second.Select(t => t.Result).SequenceEqual([2L, 12, 22]))
            ? $"results {string.Join(",", first.Select(t => t.Result))} then {string.Join(",", second.Select(t => t.Result))}"
            : null;
    }

    private static string? SubmitRefused(Communicator world)
    {
        var queue = new TaskQueue<Probe, long>(world);
        if (world.Rank == 0)
        {
            return null;
        }

        try
        {
            queue.Submit(new Probe(0, 0));
            return $"rank {world.Rank} submitted a task";
        }
        catch (InvalidOperationException e)
        {
            return e.Message.Contains($"rank {world.Rank} cannot submit tasks", StringComparison.Ordinal) ? null : $"refused with '{e.Message}'";
        }
    }

    // With one rank only: with several, the others would wait for rank 0's replies until the job is ended.
    private static string? RootTaskFails(Communicator world)
    {
        if (world.Size != 1)
        {
            return null;
        }

        var queue = new TaskQueue<Probe, long>(world);
        Task<long>[] results = [.. Enumerable.Range(0, 10).Select(i => queue.Submit(new Probe(i, i)))];
        try
        {
            queue.Run(probe => probe.Id == 7 ? throw new InvalidOperationException("simulated failure") : probe.Value);
            return "the run returned although task 7 failed";
        }
        catch (TaskPoolException e)
        {
            if (!e.Message.Contains("failed on rank 0 (host ", StringComparison.Ordinal) || !e.Message.Contains("task 7 (Probe { Id = 7, Value = 7 }): simulated failure", StringComparison.Ordinal))
            {
                return $"the pool's error does not name the task, rank and host: {e.Message}";
            }

            return results.All(t => t.IsFaulted && t.Exception!.InnerException == e) ? null : "not every task faulted with the pool's error";
        }
    }
}
