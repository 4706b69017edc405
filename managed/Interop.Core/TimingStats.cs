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
/// below <see cref="MinRunsForCi"/> runs); <see cref="Mad"/> is Perfolizer's median absolute
/// deviation (scaled to estimate a standard deviation, with its small-sample constants).
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

    /// <summary>"±1.2%" (the interval's half-width over the median), "±8% noisy", or "n/a" with fewer than 3 runs.</summary>
    public string CiText =>
        RelativeCiHalfWidth is double h
            ? "±" + FormatPercent(h) + (IsNoisy ? " noisy" : string.Empty)
            : IsNoisy ? "n/a noisy" : "n/a";

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
                ConfidenceInterval ci = HarrellDavisQuantileEstimator.Instance
                    .QuantileConfidenceIntervalEstimator(sample, Probability.Median)
                    .ConfidenceInterval(new PerfolizerLevel(ConfidenceLevel));
                lower = ci.Lower;
                upper = ci.Upper;
            }
        }
        else if (sorted.Length >= MinRunsForCi)
        {
            // Identical timings: the interval is the value itself (Perfolizer gives the same).
            lower = upper = median;
        }

        return new TimingStats(median, sorted[0], sorted[^1]) { Count = sorted.Length, CiLower = lower, CiUpper = upper, Mad = mad };
    }

    /// <summary>A fraction as a percentage with one decimal below 10 % ("1.2%"), none above ("12%").</summary>
    public static string FormatPercent(double fraction)
    {
        double percent = 100 * fraction;
        return percent.ToString(percent < 9.95 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";
    }
}
