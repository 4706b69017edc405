using System.Globalization;
using Perfolizer.Mathematics.Common;
using PerfolizerLevel = Perfolizer.Mathematics.Common.ConfidenceLevel;
using Perfolizer.Mathematics.QuantileEstimators;
using Perfolizer.Mathematics.ScaleEstimators;
using Pragmastat;

namespace Interop.Core;

/// <summary>
/// Median, minimum and maximum of repeated timings, in seconds, with the median's confidence
/// interval and dispersion computed by Perfolizer (BenchmarkDotNet's statistics):
/// <see cref="CiLower"/>..<see cref="CiUpper"/> is the <see cref="ConfidenceLevel"/> interval of the
/// median by the Harrell-Davis quantile estimator with the Maritz-Jarrett standard error (null
/// below <see cref="MinRunsForCi"/> runs), computed on the log scale: the interval of the median of
/// ln(seconds), mapped back with exp. A time is positive and its noise is multiplicative (a long
/// tail of slow runs), so the interval is asymmetric and its lower end is always above zero, where
/// the same estimator on the seconds themselves gives median ± 1.96 SE, below zero for a skewed
/// sample. (Timings of zero or less, which a clock cannot give, fall back to the linear interval
/// clamped at zero.) <see cref="Mad"/> is Perfolizer's median absolute deviation (scaled to
/// estimate a standard deviation, with its small-sample constants), on the seconds.
/// </summary>
public readonly record struct TimingStats(double Median, double Min, double Max)
{
    /// <summary>The confidence level of <see cref="CiLower"/>..<see cref="CiUpper"/>: 95 %.</summary>
    public const double ConfidenceLevel = 0.95;

    /// <summary>Fewer runs than this give no interval ("n/a").</summary>
    public const int MinRunsForCi = 3;

    /// <summary>
    /// A point is noisy when its interval's half-width (or, without an interval, its MAD) is above
    /// this fraction of the median: 5 %.
    /// </summary>
    public const double NoiseBound = 0.05;

    /// <summary>How many timings the statistics are of.</summary>
    public int Count { get; init; }

    /// <summary>Lower end of the median's 95 % confidence interval, seconds; null with fewer than 3 runs.</summary>
    public double? CiLower { get; init; }

    /// <summary>Upper end of the median's 95 % confidence interval, seconds; null with fewer than 3 runs.</summary>
    public double? CiUpper { get; init; }

    /// <summary>Median absolute deviation (scaled as a standard deviation estimate), seconds; 0 for one run.</summary>
    public double Mad { get; init; }

    /// <summary>Half the interval's width over the median (0.012 = ±1.2 %); null without an interval.</summary>
    public double? RelativeCiHalfWidth =>
        CiLower is double lo && CiUpper is double hi && Median > 0 ? (hi - lo) / 2 / Median : null;

    /// <summary>
    /// Half the interval's width on the log scale, ln(upper / lower) / 2: the multiplicative
    /// uncertainty that <see cref="RatioEstimate"/> propagates; null without an interval (or with a
    /// lower end of zero, where no ratio is bounded).
    /// </summary>
    public double? LogCiHalfWidth =>
        CiLower is double lo && CiUpper is double hi && lo > 0 ? Math.Log(hi / lo) / 2 : null;

    /// <summary><see cref="Mad"/> over the median.</summary>
    public double RelativeMad => Median > 0 ? Mad / Median : 0;

    /// <summary>
    /// The relative uncertainty of the median used for ratios and the noise flag: the interval's
    /// relative half-width, or null with fewer than <see cref="MinRunsForCi"/> runs (unknown).
    /// </summary>
    public double? RelativeUncertainty => RelativeCiHalfWidth;

    /// <summary>
    /// True when the median is not pinned to within <see cref="NoiseBound"/>: the interval's
    /// half-width (or, with 2 runs, the relative MAD) above 5 % of the median.
    /// </summary>
    public bool IsNoisy => RelativeCiHalfWidth is double h ? h > NoiseBound : Count >= 2 && RelativeMad > NoiseBound;

    /// <summary>
    /// The interval's ends relative to the median: "±1.2%" where both sides round alike, else
    /// "-20%/+35%" (the log-scale interval is asymmetric, and its lower side never reaches -100%);
    /// " noisy" appended past <see cref="NoiseBound"/>; "n/a" with fewer than 3 runs.
    /// </summary>
    public string CiText =>
        CiLower is double lo && CiUpper is double hi && Median > 0
            ? Sides(lo, hi) + (IsNoisy ? " noisy" : string.Empty)
            : IsNoisy ? "n/a noisy" : "n/a";

    private string Sides(double lo, double hi)
    {
        string below = BelowPercent(Math.Max(0, 1 - (lo / Median)));
        string above = FormatPercent(Math.Max(0, (hi / Median) - 1));
        return below == above ? "±" + below : $"-{below}/+{above}";
    }

    public static TimingStats From(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0)
        {
            throw new ArgumentException("At least one timing is needed.", nameof(seconds));
        }

        double[] sorted = [.. seconds];
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        double? lower = null, upper = null;
        double mad = 0;
        if (sorted.Length >= 2 && sorted[0] < sorted[^1])
        {
            var sample = new Sample(sorted);
            mad = MedianAbsoluteDeviationEstimator.Simple.Mad(sample);
            if (sorted.Length >= MinRunsForCi)
            {
                (lower, upper) = sorted[0] > 0 ? LogScaleInterval(sorted) : LinearIntervalClamped(sample);
            }
        }
        else if (sorted.Length >= MinRunsForCi)
        {
            // Identical timings: the interval is the value itself (Perfolizer gives the same).
            lower = upper = median;
        }

        return new TimingStats(median, sorted[0], sorted[^1]) { Count = sorted.Length, CiLower = lower, CiUpper = upper, Mad = mad };
    }

    // How far below the median the lower end lies: "99.97%" rather than a rounded "100%", which would read as a time of zero.
    private static string BelowPercent(double fraction)
    {
        double percent = 100 * fraction;
        if (percent < 99.5)
        {
            return FormatPercent(fraction);
        }

        string close = percent.ToString("0.00", CultureInfo.InvariantCulture);
        return close == "100.00" ? "(>99.99%)" : close + "%";
    }

    // The median's interval on the log scale (see the type's summary): positive ends by construction.
    private static (double Lower, double Upper) LogScaleInterval(double[] sorted)
    {
        ConfidenceInterval ci = MedianInterval(new Sample([.. sorted.Select(s => Math.Log(s))]));
        return (Math.Exp(ci.Lower), Math.Exp(ci.Upper));
    }

    // Only for timings of zero or less (no clock gives them): the linear interval, its lower end clamped at zero.
    private static (double Lower, double Upper) LinearIntervalClamped(Sample sample)
    {
        ConfidenceInterval ci = MedianInterval(sample);
        return (Math.Max(0, ci.Lower), Math.Max(0, ci.Upper));
    }

    private static ConfidenceInterval MedianInterval(Sample sample) =>
        HarrellDavisQuantileEstimator.Instance
            .QuantileConfidenceIntervalEstimator(sample, Probability.Median)
            .ConfidenceInterval(new PerfolizerLevel(ConfidenceLevel));

    /// <summary>A fraction as a percentage with one decimal below 10 % ("1.2%"), none above ("12%").</summary>
    public static string FormatPercent(double fraction)
    {
        double percent = 100 * fraction;
        return percent.ToString(percent < 9.95 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";
    }
}
