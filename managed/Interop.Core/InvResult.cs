namespace Interop.Core;

/// <summary>
/// One backend's measured inversion: timings of the inversion alone, its checks, the instruction-set
/// path it took and the machine's DGEMM rate at the same thread count (<see cref="Peak"/>), against
/// which <see cref="PercentOfPeak"/> says how close it came to what the hardware can do.
/// </summary>
public sealed record InvResult(
    string Backend,
    int Threads,
    int Ranks,
    int N,
    IReadOnlyList<double> Seconds,
    double Residual,
    double? MaxDifferenceFromLapack,
    double CheckSeconds,
    Isa Isa,
    DgemmRate? Peak)
{
    /// <summary>The spec's threshold for the scaled residual (LAPACK's own test threshold).</summary>
    public const double ResidualThreshold = 30;

    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>GFLOP/s counted as 2n³ (LU plus inversion of the factors).</summary>
    public double Gflops => 2.0 * N * N * (double)N / Stats.Median / 1e9;

    /// <summary>GFLOP/s per rank over one rank's DGEMM rate at the same threads (a distributed run: the rate over its ranks).</summary>
    public double? PercentOfPeak => Peak is { Gflops: > 0 } p ? 100 * Gflops / Ranks / p.Gflops : null;

    public bool Verified => double.IsFinite(Residual) && Residual <= ResidualThreshold;
}

/// <summary>OpenBLAS dgemm's rate on n x n matrices with a number of threads: "the peak" of the machine.</summary>
public sealed record DgemmRate(int N, int Threads, double Gflops);
