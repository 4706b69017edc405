namespace Interop.Mpi.Tests;

/// <summary>The launcher, MpiEnvironment's state, the thread level granted, and the world's ranks.</summary>
internal static class EnvironmentChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        checks.Add("launcher detected", () => Launcher(context.Size));
        checks.Add("environment state", () => EnvironmentState(context.Mpi, context.Requested));
        checks.Add("thread level", () => ThreadLevelCheck(context.Mpi, context.Requested, context.Run));
        checks.Add("rank and size", () => RankAndSize(context.World, context.Rank, context.Size));
    }

    private static string? Launcher(int size)
    {
        if (!MpiLaunch.DetectFromProcess(forced: false))
        {
            return "MpiLaunch.Detect found no launcher under mpiexec";
        }

        string? ompiSize = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE");
        return ompiSize is not null && ompiSize != size.ToString()
            ? $"OMPI_COMM_WORLD_SIZE={ompiSize} but MPI_Comm_size={size}"
            : null;
    }

    private static string? EnvironmentState(MpiEnvironment mpi, ThreadLevel requested)
    {
        if (!MpiEnvironment.IsInitialized || MpiEnvironment.IsFinalized)
        {
            return $"initialized={MpiEnvironment.IsInitialized}, finalized={MpiEnvironment.IsFinalized}";
        }

        if (!mpi.OwnsFinalize)
        {
            return "the environment that initialized MPI does not own its finalization";
        }

        try
        {
            using var second = MpiEnvironment.Initialize(requested);
            return "a second MpiEnvironment.Initialize did not throw";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? ThreadLevelCheck(MpiEnvironment mpi, ThreadLevel requested, CheckRunner run)
    {
        if (mpi.ProvidedThreadLevel >= requested)
        {
            return null;
        }

        // MPI may grant less than asked; Multiple is the one level an implementation may lack.
        if (requested == ThreadLevel.Multiple)
        {
            run.Note($"MPI granted {mpi.ProvidedThreadLevel} when Multiple was requested (allowed by the standard)");
            return null;
        }

        return $"requested {requested}, provided {mpi.ProvidedThreadLevel}";
    }

    private static string? RankAndSize(Communicator world, int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size)
        {
            return $"rank {rank} of size {size}";
        }

        Span<int> ranks = new int[size];
        world.Allgather<int>([rank], ranks);
        for (int r = 0; r < size; r++)
        {
            if (ranks[r] != r)
            {
                return $"allgather of ranks gave [{string.Join(", ", ranks.ToArray())}]";
            }
        }

        long sum = world.Allreduce((long)rank, MpiOp.Sum);
        return sum == (long)size * (size - 1) / 2 ? null : $"sum of ranks {sum}";
    }
}
