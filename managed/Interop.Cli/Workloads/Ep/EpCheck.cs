using System.Globalization;
using Interop.Backends.Ep;
using Interop.Cli.Commands;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// The checks of one EP run, on rank 0: every backend against NPB's reference values of the class
/// (<see cref="EpVerification"/>, the chosen variant), and the backends against each other: the same
/// pair count and q0..q9 (exact integer arithmetic, and the same deviates), and sums within NPB's 1e-8
/// (a signed sum relative to the sum of the absolute values, which bounds its rounding). A custom M
/// has no reference values: it passes on the agreement alone, labelled unverified against NPB.
/// </summary>
internal sealed class EpCheck
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly EpClass size;
    private readonly EpVariant variant;
    private readonly IReadOnlyList<EpMeasurement> results;
    private readonly EpVerdict[] own;
    private readonly string? disagreement;

    private EpCheck(EpClass size, EpVariant variant, IReadOnlyList<EpMeasurement> results)
    {
        this.size = size;
        this.variant = variant;
        this.results = results;
        own = [.. results.Select(r => EpVerification.Verify(size, r.Result, variant))];
        // Backends off NPB's values fail on their own: the others must agree among themselves.
        disagreement = Disagreement([.. results.Where((_, i) => own[i].Kind != EpVerdictKind.Failed)]);
        int failed = Array.FindIndex(own, v => v.Kind == EpVerdictKind.Failed);
        Verdict = failed >= 0 ? Verdict.Failed($"{results[failed].Backend}: {own[failed].Detail}")
            : disagreement is not null ? Verdict.Failed(disagreement)
            : Verdict.Ok;
    }

    /// <summary>Passed: every backend verified (or, for a custom M, all agree); else the first failure, naming class, value and reference.</summary>
    public Verdict Verdict { get; }

    /// <summary>Whether the size has NPB's reference values (a class), so that passing means verified against NPB.</summary>
    public bool AgainstNpb => size.IsNpbClass;

    /// <summary>What the points were verified against ("NPB 3.4.2+ class S"), or null (a custom M, or a failure).</summary>
    public string? VerifiedAgainst => Verdict.Passed && AgainstNpb ? $"{EpVerification.Name(variant)} class {size.Name}" : null;

    public static EpCheck Of(EpClass size, EpVariant variant, IReadOnlyList<EpMeasurement> results) => new(size, variant, results);

    /// <summary>The check column of backend <paramref name="index"/>: ok, agrees (custom M), FAILED (its own values), MISMATCH (with the others).</summary>
    public string Column(int index) =>
        own[index].Kind == EpVerdictKind.Failed ? "FAILED"
        : disagreement is not null ? "MISMATCH"
        : AgainstNpb ? "ok" : "agrees";

    /// <summary>The point's check in words: "pairs=13176389", with why it is not verified where it is not.</summary>
    public string PointCheck(int index) =>
        $"pairs={results[index].Result.Pairs.ToString(Invariant)}" + Column(index) switch
        {
            "ok" => string.Empty,
            "agrees" => " (unverified against NPB: no reference values for this M)",
            "FAILED" => $" ({own[index].Detail})",
            _ => " (backends disagree)",
        };

    /// <summary>The verification line under the table.</summary>
    public string Line()
    {
        if (!Verdict.Passed)
        {
            return $"check: FAILED, {Verdict.Failure}";
        }

        if (!AgainstNpb)
        {
            return $"unverified against NPB: M = {size.M} is not one of NPB's classes ({string.Join(", ", EpClass.All.Select(c => c.Name))}); " +
                $"all {results.Count} backend(s) agree: {results[0].Result.Pairs.ToString(Invariant)} pairs, identical q0..q9, sums within {EpVerification.Tolerance:0e0}";
        }

        EpReference reference = (variant == EpVariant.Npb34 ? size.Npb34 : size.Npb33)!;
        double largest = results.Max(r =>
        {
            (double sx, double sy) = Sums(r.Result, variant);
            return Math.Max(EpVerification.RelativeError(sx, reference.Sx), EpVerification.RelativeError(sy, reference.Sy));
        });
        string pairs = reference.Pairs is long p ? $", {p.ToString(Invariant)} pairs" : string.Empty;
        return $"verified against {EpVerification.Name(variant)} class {size.Name}: sx {Sum(reference.Sx)}, sy {Sum(reference.Sy)}{pairs}; " +
            $"largest relative error {largest.ToString("0.0e0", Invariant)} (tolerance {EpVerification.Tolerance:0e0})" +
            (reference.Pairs is null ? string.Empty : ", pair count exact") + $", on all {results.Count} backend(s)";
    }

    /// <summary>sx and sy of <paramref name="variant"/>: NPB 3.4.2+ sums absolute values, NPB 3.3 the signed values.</summary>
    public static (double Sx, double Sy) Sums(EpResult result, EpVariant variant) =>
        variant == EpVariant.Npb34 ? (result.SumAbsX, result.SumAbsY) : (result.Sx, result.Sy);

    /// <summary>A sum as NPB prints it, 16 significant digits: 1.051299420395306e+07.</summary>
    public static string Sum(double value)
    {
        // "E15" keeps all 16 digits (a custom format would round to 15); its exponent has 3 digits.
        string text = value.ToString("E15", Invariant);
        int e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return text; // NaN, infinities
        }

        int exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Invariant);
        return $"{text[..e]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent).ToString("00", Invariant)}";
    }

    // The first way the backends disagree, or null: the counts exactly, the sums within NPB's tolerance.
    private static string? Disagreement(IReadOnlyList<EpMeasurement> results)
    {
        if (results.Count == 0)
        {
            return null;
        }

        EpMeasurement first = results[0];
        foreach (EpMeasurement other in results.Skip(1))
        {
            if (!other.Result.Counts.SequenceEqual(first.Result.Counts))
            {
                return $"backends disagree on the counts q0..q9: {Counts(first)}; {Counts(other)}";
            }

            EpResult a = first.Result, b = other.Result;
            (string Name, double A, double B, double Scale)[] sums =
            [
                ("sx (signed)", a.Sx, b.Sx, Math.Max(a.SumAbsX, b.SumAbsX)),
                ("sy (signed)", a.Sy, b.Sy, Math.Max(a.SumAbsY, b.SumAbsY)),
                ("sum |x|", a.SumAbsX, b.SumAbsX, Math.Max(Math.Abs(a.SumAbsX), Math.Abs(b.SumAbsX))),
                ("sum |y|", a.SumAbsY, b.SumAbsY, Math.Max(Math.Abs(a.SumAbsY), Math.Abs(b.SumAbsY))),
            ];
            foreach ((string name, double x, double y, double scale) in sums)
            {
                if (!(Math.Abs(x - y) <= EpVerification.Tolerance * scale))
                {
                    return FormattableString.Invariant(
                        $"backends disagree on {name} beyond {EpVerification.Tolerance:0e0}: {first.Backend} {x:R}, {other.Backend} {y:R}");
                }
            }
        }

        return null;
    }

    private static string Counts(EpMeasurement r) => $"{r.Backend} [{string.Join(", ", r.Result.Counts)}]";
}
