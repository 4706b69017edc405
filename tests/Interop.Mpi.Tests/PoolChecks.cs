namespace Interop.Mpi.Tests;

/// <summary>
/// The task pool (TaskPool.Map): every item processed exactly once over all ranks and their worker
/// threads, for item counts from none to many, more ranks than items, and a slow rank; each on both
/// paths (every rank runs on one node here: the shared counter by default, and the message
/// protocol forced by INTEROP_POOL=messages); the path the pool took, the ranks' agreement on it,
/// and the shared counter's atomics across ranks.
/// </summary>
internal static class PoolChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        foreach (TaskPoolPath path in (TaskPoolPath[])[TaskPoolPath.SharedCounter, TaskPoolPath.Messages])
        {
            string on = path == TaskPoolPath.SharedCounter ? "shared counter" : "messages";
            void Add(string name, Func<string?> check) => checks.Add($"pool ({on}): {name}", () => OnPath(context.World, path, check));
            Add("1000 items in chunks of 7, each once", () => EachOnce(context.World, 1000, 7, workers: 1));
            Add("2 worker threads on every rank, each once", () => EachOnce(context.World, 500, 3, workers: 2));
            Add("3 worker threads on every rank, chunks larger than a thread's share, each once", () => EachOnce(context.World, 40, 7, workers: 3));
            Add("no items", () => EachOnce(context.World, 0, 5, workers: 1));
            Add("one item", () => EachOnce(context.World, 1, 5, workers: 1));
            Add("more ranks than items", () => EachOnce(context.World, Math.Max(0, context.Size - 1), 1, workers: 1));
            Add("a chunk larger than all items", () => EachOnce(context.World, 10, 1000, workers: 1));
            Add("a slow rank takes fewer chunks", () => SlowRank(context.World, context.Rank, context.Size));
            Add("guided, 1000 items, chunks of at least 3, each once", () => GuidedEachOnce(context.World, 1000, 3, workers: 1));
            Add("guided, 2 worker threads on every rank, each once", () => GuidedEachOnce(context.World, 700, 2, workers: 2));
            Add("guided, no items", () => GuidedEachOnce(context.World, 0, 1, workers: 1));
            Add("guided, more ranks than items", () => GuidedEachOnce(context.World, Math.Max(0, context.Size - 1), 1, workers: 1));
        }

        checks.Add("pool: one node takes the shared counter by default, messages when INTEROP_POOL=messages", () => PathTaken(context.World));
        checks.Add("pool: one rank asking for messages makes every rank use them", () => OneRankAsksForMessages(context.World, context.Rank, context.Size));
        checks.Add("pool: the shared counter's fetch-and-add from every thread of every rank, each value once", () => SharedFetchAdd(context.World, context.Size));
        checks.Add("pool: the shared counter's compare-and-swap fails with the value, succeeds with it", () => SharedCompareExchange(context.World));
    }

    // Runs a check with INTEROP_POOL set for the path (unset: the default), and fails it if a pool of
    // the check took another path (every rank runs on one node here).
    private static string? OnPath(Communicator world, TaskPoolPath path, Func<string?> check)
    {
        string? before = Environment.GetEnvironmentVariable(TaskPool.PathVariable);
        Environment.SetEnvironmentVariable(TaskPool.PathVariable, path == TaskPoolPath.Messages ? "messages" : null);
        try
        {
            TaskPoolRun run = TaskPool.Map(world, 4, 1, (_, _) => { });
            return run.Path != path ? $"the pool took the {run.Path} path, not {path}" : check();
        }
        finally
        {
            Environment.SetEnvironmentVariable(TaskPool.PathVariable, before);
        }
    }

    // Every rank counts the items its chunks covered; the sums over ranks must be exactly 1 each,
    // and the chunks and items the ranks report must add up.
    private static string? EachOnce(Communicator world, long items, long chunk, int workers)
    {
        long[] seen = new long[items];
        TaskPoolRun run = TaskPool.Map(world, items, chunk, (first, count) =>
        {
            for (long i = first; i < first + count; i++)
            {
                Interlocked.Increment(ref seen[i]);
            }
        }, workers);

        long[] total = new long[items];
        world.Allreduce<long>(seen, total, MpiOp.Sum);
        long chunks = world.Allreduce(run.Chunks, MpiOp.Sum);
        long covered = world.Allreduce(run.Items, MpiOp.Sum);
        long expectedChunks = (items + chunk - 1) / chunk;
        for (long i = 0; i < items; i++)
        {
            if (total[i] != 1)
            {
                return $"item {i} was processed {total[i]} times";
            }
        }

        if (run.ThreadChunks.Count != workers || run.ThreadChunks.Sum() != run.Chunks || run.ThreadBusySeconds.Sum() > run.BusySeconds + 1e-9)
        {
            return $"rank {world.Rank}'s {run.ThreadChunks.Count} threads report {run.ThreadChunks.Sum()} chunks, the rank {run.Chunks} (threads: {workers})";
        }

        return chunks != expectedChunks || covered != items
            ? $"the ranks report {chunks} chunks and {covered} items, expected {expectedChunks} and {items}"
            : null;
    }

    // Guided: every item once, the chunks shrinking (the largest first: at least as many items as the
    // smallest), never below the minimum except the last, and fewer chunks than fixed chunks of the minimum.
    private static string? GuidedEachOnce(Communicator world, long items, long minimum, int workers)
    {
        long[] seen = new long[items];
        var sizes = new System.Collections.Concurrent.ConcurrentBag<(long First, long Count)>();
        TaskPoolRun run = TaskPool.Map(world, items, minimum, guided: true, (first, count) =>
        {
            sizes.Add((first, count));
            for (long i = first; i < first + count; i++)
            {
                Interlocked.Increment(ref seen[i]);
            }
        }, workers);

        long[] total = new long[items];
        world.Allreduce<long>(seen, total, MpiOp.Sum);
        long chunks = world.Allreduce(run.Chunks, MpiOp.Sum);
        for (long i = 0; i < items; i++)
        {
            if (total[i] != 1)
            {
                return $"item {i} was processed {total[i]} times";
            }
        }

        foreach ((long first, long count) in sizes)
        {
            if (count < minimum && first + count != items)
            {
                return $"the chunk [{first}, {first + count}) is smaller than the minimum {minimum} and not the last";
            }
        }

        long fixedChunks = (items + minimum - 1) / minimum;
        return items > 100 && chunks >= fixedChunks
            ? $"guided cut {items} items into {chunks} chunks, no fewer than fixed chunks of {minimum} ({fixedChunks})"
            : null;
    }

    // The last rank sleeps 20 ms per chunk, the others 2 ms: under a dynamic schedule it runs fewer
    // chunks than an equal share (a static split would give it items / size).
    private static string? SlowRank(Communicator world, int rank, int size)
    {
        if (size < 2)
        {
            return null;
        }

        const long Items = 120;
        int pause = rank == size - 1 ? 20 : 2;
        TaskPoolRun run = TaskPool.Map(world, Items, 1, (_, _) => Thread.Sleep(pause));
        long slowChunks = world.Allreduce(rank == size - 1 ? run.Chunks : 0, MpiOp.Sum);
        long equalShare = Items / size;
        return slowChunks >= equalShare
            ? $"the slow rank ran {slowChunks} chunks, not fewer than an equal share of {equalShare}"
            : null;
    }

    // Default (unset or "auto"): the shared counter, on every rank; "messages": the request protocol.
    private static string? PathTaken(Communicator world)
    {
        string? before = Environment.GetEnvironmentVariable(TaskPool.PathVariable);
        try
        {
            var taken = new List<string>();
            foreach ((string? value, TaskPoolPath expected) in ((string?, TaskPoolPath)[])[(null, TaskPoolPath.SharedCounter), ("auto", TaskPoolPath.SharedCounter), ("messages", TaskPoolPath.Messages)])
            {
                Environment.SetEnvironmentVariable(TaskPool.PathVariable, value);
                TaskPoolRun run = TaskPool.Map(world, 100, 3, (_, _) => { }, workers: 2);
                if (run.Path != expected)
                {
                    taken.Add($"{TaskPool.PathVariable}={value ?? "(unset)"} took {run.Path}, not {expected}");
                }
            }

            return taken.Count > 0 ? $"rank {world.Rank}: {string.Join("; ", taken)}" : null;
        }
        finally
        {
            Environment.SetEnvironmentVariable(TaskPool.PathVariable, before);
        }
    }

    // Only the last rank asks for messages: the ranks must agree (all messages), or their pools would
    // wait for each other in different protocols.
    private static string? OneRankAsksForMessages(Communicator world, int rank, int size)
    {
        string? before = Environment.GetEnvironmentVariable(TaskPool.PathVariable);
        Environment.SetEnvironmentVariable(TaskPool.PathVariable, rank == size - 1 ? "messages" : null);
        try
        {
            long[] seen = new long[200];
            TaskPoolRun run = TaskPool.Map(world, seen.Length, 3, (first, count) =>
            {
                for (long i = first; i < first + count; i++)
                {
                    Interlocked.Increment(ref seen[i]);
                }
            });
            long[] total = new long[seen.Length];
            world.Allreduce<long>(seen, total, MpiOp.Sum);
            return run.Path != TaskPoolPath.Messages ? $"rank {rank} took {run.Path} although rank {size - 1} asked for messages"
                : total.Any(t => t != 1) ? "an item was not processed exactly once" : null;
        }
        finally
        {
            Environment.SetEnvironmentVariable(TaskPool.PathVariable, before);
        }
    }

    // Every thread of every rank adds 1 many times, all at once: no add may be lost (the counter ends
    // at their number) and no value returned twice (the values returned add up to 0 + 1 + ... + n-1),
    // as they would be if the add were a load and a store, not atomic across processes.
    private static string? SharedFetchAdd(Communicator world, int size)
    {
        const int Threads = 2;
        const long Adds = 1_000_000;
        using SharedCounter? counter = SharedCounter.Open(wantShared: true);
        if (counter is null)
        {
            return "no shared counter although every rank is on one node";
        }

        long sum = 0;
        long unordered = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            long mine = 0;
            long last = -1;
            for (long i = 0; i < Adds; i++)
            {
                long value = counter.FetchAdd(1);
                mine += value;
                if (value <= last)
                {
                    Interlocked.Increment(ref unordered);
                }

                last = value;
            }

            Interlocked.Add(ref sum, mine);
        });

        long total = size * Threads * Adds;
        long sums = world.Allreduce(sum, MpiOp.Sum);
        long backwards = world.Allreduce(unordered, MpiOp.Sum);
        long end = counter.FetchAdd(0);
        return end != total ? $"the counter ends at {end} after {total} adds: adds were lost"
            : sums != total * (total - 1) / 2 ? $"the values returned add up to {sums}, not 0 + ... + {total - 1} = {total * (total - 1) / 2}: some came twice"
            : backwards > 0 ? $"a thread got a value no larger than its previous one {backwards} times"
            : null;
    }

    // compare-and-swap: with a wrong guess it fails and returns the value; with it, it swaps.
    private static string? SharedCompareExchange(Communicator world)
    {
        using SharedCounter? counter = SharedCounter.Open(wantShared: true);
        if (counter is null)
        {
            return "no shared counter although every rank is on one node";
        }

        string? problem = null;
        if (world.Rank == 0)
        {
            long guess = 5;
            bool swapped = counter.CompareExchange(ref guess, 9);
            if (swapped || guess != 0)
            {
                problem = $"a wrong guess of 5 swapped ({swapped}) or read {guess}, not 0";
            }
            else if (!counter.CompareExchange(ref guess, 42) || guess != 0)
            {
                problem = "the right guess 0 did not swap";
            }
        }

        world.Barrier();
        long seen = counter.FetchAdd(0);
        return problem ?? (seen != 42 ? $"rank {world.Rank} reads {seen} after rank 0 stored 42" : null);
    }
}
