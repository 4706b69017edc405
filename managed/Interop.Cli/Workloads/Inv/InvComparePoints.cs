using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli.Workloads.Inv;

/// <summary>
/// Measures compare's inversion points: the single-process backends on rank 0 alone, on one matrix
/// of the spec generated at the first of them; the distributed ones on every rank of the job.
/// </summary>
internal sealed class InvComparePoints(IJob job, ComparePlan plan, CompareSizes sizes) : IPointMeasurer
{
    private static InvWorkload Inv => InvWorkload.Instance;

    private InvBench? bench;

    // The order of the inversions' matrix: an int, since --size, a baseline and the calibration keep it within SpecMatrix.MaxOrder.
    private int Order => checked((int)sizes.Of(Inv));

    public ComparePoint Measure(IBackend backend, int threads, string? schedule) => backend switch
    {
        IDistributedInvBackend distributed => MeasureDistributed(distributed, threads),
        _ => MeasureOne((IInvBackend)backend, threads),
    };

    /// <summary>Every inversion held against the FMA limit now kept for its path and threads (a later point that beat it had it measured again).</summary>
    public static IReadOnlyList<ComparePoint> LatestLimits(IReadOnlyList<ComparePoint> points) => [.. points.Select(LatestLimit)];

    private static ComparePoint LatestLimit(ComparePoint p) =>
        p.PeakGflops is double limit && p.Isa != "unknown"
            ? p with { PeakGflops = FmaLimits.Latest(new PathLimit(IsaNames.Parse(p.Isa, "isa"), p.Threads, limit))!.Gflops }
            : p;

    private ComparePoint MeasureOne(IInvBackend backend, int threads) =>
        InvPoint((bench ??= GenerateMatrix()).Run(backend, threads, new InvRunSettings(plan.Repeat, plan.Warmup)), string.Empty);

    private InvBench GenerateMatrix()
    {
        int threads = plan.Threads.Max();
        using var span = Tracing.Span("generate", "generate", $"n = {Order}");
        return new InvBench(SpecMatrix.Generate(Order, plan.Seed, threads), Order, threads);
    }

    // An inversion result as a point: GFLOP/s of 2n³, the residual (and the grid, for a distributed one) as its check.
    private static ComparePoint InvPoint(InvResult r, string detail) =>
        new(Inv.Name, r.Backend, r.Ranks, r.Threads, r.Seconds, Inv.WorkPerRun(r.N), Inv.ThroughputUnit,
            r.Verified, $"residual={r.Residual.ToString("G3", CultureInfo.InvariantCulture)}{detail}")
        {
            Size = r.N,
            PeakGflops = r.Limit?.Gflops,
            DgemmGflops = r.Dgemm?.Gflops,
            Residual = r.Residual,
            MaxAbsDiffVsLapack = r.MaxDifferenceFromLapack,
        };

    // Every rank inverts its blocks of the spec's matrix, generated in place; the other ranks wait
    // for rank 0 (asleep, bounded) while it runs the single-process points before this one.
    private ComparePoint MeasureDistributed(IDistributedInvBackend backend, int threads)
    {
        InvBench? measured = bench;
        (InvResult r, DistributedInversion done) = DistributedInvBench.Run(job, backend, new DistributedInvRequest(Order, plan.Seed, threads, Runs: 0),
            plan.Repeat, plan.Warmup, () => measured is not null ? measured.Peak(threads) : InvBench.PeakAt(Order, threads));
        return InvPoint(r, $" grid={done.GridRows}x{done.GridCols}");
    }
}
