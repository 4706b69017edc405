namespace Interop.Backends.Inversion;

/// <summary>
/// A fixed team of dedicated threads for the length of one call (OpenMP's parallel region, in
/// C#): every worker runs the same body with its index; <see cref="Sync"/> is the barrier between
/// phases. Worker 0 is the calling thread. An exception on any worker ends the region and is
/// rethrown to the caller.
/// </summary>
internal sealed class WorkerTeam
{
    private readonly Barrier barrier;

    private WorkerTeam(int size)
    {
        Size = size;
        barrier = new Barrier(size);
    }

    public int Size { get; }

    public static void Run(int size, Action<WorkerTeam, int> body)
    {
        var team = new WorkerTeam(size);
        Exception? failure = null;
        var workers = new Thread[size - 1];
        for (int w = 1; w < size; w++)
        {
            int index = w;
            workers[w - 1] = new Thread(() => Work(index)) { IsBackground = true, Name = $"interop-inverse-{w}" };
            workers[w - 1].Start();
        }

        Work(0);
        foreach (Thread t in workers)
        {
            t.Join();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        void Work(int index)
        {
            try
            {
                body(team, index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                team.barrier.Dispose(); // wakes the others: their next Sync throws and they stop
            }
        }
    }

    /// <summary>Waits until every worker has reached this point.</summary>
    public void Sync() => barrier.SignalAndWait();

    /// <summary>This worker's share of [0, count) in whole blocks of <paramref name="block"/> (remainder spread).</summary>
    public (int Begin, int End) Share(int count, int block, int worker)
    {
        int blocks = (count + block - 1) / block;
        int q = blocks / Size, r = blocks % Size;
        int first = (worker * q) + Math.Min(worker, r);
        int mine = q + (worker < r ? 1 : 0);
        return (Math.Min(first * block, count), Math.Min((first + mine) * block, count));
    }
}
