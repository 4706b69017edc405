using System.Diagnostics;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Inv;

/// <summary>
/// Measures a distributed inversion backend (scalapack) on every rank of a job, for inv and
/// compare alike: the ranks meet in the job's (sleeping, bounded) barrier, since rank 0 may have
/// been running single-process backends meanwhile; the warm-up runs are run and dropped. One call
/// runs the warm-up and the repeat policy's minimum, then more runs of the same plan until the policy
/// is satisfied (the automatic policy); every rank decides alike, since the run times are the
/// slowest rank's, the same everywhere.
/// </summary>
internal static class DistributedInvBench
{
    /// <summary>
    /// Runs <paramref name="request"/> (its <c>Runs</c> set here) on every rank and returns the
    /// result with the slowest rank's times; <paramref name="peak"/> (OpenBLAS's DGEMM rate, null: no references) is asked on rank 0 only, which measures the FMA limit too. A
    /// failure, which a distributed backend throws on every rank alike, is a
    /// <see cref="CollectiveFailureException"/>: said once, no abort.
    /// </summary>
    public static (InvResult Result, DistributedInversion Done) Run(
        IJob job, IDistributedInvBackend backend, DistributedInvRequest request, RepeatPolicy repeat, int warmup, Func<DgemmRate?> peak)
    {
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        DistributedInversion done;
        try
        {
            done = backend.Invert(request with { Runs = warmup + repeat.MinRuns, Enough = seconds => repeat.Done([.. seconds.Skip(warmup)]) });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CollectiveFailureException(e);
        }

        double checkSeconds = Math.Max(0, Stopwatch.GetElapsedTime(start).TotalSeconds - done.RunSeconds.Sum());
        var result = new InvResult(backend.Name, request.Threads, job.Size, request.N, [.. done.RunSeconds.Skip(warmup)], done.Residual, null,
            checkSeconds, backend.InvIsa, null);
        if (job.IsRoot)
        {
            result = InvBench.WithReferences(result, peak());
        }

        return (result, done);
    }
}
