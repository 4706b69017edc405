using System.Diagnostics;

namespace Interop.Mpi.Tests;

/// <summary>The barrier, the wait limit that bounds every collective, and waiting ranks that sleep instead of spinning.</summary>
internal static class BarrierChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        checks.Add("barrier", () => Barrier(context.World, context.Rank, context.Size));
        checks.Add("wait limit", () => WaitLimit(context.World));
        checks.Add("spin limit", () => SpinLimit(context.World));
        checks.Add("waiting ranks sleep", () => WaitingSleeps(context.World, context.Rank, context.Size));
    }

    private static string? Barrier(Communicator world, int rank, int size)
    {
        // The last rank arrives late: everyone else must wait for it inside the barrier.
        const int DelayMs = 300;
        if (rank == size - 1)
        {
            Thread.Sleep(DelayMs);
        }

        var clock = Stopwatch.StartNew();
        world.Barrier();
        double waitedMs = clock.Elapsed.TotalMilliseconds;
        for (int i = 0; i < 20; i++)
        {
            world.Barrier();
        }

        return rank != size - 1 && waitedMs < DelayMs * 0.6
            ? $"the barrier returned after {waitedMs:F0} ms, before rank {size - 1} entered it ({DelayMs} ms late)"
            : null;
    }

    private static string? WaitLimit(Communicator world)
    {
        TimeSpan saved = world.WaitLimit;
        try
        {
            world.WaitLimit = TimeSpan.FromSeconds(2.5);
            if (world.WaitLimit != TimeSpan.FromSeconds(2.5))
            {
                return $"set 2.5 s, read back {world.WaitLimit.TotalSeconds} s";
            }

            foreach (TimeSpan bad in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1), TimeSpan.MaxValue })
            {
                try
                {
                    world.WaitLimit = bad;
                    return $"a wait limit of {bad} was accepted";
                }
                catch (ArgumentOutOfRangeException)
                {
                }
            }

            world.Barrier();
            return null;
        }
        finally
        {
            world.WaitLimit = saved;
        }
    }

    // The time a wait polls before sleeping: 200 us by default, settable to zero (the task pool's
    // rank 0), never negative; a barrier still completes with no spin at all.
    private static string? SpinLimit(Communicator world)
    {
        TimeSpan saved = world.SpinLimit;
        try
        {
            if (saved != TimeSpan.FromMicroseconds(200))
            {
                return $"the default spin limit is {saved.TotalMicroseconds} us, not 200";
            }

            world.SpinLimit = TimeSpan.Zero;
            if (world.SpinLimit != TimeSpan.Zero)
            {
                return $"set 0, read back {world.SpinLimit.TotalMicroseconds} us";
            }

            foreach (TimeSpan bad in new[] { TimeSpan.FromTicks(-1), TimeSpan.MaxValue })
            {
                try
                {
                    world.SpinLimit = bad;
                    return $"a spin limit of {bad} was accepted";
                }
                catch (ArgumentOutOfRangeException)
                {
                }
            }

            world.Barrier();
            return null;
        }
        finally
        {
            world.SpinLimit = saved;
        }
    }

    private static string? WaitingSleeps(Communicator world, int rank, int size)
    {
        // The last rank computes for 1.5 s before the barrier; the others wait in it. MPI's own
        // blocking collectives poll at full speed there; the shim's waits sleep between polls.
        const int DelayMs = 1500;
        if (rank == size - 1)
        {
            Thread.Sleep(DelayMs);
            world.Barrier();
            return null;
        }

        using var self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        world.Barrier();
        double wall = clock.Elapsed.TotalSeconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        return cpu > 0.2 * wall
            ? $"waiting {wall:F2} s in a barrier used {cpu:F2} s of CPU ({100 * cpu / wall:F0} %, at most 20 % expected)"
            : null;
    }
}
