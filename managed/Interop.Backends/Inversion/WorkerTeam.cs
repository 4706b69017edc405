namespace Interop.Backends.Inversion;

/// <summary>
/// A fixed team of dedicated threads for the length of one call (OpenMP's parallel region, in
/// C#): every worker runs the same body with its index; <see cref="Sync"/> is the barrier between
/// phases. Worker 0 is the calling thread. An exception on any worker ends the region and is
/// rethrown to the caller.
/// </summary>
internal sealed class WorkerTeam
{
    // How long a worker spins at a barrier before it blocks. A blocked thread takes tens of
    // microseconds to wake (a futex round trip), and the inversion meets a barrier after every
    // panel; most waits are shorter than this, so spinning keeps the cores busy with work instead of
    // wake-ups. Past it (a worker much slower, or more workers than cores) the waiter blocks.
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000; // 200 µs

    private readonly object gate = new();
    private int remaining;
    private volatile int generation;
    private volatile bool aborted;

    private WorkerTeam(int size)
    {
        Size = size;
        remaining = size;
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
                // The first failure is the one reported; the others are the aborted barriers below.
                Interlocked.CompareExchange(ref failure, e, null);
                team.Abort();
            }
        }
    }

    /// <summary>Waits until every worker has reached this point (a sense-reversing barrier: spin, then block).</summary>
    public void Sync()
    {
        if (Size == 1)
        {
            return;
        }

        int mine = generation;
        if (Interlocked.Decrement(ref remaining) == 0)
        {
            remaining = Size;
            lock (gate)
            {
                generation = mine + 1; // volatile write after the reset: the next round starts clean
                Monitor.PulseAll(gate);
            }

            return;
        }

        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (generation == mine && !aborted)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() - start > SpinTicks)
            {
                lock (gate)
                {
                    while (generation == mine && !aborted)
                    {
                        Monitor.Wait(gate);
                    }
                }

                break;
            }

            Thread.SpinWait(20);
        }

        if (aborted)
        {
            throw new OperationCanceledException("another worker of the team failed");
        }
    }

    /// <summary>This worker's share of [0, count) in whole blocks of <paramref name="block"/> (remainder spread).</summary>
    public (int Begin, int End) Share(int count, int block, int worker)
    {
        int blocks = (count + block - 1) / block;
        int q = blocks / Size, r = blocks % Size;
        int first = (worker * q) + Math.Min(worker, r);
        int mine = q + (worker < r ? 1 : 0);
        return (Math.Min(first * block, count), Math.Min((first + mine) * block, count));
    }

    // Wakes every waiter; their Sync throws and they stop.
    private void Abort()
    {
        lock (gate)
        {
            aborted = true;
            Monitor.PulseAll(gate);
        }
    }
}
