namespace Interop.Core;

/// <summary>
/// One backend's measured Monte Carlo pi run, over <see cref="Ranks"/> processes of
/// <see cref="Threads"/> threads each. <see cref="Seconds"/> are whole-job times (the slowest rank);
/// <see cref="RankComputeSeconds"/> is each rank's median compute time, <see cref="CommunicationSeconds"/>
/// the largest median time a rank spent in MPI calls; <see cref="Isa"/> the instruction-set path the
/// backend's kernel took; <see cref="Pool"/> which rank ran how much under a task-pool schedule.
/// </summary>
public sealed record PiResult(
    string Backend,
    int Threads,
    int Ranks,
    long Darts,
    ulong Seed,
    long Inside,
    IReadOnlyList<double> Seconds,
    IReadOnlyList<double> RankComputeSeconds,
    double CommunicationSeconds,
    Isa Isa)
{
    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>Under --schedule dynamic or guided, each rank's chunks, darts and busy time in the run whose time is the median; null under static.</summary>
    public TaskPoolLoad? Pool { get; init; }

    /// <summary>
    /// In a heterogeneous job (ranks that run different thread counts), each rank's threads in rank
    /// order (<see cref="Threads"/> is rank 0's); null when every rank runs <see cref="Threads"/>.
    /// </summary>
    public IReadOnlyList<int>? RankThreads { get; init; }

    /// <summary>The threads of all ranks together: ranks x threads, or the sum of <see cref="RankThreads"/>.</summary>
    public int Workers => RankThreads?.Sum() ?? Ranks * Threads;

    public double Estimate => 4.0 * Inside / Darts;

    public double AbsoluteError => Math.Abs(Estimate - Math.PI);

    public double DartsPerSecond => Darts / Stats.Median;

    /// <summary>Darts per second per core (<see cref="Workers"/>): comparable across shapes and machines.</summary>
    public double DartsPerSecondPerCore => DartsPerSecond / Workers;

    /// <summary>Load imbalance: how much longer the slowest rank computed than the average rank (0 = perfect).</summary>
    public double Imbalance => LoadImbalance.Of(RankComputeSeconds);
}

/// <summary>Load imbalance of per-worker times: max / mean - 1.</summary>
public static class LoadImbalance
{
    public static double Of(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0)
        {
            return 0;
        }

        double mean = seconds.Average();
        return mean > 0 ? (seconds.Max() / mean) - 1 : 0;
    }
}
