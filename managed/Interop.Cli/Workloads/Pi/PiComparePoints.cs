using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// Measures compare's pi points over every rank of the job: the parallel backends with the chosen
/// darts, the serial baseline with its own (fewer) darts, whose count another backend then checks.
/// </summary>
internal sealed class PiComparePoints(IJob job, ComparePlan plan, CompareSizes sizes) : IPointMeasurer
{
    private static PiWorkload Pi => PiWorkload.Instance;

    public ComparePoint Measure(IBackend measured, int threads, string? schedule)
    {
        var backend = (IPiBackend)measured;
        long darts = backend.IsParallel ? sizes.Of(Pi) : sizes.SerialOf(Pi);
        IReadOnlyList<int>? rankThreads = backend.IsParallel ? plan.RankThreadsAt(job, threads) : null;
        PiResult r = PiBench.Run(job, backend, plan.Seed, darts, threads, plan.Repeat, plan.Warmup, RankSchedule.Parse(schedule, ScheduleUnit.Darts), rankThreads);
        string check = $"inside={r.Inside.ToString(CultureInfo.InvariantCulture)}";
        bool verified = true;
        if (darts != sizes.Of(Pi) && plan.BackendsOf(Pi).OfType<IPiBackend>().FirstOrDefault(b => b.IsParallel) is IPiBackend other)
        {
            // Fewer darts than the other rows: no other row counted them, so count them again,
            // untimed, with another backend; the counts must agree exactly.
            long again = PiBench.Count(job, other, plan.Seed, darts, plan.Threads.Max());
            verified = again == r.Inside;
            check += verified ? $" (= {other.Name})" : $" ({other.Name}: {again.ToString(CultureInfo.InvariantCulture)})";
        }

        return new ComparePoint(Pi.Name, backend.Name, r.Ranks, threads, r.Seconds, Pi.WorkPerRun(darts), Pi.ThroughputUnit, verified, check)
        {
            Size = darts,
            Inside = r.Inside,
            RankThreads = rankThreads,
            // Each rank's share of the work and its time, for the load line under the table: the pool's darts, or the static split's.
            RankComputeSeconds = r.Ranks > 1 ? r.RankComputeSeconds : null,
            RankItems = r.Ranks > 1 ? r.Pool?.Items ?? PiBench.StaticItems(r.Ranks, darts) : null,
        };
    }

    /// <summary>Points that threw the same darts must have counted the same number inside, or none of them is verified.</summary>
    public static IReadOnlyList<ComparePoint> CheckCounts(IReadOnlyList<ComparePoint> points)
    {
        HashSet<long> disagreeing = [.. points.GroupBy(p => p.Size)
            .Where(g => g.Select(p => p.Check.Split(' ')[0]).Distinct().Count() > 1).Select(g => g.Key)];
        return [.. points.Select(p => disagreeing.Contains(p.Size) ? p with { Verified = false } : p)];
    }
}
