using System.Globalization;
using Interop.Backends.Ep;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// Measures compare's EP points over every rank of the job: the parallel backends at the chosen M,
/// the serial baseline at its own (smaller or the same). A class's point is verified against NPB
/// 3.4.2+'s values; every point's pair count and q0..q9 must agree with the other points of its M
/// (<see cref="CheckCounts"/>), the only check of a custom M.
/// </summary>
internal sealed class EpComparePoints(IJob job, ComparePlan plan, CompareSizes sizes) : IPointMeasurer
{
    private static EpWorkload Ep => EpWorkload.Instance;

    public ComparePoint Measure(IBackend backend, int threads, string? schedule)
    {
        long m = backend.IsParallel ? sizes.Of(Ep) : sizes.SerialOf(Ep);
        EpClass size = EpClass.Custom(checked((int)m));
        IReadOnlyList<int>? rankThreads = backend.IsParallel ? plan.RankThreadsAt(job, threads) : null;
        EpMeasurement r = EpBench.Run(job, EpKernels.For(backend)!, size, threads, plan.Repeat, plan.Warmup, RankSchedule.Parse(schedule, ScheduleUnit.EpBatches), rankThreads);
        EpVerdict verdict = EpVerification.Verify(size, r.Result, EpVariant.Npb34);
        string check = $"pairs={r.Result.Pairs.ToString(CultureInfo.InvariantCulture)}" + verdict.Kind switch
        {
            EpVerdictKind.Passed => $" (NPB 3.4.2+ class {size.Name})",
            EpVerdictKind.Unverified => " (unverified against NPB: checked against the other backends)",
            _ => $" ({verdict.Detail})",
        };
        return new ComparePoint(Ep.Name, backend.Name, r.Ranks, threads, r.Seconds, Ep.WorkPerRun(m), Ep.ThroughputUnit, verdict.Kind != EpVerdictKind.Failed, check)
        {
            Size = m,
            OwnFields = EpWorkload.OwnFields(r.Result),
            RankThreads = rankThreads,
            // Each rank's share of the work and its time, for the load line under the table: the pool's batches, or the static split's.
            RankComputeSeconds = r.Ranks > 1 ? r.RankComputeSeconds : null,
            RankItems = r.Ranks > 1 ? r.Pool?.Items ?? EpBench.StaticItems(r.Ranks, size) : null,
        };
    }

    /// <summary>Points of one M must have the same pair count and q0..q9, or none of them is verified.</summary>
    public static IReadOnlyList<ComparePoint> CheckCounts(IReadOnlyList<ComparePoint> points)
    {
        HashSet<long> disagreeing = [.. points.GroupBy(p => p.Size)
            .Where(g => g.Select(Counts).Distinct().Count() > 1).Select(g => g.Key)];
        return [.. points.Select(p => disagreeing.Contains(p.Size) ? p with { Verified = false } : p)];
    }

    private static string Counts(ComparePoint p) =>
        string.Join(" ", EpWorkload.CountKeys.Prepend("pairs").Select(k => p.OwnFields.TryGetValue(k, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "-"));
}
