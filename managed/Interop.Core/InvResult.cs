namespace Interop.Core;

/// <summary>
/// One backend's measured inversion: timings of the inversion alone, its checks, the instruction-set
/// path it took, and its two references at the same thread count: the floating-point limit of its
/// own path (<see cref="Limit"/>), against which <see cref="PercentOfPeak"/> says how close it came
/// to what the hardware can do, and OpenBLAS's DGEMM rate (<see cref="Dgemm"/>), which
/// <see cref="OverDgemm"/> compares it with.
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
    DgemmRate? Dgemm,
    PathLimit? Limit = null)
{
    /// <summary>The spec's threshold for the scaled residual (LAPACK's own test threshold).</summary>
    public const double ResidualThreshold = 30;

    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>GFLOP/s counted as 2n³ (LU plus inversion of the factors).</summary>
    public double Gflops => 2.0 * N * N * (double)N / Stats.Median / 1e9;

    /// <summary>GFLOP/s of one rank: a distributed run's rate over its ranks; the references are one rank's.</summary>
    public double GflopsPerRank => Gflops / Ranks;

    /// <summary>GFLOP/s per rank as a percentage of the FMA limit of the row's path at its threads.</summary>
    public double? PercentOfPeak => Limit is { Gflops: > 0 } p ? 100 * GflopsPerRank / p.Gflops : null;

    /// <summary>True when the rate beat its path's limit even after the limit was measured again: a limit measured wrong.</summary>
    public bool AbovePeak => PercentOfPeak > 100;

    /// <summary>GFLOP/s per rank over OpenBLAS dgemm's at the same threads (1.2: 20 % faster than dgemm).</summary>
    public double? OverDgemm => Dgemm is { Gflops: > 0 } d ? GflopsPerRank / d.Gflops : null;

    public bool Verified => double.IsFinite(Residual) && Residual <= ResidualThreshold;
}

/// <summary>
/// OpenBLAS dgemm's rate on n x n matrices with a number of threads, on OpenBLAS's own kernels
/// (<paramref name="Core"/>, e.g. Haswell, and their path <paramref name="Isa"/>): the second
/// reference of an inversion's rate.
/// </summary>
public sealed record DgemmRate(int N, int Threads, double Gflops, string Core, Isa Isa);

/// <summary>
/// The floating-point limit of one instruction-set path on a number of threads: independent
/// multiply-add chains on every thread, the best of several short runs (GFLOP/s of the whole team);
/// <paramref name="Remeasured"/> when a rate beat the first measurement and it was measured again.
/// </summary>
public sealed record PathLimit(Isa Isa, int Threads, double Gflops, bool Remeasured = false);
