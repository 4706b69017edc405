namespace Interop.Backends.Ep;

/// <summary>
/// EP's totals over a run: the four sums and q0..q9. The sums are the per-batch sums added in batch
/// order (<see cref="Reduce"/>), so one backend and path gives the same bits on any number of threads
/// or ranks; the counts are exact integers and the same on every backend.
/// </summary>
public sealed record EpResult(double Sx, double Sy, double SumAbsX, double SumAbsY, IReadOnlyList<long> Counts)
{
    /// <summary>Accepted pairs (NPB's gc): Σq.</summary>
    public long Pairs => Counts.Sum();

    /// <summary>
    /// Adds per-batch sums (<see cref="IEpKernel"/>'s layout, 4 per batch, in batch order: those of
    /// every rank gathered in batch order for a job) one batch after the other, and takes the counts.
    /// </summary>
    public static EpResult Reduce(ReadOnlySpan<double> batchSums, ReadOnlySpan<long> counts)
    {
        if (batchSums.Length % EpArguments.SumsPerBatch != 0)
        {
            throw new ArgumentException($"batch sums come {EpArguments.SumsPerBatch} per batch, not {batchSums.Length} in all", nameof(batchSums));
        }

        if (counts.Length != EpArguments.Annuli)
        {
            throw new ArgumentException($"counts are q0..q9, not {counts.Length} values", nameof(counts));
        }

        double sx = 0, sy = 0, ax = 0, ay = 0;
        for (int j = 0; j < batchSums.Length; j += EpArguments.SumsPerBatch)
        {
            sx += batchSums[j];
            sy += batchSums[j + 1];
            ax += batchSums[j + 2];
            ay += batchSums[j + 3];
        }

        return new EpResult(sx, sy, ax, ay, counts.ToArray());
    }

    /// <summary>
    /// Runs <paramref name="size"/> on <paramref name="kernel"/> with <paramref name="threads"/>
    /// threads in one process: all its batches, reduced in batch order.
    /// </summary>
    public static EpResult Run(IEpKernel kernel, EpClass size, int threads)
    {
        var batchSums = new double[checked((int)(EpArguments.SumsPerBatch * size.Batches))];
        var counts = new long[EpArguments.Annuli];
        kernel.Run(0, size.Batches, threads, batchSums, counts);
        return Reduce(batchSums, counts);
    }
}
