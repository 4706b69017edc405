namespace Interop.Core;

/// <summary>One backend's measured Monte Carlo pi run.</summary>
public sealed record PiResult(
    string Backend,
    int Threads,
    int Ranks,
    long Darts,
    ulong Seed,
    long Inside,
    IReadOnlyList<double> Seconds)
{
    public TimingStats Stats => TimingStats.From(Seconds);

    public double Estimate => 4.0 * Inside / Darts;

    public double AbsoluteError => Math.Abs(Estimate - Math.PI);

    public double DartsPerSecond => Darts / Stats.Median;
}
