using System.Globalization;

namespace Interop.Core;

/// <summary>
/// A ratio of two measured medians (a speedup, "native over managed") with its uncertainty: the two
/// medians' 95 % confidence intervals propagated to first order, i.e. the relative half-widths
/// added in quadrature (the two points are measured independently). <see cref="Uncertainty"/> is
/// absolute (the ratio's half-width) and null when either side has fewer than 3 runs.
/// </summary>
public readonly record struct RatioEstimate(double Value, double? Uncertainty)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The ratio <paramref name="value"/> of two quantities measured with <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static RatioEstimate Of(double value, TimingStats a, TimingStats b) =>
        new(value, a.RelativeUncertainty is double ra && b.RelativeUncertainty is double rb ? Math.Abs(value) * Math.Sqrt((ra * ra) + (rb * rb)) : null);

    /// <summary>The uncertainty over the value.</summary>
    public double? Relative => Uncertainty is double u && Value != 0 ? u / Math.Abs(Value) : null;

    /// <summary>True when the interval Value ± Uncertainty includes 1 (its ends included): the two sides are not told apart.</summary>
    public bool WithinNoise => Uncertainty is double u && Math.Abs(Value - 1) <= u * (1 + 1e-9);

    /// <summary>1 / the ratio, with the same relative uncertainty.</summary>
    public RatioEstimate Inverse => new(1 / Value, Relative is double r ? r / Value : null);

    /// <summary>The ratio times a constant (efficiency = speedup / workers).</summary>
    public RatioEstimate Scale(double factor) => new(Value * factor, Uncertainty * Math.Abs(factor));

    /// <summary>"1.07x ± 0.03" (or "1.07x" when the uncertainty is unknown), in <paramref name="format"/> with <paramref name="unit"/>.</summary>
    public string Format(string format = "0.00", string unit = "x") =>
        Value.ToString(format, Invariant) + unit + (Uncertainty is double u ? " ± " + u.ToString(format, Invariant) : string.Empty);

    /// <summary><see cref="Format"/> followed by " (within noise)" where the interval includes 1.</summary>
    public string FormatWithNoise(string format = "0.00", string unit = "x") => Format(format, unit) + (WithinNoise ? " (within noise)" : string.Empty);
}
