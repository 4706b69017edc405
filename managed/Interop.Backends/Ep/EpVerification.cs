namespace Interop.Backends.Ep;

/// <summary>Which of NPB's verification rules to apply.</summary>
public enum EpVariant
{
    /// <summary>NPB 3.4.2 and later (the default): sx = Σ|t3|, sy = Σ|t4| and the count of accepted pairs.</summary>
    Npb34,

    /// <summary>NPB 3.3 (also 3.4 and 3.4.1): the signed sums sx = Σt3, sy = Σt4.</summary>
    Npb33,
}

/// <summary>The outcome of verifying a result: passed, failed, or unverified (a custom M: NPB publishes no values for it).</summary>
public enum EpVerdictKind
{
    Passed,
    Failed,
    Unverified,
}

/// <summary>A verdict and, for a failure, what failed: the class, the value and the reference.</summary>
public sealed record EpVerdict(EpVerdictKind Kind, string Detail)
{
    public bool Passed => Kind == EpVerdictKind.Passed;
}

/// <summary>
/// NPB's verification: sx and sy each within relative 1e-8 of the class's reference values (a NaN
/// fails), and for NPB 3.4.2+ the count of accepted pairs, which is exact integer arithmetic here on
/// every backend and so must equal NPB's count exactly (NPB allows 1e-8 relative: no slack at S or W).
/// </summary>
public static class EpVerification
{
    /// <summary>NPB's relative tolerance, epsilon = 1e-8.</summary>
    public const double Tolerance = 1e-8;

    public static string Name(EpVariant variant) => variant == EpVariant.Npb34 ? "NPB 3.4.2+" : "NPB 3.3";

    /// <summary>Verifies <paramref name="result"/> of <paramref name="size"/> by <paramref name="variant"/>'s rule.</summary>
    public static EpVerdict Verify(EpClass size, EpResult result, EpVariant variant = EpVariant.Npb34)
    {
        EpReference? reference = variant == EpVariant.Npb34 ? size.Npb34 : size.Npb33;
        if (reference is null)
        {
            return new EpVerdict(EpVerdictKind.Unverified, $"M = {size.M} is not an NPB class: unverified against NPB (only the pair count and q agree across backends)");
        }

        (double sx, double sy) = variant == EpVariant.Npb34 ? (result.SumAbsX, result.SumAbsY) : (result.Sx, result.Sy);
        string where = $"class {size.Name} ({Name(variant)})";
        if (Failure(sx, reference.Sx, "sx", where) is string badX)
        {
            return new EpVerdict(EpVerdictKind.Failed, badX);
        }

        if (Failure(sy, reference.Sy, "sy", where) is string badY)
        {
            return new EpVerdict(EpVerdictKind.Failed, badY);
        }

        if (reference.Pairs is long pairs && result.Pairs != pairs)
        {
            return new EpVerdict(EpVerdictKind.Failed, $"{where}: {result.Pairs} accepted pairs, reference {pairs}");
        }

        return new EpVerdict(EpVerdictKind.Passed, $"{where}: sx and sy within {Tolerance:0e0} of NPB's values{(reference.Pairs is null ? string.Empty : ", pair count exact")}");
    }

    /// <summary>|value - reference| / |reference|, NaN for a NaN value.</summary>
    public static double RelativeError(double value, double reference) => Math.Abs((value - reference) / reference);

    private static string? Failure(double value, double reference, string name, string where)
    {
        double error = RelativeError(value, reference);
        return error <= Tolerance ? null
            : FormattableString.Invariant($"{where}: {name} = {value:R} differs from the reference {reference:R} by {error:0.###e0} relative (tolerance {Tolerance:0e0})");
    }
}
