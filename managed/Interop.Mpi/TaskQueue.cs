namespace Interop.Mpi;

/// <summary>
/// Futures over the task pool (mpi4py.futures' <c>MPIPoolExecutor.submit</c>): rank 0
/// <see cref="Submit"/>s task descriptors, each call returning a <see cref="Task{TResult}"/> of its
/// result; then every rank calls <see cref="Run"/>, which hands the tasks out through
/// <see cref="TaskPool"/> (whichever worker thread of whichever rank is free takes the next) and
/// completes rank 0's tasks, in submission order, once every result is back there.
///
/// Descriptors and results are blittable (<c>unmanaged</c>) so that they cross ranks as bytes:
/// a descriptor says what to compute (a seed and a count, an index into data every rank has), not a
/// closure. The order of submission is the order the pool hands tasks out in, so a caller that
/// wants the longest tasks first (the short ones evening out the end) submits them first.
///
/// Only rank 0 submits: on any other rank <see cref="Submit"/> throws
/// <see cref="InvalidOperationException"/>, there being no task of rank 0's that it could complete,
/// and <see cref="Run"/> takes the descriptors from rank 0. Without a communicator (the
/// parameterless constructor) the queue is one process's: <see cref="Run"/> goes through
/// <see cref="TaskPool.MapLocal"/> and nothing of MPI is loaded, so one process and the ranks of a
/// job run the same code.
///
/// A task that throws ends the pool on the rank that ran it with <see cref="TaskPoolException"/>
/// naming the task (its index and descriptor), the rank, the host and the task's error. Where that
/// rank is rank 0, every task of the run faults with it as well. As with <see cref="TaskPool"/>, the
/// other ranks cannot know of the failure: the caller ends the job (<see cref="Communicator.Abort"/>),
/// which ends every rank; their waits are bounded by <see cref="Communicator.WaitLimit"/> in any case.
/// </summary>
/// <typeparam name="TTask">The descriptor of one task, copied from rank 0 to every rank.</typeparam>
/// <typeparam name="TResult">A task's result, copied from the rank that ran it to rank 0.</typeparam>
public sealed class TaskQueue<TTask, TResult>
    where TTask : unmanaged
    where TResult : unmanaged
{
    private readonly Communicator? world;
    private readonly int rank;
    private readonly Lock gate = new();
    private List<TTask> descriptors = [];
    private List<TaskCompletionSource<TResult>> futures = [];

    /// <summary>A queue of this process alone: <see cref="Run"/> runs the tasks on its threads, without MPI.</summary>
    public TaskQueue()
    {
    }

    /// <summary>A queue over the ranks of <paramref name="world"/>; null is this process alone.</summary>
    public TaskQueue(Communicator? world)
    {
        this.world = world;
        rank = world?.Rank ?? 0;
    }

    /// <summary>Tasks submitted since the last <see cref="Run"/>: the ones it will run.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return descriptors.Count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="task"/> for the next <see cref="Run"/> and returns its result to come:
    /// completed once every result of that run is back on rank 0, faulted if the run fails here.
    /// Rank 0 only (any thread); another rank gets <see cref="InvalidOperationException"/>.
    /// </summary>
    public Task<TResult> Submit(TTask task)
    {
        if (rank != 0)
        {
            throw new InvalidOperationException($"task queue: rank {rank} cannot submit tasks; rank 0 submits them and Run hands them to every rank");
        }

        // Continuations run elsewhere, not inside Run's completion loop on the thread that talks to MPI.
        var future = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            descriptors.Add(task);
            futures.Add(future);
        }

        return future.Task;
    }

    /// <summary>
    /// Runs every task submitted so far with <paramref name="work"/>, each exactly once over all ranks,
    /// and completes their <see cref="Task{TResult}"/>s on rank 0. Collective: every rank calls it, with
    /// the same <paramref name="workers"/>, <paramref name="chunk"/> and <paramref name="guided"/>
    /// (those of <see cref="TaskPool.Map(Communicator, long, long, bool, Action{long, long}, int)"/>;
    /// a chunk of one task by default, tasks being few and long). Every wait of it (the count and the
    /// descriptors broadcast from rank 0, the pool's requests, the results gathered) is bounded by
    /// <see cref="Communicator.WaitLimit"/>. Returns what this rank did. Tasks submitted while it runs
    /// wait for the next run.
    /// </summary>
    public TaskPoolRun Run(Func<TTask, TResult> work, int workers = 1, long chunk = 1, bool guided = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        TTask[] tasks;
        TaskCompletionSource<TResult>[] pending;
        lock (gate)
        {
            (tasks, pending) = ([.. descriptors], [.. futures]);
            (descriptors, futures) = ([], []);
        }

        try
        {
            (TaskPoolRun run, TResult[]? results) = world is null ? RunLocal(tasks, work, workers, chunk, guided) : RunRanks(world, tasks, work, workers, chunk, guided);
            for (int i = 0; i < pending.Length; i++)
            {
                pending[i].SetResult(results![i]);
            }

            return run;
        }
        catch (Exception e)
        {
            // No task of rank 0's is left waiting for a run that ended.
            foreach (TaskCompletionSource<TResult> future in pending)
            {
                future.TrySetException(e);
            }

            throw;
        }
    }

    private static (TaskPoolRun Run, TResult[] Results) RunLocal(TTask[] tasks, Func<TTask, TResult> work, int workers, long chunk, bool guided)
    {
        var done = new Done(tasks, work);
        TaskPoolRun run = TaskPool.MapLocal(tasks.Length, chunk, guided, done.RunChunk, workers);
        return (run, Assemble(tasks.Length, [done.Mine()]));
    }

    // The count first, so that every rank sizes its buffer, then the descriptors; the pool; then every
    // rank's (index, result) pairs, as many as it ran (Communicator.AllgatherVariable), assembled on rank 0.
    private (TaskPoolRun Run, TResult[]? Results) RunRanks(Communicator world, TTask[] submitted, Func<TTask, TResult> work, int workers, long chunk, bool guided)
    {
        Span<long> count = [submitted.Length];
        world.Broadcast(count, 0);
        TTask[] tasks = rank == 0 ? submitted : new TTask[checked((int)count[0])];
        world.Broadcast<TTask>(tasks, 0);

        var done = new Done(tasks, work);
        TaskPoolRun run = TaskPool.Map(world, tasks.Length, chunk, guided, done.RunChunk, workers);
        Completed[][] all = world.AllgatherVariable<Completed>(done.Mine());
        return (run, rank == 0 ? Assemble(tasks.Length, all) : null);
    }

    /// <summary>
    /// The results in task order from each rank's (index, result) pairs (rank r's at
    /// <paramref name="ranks"/>[r]): every task must come back exactly once, or no result is trusted.
    /// </summary>
    internal static TResult[] Assemble(int tasks, IReadOnlyList<Completed[]> ranks)
    {
        var results = new TResult[tasks];
        int[] arrived = new int[tasks];
        for (int r = 0; r < ranks.Count; r++)
        {
            foreach (Completed pair in ranks[r])
            {
                if (pair.Index < 0 || pair.Index >= tasks)
                {
                    throw new TaskPoolException($"task queue: rank {r} returned a result for task {pair.Index}, of {tasks} tasks");
                }

                arrived[pair.Index]++;
                results[pair.Index] = pair.Result;
            }
        }

        int wrong = Array.FindIndex(arrived, n => n != 1);
        return wrong < 0 ? results : throw new TaskPoolException($"task queue: task {wrong} came back {arrived[wrong]} times, not once");
    }

    /// <summary>One task's result and its index in submission order, as it travels to rank 0.</summary>
    internal readonly record struct Completed(long Index, TResult Result);

    // The tasks this rank ran, each result at its task's index: every index is written by the one
    // thread that ran it, and read after the pool has joined its threads.
    private sealed class Done(TTask[] tasks, Func<TTask, TResult> work)
    {
        private readonly TResult[] results = new TResult[tasks.Length];
        private readonly bool[] ran = new bool[tasks.Length];

        public void RunChunk(long first, long count)
        {
            for (long i = first; i < first + count; i++)
            {
                try
                {
                    results[i] = work(tasks[i]);
                }
                catch (Exception e)
                {
                    // The pool names the chunk, the rank and the host; this names the task within it.
                    throw new TaskPoolException($"task {i} ({tasks[i]}): {e.Message}", e);
                }

                ran[i] = true;
            }
        }

        public Completed[] Mine()
        {
            var mine = new List<Completed>();
            for (int i = 0; i < ran.Length; i++)
            {
                if (ran[i])
                {
                    mine.Add(new Completed(i, results[i]));
                }
            }

            return [.. mine];
        }
    }
}
