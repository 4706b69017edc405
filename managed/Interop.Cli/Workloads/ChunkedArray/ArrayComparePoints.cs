using Interop.Backends.ChunkedArray;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// Measures compare's array points over every rank of the job (the distributed array; one rank: the whole): the memory case at the chosen order with Dask's
/// chunk (1000, or n when smaller), the serial baseline at its own order (smaller or the same); every
/// point's checksum must agree with the other points of its order (<see cref="CheckChecksums"/>).
/// </summary>
internal sealed class ArrayComparePoints(IJob job, ComparePlan plan, CompareSizes sizes) : IPointMeasurer
{
    private static ArrayWorkload Array => ArrayWorkload.Instance;

    /// <summary>compare's shape of order <paramref name="n"/>.</summary>
    public static ArrayShape ShapeOf(long n, ulong seed) => new(checked((int)n), (int)Math.Min(ArrayShape.DefaultChunk, n), seed, ArrayCase.Memory);

    public ComparePoint Measure(IBackend backend, int threads, string? schedule)
    {
        long n = backend.IsParallel ? sizes.Of(Array) : sizes.SerialOf(Array);
        ArrayShape shape = ShapeOf(n, plan.Seed);
        ArrayMeasurement r = ArrayBench.Run(job, ArrayKernels.For(backend)!, shape, backend.IsParallel ? threads : 1, plan.Repeat, plan.Warmup);
        // The yardstick on rank 0 alone, whose point is the one reported; the others go on to the next point's barrier.
        r = job.IsRoot ? r with { TriadGigabytesPerSecond = ArrayTriad.Of(r.Workers) } : r;
        ArrayCheck check = ArrayCheck.Of(shape, [r]);
        return new ComparePoint(Array.Name, backend.Name, r.Ranks, threads, r.Seconds, Array.WorkPerRun(n), Array.ThroughputUnit, check.Verdict.Passed, check.PointCheck(0))
        {
            Size = n,
            OwnFields = ArrayWorkload.OwnFields(r),
            // Each rank's time outside MPI, for the load line under the table.
            RankComputeSeconds = r.Ranks > 1 ? r.RankComputeSeconds : null,
        };
    }

    /// <summary>Points of one order must have the same checksum, or none of them is verified.</summary>
    public static IReadOnlyList<ComparePoint> CheckChecksums(IReadOnlyList<ComparePoint> points)
    {
        HashSet<long> disagreeing = [.. points.GroupBy(p => p.Size).Where(g => g.Select(ArrayWorkload.ChecksumOf).Distinct().Count() > 1).Select(g => g.Key)];
        return [.. points.Select(p => disagreeing.Contains(p.Size) ? p with { Verified = false } : p)];
    }
}
