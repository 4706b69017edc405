namespace Interop.Mpi.Tests;

/// <summary>
/// Every collective of Communicator.World, checked against values computed locally: each feature's
/// checks live in their own class (EnvironmentChecks ... ErrorChecks) and register here, in the order
/// every rank runs them.
/// </summary>
internal static class CollectiveChecks
{
    public static int Run(MpiEnvironment mpi, ThreadLevel requested, TextWriter output)
    {
        var world = Communicator.World;
        var run = new CheckRunner(world, output);
        var context = new CollectiveContext(mpi, requested, world, run);
        var checks = new CheckList();
        EnvironmentChecks.Register(checks, context);
        BarrierChecks.Register(checks, context);
        BroadcastChecks.Register(checks, context);
        ReduceChecks.Register(checks, context);
        GatherChecks.Register(checks, context);
        AlltoallChecks.Register(checks, context);
        InfoChecks.Register(checks, context);
        ErrorChecks.Register(checks, context);
        PoolChecks.Register(checks, context);
        QueueChecks.Register(checks, context);
        checks.RunAll(run);

        long failed = world.Allreduce((long)run.Failed, MpiOp.Max);
        if (context.Rank == 0)
        {
            output.WriteLine($"{run.Passed} passed, {failed} failed (ranks: {context.Size}, thread level: {mpi.ProvidedThreadLevel})");
        }

        return failed == 0 ? 0 : 1;
    }
}
