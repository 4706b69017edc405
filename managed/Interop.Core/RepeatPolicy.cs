using System.Globalization;

namespace Interop.Core;

/// <summary>
/// How many timed runs a point gets. <see cref="Fixed"/>: exactly that many (--repeat R).
/// <see cref="Auto"/> (no --repeat): at least <see cref="AutoMinRuns"/> runs, then more until the
/// median's 95 % confidence interval is within ±<see cref="AutoTarget"/> of the median, or the timed
/// runs add up to <see cref="AutoMaxSeconds"/>, or <see cref="AutoMaxRuns"/> runs. The rule reads
/// only the timings, so ranks that share the same (slowest-rank) timings stop together.
/// </summary>
public sealed record RepeatPolicy
{
    public const int AutoMinRuns = 3;
    public const int AutoMaxRuns = 30;
    public const double AutoMaxSeconds = 5.0;
    public const double AutoTarget = 0.02;

    private RepeatPolicy(int? count) => Count = count;

    /// <summary>Automatic repeats.</summary>
    public static RepeatPolicy Auto { get; } = new((int?)null);

    /// <summary>The fixed count, or null when automatic.</summary>
    public int? Count { get; }

    public bool IsAuto => Count is null;

    /// <summary>The fewest runs this policy makes.</summary>
    public int MinRuns => Count ?? AutoMinRuns;

    /// <summary>The most runs this policy makes.</summary>
    public int MaxRuns => Count ?? AutoMaxRuns;

    public static RepeatPolicy Fixed(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new RepeatPolicy(count);
    }

    /// <summary>Whether the runs timed so far are enough.</summary>
    public bool Done(IReadOnlyList<double> seconds)
    {
        if (Count is int n)
        {
            return seconds.Count >= n;
        }

        if (seconds.Count < AutoMinRuns)
        {
            return false;
        }

        // INTEROP_SIZE_SCALE (tests, demos) shortens the time cap with the sizes.
        if (seconds.Count >= AutoMaxRuns || seconds.Sum() >= SizeScale.Seconds(AutoMaxSeconds))
        {
            return true;
        }

        return TimingStats.From(seconds).RelativeCiHalfWidth is double h && h <= AutoTarget;
    }

    /// <summary>"3 run(s)" or "3-30 runs (until the median's 95% CI is within ±2% or 5 s of runs)".</summary>
    public string Describe() =>
        Count is int n
            ? $"{n.ToString(CultureInfo.InvariantCulture)} run(s)"
            : $"{AutoMinRuns}-{AutoMaxRuns} runs (auto: until the median's 95% CI is within ±{AutoTarget * 100:0}% or {AutoMaxSeconds:0} s of runs)";

    /// <summary>"3" or "auto", for hashes and parameters.</summary>
    public override string ToString() => Count is int n ? n.ToString(CultureInfo.InvariantCulture) : "auto";
}
