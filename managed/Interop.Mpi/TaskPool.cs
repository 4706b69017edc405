using System.Diagnostics;
using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// The lesson's task queue over MPI ranks (mpi4py.futures' <c>MPIPoolExecutor.map(chunksize)</c>,
/// OpenMP's <c>schedule(dynamic, chunk)</c>): the items [0, items) are cut into chunks of
/// <c>chunk</c> items, and whichever worker is free takes the next one, so a slow or shared core
/// does less of the work instead of holding up the others as a static split would.
///
/// The queue is a counter (the next item), and how the workers reach it depends on where the ranks
/// run (<see cref="TaskPoolPath"/>):
/// <list type="bullet">
/// <item><see cref="TaskPoolPath.SharedCounter"/>, when every rank is on one node: the counter is 8
/// bytes of an MPI shared-memory window, and every one of the <c>workers</c> threads of every rank
/// takes its next chunk itself, with one atomic fetch-and-add (fixed chunks) or compare-and-swap
/// (guided), no message at all; the ranks' main threads only wait for their workers. Nothing is
/// reserved ahead, so no rank holds chunks that another could run at the end.</item>
/// <item><see cref="TaskPoolPath.Messages"/>, when the ranks span several nodes (or the window could
/// not be made, or <see cref="PathVariable"/> asks for it): rank 0 holds the counter and works too,
/// no rank being lost to a master on a 2-core machine. Its main thread (the one that talks to MPI,
/// so MPI_THREAD_FUNNELED suffices) answers the other ranks' requests while <c>workers</c> threads of
/// its own take chunks from the counter directly, its main thread sleeping between polls
/// (<see cref="Communicator.SpinLimit"/> 0) so as to leave the core to them. Every other rank's main
/// thread asks rank 0 for chunks (point to point, within <see cref="Communicator.WaitLimit"/>, as
/// every collective), three requests always in flight, and runs them, or with several
/// <c>workers</c> keeps one chunk waiting for each of its threads, until rank 0 answers that none is
/// left.</item>
/// </list>
/// The threads of a rank are workers of the same queue, so the schedule spans ranks and threads
/// alike. Every item is processed exactly once, by one rank; which rank runs which chunk depends on
/// timing, so results that must be reproducible are combined per item (or per fixed batch of
/// items), never per chunk or per rank.
///
/// A chunk that throws ends the pool on its rank with <see cref="TaskPoolException"/> naming the
/// chunk, the rank and the host: the caller ends the job (MPI_Abort), as for any error that only one
/// rank knows about. Every wait is bounded: opening and closing the shared counter are collectives
/// within the wait limit (so a rank that died ends the others' pool with
/// <see cref="MpiTimeoutException"/> at the latest), and on the message path rank 0's main thread
/// waits at most the wait limit for a request, so a chunk must take less than it.
/// </summary>
public static class TaskPool
{
    // Message tags of the protocol: a request carries the asking rank's chunk count so far (unused
    // by rank 0 but kept for the trace); a reply carries the chunk's first item and its count (0: none left).
    private const int RequestTag = 30001;
    private const int ReplyTag = 30002;

    // Requests every rank but 0 keeps in flight: three, so that a reply may take two chunks' time
    // before the rank waits (rank 0's main thread wakes late when its core is shared with other
    // ranks), at the price of up to two chunks reserved ahead when the items run out. Measured on
    // 2 cores (docs/mpi.md, "Schedules"): one ahead left the third rank of `-n 3` on 2 cores idle
    // 40 % of the time (dynamic no faster than static); two gave 1.08x, three 1.16-1.20x, each
    // costing a balanced run about 1 % more.
    private const int RequestsAhead = 3;

    /// <summary>
    /// The environment variable that picks how the ranks reach the counter: unset, empty or
    /// <c>auto</c>, the shared counter when every rank is on one node, else messages; <c>messages</c>,
    /// the request protocol even on one node (to compare the two, and so that tests cover both).
    /// Any rank asking for messages makes every rank use them.
    /// </summary>
    public const string PathVariable = "INTEROP_POOL";

    /// <summary>
    /// The trace track of a rank's first pool worker thread (the next ones follow): above any worker of a
    /// split (<see cref="ThreadCount.Max"/>), so a chunk never lands on the main thread's track,
    /// where the main thread serves or asks for chunks meanwhile (on the message path).
    /// </summary>
    public const int TraceLane = ThreadCount.Max + 1;

    /// <summary>
    /// The span of one chunk in a --trace (name "chunk", detail "[first, first+count)"), on the thread
    /// that runs it: the trace shows which rank and thread ran which items.
    /// </summary>
    private static Tracing.Scope TraceChunk(long first, long count) =>
        Tracing.Enabled ? Tracing.Span("chunk", "task pool", $"[{first}, {first + count})") : default;

    /// <summary>
    /// Runs <paramref name="body"/>(first, count) for every chunk of [0, <paramref name="items"/>),
    /// each exactly once over all ranks. Collective: every rank calls it with the same items and
    /// chunk. Returns what this rank did.
    /// </summary>
    public static TaskPoolRun Map(Communicator world, long items, long chunk, Action<long, long> body, int workers = 1) =>
        Map(world, items, chunk, guided: false, body, workers);

    /// <summary>
    /// As <see cref="Map(Communicator, long, long, Action{long, long}, int)"/>; with
    /// <paramref name="guided"/> the chunks shrink as the items run out (OpenMP's
    /// <c>schedule(guided, chunk)</c>): each is the items left over twice the chunks that may be held at
    /// once (<see cref="GuidedHolders"/>), never fewer than
    /// <paramref name="chunk"/>, so the first chunks cost few requests and the last ones even out the end.
    /// <paramref name="workers"/> threads of this rank run chunks (ranks may give different counts: a
    /// heterogeneous job), so the schedule spans threads as well as ranks: a thread on a slow core
    /// takes fewer chunks too. Guided sizes its chunks by this rank's count, an estimate of the
    /// holders only: every item is still run once.
    /// </summary>
    public static TaskPoolRun Map(Communicator world, long items, long chunk, bool guided, Action<long, long> body, int workers = 1)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);

        bool wantShared = ParsePathVariable(Environment.GetEnvironmentVariable(PathVariable), out string? problem) is bool shared
            ? shared
            : throw new ArgumentException(problem);
        int rank = world.Rank;
        int size = world.Size;
        var tally = new Tally(workers);
        if (SharedCounter.Open(wantShared) is SharedCounter counter)
        {
            RunShared(counter, new SharedChunkQueue(counter, items, chunk, guided ? GuidedHolders(size, workers, TaskPoolPath.SharedCounter) : 0, size * workers), rank, body, tally);
            return tally.Run(TaskPoolPath.SharedCounter);
        }

        if (rank == 0)
        {
            var queue = new ChunkQueue(items, chunk, guided ? GuidedHolders(size, workers, TaskPoolPath.Messages) : 0);
            RunQueue(world, size, queue, body, tally);
        }
        else if (workers == 1)
        {
            RunWorker(world, rank, body, tally);
        }
        else
        {
            RunWorkerThreads(world, rank, body, tally);
        }

        return tally.Run(TaskPoolPath.Messages);
    }

    /// <summary>
    /// <see cref="PathVariable"/>'s value: true (the shared counter where the ranks allow it) when unset,
    /// empty or "auto", false for "messages"; null and a one-line <paramref name="problem"/> for anything else.
    /// </summary>
    public static bool? ParsePathVariable(string? text, out string? problem)
    {
        problem = null;
        switch (text?.Trim())
        {
            case null or "" or "auto":
                return true;
            case "messages":
                return false;
            default:
                problem = $"{PathVariable} must be auto (the default: a shared-memory counter when every rank is on one node, else messages) " +
                          $"or messages (rank 0 answers every rank's requests), not '{text}'";
                return null;
        }
    }

    /// <summary>
    /// The chunks that may be held at once, which guided divides the items left by (twice): every
    /// worker thread's (<paramref name="ranks"/> x <paramref name="workers"/>), and on the message
    /// path also the requests every rank but 0 keeps in flight, each of which reserves a chunk.
    /// </summary>
    public static int GuidedHolders(int ranks, int workers, TaskPoolPath path) =>
        (ranks * workers) + (path == TaskPoolPath.Messages ? (ranks - 1) * RequestsAhead : 0);

    /// <summary>A guided chunk: the items left over twice the holders, at least <paramref name="chunk"/>, at most what is left.</summary>
    private static long GuidedCount(long left, long chunk, int holders) =>
        Math.Min(left, Math.Max(chunk, (left + (2L * holders) - 1) / (2L * holders)));

    /// <summary>
    /// The same schedule in one process without MPI: <paramref name="workers"/> threads take the chunks
    /// of [0, <paramref name="items"/>) from one counter (OpenMP's <c>schedule(dynamic|guided)</c> over
    /// threads). Returns what the threads did.
    /// </summary>
    public static TaskPoolRun MapLocal(long items, long chunk, bool guided, Action<long, long> body, int workers = 1)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var tally = new Tally(workers);
        var threads = new LocalWorkers(workers, new ChunkQueue(items, chunk, guided ? GuidedHolders(1, workers, TaskPoolPath.Threads) : 0).Take, 0, body, tally);
        threads.Join();
        return tally.Run(TaskPoolPath.Threads);
    }

    // Every rank's worker threads take chunks from the shared counter; the main thread only waits
    // for them, then closes the counter with the other ranks. A failed chunk leaves the counter
    // open: closing is a barrier, which would hold this rank's error back until the wait limit
    // while the other ranks work on, and the caller ends the job anyway.
    private static void RunShared(SharedCounter counter, SharedChunkQueue queue, int rank, Action<long, long> body, Tally tally)
    {
        try
        {
            new LocalWorkers(tally.Workers, queue.Take, rank, body, tally).Join();
        }
        catch
        {
            counter.Abandon();
            throw;
        }

        counter.Dispose();
    }

    private static void RunQueue(Communicator world, int size, ChunkQueue queue, Action<long, long> body, Tally tally)
    {
        var threads = new LocalWorkers(tally.Workers, queue.Take, 0, body, tally);

        // This thread shares the rank's cores with its workers: polling for the next request (200 us
        // after each one, by default) would take that time from them, a few percent of a balanced
        // run. It sleeps instead; the other ranks' requests ahead hide the latency.
        TimeSpan spin = world.SpinLimit;
        world.SpinLimit = TimeSpan.Zero;
        try
        {
            // Serve the other ranks until each has been told that nothing is left (a chunk of 0 items).
            Span<long> message = stackalloc long[2];
            for (int asking = (size - 1) * RequestsAhead; asking > 0;)
            {
                threads.ThrowIfFailed();
                int from = world.Receive(message[..1], Communicator.AnySource, RequestTag);
                (message[0], message[1]) = queue.Take();
                world.Send(message, from, ReplyTag);
                if (message[1] == 0)
                {
                    asking--;
                }
            }
        }
        finally
        {
            world.SpinLimit = spin;
        }

        threads.Join();
    }

    // A rank other than 0 with one worker: its main thread runs the chunks it is given.
    private static void RunWorker(Communicator world, int rank, Action<long, long> body, Tally tally) =>
        AskRankZero(world, tally, (first, count) =>
        {
            if (RunChunk(body, first, count, rank, tally, 0) is { } failed)
            {
                throw failed;
            }
        });

    // Several threads on a rank other than 0: the main thread (the only one that talks to MPI) asks
    // rank 0 for chunks and hands them on through a buffer of one chunk per thread, which it keeps
    // full, so a thread that finishes finds its next chunk waiting.
    private static void RunWorkerThreads(Communicator world, int rank, Action<long, long> body, Tally tally)
    {
        // Not disposed: after a failure, threads may still be waiting on it while the job ends.
        var handed = new System.Collections.Concurrent.BlockingCollection<(long First, long Count)>(tally.Workers);
        var threads = new LocalWorkers(tally.Workers, () => handed.TryTake(out var next, Timeout.Infinite) ? next : (-1, 0), rank, body, tally);
        try
        {
            AskRankZero(world, tally, (first, count) =>
            {
                // Bounded: a slot frees when a thread finishes a chunk; a failed thread ends the wait.
                while (!handed.TryAdd((first, count), TimeSpan.FromMilliseconds(50)))
                {
                    threads.ThrowIfFailed();
                }
            });
        }
        finally
        {
            handed.CompleteAdding();
        }

        threads.Join();
    }

    // Asks rank 0 for chunks, RequestsAhead requests always in flight, and hands each chunk to `take`
    // (which runs it, or passes it on), until rank 0 has answered every request with "none left".
    // The next chunks are asked for before this one runs, so rank 0's answers (which may wait for
    // its main thread to wake, or for its core when ranks share one) arrive while this rank computes
    // instead of after. Each request gets exactly one reply; once one says "none left", so do the
    // later ones (the queue only empties), and no more are sent.
    private static void AskRankZero(Communicator world, Tally tally, Action<long, long> take)
    {
        Span<long> request = stackalloc long[1];
        Span<long> reply = stackalloc long[2];
        int outstanding;
        for (outstanding = 0; outstanding < RequestsAhead; outstanding++)
        {
            request[0] = tally.Chunks;
            world.Send(request, 0, RequestTag);
        }

        bool drained = false;
        while (outstanding > 0)
        {
            world.Receive(reply, 0, ReplyTag);
            outstanding--;
            if (reply[1] == 0)
            {
                drained = true;
                continue;
            }

            if (!drained)
            {
                request[0] = tally.Chunks;
                world.Send(request, 0, RequestTag);
                outstanding++;
            }

            take(reply[0], reply[1]);
        }
    }

    // The threads of one rank that run chunks: each takes the next chunk from `take` until it returns
    // a count of 0 or a thread failed. The first failure is kept and thrown by ThrowIfFailed and Join;
    // on a failure the other threads are left to finish their chunk (background threads): the caller
    // ends the job.
    private sealed class LocalWorkers
    {
        private readonly Thread[] threads;
        private TaskPoolException? failure;

        public LocalWorkers(int count, Func<(long First, long Count)> take, int rank, Action<long, long> body, Tally tally)
        {
            threads = new Thread[count];
            for (int t = 0; t < count; t++)
            {
                int thread = t;
                threads[t] = new Thread(() =>
                {
                    Tracing.NameLane(TraceLane + thread, $"task pool worker {thread}");
                    for ((long first, long items) = take(); items > 0 && Volatile.Read(ref failure) is null; (first, items) = take())
                    {
                        if (RunChunk(body, first, items, rank, tally, thread) is { } failed)
                        {
                            Interlocked.CompareExchange(ref failure, failed, null);
                        }
                    }
                })
                {
                    IsBackground = true,
                    Name = $"task pool worker {t}",
                };
                threads[t].Start();
            }
        }

        public void ThrowIfFailed()
        {
            if (Volatile.Read(ref failure) is { } failed)
            {
                throw failed;
            }
        }

        public void Join()
        {
            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            ThrowIfFailed();
        }
    }

    // The counter on rank 0: the next item, taken by compare-and-swap from any thread. guidedHolders
    // is 0 for fixed chunks, else the chunks that may be held at once (guided chunks, GuidedHolders).
    private sealed class ChunkQueue(long items, long chunk, int guidedHolders)
    {
        private long next;

        /// <summary>The next chunk (first item, count), or (-1, 0) when none is left.</summary>
        public (long First, long Count) Take()
        {
            while (true)
            {
                long first = Volatile.Read(ref next);
                long left = items - first;
                if (left <= 0)
                {
                    return (-1, 0);
                }

                long count = guidedHolders > 0 ? GuidedCount(left, chunk, guidedHolders) : Math.Min(chunk, left);
                if (Interlocked.CompareExchange(ref next, first + count, first) == first)
                {
                    return (first, count);
                }
            }
        }
    }

    // The counter shared by every rank of one node, the same queue as ChunkQueue's. Fixed chunks take
    // one fetch-and-add each: the counter may run past the items (by at most one chunk per thread,
    // each thread's last take), which is harmless unless it could overflow, when they take by
    // compare-and-swap as guided chunks do (never past the items).
    private sealed class SharedChunkQueue(SharedCounter counter, long items, long chunk, int guidedHolders, int threads)
    {
        // Chunks larger than every item are one chunk of all of them either way.
        private readonly long step = Math.Min(chunk, Math.Max(items, 1));

        // The largest value fetch-and-add can reach is below items + (threads + 1) x step <= (threads + 2) x items.
        private readonly bool fetchAdd = guidedHolders == 0 && items <= (long.MaxValue - chunk) / (threads + 2L);

        // The last value this rank saw: compare-and-swap's first guess, corrected by its failures.
        private long seen;

        /// <summary>The next chunk (first item, count), or (-1, 0) when none is left.</summary>
        public (long First, long Count) Take()
        {
            if (fetchAdd)
            {
                long start = counter.FetchAdd(step);
                return start < items ? (start, Math.Min(step, items - start)) : (-1, 0);
            }

            long first = Volatile.Read(ref seen);
            while (true)
            {
                long left = items - first;
                if (left <= 0)
                {
                    return (-1, 0);
                }

                long count = guidedHolders > 0 ? GuidedCount(left, chunk, guidedHolders) : Math.Min(step, left);
                long expected = first;
                if (counter.CompareExchange(ref expected, first + count))
                {
                    Volatile.Write(ref seen, first + count);
                    return (first, count);
                }

                first = expected;
            }
        }
    }

    private static TaskPoolException? RunChunk(Action<long, long> body, long first, long count, int rank, Tally tally, int thread)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            using Tracing.Scope span = TraceChunk(first, count);
            body(first, count);
        }
        catch (Exception e)
        {
            return new TaskPoolException(
                $"task pool: the chunk of items [{first}, {first + count}) failed on rank {rank} (host {Environment.MachineName}): {e.Message}", e);
        }

        tally.Add(thread, count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return null;
    }

    // What this rank's threads did, each thread's own, under a lock (a handful of updates per
    // chunk); the rank's chunks and busy seconds are their sums.
    private sealed class Tally(int workers)
    {
        private readonly Lock gate = new();
        private readonly long[] threadChunks = new long[workers];
        private readonly double[] threadBusy = new double[workers];
        private long items;

        public int Workers => workers;

        /// <summary>The chunks this rank's threads ran so far (a request carries it).</summary>
        public long Chunks
        {
            get
            {
                lock (gate)
                {
                    return threadChunks.Sum();
                }
            }
        }

        public void Add(int thread, long count, double seconds)
        {
            lock (gate)
            {
                items += count;
                threadChunks[thread]++;
                threadBusy[thread] += seconds;
            }
        }

        public TaskPoolRun Run(TaskPoolPath path)
        {
            lock (gate)
            {
                return new TaskPoolRun(threadChunks.Sum(), items, threadBusy.Sum()) { ThreadChunks = [.. threadChunks], ThreadBusySeconds = [.. threadBusy], Path = path };
            }
        }
    }
}

/// <summary>
/// What one rank did in a <see cref="TaskPool.Map(Communicator, long, long, bool, Action{long, long}, int)"/>:
/// the chunks and items it ran and the seconds its threads spent in them, and each worker thread's
/// chunks and busy seconds (a rank whose main thread ran the chunks has one), and how its workers
/// reached the queue.
/// </summary>
public sealed record TaskPoolRun(long Chunks, long Items, double BusySeconds)
{
    /// <summary>How the workers reached the queue (the same on every rank of one Map).</summary>
    public TaskPoolPath Path { get; init; }

    public IReadOnlyList<long> ThreadChunks { get; init; } = [];

    public IReadOnlyList<double> ThreadBusySeconds { get; init; } = [];
}

/// <summary>How a task pool's workers reach its counter (<see cref="TaskPool"/>).</summary>
public enum TaskPoolPath
{
    /// <summary>One process's threads and a counter in its memory (<see cref="TaskPool.MapLocal"/>).</summary>
    Threads,

    /// <summary>Every rank on one node: the counter in a shared-memory window, taken with atomics by every thread of every rank.</summary>
    SharedCounter,

    /// <summary>Rank 0 holds the counter and answers the other ranks' requests (point to point).</summary>
    Messages,
}

/// <summary>A chunk of a <see cref="TaskPool"/> failed: the message names the items, the rank and the host.</summary>
public sealed class TaskPoolException : Exception
{
    public TaskPoolException()
    {
    }

    public TaskPoolException(string message)
        : base(message)
    {
    }

    public TaskPoolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
