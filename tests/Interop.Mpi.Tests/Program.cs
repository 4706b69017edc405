// The MPI binding's test program: run it under mpiexec at any size (tests/mpi/run-mpi-tests.sh).
//   Interop.Mpi.Tests [check] [--thread-level single|funneled|serialized|multiple]
//       every collective against values computed locally; rank 0 prints "ok <name>" or
//       "FAIL <name>: detail" per check, then "N passed, N failed"; exit 0 only if all passed everywhere.
//   Interop.Mpi.Tests abort   the last rank fails (an exception, then Communicator.World.Abort(3))
//                             while the others wait in a barrier: the job must end, non-zero, quickly.
//   Interop.Mpi.Tests kill    the last rank SIGKILLs itself while the others wait in a barrier.
//   Interop.Mpi.Tests timeout the last rank never enters the barrier the others wait in with a 1 s
//                             wait limit: they get MpiTimeoutException and abort the job.
//   Interop.Mpi.Tests alltoall-stall the last rank never joins the started all-to-all: the others'
//                             Wait ends at the 1 s wait limit (MpiTimeoutException) and they abort the job.
//   Interop.Mpi.Tests pool-fail the last rank's task pool chunks throw: the job must end, non-zero, quickly.
//   Interop.Mpi.Tests queue-fail the last rank's task queue tasks throw: the job must end, non-zero, quickly.
//   Interop.Mpi.Tests queue-fail-root rank 0's task queue tasks throw: its submitted tasks fault, the job ends.
//   Interop.Mpi.Tests pool-kill the last rank is SIGKILLed mid-pool: the job must end, non-zero, quickly.
//   Interop.Mpi.Tests pool-stall the last rank's chunk outlasts the 1 s wait limit: the others, out of
//                             chunks, time out (closing the shared counter, or rank 0 waiting for a request).
//   (The pool-* modes take the path INTEROP_POOL picks: the shared counter, or messages.)
//   Interop.Mpi.Tests noop    MPI_Init_thread and MPI_Finalize only (measures start-up cost).
//   Interop.Mpi.Tests scalapack  the scalapack backend (ScalapackChecks), output as for check.
//   Interop.Mpi.Tests detect  without any launcher: MpiLaunch's decisions, and proof that neither
//                             libinterop_mpi nor libmpi was loaded.
using Interop.Mpi;
using Interop.Mpi.Tests;

string mode = "check";
var requested = ThreadLevel.Funneled;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "check" or "abort" or "kill" or "timeout" or "noop" or "detect" or "scalapack" or "pool-fail" or "pool-kill" or "pool-stall" or "alltoall-stall" or "queue-fail" or "queue-fail-root":
            mode = args[i];
            break;
        case "--thread-level" when i + 1 < args.Length && Enum.TryParse(args[i + 1], ignoreCase: true, out ThreadLevel level):
            requested = level;
            i++;
            break;
        default:
            Console.Error.WriteLine($"Interop.Mpi.Tests: unknown argument '{args[i]}' (modes: check, abort, kill, timeout, pool-fail, pool-kill, pool-stall, alltoall-stall, queue-fail, queue-fail-root, noop, detect, scalapack; option: --thread-level LEVEL)");
            return 2;
    }
}

if (mode == "detect")
{
    return DetectChecks.Run(Console.Out);
}

MpiEnvironment? mpi = null;
int worldRank = -1;
try
{
    mpi = MpiEnvironment.Initialize(requested);
    worldRank = Communicator.World.Rank;
    int status = mode switch
    {
        "check" => CollectiveChecks.Run(mpi, requested, Console.Out),
        "scalapack" => ScalapackChecks.Run(Console.Out),
        "abort" => FailureModes.Abort(),
        "kill" => FailureModes.Kill(),
        "timeout" => FailureModes.NeverArrives(),
        "pool-fail" => FailureModes.PoolTaskFails(),
        "pool-kill" => FailureModes.PoolRankKilled(),
        "pool-stall" => FailureModes.PoolRankStalls(),
        "alltoall-stall" => FailureModes.AlltoallNeverJoined(),
        "queue-fail" => FailureModes.QueueTaskFails(),
        "queue-fail-root" => FailureModes.QueueRootTaskFails(),
        _ => 0,
    };
    mpi.Dispose();
    return status;
}
catch (Exception e) when (mpi is not null && !MpiEnvironment.IsFinalized)
{
    // The pattern for any MPI program: an error that only this rank knows about must end the
    // whole job, or the other ranks wait for it forever in their next collective.
    Console.Error.WriteLine($"rank {worldRank}: error: {e.Message}; aborting the MPI job");
    Communicator.World.Abort(3);
    return 3;
}
catch (Exception e)
{
    Console.Error.WriteLine($"Interop.Mpi.Tests: {e.GetType().Name}: {e.Message}");
    return 1;
}
