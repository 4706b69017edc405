namespace Interop.Mpi.Tests;

/// <summary>What the collective checks share: the MPI environment, the thread level asked of it, and the world.</summary>
internal sealed class CollectiveContext(MpiEnvironment mpi, ThreadLevel requested, Communicator world, CheckRunner run)
{
    public MpiEnvironment Mpi { get; } = mpi;

    public ThreadLevel Requested { get; } = requested;

    public Communicator World { get; } = world;

    public int Rank { get; } = world.Rank;

    public int Size { get; } = world.Size;

    /// <summary>The runner, for notes from rank 0 (<see cref="CheckRunner.Note"/>).</summary>
    public CheckRunner Run { get; } = run;
}
