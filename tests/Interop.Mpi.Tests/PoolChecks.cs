namespace Interop.Mpi.Tests;

/// <summary>
/// The task pool (TaskPool.Map): every item processed exactly once over all ranks and rank 0's
/// worker threads, for item counts from none to many, more ranks than items, and a slow rank.
/// </summary>
internal static class PoolChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        checks.Add("pool: 1000 items in chunks of 7, each once", () => EachOnce(context.World, 1000, 7, workers: 1));
        checks.Add("pool: 2 worker threads on every rank, each once", () => EachOnce(context.World, 500, 3, workers: 2));
        checks.Add("pool: 3 worker threads on every rank, chunks larger than a thread's share, each once", () => EachOnce(context.World, 40, 7, workers: 3));
        checks.Add("pool: no items", () => EachOnce(context.World, 0, 5, workers: 1));
        checks.Add("pool: one item", () => EachOnce(context.World, 1, 5, workers: 1));
        checks.Add("pool: more ranks than items", () => EachOnce(context.World, Math.Max(0, context.Size - 1), 1, workers: 1));
        checks.Add("pool: a chunk larger than all items", () => EachOnce(context.World, 10, 1000, workers: 1));
        checks.Add("pool: a slow rank takes fewer chunks", () => SlowRank(context.World, context.Rank, context.Size));
        checks.Add("pool guided: 1000 items, chunks of at least 3, each once", () => GuidedEachOnce(context.World, 1000, 3));
        checks.Add("pool guided: no items", () => GuidedEachOnce(context.World, 0, 1));
        checks.Add("pool guided: more ranks than items", () => GuidedEachOnce(context.World, Math.Max(0, context.Size - 1), 1));
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
    private static string? GuidedEachOnce(Communicator world, long items, long minimum)
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
        });

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
}
