using System.Diagnostics;

namespace Interop.Mpi.Tests;

/// <summary>
/// A rank that fails while the others wait in a collective: the job must end with a non-zero
/// status instead of hanging (tests/mpi/run-mpi-tests.sh bounds the time).
/// </summary>
internal static class FailureModes
{
    /// <summary>The last rank throws; Program's handler prints the error and calls Communicator.World.Abort(3).</summary>
    public static int Abort()
    {
        var world = Communicator.World;
        int failing = world.Size - 1;
        if (world.Rank == failing)
        {
            // Let the others get into the barrier first.
            Thread.Sleep(200);
            throw new InvalidOperationException($"simulated failure on rank {world.Rank}");
        }

        world.Barrier();
        Console.Error.WriteLine($"rank {world.Rank}: the barrier returned although rank {failing} failed");
        return 1;
    }

    /// <summary>
    /// A task pool whose chunks fail on the last rank: the pool throws TaskPoolException there and
    /// Program's handler aborts the job, while rank 0 waits for requests and the others work.
    /// </summary>
    public static int PoolTaskFails()
    {
        var world = Communicator.World;
        int failing = world.Size - 1;
        TaskPool.Map(world, 1000, 1, (first, _) =>
        {
            if (failing > 0 && world.Rank == failing)
            {
                throw new InvalidOperationException($"simulated failure of item {first}");
            }

            Thread.Sleep(5);
        });
        Console.Error.WriteLine($"rank {world.Rank}: the pool returned although rank {failing}'s chunks fail");
        return 1;
    }

    /// <summary>
    /// A task queue whose tasks fail on the last rank: the queue's run throws TaskPoolException there,
    /// naming the task, the rank and the host, and Program's handler aborts the job, which ends rank 0
    /// (waiting for requests, its tasks not completed) and the others.
    /// </summary>
    public static int QueueTaskFails()
    {
        var world = Communicator.World;
        int failing = world.Size - 1;
        var queue = new TaskQueue<QueueChecks.Probe, long>(world);
        if (world.Rank == 0)
        {
            for (int i = 0; i < 1000; i++)
            {
                queue.Submit(new QueueChecks.Probe(i, i));
            }
        }

        queue.Run(probe =>
        {
            if (failing > 0 && world.Rank == failing)
            {
                throw new InvalidOperationException($"simulated failure of task {probe.Id}");
            }

            Thread.Sleep(5);
            return probe.Value;
        });
        Console.Error.WriteLine($"rank {world.Rank}: the queue's run returned although rank {failing}'s tasks fail");
        return 1;
    }

    /// <summary>
    /// A task queue whose tasks fail on rank 0: every task rank 0 submitted faults with the run's
    /// TaskPoolException (it says so), then Program's handler aborts the job while the other ranks wait
    /// for rank 0's replies.
    /// </summary>
    public static int QueueRootTaskFails()
    {
        var world = Communicator.World;
        var queue = new TaskQueue<QueueChecks.Probe, long>(world);
        Task<long>[] results = world.Rank == 0 ? [.. Enumerable.Range(0, 1000).Select(i => queue.Submit(new QueueChecks.Probe(i, i)))] : [];
        try
        {
            queue.Run(probe =>
            {
                if (world.Rank == 0)
                {
                    throw new InvalidOperationException($"simulated failure of task {probe.Id}");
                }

                Thread.Sleep(5);
                return probe.Value;
            });
        }
        catch (TaskPoolException e) when (world.Rank == 0)
        {
            int faulted = results.Count(t => t.IsFaulted && t.Exception!.InnerException == e);
            Console.Error.WriteLine($"rank 0: {faulted} of {results.Length} submitted tasks faulted with the run's error");
            throw;
        }

        Console.Error.WriteLine($"rank {world.Rank}: the queue's run returned although rank 0's tasks fail");
        return 1;
    }

    /// <summary>
    /// The last rank dies by SIGKILL in the middle of a task pool, after it has taken chunks: rank 0
    /// waits for its next request and the others for their replies; the job must still end.
    /// </summary>
    public static int PoolRankKilled()
    {
        var world = Communicator.World;
        int failing = world.Size - 1;
        long ran = 0;
        TaskPool.Map(world, 2000, 1, (_, _) =>
        {
            if (failing > 0 && world.Rank == failing && ++ran == 5)
            {
                Console.Error.WriteLine($"rank {world.Rank}: killing myself with SIGKILL mid-pool");
                Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }

            Thread.Sleep(5);
        });
        Console.Error.WriteLine($"rank {world.Rank}: the pool returned although rank {failing} was killed in it");
        return failing > 0 ? 1 : 0;
    }

    /// <summary>
    /// The last rank's first chunk takes 30 s, far beyond the 1 s wait limit, while the other ranks
    /// run every other chunk: they must not wait for it past the limit (in the shared counter's
    /// closing barrier, or rank 0 for its next request), but time out and abort the job.
    /// </summary>
    public static int PoolRankStalls()
    {
        var world = Communicator.World;
        world.WaitLimit = TimeSpan.FromSeconds(1);
        int stalling = world.Size - 1;
        bool stalled = false;
        TaskPool.Map(world, 200, 1, (_, _) =>
        {
            if (stalling > 0 && world.Rank == stalling && !stalled)
            {
                stalled = true;
                Thread.Sleep(30_000);
            }

            Thread.Sleep(2);
        });
        Console.Error.WriteLine($"rank {world.Rank}: the pool returned although rank {stalling} stalled in it");
        return stalling > 0 ? 1 : 0;
    }

    /// <summary>
    /// The last rank never arrives (it sleeps); the others wait in a barrier with a 1 s wait limit,
    /// get MpiTimeoutException, and Program's handler aborts the job.
    /// </summary>
    public static int NeverArrives()
    {
        var world = Communicator.World;
        world.WaitLimit = TimeSpan.FromSeconds(1);
        int late = world.Size - 1;
        if (world.Rank == late)
        {
            Thread.Sleep(30_000);
            return 1;
        }

        world.Barrier();
        Console.Error.WriteLine($"rank {world.Rank}: the barrier returned although rank {late} never entered it");
        return 1;
    }

    /// <summary>
    /// The last rank never joins the all-to-all the others started (it sleeps); they compute a little,
    /// then Wait with a 1 s wait limit, get MpiTimeoutException, and Program's handler aborts the job.
    /// </summary>
    public static unsafe int AlltoallNeverJoined()
    {
        var world = Communicator.World;
        world.WaitLimit = TimeSpan.FromSeconds(1);
        int late = world.Size - 1;
        if (world.Rank == late)
        {
            Thread.Sleep(30_000);
            return 1;
        }

        // Every rank sends one double to every rank, so no rank's part completes without the last one's.
        int size = world.Size;
        long[] ones = [.. Enumerable.Repeat(1L, size)];
        long[] offsets = [.. Enumerable.Range(0, size).Select(r => (long)r)];
        double* send = stackalloc double[size];
        double* receive = stackalloc double[size];
        AlltoallRequest request = world.AlltoallStart(send, 1, ones, ones, offsets, receive, ones, offsets);
        request.Test();
        request.Wait();
        Console.Error.WriteLine($"rank {world.Rank}: the all-to-all completed although rank {late} never joined it");
        return 1;
    }

    /// <summary>The last rank dies by SIGKILL: no handler, no MPI_Abort, no MPI_Finalize.</summary>
    public static int Kill()
    {
        var world = Communicator.World;
        int failing = world.Size - 1;
        if (world.Rank == failing)
        {
            Thread.Sleep(200);
            Console.Error.WriteLine($"rank {world.Rank}: killing myself with SIGKILL");
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }

        world.Barrier();
        Console.Error.WriteLine($"rank {world.Rank}: the barrier returned although rank {failing} was killed");
        return 1;
    }
}
