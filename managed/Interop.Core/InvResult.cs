namespace Interop.Core;

/// <summary>One backend's measured inversion: timings of the inversion alone, and its checks.</summary>
public sealed record InvResult(
    string Backend,
    int Threads,
    int Ranks,
    int N,
    IReadOnlyList<double> Seconds,
    double Residual,
    double? MaxDifferenceFromLapack,
    double CheckSeconds)
{
    /// <summary>The spec's threshold for the scaled residual (LAPACK's own test threshold).</summary>
    public const double ResidualThreshold = 30;

    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>GFLOP/s counted as 2n³ (LU plus inversion of the factors).</summary>
    public double Gflops => 2.0 * N * N * (double)N / Stats.Median / 1e9;

    public bool Verified => double.IsFinite(Residual) && Residual <= ResidualThreshold;
}
