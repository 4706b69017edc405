namespace Interop.Core;

/// <summary>
/// Which rank ran how much of one task-pool run (Interop.Mpi's TaskPool: --schedule dynamic or
/// guided), in rank order: the chunks each rank took, the items in them (pi: darts) and the seconds
/// its pool threads spent running them. The figures of one run, not medians of each figure over
/// the runs, so that they add up: the items of all ranks are every item exactly once. Static
/// splits have none (each rank's range is fixed by the split; its time is the rank's compute time).
/// Named for the pool, not for a workload: any workload whose ranks take chunks from it reports this.
/// </summary>
public sealed record TaskPoolLoad(IReadOnlyList<long> Chunks, IReadOnlyList<long> Items, IReadOnlyList<double> BusySeconds)
{
    /// <summary>
    /// Each rank's pool threads' chunks in that run, rank by rank (a rank whose main thread ran the
    /// chunks has one; ranks of a heterogeneous job have as many as their threads); null when not gathered.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<long>>? ThreadChunks { get; init; }

    /// <summary>The seconds each of those threads spent running its chunks, as <see cref="ThreadChunks"/>.</summary>
    public IReadOnlyList<IReadOnlyList<double>>? ThreadBusySeconds { get; init; }

    /// <summary>
    /// The index of the run whose load a point reports: the timed run whose (job-wide) time is the
    /// median; of an even number of runs, the faster of the two in the middle, a run that happened
    /// (the median of an even count is the mean of two). The first such run when times tie. Every
    /// rank sees the same job-wide times, so every rank picks the same run.
    /// </summary>
    public static int MedianRun(IReadOnlyList<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        if (seconds.Count == 0)
        {
            throw new ArgumentException("no timed run to pick from", nameof(seconds));
        }

        double median = seconds.Order().ElementAt((seconds.Count - 1) / 2);
        return Enumerable.Range(0, seconds.Count).First(i => seconds[i].Equals(median));
    }
}
