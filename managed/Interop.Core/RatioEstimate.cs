using System.Globalization;

namespace Interop.Core;

/// <summary>
/// A ratio of two measured medians (a speedup, "native over managed") with its 95 % interval
/// <see cref="Lower"/>..<see cref="Upper"/>. The interval is propagated on the log scale: each
/// median's interval is ln(upper / lower) / 2 wide either side of it (<see cref="TimingStats.LogCiHalfWidth"/>),
/// the two half-widths add in quadrature (the points are measured independently), and the ratio's
/// interval is Value x e^(±half-width). A ratio of positive times is positive, and so are both ends:
/// no "± u" ever reaches zero. Both ends are null when either side has fewer than 3 runs (unknown).
/// </summary>
public readonly record struct RatioEstimate(double Value, double? Lower, double? Upper)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A ratio with no interval (fewer than 3 runs on a side, or a point over itself).</summary>
    public RatioEstimate(double value)
        : this(value, null, null)
    {
    }

    /// <summary>The ratio <paramref name="value"/> of two quantities measured with <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static RatioEstimate Of(double value, TimingStats a, TimingStats b) =>
        a.LogCiHalfWidth is double ha && b.LogCiHalfWidth is double hb && value > 0 && double.IsFinite(value)
            ? WithLogHalfWidth(value, Math.Sqrt((ha * ha) + (hb * hb)))
            : new(value);

    /// <summary><paramref name="value"/> with the interval value x e^(±<paramref name="logHalfWidth"/>).</summary>
    public static RatioEstimate WithLogHalfWidth(double value, double logHalfWidth) =>
        new(value, value * Math.Exp(-logHalfWidth), value * Math.Exp(logHalfWidth));

    /// <summary>True when the interval is known.</summary>
    public bool HasInterval => Lower is not null && Upper is not null;

    /// <summary>True when the interval includes 1 (its ends included): the two sides are not told apart.</summary>
    public bool WithinNoise => Lower is double lo && Upper is double hi && lo <= 1 * (1 + 1e-9) && hi >= 1 * (1 - 1e-9);

    /// <summary>True when the interval lies wholly above or below 1: the two sides differ at 95 %.</summary>
    public bool Distinguishable => HasInterval && !WithinNoise;

    /// <summary>1 / the ratio, its interval's ends swapped and inverted.</summary>
    public RatioEstimate Inverse => new(1 / Value, 1 / Upper, 1 / Lower);

    /// <summary>The ratio times a positive constant (efficiency = speedup / workers).</summary>
    public RatioEstimate Scale(double factor) => new(Value * factor, Lower * factor, Upper * factor);

    /// <summary>
    /// "1.07x ± 0.03" where both ends lie as far from the value at <paramref name="format"/>'s
    /// precision, "1.07x (0.80-1.43)" where the interval is visibly asymmetric (wide intervals on
    /// the log scale are), or "1.07x" when the interval is unknown.
    /// </summary>
    public string Format(string format = "0.00", string unit = "x")
    {
        string value = Value.ToString(format, Invariant) + unit;
        if (Lower is not double lo || Upper is not double hi)
        {
            return value;
        }

        string below = (Value - lo).ToString(format, Invariant);
        string above = (hi - Value).ToString(format, Invariant);
        return below == above
            ? $"{value} ± {above}"
            : $"{value} ({Bound(lo, format)}-{hi.ToString(format, Invariant)})";

        // A lower end that rounds to zero reads "<0.01": a ratio of positive times is never 0.
        static string Bound(double bound, string format)
        {
            string shown = bound.ToString(format, Invariant);
            int decimals = format.Contains('.', StringComparison.Ordinal) ? format.Length - format.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
            return shown.Trim('0', '.').Length > 0 ? shown : "<" + Math.Pow(10, -decimals).ToString(format, Invariant);
        }
    }

    /// <summary><see cref="Format"/> followed by " (within noise)" where the interval includes 1.</summary>
    public string FormatWithNoise(string format = "0.00", string unit = "x") => Format(format, unit) + (WithinNoise ? " (within noise)" : string.Empty);
}
