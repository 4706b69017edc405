using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace Interop.Cli.Sweep;

/// <summary>
/// The straight line through (log10 darts, log10 RMS error) by least squares: the slope is the
/// order of convergence (the central limit theorem predicts -1/2: the error falls as 1/√N), with
/// its 95% confidence interval from Student's t with k - 2 degrees of freedom (k points). Two
/// points give a slope without an interval; fewer give no fit.
/// </summary>
internal sealed record ConvergenceFit(int Points, double Slope, double Intercept, double? SlopeLower, double? SlopeUpper)
{
    /// <summary>The slope the central limit theorem predicts: the error of a mean of N draws falls as N^(-1/2).</summary>
    public const double PredictedSlope = -0.5;

    public const double ConfidenceLevel = 0.95;

    /// <summary>Whether the interval holds <see cref="PredictedSlope"/>; null without an interval.</summary>
    public bool? ContainsPredicted => SlopeLower is double lower && SlopeUpper is double upper ? lower <= PredictedSlope && PredictedSlope <= upper : null;

    /// <summary>The fit of y = intercept + slope x; null with fewer than two points or all x equal.</summary>
    public static ConvergenceFit? Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(x.Count, y.Count);
        int k = x.Count;
        if (k < 2)
        {
            return null;
        }

        double meanX = x.Average();
        double meanY = y.Average();
        double sxx = x.Sum(v => (v - meanX) * (v - meanX));
        if (sxx <= 0)
        {
            return null;
        }

        double sxy = Enumerable.Range(0, k).Sum(i => (x[i] - meanX) * (y[i] - meanY));
        double slope = sxy / sxx;
        double intercept = meanY - slope * meanX;
        if (k < 3)
        {
            return new ConvergenceFit(k, slope, intercept, null, null);
        }

        double residuals = Enumerable.Range(0, k).Sum(i => Math.Pow(y[i] - intercept - slope * x[i], 2));
        double standardError = Math.Sqrt(residuals / (k - 2) / sxx);
        double t = StudentQuantile(k - 2);
        return new ConvergenceFit(k, slope, intercept, slope - t * standardError, slope + t * standardError);
    }

    /// <summary>The two-sided 95% quantile of Student's t with <paramref name="degrees"/> degrees of freedom (12.706 for 1).</summary>
    public static double StudentQuantile(int degrees) => new StudentDistribution(degrees).Quantile(0.5 + ConfidenceLevel / 2);
}
